import { LitElement, html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import type { Delivery } from '../../client/connection.js';
import { PageController } from '../../client/page-controller.js';
import type { Strings } from '../../i18n/index.js';
import { exactTime, relativeTime, whenExactReady } from '../../i18n/time.js';
import { renderMarkdown } from '../../markdown/render.js';
import type { CareError } from '../../protocol/index.js';
import type { CarePostedDetail } from '../../events.js';
import { LanguageController } from './language-controller.js';

export type Theme = 'light' | 'dark' | 'auto';

/**
 * What the three widgets share: the common attributes of SPEC section 2, settings inherited
 * from a `<care-page>`, the page controller, language and direction, the shared status
 * notices and the polite live region that announces new items once.
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
    announcement: { state: true },
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
  protected declare announcement: string;

  readonly care = new PageController(this, (d) => this.delivered(d));
  readonly #language = new LanguageController(this);
  #seenSeq: number | null = null;
  #seenStore: unknown = null;
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
    this.announcement = '';
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

  /** Also waits for the strings: `await el.updateComplete` then finds the widget in its language. */
  protected override async getUpdateComplete(): Promise<boolean> {
    let done = await super.getUpdateComplete();
    while (this.#language.pending) {
      await this.#language.pending;
      done = await super.getUpdateComplete();
    }
    return done;
  }

  /** Which of this user's posts this widget announces as `care-posted` once acknowledged. */
  protected readonly postKind: 'journal' | 'wall' | null = null;

  private delivered(d: Delivery): void {
    if (d.entry.kind === this.postKind) this.emit('care-posted', { kind: d.entry.kind, item: d.item } as CarePostedDetail);
  }

  protected emit<K extends keyof GlobalEventHandlersEventMap>(type: K, detail: GlobalEventHandlersEventMap[K] extends CustomEvent<infer D> ? D : never): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  protected reportError(error: CareError): void {
    this.emit('care-error', error);
  }

  /** Announces new live items once, politely, to assistive technology. */
  protected announce(text: string): void {
    this.announcement = '';
    requestAnimationFrame(() => (this.announcement = text));
  }

  protected liveRegion(): TemplateResult {
    return html`<div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>`;
  }

  /** A `<time>` with relative text and the exact time on hover and for screen readers. */
  protected time(iso: string): TemplateResult {
    const lang = this.language;
    const exact = exactTime(iso, lang);
    if (exact === null) void whenExactReady(lang).then(() => this.requestUpdate());
    return html`<time datetime=${iso} title=${exact ?? nothing} aria-label=${exact ?? nothing}>${relativeTime(iso, lang)}</time>`;
  }

  /** Sanitized Markdown as DOM, cached per item version so re-renders reuse the nodes. */
  protected markdown(key: string, text: string): Element {
    let el = this.#rendered.get(key);
    if (!el) {
      el = document.createElement('div');
      el.className = 'body';
      // User text keeps its own direction: "Thank you!" stays so in an Arabic widget.
      el.setAttribute('dir', 'auto');
      el.append(renderMarkdown(text));
      this.#rendered.set(key, el);
      if (this.#rendered.size > 2_000) this.#rendered.delete(this.#rendered.keys().next().value!);
    }
    return el;
  }

  /**
   * The states every widget shares before it has content: loading, offline, unauthorized,
   * not found, error. Returns `nothing` when the widget should render its content.
   */
  protected statusNotice(): TemplateResult | typeof nothing {
    const t = this.t;
    const { status, error } = this.care.state;
    const conn = this.care.connectionState;
    // A setting to fix (named in care-error and the console): a plain notice, never "offline".
    if (this.care.problem === 'config') return html`<div class="notice error" role="alert" part="notice">${t.misconfigured}</div>`;
    // A refusal for another protocol version is the site's to fix: do not ask the visitor to sign in.
    if (conn === 'unauthorized') return html`<div class="notice error" role="alert" part="notice">${this.care.problem === 'version' ? t.versionMismatch : t.unauthorized}</div>`;
    if (status === 'not_found') return html`<div class="notice" role="status" part="notice">${t.notFound}</div>`;
    if (status === 'error') {
      return html`<div class="notice error" role="alert" part="notice">
        ${t.error(error?.message ?? '')}
        <button @click=${() => this.care.reload()}>${t.retry}</button>
      </div>`;
    }
    if (status === 'loading') {
      // `loading`: a skeleton the size of the first content holds the space (no layout shift).
      return html`<div class="notice loading" role="status" part="notice">${conn === 'offline' ? t.offline : t.loading}</div>`;
    }
    return nothing;
  }

  /** Why a locked page shows nothing: blocked, members-only and signed out, or private. */
  protected lockedNotice(): TemplateResult {
    const { page, viewer } = this.care.state;
    const t = this.t;
    const text = viewer?.follow === 'blocked' ? t.blockedNotice : page?.visibility === 'members' && !viewer?.userId ? t.lockedMembers : t.lockedPrivate;
    return html`<div class="notice" role="status" part="notice">${text}</div>`;
  }

  /**
   * Announces items from others that arrived live, once. The first load, older pages and
   * items coming back into view are not new: only items created after the last `seq` this
   * widget saw count. Call from `willUpdate`.
   */
  protected announceNew(items: readonly { seq: number; author: { id: string } }[], say: (n: number) => string): void {
    const { binding, state } = this.care;
    if (binding !== this.#seenStore || state.status !== 'ready') {
      this.#seenStore = binding;
      this.#seenSeq = null;
    }
    if (state.status !== 'ready') return;
    const since = this.#seenSeq;
    this.#seenSeq = Math.max(since ?? 0, state.seq);
    if (since === null) return;
    const me = state.viewer?.userId ?? null;
    const fresh = items.filter((m) => m.seq > since && m.author.id !== me).length;
    if (fresh > 0) this.announce(say(fresh));
  }

  /** Reports each refused post of this widget's kind once as `care-error`. Call from `willUpdate`. */
  protected reportRefusals(kind: 'journal' | 'wall'): void {
    const pending = this.care.pending(kind);
    const failed = new Set(pending.filter((e) => e.state === 'failed').map((e) => e.clientId));
    for (const id of this.#reported) if (!failed.has(id)) this.#reported.delete(id);
    for (const e of pending) {
      if (e.error && failed.has(e.clientId) && !this.#reported.has(e.clientId)) {
        this.#reported.add(e.clientId);
        this.reportError(e.error);
      }
    }
  }

  /**
   * A banner while a loaded widget is offline: its content stays readable. The widgets of one
   * connection say it once: the first one bound shows the banner (and its status region
   * announces it), the others a short "Offline" that is not announced again.
   */
  protected offlineBanner(): TemplateResult | typeof nothing {
    return this.care.connectionState === 'offline' && this.care.state.status !== 'loading'
      ? this.care.leads
        ? html`<div class="notice" role="status" part="notice offline">${this.t.offline}</div>`
        : html`<div class="notice" part="notice offline">${this.t.offlineShort}</div>`
      : nothing;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('lang')) this.#rendered.clear();
  }
}
