import { randomUUID } from 'node:crypto';
import { sql, type ExpressionBuilder, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Author, JournalComment } from '../../../src/protocol/index.js';
import { CareFailure } from '../errors.js';
import type { Database, JournalCommentsTable } from './schema.js';
import type { ChangeType, CommentCounts, CommentSummary, JournalSocialStorage, Page, Sequenced, WallView } from './types.js';

type Db = Kysely<Database> | Transaction<Database>;

/** What the page storage lends: its `seq` bump (with the pending audit row) and its memory of deleted posts' keys. */
export interface SocialHooks {
  change(trx: Transaction<Database>, pageId: string, type: ChangeType, itemId: string | null, data: Record<string, unknown> | null): Promise<number>;
  rememberDeleted(trx: Transaction<Database>, pageId: string, kind: 'comment', post: { author_id: string; client_id: string }): Promise<void>;
  isUniqueViolation(err: unknown): boolean;
}

const now = () => new Date().toISOString();

/**
 * SPEC 6.3's storage: hearts and comments on journal entries, through Kysely (neither is on
 * the hot path the post path serves). Part of `Storage` (SqlStorage delegates here). Every
 * change bumps the page's `seq` and records the change in its transaction, through the page
 * storage's own `change`, so catch-up and live fan-out agree as for the wall.
 */
export class JournalSocialSql implements JournalSocialStorage {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly hooks: SocialHooks,
  ) {}

  /* ------------------------------------------------------------------------------ hearts */

  async setJournalHeart(pageId: string, entryId: string, userId: string, on: boolean) {
    return this.db.transaction().execute(async (trx) => {
      const entry = await trx.selectFrom('journal_entries').select('hearts').where('page_id', '=', pageId).where('id', '=', entryId).executeTakeFirst();
      if (!entry) return null;
      const changed = on
        ? (await trx.insertInto('journal_hearts').values({ page_id: pageId, entry_id: entryId, user_id: userId, created_at: now() }).onConflict((oc) => oc.doNothing()).returning('user_id').execute()).length
        : Number((await trx.deleteFrom('journal_hearts').where('entry_id', '=', entryId).where('user_id', '=', userId).executeTakeFirst()).numDeletedRows);
      if (changed === 0) return { hearts: entry.hearts, seq: null };
      const row = await trx
        .updateTable('journal_entries')
        .set((eb) => ({ hearts: eb('hearts', '+', on ? 1 : -1) }))
        .where('id', '=', entryId)
        .returning('hearts')
        .executeTakeFirstOrThrow();
      const seq = await this.hooks.change(trx, pageId, 'journal-hearts', entryId, { userId, on });
      return { hearts: row.hearts, seq };
    });
  }

  async journalHeartedBy(pageId: string, userId: string, entryIds: string[]): Promise<Set<string>> {
    if (entryIds.length === 0) return new Set();
    const rows = await this.db.selectFrom('journal_hearts').select('entry_id').where('page_id', '=', pageId).where('user_id', '=', userId).where('entry_id', 'in', entryIds).execute();
    return new Set(rows.map((r) => r.entry_id));
  }

  /* ---------------------------------------------------------------------------- comments */

  async postComment(pageId: string, entryId: string, author: Author, clientId: string, body: string, pending: boolean) {
    const existing = () => this.db.selectFrom('journal_comments').selectAll().where('page_id', '=', pageId).where('author_id', '=', author.id).where('client_id', '=', clientId).executeTakeFirst();
    // A retry finds its original first, whatever happened to the entry's comments since.
    const before = await existing();
    if (before) return { comment: toComment(before), seq: before.seq, created: false };
    try {
      return await this.db.transaction().execute(async (trx) => {
        const entry = await trx.selectFrom('journal_entries').select('comments_open').where('page_id', '=', pageId).where('id', '=', entryId).executeTakeFirst();
        if (!entry) throw new CareFailure('not_found', 'No such journal entry.');
        const deleted = await trx
          .selectFrom('deleted_posts')
          .select('client_id')
          .where('page_id', '=', pageId)
          .where('kind', '=', 'comment')
          .where('author_id', '=', author.id)
          .where('client_id', '=', clientId)
          .executeTakeFirst();
        if (deleted) throw new CareFailure('conflict', 'This comment was deleted after it was posted; it is not posted again.');
        if (entry.comments_open !== 1) throw new CareFailure('forbidden', 'Comments are closed on this update.');
        const id = randomUUID();
        const seq = await this.hooks.change(trx, pageId, 'comment', id, { entryId });
        const row = { id, page_id: pageId, entry_id: entryId, seq, client_id: clientId, author_id: author.id, author_name: author.name, body, created_at: now(), hidden: 0, pending: pending ? 1 : 0 };
        await trx.insertInto('journal_comments').values(row).execute();
        return { comment: toComment(row), seq, created: true };
      });
    } catch (err) {
      // Its twin (the same retry, on another socket or node) won the race: answer with it.
      if (!this.hooks.isUniqueViolation(err)) throw err;
      const twin = await existing();
      if (!twin) throw err;
      return { comment: toComment(twin), seq: twin.seq, created: false };
    }
  }

  async getComment(pageId: string, commentId: string): Promise<JournalComment | null> {
    const r = await this.db.selectFrom('journal_comments').selectAll().where('page_id', '=', pageId).where('id', '=', commentId).executeTakeFirst();
    return r ? toComment(r) : null;
  }

  async setCommentFlags(pageId: string, commentId: string, flags: { hidden?: boolean; pending?: boolean }): Promise<Sequenced<JournalComment> | null> {
    return this.db.transaction().execute(async (trx) => {
      const patch: Partial<JournalCommentsTable> = {};
      if (flags.hidden !== undefined) patch.hidden = flags.hidden ? 1 : 0;
      if (flags.pending !== undefined) patch.pending = flags.pending ? 1 : 0;
      const found = await trx.selectFrom('journal_comments').select('entry_id').where('page_id', '=', pageId).where('id', '=', commentId).executeTakeFirst();
      if (!found) return null;
      await trx.updateTable('journal_comments').set(patch).where('id', '=', commentId).execute();
      const seq = await this.hooks.change(trx, pageId, 'comment', commentId, { entryId: found.entry_id });
      const row = await trx.selectFrom('journal_comments').selectAll().where('id', '=', commentId).executeTakeFirstOrThrow();
      return { value: toComment(row), seq };
    });
  }

  async deleteComment(pageId: string, commentId: string): Promise<{ seq: number; entryId: string } | null> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx.deleteFrom('journal_comments').where('page_id', '=', pageId).where('id', '=', commentId).returning(['author_id', 'client_id', 'entry_id']).executeTakeFirst();
      if (!r) return null;
      await this.hooks.rememberDeleted(trx, pageId, 'comment', r);
      const seq = await this.hooks.change(trx, pageId, 'comment-removed', commentId, { entryId: r.entry_id });
      return { seq, entryId: r.entry_id };
    });
  }

  async commentPage(pageId: string, entryId: string, before: number | null, limit: number, view: WallView): Promise<Page<JournalComment>> {
    let q = this.db.selectFrom('journal_comments').selectAll().where('page_id', '=', pageId).where('entry_id', '=', entryId).$if(!view.moderator, (w) => w.where(visibleIn(view)));
    if (before !== null) q = q.where('seq', '<', before);
    const rows = await q.orderBy('seq', 'desc').limit(limit + 1).execute();
    return { items: rows.slice(0, limit).reverse().map(toComment), hasMore: rows.length > limit };
  }

  async commentsByIds(pageId: string, ids: string[]): Promise<Map<string, JournalComment>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('journal_comments').selectAll().where('page_id', '=', pageId).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, toComment(r)]));
  }

  async commentSummaries(pageId: string, entryIds: string[], view: WallView, last: number): Promise<Map<string, CommentSummary>> {
    const out = new Map<string, CommentSummary>(entryIds.map((id) => [id, { count: 0, last: [] }]));
    if (entryIds.length === 0) return out;
    const base = () => this.db.selectFrom('journal_comments').where('page_id', '=', pageId).where('entry_id', 'in', entryIds).$if(!view.moderator, (w) => w.where(visibleIn(view)));
    const counts = await base()
      .select(['entry_id', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy('entry_id')
      .execute();
    for (const c of counts) out.get(c.entry_id)!.count = Number(c.n);
    if (last > 0 && counts.length > 0) {
      // The `last` newest per entry in one query (window functions: SQLite ≥ 3.25, PostgreSQL).
      const ranked = base()
        .selectAll()
        .select(sql<number>`row_number() over (partition by entry_id order by seq desc)`.as('rn'))
        .as('r');
      const rows = await this.db.selectFrom(ranked).selectAll().where('rn', '<=', last).orderBy('seq').execute();
      for (const r of rows) out.get(r.entry_id)!.last.push(toComment(r));
    }
    return out;
  }

  async heldCommentAuthors(pageId: string, entryIds: string[]): Promise<Set<string>> {
    if (entryIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('journal_comments')
      .select('author_id')
      .distinct()
      .where('page_id', '=', pageId)
      .where('entry_id', 'in', entryIds)
      .where((eb) => eb.or([eb('hidden', '=', 1), eb('pending', '=', 1)]))
      .execute();
    return new Set(rows.map((r) => r.author_id));
  }

  async commentCounts(pageId: string, entryId: string): Promise<CommentCounts> {
    // One row for the visible comments (author ''), one per author of held ones.
    const rows = await this.db
      .selectFrom('journal_comments')
      .select([sql<string>`CASE WHEN hidden = 0 AND pending = 0 THEN '' ELSE author_id END`.as('who'), (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('page_id', '=', pageId)
      .where('entry_id', '=', entryId)
      .groupBy(sql`CASE WHEN hidden = 0 AND pending = 0 THEN '' ELSE author_id END`)
      .execute();
    const counts: CommentCounts = { all: 0, visible: 0, held: new Map() };
    for (const r of rows) {
      const n = Number(r.n);
      counts.all += n;
      if (r.who === '') counts.visible = n;
      else counts.held.set(r.who, n);
    }
    return counts;
  }

  /** Everything of a page's comments and entry hearts, for its export. */
  async exportRows(db: Db, pageId: string) {
    const [comments, hearts] = await Promise.all([
      db.selectFrom('journal_comments').selectAll().where('page_id', '=', pageId).orderBy('seq').execute(),
      db.selectFrom('journal_hearts').selectAll().where('page_id', '=', pageId).orderBy('created_at').execute(),
    ]);
    return { comments: comments.map(toComment), journalHearts: hearts.map((h) => ({ entryId: h.entry_id, userId: h.user_id, at: h.created_at })) };
  }

  /** A page's or an entry's comments and hearts, explicitly (a purge never depends on cascade settings). */
  static async purge(trx: Db, where: { pageId: string; entryId?: string }): Promise<void> {
    for (const table of ['journal_hearts', 'journal_comments'] as const) {
      let q = trx.deleteFrom(table).where('page_id', '=', where.pageId);
      if (where.entryId !== undefined) q = q.where('entry_id', '=', where.entryId);
      await q.execute();
    }
  }
}

/** As `wallVisible` (pages/visibility.ts), in SQL: held comments only to moderators and their author. */
function visibleIn(view: WallView) {
  return (eb: ExpressionBuilder<Database, 'journal_comments'>) => {
    const shown = eb.and([eb('hidden', '=', 0), eb('pending', '=', 0)]);
    return view.userId === null ? shown : eb.or([shown, eb('author_id', '=', view.userId)]);
  };
}

export function toComment(r: Selectable<JournalCommentsTable>): JournalComment {
  return {
    id: r.id,
    pageId: r.page_id,
    entryId: r.entry_id,
    seq: r.seq,
    body: r.body,
    author: { id: r.author_id, name: r.author_name },
    createdAt: r.created_at,
    hidden: r.hidden === 1,
    pending: r.pending === 1,
  };
}
