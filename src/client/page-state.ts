import type { CareError, FollowRequest, JournalEntry, PageInfo, PageTeaser, Task, Viewer, WallMessage } from '../protocol/index.js';

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
  /**
   * Feature `planner` (SPEC 6.4): the tasks held (the snapshot's, those that arrived live and
   * those `history:load {stream: 'tasks'}` brought), earliest first: by date, start time
   * (any-time tasks first), then creation `seq`.
   */
  tasks: readonly Task[];
  /** Whether the server has tasks besides the ones held (`loadOlder('tasks')`). */
  tasksHasMore: boolean;
  /**
   * Tasks cancelled while the page was open, most recent last (a few only): the task as it was
   * held and the family's note when the event carried one, so a widget can tell a volunteer.
   */
  cancelled: readonly TaskCancellation[];
  followerCount: number;
  error: CareError | null;
  /** The last `seq` applied. */
  seq: number;
}

/** A task cancelled live (`task:removed`), as the page's store remembers it for a while. */
export interface TaskCancellation {
  seq: number;
  taskId: string;
  /** The task as it was held before it was cancelled, if it was. */
  task: Task | null;
  /** The family's note, sent only to the family and the task's volunteers. */
  note?: string;
}
