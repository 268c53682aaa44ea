/**
 * The transport below the `/care` namespace (security review issue 10, finding 5): Engine.IO
 * sessions are counted per IP before any namespace is joined, only `/care` accepts
 * connections, and a session that never joins it is closed after the connect timeout. Raw
 * Engine.IO requests with plain `fetch`, so nothing of the Socket.IO client hides what the
 * server answers.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { io } from 'socket.io-client';
import { PROTOCOL_VERSION } from '../../src/protocol/index.js';
import type { Config } from '../src/config.js';
import { NO_RATE_LIMITS } from '../src/socket/rate-limit.js';
import { startServer, WAIT_MS, type TestServer } from './helpers.js';

const servers: TestServer[] = [];
async function serve(overrides: Partial<Config> = {}): Promise<TestServer> {
  const ts = await startServer(overrides);
  servers.push(ts);
  return ts;
}
afterEach(async () => {
  for (const ts of servers.splice(0)) await ts.close();
});

const POLLING = '/socket.io/?EIO=4&transport=polling';

/** One Engine.IO polling handshake, as a flooding script would send it. */
async function engineHandshake(ts: TestServer, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(`${ts.url}${POLLING}`, { headers });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

/** The `sid` of an accepted handshake (`0{"sid":…}`). */
function sidOf(body: string): string {
  assert.match(body, /^0\{/, `an Engine.IO open packet, got ${body.slice(0, 80)}`);
  return (JSON.parse(body.slice(1)) as { sid: string }).sid;
}

describe('Engine.IO sessions per IP', () => {
  it('a burst of raw polling handshakes from one IP is refused past the budget; another IP still gets in', async () => {
    // The session budget is twice the namespace handshake budget (see createRateLimiter): 3 → 6.
    const ts = await serve({ rateLimits: { ...NO_RATE_LIMITS, handshakesPerIp: { points: 3, duration: 60 } } });
    const answers = [];
    for (let i = 0; i < 9; i++) answers.push(await engineHandshake(ts));
    answers.slice(0, 6).forEach((a, i) => {
      assert.equal(a.status, 200, `handshake ${i} fits the budget`);
      sidOf(a.body);
    });
    for (const [i, a] of answers.slice(6).entries()) {
      assert.ok(a.status >= 400 && a.status < 500, `handshake ${i + 6}: a 4xx, got ${a.status}`);
      assert.ok(a.body.length < 200, `a short answer: ${a.body}`);
      assert.match(a.body, /Too many requests; try again in \d+ seconds?/);
      assert.doesNotMatch(a.body, /sid/);
      assert.match(a.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(a.headers.get('x-content-type-options'), 'nosniff');
    }
    // A client behind the trusted loopback proxy has its own budget.
    const other = await engineHandshake(ts, { 'x-forwarded-for': '203.0.113.9' });
    assert.equal(other.status, 200);
    sidOf(other.body);
  });

  it('X-Forwarded-For from an untrusted peer does not escape the budget', async () => {
    const ts = await serve({ trustProxy: [], rateLimits: { ...NO_RATE_LIMITS, handshakesPerIp: { points: 1, duration: 60 } } });
    assert.equal((await engineHandshake(ts, { 'x-forwarded-for': '198.51.100.1' })).status, 200);
    assert.equal((await engineHandshake(ts, { 'x-forwarded-for': '198.51.100.2' })).status, 200);
    const third = await engineHandshake(ts, { 'x-forwarded-for': '198.51.100.3' });
    assert.equal(third.status, 403, 'the connecting address (127.0.0.1) has spent its 2 sessions');
  });

  it('with REDIS_URL, two nodes share one session budget per IP', { skip: process.env.REDIS_URL ? false : 'REDIS_URL is not set' }, async () => {
    const rateLimits = { ...NO_RATE_LIMITS, handshakesPerIp: { points: 1, duration: 60 } };
    const a = await serve({ redisUrl: process.env.REDIS_URL!, rateLimits });
    const b = await serve({ redisUrl: process.env.REDIS_URL!, rateLimits });
    // A client IP of its own (via the trusted loopback proxy), so counters left in Redis by
    // other runs cannot interfere.
    const headers = { 'x-forwarded-for': `2001:db8::${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}` };
    assert.equal((await engineHandshake(a, headers)).status, 200);
    assert.equal((await engineHandshake(b, headers)).status, 200);
    assert.equal((await engineHandshake(a, headers)).status, 403, 'the third session, counted across both nodes');
    assert.equal((await engineHandshake(b, headers)).status, 403);
  });

  it('with limits off, handshakes are not counted', async () => {
    const ts = await serve();
    for (let i = 0; i < 20; i++) assert.equal((await engineHandshake(ts)).status, 200);
  });
});

describe('namespaces', () => {
  /** Connects a Socket.IO client to `nsp`; resolves with the connect_error, rejects on connect. */
  async function refusedOn(ts: TestServer, nsp: string): Promise<Error & { data?: { code?: string } }> {
    const socket = io(`${ts.url}${nsp}`, { auth: { protocolVersion: PROTOCOL_VERSION }, transports: ['websocket'], forceNew: true, reconnection: false, timeout: WAIT_MS });
    try {
      return await new Promise((resolve, reject) => {
        socket.once('connect', () => reject(new Error(`the connection to ${nsp} should have been refused`)));
        socket.once('connect_error', (err) => resolve(err as Error & { data?: { code?: string } }));
      });
    } finally {
      socket.disconnect();
    }
  }

  it('the root namespace refuses every connection, with a message that points to /care', async () => {
    const ts = await serve();
    const err = await refusedOn(ts, '/');
    assert.match(err.message, /\/care/);
    assert.equal(err.data?.code, 'invalid');
  });

  it('an unknown namespace is refused', async () => {
    const ts = await serve();
    const err = await refusedOn(ts, '/other');
    assert.match(err.message, /namespace/i);
  });

  it('/care still connects', async () => {
    const ts = await serve();
    const c = await ts.connect(null);
    assert.equal(c.socket.connected, true);
    c.close();
  });
});

describe('connect timeout', () => {
  it('an Engine.IO session that never joins /care is closed by the server after connectTimeoutMs', async () => {
    const ts = await serve({ connectTimeoutMs: 200 });
    const sid = sidOf((await engineHandshake(ts)).body);
    // A long poll waits for the next packet; the server has nothing to say until it closes the
    // session, which ends the poll with a close packet ("1"). The abort only keeps a broken
    // server from hanging the test: the default (45 s) or a ping (25 s) would not end it in time.
    const poll = await fetch(`${ts.url}${POLLING}&sid=${sid}`, { signal: AbortSignal.timeout(WAIT_MS) });
    assert.equal(poll.status, 200);
    assert.equal(await poll.text(), '1', 'a close packet');
    // The session is gone.
    const after = await fetch(`${ts.url}${POLLING}&sid=${sid}`, { signal: AbortSignal.timeout(WAIT_MS) });
    assert.equal(after.status, 400);
    await after.text();
  });
});
