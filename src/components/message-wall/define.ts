import { canDefine } from '../base/server-safe.js';
import { CareMessageWall } from './message-wall.js';

export * from './message-wall.js';

if (canDefine('care-message-wall')) customElements.define('care-message-wall', CareMessageWall);

declare global {
  interface HTMLElementTagNameMap {
    'care-message-wall': CareMessageWall;
  }
}
