import { canDefine } from '../base/server-safe.js';
import { CareJournalFeed } from './journal-feed.js';

export * from './journal-feed.js';

if (canDefine('care-journal-feed')) customElements.define('care-journal-feed', CareJournalFeed);

declare global {
  interface HTMLElementTagNameMap {
    'care-journal-feed': CareJournalFeed;
  }
}
