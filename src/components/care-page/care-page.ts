import { ContextRoot, provide } from '@lit/context';
import { LitElement, css, html, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import { careSettingsContext, type InheritedSettings } from '../../client/context.js';

/**
 * @summary An optional wrapper: the widgets inside it inherit its page, host and token URL.
 *
 * @slot - The widgets (and any other content).
 */
export class CarePage extends LitElement {
  static override styles = css`
    :host {
      display: contents;
    }
  `;

  /** The page id the widgets inside show, unless they name their own. */
  @property({ reflect: true }) accessor page = '';
  /** The backend's URL for the widgets inside. */
  @property({ reflect: true }) accessor host = '';
  /** The token URL for the widgets inside. */
  @property({ attribute: 'token-url', reflect: true }) accessor tokenUrl = '';

  @provide({ context: careSettingsContext })
  accessor settings: InheritedSettings | undefined = undefined;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('page') || changed.has('host') || changed.has('tokenUrl')) {
      this.settings = { page: this.page || undefined, host: this.host || undefined, tokenUrl: this.tokenUrl || undefined };
    }
  }

  protected override render() {
    return html`<slot></slot>`;
  }
}

let rootAttached = false;
/**
 * Widgets that upgrade before their `<care-page>` (a bundle loaded late, elements defined in
 * another order) still find it: the context root replays their requests once it appears.
 */
export function attachContextRoot(): void {
  if (rootAttached) return;
  rootAttached = true;
  new ContextRoot().attach(document.documentElement);
}
