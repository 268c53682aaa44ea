import { causeJob, causeKeys, type NewJob } from '../jobs/causes.js';
import { CareFailure } from '../errors.js';
import { takeCause, type PendingAudit } from './pending-audit.js';
import type { Database, PagesTable } from './schema.js';
import type { AuditRecord } from './types.js';

/**
 * The hot path of a write, per dialect, in hand-written SQL with statements prepared once
 * (sqlite-post-path.ts, postgres-post-path.ts): the access read every socket call makes and
 * the insert of a new post. Through Kysely each of these built and compiled its query anew,
 * and on SQLite each statement was its own promise chain: together most of a post's CPU
 * (BENCHMARKS.md, issue 12). Everything else keeps using Kysely.
 */
export interface PostPath {
  /** The page with one user's member role and follow state (`''`: anonymous, matches nothing). */
  pageAccess(pageId: string, userId: string): Promise<AccessRow | undefined>;
  /**
   * Stores a new post with the next `seq` of its page, its change record, the caller's
   * pending audit row and (a journal entry) its pending `journal.posted` cause, atomically, and answers only once that is durable; an existing post
   * with the same `(author, clientId)` is answered instead (`created: false`, nothing
   * written). Throws `not_found` for no page, and `conflict` for the key of a deleted post:
   * its original was acknowledged and then deleted (by a moderator, say), and a retry whose
   * acknowledgement got lost must not bring it back.
   */
  insertPost<T extends PostTable>(table: T, row: NewPost<T>, audit: PendingAudit | undefined): Promise<{ row: Database[T]; created: boolean }>;
}

export type PostTable = 'journal_entries' | 'wall_messages';
export type NewPost<T extends PostTable> = Omit<Database[T], 'seq'>;
export type AccessRow = PagesTable & { member_role: string | null; follow_state: string | null };

export const kindOf = (table: PostTable) => (table === 'journal_entries' ? 'journal' : 'wall');

/** The columns of a new post, in the order the prepared inserts bind them. */
export const POST_COLUMNS = {
  journal_entries: ['id', 'page_id', 'client_id', 'author_id', 'author_name', 'title', 'body', 'created_at', 'edited_at', 'hearts', 'comments_open'],
  wall_messages: ['id', 'page_id', 'client_id', 'author_id', 'author_name', 'body', 'created_at', 'hidden', 'pending', 'hearts'],
} as const satisfies { [T in PostTable]: readonly (keyof NewPost<T>)[] };

/** The access read, given how the dialect writes its two parameters. */
export const ACCESS_SQL = (user: string, page: string) =>
  `SELECT p.*, m.role AS member_role, f.state AS follow_state FROM pages p
   LEFT JOIN page_members m ON m.page_id = p.id AND m.user_id = ${user}
   LEFT JOIN follows f ON f.page_id = p.id AND f.user_id = ${user}
   WHERE p.id = ${page}`;

/**
 * The caller's pending audit row for this post, once (as `takePendingAudit` in sql-storage.ts):
 * marked written here, inside the transaction that writes it.
 */
export function takeAudit(audit: PendingAudit | undefined, itemId: string): AuditRecord | null {
  if (!audit || audit.written) return null;
  audit.written = true;
  return { ...audit.record, target: audit.record.target ?? itemId };
}

/**
 * The caller's pending `journal.posted` cause for a new journal entry, once (wall posts have
 * none, so their insert is unchanged). Marked written here, inside the transaction.
 */
export function takeJournalCause(table: PostTable, audit: PendingAudit | undefined): boolean {
  return table === 'journal_entries' && takeCause(audit, 'journal.posted');
}

/**
 * The cause job of a new journal entry. `seq` and `followerCount` come from the statement that
 * bumps the page (PostgreSQL sets them in SQL over these placeholders, jsonb_set).
 */
export function journalCause(r: { page_id: string; id: string; author_id: string; created_at: string }, seq: number, followerCount: number): NewJob {
  return causeJob({ type: 'journal.posted', pageId: r.page_id, entryId: r.id, seq, followerCount, at: r.created_at, authorId: r.author_id }, causeKeys.journal(r.id));
}

/** The cause row's bound columns, in the order of `INSERT_CAUSE_COLUMNS`. */
export const causeValues = (j: NewJob) => [j.id, j.key, j.pageId, j.payload, j.dueAt, j.dueAt] as const;

/** The audit row's columns after `page_uid` (which the statement looks up itself). */
export const auditValues = (a: AuditRecord) => [a.at, a.pageId, a.actorId, a.actorRole, a.action, a.target, a.detail ? JSON.stringify(a.detail) : null, a.ip] as const;

export const deletedPost = () => new CareFailure('conflict', 'This post was deleted after it was posted; it is not posted again.');
export const noPage = () => new CareFailure('not_found', 'No such page.');
