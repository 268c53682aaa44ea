import type {
  Author,
  EmailMode,
  OwnerNotify,
  PushSubscriptionData,
  BlockedUser,
  Editor,
  Follower,
  FollowRequest,
  Invite,
  InviteRole,
  FollowState,
  JournalComment,
  JournalEntry,
  PageInfo,
  PageSettings,
  Task,
  TaskDraft,
  TaskUpdatePayload,
  Visibility,
  WallMessage,
  WallModeration,
} from '../../../src/protocol/index.js';
import type { JobsStorage } from './jobs-storage.js';
import type { MediaStore } from '../media/store.js';

export type MemberRole = 'owner' | 'editor';

export interface NewPage {
  id: string;
  title: string;
  visibility: Visibility;
  wallModeration: WallModeration;
  owners: string[];
  editors: string[];
}

export interface PageRecord extends PageInfo {
  /**
   * This page's lifetime: random, never reused when a deleted page's id is used again. Its
   * audit trail is this lifetime's. Internal: never sent to sockets or REST callers.
   */
  uid: string;
  /** The page's latest change `seq`. */
  seq: number;
  createdAt: string;
  updatedAt: string;
}

/** A stored change: which item it touched; replay renders it from the item's current state. */
export type ChangeType =
  | 'journal'
  | 'journal-removed'
  | 'wall'
  | 'wall-removed'
  | 'hearts'
  | 'follow-count'
  | 'page'
  // SPEC 6.3: an entry's hearts (item: the entry; data: who, on), a comment added or changed
  // (item: the comment; data: its entry), a comment deleted (likewise).
  | 'journal-hearts'
  | 'comment'
  | 'comment-removed'
  // SPEC 6.4: a task created or changed (item: the task; sign-ups included), a task cancelled.
  | 'task'
  | 'task-removed';

export interface ChangeRecord {
  seq: number;
  type: ChangeType;
  itemId: string | null;
  data: Record<string, unknown> | null;
}

export interface Sequenced<T> {
  value: T;
  seq: number;
}

/** What a viewer may see of the wall: moderators everything, others no hidden or pending message but their own. */
export interface WallView {
  moderator: boolean;
  userId: string | null;
}

export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

export interface AuditRecord {
  at: string;
  pageId: string;
  actorId: string | null;
  /** `owner`, `editor`, `follower`, `visitor`, `moderator`, `admin` or `anonymous`. */
  actorRole: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown> | null;
  ip: string | null;
}

/** An audit row as stored: its position (the paging cursor) and the page lifetime it belongs to. */
export interface StoredAudit extends AuditRecord {
  id: number;
  /** `pages.uid` of the page at the time; `null` for rows from before lifetimes were kept. */
  lifetime: string | null;
}

export interface AuditQuery {
  /** One page lifetime's trail. */
  lifetime?: string;
  /** Every lifetime of one page id (an admin reading a deleted page's trail). Without either: every page's. */
  pageId?: string;
  /** Rows after this cursor (a `StoredAudit.id`); from the start without it. */
  after?: number;
  limit: number;
}

export interface FollowRecord {
  userId: string;
  name: string;
  state: Exclude<FollowState, 'none'>;
  createdAt: string;
  updatedAt: string;
}

export interface PageExport {
  page: PageRecord;
  members: { userId: string; role: MemberRole }[];
  follows: FollowRecord[];
  journal: JournalEntry[];
  wall: WallMessage[];
  hearts: { messageId: string; userId: string; at: string }[];
  /** SPEC 6.3: every comment on the page's entries, hidden and pending ones included. */
  comments: JournalComment[];
  journalHearts: { entryId: string; userId: string; at: string }[];
  /** SPEC 6.4: every task of the page, cancelled ones, details and volunteers included. */
  tasks: TaskRecord[];
}

/**
 * Everything the server keeps, behind one interface with one implementation per database.
 * Every method that changes what readers see bumps the page's `seq` inside the same
 * transaction and records the change, so catch-up and live fan-out can never disagree.
 */
/**
 * SPEC 6.4: a planner task as stored, `details` and all; pages/planner.ts shapes it for each
 * viewer (`details` only to the family and its volunteers) before it leaves the server.
 */
export interface TaskRecord extends Omit<Task, 'details' | 'hasDetails'> {
  details: string;
  /** Set once cancelled; cancelled tasks are read only by id (catch-up, retries). */
  cancelledAt: string | null;
  cancelNote: string | null;
}

/** What `task:update` changes, after validation (`null` clears `start` / `end`). */
export type TaskPatch = Omit<TaskUpdatePayload, 'pageId' | 'taskId'>;

/**
 * SPEC 6.4's storage (storage/planner.ts). Every change bumps the page's `seq` and records a
 * `task` / `task-removed` change in its transaction, with the caller's pending audit row,
 * as every other change does.
 */
export interface PlannerStorage {
  /**
   * One task per date (a repeat's occurrences share `seriesId`), each under its own `seq`, in
   * one transaction. Idempotent on (page, author, `clientId`): a retry answers the tasks
   * first created (`created: false`), whatever happened to them since.
   */
  createTasks(pageId: string, author: Author, clientId: string, draft: TaskDraft, dates: string[], seriesId: string | null): Promise<{ tasks: TaskRecord[]; created: boolean }>;
  /** The tasks one `task:create` made (its author's `clientId`), in date order; none when it made none. */
  tasksOfCreate(pageId: string, authorId: string, clientId: string): Promise<TaskRecord[]>;
  /** Any task of the page by id, cancelled ones too. */
  getTask(pageId: string, taskId: string): Promise<TaskRecord | null>;
  /** `null`: no such task, or cancelled. Throws `conflict` when `slots` would fall below the volunteers. */
  updateTask(pageId: string, taskId: string, patch: TaskPatch): Promise<Sequenced<TaskRecord> | null>;
  /** `null`: no such task, or cancelled already. */
  cancelTask(pageId: string, taskId: string, note: string | null): Promise<Sequenced<TaskRecord> | null>;
  /**
   * Signs `user` up (`on`) or off, race-safe: the count and the insert in one transaction
   * holding the task's row, so of two people taking the last spot one gets it and the other
   * gets `conflict`. `seq: null` when nothing changed (already in, or not in). `null`: no
   * such task, or cancelled.
   */
  signupTask(pageId: string, taskId: string, user: Author, on: boolean): Promise<{ task: TaskRecord; seq: number | null } | null>;
  /** The snapshot's tasks: not cancelled, dated `fromDate` or later, by date then start; `hasMore` when the page has any other task. */
  tasksFrom(pageId: string, fromDate: string, limit: number): Promise<Page<TaskRecord>>;
  /** `history:load {stream: 'tasks'}`: tasks not cancelled created before `before` (`seq`), newest first. */
  taskPage(pageId: string, before: number | null, limit: number): Promise<Page<TaskRecord>>;
  /** Catch-up's reads, cancelled ones included. */
  tasksByIds(pageId: string, ids: string[]): Promise<Map<string, TaskRecord>>;
}

export interface Storage extends SettingsStorage, JobsStorage, NotifyStorage, JournalSocialStorage {
  readonly dialect: 'sqlite' | 'postgres';
  /** SPEC 6.3: journal photos' rows (media/store.ts). */
  readonly media: MediaStore;
  /** SPEC 6.4: the planner's tasks and sign-ups (storage/planner.ts). */
  readonly planner: PlannerStorage;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;

  createPage(page: NewPage): Promise<PageRecord>;
  getPage(id: string): Promise<PageRecord | null>;
  updatePage(id: string, settings: PageSettings): Promise<Sequenced<PageRecord> | null>;
  deletePage(id: string): Promise<boolean>;
  setMembers(id: string, members: { owners?: string[]; editors?: string[] }): Promise<void>;
  members(id: string): Promise<{ userId: string; role: MemberRole }[]>;
  memberRole(pageId: string, userId: string): Promise<MemberRole | null>;

  /**
   * A page with one user's relation to it (member role, follow state), in one read: every
   * socket call starts with this access check. `null` when the page does not exist.
   */
  pageAccess(pageId: string, userId: string | null): Promise<{ page: PageRecord; member: MemberRole | null; follow: FollowRecord['state'] | null } | null>;
  getFollow(pageId: string, userId: string): Promise<FollowRecord | null>;
  /** Sets (or with `none` removes) a follow; `seq` is set when the follower count changed. */
  setFollow(pageId: string, user: Author, state: FollowState): Promise<{ followerCount: number; seq: number | null }>;
  requests(pageId: string): Promise<FollowRequest[]>;

  /**
   * Idempotent by `(author, clientId)`: a retry returns the original with `created: false`;
   * a retry of a post that has since been deleted fails with `conflict` (wall posts likewise).
   */
  postJournal(pageId: string, author: Author, clientId: string, title: string, body: string): Promise<{ entry: JournalEntry; seq: number; created: boolean }>;
  getJournal(pageId: string, entryId: string): Promise<JournalEntry | null>;
  /** `comments` (SPEC 6.3): opens or closes comments; an edit that changes only that keeps `editedAt`. */
  editJournal(pageId: string, entryId: string, title: string, body: string, comments?: boolean): Promise<Sequenced<JournalEntry> | null>;
  deleteJournal(pageId: string, entryId: string): Promise<number | null>;
  journalPage(pageId: string, before: number | null, limit: number): Promise<Page<JournalEntry>>;
  journalByIds(pageId: string, ids: string[]): Promise<Map<string, JournalEntry>>;

  postWall(pageId: string, author: Author, clientId: string, body: string, pending: boolean): Promise<{ message: WallMessage; seq: number; created: boolean }>;
  getWall(pageId: string, messageId: string): Promise<WallMessage | null>;
  setWallFlags(pageId: string, messageId: string, flags: { hidden?: boolean; pending?: boolean }): Promise<Sequenced<WallMessage> | null>;
  deleteWall(pageId: string, messageId: string): Promise<number | null>;
  /** Sets the viewer's heart; `seq` is `null` when nothing changed. */
  setHeart(pageId: string, messageId: string, userId: string, on: boolean): Promise<{ hearts: number; seq: number | null } | null>;
  heartedBy(pageId: string, userId: string, messageIds: string[]): Promise<Set<string>>;
  wallPage(pageId: string, before: number | null, limit: number, view: WallView): Promise<Page<WallMessage>>;
  wallByIds(pageId: string, ids: string[]): Promise<Map<string, WallMessage>>;

  /** The changes after `since`, or `null` when some of them are no longer kept. */
  changesSince(pageId: string, since: number): Promise<ChangeRecord[] | null>;

  /**
   * Appends an entry for the page's current lifetime. A change's own entry is not written
   * here but inside the change's transaction (pending-audit.ts): creating, updating, deleting
   * a page, its members and follows included.
   */
  appendAudit(entry: AuditRecord): Promise<void>;
  /** Audit rows oldest first, `limit` at most; `next` is the cursor of the following page, `null` at the end. */
  audit(q: AuditQuery): Promise<{ entries: StoredAudit[]; next: number | null }>;
  exportPage(pageId: string): Promise<PageExport | null>;
}

/** An invitation as stored (SPEC 6.1): `id` names it in the audit log; the code never goes there. */
export interface InviteRecord extends Invite {
  id: string;
  pageId: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

/** What `page:settings` shows, before the caller's role trims it. */
export interface SettingsRecord {
  followers: Follower[];
  requests: FollowRequest[];
  editors: Editor[];
  blocked: BlockedUser[];
  /** Invitations neither revoked nor expired (used-up ones included, so the owner sees them used). */
  invites: Invite[];
}

/** Why an invitation was not accepted. */
export type InviteRefusal = 'not_found' | 'revoked' | 'expired' | 'used_up' | 'blocked' | 'owner';

export type AcceptOutcome =
  | {
      ok: true;
      role: InviteRole;
      inviteId: string;
      /** `false`: the user already had the role, and no use was counted. */
      changed: boolean;
      /** The user's follow state before (`none` without a row). */
      followBefore: FollowState;
      followerCount: number;
      /** Set when the follower count changed. */
      seq: number | null;
    }
  | { ok: false; reason: InviteRefusal; expiresAt?: string };

/**
 * SPEC 6.1's storage: the settings panel and invitations. Part of `Storage`; kept apart so
 * the first-wave interface above reads as before.
 */
export interface SettingsStorage {
  settings(pageId: string): Promise<SettingsRecord>;
  /** Stores a new invitation; its audit row is written in the same transaction. */
  createInvite(invite: InviteRecord): Promise<void>;
  /**
   * Revokes a page's invitation; `null` when the page has no such code, `false` when it was
   * revoked already (nothing changes then), else the invitation's id.
   */
  revokeInvite(pageId: string, code: string, at: string): Promise<{ id: string; revoked: boolean } | null>;
  /**
   * Lets `user` in by the invitation, counting the use, in one transaction: of concurrent
   * accepts of a code with one use left, exactly one succeeds (on every node). A user who
   * already has the role uses nothing.
   */
  acceptInvite(pageId: string, code: string, user: Author, at: string): Promise<AcceptOutcome>;
  /** Takes the editor role away (never an owner's); `false` when the user is no editor of the page. */
  removeEditor(pageId: string, userId: string): Promise<boolean>;
}

/**
 * SPEC 6.2's storage (notify-prefs.ts): per (user, page) notification choices, where to email
 * a person, and their browsers' Web Push subscriptions. Part of `Storage`. A person's choices
 * for a page are deleted in the transaction that ends their right to hear about it (they stop
 * following, are removed or blocked, or stop being a member): coming back starts from `off`.
 */
export interface NotifyStorage {
  /** The stored choices, or `null` (everything `off`). */
  notifyPrefs(pageId: string, userId: string): Promise<{ email: EmailMode; push: boolean; owner: OwnerNotify; reminders: boolean } | null>;
  /** Changes the given fields (a new row starts all `off`, reminders on); audited with the caller's pending audit row (`notify.set`). */
  setNotifyPrefs(pageId: string, userId: string, change: { email?: EmailMode; push?: boolean; owner?: Partial<OwnerNotify>; reminders?: boolean }, at: string): Promise<void>;
  /** SPEC 6.4, the reminder's one-click unsubscribe: the page's planner reminders off; audited `notify.unsubscribe`. Whether it changed. */
  unsubscribeReminders(userId: string, pageId: string, at: string): Promise<boolean>;
  /** SPEC 6.4: whether the person is signed up for a task of the page that is not cancelled (they may choose its reminders). */
  volunteersOn(pageId: string, userId: string): Promise<boolean>;
  /** Where email to the person goes (their token's `email` claim); `null` forgets it. */
  setNotifyAddress(userId: string, email: string | null, at: string): Promise<void>;
  /** One-click unsubscribe: email 'off' (and owner requests/messages 'off') for that page, or every page when `pageId` is null; audited `notify.unsubscribe`. Returns rows changed. */
  unsubscribeEmail(userId: string, pageId: string | null, at: string): Promise<number>;
  /** Registers a browser for the user (an endpoint registered by someone else moves to them); at most 10 per user, the oldest dropped. */
  addPushSubscription(userId: string, s: PushSubscriptionData, at: string): Promise<void>;
  /** Removes a subscription (only `userId`'s when given); whether one was removed. */
  removePushSubscription(endpoint: string, userId?: string): Promise<boolean>;
  pushSubscription(endpoint: string): Promise<{ userId: string; endpoint: string; keys: { p256dh: string; auth: string } } | null>;
}

/** An entry's comments as one viewer sees them: how many, and the last few (oldest first). */
export interface CommentSummary {
  count: number;
  last: JournalComment[];
}

/**
 * An entry's comment counts for every kind of viewer at once (for a live fan-out): moderators
 * see `all`; everyone else `visible` plus their own held (hidden or pending) comments.
 */
export interface CommentCounts {
  all: number;
  visible: number;
  /** Held comments per author (authors with none are absent). */
  held: Map<string, number>;
}

/**
 * SPEC 6.3's storage: hearts and comments on journal entries (journal-social.ts). Part of
 * `Storage`. Every change bumps the page's `seq` and records the change, like the wall's.
 */
export interface JournalSocialStorage {
  /** Sets the viewer's heart on an entry; `seq` is `null` when nothing changed; `null` for no such entry. */
  setJournalHeart(pageId: string, entryId: string, userId: string, on: boolean): Promise<{ hearts: number; seq: number | null } | null>;
  journalHeartedBy(pageId: string, userId: string, entryIds: string[]): Promise<Set<string>>;
  /**
   * Idempotent by `(author, clientId)` like posts: a retry returns the original (`created:
   * false`), a retry of a deleted comment fails with `conflict`. `not_found` without the entry;
   * `forbidden` when its comments are closed.
   */
  postComment(pageId: string, entryId: string, author: Author, clientId: string, body: string, pending: boolean): Promise<{ comment: JournalComment; seq: number; created: boolean }>;
  getComment(pageId: string, commentId: string): Promise<JournalComment | null>;
  setCommentFlags(pageId: string, commentId: string, flags: { hidden?: boolean; pending?: boolean }): Promise<Sequenced<JournalComment> | null>;
  deleteComment(pageId: string, commentId: string): Promise<{ seq: number; entryId: string } | null>;
  /** One entry's comments visible in `view`, created before `before`: the `limit` newest of them, oldest first. */
  commentPage(pageId: string, entryId: string, before: number | null, limit: number, view: WallView): Promise<Page<JournalComment>>;
  commentsByIds(pageId: string, ids: string[]): Promise<Map<string, JournalComment>>;
  /** Per entry (every one asked for, none missing): the comments visible in `view`, counted, and the `last` newest of them. */
  commentSummaries(pageId: string, entryIds: string[], view: WallView, last: number): Promise<Map<string, CommentSummary>>;
  /** Who has held comments on these entries: a viewer who has none sees what every other non-moderator sees. */
  heldCommentAuthors(pageId: string, entryIds: string[]): Promise<Set<string>>;
  commentCounts(pageId: string, entryId: string): Promise<CommentCounts>;
}
