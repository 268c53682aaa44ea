import { LitElement, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import type { ConnectionState, Delivery } from '../../client/connection.js';
import type { OutboxKind } from '../../client/outbox.js';
import { PageController } from '../../client/page-controller.js';
import type { Strings } from '../../i18n/index.js';
import { exactTime, relativeTime, whenExactReady } from '../../i18n/time.js';
import type { CareError } from '../../protocol/index.js';
import type { CarePostedDetail } from '../../events.js';
import { Announcer } from './announcer.js';
import { LanguageController } from './language-controller.js';
import { Notices } from './notices.js';
import { ProgressiveList } from './progressive.js';
import { nextSlice, sliceSpent } from './slices.js';

export type Theme = 'light' | 'dark' | 'auto';

/**
 * What the three widgets share: the common attributes of SPEC section 2 and the controllers
 * that do the work: the page (`care`, the only way to the data), the language
 * (language-controller.ts), the live region (announcer.ts) and the shared notices
 * (notices.ts). What stays here is what needs the element itself: events, times, Markdown.
 */
export abstract class CareElement extends LitElement {
  static override properties: PropertyDeclarations = {
    page: { reflect: true },
    host: { reflect: true },
    tokenUrl: { attribute: 'token-url', reflect: true },
    theme: { reflect: true },
    lang: { reflect: true },
    // useDefault: `eager` is not written back as an attribute, so a `<care-page loading>` can apply.
    loading: { reflect: true, useDefault: true },
  };

  /** The page id. */
  declare page: string;
  /** The backend's URL. Defaults to the `<care-page>`, `CareWidgets.configure()`, the script tag, then this site. */
  declare host: string;
  /** A same-origin URL answering `{ "token": "<JWT>" }` for the signed-in visitor (401/204: anonymous). */
  declare tokenUrl: string;
  /**
   * `light`, `dark` or `auto`: follows the page's own `color-scheme` at the element (dark only
   * where the page is dark, or declares `light dark` and the visitor prefers dark), live.
   */
  declare theme: Theme;
  /** The UI language (BCP 47); defaults to the nearest `lang` in the document, then the browser's languages. */
  declare lang: string;
  /**
   * `eager` (the default) connects at once. `lazy` connects (opens the socket, fetches the
   * token, subscribes) only when the widget comes within 600px of the viewport, and stays
   * connected from then on. Without the attribute, the nearest `<care-page loading>` applies.
   */
  declare loading: 'eager' | 'lazy';

  readonly care = new PageController(this, (d) => this.delivered(d));

  /**
   * The shared connection's state: `connecting`, `online`, `offline` or `unauthorized`. Read
   * it on any widget; `care-connection-change` announces changes once per connection.
   */
  get connectionState(): ConnectionState {
    return this.care.connectionState;
  }
  readonly #language = new LanguageController(this);
  /** The polite live region (announcer.ts). */
  protected readonly announcer = new Announcer(this, this.care);
  /** The shared notices (notices.ts). */
  protected readonly notices = new Notices(this.care, () => this.t);
  /** The widget's list, rendered a slice at a time (progressive.ts). */
  protected readonly progressive = new ProgressiveList(this);
  readonly #reported = new Set<string>();
  #clock: ReturnType<typeof setInterval> | undefined;
  readonly #rendered = new Map<string, Element>();

  // Plain `static properties` rather than decorators: lowered decorators cost ~350 bytes each
  // in the script-tag bundle, and every visitor downloads them.
  constructor() {
    super();
    this.page = '';
    this.host = '';
    this.tokenUrl = '';
    this.theme = 'auto';
    this.lang = '';
    this.loading = 'eager';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Keeps "5 minutes ago" true.
    this.#clock = setInterval(() => this.requestUpdate(), 60_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.#clock);
  }

  protected get language(): string {
    return this.#language.tag;
  }

  protected get t(): Strings {
    return this.#language.strings;
  }

  protected get direction(): 'ltr' | 'rtl' {
    return this.#language.dir;
  }

  /** No render until the strings of the widget's language are here (see LanguageController). */
  protected override shouldUpdate(changed: PropertyValues<this>): boolean {
    return this.#language.resolve() && super.shouldUpdate(changed);
  }

  /**
   * An update waits for a later task when this task's budget is spent (slices.ts): the second
   * widget of a page then renders after the first one's task, not in the same long task. Never
   * the first update: it draws the skeleton that reserves the widget's space, which must be in
   * the same frame as the element (layout-shift.test.ts), and costs little.
   */
  protected override async scheduleUpdate(): Promise<void> {
    if (this.hasUpdated && sliceSpent()) await nextSlice();
    super.scheduleUpdate();
  }

  /**
   * Also waits for the strings and for every slice of the list: `await el.updateComplete`
   * then finds the widget in its language, with all its items.
   */
  protected override async getUpdateComplete(): Promise<boolean> {
    let done = await super.getUpdateComplete();
    for (let wait = this.#language.pending ?? this.progressive.pending; wait; wait = this.#language.pending ?? this.progressive.pending) {
      await wait;
      done = await super.getUpdateComplete();
    }
    return done;
  }

  /** Which of this user's posts this widget announces as `care-posted` once acknowledged. */
  protected readonly postKind: 'journal' | 'wall' | null = null;
  /** More kinds it announces (the journal feed: its entries' comments). */
  protected readonly alsoPosts: readonly OutboxKind[] = [];

  private delivered(d: Delivery): void {
    const kind = d.entry.kind;
    if (kind === this.postKind || this.alsoPosts.includes(kind)) this.emit('care-posted', { kind, item: d.item } as CarePostedDetail);
  }

  protected emit<K extends keyof GlobalEventHandlersEventMap>(type: K, detail: GlobalEventHandlersEventMap[K] extends CustomEvent<infer D> ? D : never): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  protected reportError(error: CareError): void {
    this.emit('care-error', error);
  }

  /** A `<time>` with relative text and the exact time on hover and for screen readers. */
  protected time(iso: string): TemplateResult {
    const lang = this.language;
    const exact = exactTime(iso, lang);
    if (exact === null) void whenExactReady(lang).then(() => this.requestUpdate());
    return html`<time datetime=${iso} title=${exact ?? nothing} aria-label=${exact ?? nothing}>${relativeTime(iso, lang)}</time>`;
  }

  /**
   * How a widget that shows user text turns it into sanitized DOM (src/markdown/render.ts):
   * set by the journal and the wall. A static, not an import here, so the follow button, which
   * shows none, carries neither the Markdown scanner nor DOMPurify: the script-tag build loads
   * that pipeline as its own chunk, only with a widget that needs it (issue 12).
   */
  protected static renderMarkdown: ((text: string) => DocumentFragment) | null = null;

  /** Sanitized Markdown as DOM, cached per item version so re-renders reuse the nodes. */
  protected markdown(key: string, text: string): Element {
    let el = this.#rendered.get(key);
    if (!el) {
      el = document.createElement('div');
      el.className = 'body';
      // User text keeps its own direction: "Thank you!" stays so in an Arabic widget.
      el.setAttribute('dir', 'auto');
      el.append((this.constructor as typeof CareElement).renderMarkdown!(text));
      this.#rendered.set(key, el);
      if (this.#rendered.size > 2_000) this.#rendered.delete(this.#rendered.keys().next().value!);
    }
    return el;
  }

  /** Reports each refused post of this widget's kinds once as `care-error`. Call from `willUpdate`, once, with every kind. */
  protected reportRefusals(...kinds: OutboxKind[]): void {
    const pending = kinds.flatMap((kind) => this.care.pending(kind));
    const failed = new Set(pending.filter((e) => e.state === 'failed').map((e) => e.clientId));
    for (const id of this.#reported) if (!failed.has(id)) this.#reported.delete(id);
    for (const e of pending) {
      if (e.error && failed.has(e.clientId) && !this.#reported.has(e.clientId)) {
        this.#reported.add(e.clientId);
        this.reportError(e.error);
      }
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('lang')) this.#rendered.clear();
  }
}
