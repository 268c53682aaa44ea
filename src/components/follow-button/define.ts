import { canDefine } from '../base/server-safe.js';
import { CareFollowButton } from './follow-button.js';

export * from './follow-button.js';

if (canDefine('care-follow-button')) customElements.define('care-follow-button', CareFollowButton);

declare global {
  interface HTMLElementTagNameMap {
    'care-follow-button': CareFollowButton;
  }
}
