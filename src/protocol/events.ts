import type { Result } from './errors.js';
import type {
  FollowRequest,
  FollowState,
  Invite,
  InviteRole,
  JournalComment,
  JournalEntry,
  MediaItem,
  MediaRef,
  PageInfo,
  PageSettingsView,
  PageSnapshot,
  PageTeaser,
  Stream,
  Task,
  TaskDraft,
  TaskKind,
  TaskRepeat,
  Viewer,
  Visibility,
  WallMessage,
  WallModeration,
} from './model.js';

/* ------------------------------------------------------------------ client → server payloads */

export interface SubscribePayload {
  pageId: string;
  /** The last `seq` this client applied; omit for a fresh snapshot. */
  since?: number;
}
export interface PageRef {
  pageId: string;
}
export interface JournalPostPayload {
  pageId: string;
  clientId: string;
  title: string;
  body: string;
  /** Feature `media`: uploaded photos (`POST /api/pages/:id/media`), at most 6, each with alt text. */
  media?: MediaRef[];
}
export interface JournalEditPayload {
  pageId: string;
  entryId: string;
  title: string;
  body: string;
  /** Feature `media`: the entry's photos after the edit (replaces the list; omitted: unchanged). */
  media?: MediaRef[];
  /** Feature `journal-social`: the entry's author opens (`true`) or closes (`false`) comments. */
  comments?: boolean;
}
/** `journal:heart` (SPEC 6.3). */
export interface JournalHeartPayload {
  pageId: string;
  entryId: string;
  on: boolean;
}
/** `journal:comment` (SPEC 6.3): idempotent by `clientId`, like posts. */
export interface JournalCommentPayload {
  pageId: string;
  entryId: string;
  clientId: string;
  /** ≤ 2,000 characters, light Markdown like the wall. */
  body: string;
}
/** `journal:comment-delete` (its author or a moderator) and `journal:comment-approve` (a moderator). */
export interface JournalCommentRef {
  pageId: string;
  commentId: string;
}
/** `journal:comment-hide` (a moderator), like `wall:hide`. */
export interface JournalCommentHidePayload {
  pageId: string;
  commentId: string;
  hidden: boolean;
}
/** `media:urls`: fresh signed URLs for an entry's photos after theirs expired. */
export interface MediaUrlsPayload {
  pageId: string;
  entryId: string;
}
export interface JournalDeletePayload {
  pageId: string;
  entryId: string;
}
export interface WallPostPayload {
  pageId: string;
  clientId: string;
  body: string;
}
export interface WallHeartPayload {
  pageId: string;
  messageId: string;
  on: boolean;
}
export interface WallHidePayload {
  pageId: string;
  messageId: string;
  hidden: boolean;
}
export interface WallDeletePayload {
  pageId: string;
  messageId: string;
}
/** Approves a message held by pre-moderation (`pending: true`); moderators only. */
export interface WallApprovePayload {
  pageId: string;
  messageId: string;
}
export interface FollowSetPayload {
  pageId: string;
  follow: boolean;
}
export interface FollowDecidePayload {
  pageId: string;
  userId: string;
  approve: boolean;
}
export interface FollowRemovePayload {
  pageId: string;
  userId: string;
  block?: boolean;
}
/** `page:configure` (SPEC 6.1): what the owner changes; at least one field. */
export interface PageConfigurePayload {
  pageId: string;
  visibility?: Visibility;
  wallModeration?: WallModeration;
}
/** `member:remove` (an editor) and `follow:unblock`. */
export interface PageUserPayload {
  pageId: string;
  userId: string;
}
export interface InviteCreatePayload {
  pageId: string;
  role: InviteRole;
  /** 1-720. */
  expiresInHours: number;
  /** 1-100. */
  maxUses: number;
}
export interface InviteCodePayload {
  pageId: string;
  code: string;
}
/** How a follower hears about new journal entries by email (SPEC 6.2): `off` until chosen. */
export type EmailMode = 'off' | 'instant' | 'daily';
/** What an owner (or editor) hears about their own page by email; both `off` until chosen. */
export interface OwnerNotify {
  /** A new follow request: `instant` emails each one. */
  requests: 'off' | 'instant';
  /** New message wall messages: `daily` emails a count in the digest. */
  messages: 'off' | 'daily';
}
/** The answer to `notify:get` and `notify:set`: the viewer's choices for one page. */
export interface NotifyPrefs {
  email: EmailMode;
  /** Web Push for this page, to every browser the viewer subscribed with `push:subscribe`. */
  push: boolean;
  /**
   * Which channels this backend can deliver to this viewer: `email` needs the backend's SMTP
   * settings and an `email` claim in the viewer's token; `push` the backend's VAPID keys.
   */
  available: { email: boolean; push: boolean };
  /** The backend's VAPID public key (base64url) for `PushManager.subscribe`, when `available.push`. */
  vapidPublicKey?: string;
  /** Present for the page's owners and editors only. */
  owner?: OwnerNotify;
  /**
   * Feature `planner` (SPEC 6.4): a reminder the day before each task the viewer signed up
   * for, by the channels available to them (email to the token's `email` claim, push to the
   * browsers they registered). Signing up is the choice; `true` until they turn it off.
   */
  reminders?: boolean;
}
/** `notify:set` (SPEC 6.2): what changes; at least one field. `owner` only for owners and editors. */
export interface NotifySetPayload {
  pageId: string;
  email?: EmailMode;
  push?: boolean;
  owner?: Partial<OwnerNotify>;
  /** Feature `planner`: planner reminders for this page on or off. */
  reminders?: boolean;
}
/** A browser's push subscription, as `PushSubscription.toJSON()` gives it. */
export interface PushSubscriptionData {
  endpoint: string;
  expirationTime?: number | null;
  keys: { p256dh: string; auth: string };
}
export interface PushSubscribePayload {
  subscription: PushSubscriptionData;
}
export interface PushUnsubscribePayload {
  endpoint: string;
}
/**
 * `task:create` (SPEC 6.4, the family): idempotent by `clientId` like posts: a retry answers
 * the task(s) it created. With `repeat`, one task per occurrence, sharing a `seriesId`.
 */
export interface TaskCreatePayload {
  pageId: string;
  clientId: string;
  task: TaskDraft;
  repeat?: TaskRepeat;
}
/**
 * `task:update` (the family): the fields that change, at least one. `start: null` makes it
 * an any-time task (and drops `end`); `end: null` drops the end. `slots` may not go below
 * the number of people signed up (`conflict`).
 */
export interface TaskUpdatePayload {
  pageId: string;
  taskId: string;
  kind?: TaskKind;
  title?: string;
  date?: string;
  start?: string | null;
  end?: string | null;
  slots?: number;
  details?: string;
}
/** `task:cancel` (the family): the task leaves the planner; `note` (≤ 500) reaches its volunteers and the family. */
export interface TaskCancelPayload {
  pageId: string;
  taskId: string;
  note?: string;
}
/**
 * `task:signup`: `on: true` "I'll do it", `on: false` "I can't any more". Idempotent (signing
 * up twice is once). The last spot taken by someone else first: `conflict`.
 */
export interface TaskSignupPayload {
  pageId: string;
  taskId: string;
  on: boolean;
}
export interface HistoryLoadPayload {
  pageId: string;
  stream: Stream;
  /** With `stream: 'comments'`: whose comments. */
  entryId?: string;
  /** Load items created before this `seq` (the oldest `seq` the client holds). */
  before: number;
  limit: number;
}
export interface SessionRefreshPayload {
  token: string;
}

/* ---------------------------------------------------------------- acknowledgement contents */

/**
 * The answer to `page:subscribe`.
 * - `access: 'none'`: the viewer may not read; only the teaser (no title, no content).
 * - without `since`, or with `reset: true`: a full `snapshot`.
 * - with a retained `since`: `events`, what changed after it: one event per changed item, in
 *   its current state, at the `seq` of its last change, in increasing `seq` order. The seqs
 *   need not be contiguous; after applying them the client is at `seq`. A catch-up that would
 *   cost more than a snapshot is answered with `reset: true` and a `snapshot` instead.
 */
export type SubscribeAnswer =
  | { access: 'none'; page: PageTeaser; viewer: Viewer }
  | {
      access: 'read';
      page: PageInfo;
      viewer: Viewer;
      /** The page's latest `seq`; the client continues from here. */
      seq: number;
      reset?: boolean;
      snapshot?: PageSnapshot;
      events?: PageEvent[];
    };

export type HistoryAnswer =
  | { stream: 'journal'; items: JournalEntry[]; hasMore: boolean }
  | { stream: 'wall'; items: WallMessage[]; hasMore: boolean }
  | { stream: 'comments'; entryId: string; items: JournalComment[]; hasMore: boolean }
  | { stream: 'tasks'; items: Task[]; hasMore: boolean };

type Ack<T extends object = object> = (result: Result<T>) => void;

export interface ClientToServerEvents {
  'page:subscribe': (p: SubscribePayload, ack: Ack<SubscribeAnswer>) => void;
  'page:unsubscribe': (p: PageRef, ack: Ack) => void;
  'journal:post': (p: JournalPostPayload, ack: Ack<{ entry: JournalEntry }>) => void;
  'journal:edit': (p: JournalEditPayload, ack: Ack<{ entry: JournalEntry }>) => void;
  'journal:delete': (p: JournalDeletePayload, ack: Ack) => void;
  'wall:post': (p: WallPostPayload, ack: Ack<{ message: WallMessage }>) => void;
  'wall:heart': (p: WallHeartPayload, ack: Ack<{ hearts: number; on: boolean }>) => void;
  'wall:hide': (p: WallHidePayload, ack: Ack<{ message: WallMessage }>) => void;
  'wall:delete': (p: WallDeletePayload, ack: Ack) => void;
  'wall:approve': (p: WallApprovePayload, ack: Ack<{ message: WallMessage }>) => void;
  'follow:set': (p: FollowSetPayload, ack: Ack<{ state: FollowState; followerCount: number }>) => void;
  'follow:decide': (p: FollowDecidePayload, ack: Ack<{ state: FollowState }>) => void;
  'follow:remove': (p: FollowRemovePayload, ack: Ack) => void;
  'history:load': (p: HistoryLoadPayload, ack: Ack<HistoryAnswer>) => void;
  'session:refresh': (p: SessionRefreshPayload, ack: Ack<{ exp: number | null }>) => void;
  // Second wave, feature `settings` (SPEC 6.1).
  'page:settings': (p: PageRef, ack: Ack<{ settings: PageSettingsView }>) => void;
  'page:configure': (p: PageConfigurePayload, ack: Ack<{ page: PageInfo }>) => void;
  'member:remove': (p: PageUserPayload, ack: Ack) => void;
  'follow:unblock': (p: PageUserPayload, ack: Ack) => void;
  // Feature `invites` (SPEC 6.1).
  'invite:create': (p: InviteCreatePayload, ack: Ack<{ invite: Invite }>) => void;
  'invite:revoke': (p: InviteCodePayload, ack: Ack) => void;
  'invite:accept': (p: InviteCodePayload, ack: Ack<{ role: InviteRole }>) => void;
  // Feature `notify` (SPEC 6.2).
  'notify:get': (p: PageRef, ack: Ack<NotifyPrefs>) => void;
  'notify:set': (p: NotifySetPayload, ack: Ack<NotifyPrefs>) => void;
  'push:subscribe': (p: PushSubscribePayload, ack: Ack) => void;
  'push:unsubscribe': (p: PushUnsubscribePayload, ack: Ack) => void;
  // Feature `journal-social` (SPEC 6.3).
  'journal:heart': (p: JournalHeartPayload, ack: Ack<{ hearts: number; on: boolean }>) => void;
  'journal:comment': (p: JournalCommentPayload, ack: Ack<{ comment: JournalComment }>) => void;
  'journal:comment-delete': (p: JournalCommentRef, ack: Ack) => void;
  'journal:comment-hide': (p: JournalCommentHidePayload, ack: Ack<{ comment: JournalComment }>) => void;
  'journal:comment-approve': (p: JournalCommentRef, ack: Ack<{ comment: JournalComment }>) => void;
  // Feature `media` (SPEC 6.3).
  'media:urls': (p: MediaUrlsPayload, ack: Ack<{ media: MediaItem[] }>) => void;
  // Feature `planner` (SPEC 6.4). `task:create` answers the first task and, with `repeat`, all of them.
  'task:create': (p: TaskCreatePayload, ack: Ack<{ task: Task; tasks: Task[] }>) => void;
  'task:update': (p: TaskUpdatePayload, ack: Ack<{ task: Task }>) => void;
  'task:cancel': (p: TaskCancelPayload, ack: Ack) => void;
  'task:signup': (p: TaskSignupPayload, ack: Ack<{ task: Task }>) => void;
}

export type ClientEventName = keyof ClientToServerEvents;
export const CLIENT_EVENTS: readonly ClientEventName[] = [
  'page:subscribe',
  'page:unsubscribe',
  'journal:post',
  'journal:edit',
  'journal:delete',
  'wall:post',
  'wall:heart',
  'wall:hide',
  'wall:delete',
  'wall:approve',
  'follow:set',
  'follow:decide',
  'follow:remove',
  'history:load',
  'session:refresh',
  'page:settings',
  'page:configure',
  'member:remove',
  'follow:unblock',
  'invite:create',
  'invite:revoke',
  'invite:accept',
  'notify:get',
  'notify:set',
  'push:subscribe',
  'push:unsubscribe',
  'journal:heart',
  'journal:comment',
  'journal:comment-delete',
  'journal:comment-hide',
  'journal:comment-approve',
  'media:urls',
  'task:create',
  'task:update',
  'task:cancel',
  'task:signup',
];

/* ----------------------------------------------------------------------- server → client */

/** Fields every page event carries. `seq` orders the page's changes for one reader. */
interface Sequenced {
  pageId: string;
  seq: number;
}
export interface JournalEntryEvent extends Sequenced {
  entry: JournalEntry;
}
export interface JournalRemovedEvent extends Sequenced {
  entryId: string;
}
export interface WallMessageEvent extends Sequenced {
  message: WallMessage;
}
export interface WallRemovedEvent extends Sequenced {
  messageId: string;
}
export interface WallHeartsEvent extends Sequenced {
  messageId: string;
  hearts: number;
  /** Who toggled, so the viewer's own other tabs update their heart state. */
  userId: string;
  on: boolean;
}
/** SPEC 6.3: an entry's heart count changed. */
export interface JournalHeartsEvent extends Sequenced {
  entryId: string;
  hearts: number;
  /** Who toggled, so the viewer's own other tabs update their heart state. */
  userId: string;
  on: boolean;
}
/** SPEC 6.3: a comment was added or changed (hidden, approved); sent only to viewers who may see it. */
export interface JournalCommentEvent extends Sequenced {
  entryId: string;
  comment: JournalComment;
  /**
   * The entry's comment count as this receiver sees it after the change (moderators count
   * hidden and pending comments, an author their own): set it, never count events yourself.
   */
  commentCount?: number;
}
/** SPEC 6.3: a comment was deleted, or is no longer visible to this viewer. */
export interface JournalCommentRemovedEvent extends Sequenced {
  entryId: string;
  commentId: string;
  /** As in `JournalCommentEvent`: the entry's count for this receiver after the change. */
  commentCount?: number;
}
/**
 * SPEC 6.4: a task was created or changed (edited, someone signed up or withdrew), in its
 * whole current state as this receiver may see it: replace the task you hold (a receiver who
 * no longer sees its `details` gets it without them).
 */
export interface TaskChangedEvent extends Sequenced {
  task: Task;
}
/**
 * SPEC 6.4: a task was cancelled. `note`, the family's word on why, only to the family and
 * the task's volunteers.
 */
export interface TaskRemovedEvent extends Sequenced {
  taskId: string;
  note?: string;
}
/**
 * The follower count. Readers receive it in `seq` order; a viewer who may not read a
 * private page receives it without `seq` (the count is public, the page's activity is not).
 */
export interface FollowCountEvent {
  pageId: string;
  seq?: number;
  followerCount: number;
}
/** A follow request, or a change to one; sent only to viewers who may decide it. */
export interface FollowRequestEvent {
  pageId: string;
  request: FollowRequest;
  state: 'requested' | 'withdrawn' | 'approved' | 'declined';
}
/**
 * The page's settings changed (`page` present, in `seq` order), or the receiving viewer's
 * access to it did (`resubscribe: true`, no `seq`): the client subscribes afresh.
 */
export interface PageUpdatedEvent {
  pageId: string;
  seq?: number;
  page?: PageInfo;
  resubscribe?: boolean;
}
/**
 * Something only the page's managers and editors see in `page:settings` changed (a follower,
 * an editor, a block, an invitation): widgets showing the settings ask for them again. Carries
 * nothing else, and goes only to viewers who may read the settings.
 */
export interface SettingsChangedEvent {
  pageId: string;
}
/** The socket's token expired: private data stops until `session:refresh`. */
export interface SessionExpiredEvent {
  code: 'unauthorized';
  message: string;
}

export interface ServerToClientEvents {
  'journal:entry': (e: JournalEntryEvent) => void;
  'journal:removed': (e: JournalRemovedEvent) => void;
  'wall:message': (e: WallMessageEvent) => void;
  'wall:removed': (e: WallRemovedEvent) => void;
  'wall:hearts': (e: WallHeartsEvent) => void;
  'journal:hearts': (e: JournalHeartsEvent) => void;
  'journal:comment': (e: JournalCommentEvent) => void;
  'journal:comment-removed': (e: JournalCommentRemovedEvent) => void;
  'follow:count': (e: FollowCountEvent) => void;
  'follow:request': (e: FollowRequestEvent) => void;
  'page:updated': (e: PageUpdatedEvent) => void;
  'settings:changed': (e: SettingsChangedEvent) => void;
  'session:expired': (e: SessionExpiredEvent) => void;
  'task:changed': (e: TaskChangedEvent) => void;
  'task:removed': (e: TaskRemovedEvent) => void;
}

/** A sequenced page change as replayed in a `page:subscribe` answer. */
export type PageEvent =
  | { type: 'journal:entry'; data: JournalEntryEvent }
  | { type: 'journal:removed'; data: JournalRemovedEvent }
  | { type: 'wall:message'; data: WallMessageEvent }
  | { type: 'wall:removed'; data: WallRemovedEvent }
  | { type: 'wall:hearts'; data: WallHeartsEvent }
  | { type: 'journal:hearts'; data: JournalHeartsEvent }
  | { type: 'journal:comment'; data: JournalCommentEvent }
  | { type: 'journal:comment-removed'; data: JournalCommentRemovedEvent }
  | { type: 'task:changed'; data: TaskChangedEvent }
  | { type: 'task:removed'; data: TaskRemovedEvent }
  | { type: 'follow:count'; data: FollowCountEvent & { seq: number } }
  | { type: 'page:updated'; data: PageUpdatedEvent & { seq: number; page: PageInfo } };

/** Settings an owner or admin may change on a page. */
export interface PageSettings {
  title?: string;
  visibility?: Visibility;
  wallModeration?: WallModeration;
}
