import { CareJournalFeed } from './journal-feed.js';

export * from './journal-feed.js';

if (!customElements.get('care-journal-feed')) customElements.define('care-journal-feed', CareJournalFeed);

declare global {
  interface HTMLElementTagNameMap {
    'care-journal-feed': CareJournalFeed;
  }
}
