import { CareMessageWall } from './message-wall.js';

export * from './message-wall.js';

if (!customElements.get('care-message-wall')) customElements.define('care-message-wall', CareMessageWall);

declare global {
  interface HTMLElementTagNameMap {
    'care-message-wall': CareMessageWall;
  }
}
