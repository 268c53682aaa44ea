import { createHash, randomUUID } from 'node:crypto';

/**
 * Causes: what happened, as the job queue records it (a `cause` job), in the same transaction
 * as the change itself (journal posts, follow requests, approvals), or from the daily
 * schedulers (the digest; the planner's reminders for the next day, SPEC 6.4). A cause is expanded later by the runner into deliveries (expand.ts). Ids and
 * counts only: a cause never holds a title, a body or a name.
 */
export type Cause =
  | { type: 'journal.posted'; pageId: string; entryId: string; seq: number; followerCount: number; at: string; authorId: string }
  | { type: 'follow.requested'; pageId: string; userId: string; pendingCount: number; at: string }
  | { type: 'follow.approved'; pageId: string; userId: string; followerCount: number; at: string }
  | { type: 'digest'; date: string; at: string }
  /** The planner's reminders for the tasks dated `date` (tomorrow, when it is queued). */
  | { type: 'reminder'; date: string; at: string };

export type CauseType = Cause['type'];
/** The causes a change declares (through its pending audit context, pending-audit.ts). */
export type ChangeCause = Exclude<CauseType, 'digest' | 'reminder'>;

export type JobKind = 'cause' | 'webhook' | 'email' | 'push';
export const JOB_KINDS: readonly JobKind[] = ['cause', 'webhook', 'email', 'push'];

/** A job to insert; `ON CONFLICT (key) DO NOTHING`: one job per key, ever (while its row is kept). */
export interface NewJob {
  id: string;
  kind: JobKind;
  key: string;
  pageId: string | null;
  recipient: string | null;
  /** Text: the webhook's exact body, or JSON. */
  payload: string;
  /** ISO 8601 UTC. */
  dueAt: string;
}

/** A queued job as claimed. */
export interface JobRecord extends NewJob {
  attempts: number;
  createdAt: string;
}

/**
 * Idempotency keys of causes. A follow request is numbered by how often that person asked
 * (`follow_asks`, counted in the same transaction), so each request is its own cause.
 */
export const causeKeys = {
  journal: (entryId: string) => `journal.posted:${entryId}`,
  requested: (pageId: string, userId: string, n: number) => `follow.requested:${pageId}:${userId}:${n}`,
  approved: (pageId: string, userId: string, n: number) => `follow.approved:${pageId}:${userId}:${n}`,
  digest: (date: string) => `digest:${date}`,
  /** The reminders for the tasks of `date` (one cause per day, per cluster). */
  reminder: (date: string) => `reminder:${date}`,
  /**
   * The same day's later sweep at `hour` (local), for those who signed up after the first
   * one: its deliveries take their keys from `reminder(date)`, so nobody hears twice.
   */
  reminderLate: (date: string, hour: number) => `reminder:${date}:late:${String(hour).padStart(2, '0')}`,
};

/** Delivery keys, derived from the cause's: a cause expanded twice inserts nothing new. */
export const deliveryKeys = {
  webhook: (causeKey: string) => `webhook:${causeKey}`,
  email: (causeKey: string, userId: string) => `email:${causeKey}:${userId}`,
  /**
   * A reminder is one per (volunteer, page): the page joins the cause's key. Page ids cannot
   * hold `:` (validation.ts), so `reminder:<date>:<page>` never reads as another page's.
   */
  reminderOf: (causeKey: string, pageId: string) => `${causeKey}:${pageId}`,
  /** Per subscription; the endpoint (a capability URL) only as a hash prefix. */
  push: (causeKey: string, endpoint: string) => `push:${causeKey}:${createHash('sha256').update(endpoint).digest('hex').slice(0, 16)}`,
};

export function causeJob(cause: Cause, key: string): NewJob {
  return { id: randomUUID(), kind: 'cause', key, pageId: 'pageId' in cause ? cause.pageId : null, recipient: null, payload: JSON.stringify(cause), dueAt: cause.at };
}
