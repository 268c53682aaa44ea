/**
 * SPEC 6.1 on the server, feature `settings`: the features a backend announces (and
 * `CARE_FEATURES` switching them off), `can.manage`, `page:settings` (full for managers, a
 * summary for editors, refused to everyone else), `page:configure` (a viewer who loses access
 * has left the page before the answer), `member:remove`, `follow:unblock`, `settings:changed`
 * to exactly the settings' readers, how often someone asked, the cool-down with
 * `viewer.askAgainAt`, and an audit entry for each change. Real server, real SQLite, real
 * Socket.IO clients. Invitations are in invites.test.ts; the role × event table in
 * privacy-matrix.test.server.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PageSettingsView, PageUpdatedEvent, SubscribeAnswer } from '../../src/protocol/index.js';
import { featuresFromEnv } from '../src/config.js';
import { SERVER_FEATURES } from '../src/pages/features.js';
import { rooms } from '../src/pages/rooms.js';
import { auditTrail, barrierAll, callWithin, fileServer, startServer, uniqueId, type Client, type TestServer } from './helpers.js';

const server = fileServer();
const connect = (user: string | null, on?: TestServer) => server.connect(user, on);

const page = (visibility: 'public' | 'members' | 'private' = 'public', followers: string[] = ['fan']) =>
  server.ts.page({ id: uniqueId('set'), visibility, owners: ['pat'], editors: ['ed'], followers });

const actions = async (pageId: string, action: string) => (await auditTrail(server.ts.storage, pageId)).filter((r) => r.action === action);

describe('features', () => {
  it('the subscribe answer and page:updated carry page.features; a teaser carries them too', async () => {
    const id = await page('private');
    const owner = await connect('pat');
    const a = await owner.ok('page:subscribe', { pageId: id });
    assert.deepEqual(a.page.features, [...SERVER_FEATURES]);
    const visitor = await connect('stranger');
    const t = await visitor.ok('page:subscribe', { pageId: id });
    assert.equal(t.access, 'none');
    assert.deepEqual(t.page.features, [...SERVER_FEATURES]);
    const mark = owner.mark();
    await owner.ok('page:configure', { pageId: id, wallModeration: 'pre' });
    const updated = await owner.waitFor<PageUpdatedEvent>('page:updated', (e) => e.pageId === id && e.page !== undefined, mark);
    assert.deepEqual(updated.page?.features, [...SERVER_FEATURES]);
    assert.equal(updated.page?.wallModeration, 'pre');
  });

  it('CARE_FEATURES: unset is every feature, empty is none, unknown names and invites without settings stop the server', () => {
    assert.deepEqual(featuresFromEnv(undefined), [...SERVER_FEATURES]);
    assert.deepEqual(featuresFromEnv(''), []);
    assert.deepEqual(featuresFromEnv(' invites , settings '), ['settings', 'invites']);
    assert.deepEqual(featuresFromEnv('settings'), ['settings']);
    assert.deepEqual(featuresFromEnv('notify'), ['notify']);
    // SPEC 6.4's planner is served now; a feature this server lacks still stops it.
    assert.deepEqual(featuresFromEnv('planner'), ['planner']);
    assert.throws(() => featuresFromEnv('settings,calendar'), /CARE_FEATURES/);
    assert.throws(() => featuresFromEnv('setings'), /CARE_FEATURES/);
    assert.throws(() => featuresFromEnv('invites'), /needs "settings"/);
  });

  it('a first-wave backend (no features): no page.features, no can.manage, no askAgainAt, and the new events go unanswered', async () => {
    const old = await startServer({ features: [], requestCooldownHours: 168 });
    try {
      const id = await old.page({ visibility: 'private', owners: ['pat'] });
      await old.storage.setFollow(id, { id: 'no', name: 'No' }, 'declined');
      const owner = await old.connect('pat');
      const a = await owner.ok('page:subscribe', { pageId: id });
      assert.equal('features' in a.page, false);
      assert.equal('manage' in a.viewer.can, false);
      const declined = await old.connect('no');
      const d = await declined.ok('page:subscribe', { pageId: id });
      assert.equal('features' in d.page, false);
      assert.equal('askAgainAt' in d.viewer, false);
      for (const [event, payload] of [
        ['page:settings', { pageId: id }],
        ['page:configure', { pageId: id, visibility: 'public' }],
        ['invite:create', { pageId: id, role: 'follower', expiresInHours: 1, maxUses: 1 }],
      ] as const) {
        await assert.rejects(callWithin(300, owner.socket, event, payload), `${event} is unknown to a first-wave backend`);
      }
      assert.equal((await old.storage.getPage(id))?.visibility, 'private', 'nothing changed');
      // The first wave still works.
      await owner.ok('journal:post', { pageId: id, clientId: 'fw', title: 'Still here', body: 'Yes' });
    } finally {
      await old.close();
    }
  });

  it('settings without invites: page:settings is served, invite:* is not', async () => {
    const half = await startServer({ features: ['settings'] });
    try {
      const id = await half.page({ owners: ['pat'] });
      const owner = await half.connect('pat');
      assert.deepEqual((await owner.ok('page:subscribe', { pageId: id })).page.features, ['settings']);
      await owner.ok('page:settings', { pageId: id });
      await assert.rejects(callWithin(300, owner.socket, 'invite:create', { pageId: id, role: 'follower', expiresInHours: 1, maxUses: 1 }));
    } finally {
      await half.close();
    }
  });
});

describe('can.manage', () => {
  it('owners and admins manage; editors, staff moderators, followers, visitors and anonymous visitors do not', async () => {
    const id = await page('public');
    const expected: [string | null, boolean][] = [
      ['pat', true],
      ['admin', true],
      ['ed', false],
      ['moderator', false],
      ['fan', false],
      ['stranger', false],
      [null, false],
    ];
    for (const [user, manage] of expected) {
      const a = await (await connect(user)).ok('page:subscribe', { pageId: id });
      assert.equal(a.viewer.can.manage, manage, `${user ?? 'anonymous'}`);
    }
  });
});

describe('page:settings', () => {
  it('the owner and an admin get everything; an editor a summary without blocked users and invitations', async () => {
    const id = await page('private', ['fan', 'fan2']);
    await server.ts.storage.setFollow(id, { id: 'asker', name: 'Asker' }, 'requested');
    await server.ts.storage.setFollow(id, { id: 'troll', name: 'Troll' }, 'blocked');
    const owner = await connect('pat');
    const invite = (await owner.ok('invite:create', { pageId: id, role: 'follower', expiresInHours: 24, maxUses: 3 })).invite;
    const full = (await owner.ok('page:settings', { pageId: id })).settings;
    assert.equal(full.visibility, 'private');
    assert.equal(full.wallModeration, 'post');
    assert.deepEqual(full.followers.map((f) => f.userId).sort(), ['fan', 'fan2']);
    assert.ok(full.followers.every((f) => typeof f.name === 'string' && !Number.isNaN(Date.parse(f.since))));
    assert.deepEqual(full.requests.map((r) => [r.userId, r.name, r.asked]), [['asker', 'Asker', 1]]);
    assert.deepEqual(full.editors, [{ userId: 'ed', name: 'ed' }]);
    assert.deepEqual(full.blocked.map((b) => [b.userId, b.name]), [['troll', 'Troll']]);
    assert.deepEqual(full.invites, [invite]);
    const admin = (await (await connect('admin')).ok('page:settings', { pageId: id })).settings;
    assert.deepEqual(admin, full);
    const summary = (await (await connect('ed')).ok('page:settings', { pageId: id })).settings;
    assert.deepEqual(summary, { ...full, blocked: [], invites: [] } satisfies PageSettingsView);
    assert.ok(!JSON.stringify(summary).includes(invite.code), 'no code reaches an editor');
  });

  it('followers, staff moderators and visitors are refused forbidden, anonymous visitors unauthorized, a missing page not_found', async () => {
    const id = await page('public');
    for (const user of ['fan', 'moderator', 'stranger']) await (await connect(user)).fails('page:settings', { pageId: id }, 'forbidden');
    await (await connect(null)).fails('page:settings', { pageId: id }, 'unauthorized');
    await (await connect('pat')).fails('page:settings', { pageId: 'no-such-page' }, 'not_found');
  });

  it('reading the settings is audited (who follows a patient is private), without the codes', async () => {
    const id = await page('public');
    const owner = await connect('pat');
    const { invite } = await owner.ok('invite:create', { pageId: id, role: 'editor', expiresInHours: 1, maxUses: 1 });
    await owner.ok('page:settings', { pageId: id });
    const rows = await actions(id, 'settings.read');
    assert.deepEqual(rows.map((r) => [r.actorId, r.actorRole, r.detail]), [['pat', 'owner', { full: true }]]);
    assert.ok(!JSON.stringify(await auditTrail(server.ts.storage, id)).includes(invite.code));
  });
});

describe('page:configure', () => {
  it('public → private while a visitor is subscribed: the visitor has left the page before the answer, is told to resubscribe, and gets nothing more', async () => {
    const id = await page('public');
    const owner = await connect('pat');
    const fan = await connect('fan');
    const visitor = await connect('stranger');
    const anon = await connect(null);
    for (const c of [owner, fan, visitor, anon]) assert.equal((await c.ok('page:subscribe', { pageId: id })).access, 'read');
    const readers = () => server.ts.server.ns.adapter.rooms.get(rooms.read(id)) ?? new Set<string>();
    assert.ok(readers().has(visitor.socket.id!) && readers().has(anon.socket.id!));
    const marks = [visitor, anon, fan].map((c) => c.mark());

    const answer = await owner.ok('page:configure', { pageId: id, visibility: 'private' });
    // At the moment of the answer the visitor's and the anonymous socket are out of the readers' room.
    assert.ok(!readers().has(visitor.socket.id!), 'the visitor left before the ack');
    assert.ok(!readers().has(anon.socket.id!), 'the anonymous visitor left before the ack');
    assert.ok(readers().has(fan.socket.id!), 'the follower still reads');
    assert.equal(answer.page.visibility, 'private');
    assert.deepEqual(answer.page.features, [...SERVER_FEATURES]);

    await owner.ok('journal:post', { pageId: id, clientId: 'after-private', title: 'Only for my circle', body: 'Private now' });
    await owner.ok('wall:post', { pageId: id, clientId: 'after-private-w', body: 'Private wall' });
    await barrierAll([visitor, anon, fan]);
    for (const [i, c] of [visitor, anon].entries()) {
      const got = c.after(marks[i]!, id);
      assert.deepEqual(got, [{ event: 'page:updated', data: { pageId: id, resubscribe: true } }], `only the notice to resubscribe: ${JSON.stringify(got)}`);
      const again = (await c.ok('page:subscribe', { pageId: id })) as SubscribeAnswer;
      assert.equal(again.access, 'none');
      assert.ok(!JSON.stringify(again).includes('Only for my circle'));
    }
    // The follower got the change in seq order, then the new entry.
    const fanGot = fan.after(marks[2]!, id).map((r) => r.event);
    assert.deepEqual(fanGot, ['page:updated', 'journal:entry', 'wall:message']);
    assert.equal(fan.of<PageUpdatedEvent>('page:updated', marks[2]).at(0)?.page?.visibility, 'private');
    const rows = await actions(id, 'page.update');
    assert.deepEqual(rows.map((r) => [r.actorId, r.actorRole, r.detail]), [['pat', 'owner', { changed: ['visibility'], visibility: 'private', visibilityBefore: 'public' }]]);
  });

  it('private → public lets subscribed non-readers in: they are told to resubscribe and then read', async () => {
    const id = await page('private');
    const admin = await connect('admin');
    const visitor = await connect('stranger');
    assert.equal((await visitor.ok('page:subscribe', { pageId: id })).access, 'none');
    const mark = visitor.mark();
    await admin.ok('page:configure', { pageId: id, visibility: 'public' });
    await visitor.waitFor<PageUpdatedEvent>('page:updated', (e) => e.pageId === id && e.resubscribe === true, mark);
    assert.equal((await visitor.ok('page:subscribe', { pageId: id })).access, 'read');
    const rows = await actions(id, 'page.update');
    assert.deepEqual(rows.map((r) => [r.actorId, r.actorRole]), [['admin', 'admin']]);
  });

  it('editors, moderators and followers may not; the REST PATCH keeps working through the same path', async () => {
    const id = await page('public');
    for (const user of ['ed', 'moderator', 'fan', 'stranger']) await (await connect(user)).fails('page:configure', { pageId: id, visibility: 'private' }, 'forbidden');
    await (await connect(null)).fails('page:configure', { pageId: id, visibility: 'private' }, 'unauthorized');
    assert.equal((await server.ts.storage.getPage(id))?.visibility, 'public');
    const ed = await connect('ed');
    await ed.ok('page:subscribe', { pageId: id });
    const mark = ed.mark();
    const res = await server.ts.rest('PATCH', `/api/pages/${id}`, { token: await server.ts.token('pat'), body: { wallModeration: 'pre' } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    // Editors read the settings summary, which shows wall moderation: they hear of it.
    await ed.waitFor('settings:changed', (e) => e.pageId === id, mark);
  });
});

describe('member:remove', () => {
  it('an editor loses the role before the answer: a private page is gone for them, journal posts refused, settings:changed to the managers; audited', async () => {
    const id = await page('private');
    const owner = await connect('pat');
    const ed = await connect('ed');
    await owner.ok('page:subscribe', { pageId: id });
    assert.equal((await ed.ok('page:subscribe', { pageId: id })).viewer.role, 'editor');
    const marks = [owner.mark(), ed.mark()];
    await owner.ok('member:remove', { pageId: id, userId: 'ed' });
    const readers = server.ts.server.ns.adapter.rooms.get(rooms.read(id)) ?? new Set<string>();
    assert.ok(!readers.has(ed.socket.id!), 'the former editor left before the ack');
    await owner.waitFor('settings:changed', (e) => e.pageId === id, marks[0]);
    await ed.waitFor<PageUpdatedEvent>('page:updated', (e) => e.pageId === id && e.resubscribe === true, marks[1]);
    await barrierAll([ed]);
    assert.deepEqual(ed.after(marks[1]!, id).map((r) => r.event), ['page:updated'], 'no settings:changed to the removed editor');
    assert.equal((await ed.ok('page:subscribe', { pageId: id })).access, 'none');
    await ed.fails('journal:post', { pageId: id, clientId: 'gone', title: 'x', body: 'y' }, 'forbidden');
    assert.deepEqual((await owner.ok('page:settings', { pageId: id })).settings.editors, []);
    const rows = await actions(id, 'member.remove');
    assert.deepEqual(rows.map((r) => [r.actorId, r.actorRole, r.target, r.detail]), [['pat', 'owner', 'ed', { role: 'editor' }]]);
  });

  it('a removed editor who also followed keeps following; owners cannot be removed; a non-editor is not_found', async () => {
    const id = await page('private', ['ed']);
    const owner = await connect('pat');
    await owner.ok('member:remove', { pageId: id, userId: 'ed' });
    assert.equal((await (await connect('ed')).ok('page:subscribe', { pageId: id })).viewer.role, 'follower');
    await owner.fails('member:remove', { pageId: id, userId: 'pat' }, 'forbidden');
    await owner.fails('member:remove', { pageId: id, userId: 'fan' }, 'not_found');
    await owner.fails('member:remove', { pageId: id, userId: 'ed' }, 'not_found');
    assert.deepEqual(await server.ts.storage.members(id), [{ userId: 'pat', role: 'owner' }]);
  });
});

describe('follow:unblock', () => {
  it('a blocked user becomes a plain visitor again (told to resubscribe), audited; someone not blocked is not_found', async () => {
    const id = await page('public');
    const owner = await connect('pat');
    const troll = await connect('troll');
    await owner.ok('follow:remove', { pageId: id, userId: 'troll', block: true });
    assert.equal((await troll.ok('page:subscribe', { pageId: id })).access, 'none');
    const mark = troll.mark();
    await owner.ok('follow:unblock', { pageId: id, userId: 'troll' });
    await troll.waitFor<PageUpdatedEvent>('page:updated', (e) => e.pageId === id && e.resubscribe === true, mark);
    const again = await troll.ok('page:subscribe', { pageId: id });
    assert.deepEqual([again.access, again.viewer.follow], ['read', 'none']);
    assert.equal(await server.ts.storage.getFollow(id, 'troll'), null);
    await owner.fails('follow:unblock', { pageId: id, userId: 'troll' }, 'not_found');
    await owner.fails('follow:unblock', { pageId: id, userId: 'fan' }, 'not_found');
    const rows = await actions(id, 'follow.unblock');
    assert.deepEqual(rows.map((r) => [r.actorId, r.actorRole, r.target]), [['pat', 'owner', 'troll']]);
  });

  it('editors and staff moderators may block (moderation) but only managers unblock', async () => {
    const id = await page('public');
    await server.ts.storage.setFollow(id, { id: 'troll', name: 'Troll' }, 'blocked');
    for (const user of ['ed', 'moderator']) await (await connect(user)).fails('follow:unblock', { pageId: id, userId: 'troll' }, 'forbidden');
    await (await connect('admin')).ok('follow:unblock', { pageId: id, userId: 'troll' });
  });
});

describe('settings:changed', () => {
  it('reaches the owner, admins and editors subscribed to the page, and nobody else, carrying only the page id', async () => {
    const id = await page('public');
    const who = ['pat', 'admin', 'ed', 'moderator', 'fan', 'stranger', null] as const;
    const clients = await Promise.all(who.map((u) => connect(u)));
    await Promise.all(clients.map((c) => c.ok('page:subscribe', { pageId: id })));
    const marks = clients.map((c) => c.mark());
    await (await connect('newcomer')).ok('follow:set', { pageId: id, follow: true });
    await clients[0]!.waitFor('settings:changed', (e) => e.pageId === id, marks[0]);
    await barrierAll(clients);
    const got = clients.map((c, i) => c.of('settings:changed', marks[i]));
    assert.deepEqual(
      got.map((g) => g.length),
      [1, 1, 1, 0, 0, 0, 0],
    );
    assert.deepEqual(got[0], [{ pageId: id }]);
  });

  it('follows every kind of change: request, decision, removal, block, unblock, invitation', async () => {
    const id = await page('private');
    const owner = await connect('pat');
    await owner.ok('page:subscribe', { pageId: id });
    const count = () => owner.of('settings:changed').filter((e) => e.pageId === id).length;
    const asker = await connect('asker');
    const steps: [string, () => Promise<unknown>][] = [
      ['request', () => asker.ok('follow:set', { pageId: id, follow: true })],
      ['approve', () => owner.ok('follow:decide', { pageId: id, userId: 'asker', approve: true })],
      ['remove', () => owner.ok('follow:remove', { pageId: id, userId: 'asker' })],
      ['block', () => owner.ok('follow:remove', { pageId: id, userId: 'asker', block: true })],
      ['unblock', () => owner.ok('follow:unblock', { pageId: id, userId: 'asker' })],
      ['invite', () => owner.ok('invite:create', { pageId: id, role: 'follower', expiresInHours: 1, maxUses: 1 })],
      ['configure', () => owner.ok('page:configure', { pageId: id, wallModeration: 'pre' })],
    ];
    for (const [name, step] of steps) {
      const before = count();
      await step();
      await owner.barrier();
      assert.equal(count(), before + 1, `settings:changed after ${name}`);
    }
  });
});

describe('asking again', () => {
  it('a declined visitor sees askAgainAt (the cool-down after the decision) and is refused until then', async () => {
    const id = await page('private');
    const owner = await connect('pat');
    const asker = await connect('asker');
    await asker.ok('follow:set', { pageId: id, follow: true });
    const t0 = Date.now();
    await owner.ok('follow:decide', { pageId: id, userId: 'asker', approve: false });
    const a = await asker.ok('page:subscribe', { pageId: id });
    assert.equal(a.viewer.follow, 'declined');
    const at = Date.parse(a.viewer.askAgainAt ?? '');
    // The default cool-down: 168 hours (7 days) after the decline.
    assert.ok(Math.abs(at - (t0 + 168 * 3_600_000)) < 60_000, `askAgainAt ${a.viewer.askAgainAt}`);
    const refused = await asker.fails('follow:set', { pageId: id, follow: true }, 'rate_limited');
    assert.ok(refused.error.message.includes(a.viewer.askAgainAt!.slice(0, 16).replace('T', ' ')), refused.error.message);
    // Viewers who were not declined carry no askAgainAt.
    assert.equal('askAgainAt' in (await owner.ok('page:subscribe', { pageId: id })).viewer, false);
  });

  it('after the cool-down askAgainAt is null and the request goes through; the owner sees how often they asked', async () => {
    const quick = await startServer({ requestCooldownHours: 0 });
    try {
      const id = await quick.page({ visibility: 'private', owners: ['pat'] });
      const owner = await quick.connect('pat');
      const asker = await quick.connect('asker');
      await asker.ok('follow:set', { pageId: id, follow: true });
      await owner.ok('follow:decide', { pageId: id, userId: 'asker', approve: false });
      const a = await asker.ok('page:subscribe', { pageId: id });
      assert.equal(a.viewer.askAgainAt, null);
      await asker.ok('follow:set', { pageId: id, follow: true });
      assert.deepEqual((await owner.ok('page:settings', { pageId: id })).settings.requests.map((r) => r.asked), [2]);
      // A withdrawn request still counts.
      await asker.ok('follow:set', { pageId: id, follow: false });
      await asker.ok('follow:set', { pageId: id, follow: true });
      const s = (await owner.ok('page:settings', { pageId: id })).settings;
      assert.deepEqual(s.requests.map((r) => [r.userId, r.asked]), [['asker', 3]]);
      // The live snapshot's requests carry the count too.
      const snap = await owner.ok('page:subscribe', { pageId: id });
      assert.equal(snap.access === 'read' && snap.snapshot?.requests?.[0]?.asked, 3);
    } finally {
      await quick.close();
    }
  });
});
