/**
 * SPEC 6.2 on the socket, feature `notify`: `notify:get` / `notify:set` (who may, what is
 * available, what is refused and why, the address taken from the token only, the audit row
 * without it), the choices going with the follow, `push:subscribe` / `push:unsubscribe`, the
 * token's `email` claim, and a backend without the feature. Real server, real SQLite, real
 * Socket.IO clients.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NotifyPrefs } from '../../src/protocol/index.js';
import { emailClaim } from '../src/auth/tokens.js';
import { demoEmail } from '../src/demo/token.js';
import { SERVER_FEATURES } from '../src/pages/features.js';
import { auditTrail, callWithin, fileServer, notifySettings, signToken, startServer, uniqueId, type Client, type TestServer } from './helpers.js';

/** SMTP at a port nothing listens on and a real VAPID key pair: nothing is sent in these tests. */
const NOTIFY = notifySettings();
const VAPID_PUBLIC = NOTIFY.vapid!.publicKey;

const server = fileServer({ notify: notifySettings() });
const connect = (user: string | null, on?: TestServer) => server.connect(user, on);

const page = (visibility: 'public' | 'members' | 'private' = 'public', followers: string[] = ['fan'], on?: TestServer) =>
  (on ?? server.ts).page({ id: uniqueId('ntf'), visibility, owners: ['pat'], editors: ['ed'], followers });

type Answer = { ok: true } & NotifyPrefs;
// With the planner (SPEC 6.4), the answer also says reminders are on (the default).
const OFF = { email: 'off', push: false, ...(SERVER_FEATURES.includes('planner') ? { reminders: true } : {}) };

/** Connects with a token of exactly these claims (an odd or missing `email`). */
async function connectWithClaims(ts: TestServer, claims: Record<string, unknown> & { sub: string }): Promise<Client> {
  const token = await signToken(ts.secret, claims);
  return ts.connect(claims.sub, { protocolVersion: 1, token });
}

describe('notify:get and notify:set: who may', () => {
  it('followers and members may; anonymous visitors are asked to sign in; everyone else is refused', async () => {
    const id = await page('private', ['fan']);
    await server.ts.storage.setFollow(id, { id: 'asker', name: 'Asker' }, 'requested');
    await server.ts.storage.setFollow(id, { id: 'bad', name: 'Bad' }, 'blocked');
    for (const user of ['fan', 'pat', 'ed']) await (await connect(user)).ok('notify:get', { pageId: id });
    await (await connect(null)).fails('notify:get', { pageId: id }, 'unauthorized');
    await (await connect(null)).fails('notify:set', { pageId: id, email: 'off' }, 'unauthorized');
    // Staff read every page, but only followers and members hear about one.
    for (const user of ['stranger', 'asker', 'bad', 'moderator', 'admin']) {
      const c = await connect(user);
      await c.fails('notify:get', { pageId: id }, 'forbidden');
      await c.fails('notify:set', { pageId: id, email: 'daily' }, 'forbidden');
    }
    assert.equal(await server.ts.storage.notifyPrefs(id, 'stranger'), null, 'nothing stored for a refused call');
    await (await connect('fan')).fails('notify:get', { pageId: uniqueId('missing') }, 'not_found');
  });

  it('a visitor of a public page who does not follow is refused too', async () => {
    const id = await page('public', []);
    await (await connect('reader')).fails('notify:get', { pageId: id }, 'forbidden');
  });
});

describe('notify:get and notify:set: the choices', () => {
  it('off until chosen; each change is stored, answered, seen from another connection, and audited without the address', async () => {
    const id = await page();
    const fan = await connect('fan');
    const first = (await fan.ok('notify:get', { pageId: id })) as Answer;
    assert.deepEqual(first, { ok: true, ...OFF, available: { email: true, push: true }, vapidPublicKey: VAPID_PUBLIC });
    assert.ok(!('owner' in first), 'a follower has no owner choices');

    const daily = (await fan.ok('notify:set', { pageId: id, email: 'daily' })) as Answer;
    assert.deepEqual([daily.email, daily.push], ['daily', false]);
    const other = await connect('fan');
    assert.equal(((await other.ok('notify:get', { pageId: id })) as Answer).email, 'daily', 'another connection of theirs agrees');
    const both = (await other.ok('notify:set', { pageId: id, push: true })) as Answer;
    assert.deepEqual([both.email, both.push], ['daily', true], 'a change keeps the other field');
    assert.equal(((await fan.ok('notify:set', { pageId: id, email: 'off' })) as Answer).email, 'off');

    // The address is the token's, kept for the sender; the audit log has modes only.
    const address = await server.ts.db.selectFrom('notify_users').select('email').where('user_id', '=', 'fan').executeTakeFirst();
    assert.equal(address?.email, demoEmail('fan'));
    const rows = (await auditTrail(server.ts.storage, id)).filter((r) => r.action === 'notify.set');
    assert.deepEqual(
      rows.map((r) => [r.actorId, r.actorRole, r.target, r.detail]),
      [
        ['fan', 'follower', 'fan', { email: 'daily' }],
        ['fan', 'follower', 'fan', { push: true }],
        ['fan', 'follower', 'fan', { email: 'off' }],
      ],
    );
    assert.ok(!JSON.stringify(await auditTrail(server.ts.storage, id)).includes('@'), 'no address anywhere in the audit log');
  });

  it('owners and editors also choose what they hear about their own page; followers may not', async () => {
    const id = await page();
    const pat = await connect('pat');
    const before = (await pat.ok('notify:get', { pageId: id })) as Answer;
    assert.deepEqual(before.owner, { requests: 'off', messages: 'off' });
    const after = (await pat.ok('notify:set', { pageId: id, owner: { requests: 'instant' } })) as Answer;
    assert.deepEqual(after.owner, { requests: 'instant', messages: 'off' });
    const both = (await pat.ok('notify:set', { pageId: id, owner: { messages: 'daily' } })) as Answer;
    assert.deepEqual([both.email, both.owner], ['off', { requests: 'instant', messages: 'daily' }]);
    assert.deepEqual(((await (await connect('ed')).ok('notify:get', { pageId: id })) as Answer).owner, { requests: 'off', messages: 'off' });
    const fan = await connect('fan');
    const refused = await fan.fails('notify:set', { pageId: id, owner: { requests: 'instant' } }, 'forbidden');
    assert.match(refused.error.message, /owner/);
    assert.equal(await server.ts.storage.notifyPrefs(id, 'fan'), null);
  });

  it('a token without an email claim (or with one that is no address) cannot choose email, and is told why', async () => {
    const id = await page('public', ['plain', 'odd']);
    const plain = await connectWithClaims(server.ts, { sub: 'plain', name: 'Plain' });
    const answer = (await plain.ok('notify:get', { pageId: id })) as Answer;
    assert.deepEqual(answer.available, { email: false, push: true });
    const refused = await plain.fails('notify:set', { pageId: id, email: 'instant' }, 'invalid');
    assert.match(refused.error.message, /email address/);
    assert.equal(((await plain.ok('notify:set', { pageId: id, push: true })) as Answer).push, true, 'push needs no address');
    const odd = await connectWithClaims(server.ts, { sub: 'odd', email: 'not an address' });
    assert.equal(((await odd.ok('notify:get', { pageId: id })) as Answer).available.email, false);
  });

  it('the email claim: an address up to 254 characters; anything else is ignored', () => {
    assert.equal(emailClaim('kin@example.org'), 'kin@example.org');
    assert.equal(emailClaim(' kin@example.org '), 'kin@example.org');
    assert.equal(emailClaim(`${'a'.repeat(64)}@${'b'.repeat(185)}.org`)?.length, 254);
    for (const bad of [`${'a'.repeat(64)}@${'b'.repeat(186)}.org`, 'kin', 'kin@', '@example.org', 'kin@localhost', 'a b@example.org', 'a@b@example.org', '<kin@example.org>', 'a\u0000@example.org', '\uD800@example.org', 42, null, ['kin@example.org']]) {
      assert.equal(emailClaim(bad), null, JSON.stringify(bad));
    }
  });
});

describe('what the backend can send', () => {
  it('without SMTP or VAPID: nothing available; email and push refused with a reason, off accepted', async () => {
    const bare = await startServer();
    try {
      const id = await page('public', ['fan'], bare);
      const fan = await connect('fan', bare);
      const answer = (await fan.ok('notify:get', { pageId: id })) as Answer;
      assert.deepEqual(answer, { ok: true, ...OFF, available: { email: false, push: false } }, 'no vapidPublicKey without push');
      assert.match((await fan.fails('notify:set', { pageId: id, email: 'daily' }, 'invalid')).error.message, /does not send email/);
      assert.match((await fan.fails('notify:set', { pageId: id, push: true }, 'invalid')).error.message, /browser notifications/);
      await fan.ok('notify:set', { pageId: id, email: 'off', push: false });
      const pat = await connect('pat', bare);
      await pat.fails('notify:set', { pageId: id, owner: { requests: 'instant' } }, 'invalid');
      await pat.ok('notify:set', { pageId: id, owner: { requests: 'off' } });
      await fan.fails('push:subscribe', { subscription: { endpoint: 'https://push.example/x', keys: { p256dh: `B${'p'.repeat(86)}`, auth: 'a'.repeat(22) } } }, 'invalid');
    } finally {
      await bare.close();
    }
  });

  it('demo mode delivers email to its local mailbox: email is available there without SMTP', async () => {
    const demo = await startServer({ demo: true });
    try {
      const fan = await connect('friend', demo);
      const answer = (await fan.ok('notify:get', { pageId: 'jane-doe' })) as Answer;
      assert.deepEqual(answer.available, { email: true, push: false });
    } finally {
      await demo.close();
    }
  });

  it('a backend without the feature (CARE_FEATURES without notify) does not announce it and leaves the events unanswered', async () => {
    const old = await startServer({ features: ['settings', 'invites'], notify: notifySettings() });
    try {
      const id = await page('public', ['fan'], old);
      const fan = await connect('fan', old);
      const sub = await fan.ok('page:subscribe', { pageId: id });
      assert.deepEqual(sub.page.features, ['settings', 'invites']);
      for (const [event, payload] of [
        ['notify:get', { pageId: id }],
        ['notify:set', { pageId: id, email: 'off' }],
        ['push:unsubscribe', { endpoint: 'https://push.example/x' }],
      ] as const) {
        await assert.rejects(callWithin(300, fan.socket, event, payload), `${event} is unknown without the feature`);
      }
    } finally {
      await old.close();
    }
  });
});

describe('the choices go with the follow', () => {
  it('unfollowing ends them (then refused); following again starts from off', async () => {
    const id = await page('public', []);
    const fan = await connect('kin');
    await fan.ok('follow:set', { pageId: id, follow: true });
    await fan.ok('notify:set', { pageId: id, email: 'instant', push: true });
    await fan.ok('follow:set', { pageId: id, follow: false });
    await fan.fails('notify:get', { pageId: id }, 'forbidden');
    assert.equal(await server.ts.storage.notifyPrefs(id, 'kin'), null);
    await fan.ok('follow:set', { pageId: id, follow: true });
    assert.deepEqual(((await fan.ok('notify:get', { pageId: id })) as Answer).email, 'off');
  });

  it('removed or blocked by the page: gone', async () => {
    const id = await page('public', ['one', 'two']);
    for (const u of ['one', 'two']) await (await connect(u)).ok('notify:set', { pageId: id, email: 'daily' });
    const pat = await connect('pat');
    await pat.ok('follow:remove', { pageId: id, userId: 'one' });
    await pat.ok('follow:remove', { pageId: id, userId: 'two', block: true });
    assert.equal(await server.ts.storage.notifyPrefs(id, 'one'), null);
    assert.equal(await server.ts.storage.notifyPrefs(id, 'two'), null);
  });

  it('an editor removed as a member who does not follow: gone', async () => {
    const id = await page('public', []);
    await (await connect('ed')).ok('notify:set', { pageId: id, email: 'daily', owner: { requests: 'instant' } });
    await (await connect('pat')).ok('member:remove', { pageId: id, userId: 'ed' });
    assert.equal(await server.ts.storage.notifyPrefs(id, 'ed'), null);
    await (await connect('ed')).fails('notify:get', { pageId: id }, 'forbidden');
  });
});

describe('push:subscribe and push:unsubscribe', () => {
  const subscription = (n: string) => ({ endpoint: `https://push.example/send/${n}`, expirationTime: null, keys: { p256dh: `B${'p'.repeat(86)}`, auth: 'a'.repeat(22) } });

  it('signed in only; stored for the caller; removed only by them (an answer that tells nobody whose it is)', async () => {
    const n = uniqueId('ep');
    await (await connect(null)).fails('push:subscribe', { subscription: subscription(n) }, 'unauthorized');
    await (await connect(null)).fails('push:unsubscribe', { endpoint: subscription(n).endpoint }, 'unauthorized');
    const kin = await connect('kin');
    await kin.ok('push:subscribe', { subscription: subscription(n) });
    assert.deepEqual(await server.ts.storage.pushSubscription(subscription(n).endpoint), { userId: 'kin', endpoint: subscription(n).endpoint, keys: subscription(n).keys });
    // Someone else's call answers the same, and changes nothing.
    await (await connect('mallory')).ok('push:unsubscribe', { endpoint: subscription(n).endpoint });
    assert.equal((await server.ts.storage.pushSubscription(subscription(n).endpoint))?.userId, 'kin');
    await kin.ok('push:unsubscribe', { endpoint: subscription(n).endpoint });
    assert.equal(await server.ts.storage.pushSubscription(subscription(n).endpoint), null);
    await kin.ok('push:unsubscribe', { endpoint: subscription(n).endpoint });
  });

  it('a plain-HTTP endpoint or malformed keys are invalid', async () => {
    const kin = await connect('kin');
    await kin.fails('push:subscribe', { subscription: { ...subscription('x'), endpoint: 'http://push.example/x' } }, 'invalid');
    await kin.fails('push:subscribe', { subscription: { ...subscription('x'), keys: { p256dh: 'short', auth: 'a'.repeat(22) } } }, 'invalid');
  });

  it('only endpoints on a known push service (CARE_PUSH_HOSTS: push.example here): the server never posts to anything else', async () => {
    const kin = await connect('kin');
    // The listed host and its subdomains.
    for (const endpoint of [`https://push.example/send/${uniqueId('ok')}`, `https://eu-west.push.example/send/${uniqueId('ok')}`]) {
      await kin.ok('push:subscribe', { subscription: { ...subscription('x'), endpoint } });
      assert.equal((await server.ts.storage.pushSubscription(endpoint))?.userId, 'kin', endpoint);
    }
    const refused: [string, RegExp][] = [
      ['https://evilpush.example/x', /^subscription\.endpoint evilpush\.example is not a known push service\.$/],
      ['https://push.example.attacker.test/x', /push\.example\.attacker\.test is not a known push service/],
      ['https://admin.internal/reset', /admin\.internal is not a known push service/],
      ['https://fcm.googleapis.com/fcm/send/x', /fcm\.googleapis\.com is not a known push service/],
      ['https://10.0.0.7/admin', /not by IP address/],
      ['https://169.254.169.254/latest/meta-data/', /not by IP address/],
      ['https://[::1]/x', /not by IP address/],
      ['https://0x7f.1/x', /not by IP address/],
      ['https://push.example:8443/x', /must not name a port \(8443\)/],
      ['https://user:secret@push.example/x', /must not contain a user name or password/],
      ['https://push.example\\@10.0.0.7/x', /is not a normalized URL/],
    ];
    for (const [endpoint, message] of refused) {
      const f = await kin.fails('push:subscribe', { subscription: { ...subscription('x'), endpoint } }, 'invalid');
      assert.match(f.error.message, message, endpoint);
      assert.equal(await server.ts.storage.pushSubscription(endpoint), null, `${endpoint}: nothing stored`);
    }
  });
});
