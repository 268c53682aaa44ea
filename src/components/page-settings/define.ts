import { canDefine } from '../base/server-safe.js';
import { CarePageSettings } from './page-settings.js';

export * from './page-settings.js';

if (canDefine('care-page-settings')) customElements.define('care-page-settings', CarePageSettings);

declare global {
  interface HTMLElementTagNameMap {
    'care-page-settings': CarePageSettings;
  }
}
