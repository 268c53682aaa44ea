import type { ConnectionState } from './client/connection.js';
import type { ErrorCode, FollowState, JournalComment, JournalEntry, Task, WallMessage } from './protocol/index.js';

/** Detail of `care-connection-change`: the shared connection's state. */
export interface CareConnectionChangeDetail {
  state: ConnectionState;
}

/**
 * Detail of `care-posted`: fired after the server acknowledged a post, or (`comment`, from
 * `<care-journal-feed>`, feature `journal-social`) a comment on a journal entry, or (from
 * `<care-help-planner>`, feature `planner`) a task the family added (`task`) or the visitor's
 * sign-up or withdrawal (`signup`, `item` the task as it is now).
 */
export type CarePostedDetail =
  | { kind: 'journal'; item: JournalEntry }
  | { kind: 'wall'; item: WallMessage }
  | { kind: 'comment'; item: JournalComment }
  | { kind: 'task'; item: Task }
  | { kind: 'signup'; item: Task };

/** Detail of `care-follow-change`. */
export interface CareFollowChangeDetail {
  state: FollowState;
  followerCount: number;
}

/**
 * Detail of `care-error`: an action was refused (`code` as in the protocol's
 * acknowledgements), the server refused the connection because it speaks another
 * protocol version (`unsupported_protocol`, once per widget), a setting is wrong (`config`,
 * once per widget; the message names the setting: a missing `page`, a `token-url` that
 * fails, a host never reached), or the host page's Content-Security-Policy refused a Trusted
 * Types policy the widgets need (`blocked_by_csp`, once per widget, from the script-tag bundle).
 */
export interface CareErrorDetail {
  code: ErrorCode | 'unsupported_protocol' | 'config' | 'blocked_by_csp';
  message: string;
}

export type CareConnectionChangeEvent = CustomEvent<CareConnectionChangeDetail>;
export type CarePostedEvent = CustomEvent<CarePostedDetail>;
export type CareFollowChangeEvent = CustomEvent<CareFollowChangeDetail>;
export type CareErrorEvent = CustomEvent<CareErrorDetail>;

declare global {
  interface GlobalEventHandlersEventMap {
    'care-connection-change': CareConnectionChangeEvent;
    'care-posted': CarePostedEvent;
    'care-follow-change': CareFollowChangeEvent;
    'care-error': CareErrorEvent;
  }
}
