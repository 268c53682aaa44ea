import type { Generated } from 'kysely';

/** Table shapes shared by every SQL dialect. Booleans are 0/1 integers everywhere. */
export interface PagesTable {
  id: string;
  /** The page's lifetime: random, never reused, even when the id is (migration 004). */
  uid: string;
  title: string;
  visibility: string;
  wall_moderation: string;
  seq: number;
  follower_count: number;
  created_at: string;
  updated_at: string;
}
export interface MembersTable {
  page_id: string;
  user_id: string;
  role: string;
  /** Display name, when known (joined by invitation; migration 005). */
  name: string | null;
}
export interface FollowsTable {
  page_id: string;
  user_id: string;
  name: string;
  state: string;
  created_at: string;
  updated_at: string;
}
export interface JournalTable {
  id: string;
  page_id: string;
  seq: number;
  client_id: string;
  author_id: string;
  author_name: string;
  title: string;
  body: string;
  created_at: string;
  edited_at: string | null;
  /** SPEC 6.3 (migration 008): how many people hearted the entry. */
  hearts: number;
  /** 0/1: the entry's author closed (0) or opened (1) comments (migration 008). */
  comments_open: number;
}
export interface WallTable {
  id: string;
  page_id: string;
  seq: number;
  client_id: string;
  author_id: string;
  author_name: string;
  body: string;
  created_at: string;
  hidden: number;
  pending: number;
  hearts: number;
}
export interface HeartsTable {
  page_id: string;
  message_id: string;
  user_id: string;
  created_at: string;
}
/** A comment on a journal entry (SPEC 6.3, migration 008): the wall's rules, so the wall's columns. */
export interface JournalCommentsTable {
  id: string;
  page_id: string;
  entry_id: string;
  seq: number;
  client_id: string;
  author_id: string;
  author_name: string;
  body: string;
  created_at: string;
  hidden: number;
  pending: number;
}
/** One person's heart on one journal entry (migration 008). */
export interface JournalHeartsTable {
  page_id: string;
  entry_id: string;
  user_id: string;
  created_at: string;
}
export interface ChangesTable {
  page_id: string;
  seq: number;
  type: string;
  item_id: string | null;
  data: string | null;
  created_at: string;
}
/** A deleted post's idempotency key (no content): see migration 002. */
export interface DeletedPostsTable {
  page_id: string;
  kind: 'journal' | 'wall' | 'comment';
  author_id: string;
  client_id: string;
}
export interface AuditTable {
  id: Generated<number>;
  at: string;
  page_id: string;
  /** The lifetime (`pages.uid`) of the page the row belongs to; `null` for rows older than migration 004 that no current page owns. */
  page_uid: string | null;
  actor_id: string | null;
  actor_role: string;
  action: string;
  target: string | null;
  detail: string | null;
  ip: string | null;
}

/** An invitation link (SPEC 6.1, migration 005). */
export interface InvitesTable {
  code: string;
  /** Names the invitation in the audit log, which never holds the code. */
  id: string;
  page_id: string;
  role: string;
  expires_at: string;
  max_uses: number;
  uses: number;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
}
/** How many times a person asked to follow a page (migration 005). */
export interface FollowAsksTable {
  page_id: string;
  user_id: string;
  asked: number;
}

/**
 * One notification choice of one person for one page (SPEC 6.2, migration 006). `off` until
 * chosen; the row goes when the person stops following or is removed.
 */
export interface NotifyPrefsTable {
  page_id: string;
  user_id: string;
  /** `off` | `instant` | `daily`. */
  email: string;
  /** 0/1: Web Push to every subscription of the user. */
  push: number;
  /** Owners and editors: `off` | `instant` (new follow requests). */
  requests: string;
  /** Owners and editors: `off` | `daily` (a count of new wall messages in the digest). */
  messages: string;
  /** 0/1, SPEC 6.4: planner reminders for the tasks they signed up for (default 1, migration 010). */
  reminders: Generated<number>;
  updated_at: string;
}
/** Where to email a person: their token's `email` claim, kept when they choose email (migration 006). */
export interface NotifyUsersTable {
  user_id: string;
  email: string | null;
  updated_at: string;
}
/** A browser's Web Push subscription (migration 006); removed on 404/410 from its push service. */
export interface PushSubscriptionsTable {
  endpoint: string;
  user_id: string;
  p256dh: string;
  auth: string;
  created_at: string;
}
/**
 * The one durable job queue (migration 006): causes (written in the transaction of the change
 * that causes them) and deliveries (webhook, email, push, reminders). `key` is unique: one job
 * per key, ever (while the row is kept), which makes every delivery idempotent.
 */
export interface JobsTable {
  id: string;
  /** `cause` | `webhook` | `email` | `push` | … */
  kind: string;
  key: string;
  page_id: string | null;
  recipient: string | null;
  payload: string;
  attempts: number;
  /** `queued` | `done` | `failed`. */
  state: string;
  due_at: string;
  claimed_until: string | null;
  created_at: string;
  finished_at: string | null;
}

/** SPEC 6.4: a planner task (migration 010). Times are `HH:MM`, dates `YYYY-MM-DD`, in the hospital's zone. */
export interface TasksTable {
  id: string;
  page_id: string;
  /** The `seq` of the change that created it. */
  seq: number;
  client_id: string;
  /** Its place in the series `task:create` made (0 for the first or only one). */
  occurrence: number;
  series_id: string | null;
  kind: string;
  title: string;
  date: string;
  start_time: string | null;
  end_time: string | null;
  slots: number;
  details: string;
  created_by_id: string;
  created_by_name: string;
  created_at: string;
  updated_at: string;
  /** Set when cancelled: the row stays (catch-up, idempotent retries); the planner skips it. */
  cancelled_at: string | null;
  cancel_note: string | null;
}
/** Who signed up for a task (migration 010), in `created_at` order. */
export interface TaskVolunteersTable {
  task_id: string;
  page_id: string;
  user_id: string;
  user_name: string;
  created_at: string;
}

export interface Database {
  pages: PagesTable;
  page_members: MembersTable;
  follows: FollowsTable;
  journal_entries: JournalTable;
  wall_messages: WallTable;
  hearts: HeartsTable;
  journal_comments: JournalCommentsTable;
  journal_hearts: JournalHeartsTable;
  changes: ChangesTable;
  audit_log: AuditTable;
  deleted_posts: DeletedPostsTable;
  invites: InvitesTable;
  follow_asks: FollowAsksTable;
  notify_prefs: NotifyPrefsTable;
  notify_users: NotifyUsersTable;
  push_subscriptions: PushSubscriptionsTable;
  jobs: JobsTable;
  tasks: TasksTable;
  task_volunteers: TaskVolunteersTable;
}
