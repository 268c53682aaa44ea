import { consume } from '@lit/context';
import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { careSettingsContext, type InheritedSettings } from '../../client/context.js';
import type { Delivery } from '../../client/connection.js';
import { PageController } from '../../client/page-controller.js';
import { directionOf, langOf, stringsFor, type Strings } from '../../i18n/index.js';
import { exactTime, relativeTime } from '../../i18n/time.js';
import { renderMarkdown } from '../../markdown/render.js';
import type { CareError } from '../../protocol/index.js';
import '../../events.js';

export type Theme = 'light' | 'dark' | 'auto';

/**
 * What the three widgets share: the common attributes of SPEC section 2, settings inherited
 * from a `<care-page>`, the page controller, language and direction, the shared status
 * notices and the polite live region that announces new items once.
 */
export abstract class CareElement extends LitElement {
  /** The page id. */
  @property({ reflect: true }) accessor page = '';
  /** The backend's URL. Defaults to the `<care-page>`, `CareWidgets.configure()`, the script tag, then this site. */
  @property({ reflect: true }) accessor host = '';
  /** A same-origin URL answering `{ "token": "<JWT>" }` for the signed-in visitor (401/204: anonymous). */
  @property({ attribute: 'token-url', reflect: true }) accessor tokenUrl = '';
  /** `light`, `dark` or `auto` (follows the visitor's system). */
  @property({ reflect: true }) accessor theme: Theme = 'auto';
  /** The UI language (BCP 47); defaults to the nearest `lang` in the document. */
  @property({ reflect: true }) override accessor lang = '';

  @consume({ context: careSettingsContext, subscribe: true })
  @state()
  accessor inherited: InheritedSettings | undefined;

  @state() protected accessor announcement = '';

  readonly care = new PageController(this, (d) => this.delivered(d));
  private readonly rendered = new Map<string, Element>();

  protected get language(): string {
    return this.lang || langOf(this);
  }

  protected get t(): Strings {
    return stringsFor(this.language);
  }

  protected get direction(): 'ltr' | 'rtl' {
    return directionOf(this.language);
  }

  /** Called when one of this user's posts on this page was acknowledged. */
  protected delivered(_d: Delivery): void {}

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
    const exact = exactTime(iso, this.language);
    return html`<time datetime=${iso} title=${exact} aria-label=${exact}>${relativeTime(iso, this.language)}</time>`;
  }

  /** Sanitized Markdown as DOM, cached per item version so re-renders reuse the nodes. */
  protected markdown(key: string, text: string): Element {
    let el = this.rendered.get(key);
    if (!el) {
      el = document.createElement('div');
      el.className = 'body';
      el.append(renderMarkdown(text));
      this.rendered.set(key, el);
      if (this.rendered.size > 2_000) this.rendered.delete(this.rendered.keys().next().value!);
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
    if (!this.care.pageId) return html`<div class="notice error" role="alert" part="notice">${t.error('page attribute missing')}</div>`;
    if (conn === 'unauthorized') return html`<div class="notice error" role="alert" part="notice">${t.unauthorized}</div>`;
    if (status === 'not_found') return html`<div class="notice" role="status" part="notice">${t.notFound}</div>`;
    if (status === 'error') {
      return html`<div class="notice error" role="alert" part="notice">
        ${t.error(error?.message ?? '')}
        <button @click=${() => void this.care.store?.sync(true)}>${t.retry}</button>
      </div>`;
    }
    if (status === 'loading') {
      return html`<div class="notice" role="status" part="notice">${conn === 'offline' ? t.offline : t.loading}</div>`;
    }
    return nothing;
  }

  /** A banner while a loaded widget is offline: its content stays readable. */
  protected offlineBanner(): TemplateResult | typeof nothing {
    return this.care.connectionState === 'offline' && this.care.state.status !== 'loading'
      ? html`<div class="notice" role="status" part="notice offline">${this.t.offline}</div>`
      : nothing;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('lang')) this.rendered.clear();
  }
}
