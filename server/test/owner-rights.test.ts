/**
 * Owner rights on the REST API: the patient controls their own page with their own token (no
 * `care_role`). The owner may GET and PATCH the page (`title`, `visibility`, `wallModeration`,
 * `editors`; `owners` stays admin-only), DELETE it, and read its export and audit log; every
 * such call is audited with the role `owner`. Editors, followers, visitors, staff moderators and
 * owners of other pages get 403. The changes take effect on live sockets at once.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { newInviteCode } from '../src/pages/invites.js';
import { before, describe, it } from 'node:test';
import type { JournalEntryEvent, PageUpdatedEvent } from '../../src/protocol/index.js';
import { auditTrail, pageRowCounts, fileServer, uniqueId, type Client, type Received, type TestServer } from './helpers.js';

let tokens: Record<'admin' | 'pat' | 'ed' | 'fan' | 'visitor' | 'moderator' | 'otherOwner', string>;
const server = fileServer();
const connect = (user: string | null) => server.connect(user);

before(async () => {
  await server.start();
  tokens = {
    admin: await server.ts.token('admin'),
    pat: await server.ts.token('pat'),
    ed: await server.ts.token('ed'),
    fan: await server.ts.token('fan'),
    visitor: await server.ts.token('visitor'),
    moderator: await server.ts.token('moderator'),
    otherOwner: await server.ts.token('other-owner'),
  };
});

/** A page owned by `pat` (co-owner `co`), edited by `ed`, followed by `fan`; `other-owner` owns another page. */
async function patPage(visibility: 'public' | 'members' | 'private' = 'public') {
  const id = await server.ts.page({ id: uniqueId('own'), visibility, owners: ['pat', 'co'], editors: ['ed'], followers: ['fan'] });
  await server.ts.page({ id: uniqueId('other'), owners: ['other-owner'] });
  return id;
}

function assertError(res: { status: number; body: any }, status: number, code: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body?.error?.code, code, JSON.stringify(res.body));
}

const auditRows = async (pageId: string, action: string, lifetime?: string) => (await auditTrail(server.ts.storage, pageId, lifetime)).filter((r) => r.action === action).map((r) => ({ actorId: r.actorId, actorRole: r.actorRole, detail: r.detail }));

describe('the owner, with their own token', () => {
  it('PATCHes visibility, wallModeration and title; each change is audited as page.update by role owner', async () => {
    const id = await patPage();
    const res = await server.ts.rest('PATCH', `/api/pages/${id}`, { token: tokens.pat, body: { visibility: 'members' } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.visibility, 'members');
    const res2 = await server.ts.rest('PATCH', `/api/pages/${id}`, { token: tokens.pat, body: { wallModeration: 'pre', title: 'My road back' } });
    assert.equal(res2.status, 200, JSON.stringify(res2.body));
    const stored = await server.ts.storage.getPage(id);
    assert.deepEqual([stored?.visibility, stored?.wallModeration, stored?.title], ['members', 'pre', 'My road back']);
    const rows = await auditRows(id, 'page.update');
    assert.deepEqual(
      rows.map((r) => [r.actorId, r.actorRole]),
      [
        ['pat', 'owner'],
        ['pat', 'owner'],
      ],
    );
    assert.deepEqual([rows[0]!.detail?.visibility, rows[0]!.detail?.visibilityBefore], ['members', 'public']);
    assert.deepEqual([rows[1]!.detail?.wallModeration, rows[1]!.detail?.changed], ['pre', ['title', 'wallModeration']]);
    // The title is free text (often the patient's name): it names what changed, never the value.
    assert.ok(!JSON.stringify(await auditTrail(server.ts.storage, id)).includes('My road back'), 'no title in the audit log');
  });

  it('PATCHes editors (adding and removing), audited as page.members by role owner; the owners stay as they were', async () => {
    const id = await patPage();
    const res = await server.ts.rest('PATCH', `/api/pages/${id}`, { token: tokens.pat, body: { editors: ['ed', 'kin'] } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.members.map((m: { userId: string; role: string }) => `${m.userId}:${m.role}`).sort(), ['co:owner', 'ed:editor', 'kin:editor', 'pat:owner']);
    assert.equal(await server.ts.storage.memberRole(id, 'kin'), 'editor');
    // Listing an owner among the editors does not demote them.
    const res2 = await server.ts.rest('PATCH', `/api/pages/${id}`, { token: tokens.pat, body: { editors: ['pat', 'co'] } });
    assert.equal(res2.status, 200);
    assert.deepEqual([await server.ts.storage.memberRole(id, 'pat'), await server.ts.storage.memberRole(id, 'co'), await server.ts.storage.memberRole(id, 'ed')], ['owner', 'owner', null]);
    const rows = await auditRows(id, 'page.members');
    assert.deepEqual(
      rows.map((r) => [r.actorId, r.actorRole, r.detail?.editors]),
      [
        ['pat', 'owner', ['ed', 'kin']],
        ['pat', 'owner', ['pat', 'co']],
      ],
    );
  });

  it('may not change owners: 403, even when keeping themselves; nothing changes', async () => {
    const id = await patPage();
    const seq = (await server.ts.storage.getPage(id))!.seq;
    for (const owners of [['pat'], ['pat', 'co', 'friend'], ['someone-else']]) {
      assertError(await server.ts.rest('PATCH', `/api/pages/${id}`, { token: tokens.pat, body: { owners } }), 403, 'forbidden');
      // Combined with allowed fields, the whole request is refused.
      assertError(await server.ts.rest('PATCH', `/api/pages/${id}`, { token: tokens.pat, body: { owners, title: 'Taken over' } }), 403, 'forbidden');
    }
    assert.deepEqual((await server.ts.storage.members(id)).map((m) => `${m.userId}:${m.role}`).sort(), ['co:owner', 'ed:editor', 'pat:owner']);
    const page = await server.ts.storage.getPage(id);
    assert.deepEqual([page?.seq, page?.title], [seq, `Title of ${id}`]);
    assert.deepEqual(await auditRows(id, 'page.members'), []);
    assert.deepEqual(await auditRows(id, 'page.update'), []);
  });

  it('gets invalid for a bad body (validation, then the rights check)', async () => {
    const id = await patPage();
    assertError(await server.ts.rest('PATCH', `/api/pages/${id}`, { token: tokens.pat, body: { visibility: 'everyone' } }), 400, 'invalid');
    assertError(await server.ts.rest('PATCH', `/api/pages/${id}`, { token: tokens.pat, body: { seq: 0 } }), 400, 'invalid');
    // Handler, validation, access: a malformed body is refused before anything about the page
    // is looked up (its answer is the same for every page id, existing or not); a valid one from
    // a non-owner is forbidden and changes nothing.
    assertError(await server.ts.rest('PATCH', `/api/pages/${id}`, { token: tokens.visitor, body: { visibility: 'everyone' } }), 400, 'invalid');
    assertError(await server.ts.rest('PATCH', `/api/pages/no-such-${id}`, { token: tokens.visitor, body: { visibility: 'everyone' } }), 400, 'invalid');
    assertError(await server.ts.rest('PATCH', `/api/pages/${id}`, { token: tokens.visitor, body: { visibility: 'private' } }), 403, 'forbidden');
    assert.equal((await server.ts.storage.getPage(id))?.visibility, 'public');
  });

  it('GETs the page with its members, audited as admin.read by role owner', async () => {
    const id = await patPage('private');
    const res = await server.ts.rest('GET', `/api/pages/${id}`, { token: tokens.pat });
    assert.equal(res.status, 200);
    assert.equal(res.body.id, id);
    assert.deepEqual(res.body.members.map((m: { userId: string }) => m.userId).sort(), ['co', 'ed', 'pat']);
    assert.deepEqual((await auditRows(id, 'admin.read')).map((r) => [r.actorId, r.actorRole]), [['pat', 'owner']]);
  });

  it('reads the export and the audit log, each audited by role owner', async () => {
    const id = await patPage('private');
    const exp = await server.ts.rest('GET', `/api/pages/${id}/export`, { token: tokens.pat });
    assert.equal(exp.status, 200);
    assert.equal(exp.body.page.id, id);
    const log = await server.ts.rest('GET', `/api/pages/${id}/audit`, { token: tokens.pat });
    assert.equal(log.status, 200);
    assert.ok(log.body.entries.some((e: { action: string; actorId: string; actorRole: string }) => e.action === 'page.export' && e.actorId === 'pat' && e.actorRole === 'owner'));
    assert.deepEqual((await auditRows(id, 'audit.read')).map((r) => [r.actorId, r.actorRole]), [['pat', 'owner']]);
  });

  it('DELETEs the page: everything is purged, the deletion is audited by role owner, and live readers are cut', async () => {
    const id = await patPage('public');
    const fan = await connect('fan');
    await fan.ok('page:subscribe', { pageId: id });
    const { entry } = await server.ts.storage.postJournal(id, { id: 'pat', name: 'Pat' }, 'd1', 'Entry', 'Body');
    await server.ts.storage.postComment(id, entry.id, { id: 'fan', name: 'Fan' }, 'd3', 'Comment', false);
    await server.ts.storage.setJournalHeart(id, entry.id, 'fan', true);
    const { message } = await server.ts.storage.postWall(id, { id: 'fan', name: 'Fan' }, 'd2', 'Message', false);
    await server.ts.storage.setHeart(id, message.id, 'fan', true);
    await server.ts.storage.setFollow(id, { id: 'asker', name: 'Asker' }, 'requested');
    await server.ts.storage.setNotifyPrefs(id, 'pat', { owner: { requests: 'instant' } }, new Date().toISOString());
    await server.ts.storage.createInvite({ code: newInviteCode(), id: randomUUID(), pageId: id, role: 'follower', expiresAt: new Date(Date.now() + 3_600_000).toISOString(), maxUses: 1, uses: 0, createdBy: 'pat', createdAt: new Date().toISOString(), revokedAt: null });
    // SPEC 6.4: a task someone signed up for.
    const draft = { kind: 'meal' as const, title: 'Dinner', date: '2030-01-02', slots: 1, details: 'Door code' };
    const { tasks } = await server.ts.storage.planner.createTasks(id, { id: 'pat', name: 'Pat' }, 'd4', draft, [draft.date], null);
    await server.ts.storage.planner.signupTask(id, tasks[0]!.id, { id: 'fan', name: 'Fan' }, true);
    assert.ok(Object.values(await pageRowCounts(server.ts.db, id)).every((n) => n > 0));
    const lifetime = (await server.ts.storage.getPage(id))!.uid;

    const res = await server.ts.rest('DELETE', `/api/pages/${id}`, { token: tokens.pat });
    assert.equal(res.status, 204);
    assert.deepEqual(await pageRowCounts(server.ts.db, id), { page_members: 0, follows: 0, journal_entries: 0, wall_messages: 0, hearts: 0, journal_comments: 0, journal_hearts: 0, changes: 0, invites: 0, follow_asks: 0, notify_prefs: 0, tasks: 0, task_volunteers: 0, pages: 0 });
    assert.deepEqual((await auditRows(id, 'page.delete', lifetime)).map((r) => [r.actorId, r.actorRole]), [['pat', 'owner']]);
    await fan.waitFor<PageUpdatedEvent>('page:updated', (e) => e.pageId === id && e.resubscribe === true);
    await fan.fails('page:subscribe', { pageId: id }, 'not_found');
  });
});

describe('everyone but the owner', () => {
  const others = ['ed', 'fan', 'visitor', 'moderator', 'otherOwner'] as const;

  for (const who of others) {
    it(`${who}: 403 on GET, PATCH, DELETE, export and audit; nothing changes, nothing is audited as a change`, async () => {
      const id = await patPage('public');
      const before = await server.ts.storage.exportPage(id);
      const token = tokens[who];
      const calls: [string, string, unknown?][] = [
        ['GET', `/api/pages/${id}`],
        ['PATCH', `/api/pages/${id}`, { title: 'Hijacked' }],
        ['PATCH', `/api/pages/${id}`, { visibility: 'private' }],
        ['PATCH', `/api/pages/${id}`, { editors: [who] }],
        ['PATCH', `/api/pages/${id}`, { owners: [who] }],
        ['DELETE', `/api/pages/${id}`],
        ['GET', `/api/pages/${id}/export`],
        ['GET', `/api/pages/${id}/audit`],
      ];
      for (const [method, path, body] of calls) assertError(await server.ts.rest(method, path, { token, body }), 403, 'forbidden');
      assert.deepEqual(await server.ts.storage.exportPage(id), before);
      const actions = (await auditTrail(server.ts.storage, id)).map((r) => r.action);
      assert.deepEqual(actions, []);
    });
  }

  it('anonymous: 401 on every route', async () => {
    const id = await patPage('public');
    for (const [method, path] of [['GET', `/api/pages/${id}`], ['PATCH', `/api/pages/${id}`], ['DELETE', `/api/pages/${id}`], ['GET', `/api/pages/${id}/export`], ['GET', `/api/pages/${id}/audit`]] as const) {
      assertError(await server.ts.rest(method, path, { body: method === 'PATCH' ? { title: 'x' } : undefined }), 401, 'unauthorized');
    }
    assert.ok(await server.ts.storage.getPage(id));
  });

  it('the admin still may do all of it, owners included, audited as admin', async () => {
    const id = await patPage('public');
    const res = await server.ts.rest('PATCH', `/api/pages/${id}`, { token: tokens.admin, body: { owners: ['pat'], title: 'By the hospital' } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(await server.ts.storage.memberRole(id, 'co'), null);
    assert.deepEqual((await auditRows(id, 'page.members')).map((r) => [r.actorId, r.actorRole]), [['admin', 'admin']]);
    assert.deepEqual((await auditRows(id, 'page.update')).map((r) => [r.actorId, r.actorRole]), [['admin', 'admin']]);
  });
});

/** What a cut-off socket may still get: the bare "resubscribe" notice. */
function assertCutOff(received: Received[], pageId: string) {
  const leaks = received.filter((r) => {
    const d = r.data as PageUpdatedEvent;
    if (r.event === 'page:updated' && d.pageId === pageId && d.resubscribe === true && Object.keys(d).sort().join() === 'pageId,resubscribe') return false;
    return (r.data as { pageId?: string } | undefined)?.pageId === pageId;
  });
  assert.deepEqual(leaks, [], 'nothing of the page after the cut');
}

describe('live effect of the owner\'s changes', () => {
  it('making the page private cuts a visitor\'s and an anonymous socket at once; the follower keeps reading', async () => {
    const id = await patPage('public');
    const pat = await connect('pat');
    const fan = await connect('fan');
    const visitor = await connect('visitor');
    const anonymous = await connect(null);
    for (const c of [pat, fan, visitor, anonymous]) assert.equal((await c.ok('page:subscribe', { pageId: id })).access, 'read');

    const res = await server.ts.rest('PATCH', `/api/pages/${id}`, { token: tokens.pat, body: { visibility: 'private' } });
    assert.equal(res.status, 200);
    const marks = new Map([visitor, anonymous].map((c) => [c, c.mark()]));
    for (const c of [visitor, anonymous]) await c.waitFor<PageUpdatedEvent>('page:updated', (e) => e.pageId === id && e.resubscribe === true);
    // The follower gets the new settings in seq order.
    await fan.waitFor<PageUpdatedEvent>('page:updated', (e) => e.pageId === id && e.page?.visibility === 'private');

    const j = await pat.ok('journal:post', { pageId: id, clientId: 'after-private', title: 'PRIVATE-TITLE', body: 'PRIVATE-BODY' });
    const w = await pat.ok('wall:post', { pageId: id, clientId: 'after-private-w', body: 'PRIVATE-WALL' });
    await fan.waitFor<JournalEntryEvent>('journal:entry', (e) => e.entry.id === j.entry.id);
    await fan.waitFor('wall:message', (e: { message: { id: string } }) => e.message.id === w.message.id);
    for (const c of [visitor, anonymous]) {
      await c.barrier();
      assertCutOff(c.after(marks.get(c)!), id);
      assert.ok(!JSON.stringify(c.received).includes('PRIVATE-'));
      const again = await c.ok('page:subscribe', { pageId: id });
      assert.equal(again.access, 'none');
    }
  });

  it('a newly added editor\'s socket posts journal entries after resubscribing, without reconnecting', async () => {
    const id = await patPage('private');
    const kin = await connect('kin');
    const socketId = kin.socket.id;
    const first = await kin.ok('page:subscribe', { pageId: id });
    assert.equal(first.access, 'none');
    await kin.fails('journal:post', { pageId: id, clientId: 'k0', title: 'Too early', body: 'x' }, 'forbidden');

    const res = await server.ts.rest('PATCH', `/api/pages/${id}`, { token: tokens.pat, body: { editors: ['ed', 'kin'] } });
    assert.equal(res.status, 200);
    await kin.waitFor<PageUpdatedEvent>('page:updated', (e) => e.pageId === id && e.resubscribe === true);
    const again = await kin.ok('page:subscribe', { pageId: id });
    assert.equal(again.access, 'read');
    assert.equal(again.viewer.role, 'editor');
    assert.equal(again.viewer.can.postJournal, true);
    const posted = await kin.ok('journal:post', { pageId: id, clientId: 'k1', title: 'From the family', body: 'Surgery went well.' });
    assert.equal(posted.entry.author.id, 'kin');
    assert.equal(kin.socket.id, socketId, 'the same connection');
    assert.ok(await server.ts.storage.getJournal(id, posted.entry.id));
  });

  it('a removed editor\'s socket on a private page is cut and may no longer post', async () => {
    const id = await patPage('private');
    const pat = await connect('pat');
    const ed = await connect('ed');
    await pat.ok('page:subscribe', { pageId: id });
    assert.equal((await ed.ok('page:subscribe', { pageId: id })).access, 'read');

    const res = await server.ts.rest('PATCH', `/api/pages/${id}`, { token: tokens.pat, body: { editors: [] } });
    assert.equal(res.status, 200);
    const mark = ed.mark();
    await ed.waitFor<PageUpdatedEvent>('page:updated', (e) => e.pageId === id && e.resubscribe === true);
    await ed.fails('journal:post', { pageId: id, clientId: 'e1', title: 'No longer', body: 'x' }, 'forbidden');
    const j = await pat.ok('journal:post', { pageId: id, clientId: 'p1', title: 'AFTER-REMOVAL', body: 'x' });
    await pat.waitFor<JournalEntryEvent>('journal:entry', (e) => e.entry.id === j.entry.id);
    await ed.barrier();
    assertCutOff(ed.after(mark), id);
  });
});
