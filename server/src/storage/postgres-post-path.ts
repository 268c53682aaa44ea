import type pg from 'pg';
import type { PendingAudit } from './pending-audit.js';
import { ACCESS_SQL, auditValues, causeValues, deletedPost, journalCause, kindOf, noPage, POST_COLUMNS, takeAudit, takeJournalCause, type AccessRow, type NewPost, type PostPath, type PostTable } from './post-path.js';
import type { Database } from './schema.js';

/** Our own 0/1 flags and counters; every other post column is text. */
const INTEGER_COLUMNS = new Set(['hidden', 'pending', 'hearts', 'comments_open']);

/**
 * The insert of a post as one statement (bump the page's `seq`, which locks its row until
 * commit, unless the key is a deleted post's; log the change; write the audit row; write the
 * journal entry's `journal.posted` cause job, its `seq` and follower count set from the bump;
 * insert the item), so writers to one page hold that lock for one round trip. Parameters are
 * cast, since in a SELECT list PostgreSQL would type them text.
 */
function insertSql(table: PostTable, withAudit: boolean, withCause: boolean): string {
  const columns = POST_COLUMNS[table];
  const item = columns.map((c, i) => `$${7 + i}::${INTEGER_COLUMNS.has(c) ? 'integer' : 'text'}`);
  const auditFrom = 7 + columns.length;
  const audit = withAudit
    ? `, a AS (
        INSERT INTO audit_log (at, page_id, actor_id, actor_role, action, target, detail, ip, page_uid)
        SELECT ${Array.from({ length: 8 }, (_, i) => `$${auditFrom + i}::text`).join(', ')}, (SELECT uid FROM pages WHERE id = $1::text) FROM s
      )`
    : '';
  const c = (i: number) => `$${auditFrom + (withAudit ? 8 : 0) + i}::text`;
  const cause = withCause
    ? `, j AS (
        INSERT INTO jobs (id, kind, key, page_id, recipient, payload, attempts, state, due_at, claimed_until, created_at, finished_at)
        SELECT ${c(0)}, 'cause', ${c(1)}, ${c(2)}, NULL,
          jsonb_set(jsonb_set(${c(3)}::jsonb, '{seq}', to_jsonb(s.seq)), '{followerCount}', to_jsonb(s.follower_count))::text,
          0, 'queued', ${c(4)}, NULL, ${c(5)}, NULL
        FROM s
      )`
    : '';
  return `WITH s AS (
      UPDATE pages SET seq = seq + 1
      WHERE id = $1::text
        AND NOT EXISTS (SELECT 1 FROM deleted_posts WHERE page_id = $1::text AND kind = $2::text AND author_id = $3::text AND client_id = $4::text)
      RETURNING seq, follower_count
    ), c AS (
      INSERT INTO changes (page_id, seq, type, item_id, data, created_at) SELECT $1::text, seq, $2::text, $5::text, NULL, $6::text FROM s
    )${audit}${cause}
    INSERT INTO ${table} (seq, ${columns.join(', ')}) SELECT seq, ${item.join(', ')} FROM s
    RETURNING *`;
}

/**
 * PostgreSQL's post path: the pool directly, with NAMED statements, so each connection
 * parses and plans them once (Kysely sends every query unnamed: parsed and planned each
 * time), and no query builder runs per call. A post is one round trip when it is new; the
 * check for an existing `(author, clientId)` runs only when the insert hits the unique key.
 */
export class PostgresPostPath implements PostPath {
  constructor(
    private readonly pool: pg.Pool,
    private readonly retention: number,
    private readonly isUniqueViolation: (err: unknown) => boolean,
  ) {}

  async pageAccess(pageId: string, userId: string): Promise<AccessRow | undefined> {
    const { rows } = await this.pool.query<AccessRow>({ name: 'care_page_access', text: ACCESS_SQL('$1::text', '$2::text'), values: [userId, pageId] });
    return rows[0];
  }

  async insertPost<T extends PostTable>(table: T, row: NewPost<T>, audit: PendingAudit | undefined): Promise<{ row: Database[T]; created: boolean }> {
    const r = row as Record<string, unknown> & { page_id: string; id: string; author_id: string; client_id: string; created_at: string };
    const kind = kindOf(table);
    const a = takeAudit(audit, r.id);
    const cause = takeJournalCause(table, audit);
    const values = [
      ...[r.page_id, kind, r.author_id, r.client_id, r.id, r.created_at],
      ...POST_COLUMNS[table].map((c) => r[c]),
      ...(a ? auditValues(a) : []),
      ...(cause ? causeValues(journalCause(r, 0, 0)) : []),
    ];
    const unwrite = () => {
      if (a) audit!.written = false;
      if (cause) audit!.causeWritten = false;
    };
    let inserted: Database[T] | undefined;
    try {
      ({
        rows: [inserted],
      } = await this.pool.query<Database[T]>({ name: `care_insert_${table}${a ? '_audited' : ''}${cause ? '_cause' : ''}`, text: insertSql(table, a !== null, cause), values }));
    } catch (err) {
      unwrite();
      if (!this.isUniqueViolation(err)) throw err;
      // A retry of a post that exists (or its racing twin won): answer with the original.
      const { rows } = await this.pool.query<Database[T]>({
        name: `care_existing_${table}`,
        text: `SELECT * FROM ${table} WHERE page_id = $1::text AND author_id = $2::text AND client_id = $3::text`,
        values: [r.page_id, r.author_id, r.client_id],
      });
      if (rows[0]) return { row: rows[0], created: false };
      throw err;
    }
    if (!inserted) {
      unwrite();
      const { rowCount } = await this.pool.query({ name: 'care_page_exists', text: 'SELECT 1 FROM pages WHERE id = $1::text', values: [r.page_id] });
      throw rowCount ? deletedPost() : noPage();
    }
    // As SqlStorage.prune: every 100th change, drop what is beyond the retention.
    if (inserted.seq % 100 === 0 && inserted.seq > this.retention) {
      await this.pool.query({ name: 'care_prune', text: 'DELETE FROM changes WHERE page_id = $1::text AND seq <= $2::integer', values: [r.page_id, inserted.seq - this.retention] });
    }
    return { row: inserted, created: true };
  }
}
