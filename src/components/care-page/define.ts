import { CarePage } from './care-page.js';

export * from './care-page.js';

if (!customElements.get('care-page')) customElements.define('care-page', CarePage);

declare global {
  interface HTMLElementTagNameMap {
    'care-page': CarePage;
  }
}
