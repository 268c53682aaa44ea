/**
 * The storage contract, written against the `Storage` interface only, so every
 * implementation runs the same suite: `storageSuite('sqlite', open)` in storage.test.ts, and
 * later `storageSuite('postgres', open)` with a PostgreSQL `open`. Page ids are unique per
 * test, so a shared database works.
 */
import assert from 'node:assert/strict';
import { pendingAudit } from '../src/storage/pending-audit.js';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { CareFailure } from '../src/errors.js';
import type { Database } from '../src/storage/schema.js';
import type { NewPage, Storage } from '../src/storage/types.js';
import { auditTrail, uniqueId } from './helpers.js';

/** Opens a migrated store that keeps `retention` changes per page for catch-up. */
export type OpenStorage = (retention: number) => Promise<Storage>;

const pat = { id: 'pat', name: 'Pat' };
const kin = { id: 'kin', name: 'Kin' };

/** The Kysely instance of a SQL store, for checks below the interface (absent for others). */
function rawDb(storage: Storage): Kysely<Database> | null {
  const db = (storage as unknown as { db?: Kysely<Database> }).db;
  return db ?? null;
}

export function storageSuite(name: string, open: OpenStorage): void {
  describe(`storage: ${name}`, () => {
    let s: Storage;
    before(async () => {
      s = await open(10_000);
    });
    after(async () => {
      await s.close();
    });

    const page = async (over: Partial<NewPage> = {}) => {
      const p: NewPage = { id: uniqueId('st'), title: 'A page', visibility: 'public', wallModeration: 'post', owners: ['pat'], editors: ['ed'], ...over };
      await s.createPage(p);
      return p.id;
    };
    const seqOf = async (id: string) => (await s.getPage(id))!.seq;

    it('migrates idempotently and answers ping', async () => {
      await s.migrate();
      await s.ping();
    });

    it('creates and reads pages; a duplicate id is a conflict', async () => {
      const id = await page({ visibility: 'private', owners: ['pat', 'pat'], editors: ['ed', 'pat'] });
      const p = await s.getPage(id);
      assert.deepEqual(
        { id: p?.id, title: p?.title, visibility: p?.visibility, wallModeration: p?.wallModeration, followerCount: p?.followerCount, seq: p?.seq },
        { id, title: 'A page', visibility: 'private', wallModeration: 'post', followerCount: 0, seq: 0 },
      );
      // A user listed twice keeps the stronger role.
      assert.deepEqual(await s.members(id), [{ userId: 'pat', role: 'owner' }, { userId: 'ed', role: 'editor' }]);
      assert.equal(await s.memberRole(id, 'pat'), 'owner');
      assert.equal(await s.memberRole(id, 'ed'), 'editor');
      assert.equal(await s.memberRole(id, 'kin'), null);
      await assert.rejects(
        s.createPage({ id, title: 'Again', visibility: 'public', wallModeration: 'post', owners: ['x'], editors: [] }),
        (err: unknown) => err instanceof CareFailure && err.code === 'conflict',
      );
      assert.equal((await s.getPage(id))?.title, 'A page');
      assert.equal(await s.getPage('st-missing'), null);
    });

    it('seq: every change takes exactly the next seq, per page; no-ops take none', async () => {
      const a = await page();
      const b = await page();
      const seqs: number[] = [];
      const j = await s.postJournal(a, pat, 'c1', 'T', 'B');
      seqs.push(j.seq);
      seqs.push((await s.editJournal(a, j.entry.id, 'T2', 'B2'))!.seq);
      const w = await s.postWall(a, kin, 'c2', 'W', false);
      seqs.push(w.seq);
      seqs.push((await s.setWallFlags(a, w.message.id, { hidden: true }))!.seq);
      seqs.push((await s.setHeart(a, w.message.id, 'kin', true))!.seq!);
      seqs.push((await s.setFollow(a, kin, 'following')).seq!);
      seqs.push((await s.updatePage(a, { title: 'New' }))!.seq);
      seqs.push((await s.deleteWall(a, w.message.id))!);
      seqs.push((await s.deleteJournal(a, j.entry.id))!);
      assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.equal(await seqOf(a), 9);

      // No-ops: a retried post, a repeated heart, a follow state that does not change the count, members.
      const m = await s.postWall(a, kin, 'c3', 'W', false);
      assert.equal(m.seq, 10);
      assert.equal((await s.postWall(a, kin, 'c3', 'W', false)).created, false);
      await s.setFollow(a, { id: 'asker', name: 'A' }, 'requested');
      await s.setMembers(a, { editors: ['ed2'] });
      assert.equal((await s.setHeart(a, m.message.id, 'kin', false))?.seq, null);
      assert.equal(await seqOf(a), 10);
      // Missing items change nothing.
      assert.equal(await s.editJournal(a, 'nope', 't', 'b'), null);
      assert.equal(await s.deleteJournal(a, 'nope'), null);
      assert.equal(await s.deleteWall(a, 'nope'), null);
      assert.equal(await s.setWallFlags(a, 'nope', { hidden: true }), null);
      assert.equal(await s.setHeart(a, 'nope', 'kin', true), null);
      assert.equal(await s.updatePage('st-missing', { title: 'x' }), null);
      assert.equal(await seqOf(a), 10);
      // The other page has its own sequence.
      assert.equal((await s.postJournal(b, pat, 'c1', 'T', 'B')).seq, 1);
      // Writing to a page that does not exist fails and creates nothing.
      await assert.rejects(s.postJournal('st-missing', pat, 'c1', 'T', 'B'));
      assert.equal(await s.changesSince('st-missing', 0), null);
    });

    it('seq: concurrent writers to one page get distinct, gap-free numbers', async () => {
      const id = await page();
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 ? s.postJournal(id, pat, `j${i}`, 't', 'b') : s.postWall(id, kin, `w${i}`, 'b', false))),
      );
      const seqs = results.map((r) => r.seq).sort((x, y) => x - y);
      assert.deepEqual(seqs, Array.from({ length: 30 }, (_, i) => i + 1));
      assert.equal(await seqOf(id), 30);
      const changes = await s.changesSince(id, 0);
      assert.deepEqual(changes?.map((c) => c.seq), seqs);
    });

    it('idempotent posts: the same (author, clientId) returns the original, also when racing', async () => {
      const id = await page();
      const first = await s.postJournal(id, pat, 'same', 'Title', 'Body');
      assert.equal(first.created, true);
      const retry = await s.postJournal(id, pat, 'same', 'Other title', 'Other body');
      assert.deepEqual([retry.created, retry.entry, retry.seq], [false, first.entry, first.seq]);
      const racing = await Promise.all(Array.from({ length: 5 }, () => s.postWall(id, kin, 'race', 'once', false)));
      assert.equal(new Set(racing.map((r) => r.message.id)).size, 1);
      assert.equal(racing.filter((r) => r.created).length, 1);
      // Another author may use the same clientId; another page too.
      const other = await s.postJournal(id, kin, 'same', 'Title', 'Body');
      assert.notEqual(other.entry.id, first.entry.id);
      const elsewhere = await s.postJournal(await page(), pat, 'same', 'Title', 'Body');
      assert.equal(elsewhere.created, true);
      assert.equal((await s.journalPage(id, null, 100)).items.length, 2);
      assert.equal((await s.wallPage(id, null, 100, { moderator: true, userId: null })).items.length, 1);
      assert.equal(await seqOf(id), 3);
    });

    it('job queue: claims due jobs once, by lease; retried ones come back; keys are unique; finished ones are pruned', async () => {
      const iso = (ms: number) => new Date(Date.now() + ms).toISOString();
      const tag = uniqueId('job');
      const kind = 'webhook' as const;
      const job = (n: string, dueAt: string) => ({ id: `${tag}-${n}`, kind, key: `${tag}:${n}`, pageId: null, recipient: null, payload: `{"n":"${n}"}`, dueAt });
      const dues = [iso(-3000), iso(-2000), iso(-1000)];
      assert.equal(await s.enqueueJobs(['n1', 'n2', 'n3'].map((n, i) => job(n, dues[i]!))), 3);
      assert.equal(await s.enqueueJobs([job('later', iso(600_000))]), 1);
      assert.equal(await s.enqueueJobs([{ ...job('n1', dues[0]!), id: `${tag}-again` }]), 0, 'a key is queued once, ever');
      const ids = ['n1', 'n2', 'n3'].map((n) => `${tag}-${n}`);
      const mine = (jobs: { id: string }[]) => jobs.map((j) => j.id).filter((id) => id.startsWith(tag));
      const now = iso(0);
      const lease = iso(30_000);

      // Two nodes claiming at once never get the same job; the one due later waits.
      const [a, b] = await Promise.all([s.claimJobs(kind, 2, now, lease), s.claimJobs(kind, 2, now, lease)]);
      const first = mine([...a, ...b]);
      assert.equal(new Set(first).size, first.length, `never the same one twice: ${first.join(', ')}`);
      assert.equal([...a, ...b].find((j) => j.id === ids[0])?.payload, '{"n":"n1"}', 'the earliest due first');
      const rest = mine(await s.claimJobs(kind, 10, now, lease));
      assert.deepEqual([...first, ...rest].sort(), [...ids].sort(), 'each due one claimed exactly once');
      assert.deepEqual(mine(await s.claimJobs(kind, 10, now, lease)), [], 'all held');
      assert.deepEqual(mine(await s.claimJobs('email', 10, iso(120_000), iso(150_000))), [], 'by kind');

      // A failed attempt releases it, due again; a finished one is never claimed again.
      await s.retryJob(ids[0]!, 1, iso(-10));
      assert.equal(await s.finishJob(ids[1]!, 'done', now, null), true);
      assert.equal(await s.finishJob(ids[1]!, 'done', now, null), false, 'finished once');
      const again = await s.claimJobs(kind, 10, iso(0), lease);
      assert.deepEqual(again.filter((j) => j.id.startsWith(tag)).map((j) => [j.id, j.attempts]), [[ids[0], 1]]);
      // A holder that died: its lease runs out and another node takes it over.
      assert.equal(await s.finishJob(ids[0]!, 'failed', now, null), true);
      assert.deepEqual(mine(await s.claimJobs(kind, 10, iso(31_000), iso(60_000))), [ids[2]]);
      // Postponed (a rate limit): due later, attempts unchanged.
      await s.postponeJob(ids[2]!, iso(90_000));
      assert.deepEqual(mine(await s.claimJobs(kind, 10, iso(80_000), iso(85_000))), []);
      const lease3 = iso(95_000);
      assert.deepEqual((await s.claimJobs(kind, 10, iso(91_000), lease3)).filter((j) => j.id === ids[2]).map((j) => j.attempts), [0]);
      assert.ok((await s.queuedJobs()).webhook! >= 2);
      assert.equal(await s.nextJobDue([kind]), lease3, 'a held job is next when its lease ends (before the one due in 10 minutes)');
      assert.equal(await s.nextJobDue(['push']), null);

      // Finished rows are kept (keys, the rate limit) until pruned.
      assert.equal(await s.enqueueJobs([{ ...job('n2', iso(0)), id: `${tag}-n2-again` }]), 0);
      await s.pruneJobs(iso(1_000));
      assert.equal(await s.enqueueJobs([{ ...job('n2', iso(0)), id: `${tag}-n2-again` }]), 1, 'the key is free once pruned');
      for (const id of [ids[2]!, `${tag}-later`, `${tag}-n2-again`]) await s.finishJob(id, 'done', now, null);
    });

    it('concurrent posts (one SQLite commit for many): a failing one rolls back alone, each keeps its own audit row', async () => {
      const id = await page();
      const gone = await s.postWall(id, kin, 'gone', 'deleted before', false);
      await s.deleteWall(id, gone.message.id);
      const seq0 = await seqOf(id);
      const audited = (i: number) => ({ record: { at: new Date().toISOString(), pageId: id, actorId: `u${i}`, actorRole: 'visitor', action: 'wall.post', target: null, detail: null, ip: null }, written: false });
      // Ten posts started in one turn; the fifth retries the deleted post's clientId.
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => pendingAudit.run(audited(i), () => s.postWall(id, i === 4 ? kin : { id: `u${i}`, name: `U${i}` }, i === 4 ? 'gone' : `c${i}`, `m${i}`, false))),
      );
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
      assert.deepEqual(failed, [4]);
      assert.ok((results[4] as PromiseRejectedResult).reason instanceof CareFailure && (results[4] as PromiseRejectedResult).reason.code === 'conflict');
      const seqs = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.seq] : [])).sort((a, b) => a - b);
      assert.deepEqual(seqs, Array.from({ length: 9 }, (_, i) => seq0 + 1 + i), 'the others take the next seqs, no gap, none for the refused one');
      assert.equal(await seqOf(id), seq0 + 9);
      const bodies = (await s.wallPage(id, null, 100, { moderator: true, userId: null })).items.map((m) => m.body).sort();
      assert.deepEqual(bodies, ['m0', 'm1', 'm2', 'm3', 'm5', 'm6', 'm7', 'm8', 'm9']);
      const rows = (await auditTrail(s, id)).filter((r) => r.action === 'wall.post');
      const byActor = new Map(rows.map((r) => [r.actorId, r.target]));
      for (const [i, r] of results.entries()) {
        if (r.status === 'fulfilled') assert.equal(byActor.get(`u${i}`), r.value.message.id, `u${i}'s audit row names u${i}'s message`);
      }
      assert.equal(byActor.has('u4'), false, 'the refused post left no audit row');
    });

    it('a post and an access read made while another transaction is open are not part of it: they wait, and its rollback keeps the post', async () => {
      const db = rawDb(s)!;
      const id = await page();
      let posted: ReturnType<Storage['postWall']> | undefined;
      let read: ReturnType<Storage['pageAccess']> | undefined;
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await trx.updateTable('pages').set({ title: 'Never committed', visibility: 'private' }).where('id', '=', id).execute();
          posted = s.postWall(id, kin, 'during', 'posted during another transaction', false);
          read = s.pageAccess(id, 'kin');
          // Long enough for the post's group commit to come round while this is still open.
          await new Promise((resolve) => setTimeout(resolve, 50));
          throw new Error('rolled back');
        }),
        /rolled back/,
      );
      const r = await posted!;
      assert.equal(r.created, true);
      assert.deepEqual([(await read!)?.page.title, (await read!)?.page.visibility], ['A page', 'public'], 'the read never saw the uncommitted change');
      const after = (await s.getPage(id))!;
      assert.deepEqual([after.title, after.visibility, after.seq], ['A page', 'public', r.seq]);
      assert.equal((await s.getWall(id, r.message.id))?.body, 'posted during another transaction', 'the post outlived the rollback');
      assert.deepEqual((await s.changesSince(id, 0))?.map((c) => c.itemId), [r.message.id]);
    });

    it('pageAccess: the page with one user\'s member role and follow state, in one read', async () => {
      const id = await page({ owners: ['pat'], editors: ['ed'] });
      await s.setFollow(id, kin, 'requested');
      const page0 = await s.getPage(id);
      assert.deepEqual(await s.pageAccess(id, 'pat'), { page: page0, member: 'owner', follow: null });
      assert.deepEqual(await s.pageAccess(id, 'ed'), { page: page0, member: 'editor', follow: null });
      assert.deepEqual(await s.pageAccess(id, 'kin'), { page: page0, member: null, follow: 'requested' });
      assert.deepEqual(await s.pageAccess(id, 'nobody'), { page: page0, member: null, follow: null });
      assert.deepEqual(await s.pageAccess(id, null), { page: page0, member: null, follow: null });
      await s.setFollow(id, { id: 'pat', name: 'Pat' }, 'following');
      assert.deepEqual((await s.pageAccess(id, 'pat'))?.follow, 'following', 'a member who also follows');
      assert.equal(await s.pageAccess('no-such-page', 'pat'), null);
    });

    it('a retry of a deleted post is refused with conflict, not posted again; the key keeps no content', async () => {
      const id = await page();
      const j = await s.postJournal(id, pat, 'gone-j', 'Title', 'Private words');
      const w = await s.postWall(id, kin, 'gone-w', 'Wall words', false);
      assert.equal(await s.deleteJournal(id, j.entry.id), 3);
      assert.equal(await s.deleteWall(id, w.message.id), 4);
      for (const retry of [() => s.postJournal(id, pat, 'gone-j', 'Title', 'Private words'), () => s.postWall(id, kin, 'gone-w', 'Wall words', false)]) {
        await assert.rejects(retry(), (err: unknown) => err instanceof CareFailure && err.code === 'conflict');
      }
      assert.equal(await seqOf(id), 4, 'a refused retry uses no seq');
      assert.equal((await s.journalPage(id, null, 100)).items.length, 0);
      assert.equal((await s.wallPage(id, null, 100, { moderator: true, userId: null })).items.length, 0);
      // The key is per author and per kind: others, and the same clientId on the wall, still post.
      assert.equal((await s.postJournal(id, kin, 'gone-j', 'T', 'B')).created, true);
      assert.equal((await s.postWall(id, pat, 'gone-j', 'W', false)).created, true);
      // A page that does not exist is not_found, not conflict.
      await assert.rejects(s.postWall('no-such-page', kin, 'gone-w', 'W', false), (err: unknown) => err instanceof CareFailure && err.code === 'not_found');
      await assert.rejects(s.postJournal('no-such-page', pat, 'x', 'T', 'B'), (err: unknown) => err instanceof CareFailure && err.code === 'not_found');
      const db = rawDb(s);
      if (db) {
        const keys = await db.selectFrom('deleted_posts').selectAll().where('page_id', '=', id).orderBy('kind').execute();
        assert.deepEqual(keys, [
          { page_id: id, kind: 'journal', author_id: 'pat', client_id: 'gone-j' },
          { page_id: id, kind: 'wall', author_id: 'kin', client_id: 'gone-w' },
        ]);
        assert.equal(await s.deletePage(id), true);
        assert.equal((await db.selectFrom('deleted_posts').selectAll().where('page_id', '=', id).execute()).length, 0, 'purged with the page');
      }
    });

    it('changesSince: exactly the changes after since, in order; [] when current; null when unknown', async () => {
      const id = await page();
      const j = await s.postJournal(id, pat, 'c1', 'T', 'B');
      const w = await s.postWall(id, kin, 'c2', 'W', false);
      await s.setHeart(id, w.message.id, 'pat', true);
      await s.setFollow(id, kin, 'following');
      await s.updatePage(id, { visibility: 'members' });
      await s.deleteJournal(id, j.entry.id);
      await s.setWallFlags(id, w.message.id, { hidden: true });
      await s.deleteWall(id, w.message.id);

      const all = await s.changesSince(id, 0);
      assert.deepEqual(
        all?.map((c) => [c.seq, c.type, c.itemId]),
        [
          [1, 'journal', j.entry.id],
          [2, 'wall', w.message.id],
          [3, 'hearts', w.message.id],
          [4, 'follow-count', null],
          [5, 'page', null],
          [6, 'journal-removed', j.entry.id],
          [7, 'wall', w.message.id],
          [8, 'wall-removed', w.message.id],
        ],
      );
      assert.deepEqual(all?.[2]?.data, { userId: 'pat', on: true });
      assert.deepEqual(all?.[3]?.data, { followerCount: 1 });
      assert.deepEqual((await s.changesSince(id, 5))?.map((c) => c.seq), [6, 7, 8]);
      assert.deepEqual(await s.changesSince(id, 8), []);
      assert.equal(await s.changesSince(id, 9), null, 'a since from the future is unknown');
      assert.equal(await s.changesSince('st-missing', 0), null);
    });

    it('changesSince: null when the gap is older than the retention, also after pruning', async () => {
      const small = await open(5);
      try {
        const id = uniqueId('st');
        await small.createPage({ id, title: 'Small', visibility: 'public', wallModeration: 'post', owners: ['pat'], editors: [] });
        for (let i = 0; i < 10; i++) await small.postJournal(id, pat, `c${i}`, 't', 'b');
        assert.equal(await small.changesSince(id, 4), null);
        assert.deepEqual((await small.changesSince(id, 5))?.map((c) => c.seq), [6, 7, 8, 9, 10]);
        // Past a pruning point (every 100th change) old changes are gone, recent ones complete.
        for (let i = 10; i < 105; i++) await small.postJournal(id, pat, `c${i}`, 't', 'b');
        assert.equal(await small.changesSince(id, 50), null);
        assert.equal(await small.changesSince(id, 0), null);
        assert.deepEqual((await small.changesSince(id, 101))?.map((c) => c.seq), [102, 103, 104, 105]);
        const db = rawDb(small);
        if (db) {
          const kept = await db.selectFrom('changes').select('seq').where('page_id', '=', id).orderBy('seq').execute();
          assert.ok(kept[0]!.seq > 50, `old changes were pruned (first kept: ${kept[0]!.seq})`);
        }
      } finally {
        await small.close();
      }
    });

    it('deletePage purges everything of that page and nothing else; the audit log stays', async () => {
      const id = await page({ visibility: 'private' });
      const keep = await page();
      for (const p of [id, keep]) {
        await s.postJournal(p, pat, 'c1', 'T', 'B');
        const w = await s.postWall(p, kin, 'c2', 'W', false);
        await s.setHeart(p, w.message.id, 'kin', true);
        await s.setFollow(p, kin, 'following');
        await s.setFollow(p, { id: 'asker', name: 'A' }, 'requested');
        await s.appendAudit({ at: new Date().toISOString(), pageId: p, actorId: 'pat', actorRole: 'owner', action: 'test', target: null, detail: null, ip: null });
      }
      const keepExport = await s.exportPage(keep);
      const lifetime = (await s.getPage(id))!.uid;
      assert.equal(await s.deletePage(id), true);

      assert.equal(await s.getPage(id), null);
      assert.equal(await s.exportPage(id), null);
      assert.deepEqual(await s.members(id), []);
      assert.equal(await s.getFollow(id, 'kin'), null);
      assert.deepEqual(await s.requests(id), []);
      assert.deepEqual((await s.journalPage(id, null, 100)).items, []);
      assert.deepEqual((await s.wallPage(id, null, 100, { moderator: true, userId: null })).items, []);
      assert.equal((await s.heartedBy(id, 'kin', ['x'])).size, 0);
      assert.equal(await s.changesSince(id, 0), null);
      const db = rawDb(s);
      if (db) {
        for (const t of ['page_members', 'follows', 'journal_entries', 'wall_messages', 'hearts', 'changes'] as const) {
          const rows = await db.selectFrom(t).select('page_id').where('page_id', '=', id).execute();
          assert.equal(rows.length, 0, `${t} still has rows of the deleted page`);
        }
      }
      assert.equal(await s.deletePage(id), false);
      assert.deepEqual(await s.exportPage(keep), keepExport);
      assert.deepEqual((await auditTrail(s, id, lifetime)).map((a) => a.action), ['test'], 'the deleted lifetime keeps its trail');
    });

    it('a page id used again starts a new lifetime: its audit trail is empty, the old one stays whole', async () => {
      const id = uniqueId('reused');
      const row = (action: string) => ({ at: new Date().toISOString(), pageId: id, actorId: 'pat', actorRole: 'owner', action, target: null, detail: null, ip: null });
      await s.createPage({ id, title: 'First patient', visibility: 'private', wallModeration: 'post', owners: ['first'], editors: [] });
      const first = (await s.getPage(id))!.uid;
      await s.appendAudit(row('first.read'));
      await s.deletePage(id);
      await s.createPage({ id, title: 'Second patient', visibility: 'private', wallModeration: 'post', owners: ['second'], editors: [] });
      const second = (await s.getPage(id))!.uid;
      assert.notEqual(second, first);
      assert.deepEqual(await auditTrail(s, id), []);
      await s.appendAudit(row('second.read'));
      assert.deepEqual((await auditTrail(s, id)).map((a) => a.action), ['second.read']);
      assert.deepEqual((await auditTrail(s, id, first)).map((a) => a.action), ['first.read']);
    });

    it('audit pages: a cursor walks every row once, in order, `limit` at a time', async () => {
      const id = await page();
      for (let i = 0; i < 7; i++) await s.appendAudit({ at: new Date().toISOString(), pageId: id, actorId: 'pat', actorRole: 'owner', action: `a${i}`, target: null, detail: null, ip: null });
      const lifetime = (await s.getPage(id))!.uid;
      const seen: string[] = [];
      let after: number | undefined;
      let pages = 0;
      for (;;) {
        const { entries, next } = await s.audit({ lifetime, after, limit: 3 });
        pages++;
        assert.ok(entries.length <= 3);
        seen.push(...entries.map((e) => e.action));
        if (next === null) break;
        assert.equal(next, entries.at(-1)!.id);
        after = next;
      }
      assert.deepEqual(seen, ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
      assert.equal(pages, 3);
      // The whole-log export (no lifetime) holds them too, among every other page's rows.
      const all = await s.audit({ limit: 100_000 });
      assert.ok(all.entries.filter((e) => e.lifetime === lifetime).length === 7);
    });

    it('members: a new owner who was an editor becomes an owner; an owner listed as editor stays owner', async () => {
      const id = await page({ owners: ['pat'], editors: ['ed'] });
      await s.setMembers(id, { owners: ['ed'] });
      assert.equal(await s.memberRole(id, 'ed'), 'owner');
      assert.equal(await s.memberRole(id, 'pat'), null);
      await s.setMembers(id, { editors: ['ed', 'sam'] });
      assert.equal(await s.memberRole(id, 'ed'), 'owner');
      assert.equal(await s.memberRole(id, 'sam'), 'editor');
    });

    it('writes a pending audit entry in the change\'s own transaction, once, and none for a no-op retry', async () => {
      const id = await page();
      const record = { at: new Date().toISOString(), pageId: id, actorId: 'pat', actorRole: 'owner', action: 'journal.post', target: null, detail: null, ip: null };
      const first = { record, written: false };
      const { entry } = await pendingAudit.run(first, () => s.postJournal(id, { id: 'pat', name: 'Pat' }, 'audited-1', 'T', 'B'));
      assert.equal(first.written, true);
      const retry = { record, written: false };
      await pendingAudit.run(retry, () => s.postJournal(id, { id: 'pat', name: 'Pat' }, 'audited-1', 'T', 'B'));
      assert.equal(retry.written, false, 'an idempotent retry changes nothing and writes no entry');
      const rows = (await auditTrail(s, id)).filter((r) => r.action === 'journal.post');
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.target, entry.id, 'the target defaults to the changed item');
    });

    it('page create, members, follow requests and delete write their pending audit row in their own transaction; a refused change writes none', async () => {
      const id = uniqueId('tx');
      const audited = (action: string, target: string | null = null) => ({ record: { at: new Date().toISOString(), pageId: id, actorId: 'adm', actorRole: 'admin', action, target, detail: null, ip: null }, written: false });
      const create = audited('page.create');
      await pendingAudit.run(create, () => s.createPage({ id, title: 'T', visibility: 'private', wallModeration: 'post', owners: ['pat'], editors: [] }));
      assert.equal(create.written, true, 'written by createPage itself');
      const lifetime = (await s.getPage(id))!.uid;

      const dup = audited('page.create');
      await assert.rejects(pendingAudit.run(dup, () => s.createPage({ id, title: 'T', visibility: 'private', wallModeration: 'post', owners: ['x'], editors: [] })), /already exists/);

      const members = audited('page.members');
      await pendingAudit.run(members, () => s.setMembers(id, { editors: ['ed'] }));
      const request = audited('follow.request', 'asker');
      await pendingAudit.run(request, () => s.setFollow(id, { id: 'asker', name: 'A' }, 'requested'));
      const del = audited('page.delete');
      await pendingAudit.run(del, () => s.deletePage(id));
      assert.ok([members, request, del].every((p) => p.written));

      const trail = await auditTrail(s, id, lifetime);
      assert.deepEqual(
        trail.map((r) => `${r.action}:${r.target}`),
        [`page.create:${id}`, `page.members:${id}`, 'follow.request:asker', `page.delete:${id}`],
        'one row each, in order, all of this lifetime (the refused duplicate left none)',
      );
    });

    it('hearts toggle per user: on/off change the count once, repeats are no-ops', async () => {
      const id = await page();
      const { message } = await s.postWall(id, kin, 'c1', 'W', false);
      const on1 = await s.setHeart(id, message.id, 'a', true);
      assert.equal(on1?.hearts, 1);
      assert.equal(typeof on1?.seq, 'number');
      assert.deepEqual(await s.setHeart(id, message.id, 'a', true), { hearts: 1, seq: null });
      assert.equal((await s.setHeart(id, message.id, 'b', true))?.hearts, 2);
      assert.deepEqual([...(await s.heartedBy(id, 'a', [message.id]))], [message.id]);
      assert.equal((await s.setHeart(id, message.id, 'a', false))?.hearts, 1);
      assert.deepEqual(await s.setHeart(id, message.id, 'a', false), { hearts: 1, seq: null });
      assert.equal((await s.heartedBy(id, 'a', [message.id])).size, 0);
      assert.equal((await s.getWall(id, message.id))?.hearts, 1);
      // A message of another page is not reachable through this one.
      const other = await page();
      assert.equal(await s.setHeart(other, message.id, 'a', true), null);
      // Deleting the message deletes its hearts.
      await s.deleteWall(id, message.id);
      assert.equal((await s.heartedBy(id, 'b', [message.id])).size, 0);
    });

    it('follows: states, follower count and pending requests', async () => {
      const id = await page({ visibility: 'private' });
      assert.deepEqual(await s.setFollow(id, kin, 'requested'), { followerCount: 0, seq: null });
      assert.deepEqual((await s.requests(id)).map((r) => r.userId), ['kin']);
      const approved = await s.setFollow(id, kin, 'following');
      assert.equal(approved.followerCount, 1);
      assert.equal(typeof approved.seq, 'number');
      assert.deepEqual(await s.requests(id), []);
      assert.equal((await s.getFollow(id, 'kin'))?.state, 'following');
      assert.equal((await s.setFollow(id, { id: 'x', name: 'X' }, 'following')).followerCount, 2);
      assert.equal((await s.setFollow(id, kin, 'blocked')).followerCount, 1);
      assert.equal((await s.getFollow(id, 'kin'))?.state, 'blocked');
      assert.equal((await s.setFollow(id, { id: 'x', name: 'X' }, 'none')).followerCount, 0);
      assert.equal(await s.getFollow(id, 'x'), null);
      assert.equal((await s.getPage(id))?.followerCount, 0);
    });

    it('history pages by seq, and the wall view hides hidden and foreign pending messages (their author sees their own)', async () => {
      const id = await page();
      const e = [];
      for (let i = 0; i < 5; i++) e.push((await s.postJournal(id, pat, `j${i}`, `t${i}`, 'b')).entry);
      const p1 = await s.journalPage(id, null, 2);
      assert.deepEqual([p1.items.map((x) => x.id), p1.hasMore], [[e[4]!.id, e[3]!.id], true]);
      const p2 = await s.journalPage(id, e[1]!.seq, 2);
      assert.deepEqual([p2.items.map((x) => x.id), p2.hasMore], [[e[0]!.id], false]);

      const shown = (await s.postWall(id, kin, 'w1', 'shown', false)).message;
      const hidden = (await s.postWall(id, kin, 'w2', 'hidden', false)).message;
      await s.setWallFlags(id, hidden.id, { hidden: true });
      const pending = (await s.postWall(id, kin, 'w3', 'pending', true)).message;
      const ids = async (view: { moderator: boolean; userId: string | null }) => (await s.wallPage(id, null, 10, view)).items.map((m) => m.id);
      assert.deepEqual(await ids({ moderator: true, userId: null }), [pending.id, hidden.id, shown.id]);
      // The author sees their own held message, and their own message a moderator hid (marked so).
      assert.deepEqual(await ids({ moderator: false, userId: 'kin' }), [pending.id, hidden.id, shown.id]);
      assert.deepEqual(await ids({ moderator: false, userId: 'other' }), [shown.id]);
      assert.deepEqual(await ids({ moderator: false, userId: null }), [shown.id]);
      assert.deepEqual([...(await s.wallByIds(id, [shown.id, 'nope'])).keys()], [shown.id]);
      assert.deepEqual([...(await s.journalByIds(id, [e[0]!.id])).keys()], [e[0]!.id]);
    });

    it('planner (SPEC 6.4): tasks per date with one seq each, idempotent by clientId, sign-ups bounded by slots, soft cancel, snapshot and history reads, export and purge', async () => {
      const id = await page();
      const p = s.planner;
      const draft = { kind: 'meal' as const, title: 'Dinner', date: '2030-03-04', start: '18:00', end: '19:00', slots: 1, details: 'Door 2' };
      const seq0 = await seqOf(id);
      const made = await pendingAudit.run({ record: { at: new Date().toISOString(), pageId: id, actorId: 'pat', actorRole: 'owner', action: 'task.create', target: null, detail: null, ip: null }, written: false }, () =>
        p.createTasks(id, pat, 'c1', draft, ['2030-03-04', '2030-03-05', '2030-03-06'], 'series-1'),
      );
      assert.equal(made.created, true);
      assert.deepEqual(made.tasks.map((t) => [t.date, t.seq, t.seriesId, t.start, t.end]), [
        ['2030-03-04', seq0 + 1, 'series-1', '18:00', '19:00'],
        ['2030-03-05', seq0 + 2, 'series-1', '18:00', '19:00'],
        ['2030-03-06', seq0 + 3, 'series-1', '18:00', '19:00'],
      ]);
      // The audit row, once, in the first change's transaction, naming the first task.
      assert.deepEqual((await auditTrail(s, id)).filter((a) => a.action === 'task.create').map((a) => a.target), [made.tasks[0]!.id]);
      const retry = await p.createTasks(id, pat, 'c1', { ...draft, title: 'Other' }, ['2031-01-01'], null);
      assert.deepEqual([retry.created, retry.tasks], [false, made.tasks]);
      assert.equal(await seqOf(id), seq0 + 3);
      const [a, b, c] = made.tasks as [NonNullable<(typeof made.tasks)[0]>, NonNullable<(typeof made.tasks)[0]>, NonNullable<(typeof made.tasks)[0]>];

      const first = await p.signupTask(id, a.id, kin, true);
      assert.deepEqual([first?.seq, first?.task.volunteers], [seq0 + 4, [kin]]);
      assert.equal((await p.signupTask(id, a.id, kin, true))?.seq, null, 'twice is once');
      await assert.rejects(p.signupTask(id, a.id, pat, true), (e: unknown) => e instanceof CareFailure && e.code === 'conflict');
      await assert.rejects(p.updateTask(id, a.id, { slots: 0 }), (e: unknown) => e instanceof CareFailure && e.code === 'conflict');
      // The times as they would be, against the stored 18:00–19:00, in the change's own transaction.
      for (const times of [{ end: '17:00' }, { start: '19:30' }, { start: '19:00' }]) {
        await assert.rejects(p.updateTask(id, a.id, times), (e: unknown) => e instanceof CareFailure && e.code === 'invalid', JSON.stringify(times));
      }
      assert.equal((await p.getTask(id, a.id))?.start, '18:00', 'a refused change changes nothing');
      const up = await p.updateTask(id, a.id, { slots: 2, start: null, title: 'Dinner for 2' });
      assert.deepEqual([up?.seq, up?.value.slots, up?.value.start, up?.value.end, up?.value.title], [seq0 + 5, 2, undefined, undefined, 'Dinner for 2']);
      assert.equal((await p.signupTask(id, a.id, pat, true))?.task.volunteers.length, 2);
      assert.equal((await p.signupTask(id, a.id, kin, false))?.task.volunteers.map((v) => v.id).join(), 'pat');
      assert.equal((await p.signupTask(id, 'nope', kin, true)), null);

      const cancelled = await p.cancelTask(id, b.id, 'Not needed');
      assert.deepEqual([cancelled?.value.cancelNote, cancelled?.value.cancelledAt !== null], ['Not needed', true]);
      assert.equal(await p.cancelTask(id, b.id, null), null, 'cancelled once');
      assert.equal(await p.updateTask(id, b.id, { slots: 3 }), null);
      assert.equal(await p.signupTask(id, b.id, kin, true), null);
      const changes = (await s.changesSince(id, seq0))!;
      assert.deepEqual(changes.map((ch) => ch.type), ['task', 'task', 'task', 'task', 'task', 'task', 'task', 'task-removed']);

      // The snapshot's read: not cancelled, from a date on, by date then start (any-time first).
      const later = (await p.createTasks(id, pat, 'c2', { ...draft, date: '2030-03-04', start: '07:00', end: undefined }, ['2030-03-04'], null)).tasks[0]!;
      const from = await p.tasksFrom(id, '2030-03-04', 10);
      assert.deepEqual(from.items.map((t) => t.id), [a.id, later.id, c.id]);
      assert.equal(from.hasMore, false);
      assert.deepEqual((await p.tasksFrom(id, '2030-03-05', 10)).hasMore, true, 'older ones exist');
      assert.deepEqual((await p.tasksFrom(id, '2030-03-04', 2)).hasMore, true, 'beyond the limit');
      // History: by creation seq, newest first, cancelled ones left out.
      const h1 = await p.taskPage(id, null, 2);
      assert.deepEqual([h1.items.map((t) => t.id), h1.hasMore], [[later.id, c.id], true]);
      const h2 = await p.taskPage(id, h1.items.at(-1)!.seq, 2);
      assert.deepEqual([h2.items.map((t) => t.id), h2.hasMore], [[a.id], false]);
      assert.deepEqual([...(await p.tasksByIds(id, [b.id, 'nope'])).keys()], [b.id], 'cancelled ones by id');

      const exported = (await s.exportPage(id))!;
      assert.deepEqual(exported.tasks.map((t) => [t.id, t.details, t.volunteers.map((v) => v.id), t.cancelNote]), [
        [a.id, 'Door 2', ['pat'], null],
        [b.id, 'Door 2', [], 'Not needed'],
        [c.id, 'Door 2', [], null],
        [later.id, 'Door 2', [], null],
      ]);
      assert.equal(await s.deletePage(id), true);
      const db = rawDb(s);
      if (db) {
        assert.equal((await db.selectFrom('tasks').select('id').where('page_id', '=', id).execute()).length, 0);
        assert.equal((await db.selectFrom('task_volunteers').select('task_id').where('page_id', '=', id).execute()).length, 0);
      }
    });

    it('the audit log keeps entries in order and refuses UPDATE and DELETE', async () => {
      const id = await page();
      const entry = (action: string) => ({ at: new Date().toISOString(), pageId: id, actorId: 'pat', actorRole: 'owner', action, target: 't', detail: { n: action }, ip: '127.0.0.1' });
      await s.appendAudit(entry('one'));
      await s.appendAudit(entry('two'));
      const log = await auditTrail(s, id);
      assert.deepEqual(log.map((a) => [a.action, a.detail]), [['one', { n: 'one' }], ['two', { n: 'two' }]]);
      const db = rawDb(s);
      if (db) {
        await assert.rejects(sql`UPDATE audit_log SET action = 'forged' WHERE page_id = ${id}`.execute(db), /append-only/);
        await assert.rejects(sql`DELETE FROM audit_log WHERE page_id = ${id}`.execute(db), /append-only/);
        assert.deepEqual(await auditTrail(s, id), log);
      }
    });
  });
}
