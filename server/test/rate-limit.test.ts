/**
 * Rate limits (issue 4): per user and per IP on writes and on subscribe/history, per IP on
 * connection attempts. Each test runs its own server with tiny budgets and 1-second windows;
 * waiting for a window to pass uses a real timer, and nothing here asserts on timing.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { CLIENT_EVENTS, PROTOCOL_VERSION, type WallMessageEvent } from '../../src/protocol/index.js';
import { configFromEnv } from '../src/config.js';
import { DEFAULT_RATE_LIMITS, NO_RATE_LIMITS, createRateLimiter, eventScope, rateLimitsFromEnv, type RateLimitSettings } from '../src/socket/rate-limit.js';
import { expectFailure, sleep, startServer, type TestServer } from './helpers.js';

const servers: TestServer[] = [];
async function serve(limits: Partial<RateLimitSettings>): Promise<TestServer> {
  const ts = await startServer({ rateLimits: { ...NO_RATE_LIMITS, ...limits } });
  servers.push(ts);
  return ts;
}
afterEach(async () => {
  for (const ts of servers.splice(0)) await ts.close();
});

const RETRY = /try again in \d+ seconds?/;
/** Longer than a 1-second window. */
const WINDOW_MS = 1_100;

function assertLimited(r: unknown, what: string) {
  const f = expectFailure(r, 'rate_limited', what);
  assert.match(f.error.message, RETRY, 'the message says when to retry');
}

async function metric(ts: TestServer, line: RegExp): Promise<number> {
  const res = await ts.rest('GET', '/metrics');
  const m = line.exec(String(res.body));
  return m ? Number(m[1]) : 0;
}

describe('per-user limits', () => {
  it('a flooding user gets rate_limited, the call never runs, the socket stays usable, others keep working', async () => {
    const ts = await serve({ writesPerUser: { points: 3, duration: 1 } });
    const pageId = await ts.page({ followers: ['friend'] });
    const owner = await ts.connect('owner');
    const friend = await ts.connect('friend');
    const watcher = await ts.connect('watcher');
    for (const c of [owner, friend, watcher]) await c.ok('page:subscribe', { pageId });

    // One burst (so it all falls in one window): a socket's calls are handled in order, so
    // the first three fit the budget and everything after is over it.
    const burst = await Promise.all([
      ...[0, 1, 2, 3, 4, 5, 6].map((i) => owner.call('wall:post', { pageId, clientId: `post-${i}`, body: `message ${i}` })),
      // Garbage counts too, and is limited before it is even validated.
      owner.raw('journal:post', { nonsense: true }),
      owner.call('follow:set', { pageId, follow: true }),
    ]);
    burst.slice(0, 3).forEach((r, i) => assert.equal((r as { ok: boolean }).ok, true, `call ${i} fits the budget: ${JSON.stringify(r)}`));
    burst.slice(3).forEach((r, i) => assertLimited(r, `call ${i + 3} of the burst`));

    // None of the limited calls ran: nothing stored, nothing broadcast.
    await watcher.barrier();
    const stored = await ts.db.selectFrom('wall_messages').select('body').where('page_id', '=', pageId).execute();
    assert.deepEqual(stored.map((r) => r.body).sort(), ['message 0', 'message 1', 'message 2']);
    const seen = watcher.of<WallMessageEvent>('wall:message').map((e) => e.message.body).sort();
    assert.deepEqual(seen, ['message 0', 'message 1', 'message 2'], 'a refused call leaves no trace in other streams');
    assert.deepEqual(watcher.of('follow:count'), []);

    // The socket is still connected and unlimited events still work.
    assert.equal(owner.socket.connected, true);
    await owner.ok('page:unsubscribe', { pageId: 'no-such-page' });
    await owner.ok('page:subscribe', { pageId });

    // Another user on the same page (and the same IP, which has no limit here) is unaffected,
    // and the flooder still receives the live stream.
    const ownerMark = owner.mark();
    const posted = await friend.ok('wall:post', { pageId, clientId: 'friend-1', body: 'hang in there' });
    await owner.waitFor<WallMessageEvent>('wall:message', (e) => e.message.id === posted.message.id, ownerMark);

    // After the window the flooder may write again.
    await sleep(WINDOW_MS);
    await owner.ok('wall:post', { pageId, clientId: 'after-window', body: 'back again' });
  });

  it('subscribe and history:load draw on the read budget, separate from writes', async () => {
    const ts = await serve({ readsPerUser: { points: 2, duration: 1 }, writesPerUser: { points: 1, duration: 1 } });
    const pageId = await ts.page();
    const reader = await ts.connect('reader');
    const [s1, h1, s2, h2, w1, w2] = await Promise.all([
      reader.call('page:subscribe', { pageId }),
      reader.call('history:load', { pageId, stream: 'journal', before: 100, limit: 10 }),
      reader.call('page:subscribe', { pageId }),
      reader.call('history:load', { pageId, stream: 'wall', before: 100, limit: 10 }),
      reader.call('wall:post', { pageId, clientId: 'w1', body: 'reads used up, writes have their own budget' }),
      reader.call('wall:post', { pageId, clientId: 'w2', body: 'but only one' }),
    ]);
    for (const r of [s1, h1, w1]) assert.equal(r.ok, true, JSON.stringify(r));
    assertLimited(s2, 'page:subscribe over the read budget');
    assertLimited(h2, 'history:load over the read budget');
    assertLimited(w2, 'second write');
    // Another user's reads are unaffected.
    const other = await ts.connect('other');
    await other.ok('page:subscribe', { pageId });
    await sleep(WINDOW_MS);
    await reader.ok('page:subscribe', { pageId });
  });

  it('counts every rate-limited answer in care_calls_total{outcome="rate_limited"}', async () => {
    const ts = await serve({ writesPerUser: { points: 1, duration: 60 } });
    const pageId = await ts.page();
    const owner = await ts.connect('owner');
    const line = /care_calls_total\{event="journal:post",outcome="rate_limited"\} (\d+)/;
    assert.equal(await metric(ts, line), 0);
    await owner.ok('journal:post', { pageId, clientId: 'j0', title: 'one', body: 'x' });
    for (let i = 1; i <= 3; i++) assertLimited(await owner.call('journal:post', { pageId, clientId: `j${i}`, title: 'more', body: 'x' }), 'journal:post');
    assert.equal(await metric(ts, line), 3);
  });
});

describe('per-IP limits', () => {
  it('two users from the same IP share its budget; another IP does not', async () => {
    // Generous per-user budget: only the IP budget can refuse here.
    const ts = await serve({ writesPerUser: { points: 100, duration: 60 }, writesPerIp: { points: 4, duration: 60 } });
    const pageId = await ts.page({ followers: ['a', 'b'] });
    const a = await ts.connect('a');
    const b = await ts.connect('b');
    // A user whose loopback proxy says they come from elsewhere (the server trusts a proxy on its own machine).
    const remote = await ts.connect('c', undefined, { extraHeaders: { 'x-forwarded-for': '203.0.113.7' } });
    for (let i = 0; i < 3; i++) await a.ok('wall:post', { pageId, clientId: `a${i}`, body: `from a ${i}` });
    await b.ok('wall:post', { pageId, clientId: 'b0', body: 'from b' });
    // b has used 1 of its own 100, but 127.0.0.1 has used 4 of 4.
    assertLimited(await b.call('wall:post', { pageId, clientId: 'b1', body: 'b again' }), 'b over the shared IP budget');
    assertLimited(await a.call('wall:heart', { pageId, messageId: 'm-whatever', on: true }), 'a over the shared IP budget');
    // Anonymous sockets from that IP are counted against it too.
    const anon = await ts.connect(null);
    assertLimited(await anon.call('follow:set', { pageId, follow: true }), 'anonymous over the IP budget');
    await remote.ok('wall:post', { pageId, clientId: 'c0', body: 'from another IP' });
  });

  it('refuses handshakes over the per-IP budget with connect_error code rate_limited; live sockets are untouched', async () => {
    const ts = await serve({ handshakesPerIp: { points: 3, duration: 60 } });
    const pageId = await ts.page();
    const first = await ts.connect('owner');
    await ts.connect(null);
    await ts.connect('friend');
    const err = await ts.refused({ protocolVersion: PROTOCOL_VERSION, token: await ts.token('late') });
    assert.equal(err.data?.code, 'rate_limited');
    assert.match(err.message, RETRY);
    // Refused before the token is looked at: even a bad token gets rate_limited, not unauthorized.
    assert.equal((await ts.refused({ protocolVersion: PROTOCOL_VERSION, token: 'not-a-jwt' })).data?.code, 'rate_limited');
    // Another IP still connects; the connected socket still works.
    const elsewhere = await ts.connect('late', undefined, { extraHeaders: { 'x-forwarded-for': '198.51.100.4' } });
    await elsewhere.ok('page:subscribe', { pageId });
    assert.equal(first.socket.connected, true);
    await first.ok('journal:post', { pageId, clientId: 'j', title: 'still here', body: 'x' });
    assert.equal(await metric(ts, /care_handshakes_refused_total\{code="rate_limited"\} (\d+)/), 2);
  });
});

describe('rate limit configuration', () => {
  it('limits exactly the write events and subscribe/history', () => {
    const writes = CLIENT_EVENTS.filter((e) => /^(journal|wall|follow):/.test(e));
    assert.ok(writes.length >= 10);
    for (const e of writes) assert.equal(eventScope(e), 'write', e);
    assert.equal(eventScope('page:subscribe'), 'read');
    assert.equal(eventScope('history:load'), 'read');
    // SPEC 6.2: reading one's choices is a read; choosing and registering a browser are writes.
    assert.equal(eventScope('notify:get'), 'read');
    for (const e of ['notify:set', 'push:subscribe', 'push:unsubscribe']) assert.equal(eventScope(e), 'write', e);
    // SPEC 6.4: every task call is a change (a sign-up too), so it spends the write budget.
    for (const e of ['task:create', 'task:update', 'task:cancel', 'task:signup']) assert.equal(eventScope(e), 'write', e);
    assert.equal(eventScope('page:unsubscribe'), null);
    assert.equal(eventScope('session:refresh'), null);
    for (const e of CLIENT_EVENTS) assert.notEqual(eventScope(e), undefined, e);
  });

  it('reads CARE_RATE_* from the environment over the defaults', () => {
    assert.deepEqual(rateLimitsFromEnv({}), DEFAULT_RATE_LIMITS);
    assert.deepEqual(DEFAULT_RATE_LIMITS, {
      writesPerUser: { points: 30, duration: 10 },
      writesPerIp: { points: 120, duration: 10 },
      readsPerUser: { points: 60, duration: 10 },
      readsPerIp: { points: 240, duration: 10 },
      handshakesPerIp: { points: 120, duration: 60 },
    });
    const env = { CARE_RATE_WRITES: '5/2', CARE_RATE_WRITES_IP: 'off', CARE_RATE_READS: '7 / 3s', CARE_RATE_READS_IP: '0', CARE_RATE_HANDSHAKES: '9/30' };
    assert.deepEqual(rateLimitsFromEnv(env), {
      writesPerUser: { points: 5, duration: 2 },
      writesPerIp: null,
      readsPerUser: { points: 7, duration: 3 },
      readsPerIp: null,
      handshakesPerIp: { points: 9, duration: 30 },
    });
    assert.deepEqual(rateLimitsFromEnv({ CARE_RATE_LIMITS: 'off', CARE_RATE_WRITES: '5/2' }), NO_RATE_LIMITS);
    for (const bad of ['5', '5/0', 'x/10', '-1/10', '1.5/10']) assert.throws(() => rateLimitsFromEnv({ CARE_RATE_WRITES: bad }), /CARE_RATE_WRITES/, bad);
    assert.deepEqual(configFromEnv({ CARE_RATE_HANDSHAKES: '2/5' }, { distDir: '', demoDir: '' }).rateLimits.handshakesPerIp, { points: 2, duration: 5 });
  });

  it('a limiter keys users and IPs separately, and answers how long to wait', async () => {
    const l = createRateLimiter({ ...NO_RATE_LIMITS, writesPerUser: { points: 1, duration: 60 }, readsPerIp: { points: 1, duration: 60 } });
    assert.equal(await l.call('write', 'u1', '10.0.0.1'), null);
    const wait = await l.call('write', 'u1', '10.0.0.2');
    assert.ok(wait !== null && wait > 0 && wait <= 60_000, `wait ${wait}`);
    assert.equal(await l.call('write', 'u2', '10.0.0.1'), null, 'another user');
    assert.equal(await l.call('write', null, '10.0.0.1'), null, 'anonymous: no user budget');
    assert.equal(await l.call('read', 'u1', '10.0.0.1'), null);
    assert.notEqual(await l.call('read', 'u9', '10.0.0.1'), null, 'same IP, read budget spent');
    assert.equal(await l.call('read', 'u9', null), null, 'unknown IP: no IP budget');
    assert.equal(await l.handshake('10.0.0.1'), null, 'handshakes unlimited here');
  });
});
