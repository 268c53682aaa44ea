import { HTMLElementOrStandIn } from '../base/server-safe.js';

/**
 * @summary An optional wrapper: the widgets inside it inherit its page, host, token URL and
 * `loading`.
 *
 * The widgets read these from the attributes (the properties reflect to them), so they work
 * in any upgrade order and follow changes live. A plain custom element with no shadow root:
 * it renders its children as they are (`display: contents`).
 *
 * @attr page - The page id the widgets inside show, unless they name their own.
 * @attr host - The backend's URL for the widgets inside.
 * @attr token-url - The token URL for the widgets inside.
 * @attr loading - `lazy` makes the widgets inside lazy unless they have a `loading` attribute of their own.
 *
 * @slot - The widgets (and any other content).
 */
export class CarePage extends HTMLElementOrStandIn {
  /** The page id the widgets inside show, unless they name their own. */
  get page(): string {
    return this.getAttribute('page') ?? '';
  }
  set page(v: string) {
    this.setAttribute('page', v);
  }

  /** The backend's URL for the widgets inside. */
  get host(): string {
    return this.getAttribute('host') ?? '';
  }
  set host(v: string) {
    this.setAttribute('host', v);
  }

  /** The token URL for the widgets inside. */
  get tokenUrl(): string {
    return this.getAttribute('token-url') ?? '';
  }
  set tokenUrl(v: string) {
    this.setAttribute('token-url', v);
  }

  /** `lazy` makes the widgets inside lazy unless they have a `loading` attribute of their own. */
  get loading(): string {
    return this.getAttribute('loading') ?? '';
  }
  set loading(v: string) {
    this.setAttribute('loading', v);
  }

  connectedCallback(): void {
    // CSSOM, not a style attribute: allowed under a strict style-src.
    this.style.display = 'contents';
  }
}
