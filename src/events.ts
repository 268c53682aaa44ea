import type { ConnectionState } from './client/connection.js';
import type { CareError, FollowState, JournalEntry, WallMessage } from './protocol/index.js';

/** Detail of `care-connection-change`: the shared connection's state. */
export interface CareConnectionChangeDetail {
  state: ConnectionState;
}

/** Detail of `care-posted`: fired after the server acknowledged a post. */
export type CarePostedDetail = { kind: 'journal'; item: JournalEntry } | { kind: 'wall'; item: WallMessage };

/** Detail of `care-follow-change`. */
export interface CareFollowChangeDetail {
  state: FollowState;
  followerCount: number;
}

export type CareConnectionChangeEvent = CustomEvent<CareConnectionChangeDetail>;
export type CarePostedEvent = CustomEvent<CarePostedDetail>;
export type CareFollowChangeEvent = CustomEvent<CareFollowChangeDetail>;
export type CareErrorEvent = CustomEvent<CareError>;

declare global {
  interface GlobalEventHandlersEventMap {
    'care-connection-change': CareConnectionChangeEvent;
    'care-posted': CarePostedEvent;
    'care-follow-change': CareFollowChangeEvent;
    'care-error': CareErrorEvent;
  }
}
