/**
 * Notification causes are written in the transaction of the change that causes them (SQLite:
 * the group commit's savepoint; PostgreSQL: the journal post's one statement, a CTE; follows:
 * their Kysely transaction): a journal post's cause row exists iff the post committed. A
 * refused or repeated post leaves none, a wall post never makes one. And migration 007 moves
 * the webhook's old queue into the job queue. On SQLite, and on PostgreSQL with DATABASE_URL.
 */
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { after, before, describe, it } from 'node:test';
import type { Cause } from '../src/jobs/causes.js';
import { migrations } from '../src/storage/migrations.js';
import { pendingAudit, type PendingAudit } from '../src/storage/pending-audit.js';
import type { Database } from '../src/storage/schema.js';
import { startServer, type TestServer } from './helpers.js';
import { jobsOf } from './notify-helpers.js';
import { freshPostgres } from './pg.js';

const DATABASE_URL = process.env.DATABASE_URL;

interface Db {
  url: string;
  drop(): Promise<void>;
}
const dialects: [string, () => Promise<Db>][] = [
  ['sqlite', async () => ({ url: 'sqlite::memory:', drop: async () => {} })],
  ...(DATABASE_URL ? [['postgres', () => freshPostgres(DATABASE_URL)] as [string, () => Promise<Db>]] : []),
];
if (!DATABASE_URL) describe('causes: postgres', { skip: 'DATABASE_URL is not set' }, () => {});

for (const [name, open] of dialects) {
  describe(`causes in the change's transaction: ${name}`, () => {
    let db: Db;
    let ts: TestServer;
    before(async () => {
      db = await open();
      ts = await startServer({ db: db.url });
    });
    after(async () => {
      await ts.close();
      await db.drop();
    });

    const causes = async (pageId: string) => (await jobsOf(ts.db, { pageId, kind: 'cause' })).map((j) => ({ key: j.key, cause: JSON.parse(j.payload) as Cause }));

    it('a journal post writes one cause with its seq and follower count; a retry, an edit and a wall post write none', async () => {
      const pageId = await ts.page({ followers: ['f1', 'f2'] });
      const owner = await ts.connect('owner');
      const posted = await owner.ok('journal:post', { pageId, clientId: 'j1', title: 'T', body: 'B' });
      await owner.ok('journal:post', { pageId, clientId: 'j1', title: 'T', body: 'B' });
      await owner.ok('journal:edit', { pageId, entryId: posted.entry.id, title: 'T2', body: 'B2' });
      await owner.ok('wall:post', { pageId, clientId: 'w1', body: 'hello' });
      const fan = await ts.connect('f1');
      await fan.ok('wall:post', { pageId, clientId: 'w2', body: 'hi' });
      const rows = await causes(pageId);
      assert.deepEqual(rows, [
        {
          key: `journal.posted:${posted.entry.id}`,
          cause: { type: 'journal.posted', pageId, entryId: posted.entry.id, seq: posted.entry.seq, followerCount: 2, at: posted.entry.createdAt, authorId: 'owner' },
        },
      ]);
      owner.close();
      fan.close();
    });

    it('a refused post leaves no cause: not allowed, a deleted post retried, a page that is gone', async () => {
      const pageId = await ts.page({ followers: ['f1'] });
      const owner = await ts.connect('owner');
      const fan = await ts.connect('f1');
      await fan.fails('journal:post', { pageId, clientId: 'x', title: 'T', body: 'B' }, 'forbidden');
      const posted = await owner.ok('journal:post', { pageId, clientId: 'gone', title: 'T', body: 'B' });
      await owner.ok('journal:delete', { pageId, entryId: posted.entry.id });
      await owner.fails('journal:post', { pageId, clientId: 'gone', title: 'T', body: 'B' }, 'conflict');
      assert.deepEqual((await causes(pageId)).map((c) => c.key), [`journal.posted:${posted.entry.id}`], 'only the post that committed');
      // The storage path itself, with a cause pending: no page, no row.
      const pending: PendingAudit = { record: { at: new Date().toISOString(), pageId: 'no-such-page', actorId: 'owner', actorRole: 'owner', action: 'journal.post', target: null, detail: null, ip: null }, written: false, cause: 'journal.posted' };
      await assert.rejects(pendingAudit.run(pending, () => ts.storage.postJournal('no-such-page', { id: 'owner', name: 'O' }, 'c', 'T', 'B')), /No such page/);
      assert.ok(!pending.causeWritten, 'not written (or marked unwritten with the rollback)');
      assert.deepEqual(await jobsOf(ts.db, { pageId: 'no-such-page' }), []);
      owner.close();
      fan.close();
    });

    it('concurrent posts, some repeats and one refused: exactly one cause per committed entry', async () => {
      const pageId = await ts.page();
      const gone = await ts.storage.postJournal(pageId, { id: 'owner', name: 'O' }, 'gone', 'T', 'B');
      await ts.storage.deleteJournal(pageId, gone.entry.id);
      const pending = (i: number) => ({
        record: { at: new Date().toISOString(), pageId, actorId: 'owner', actorRole: 'owner', action: 'journal.post', target: null, detail: null, ip: null },
        written: false,
        cause: 'journal.posted' as const,
        i,
      });
      // Twelve posts in one turn (one SQLite transaction, a savepoint each): four of them the
      // same clientId, one the deleted post's.
      const clientOf = (i: number) => (i === 5 ? 'gone' : i < 4 ? 'same' : `c${i}`);
      const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => pendingAudit.run(pending(i), () => ts.storage.postJournal(pageId, { id: 'owner', name: 'O' }, clientOf(i), 'T', 'B'))));
      assert.deepEqual(
        results.flatMap((r, i) => (r.status === 'rejected' ? [i] : [])),
        [5],
      );
      const created = results.flatMap((r) => (r.status === 'fulfilled' && r.value.created ? [r.value.entry] : []));
      assert.equal(created.length, 8, "the 'same' one once, and c4, c6…c11");
      const rows = await causes(pageId);
      // (The deleted one was posted without a pending cause: none for it either.)
      assert.deepEqual(rows.map((r) => r.key).sort(), created.map((e) => `journal.posted:${e.id}`).sort());
      for (const e of created) assert.equal((rows.find((r) => r.key === `journal.posted:${e.id}`)?.cause as { seq?: number } | undefined)?.seq, e.seq, 'the seq the entry got');
    });

    it('a follow request and its approval each write one cause (numbered by the request); a decline none', async () => {
      const pageId = await ts.page({ visibility: 'private', followers: ['f1'] });
      const owner = await ts.connect('owner');
      const asker = await ts.connect('asker');
      const other = await ts.connect('other');
      await asker.ok('follow:set', { pageId, follow: true });
      await other.ok('follow:set', { pageId, follow: true });
      await owner.ok('follow:decide', { pageId, userId: 'asker', approve: true });
      await owner.ok('follow:decide', { pageId, userId: 'other', approve: false });
      const rows = (await causes(pageId)).map((r) => ({ ...r, cause: { ...r.cause, at: null } }));
      assert.deepEqual(rows, [
        { key: `follow.requested:${pageId}:asker:1`, cause: { type: 'follow.requested', pageId, userId: 'asker', pendingCount: 1, at: null } },
        { key: `follow.requested:${pageId}:other:1`, cause: { type: 'follow.requested', pageId, userId: 'other', pendingCount: 2, at: null } },
        { key: `follow.approved:${pageId}:asker:1`, cause: { type: 'follow.approved', pageId, userId: 'asker', followerCount: 2, at: null } },
      ]);
      // Asking again later is a new request, a new cause.
      await asker.ok('follow:set', { pageId, follow: false });
      await asker.ok('follow:set', { pageId, follow: true });
      assert.equal((await causes(pageId)).at(-1)?.key, `follow.requested:${pageId}:asker:2`);
      for (const c of [owner, asker, other]) c.close();
    });

    it('deleting a page deletes its queued jobs in the same transaction; finished ones stay until pruned', async () => {
      const pageId = await ts.page();
      const at = new Date(Date.now() + 3_600_000).toISOString();
      const job = (n: string) => ({ id: `${pageId}-${n}`, kind: 'email' as const, key: `email:test:${pageId}:${n}`, pageId, recipient: 'u', payload: '{}', dueAt: at });
      await ts.storage.enqueueJobs([job('a'), job('b')]);
      await ts.storage.enqueueJobs([{ ...job('c'), dueAt: new Date(0).toISOString() }]);
      await ts.storage.finishJob(`${pageId}-c`, 'done', new Date().toISOString(), null);
      assert.equal(await ts.storage.deletePage(pageId), true);
      assert.deepEqual((await jobsOf(ts.db, { pageId })).map((j) => [j.id, j.state]), [[`${pageId}-c`, 'done']]);
    });
  });

  describe(`migration 007 moves the webhook outbox into the job queue: ${name}`, () => {
    it('queued webhook notifications become webhook jobs with the same id (X-Care-Delivery), and the old table goes', async () => {
      const db = await open();
      let kysely: Kysely<unknown>;
      if (name === 'sqlite') kysely = new Kysely({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
      else kysely = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: db.url, max: 2 }) }) });
      try {
        const list = migrations(name as 'sqlite' | 'postgres');
        const schema = name === 'postgres' ? new URL(db.url).searchParams.get('options')!.split('=')[1] : undefined;
        const migrator = new Migrator({ db: kysely, provider: { getMigrations: async () => list }, ...(schema ? { migrationTableSchema: schema } : {}) });
        assert.equal((await migrator.migrateTo('006_notify')).error, undefined);
        const body = JSON.stringify({ type: 'journal.posted', pageId: 'p1', entryId: 'e1', seq: 3, followerCount: 1, at: '2024-01-01T00:00:00.000Z' });
        const id = '6f1c1a52-6d3e-4c5b-9a57-0d7a2b0c1e11';
        const k = kysely as unknown as Kysely<Record<string, Record<string, unknown>>>;
        await k.insertInto('webhook_outbox').values({ id, type: 'journal.posted', body, attempts: 2, due_at: '2024-01-01T00:00:05.000Z', claimed_until: '2024-01-01T00:00:15.000Z' }).execute();
        assert.equal((await migrator.migrateToLatest()).error, undefined);
        const jobs = await (kysely as unknown as Kysely<Database>).selectFrom('jobs').selectAll().execute();
        assert.deepEqual(
          jobs.map((j) => ({ ...j, attempts: Number(j.attempts) })),
          [{ id, kind: 'webhook', key: id, page_id: 'p1', recipient: null, payload: body, attempts: 2, state: 'queued', due_at: '2024-01-01T00:00:05.000Z', claimed_until: null, created_at: '2024-01-01T00:00:05.000Z', finished_at: null }],
        );
        await assert.rejects(k.selectFrom('webhook_outbox').selectAll().execute(), /webhook_outbox/);
      } finally {
        await kysely.destroy();
        await db.drop();
      }
    });
  });
}
