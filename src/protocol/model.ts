/** Who may read a page (SPEC section 3). */
export type Visibility = 'public' | 'members' | 'private';

/** A viewer's role on one page. Staff roles come from the token and apply site-wide. */
export type PageRole = 'owner' | 'editor' | 'follower' | 'visitor';
export type StaffRole = 'moderator' | 'admin';

/**
 * A viewer's follow relation to a page. `requested` waits for the owner on a private page;
 * `declined` and `blocked` are the owner's answers.
 */
export type FollowState = 'none' | 'following' | 'requested' | 'declined' | 'blocked';

/** Pre-moderation of the wall: `pre` holds new messages until a moderator approves them. */
export type WallModeration = 'post' | 'pre';

export interface Author {
  id: string;
  name: string;
}

/**
 * The second-wave features a backend may support (SPEC section 6). A backend that speaks only
 * sections 2-5 sends none, and the widgets hide what is missing.
 */
export type Feature = 'settings' | 'invites' | 'notify' | 'journal-social' | 'media' | 'planner';
export const FEATURES: readonly Feature[] = ['settings', 'invites', 'notify', 'journal-social', 'media', 'planner'];

/** What anyone who may read the page learns about it. */
export interface PageInfo {
  id: string;
  title: string;
  visibility: Visibility;
  wallModeration: WallModeration;
  followerCount: number;
  /** The second-wave features this backend supports for the page; absent means none. */
  features?: Feature[];
  /**
   * Feature `planner`: the hospital's IANA time zone (`CARE_TIMEZONE`): task dates and times
   * are wall-clock dates and times there, and "today" is its today.
   */
  timeZone?: string;
}

/**
 * What a viewer who may NOT read the page learns: that it exists, how it is shared and the
 * public follower count. No title, no content.
 */
export interface PageTeaser {
  id: string;
  visibility: Visibility;
  followerCount: number;
  /**
   * As `PageInfo.features`: server-wide, so no secret of the page; a viewer who may not read
   * still needs it (an invitation link to accept, the time they may ask again).
   */
  features?: Feature[];
}

/** What the viewer may do, computed by the server so widgets never re-derive access rules. */
export interface Capabilities {
  read: boolean;
  postJournal: boolean;
  postWall: boolean;
  moderate: boolean;
  follow: boolean;
  decide: boolean;
  /**
   * May change the page's settings, followers, editors and invitations (`<care-page-settings>`):
   * owners and admins. Absent from a backend without the `settings` feature.
   */
  manage?: boolean;
  /**
   * Feature `planner` (SPEC 6.4): may add, change and cancel tasks, and sees every task's
   * `details`: the page's owners and editors (the family). Absent without the feature.
   */
  plan?: boolean;
  /** Feature `planner`: may sign up for tasks (`task:signup`): any signed-in reader. */
  volunteer?: boolean;
}

export interface Viewer {
  /** `null` for an anonymous visitor. */
  userId: string | null;
  name: string | null;
  role: PageRole;
  staff: StaffRole | null;
  follow: FollowState;
  can: Capabilities;
  /**
   * With `follow: 'declined'`: when the viewer may ask again (ISO 8601), after the owner's
   * cool-down; `null` once they may. Absent from backends without the `settings` feature.
   */
  askAgainAt?: string | null;
}

export interface JournalEntry {
  id: string;
  pageId: string;
  /** The page `seq` of the change that created it: the cursor for history paging. */
  seq: number;
  title: string;
  body: string;
  author: Author;
  createdAt: string;
  editedAt: string | null;
  /** Feature `journal-social` (SPEC 6.3): hearts on the entry. Absent from other backends. */
  hearts?: number;
  /** Whether the receiving viewer hearted it; absent in broadcasts (keep the local value). */
  hearted?: boolean;
  /** `false` when the entry's author closed comments (`journal:edit {comments: false}`). */
  commentsOpen?: boolean;
  /** Comments this viewer may see (hidden and pending ones only for those who see them). */
  commentCount?: number;
  /**
   * The last comments (at most `LIMITS.snapshotComments`), oldest first, in snapshots and
   * history; older ones through `history:load {stream: 'comments', entryId}`.
   */
  comments?: JournalComment[];
  /** Feature `media` (SPEC 6.3): the entry's photos, in order, with URLs signed for this viewer. */
  media?: MediaItem[];
}

/** A comment on a journal entry (SPEC 6.3): the wall's rules apply. */
export interface JournalComment {
  id: string;
  pageId: string;
  entryId: string;
  /** The page `seq` of the change that created it. */
  seq: number;
  body: string;
  author: Author;
  createdAt: string;
  /** Hidden by a moderator: only moderators receive hidden comments. */
  hidden: boolean;
  /** Waiting for approval under pre-moderation: only the author and moderators see it. */
  pending: boolean;
}

/**
 * A photo of a journal entry, as a reader receives it (SPEC 6.3): re-encoded by the server
 * without metadata, at two sizes, each behind a short-lived signed URL (≤ 1 h) made for
 * readers of the page. `media:urls` gives fresh URLs after `expiresAt`.
 */
export interface MediaItem {
  id: string;
  /** Required text alternative, 1–300 characters, written by the poster. */
  alt: string;
  /** The display size's pixels. */
  width: number;
  height: number;
  /** Display size (long edge ≤ 1600 px). */
  url: string;
  /** Thumbnail (long edge ≤ 400 px). */
  thumbUrl: string;
  thumbWidth: number;
  thumbHeight: number;
  /** When both URLs stop working (ISO 8601). */
  expiresAt: string;
}

/** A photo attached to a post or an edit: an uploaded media id and its alt text. */
export interface MediaRef {
  id: string;
  alt: string;
}

/** The answer to `POST /api/pages/:id/media` (SPEC 6.3). */
export interface UploadedMedia {
  id: string;
  width: number;
  height: number;
}

export interface WallMessage {
  id: string;
  pageId: string;
  seq: number;
  body: string;
  author: Author;
  createdAt: string;
  /** Hidden by a moderator: only moderators receive hidden messages. */
  hidden: boolean;
  /** Waiting for approval under pre-moderation: only the author and moderators see it. */
  pending: boolean;
  hearts: number;
  /** Whether the receiving viewer hearted it; absent in broadcasts (keep the local value). */
  hearted?: boolean;
}

export interface FollowRequest {
  userId: string;
  name: string;
  at: string;
  /** How many times this person has asked to follow the page (1 the first time). */
  asked?: number;
}

/** A follower as the page's managers see them. */
export interface Follower {
  userId: string;
  name: string;
  /** When they started following (ISO 8601). */
  since: string;
}

/** Someone blocked from the page, as its managers see them. */
export interface BlockedUser {
  userId: string;
  name: string;
  at: string;
}

/** An editor (co-author) of the page. */
export interface Editor {
  userId: string;
  name: string;
}

/** The role an invitation grants. */
export type InviteRole = 'follower' | 'editor';

/**
 * An invitation link's code and its limits (SPEC 6.1). Codes are unguessable (at least 128
 * bits), valid for one page, and only ever sent to the page's managers.
 */
export interface Invite {
  code: string;
  role: InviteRole;
  expiresAt: string;
  maxUses: number;
  uses: number;
}

/**
 * The answer to `page:settings`. Managers (owners, admins) get everything; editors a read-only
 * summary in which `invites` and `blocked` are empty.
 */
export interface PageSettingsView {
  visibility: Visibility;
  wallModeration: WallModeration;
  followers: Follower[];
  requests: FollowRequest[];
  editors: Editor[];
  blocked: BlockedUser[];
  invites: Invite[];
}

/**
 * `comments`: one entry's comments (`history:load` with `entryId`; feature `journal-social`).
 * `tasks`: the planner's tasks (feature `planner`), by the `seq` that created them.
 */
export type Stream = 'journal' | 'wall' | 'comments' | 'tasks';

/** Everything a reader needs to render a page from scratch. */
export interface PageSnapshot {
  journal: JournalEntry[];
  journalHasMore: boolean;
  wall: WallMessage[];
  wallHasMore: boolean;
  /** Pending follow requests; present for viewers who may decide them. */
  requests?: FollowRequest[];
  /**
   * Feature `planner` (SPEC 6.4): the tasks not cancelled dated from `TASK_SNAPSHOT_DAYS_BACK`
   * days before today (the hospital's today) on, earliest date first, at most
   * `LIMITS.snapshotTasks`; `tasksHasMore` when the page has others (older ones, or beyond
   * the cap), which `history:load {stream: 'tasks'}` pages through.
   */
  tasks?: Task[];
  tasksHasMore?: boolean;
}

/* --------------------------------------------------------------------- planner (SPEC 6.4) */

/** What kind of help a task asks for. */
export type TaskKind = 'meal' | 'ride' | 'visit' | 'errand' | 'other';
export const TASK_KINDS: readonly TaskKind[] = ['meal', 'ride', 'visit', 'errand', 'other'];

/**
 * A task of the planner as one viewer receives it. `details` (an address, a door code, an
 * allergy) reach only the family (`can.plan`: owners and editors) and the task's own
 * volunteers; every other reader gets the task without the field, and `hasDetails` tells
 * them there is something they will see once they sign up.
 */
export interface Task {
  id: string;
  pageId: string;
  /** The page `seq` of the change that created it: the cursor of `history:load {stream: 'tasks'}`. */
  seq: number;
  kind: TaskKind;
  /** ≤ 200 characters, plain text. */
  title: string;
  /** The day, `YYYY-MM-DD`, in the hospital's time zone (`PageInfo.timeZone`). */
  date: string;
  /** `HH:MM` (24 h), wall-clock time in the hospital's time zone; absent: any time that day. */
  start?: string;
  /** `HH:MM`, after `start`; only with `start`. */
  end?: string;
  /** How many people the task needs, 1–20. */
  slots: number;
  /** ≤ 2,000 characters, plain text; present ('' when none) only for those who may see it. */
  details?: string;
  /** Whether the task has details (true even for a viewer who does not receive them). */
  hasDetails: boolean;
  /** Who signed up, in the order they did. */
  volunteers: Author[];
  /** The occurrences of one repeating task share it (`task:create` with `repeat`). */
  seriesId?: string;
  createdBy: Author;
  createdAt: string;
  updatedAt: string;
}

/** A task as the family writes it (`task:create`). */
export interface TaskDraft {
  kind: TaskKind;
  title: string;
  date: string;
  start?: string;
  end?: string;
  slots: number;
  details?: string;
}

/**
 * `task:create`'s `repeat`: the task again every day, every weekday (Monday–Friday) or every
 * week on its weekday, from `date` until `until` (inclusive); at most `LIMITS.taskOccurrencesMax`
 * occurrences, `until` at most `LIMITS.taskRepeatDaysMax` days after `date`.
 */
export interface TaskRepeat {
  every: 'day' | 'weekday' | 'week';
  until: string;
}
