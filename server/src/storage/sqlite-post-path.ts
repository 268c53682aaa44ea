import type BetterSqlite3 from 'better-sqlite3';
import { GroupCommit, type SqliteConnection } from './group-commit.js';
import type { PendingAudit } from './pending-audit.js';
import { ACCESS_SQL, auditValues, causeValues, deletedPost, journalCause, kindOf, noPage, POST_COLUMNS, takeAudit, takeJournalCause, type AccessRow, type NewPost, type PostPath, type PostTable } from './post-path.js';
import type { Database } from './schema.js';

type Statements = ReturnType<typeof prepare>;

/** SQL texts of the post path, prepared on first use (the tables exist only after `migrate`). */
function prepare(raw: BetterSqlite3.Database) {
  const insertItem = (table: PostTable) => {
    const columns = ['seq', ...POST_COLUMNS[table]];
    return raw.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  };
  const byClientId = (table: PostTable) => raw.prepare(`SELECT * FROM ${table} WHERE page_id = ? AND author_id = ? AND client_id = ?`);
  return {
    access: raw.prepare(ACCESS_SQL('@user', '@page')),
    // The next seq, unless the post's key is a deleted post's (then no row, as for no page).
    bump: raw.prepare(
      `UPDATE pages SET seq = seq + 1 WHERE id = @page
       AND NOT EXISTS (SELECT 1 FROM deleted_posts WHERE page_id = @page AND kind = @kind AND author_id = @author AND client_id = @client)
       RETURNING seq, follower_count`,
    ),
    pageExists: raw.prepare('SELECT 1 FROM pages WHERE id = ?').pluck(),
    change: raw.prepare('INSERT INTO changes (page_id, seq, type, item_id, data, created_at) VALUES (?, ?, ?, ?, NULL, ?)'),
    audit: raw.prepare(
      'INSERT INTO audit_log (at, page_id, actor_id, actor_role, action, target, detail, ip, page_uid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT uid FROM pages WHERE id = ?))',
    ),
    cause: raw.prepare(
      "INSERT INTO jobs (id, kind, key, page_id, recipient, payload, attempts, state, due_at, claimed_until, created_at, finished_at) VALUES (?, 'cause', ?, ?, NULL, ?, 0, 'queued', ?, NULL, ?, NULL)",
    ),
    prune: raw.prepare('DELETE FROM changes WHERE page_id = ? AND seq <= ?'),
    insert: { journal_entries: insertItem('journal_entries'), wall_messages: insertItem('wall_messages') },
    existing: { journal_entries: byClientId('journal_entries'), wall_messages: byClientId('wall_messages') },
  };
}

/**
 * SQLite's post path: prepared statements run synchronously on the raw connection, a post's
 * statements inside the group commit's batch (one transaction and one fsync for every post
 * of an event-loop turn, each post in its own savepoint).
 */
export class SqlitePostPath implements PostPath {
  #s: Statements | null = null;
  readonly #groupCommit: GroupCommit;

  constructor(
    private readonly conn: SqliteConnection,
    /** Changes kept per page (see `SqlStorage.prune`). */
    private readonly retention: number,
  ) {
    this.#groupCommit = new GroupCommit(conn);
  }

  private get s(): Statements {
    return (this.#s ??= prepare(this.conn.raw));
  }

  pageAccess(pageId: string, userId: string): Promise<AccessRow | undefined> {
    return this.conn.run(() => this.s.access.get({ user: userId, page: pageId }) as AccessRow | undefined);
  }

  insertPost<T extends PostTable>(table: T, row: NewPost<T>, audit: PendingAudit | undefined): Promise<{ row: Database[T]; created: boolean }> {
    return this.#groupCommit.run(() => {
      const s = this.s;
      const r = row as Record<string, unknown> & { page_id: string; id: string; author_id: string; client_id: string; created_at: string };
      // Inside the batch, so a retry racing its original (even in the same batch) finds it.
      const existing = s.existing[table].get(r.page_id, r.author_id, r.client_id) as Database[T] | undefined;
      if (existing) return { row: existing, created: false };
      const bumped = s.bump.get({ page: r.page_id, kind: kindOf(table), author: r.author_id, client: r.client_id }) as { seq: number; follower_count: number } | undefined;
      if (!bumped) throw s.pageExists.get(r.page_id) ? deletedPost() : noPage();
      const { seq } = bumped;
      s.change.run(r.page_id, seq, kindOf(table), r.id, r.created_at);
      const a = takeAudit(audit, r.id);
      const cause = takeJournalCause(table, audit);
      try {
        if (a) s.audit.run(...auditValues(a), r.page_id);
        if (cause) s.cause.run(...causeValues(journalCause(r, seq, bumped.follower_count)));
        s.insert[table].run(seq, ...POST_COLUMNS[table].map((c) => r[c]));
      } catch (err) {
        // Rolled back with its savepoint: the audit row and the cause are not written after all.
        if (a) audit!.written = false;
        if (cause) audit!.causeWritten = false;
        throw err;
      }
      // As SqlStorage.prune: every 100th change, drop what is beyond the retention.
      if (seq % 100 === 0 && seq > this.retention) s.prune.run(r.page_id, seq - this.retention);
      return { row: { ...row, seq } as Database[T], created: true };
    });
  }
}
