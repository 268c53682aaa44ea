/**
 * SPEC 6.1, feature `invites`: codes (entropy, charset, uniqueness, one page only), who may
 * create, list and revoke them (managers; the codes reach nobody else), accepting (signed-in
 * only; a follower or an editor without a request; blocked users and owners refused), use
 * counting under concurrent accepts (exactly one of two accepts of a one-use code wins, on
 * SQLite and on PostgreSQL with two nodes), expired, revoked and used-up codes with plain
 * messages, guessing limited by the rate limiter, and audit entries that never hold a code.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { FollowCountEvent, Invite, PageUpdatedEvent } from '../../src/protocol/index.js';
import { INVITE_CODE_BYTES, newInviteCode } from '../src/pages/invites.js';
import { auditTrail, fileServer, startServer, uniqueId, type Client, type TestServer } from './helpers.js';
import { freshPostgres } from './pg.js';

const DATABASE_URL = process.env.DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL;

const server = fileServer();
const connect = (user: string | null, on?: TestServer) => server.connect(user, on);

const page = (visibility: 'public' | 'members' | 'private' = 'private', on = server.ts) =>
  on.page({ id: uniqueId('inv'), visibility, owners: ['pat'], editors: ['ed'], followers: ['fan'] });

async function invite(owner: Client, pageId: string, o: Partial<Pick<Invite, 'role' | 'maxUses'>> & { expiresInHours?: number } = {}): Promise<Invite> {
  return (await owner.ok('invite:create', { pageId, role: o.role ?? 'follower', expiresInHours: o.expiresInHours ?? 24, maxUses: o.maxUses ?? 1 })).invite;
}

const CODE = /^[A-Za-z0-9_-]{32}$/;

describe('codes', () => {
  it('are 192 random bits in 32 base64url characters, each bit position balanced, never repeated', () => {
    assert.ok(INVITE_CODE_BYTES * 8 >= 128);
    const n = 20_000;
    const seen = new Set<string>();
    const ones = new Array<number>(INVITE_CODE_BYTES * 8).fill(0);
    for (let i = 0; i < n; i++) {
      const code = newInviteCode();
      assert.match(code, CODE);
      seen.add(code);
      const bytes = Buffer.from(code, 'base64url');
      assert.equal(bytes.length, INVITE_CODE_BYTES);
      for (let b = 0; b < bytes.length * 8; b++) if ((bytes[b >> 3]! >> (b & 7)) & 1) ones[b]!++;
    }
    assert.equal(seen.size, n, 'no code twice');
    // Each bit is set in half the codes: 20,000 draws put a fair bit within ±4% with
    // overwhelming probability (±5.7 standard deviations); a stuck or biased bit fails.
    for (const [b, k] of ones.entries()) assert.ok(Math.abs(k / n - 0.5) < 0.04, `bit ${b} set in ${k} of ${n}`);
  });

  it('invite:create answers the invitation (code, role, expiry, uses); 300 of them are all distinct', async () => {
    const id = await page();
    const owner = await connect('pat');
    const t0 = Date.now();
    const first = await invite(owner, id, { role: 'editor', expiresInHours: 48, maxUses: 3 });
    assert.match(first.code, CODE);
    assert.deepEqual([first.role, first.maxUses, first.uses], ['editor', 3, 0]);
    assert.ok(Math.abs(Date.parse(first.expiresAt) - (t0 + 48 * 3_600_000)) < 60_000, first.expiresAt);
    const codes = new Set([first.code]);
    for (let i = 0; i < 299; i++) codes.add((await invite(owner, id)).code);
    assert.equal(codes.size, 300);
    assert.equal((await owner.ok('page:settings', { pageId: id })).settings.invites.length, 300);
  });

  it('are valid for one page only: another page answers not_found, and that page is unchanged', async () => {
    const a = await page();
    const b = await page();
    const owner = await connect('pat');
    const { code } = await invite(owner, a);
    const guest = await connect('guest');
    const refused = await guest.fails('invite:accept', { pageId: b, code }, 'not_found');
    assert.match(refused.error.message, /not valid for this page/);
    assert.equal(await server.ts.storage.getFollow(b, 'guest'), null);
    assert.equal((await guest.ok('invite:accept', { pageId: a, code })).role, 'follower', 'still usable on its own page');
    await guest.fails('invite:accept', { pageId: 'no-such-page', code }, 'not_found');
  });
});

describe('managing invitations', () => {
  it('only managers create, list and revoke; nobody else ever sees a code', async () => {
    const id = await page('public');
    const owner = await connect('pat');
    const { code } = await invite(owner, id);
    const others = await Promise.all(['ed', 'moderator', 'fan', 'stranger'].map((u) => connect(u)));
    for (const c of others) {
      await c.fails('invite:create', { pageId: id, role: 'follower', expiresInHours: 1, maxUses: 1 }, 'forbidden');
      await c.fails('invite:revoke', { pageId: id, code }, 'forbidden');
      await c.ok('page:subscribe', { pageId: id });
    }
    const anon = await connect(null);
    await anon.fails('invite:create', { pageId: id, role: 'follower', expiresInHours: 1, maxUses: 1 }, 'unauthorized');
    await anon.fails('invite:revoke', { pageId: id, code }, 'unauthorized');
    const admin = await connect('admin');
    const byAdmin = await invite(admin, id, { role: 'editor' });
    await owner.ok('page:subscribe', { pageId: id });
    await owner.ok('page:configure', { pageId: id, wallModeration: 'pre' });
    await admin.ok('invite:revoke', { pageId: id, code: byAdmin.code });
    for (const c of [...others, anon]) {
      await c.barrier();
      const everything = JSON.stringify(c.received);
      assert.ok(!everything.includes(code) && !everything.includes(byAdmin.code), 'no code in any event to a non-manager');
    }
  });

  it('revoking: the code leaves the list, accepting it says it was withdrawn; revoking again is fine; an unknown code is not_found', async () => {
    const id = await page();
    const owner = await connect('pat');
    const { code } = await invite(owner, id, { maxUses: 5 });
    await owner.ok('invite:revoke', { pageId: id, code });
    assert.deepEqual((await owner.ok('page:settings', { pageId: id })).settings.invites, []);
    const guest = await connect('guest');
    const refused = await guest.fails('invite:accept', { pageId: id, code }, 'forbidden');
    assert.match(refused.error.message, /withdrawn/);
    assert.equal(await server.ts.storage.getFollow(id, 'guest'), null);
    await owner.ok('invite:revoke', { pageId: id, code });
    await owner.fails('invite:revoke', { pageId: id, code: newInviteCode() }, 'not_found');
    const other = await page();
    await owner.fails('invite:revoke', { pageId: other, code: (await invite(owner, id)).code }, 'not_found');
  });

  it('an expired code says when it expired and lets nobody in; it leaves the list', async () => {
    const id = await page();
    const owner = await connect('pat');
    const { code } = await invite(owner, id, { maxUses: 5 });
    const past = new Date(Date.now() - 60_000).toISOString();
    await server.ts.db.updateTable('invites').set({ expires_at: past }).where('code', '=', code).execute();
    const guest = await connect('guest');
    const refused = await guest.fails('invite:accept', { pageId: id, code }, 'forbidden');
    assert.ok(refused.error.message.includes(`expired on ${past.slice(0, 16).replace('T', ' ')} UTC`), refused.error.message);
    assert.equal(await server.ts.storage.getFollow(id, 'guest'), null);
    assert.deepEqual((await owner.ok('page:settings', { pageId: id })).settings.invites, []);
  });
});

describe('accepting', () => {
  it('a follower invitation: the visitor follows a private page without a request, reads it, counts as a follower; readers see the count', async () => {
    const id = await page('private');
    const owner = await connect('pat');
    await owner.ok('page:subscribe', { pageId: id });
    const { code } = await invite(owner, id, { maxUses: 2 });
    const guest = await connect('guest');
    const other = await connect('guest');
    assert.equal((await guest.ok('page:subscribe', { pageId: id })).access, 'none');
    await other.ok('page:subscribe', { pageId: id });
    const marks = [owner.mark(), other.mark()];
    assert.deepEqual(await guest.ok('invite:accept', { pageId: id, code }), { ok: true, role: 'follower' });
    const count = await owner.waitFor<FollowCountEvent>('follow:count', (e) => e.pageId === id, marks[0]);
    assert.equal(count.followerCount, 2);
    // The user's other window is told to resubscribe; then it reads.
    await other.waitFor<PageUpdatedEvent>('page:updated', (e) => e.pageId === id && e.resubscribe === true, marks[1]);
    const a = await guest.ok('page:subscribe', { pageId: id });
    assert.deepEqual([a.access, a.viewer.role, a.viewer.follow], ['read', 'follower', 'following']);
    const listed = (await owner.ok('page:settings', { pageId: id })).settings;
    assert.deepEqual(listed.invites.map((i) => i.uses), [1]);
    assert.ok(listed.followers.some((f) => f.userId === 'guest'));
    await owner.waitFor('settings:changed', (e) => e.pageId === id, marks[0]);
  });

  it('an editor invitation: the new co-author posts journal entries, and is listed with their name', async () => {
    const id = await page('private');
    const owner = await connect('pat');
    const { code } = await invite(owner, id, { role: 'editor' });
    const sam = await connect('sam');
    assert.equal((await sam.ok('invite:accept', { pageId: id, code })).role, 'editor');
    const a = await sam.ok('page:subscribe', { pageId: id });
    assert.equal(a.viewer.role, 'editor');
    await sam.ok('journal:post', { pageId: id, clientId: 'co-author', title: 'From Sam', body: 'Hello' });
    // The name from the token they joined with (`sam` is the demo's "Sam Doe").
    assert.deepEqual((await owner.ok('page:settings', { pageId: id })).settings.editors, [{ userId: 'ed', name: 'ed' }, { userId: 'sam', name: 'Sam Doe' }]);
  });

  it('a pending request becomes a follow (the owner sees it approved); a declined visitor is let in too', async () => {
    const id = await page('private');
    const owner = await connect('pat');
    await owner.ok('page:subscribe', { pageId: id });
    const asker = await connect('asker');
    await asker.ok('follow:set', { pageId: id, follow: true });
    const mark = owner.mark();
    const { code } = await invite(owner, id, { maxUses: 2 });
    await asker.ok('invite:accept', { pageId: id, code });
    await owner.waitFor('follow:request', (e: { request: { userId: string }; state: string }) => e.request.userId === 'asker' && e.state === 'approved', mark);
    await server.ts.storage.setFollow(id, { id: 'no', name: 'No' }, 'declined');
    await (await connect('no')).ok('invite:accept', { pageId: id, code });
    assert.equal((await server.ts.storage.getFollow(id, 'no'))?.state, 'following');
  });

  it('anonymous visitors must sign in; blocked users are refused (the block stands); the owner has nothing to join; members and followers use nothing', async () => {
    const id = await page('private');
    const owner = await connect('pat');
    const { code } = await invite(owner, id, { maxUses: 1 });
    await (await connect(null)).fails('invite:accept', { pageId: id, code }, 'unauthorized');
    await server.ts.storage.setFollow(id, { id: 'troll', name: 'Troll' }, 'blocked');
    await (await connect('troll')).fails('invite:accept', { pageId: id, code }, 'forbidden');
    assert.equal((await server.ts.storage.getFollow(id, 'troll'))?.state, 'blocked');
    await owner.fails('invite:accept', { pageId: id, code }, 'conflict');
    assert.equal((await (await connect('fan')).ok('invite:accept', { pageId: id, code })).role, 'follower');
    assert.equal((await (await connect('ed')).ok('invite:accept', { pageId: id, code })).role, 'follower');
    // None of these used the one use.
    assert.deepEqual((await owner.ok('page:settings', { pageId: id })).settings.invites.map((i) => i.uses), [0]);
    await (await connect('guest')).ok('invite:accept', { pageId: id, code });
  });

  it('a used-up code answers conflict in plain words and lets nobody else in', async () => {
    const id = await page();
    const owner = await connect('pat');
    const { code } = await invite(owner, id, { maxUses: 2 });
    await (await connect('one')).ok('invite:accept', { pageId: id, code });
    await (await connect('two')).ok('invite:accept', { pageId: id, code });
    const refused = await (await connect('three')).fails('invite:accept', { pageId: id, code }, 'conflict');
    assert.match(refused.error.message, /used as many times as it allows/);
    assert.equal(await server.ts.storage.getFollow(id, 'three'), null);
    assert.deepEqual((await owner.ok('page:settings', { pageId: id })).settings.invites.map((i) => [i.uses, i.maxUses]), [[2, 2]]);
  });

  it('every step is audited, naming the invitation by id and never by its code', async () => {
    const id = await page();
    const owner = await connect('pat');
    const { code } = await invite(owner, id, { role: 'editor', maxUses: 1, expiresInHours: 5 });
    await (await connect('sam')).ok('invite:accept', { pageId: id, code });
    await owner.ok('invite:revoke', { pageId: id, code });
    const trail = await auditTrail(server.ts.storage, id);
    const rows = trail.filter((r) => r.action.startsWith('invite.'));
    assert.deepEqual(rows.map((r) => [r.action, r.actorId, r.actorRole]), [
      ['invite.create', 'pat', 'owner'],
      ['invite.accept', 'sam', 'visitor'],
      ['invite.revoke', 'pat', 'owner'],
    ]);
    const inviteId = rows[0]!.target;
    assert.ok(inviteId && rows.every((r) => r.target === inviteId), 'one id names the invitation throughout');
    assert.deepEqual(rows[0]!.detail && Object.keys(rows[0]!.detail).sort(), ['expiresAt', 'maxUses', 'role']);
    assert.ok(!JSON.stringify(trail).includes(code), 'no code in the audit log');
  });

  it('guessing is rate-limited: accept attempts draw on the write budget', async () => {
    const limited = await startServer({ rateLimits: { writesPerUser: { points: 5, duration: 60 }, writesPerIp: null, readsPerUser: null, readsPerIp: null, handshakesPerIp: null } });
    try {
      const id = await limited.page({ owners: ['pat'] });
      const guesser = await limited.connect('guesser');
      const answers = [];
      for (let i = 0; i < 8; i++) answers.push(await guesser.call('invite:accept', { pageId: id, code: newInviteCode() }));
      const codes = answers.map((a) => (a.ok ? 'ok' : a.error.code));
      assert.deepEqual(codes, ['not_found', 'not_found', 'not_found', 'not_found', 'not_found', 'rate_limited', 'rate_limited', 'rate_limited']);
    } finally {
      await limited.close();
    }
  });
});

/** Accepts of a one-use code by `n` users at once, spread over the given servers' sockets. */
async function race(servers: TestServer[], pageId: string, code: string, n: number): Promise<{ users: string[]; outcomes: string[] }> {
  const run = randomBytes(3).toString('hex');
  const users = Array.from({ length: n }, (_, i) => `racer-${run}-${i}`);
  const clients = await Promise.all(users.map((u, i) => connect(u, servers[i % servers.length])));
  const answers = await Promise.all(clients.map((c) => c.call('invite:accept', { pageId, code })));
  return { users, outcomes: answers.map((a) => (a.ok ? 'ok' : a.error.code)) };
}

async function checkRace(servers: TestServer[]): Promise<void> {
  const s = servers[0]!;
  for (let round = 0; round < 10; round++) {
    const id = await page('private', s);
    const owner = await connect('pat', s);
    const { code } = await invite(owner, id, { maxUses: 1 });
    const before = (await s.storage.getPage(id))!.followerCount;
    const { users, outcomes } = await race(servers, id, code, 6);
    assert.equal(outcomes.filter((o) => o === 'ok').length, 1, `exactly one wins: ${outcomes.join()}`);
    assert.deepEqual(outcomes.filter((o) => o !== 'ok'), ['conflict', 'conflict', 'conflict', 'conflict', 'conflict']);
    const following = (await Promise.all(users.map((u) => s.storage.getFollow(id, u)))).filter((f) => f?.state === 'following');
    assert.equal(following.length, 1, 'one new follower');
    assert.equal((await s.storage.getPage(id))!.followerCount, before + 1);
    assert.deepEqual((await owner.ok('page:settings', { pageId: id })).settings.invites.map((i) => i.uses), [1]);
    assert.equal((await auditTrail(s.storage, id)).filter((r) => r.action === 'invite.accept').length, 1, 'one accept audited');
  }
}

describe('concurrent accepts of a one-use code', () => {
  it('SQLite: of six at once, exactly one wins, ten times over', async () => {
    await checkRace([server.ts]);
  });

  const pgSkip = DATABASE_URL && REDIS_URL ? false : 'DATABASE_URL and REDIS_URL are not both set';
  it('PostgreSQL, two nodes with Redis: of six at once (three per node), exactly one wins, ten times over', { skip: pgSkip }, async () => {
    const db = await freshPostgres(DATABASE_URL!);
    const jwtSecret = randomBytes(32).toString('hex');
    const a = await startServer({ db: db.url, redisUrl: REDIS_URL!, jwtSecret }); // first alone: it runs the migrations
    const b = await startServer({ db: db.url, redisUrl: REDIS_URL!, jwtSecret });
    try {
      await checkRace([a, b]);
      // And the rest of the flow on PostgreSQL: expiry, revocation, an editor by invitation.
      const id = await page('private', a);
      const owner = await connect('pat', a);
      const exp = await invite(owner, id, { maxUses: 3 });
      await a.db.updateTable('invites').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('code', '=', exp.code).execute();
      await (await connect('late', b)).fails('invite:accept', { pageId: id, code: exp.code }, 'forbidden');
      const rev = await invite(owner, id, { maxUses: 3 });
      await owner.ok('invite:revoke', { pageId: id, code: rev.code });
      await (await connect('late', b)).fails('invite:accept', { pageId: id, code: rev.code }, 'forbidden');
      const ed = await invite(owner, id, { role: 'editor' });
      const sam = await connect('sam', b);
      await sam.ok('invite:accept', { pageId: id, code: ed.code });
      await sam.ok('journal:post', { pageId: id, clientId: 'pg-co-author', title: 'From Sam', body: 'On PostgreSQL' });
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });
});
