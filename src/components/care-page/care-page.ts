import { LitElement, css, html, type PropertyDeclarations } from 'lit';

/**
 * @summary An optional wrapper: the widgets inside it inherit its page, host and token URL.
 *
 * The widgets read these from the attributes (properties reflect to them), so they work in any
 * upgrade order and follow changes live.
 *
 * @slot - The widgets (and any other content).
 */
export class CarePage extends LitElement {
  static override styles = css`
    :host {
      display: contents;
    }
  `;

  static override properties: PropertyDeclarations = {
    page: { reflect: true },
    host: { reflect: true },
    tokenUrl: { attribute: 'token-url', reflect: true },
  };

  /** The page id the widgets inside show, unless they name their own. */
  declare page: string;
  /** The backend's URL for the widgets inside. */
  declare host: string;
  /** The token URL for the widgets inside. */
  declare tokenUrl: string;

  constructor() {
    super();
    this.page = '';
    this.host = '';
    this.tokenUrl = '';
  }

  protected override render() {
    return html`<slot></slot>`;
  }
}
