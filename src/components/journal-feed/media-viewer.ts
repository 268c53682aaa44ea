import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { Strings } from '../../i18n/index.js';
import type { JournalEntry } from '../../protocol/index.js';

type Host = ReactiveControllerHost & HTMLElement & { renderRoot: HTMLElement | DocumentFragment };

/**
 * The photo viewer (feature `media`): a modal `<dialog>` over the page showing one photo at
 * its display size with its alt text as a visible caption. The modal dialog makes the rest of
 * the page inert; Tab and Shift+Tab also wrap inside it (the browser would otherwise move on
 * to its own toolbar), Escape closes it (the dialog's own `cancel`), the arrow keys move to
 * the previous or next photo (mirrored right to left), Home and End to the first and last,
 * and closing returns focus to the thumbnail that opened it.
 */
export class PhotoViewer implements ReactiveController {
  #at: { entryId: string; index: number } | null = null;
  #trigger: HTMLElement | null = null;
  /** Focus the close button once the dialog opened (not on every later render). */
  #justOpened = false;

  constructor(private readonly host: Host) {
    host.addController(this);
  }

  get open(): boolean {
    return this.#at !== null;
  }

  show(entryId: string, index: number, trigger: HTMLElement): void {
    this.#at = { entryId, index };
    this.#trigger = trigger;
    this.#justOpened = true;
    this.host.requestUpdate();
  }

  /** Closes the dialog (its `close` event then restores focus). */
  close(): void {
    this.#dialog?.close();
  }

  get #dialog(): HTMLDialogElement | null {
    return this.host.renderRoot.querySelector('dialog.viewer');
  }

  hostUpdated(): void {
    const dialog = this.#dialog;
    if (!dialog || !this.#at) return;
    if (!dialog.open) dialog.showModal();
    if (this.#justOpened) {
      this.#justOpened = false;
      dialog.querySelector<HTMLElement>('.viewer-close')?.focus();
    }
  }

  /** The dialog for the photo shown, or nothing. `failed` asks for fresh URLs (expired ones fail to load). */
  render(entries: readonly JournalEntry[], t: Strings, dir: 'ltr' | 'rtl', abs: (url: string) => string, failed: (entryId: string) => void): TemplateResult | typeof nothing {
    const at = this.#at;
    if (!at) return nothing;
    const entry = entries.find((e) => e.id === at.entryId);
    const media = entry?.media ?? [];
    if (media.length === 0) {
      // The entry (or its last photo) was deleted while shown: the dialog goes with it.
      queueMicrotask(this.#closed);
      return nothing;
    }
    const index = Math.min(at.index, media.length - 1);
    const m = media[index]!;
    const many = media.length > 1;
    const go = (to: number) => {
      this.#at = { entryId: at.entryId, index: (to + media.length) % media.length };
      this.host.requestUpdate();
    };
    const onKey = (e: KeyboardEvent) => {
      const forward = dir === 'rtl' ? 'ArrowLeft' : 'ArrowRight';
      const back = dir === 'rtl' ? 'ArrowRight' : 'ArrowLeft';
      if (e.key === 'Tab') return this.#trap(e);
      if (!many) return;
      const to = e.key === forward ? index + 1 : e.key === back ? index - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? media.length - 1 : null;
      if (to === null) return;
      e.preventDefault();
      go(to);
    };
    return html`<dialog class="viewer" part="viewer" aria-labelledby="viewer-heading" @keydown=${onKey} @close=${this.#closed}>
      <div class="viewer-bar">
        <h2 id="viewer-heading" class="viewer-heading">${t.photoPosition(`${index + 1} / ${media.length}`)}</h2>
        <button type="button" class="viewer-close" part="button viewer-close" @click=${() => this.close()}>${t.close}</button>
      </div>
      <figure class="viewer-figure">
        <img part="viewer-image" src=${abs(m.url)} width=${m.width} height=${m.height} alt=${m.alt} @error=${() => failed(at.entryId)} />
        <figcaption part="viewer-caption" dir="auto" aria-live="polite">${m.alt}</figcaption>
      </figure>
      ${many
        ? html`<div class="row viewer-nav">
            <button type="button" part="button viewer-previous" @click=${() => go(index - 1)}>${t.previousPhoto}</button>
            <button type="button" part="button viewer-next" @click=${() => go(index + 1)}>${t.nextPhoto}</button>
          </div>`
        : nothing}
    </dialog>`;
  }

  /** Tab from the last control goes to the first, Shift+Tab from the first to the last. */
  #trap(e: KeyboardEvent): void {
    const dialog = e.currentTarget as HTMLDialogElement;
    const controls = [...dialog.querySelectorAll<HTMLElement>('button:not([disabled])')];
    if (controls.length === 0) return;
    const root = this.host.renderRoot as ShadowRoot;
    const at = controls.indexOf(root.activeElement as HTMLElement);
    const first = controls[0]!;
    const last = controls[controls.length - 1]!;
    if (e.shiftKey && at <= 0) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (at === controls.length - 1 || at === -1)) {
      e.preventDefault();
      first.focus();
    }
  }

  /** The dialog closed (Escape, the Close button): forget it and put focus back where it was. */
  #closed = () => {
    const at = this.#at;
    if (!at) return;
    const trigger = this.#trigger;
    this.#at = null;
    this.#trigger = null;
    this.host.requestUpdate();
    if (trigger?.isConnected) trigger.focus();
    else this.host.renderRoot.querySelector<HTMLElement>(`article[data-id="${CSS.escape(at.entryId)}"]`)?.focus();
  };
}
