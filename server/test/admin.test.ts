/**
 * The admin REST API (`/api/pages…`), the audit log, `/healthz` and `/metrics`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { newInviteCode } from '../src/pages/invites.js';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { auditTrail, pageRowCounts, signToken, startServer, uniqueId, type TestServer } from './helpers.js';

let ts: TestServer;
let admin: string;
let moderator: string;
let ownerToken: string;
let visitor: string;

before(async () => {
  ts = await startServer();
  admin = await ts.token('admin');
  moderator = await ts.token('moderator');
  ownerToken = await ts.token('pat');
  visitor = await ts.token('visitor');
});
after(async () => {
  await ts.close();
});

const newPage = (over: Record<string, unknown> = {}) => ({ id: uniqueId('rest'), title: 'Pat Patient', visibility: 'private', owners: ['pat'], editors: ['ed'], ...over });

function assertError(res: { status: number; body: any }, status: number, code: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body?.error?.code, code, JSON.stringify(res.body));
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(res.body.error.message.length > 0);
}

describe('create, get, patch', () => {
  it('POST /api/pages → 201 with the page and members; GET returns it', async () => {
    const body = newPage();
    const res = await ts.rest('POST', '/api/pages', { token: admin, body });
    assert.equal(res.status, 201);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(
      { id: res.body.id, title: res.body.title, visibility: res.body.visibility, wallModeration: res.body.wallModeration, followerCount: res.body.followerCount, seq: res.body.seq },
      { id: body.id, title: 'Pat Patient', visibility: 'private', wallModeration: 'post', followerCount: 0, seq: 0 },
    );
    assert.deepEqual(res.body.members, [{ userId: 'pat', role: 'owner' }, { userId: 'ed', role: 'editor' }]);
    const stored = await ts.storage.getPage(body.id);
    assert.equal(stored?.title, 'Pat Patient');

    const got = await ts.rest('GET', `/api/pages/${body.id}`, { token: admin });
    assert.equal(got.status, 200);
    assert.equal(got.body.id, body.id);
    assert.deepEqual(got.body.members, res.body.members);
  });

  it('a duplicate id → 409 conflict, and the original is unchanged', async () => {
    const body = newPage();
    assert.equal((await ts.rest('POST', '/api/pages', { token: admin, body })).status, 201);
    const dup = await ts.rest('POST', '/api/pages', { token: admin, body: { ...body, title: 'Other', owners: ['mallory'] } });
    assertError(dup, 409, 'conflict');
    assert.equal((await ts.storage.getPage(body.id))?.title, 'Pat Patient');
    assert.deepEqual(await ts.storage.members(body.id), [{ userId: 'pat', role: 'owner' }, { userId: 'ed', role: 'editor' }]);
  });

  it('PATCH changes settings and members; the page seq moves and readers see the new settings', async () => {
    const body = newPage({ visibility: 'public' });
    await ts.rest('POST', '/api/pages', { token: admin, body });
    const res = await ts.rest('PATCH', `/api/pages/${body.id}`, { token: admin, body: { title: 'Renamed', wallModeration: 'pre', owners: ['pat', 'kin'] } });
    assert.equal(res.status, 200);
    assert.deepEqual([res.body.title, res.body.wallModeration, res.body.visibility], ['Renamed', 'pre', 'public']);
    assert.deepEqual(res.body.members.map((m: { userId: string }) => m.userId).sort(), ['ed', 'kin', 'pat']);
    assert.equal(res.body.seq, 1);
    const stored = await ts.storage.getPage(body.id);
    assert.deepEqual([stored?.title, stored?.wallModeration], ['Renamed', 'pre']);
    assert.equal(await ts.storage.memberRole(body.id, 'kin'), 'owner');
    // Members only: no settings change, no seq.
    const m = await ts.rest('PATCH', `/api/pages/${body.id}`, { token: admin, body: { editors: [] } });
    assert.equal(m.status, 200);
    assert.equal(m.body.seq, 1);
    assert.equal(await ts.storage.memberRole(body.id, 'ed'), null);
  });

  it('invalid bodies → 400 invalid; over-long fields → 413 too_large; nothing is created', async () => {
    const cases: [unknown, number, string][] = [
      [{ ...newPage(), visibility: 'secret' }, 400, 'invalid'],
      [{ ...newPage(), owners: [] }, 400, 'invalid'],
      [(({ owners: _o, ...rest }) => rest)(newPage()), 400, 'invalid'],
      [{ ...newPage(), id: '../etc' }, 400, 'invalid'],
      [{ ...newPage(), extra: true }, 400, 'invalid'],
      [JSON.parse(JSON.stringify(newPage()).replace(/^\{/, '{"__proto__":{"admin":true},')), 400, 'invalid'],
      [{ ...newPage(), title: '   ' }, 400, 'invalid'],
      [{ ...newPage(), title: 't'.repeat(201) }, 413, 'too_large'],
      [[newPage()], 400, 'invalid'],
      ['just a string', 400, 'invalid'],
    ];
    for (const [body, status, code] of cases) {
      const res = await ts.rest('POST', '/api/pages', { token: admin, body });
      assertError(res, status, code);
      const id = (body as { id?: string })?.id;
      if (typeof id === 'string') assert.equal(await ts.storage.getPage(id), null);
    }
    const p = newPage();
    await ts.rest('POST', '/api/pages', { token: admin, body: p });
    assertError(await ts.rest('PATCH', `/api/pages/${p.id}`, { token: admin, body: { visibility: 'nobody' } }), 400, 'invalid');
    assertError(await ts.rest('PATCH', `/api/pages/${p.id}`, { token: admin, body: { seq: 99 } }), 400, 'invalid');
    assertError(await ts.rest('PATCH', `/api/pages/${p.id}`, { token: admin, body: { title: 'x'.repeat(500) } }), 413, 'too_large');
    assert.equal((await ts.storage.getPage(p.id))?.seq, 0);
  });

  it('malformed JSON → 400 invalid; a body over the limit → 413 too_large', async () => {
    assertError(await ts.rest('POST', '/api/pages', { token: admin, rawBody: '{"id": "x", ' }), 400, 'invalid');
    assertError(await ts.rest('POST', '/api/pages', { token: admin, rawBody: 'null' }), 400, 'invalid');
    const huge = JSON.stringify({ ...newPage(), title: 'x'.repeat(100_000) });
    assertError(await ts.rest('POST', '/api/pages', { token: admin, rawBody: huge }), 413, 'too_large');
    // The server still serves.
    assert.equal((await ts.rest('POST', '/api/pages', { token: admin, body: newPage() })).status, 201);
  });

  it('missing pages → 404 not_found on every route', async () => {
    assertError(await ts.rest('GET', '/api/pages/nope', { token: admin }), 404, 'not_found');
    assertError(await ts.rest('PATCH', '/api/pages/nope', { token: admin, body: { title: 'x' } }), 404, 'not_found');
    assertError(await ts.rest('DELETE', '/api/pages/nope', { token: admin }), 404, 'not_found');
    assertError(await ts.rest('GET', '/api/pages/nope/export', { token: admin }), 404, 'not_found');
    assertError(await ts.rest('GET', '/api/nothing-here', { token: admin }), 404, 'not_found');
  });
});

describe('authorization', () => {
  it('no token → 401; a bad or expired token → 401; a non-admin → 403; nothing changes', async () => {
    const p = newPage();
    await ts.rest('POST', '/api/pages', { token: admin, body: p });
    const expired = await signToken(ts.secret, { sub: 'admin', care_role: 'admin' }, { exp: Math.floor(Date.now() / 1000) - 10 });
    const forged = await signToken('some-other-secret-of-enough-length', { sub: 'admin', care_role: 'admin' });
    const routes: [string, string, unknown?][] = [
      ['POST', '/api/pages', newPage()],
      ['GET', `/api/pages/${p.id}`],
      ['PATCH', `/api/pages/${p.id}`, { title: 'Hacked' }],
      ['DELETE', `/api/pages/${p.id}`],
    ];
    for (const [method, path, body] of routes) {
      assertError(await ts.rest(method, path, { body }), 401, 'unauthorized');
      assertError(await ts.rest(method, path, { body, headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } }), 401, 'unauthorized');
      assertError(await ts.rest(method, path, { token: expired, body }), 401, 'unauthorized');
      assertError(await ts.rest(method, path, { token: forged, body }), 401, 'unauthorized');
      // The page's owner may GET, PATCH and DELETE their own page (owner-rights.test.ts); creating pages stays admin-only.
      for (const t of method === 'POST' ? [moderator, ownerToken, visitor] : [moderator, visitor]) assertError(await ts.rest(method, path, { token: t, body }), 403, 'forbidden');
    }
    const still = await ts.storage.getPage(p.id);
    assert.deepEqual([still?.title, still?.seq], ['Pat Patient', 0]);
  });
});

describe('export', () => {
  it('the whole page as JSON, to an admin and to the page owner, not to others', async () => {
    const p = newPage();
    await ts.rest('POST', '/api/pages', { token: admin, body: p });
    const { entry } = await ts.storage.postJournal(p.id, { id: 'pat', name: 'Pat' }, 'e1', 'Entry', 'Body');
    const { message } = await ts.storage.postWall(p.id, { id: 'kin', name: 'Kin' }, 'w1', 'Hi', false);
    await ts.storage.setFollow(p.id, { id: 'kin', name: 'Kin' }, 'following');
    await ts.storage.setHeart(p.id, message.id, 'kin', true);

    for (const token of [admin, ownerToken]) {
      const res = await ts.rest('GET', `/api/pages/${p.id}/export`, { token });
      assert.equal(res.status, 200);
      assert.equal(res.body.page.id, p.id);
      assert.equal(typeof res.body.exportedAt, 'string');
      assert.deepEqual(res.body.journal.map((e: { id: string }) => e.id), [entry.id]);
      assert.deepEqual(res.body.wall.map((m: { id: string; hearts: number }) => [m.id, m.hearts]), [[message.id, 1]]);
      assert.deepEqual(res.body.follows.map((f: { userId: string; state: string }) => [f.userId, f.state]), [['kin', 'following']]);
      assert.deepEqual(res.body.hearts.map((h: { messageId: string; userId: string }) => [h.messageId, h.userId]), [[message.id, 'kin']]);
      assert.deepEqual(res.body.members.map((m: { userId: string }) => m.userId).sort(), ['ed', 'pat']);
    }
    // An editor, a moderator, a visitor: forbidden. Nobody: unauthorized.
    for (const token of [await ts.token('ed'), moderator, visitor]) assertError(await ts.rest('GET', `/api/pages/${p.id}/export`, { token }), 403, 'forbidden');
    assertError(await ts.rest('GET', `/api/pages/${p.id}/export`), 401, 'unauthorized');
  });
});

describe('audit', () => {
  it('records reads of non-public pages and every change, readable by admin and owner only', async () => {
    const p = newPage({ visibility: 'private' });
    await ts.rest('POST', '/api/pages', { token: admin, body: p });
    const pub = newPage({ visibility: 'public' });
    await ts.rest('POST', '/api/pages', { token: admin, body: pub });

    const pat = await ts.connect('pat');
    const kin = await ts.connect('kin');
    try {
      await pat.ok('page:subscribe', { pageId: p.id });
      const j = await pat.ok('journal:post', { pageId: p.id, clientId: 'a1', title: 'Audited', body: 'x' });
      await pat.ok('journal:edit', { pageId: p.id, entryId: j.entry.id, title: 'Audited 2', body: 'y' });
      await kin.ok('follow:set', { pageId: p.id, follow: true });
      await pat.ok('follow:decide', { pageId: p.id, userId: 'kin', approve: true });
      await kin.ok('page:subscribe', { pageId: p.id });
      await kin.ok('history:load', { pageId: p.id, stream: 'journal', before: 100, limit: 5 });
      const w = await kin.ok('wall:post', { pageId: p.id, clientId: 'a2', body: 'hello' });
      await pat.ok('wall:heart', { pageId: p.id, messageId: w.message.id, on: true });
      await pat.ok('wall:hide', { pageId: p.id, messageId: w.message.id, hidden: true });
      await pat.ok('wall:delete', { pageId: p.id, messageId: w.message.id });
      await pat.ok('journal:delete', { pageId: p.id, entryId: j.entry.id });
      await pat.ok('follow:remove', { pageId: p.id, userId: 'kin' });
      // A refused read is not a read.
      await kin.ok('page:subscribe', { pageId: p.id });
      // Reads of a public page are not audited; its changes are.
      await kin.ok('page:subscribe', { pageId: pub.id });
      await kin.ok('wall:post', { pageId: pub.id, clientId: 'pubw', body: 'hi' });
    } finally {
      pat.close();
      kin.close();
    }
    assert.equal((await ts.rest('PATCH', `/api/pages/${p.id}`, { token: admin, body: { visibility: 'members' } })).status, 200);
    assert.equal((await ts.rest('GET', `/api/pages/${p.id}/export`, { token: ownerToken })).status, 200);

    const res = await ts.rest('GET', `/api/pages/${p.id}/audit`, { token: admin });
    assert.equal(res.status, 200);
    assert.equal(res.body.pageId, p.id);
    type Entry = { action: string; actorId: string | null; actorRole: string; target: string | null; at: string; ip: string | null };
    const entries = res.body.entries as Entry[];
    assert.deepEqual(
      entries.map((e) => `${e.action}:${e.actorId}:${e.actorRole}`),
      [
        'page.create:admin:admin',
        'page.read:pat:owner',
        'journal.post:pat:owner',
        'journal.edit:pat:owner',
        'follow.request:kin:visitor',
        'follow.approve:pat:owner',
        'page.read:kin:follower',
        'page.read:kin:follower',
        'wall.post:kin:follower',
        'wall.heart:pat:owner',
        'wall.hide:pat:owner',
        'wall.delete:pat:owner',
        'journal.delete:pat:owner',
        'follow.remove:pat:owner',
        'page.update:admin:admin',
        'page.export:pat:owner',
      ],
    );
    for (const e of entries) {
      assert.ok(!Number.isNaN(Date.parse(e.at)), 'each entry has a time');
      assert.equal(e.ip === null || typeof e.ip === 'string', true);
    }
    assert.equal(entries.find((e) => e.action === 'follow.remove')?.target, 'kin');

    const pubAudit = await ts.rest('GET', `/api/pages/${pub.id}/audit`, { token: admin });
    assert.deepEqual(pubAudit.body.entries.map((e: Entry) => e.action), ['page.create', 'wall.post']);

    // The owner may read the audit of their page; an editor or visitor may not.
    assert.equal((await ts.rest('GET', `/api/pages/${p.id}/audit`, { token: ownerToken })).status, 200);
    assertError(await ts.rest('GET', `/api/pages/${p.id}/audit`, { token: await ts.token('ed') }), 403, 'forbidden');
    assertError(await ts.rest('GET', `/api/pages/${p.id}/audit`, { token: visitor }), 403, 'forbidden');
    assertError(await ts.rest('GET', `/api/pages/${p.id}/audit`), 401, 'unauthorized');
    // Reading the audit log is itself audited.
    const again = await ts.rest('GET', `/api/pages/${p.id}/audit`, { token: admin });
    assert.ok(again.body.entries.some((e: Entry) => e.action === 'audit.read' && e.actorId === 'pat' && e.actorRole === 'owner'));
  });

  it('is append-only in the database: raw UPDATE and DELETE fail', async () => {
    const p = newPage();
    await ts.rest('POST', '/api/pages', { token: admin, body: p });
    const before = await auditTrail(ts.storage, p.id);
    assert.ok(before.length > 0);
    await assert.rejects(sql`UPDATE audit_log SET action = 'nothing' WHERE page_id = ${p.id}`.execute(ts.db), /append-only/);
    await assert.rejects(sql`DELETE FROM audit_log WHERE page_id = ${p.id}`.execute(ts.db), /append-only/);
    await assert.rejects(sql`DELETE FROM audit_log`.execute(ts.db), /append-only/);
    await assert.rejects(ts.db.updateTable('audit_log').set({ actor_id: 'someone-else' }).execute(), /append-only/);
    assert.deepEqual(await auditTrail(ts.storage, p.id), before);
  });
});

describe('delete', () => {
  it('purges every entry, message, follow, heart and change of the page; the audit log stays', async () => {
    const p = newPage({ visibility: 'public' });
    await ts.rest('POST', '/api/pages', { token: admin, body: p });
    const other = newPage({ visibility: 'public' });
    await ts.rest('POST', '/api/pages', { token: admin, body: other });
    for (const id of [p.id, other.id]) {
      const { entry } = await ts.storage.postJournal(id, { id: 'pat', name: 'Pat' }, 'e1', 'Entry', 'Body');
      // SPEC 6.3: a comment and a heart on the entry.
      await ts.storage.postComment(id, entry.id, { id: 'kin', name: 'Kin' }, 'c1', 'Thinking of you', false);
      await ts.storage.setJournalHeart(id, entry.id, 'kin', true);
      const { message } = await ts.storage.postWall(id, { id: 'kin', name: 'Kin' }, 'w1', 'Hi', false);
      await ts.storage.setFollow(id, { id: 'kin', name: 'Kin' }, 'following');
      await ts.storage.setFollow(id, { id: 'asker', name: 'Asker' }, 'requested');
      await ts.storage.setHeart(id, message.id, 'kin', true);
      await ts.storage.setNotifyPrefs(id, 'kin', { email: 'daily' }, new Date().toISOString());
      await ts.storage.createInvite({ code: newInviteCode(), id: randomUUID(), pageId: id, role: 'follower', expiresAt: new Date(Date.now() + 3_600_000).toISOString(), maxUses: 1, uses: 0, createdBy: 'pat', createdAt: new Date().toISOString(), revokedAt: null });
      // SPEC 6.4: a task someone signed up for.
      const draft = { kind: 'ride' as const, title: 'Ride', date: '2030-01-02', slots: 1, details: 'Entrance B' };
      const { tasks } = await ts.storage.planner.createTasks(id, { id: 'pat', name: 'Pat' }, 't1', draft, [draft.date], null);
      await ts.storage.planner.signupTask(id, tasks[0]!.id, { id: 'kin', name: 'Kin' }, true);
    }
    const counts = await pageRowCounts(ts.db, p.id);
    assert.ok(Object.values(counts).every((n) => n > 0), `every table has rows before: ${JSON.stringify(counts)}`);
    const otherBefore = await pageRowCounts(ts.db, other.id);

    const res = await ts.rest('DELETE', `/api/pages/${p.id}`, { token: admin });
    assert.equal(res.status, 204);
    assert.deepEqual(await pageRowCounts(ts.db, p.id), { page_members: 0, follows: 0, journal_entries: 0, wall_messages: 0, hearts: 0, journal_comments: 0, journal_hearts: 0, changes: 0, invites: 0, follow_asks: 0, notify_prefs: 0, tasks: 0, task_volunteers: 0, pages: 0 });
    assertError(await ts.rest('GET', `/api/pages/${p.id}`, { token: admin }), 404, 'not_found');
    assertError(await ts.rest('GET', `/api/pages/${p.id}/export`, { token: admin }), 404, 'not_found');
    assertError(await ts.rest('GET', `/api/pages/${p.id}/export`, { token: ownerToken }), 404, 'not_found');
    assertError(await ts.rest('DELETE', `/api/pages/${p.id}`, { token: admin }), 404, 'not_found');
    // Other pages are untouched.
    assert.deepEqual(await pageRowCounts(ts.db, other.id), otherBefore);
    // The audit log outlives the page, including the deletion itself.
    const audit = await ts.rest('GET', `/api/pages/${p.id}/audit`, { token: admin });
    assert.equal(audit.status, 200);
    assert.deepEqual(audit.body.entries.map((e: { action: string }) => e.action).slice(-1), ['page.delete']);
    // The id can be used again, from scratch.
    const again = await ts.rest('POST', '/api/pages', { token: admin, body: p });
    assert.equal(again.status, 201);
    assert.deepEqual([again.body.seq, again.body.followerCount], [0, 0]);
  });
});

describe('health and metrics', () => {
  it('/healthz answers 200 when the database answers', async () => {
    const res = await ts.rest('GET', '/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { ok: true });
  });

  it('/healthz answers 503 when the database is gone', async () => {
    const broken = await startServer();
    try {
      await broken.storage.close();
      const res = await broken.rest('GET', '/healthz');
      assert.equal(res.status, 503);
    } finally {
      await broken.close().catch(() => undefined);
    }
  });

  it('/metrics is Prometheus text with care_ metrics that move', async () => {
    const c = await ts.connect('visitor');
    try {
      await c.call('page:subscribe', { pageId: 'no-such-page' });
      const res = await ts.rest('GET', '/metrics');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
      const text = res.body as string;
      assert.match(text, /^# TYPE care_connected_sockets gauge$/m);
      assert.match(text, /^care_connected_sockets [1-9]\d*$/m);
      assert.match(text, /^care_calls_total\{event="page:subscribe",outcome="not_found"\} [1-9]\d*$/m);
      assert.match(text, /^care_call_duration_seconds_bucket\{.*event="page:subscribe"/m);
      assert.match(text, /^# TYPE care_handshakes_refused_total counter$/m);
    } finally {
      c.close();
    }
  });
});
