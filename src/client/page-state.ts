import type { CareError, FollowRequest, JournalEntry, PageInfo, PageTeaser, Viewer, WallMessage } from '../protocol/index.js';

/**
 * - `loading`: waiting for the first answer.
 * - `ready`: readable; content below.
 * - `locked`: the page exists but this viewer may not read it (private, or members-only and signed out).
 * - `not_found` / `error`: what it says; `error` holds the reason.
 */
export type PageStatus = 'loading' | 'ready' | 'locked' | 'not_found' | 'error';

/** What widgets render from. Lists are newest first and already ordered. */
export interface PageState {
  status: PageStatus;
  page: PageInfo | PageTeaser | null;
  viewer: Viewer | null;
  journal: readonly JournalEntry[];
  wall: readonly WallMessage[];
  journalHasMore: boolean;
  wallHasMore: boolean;
  /**
   * Feature `journal-social`: ids of the entries with comments older than the ones loaded
   * (`entry.comments`); `loadComments` fetches them.
   */
  commentsHasMore: ReadonlySet<string>;
  requests: readonly FollowRequest[];
  followerCount: number;
  error: CareError | null;
  /** The last `seq` applied. */
  seq: number;
}
