import { canDefine } from '../base/server-safe.js';
import { CarePage } from './care-page.js';

export * from './care-page.js';

if (canDefine('care-page')) customElements.define('care-page', CarePage);

declare global {
  interface HTMLElementTagNameMap {
    'care-page': CarePage;
  }
}
