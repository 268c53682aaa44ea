import { html, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { PageController } from '../../client/page-controller.js';

type Authored = { seq: number; author: { id: string } };

/**
 * The widget's polite live region: what it says to assistive technology, once. `newItems`
 * announces items from others that arrived live; the first load, older pages and items coming
 * back into view are not new: only items created after the last `seq` this widget saw count.
 */
export class Announcer implements ReactiveController {
  #text = '';
  #seenSeq: number | null = null;
  #seenBinding: unknown = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly care: PageController,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Says `text` once (cleared first, so the same words twice are announced twice). */
  say(text: string): void {
    this.#text = '';
    this.host.requestUpdate();
    requestAnimationFrame(() => {
      this.#text = text;
      this.host.requestUpdate();
    });
  }

  /**
   * Call from `willUpdate` with the widget's items and how to say "N new"; `also`: a second
   * kind of item said in the same breath (the journal's comments), counted the same way.
   */
  newItems(items: readonly Authored[], say: (n: number) => string, also?: { items: readonly Authored[]; say: (n: number) => string }): void {
    const { binding, state } = this.care;
    if (binding !== this.#seenBinding || state.status !== 'ready') {
      this.#seenBinding = binding;
      this.#seenSeq = null;
    }
    if (state.status !== 'ready') return;
    const since = this.#seenSeq;
    this.#seenSeq = Math.max(since ?? 0, state.seq);
    if (since === null) return;
    const me = state.viewer?.userId ?? null;
    const fresh = (list: readonly Authored[]) => list.filter((m) => m.seq > since && m.author.id !== me).length;
    const n = fresh(items);
    const m = also ? fresh(also.items) : 0;
    const text = [n > 0 ? say(n) : '', m > 0 && also ? also.say(m) : ''].filter(Boolean).join('. ');
    if (text) this.say(text);
  }

  region(): TemplateResult {
    return html`<div class="visually-hidden" role="status" aria-live="polite">${this.#text}</div>`;
  }
}
