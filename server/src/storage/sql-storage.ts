import { randomUUID } from 'node:crypto';
import { Migrator, sql, type ExpressionBuilder, type Kysely, type RawBuilder, type Selectable, type Transaction } from 'kysely';
import type { Author, FollowRequest, FollowState, InviteRole, JournalEntry, PageSettings, PushSubscriptionData, Visibility, WallMessage, WallModeration } from '../../../src/protocol/index.js';
import { CareFailure } from '../errors.js';
import { causeJob, causeKeys } from '../jobs/causes.js';
import { migrations } from './migrations.js';
import { MediaStore, purgeMediaIn } from '../media/store.js';
import type { MediaDatabase } from '../media/schema.js';
import { JobsSql, purgePageJobs, type JobsStorage } from './jobs-storage.js';
import { JournalSocialSql } from './journal-social.js';
import { PlannerSql } from './planner.js';
import { NotifyPrefsStore, type NotifyPrefsChange } from './notify-prefs.js';
import { pendingAudit, takeCause } from './pending-audit.js';
import type { PostPath } from './post-path.js';
import type { Database, JournalTable, PagesTable, WallTable } from './schema.js';
import type {
  AcceptOutcome,
  AuditQuery,
  InviteRecord,
  SettingsRecord,
  AuditRecord,
  ChangeRecord,
  ChangeType,
  FollowRecord,
  MemberRole,
  NewPage,
  Page,
  PageExport,
  PageRecord,
  Sequenced,
  Storage,
  StoredAudit,
  WallView,
} from './types.js';

type Db = Kysely<Database> | Transaction<Database>;

const now = () => new Date().toISOString();

/**
 * The storage interface on SQL through Kysely. The queries are written once; the dialect
 * modules (`sqlite.ts`, `postgres.ts`) supply the connection and the few differences.
 */
export class SqlStorage implements Storage {
  private readonly jobs: JobsSql;
  /** SPEC 6.2's choices, addresses and push subscriptions (notify-prefs.ts). */
  readonly #notify: NotifyPrefsStore;
  /** SPEC 6.3's photo rows (media/store.ts). */
  readonly media: MediaStore;
  /** SPEC 6.3's hearts and comments on journal entries (journal-social.ts). */
  readonly #social: JournalSocialSql;
  /** SPEC 6.4's tasks and sign-ups (planner.ts). */
  readonly planner: PlannerSql;

  constructor(
    protected readonly db: Kysely<Database>,
    readonly dialect: 'sqlite' | 'postgres',
    private readonly retention: number,
    private readonly isUniqueViolation: (err: unknown) => boolean,
    /** The access read and the post insert, in the dialect's own prepared SQL (post-path.ts). */
    private readonly posts: PostPath,
  ) {
    this.jobs = new JobsSql(db, dialect, (trx, a) => this.insertAudit(trx, a));
    this.media = new MediaStore(db as unknown as Kysely<MediaDatabase>);
    this.#notify = new NotifyPrefsStore(
      db,
      (trx, target) => this.auditIn(trx, target),
      (trx, record) => this.insertAudit(trx, record),
    );
    this.#social = new JournalSocialSql(db, {
      change: (trx, pageId, type, itemId, data) => this.change(trx, pageId, type, itemId, data),
      rememberDeleted: (trx, pageId, kind, post) => this.rememberDeleted(trx, pageId, kind, post),
      isUniqueViolation,
    });
    this.planner = new PlannerSql(db, dialect, { change: (trx, pageId, type, itemId, data) => this.change(trx, pageId, type, itemId, data), isUniqueViolation });
  }

  async migrate(): Promise<void> {
    const list = migrations(this.dialect);
    // PostgreSQL: Kysely looks for its migration tables in EVERY schema unless told which, so
    // a second schema on the same database (another node's test run, a bench) made a fresh
    // one skip creating them and fail. Ours is the connection's current schema.
    const schema = this.dialect === 'postgres' ? (await sql<{ s: string }>`SELECT current_schema() AS s`.execute(this.db)).rows[0]?.s : undefined;
    const migrator = new Migrator({ db: this.db, provider: { getMigrations: async () => list }, ...(schema ? { migrationTableSchema: schema } : {}) });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
  }

  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  /* ------------------------------------------------------------------------------- pages */

  async createPage(p: NewPage): Promise<PageRecord> {
    const at = now();
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('pages')
          .values({ id: p.id, uid: randomUUID(), title: p.title, visibility: p.visibility, wall_moderation: p.wallModeration, seq: 0, follower_count: 0, created_at: at, updated_at: at })
          .execute();
        await this.writeMembers(trx, p.id, { owners: p.owners, editors: p.editors });
        await this.auditIn(trx, p.id);
      });
    } catch (err) {
      if (this.isUniqueViolation(err)) throw new CareFailure('conflict', `A page with id "${p.id}" already exists.`);
      throw err;
    }
    return (await this.getPage(p.id))!;
  }

  async getPage(id: string): Promise<PageRecord | null> {
    const row = await this.db.selectFrom('pages').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toPage(row) : null;
  }

  async updatePage(id: string, s: PageSettings): Promise<Sequenced<PageRecord> | null> {
    return this.db.transaction().execute(async (trx) => {
      const patch: Partial<PagesTable> = { updated_at: now() };
      if (s.title !== undefined) patch.title = s.title;
      if (s.visibility !== undefined) patch.visibility = s.visibility;
      if (s.wallModeration !== undefined) patch.wall_moderation = s.wallModeration;
      const updated = await trx.updateTable('pages').set(patch).where('id', '=', id).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return null;
      const seq = await this.change(trx, id, 'page', null, null);
      const row = await trx.selectFrom('pages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      return { value: toPage(row), seq };
    });
  }

  async deletePage(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await trx.selectFrom('pages').select('id').where('id', '=', id).executeTakeFirst())) return false;
      // The deletion's audit row first, while the page (and so its lifetime) still exists.
      await this.auditIn(trx, id);
      // Children first, explicitly, so a purge never depends on cascade settings.
      await trx.deleteFrom('hearts').where('page_id', '=', id).execute();
      await purgeMediaIn(trx as never, id);
      await JournalSocialSql.purge(trx, { pageId: id });
      await PlannerSql.purge(trx, id);
      await trx.deleteFrom('wall_messages').where('page_id', '=', id).execute();
      await trx.deleteFrom('journal_entries').where('page_id', '=', id).execute();
      await trx.deleteFrom('follows').where('page_id', '=', id).execute();
      await trx.deleteFrom('follow_asks').where('page_id', '=', id).execute();
      await trx.deleteFrom('invites').where('page_id', '=', id).execute();
      await trx.deleteFrom('notify_prefs').where('page_id', '=', id).execute();
      await trx.deleteFrom('page_members').where('page_id', '=', id).execute();
      await trx.deleteFrom('changes').where('page_id', '=', id).execute();
      const r = await trx.deleteFrom('pages').where('id', '=', id).executeTakeFirst();
      // Its queued notifications go with it (after the page row: see purgePageJobs).
      await purgePageJobs(trx, id);
      return Number(r.numDeletedRows) > 0;
    });
  }

  async setMembers(id: string, m: { owners?: string[]; editors?: string[] }): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.writeMembers(trx, id, m);
      // A former member who does not follow hears nothing more about the page.
      await NotifyPrefsStore.dropUnlessEntitled(trx, id, null);
      await this.auditIn(trx, id);
    });
  }

  private async writeMembers(trx: Db, id: string, m: { owners?: string[]; editors?: string[] }) {
    for (const [role, users] of [['owner', m.owners], ['editor', m.editors]] as const) {
      if (!users) continue;
      await trx.deleteFrom('page_members').where('page_id', '=', id).where('role', '=', role).execute();
      // Owners are written first and win: a new owner who was an editor becomes an owner;
      // an owner also listed as an editor stays an owner.
      for (const userId of new Set(users)) {
        await trx
          .insertInto('page_members')
          .values({ page_id: id, user_id: userId, role })
          .onConflict((oc) => (role === 'owner' ? oc.columns(['page_id', 'user_id']).doUpdateSet({ role }) : oc.columns(['page_id', 'user_id']).doNothing()))
          .execute();
      }
    }
  }

  async members(id: string): Promise<{ userId: string; role: MemberRole }[]> {
    const rows = await this.db.selectFrom('page_members').selectAll().where('page_id', '=', id).orderBy('role', 'desc').orderBy('user_id').execute();
    return rows.map((r) => ({ userId: r.user_id, role: r.role as MemberRole }));
  }

  async memberRole(pageId: string, userId: string): Promise<MemberRole | null> {
    const row = await this.db.selectFrom('page_members').select('role').where('page_id', '=', pageId).where('user_id', '=', userId).executeTakeFirst();
    return (row?.role as MemberRole | undefined) ?? null;
  }

  async pageAccess(pageId: string, userId: string | null) {
    // One query instead of three: the user's rows join the page's (none when anonymous).
    const row = await this.posts.pageAccess(pageId, userId ?? '');
    if (!row) return null;
    const { member_role, follow_state, ...page } = row;
    return {
      page: toPage(page),
      member: userId === null ? null : ((member_role as MemberRole | null) ?? null),
      follow: userId === null ? null : ((follow_state as FollowRecord['state'] | null) ?? null),
    };
  }

  /* ----------------------------------------------------------------------------- follows */

  async getFollow(pageId: string, userId: string): Promise<FollowRecord | null> {
    const r = await this.db.selectFrom('follows').selectAll().where('page_id', '=', pageId).where('user_id', '=', userId).executeTakeFirst();
    return r ? { userId: r.user_id, name: r.name, state: r.state as FollowRecord['state'], createdAt: r.created_at, updatedAt: r.updated_at } : null;
  }

  async setFollow(pageId: string, user: Author, state: FollowState): Promise<{ followerCount: number; seq: number | null }> {
    return this.db.transaction().execute(async (trx) => {
      const at = now();
      const before = await trx.selectFrom('follows').select('state').where('page_id', '=', pageId).where('user_id', '=', user.id).executeTakeFirst();
      if (state === 'none') {
        await trx.deleteFrom('follows').where('page_id', '=', pageId).where('user_id', '=', user.id).execute();
      } else {
        await trx
          .insertInto('follows')
          .values({ page_id: pageId, user_id: user.id, name: user.name, state, created_at: at, updated_at: at })
          .onConflict((oc) => oc.columns(['page_id', 'user_id']).doUpdateSet({ state, name: user.name, updated_at: at }))
          .execute();
      }
      // Every new request counts (SPEC 6.1: the owner sees how often someone asked).
      if (state === 'requested' && before?.state !== 'requested') await this.countAsk(trx, pageId, user.id);
      // Stopped following (unfollowed, removed, blocked): their notification choices go with it.
      if (state !== 'following') await NotifyPrefsStore.dropUnlessEntitled(trx, pageId, [user.id]);
      const wasFollowing = before?.state === 'following';
      const isFollowing = state === 'following';
      if (wasFollowing === isFollowing) {
        // No count change, so no `seq`: the request, decline or block is audited here, in its own transaction.
        await this.auditIn(trx, user.id);
        const page = await trx.selectFrom('pages').select('follower_count').where('id', '=', pageId).executeTakeFirstOrThrow();
        await this.followCauseIn(trx, pageId, user.id, before?.state, state, page.follower_count, at);
        return { followerCount: page.follower_count, seq: null };
      }
      const page = await trx
        .updateTable('pages')
        .set((eb) => ({ follower_count: eb('follower_count', '+', isFollowing ? 1 : -1) }))
        .where('id', '=', pageId)
        .returning('follower_count')
        .executeTakeFirstOrThrow();
      const seq = await this.change(trx, pageId, 'follow-count', null, { followerCount: page.follower_count });
      await this.followCauseIn(trx, pageId, user.id, before?.state, state, page.follower_count, at);
      return { followerCount: page.follower_count, seq };
    });
  }

  async requests(pageId: string): Promise<FollowRequest[]> {
    const rows = await this.db
      .selectFrom('follows as f')
      .leftJoin('follow_asks as a', (j) => j.onRef('a.page_id', '=', 'f.page_id').onRef('a.user_id', '=', 'f.user_id'))
      .selectAll('f')
      .select('a.asked')
      .where('f.page_id', '=', pageId)
      .where('f.state', '=', 'requested')
      .orderBy('f.created_at')
      .execute();
    return rows.map((r) => ({ userId: r.user_id, name: r.name, at: r.updated_at, asked: Math.max(1, Number(r.asked ?? 1)) }));
  }

  private async countAsk(trx: Db, pageId: string, userId: string): Promise<void> {
    await trx
      .insertInto('follow_asks')
      .values({ page_id: pageId, user_id: userId, asked: 1 })
      .onConflict((oc) => oc.columns(['page_id', 'user_id']).doUpdateSet((eb) => ({ asked: eb('follow_asks.asked', '+', 1) })))
      .execute();
  }

  /* ----------------------------------------------------------------------------- journal */

  async postJournal(pageId: string, author: Author, clientId: string, title: string, body: string) {
    const row = { id: randomUUID(), page_id: pageId, client_id: clientId, author_id: author.id, author_name: author.name, title, body, created_at: now(), edited_at: null, hearts: 0, comments_open: 1 };
    const r = await this.posts.insertPost('journal_entries', row, pendingAudit.getStore());
    const entry = toEntry(r.row);
    return { entry, seq: entry.seq, created: r.created };
  }

  async getJournal(pageId: string, entryId: string): Promise<JournalEntry | null> {
    const r = await this.db.selectFrom('journal_entries').selectAll().where('page_id', '=', pageId).where('id', '=', entryId).executeTakeFirst();
    return r ? toEntry(r) : null;
  }

  async editJournal(pageId: string, entryId: string, title: string, body: string, comments?: boolean): Promise<Sequenced<JournalEntry> | null> {
    return this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('journal_entries').select(['title', 'body']).where('page_id', '=', pageId).where('id', '=', entryId).executeTakeFirst();
      if (!before) return null;
      const patch: Partial<JournalTable> = { title, body };
      // Opening or closing comments alone is no edit of the text: `editedAt` stays.
      if (comments === undefined || before.title !== title || before.body !== body) patch.edited_at = now();
      if (comments !== undefined) patch.comments_open = comments ? 1 : 0;
      await trx.updateTable('journal_entries').set(patch).where('page_id', '=', pageId).where('id', '=', entryId).execute();
      const seq = await this.change(trx, pageId, 'journal', entryId, null);
      const row = await trx.selectFrom('journal_entries').selectAll().where('id', '=', entryId).executeTakeFirstOrThrow();
      return { value: toEntry(row), seq };
    });
  }

  async deleteJournal(pageId: string, entryId: string): Promise<number | null> {
    return this.db.transaction().execute(async (trx) => {
      // Its comments and hearts first (they reference it), explicitly, as a page's purge.
      await JournalSocialSql.purge(trx, { pageId, entryId });
      const r = await trx.deleteFrom('journal_entries').where('page_id', '=', pageId).where('id', '=', entryId).returning(['author_id', 'client_id']).executeTakeFirst();
      if (!r) return null;
      await this.rememberDeleted(trx, pageId, 'journal', r);
      // Its photos go in the same commit (their files, if any, after it: media/service.ts).
      await purgeMediaIn(trx as never, pageId, r);
      return this.change(trx, pageId, 'journal-removed', entryId, null);
    });
  }

  async journalPage(pageId: string, before: number | null, limit: number): Promise<Page<JournalEntry>> {
    let q = this.db.selectFrom('journal_entries').selectAll().where('page_id', '=', pageId);
    if (before !== null) q = q.where('seq', '<', before);
    const rows = await q.orderBy('seq', 'desc').limit(limit + 1).execute();
    return { items: rows.slice(0, limit).map(toEntry), hasMore: rows.length > limit };
  }

  async journalByIds(pageId: string, ids: string[]): Promise<Map<string, JournalEntry>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('journal_entries').selectAll().where('page_id', '=', pageId).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, toEntry(r)]));
  }

  /* -------------------------------------------------------------------------------- wall */

  async postWall(pageId: string, author: Author, clientId: string, body: string, pending: boolean) {
    const row = { id: randomUUID(), page_id: pageId, client_id: clientId, author_id: author.id, author_name: author.name, body, created_at: now(), hidden: 0, pending: pending ? 1 : 0, hearts: 0 };
    const r = await this.posts.insertPost('wall_messages', row, pendingAudit.getStore());
    const message = toMessage(r.row);
    return { message, seq: message.seq, created: r.created };
  }

  async getWall(pageId: string, messageId: string): Promise<WallMessage | null> {
    const r = await this.db.selectFrom('wall_messages').selectAll().where('page_id', '=', pageId).where('id', '=', messageId).executeTakeFirst();
    return r ? toMessage(r) : null;
  }

  async setWallFlags(pageId: string, messageId: string, flags: { hidden?: boolean; pending?: boolean }): Promise<Sequenced<WallMessage> | null> {
    return this.db.transaction().execute(async (trx) => {
      const patch: Partial<WallTable> = {};
      if (flags.hidden !== undefined) patch.hidden = flags.hidden ? 1 : 0;
      if (flags.pending !== undefined) patch.pending = flags.pending ? 1 : 0;
      const r = await trx.updateTable('wall_messages').set(patch).where('page_id', '=', pageId).where('id', '=', messageId).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return null;
      const seq = await this.change(trx, pageId, 'wall', messageId, null);
      const row = await trx.selectFrom('wall_messages').selectAll().where('id', '=', messageId).executeTakeFirstOrThrow();
      return { value: toMessage(row), seq };
    });
  }

  async deleteWall(pageId: string, messageId: string): Promise<number | null> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('hearts').where('message_id', '=', messageId).where('page_id', '=', pageId).execute();
      const r = await trx.deleteFrom('wall_messages').where('page_id', '=', pageId).where('id', '=', messageId).returning(['author_id', 'client_id']).executeTakeFirst();
      if (!r) return null;
      await this.rememberDeleted(trx, pageId, 'wall', r);
      return this.change(trx, pageId, 'wall-removed', messageId, null);
    });
  }

  async setHeart(pageId: string, messageId: string, userId: string, on: boolean) {
    return this.db.transaction().execute(async (trx) => {
      const msg = await trx.selectFrom('wall_messages').select('hearts').where('page_id', '=', pageId).where('id', '=', messageId).executeTakeFirst();
      if (!msg) return null;
      const changed = on
        ? (await trx.insertInto('hearts').values({ page_id: pageId, message_id: messageId, user_id: userId, created_at: now() }).onConflict((oc) => oc.doNothing()).returning('user_id').execute()).length
        : Number((await trx.deleteFrom('hearts').where('message_id', '=', messageId).where('user_id', '=', userId).executeTakeFirst()).numDeletedRows);
      if (changed === 0) return { hearts: msg.hearts, seq: null };
      const row = await trx
        .updateTable('wall_messages')
        .set((eb) => ({ hearts: eb('hearts', '+', on ? 1 : -1) }))
        .where('id', '=', messageId)
        .returning('hearts')
        .executeTakeFirstOrThrow();
      const seq = await this.change(trx, pageId, 'hearts', messageId, { userId, on });
      return { hearts: row.hearts, seq };
    });
  }

  async heartedBy(pageId: string, userId: string, messageIds: string[]): Promise<Set<string>> {
    if (messageIds.length === 0) return new Set();
    const rows = await this.db.selectFrom('hearts').select('message_id').where('page_id', '=', pageId).where('user_id', '=', userId).where('message_id', 'in', messageIds).execute();
    return new Set(rows.map((r) => r.message_id));
  }

  async wallPage(pageId: string, before: number | null, limit: number, view: WallView): Promise<Page<WallMessage>> {
    let q = this.db.selectFrom('wall_messages').selectAll().where('page_id', '=', pageId);
    if (before !== null) q = q.where('seq', '<', before);
    // As wallVisible (pages/visibility.ts): hidden and pending messages only to moderators and their author.
    if (!view.moderator) {
      q = q.where((eb) => eb.or([eb.and([eb('hidden', '=', 0), eb('pending', '=', 0)]), ...(view.userId === null ? [] : [eb('author_id', '=', view.userId)])]));
    }
    const rows = await q.orderBy('seq', 'desc').limit(limit + 1).execute();
    return { items: rows.slice(0, limit).map(toMessage), hasMore: rows.length > limit };
  }

  async wallByIds(pageId: string, ids: string[]): Promise<Map<string, WallMessage>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('wall_messages').selectAll().where('page_id', '=', pageId).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, toMessage(r)]));
  }

  /* ---------------------------------------------- hearts and comments on entries (6.3) */

  // Delegated so their SQL stays in journal-social.ts.
  setJournalHeart: Storage['setJournalHeart'] = (...a) => this.#social.setJournalHeart(...a);
  journalHeartedBy: Storage['journalHeartedBy'] = (...a) => this.#social.journalHeartedBy(...a);
  postComment: Storage['postComment'] = (...a) => this.#social.postComment(...a);
  getComment: Storage['getComment'] = (...a) => this.#social.getComment(...a);
  setCommentFlags: Storage['setCommentFlags'] = (...a) => this.#social.setCommentFlags(...a);
  deleteComment: Storage['deleteComment'] = (...a) => this.#social.deleteComment(...a);
  commentPage: Storage['commentPage'] = (...a) => this.#social.commentPage(...a);
  commentsByIds: Storage['commentsByIds'] = (...a) => this.#social.commentsByIds(...a);
  commentSummaries: Storage['commentSummaries'] = (...a) => this.#social.commentSummaries(...a);
  heldCommentAuthors: Storage['heldCommentAuthors'] = (...a) => this.#social.heldCommentAuthors(...a);
  commentCounts: Storage['commentCounts'] = (...a) => this.#social.commentCounts(...a);

  /* ------------------------------------------------------------ settings and invitations */

  async settings(pageId: string): Promise<SettingsRecord> {
    const at = now();
    const [follows, requests, editors, invites] = await Promise.all([
      this.db.selectFrom('follows').selectAll().where('page_id', '=', pageId).where('state', 'in', ['following', 'blocked']).orderBy('created_at').orderBy('user_id').execute(),
      this.requests(pageId),
      // An editor's name: the one they joined with, else the one they follow under, else their id.
      this.db
        .selectFrom('page_members as m')
        .leftJoin('follows as f', (j) => j.onRef('f.page_id', '=', 'm.page_id').onRef('f.user_id', '=', 'm.user_id'))
        .select(['m.user_id', 'm.name', 'f.name as follow_name'])
        .where('m.page_id', '=', pageId)
        .where('m.role', '=', 'editor')
        .orderBy('m.user_id')
        .execute(),
      this.db.selectFrom('invites').selectAll().where('page_id', '=', pageId).where('revoked_at', 'is', null).where('expires_at', '>', at).orderBy('created_at').orderBy('id').execute(),
    ]);
    return {
      followers: follows.filter((f) => f.state === 'following').map((f) => ({ userId: f.user_id, name: f.name, since: f.updated_at })),
      requests,
      editors: editors.map((e) => ({ userId: e.user_id, name: e.name ?? e.follow_name ?? e.user_id })),
      blocked: follows.filter((f) => f.state === 'blocked').map((f) => ({ userId: f.user_id, name: f.name, at: f.updated_at })),
      invites: invites.map((i) => ({ code: i.code, role: i.role as InviteRole, expiresAt: i.expires_at, maxUses: i.max_uses, uses: i.uses })),
    };
  }

  async createInvite(i: InviteRecord): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('invites')
        .values({ code: i.code, id: i.id, page_id: i.pageId, role: i.role, expires_at: i.expiresAt, max_uses: i.maxUses, uses: i.uses, created_by: i.createdBy, created_at: i.createdAt, revoked_at: i.revokedAt })
        .execute();
      await this.auditIn(trx, i.id);
    });
  }

  async revokeInvite(pageId: string, code: string, at: string): Promise<{ id: string; revoked: boolean } | null> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('invites').select(['id', 'revoked_at']).where('code', '=', code).where('page_id', '=', pageId).executeTakeFirst();
      if (!row) return null;
      if (row.revoked_at !== null) return { id: row.id, revoked: false };
      await trx.updateTable('invites').set({ revoked_at: at }).where('code', '=', code).execute();
      await this.auditIn(trx, row.id);
      return { id: row.id, revoked: true };
    });
  }

  async acceptInvite(pageId: string, code: string, user: Author, at: string): Promise<AcceptOutcome> {
    try {
      return await this.db.transaction().execute(async (trx): Promise<AcceptOutcome> => {
        // The use is counted first, by a statement that only matches while one is left: on
        // PostgreSQL it takes the invitation's row lock, so a concurrent accept waits and then
        // re-checks `uses < max_uses` against this one's committed count; SQLite runs one
        // transaction at a time. Everything below runs under that lock.
        const invite = await trx
          .updateTable('invites')
          .set((eb) => ({ uses: eb('uses', '+', 1) }))
          .where('code', '=', code)
          .where('page_id', '=', pageId)
          .where('revoked_at', 'is', null)
          .where('expires_at', '>', at)
          .where((eb) => eb('uses', '<', eb.ref('max_uses')))
          .returning(['id', 'role'])
          .executeTakeFirst();
        if (!invite) throw new Refused(await this.whyRefused(trx, pageId, code, at));
        const role = invite.role as InviteRole;
        const [member, follow] = await Promise.all([
          trx.selectFrom('page_members').select('role').where('page_id', '=', pageId).where('user_id', '=', user.id).executeTakeFirst(),
          trx.selectFrom('follows').select('state').where('page_id', '=', pageId).where('user_id', '=', user.id).executeTakeFirst(),
        ]);
        const followBefore = (follow?.state ?? 'none') as FollowState;
        if (member?.role === 'owner') throw new Refused({ ok: false, reason: 'owner' });
        if (!member && followBefore === 'blocked') throw new Refused({ ok: false, reason: 'blocked' });
        const has = role === 'editor' ? member?.role === 'editor' : member !== undefined || followBefore === 'following';
        if (has) {
          // Nothing to grant: the counted use is rolled back with the transaction.
          const page = await trx.selectFrom('pages').select('follower_count').where('id', '=', pageId).executeTakeFirstOrThrow();
          throw new Refused({ ok: true, role, inviteId: invite.id, changed: false, followBefore, followerCount: page.follower_count, seq: null });
        }
        // The audit row first, so it names the invitation (never its code).
        await this.auditIn(trx, invite.id);
        if (role === 'editor') {
          await trx
            .insertInto('page_members')
            .values({ page_id: pageId, user_id: user.id, role: 'editor', name: user.name })
            .onConflict((oc) => oc.columns(['page_id', 'user_id']).doNothing())
            .execute();
          // A member neither asks to follow nor is declined: a pending request or a decline
          // leaves the owner's list (a follow, if any, stays, as for any editor).
          await trx.deleteFrom('follows').where('page_id', '=', pageId).where('user_id', '=', user.id).where('state', 'in', ['requested', 'declined']).execute();
          const page = await trx.selectFrom('pages').select('follower_count').where('id', '=', pageId).executeTakeFirstOrThrow();
          return { ok: true, role, inviteId: invite.id, changed: true, followBefore, followerCount: page.follower_count, seq: null };
        }
        await trx
          .insertInto('follows')
          .values({ page_id: pageId, user_id: user.id, name: user.name, state: 'following', created_at: at, updated_at: at })
          .onConflict((oc) => oc.columns(['page_id', 'user_id']).doUpdateSet({ state: 'following', name: user.name, updated_at: at }))
          .execute();
        const page = await trx
          .updateTable('pages')
          .set((eb) => ({ follower_count: eb('follower_count', '+', 1) }))
          .where('id', '=', pageId)
          .returning('follower_count')
          .executeTakeFirstOrThrow();
        const seq = await this.change(trx, pageId, 'follow-count', null, { followerCount: page.follower_count });
        return { ok: true, role, inviteId: invite.id, changed: true, followBefore, followerCount: page.follower_count, seq };
      });
    } catch (err) {
      if (err instanceof Refused) return err.outcome;
      throw err;
    }
  }

  /** Why no use of the code could be counted (read inside the accepting transaction). */
  private async whyRefused(trx: Db, pageId: string, code: string, at: string): Promise<AcceptOutcome> {
    const row = await trx.selectFrom('invites').selectAll().where('code', '=', code).where('page_id', '=', pageId).executeTakeFirst();
    if (!row) return { ok: false, reason: 'not_found' };
    if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
    if (row.expires_at <= at) return { ok: false, reason: 'expired', expiresAt: row.expires_at };
    return { ok: false, reason: 'used_up' };
  }

  async removeEditor(pageId: string, userId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx.deleteFrom('page_members').where('page_id', '=', pageId).where('user_id', '=', userId).where('role', '=', 'editor').executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return false;
      await NotifyPrefsStore.dropUnlessEntitled(trx, pageId, [userId]);
      await this.auditIn(trx, userId);
      return true;
    });
  }

  /* ----------------------------------------------------------------------- notifications */

  notifyPrefs(pageId: string, userId: string) {
    return this.#notify.notifyPrefs(pageId, userId);
  }

  setNotifyPrefs(pageId: string, userId: string, change: NotifyPrefsChange, at: string): Promise<void> {
    return this.#notify.setNotifyPrefs(pageId, userId, change, at);
  }

  setNotifyAddress(userId: string, email: string | null, at: string): Promise<void> {
    return this.#notify.setNotifyAddress(userId, email, at);
  }

  unsubscribeEmail(userId: string, pageId: string | null, at: string): Promise<number> {
    return this.#notify.unsubscribeEmail(userId, pageId, at);
  }

  unsubscribeReminders(userId: string, pageId: string, at: string): Promise<boolean> {
    return this.#notify.unsubscribeReminders(userId, pageId, at);
  }

  volunteersOn(pageId: string, userId: string): Promise<boolean> {
    return this.#notify.volunteersOn(pageId, userId);
  }

  addPushSubscription(userId: string, s: PushSubscriptionData, at: string): Promise<void> {
    return this.#notify.addPushSubscription(userId, s, at);
  }

  removePushSubscription(endpoint: string, userId?: string): Promise<boolean> {
    return this.#notify.removePushSubscription(endpoint, userId);
  }

  pushSubscription(endpoint: string) {
    return this.#notify.pushSubscription(endpoint);
  }

  /* -------------------------------------------------------------------------- job queue */

  // The one job queue (jobs-storage.ts), delegated so its SQL stays in its own file.
  enqueueJobs: JobsStorage['enqueueJobs'] = (jobs) => this.jobs.enqueueJobs(jobs);
  claimJobs: JobsStorage['claimJobs'] = (...a) => this.jobs.claimJobs(...a);
  finishJob: JobsStorage['finishJob'] = (...a) => this.jobs.finishJob(...a);
  retryJob: JobsStorage['retryJob'] = (...a) => this.jobs.retryJob(...a);
  postponeJob: JobsStorage['postponeJob'] = (...a) => this.jobs.postponeJob(...a);
  queuedJobs: JobsStorage['queuedJobs'] = () => this.jobs.queuedJobs();
  nextJobDue: JobsStorage['nextJobDue'] = (kinds) => this.jobs.nextJobDue(kinds);
  recipientLoad: JobsStorage['recipientLoad'] = (...a) => this.jobs.recipientLoad(...a);
  pruneJobs: JobsStorage['pruneJobs'] = (before) => this.jobs.pruneJobs(before);
  expandCause: JobsStorage['expandCause'] = (...a) => this.jobs.expandCause(...a);
  stillWanted: JobsStorage['stillWanted'] = (w) => this.jobs.stillWanted(w);

  /**
   * The follow change's pending cause (`follow.requested` for a new request, `follow.approved`
   * for a request turned into a follow), written as a `cause` job in the change's
   * transaction. `asked`: this request's number (follow_asks), which keys the cause.
   */
  private async followCauseIn(trx: Transaction<Database>, pageId: string, userId: string, before: string | undefined, state: FollowState, followerCount: number, at: string): Promise<void> {
    const pending = pendingAudit.getStore();
    if (state === 'requested' && before !== 'requested' && takeCause(pending, 'follow.requested')) {
      const [pendingCount, asked] = await Promise.all([
        trx.selectFrom('follows').select((eb) => eb.fn.countAll<number | string>().as('n')).where('page_id', '=', pageId).where('state', '=', 'requested').executeTakeFirstOrThrow(),
        this.askedCount(trx, pageId, userId),
      ]);
      const cause = { type: 'follow.requested', pageId, userId, pendingCount: Number(pendingCount.n), at } as const;
      await this.jobs.enqueueIn(trx, [causeJob(cause, causeKeys.requested(pageId, userId, asked))], at);
    } else if (state === 'following' && before === 'requested' && takeCause(pending, 'follow.approved')) {
      const cause = { type: 'follow.approved', pageId, userId, followerCount, at } as const;
      await this.jobs.enqueueIn(trx, [causeJob(cause, causeKeys.approved(pageId, userId, await this.askedCount(trx, pageId, userId)))], at);
    }
  }

  private async askedCount(trx: Db, pageId: string, userId: string): Promise<number> {
    const r = await trx.selectFrom('follow_asks').select('asked').where('page_id', '=', pageId).where('user_id', '=', userId).executeTakeFirst();
    return Number(r?.asked ?? 0);
  }

  /* ----------------------------------------------------------------------------- changes */

  /** Keeps a deleted post's idempotency key, so that a late retry cannot post it again. */
  private async rememberDeleted(trx: Transaction<Database>, pageId: string, kind: 'journal' | 'wall' | 'comment', post: { author_id: string; client_id: string }): Promise<void> {
    await trx
      .insertInto('deleted_posts')
      .values({ page_id: pageId, kind, author_id: post.author_id, client_id: post.client_id })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  /**
   * Gives the page its next `seq` and records the change, inside the caller's transaction.
   * The `UPDATE … RETURNING` takes the page row's write lock, so concurrent writers to one
   * page (on any node) get strictly increasing, gap-free numbers.
   */
  private async change(trx: Transaction<Database>, pageId: string, type: ChangeType, itemId: string | null, data: Record<string, unknown> | null): Promise<number> {
    const row = await trx
      .updateTable('pages')
      .set((eb) => ({ seq: eb('seq', '+', 1) }))
      .where('id', '=', pageId)
      .returning('seq')
      .executeTakeFirst();
    if (!row) throw new CareFailure('not_found', 'No such page.');
    await trx
      .insertInto('changes')
      .values({ page_id: pageId, seq: row.seq, type, item_id: itemId, data: data ? JSON.stringify(data) : null, created_at: now() })
      .execute();
    await this.auditIn(trx, itemId);
    await this.prune(trx, pageId, row.seq);
    return row.seq;
  }

  /** Drops changes older than the retention, in batches (every 100th change) rather than on every write. */
  private async prune(db: Db, pageId: string, seq: number): Promise<void> {
    if (seq % 100 === 0 && seq > this.retention) {
      await db.deleteFrom('changes').where('page_id', '=', pageId).where('seq', '<=', seq - this.retention).execute();
    }
  }

  async changesSince(pageId: string, since: number): Promise<ChangeRecord[] | null> {
    const page = await this.db.selectFrom('pages').select('seq').where('id', '=', pageId).executeTakeFirst();
    if (!page || since > page.seq) return null;
    if (since === page.seq) return [];
    if (page.seq - since > this.retention) return null;
    const rows = await this.db.selectFrom('changes').selectAll().where('page_id', '=', pageId).where('seq', '>', since).orderBy('seq').execute();
    // Exactly the missed changes must be there; if pruning took the first, the gap is too old.
    if (rows.length !== page.seq - since || rows[0]?.seq !== since + 1) return null;
    return rows.map((r) => ({ seq: r.seq, type: r.type as ChangeType, itemId: r.item_id, data: r.data ? (JSON.parse(r.data) as Record<string, unknown>) : null }));
  }

  /* ------------------------------------------------------------------------------- audit */

  async appendAudit(a: AuditRecord): Promise<void> {
    await this.insertAudit(this.db, a);
  }

  /** The caller's pending audit row (`Audit.within`), written in this transaction if not yet written. */
  private async auditIn(trx: Db, itemId: string | null): Promise<void> {
    const a = takePendingAudit(itemId);
    if (a) await this.insertAudit(trx, a);
  }

  /** One audit row, bound to the page's current lifetime (looked up in the same statement). */
  private async insertAudit(db: Db, a: AuditRecord): Promise<void> {
    await db
      .insertInto('audit_log')
      .values({ ...auditRow(a), page_uid: lifetimeOf(a.pageId) })
      .execute();
  }

  async audit(q: AuditQuery): Promise<{ entries: StoredAudit[]; next: number | null }> {
    let query = this.db.selectFrom('audit_log').selectAll();
    if (q.lifetime !== undefined) query = query.where('page_uid', '=', q.lifetime);
    if (q.pageId !== undefined) query = query.where('page_id', '=', q.pageId);
    if (q.after !== undefined) query = query.where('id', '>', q.after);
    const rows = await query.orderBy('id').limit(q.limit + 1).execute();
    const entries = rows.slice(0, q.limit).map(
      (r): StoredAudit => ({
        id: Number(r.id),
        lifetime: r.page_uid,
        at: r.at,
        pageId: r.page_id,
        actorId: r.actor_id,
        actorRole: r.actor_role,
        action: r.action,
        target: r.target,
        detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
        ip: r.ip,
      }),
    );
    return { entries, next: rows.length > q.limit ? entries.at(-1)!.id : null };
  }

  async exportPage(pageId: string): Promise<PageExport | null> {
    const page = await this.getPage(pageId);
    if (!page) return null;
    const [members, follows, journal, wall, hearts, social, tasks] = await Promise.all([
      this.members(pageId),
      this.db.selectFrom('follows').selectAll().where('page_id', '=', pageId).orderBy('created_at').execute(),
      this.db.selectFrom('journal_entries').selectAll().where('page_id', '=', pageId).orderBy('seq').execute(),
      this.db.selectFrom('wall_messages').selectAll().where('page_id', '=', pageId).orderBy('seq').execute(),
      this.db.selectFrom('hearts').selectAll().where('page_id', '=', pageId).orderBy('created_at').execute(),
      this.#social.exportRows(this.db, pageId),
      this.planner.exportRows(pageId),
    ]);
    return {
      page,
      members,
      follows: follows.map((r) => ({ userId: r.user_id, name: r.name, state: r.state as FollowRecord['state'], createdAt: r.created_at, updatedAt: r.updated_at })),
      journal: journal.map(toEntry),
      wall: wall.map(toMessage),
      hearts: hearts.map((h) => ({ messageId: h.message_id, userId: h.user_id, at: h.created_at })),
      ...social,
      tasks,
    };
  }
}

/** Ends an accepting transaction without committing it, carrying the answer out. */
class Refused {
  constructor(readonly outcome: AcceptOutcome) {}
}

/**
 * The audit row the caller's `Audit.within` left pending for this change (its target
 * defaulting to the changed item), once: the first change of an operation writes it, in its
 * own transaction.
 */
function takePendingAudit(itemId: string | null): AuditRecord | null {
  const audit = pendingAudit.getStore();
  if (!audit || audit.written) return null;
  audit.written = true;
  return { ...audit.record, target: audit.record.target ?? itemId };
}

/** The page's current lifetime (`pages.uid`), read in the statement that writes an audit row; `NULL` when there is no such page. */
const lifetimeOf = (pageId: string) => sql<string | null>`(SELECT uid FROM pages WHERE id = ${pageId})`;

function auditRow(a: AuditRecord) {
  return { at: a.at, page_id: a.pageId, actor_id: a.actorId, actor_role: a.actorRole, action: a.action, target: a.target, detail: a.detail ? JSON.stringify(a.detail) : null, ip: a.ip };
}

function toPage(r: Selectable<PagesTable>): PageRecord {
  return {
    id: r.id,
    uid: r.uid,
    title: r.title,
    visibility: r.visibility as Visibility,
    wallModeration: r.wall_moderation as WallModeration,
    followerCount: r.follower_count,
    seq: r.seq,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** An entry as stored, with its heart count and comments state (SPEC 6.3; the service drops them when the feature is off). */
function toEntry(r: Selectable<JournalTable>): JournalEntry {
  return {
    id: r.id,
    pageId: r.page_id,
    seq: r.seq,
    title: r.title,
    body: r.body,
    author: { id: r.author_id, name: r.author_name },
    createdAt: r.created_at,
    editedAt: r.edited_at,
    hearts: Number(r.hearts),
    commentsOpen: Number(r.comments_open) === 1,
  };
}

function toMessage(r: Selectable<WallTable>): WallMessage {
  return { id: r.id, pageId: r.page_id, seq: r.seq, body: r.body, author: { id: r.author_id, name: r.author_name }, createdAt: r.created_at, hidden: r.hidden === 1, pending: r.pending === 1, hearts: r.hearts };
}
