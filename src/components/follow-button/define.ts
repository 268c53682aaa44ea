import { CareFollowButton } from './follow-button.js';

export * from './follow-button.js';

if (!customElements.get('care-follow-button')) customElements.define('care-follow-button', CareFollowButton);

declare global {
  interface HTMLElementTagNameMap {
    'care-follow-button': CareFollowButton;
  }
}
