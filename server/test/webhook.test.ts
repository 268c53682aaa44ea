/**
 * The signed webhook (`CARE_WEBHOOK_URL`): a real HTTP receiver on a random loopback port gets
 * `journal.posted`, `follow.requested` and `follow.approved` with ids and counts only, signed
 * with HMAC-SHA256 over `${timestamp}.${body}`; failed deliveries are retried with backoff; a
 * receiver that fails, hangs or is down never blocks or breaks the call that caused it.
 */
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { io } from 'socket.io-client';
import { PROTOCOL_VERSION } from '../../src/protocol/index.js';
import { configFromEnv, type Config } from '../src/config.js';
import { createCareServer } from '../src/app.js';
import { signDemoToken } from '../src/demo/token.js';
import { signToken, sleep, startServer, testConfig, type TestServer } from './helpers.js';
import { startServerProcess } from './server-process.js';

const SECRET = 'whsec-test-0123456789abcdef';

interface Hit {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Reply = number | 'hang' | 'drop';

/** A real HTTP receiver (on `port`, else a random one); `reply(n)` decides the answer to the n-th request (1-based). */
async function receiver(reply: (n: number) => Reply = () => 200, port = 0) {
  const hits: Hit[] = [];
  const hung: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const r = reply(hits.length);
      if (r === 'hang') hung.push(res);
      else if (r === 'drop') req.socket.destroy();
      else res.writeHead(r, { 'content-type': 'text/plain' }).end(r < 300 ? 'thanks' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/care`;
  return {
    url,
    hits,
    hung,
    /** Resolves once `n` requests arrived. */
    count: (n: number) => until(() => hits.length >= n, `${n} webhook requests (got ${hits.length})`),
    close: () => {
      for (const r of hung) r.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
type Receiver = Awaited<ReturnType<typeof receiver>>;

/** Waits (polling) until `cond` holds; fails after `timeoutMs`. A wait, never an assertion about time. */
async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function serverFor(r: Receiver | null, over: Partial<Config> = {}): Promise<TestServer> {
  const ts = await startServer({
    ...(r ? { webhookUrl: r.url, webhookSecret: SECRET, webhookDelivery: { retryBaseMs: 10, timeoutMs: 2_000 } } : {}),
    ...over,
  });
  cleanup.push(() => ts.close());
  return ts;
}
async function receiverFor(reply?: (n: number) => Reply) {
  const r = await receiver(reply);
  cleanup.push(r.close);
  return r;
}

/** Connects with a token whose display name is `name`, to prove names never leave. */
async function connectNamed(ts: TestServer, userId: string, name: string) {
  const token = await signToken(ts.secret, { sub: userId, name });
  return ts.connect(userId, { protocolVersion: PROTOCOL_VERSION, token });
}

async function outcomes(ts: TestServer): Promise<Record<string, number>> {
  const m = await ts.server.metrics.webhookDeliveries.get();
  return Object.fromEntries(m.values.map((v) => [String(v.labels.outcome), v.value]));
}

/** What the server logged with console.error while `run` ran (and not printed). */
async function loggedErrors(run: () => Promise<void>): Promise<unknown[]> {
  const errors: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args);
  try {
    await run();
  } finally {
    console.error = original;
  }
  return errors;
}

const hmac = (key: string, text: string) => createHmac('sha256', key).update(text, 'utf8').digest('hex');

/** Checks a request's signature headers the way a receiver would; returns the parsed body. */
function verified(hit: Hit): Record<string, unknown> {
  const timestamp = String(hit.headers['x-care-timestamp']);
  const signature = String(hit.headers['x-care-signature']);
  assert.match(timestamp, /^\d{10}$/, 'Unix seconds');
  assert.ok(Math.abs(Number(timestamp) - Date.now() / 1000) < 300, 'a current timestamp (in seconds, not ms)');
  assert.match(signature, /^sha256=[0-9a-f]{64}$/);
  const expected = Buffer.from(`sha256=${hmac(SECRET, `${timestamp}.${hit.body}`)}`);
  assert.ok(timingSafeEqual(Buffer.from(signature), expected), 'the signature verifies over `${timestamp}.${body}`');
  // It depends on the secret and on the timestamp: neither a wrong key nor the body alone verify.
  assert.notEqual(signature, `sha256=${hmac('another-secret-xxxxxxxx', `${timestamp}.${hit.body}`)}`);
  assert.notEqual(signature, `sha256=${hmac(SECRET, hit.body)}`);
  assert.notEqual(signature, `sha256=${hmac(SECRET, `${Number(timestamp) + 1}.${hit.body}`)}`);
  assert.equal(hit.method, 'POST');
  assert.equal(hit.path, '/hooks/care');
  assert.match(String(hit.headers['content-type']), /^application\/json/);
  assert.match(String(hit.headers['x-care-delivery']), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const body = JSON.parse(hit.body) as Record<string, unknown>;
  assert.equal(hit.headers['x-care-event'], body.type);
  assert.ok(!Number.isNaN(Date.parse(String(body.at))), 'at is a date');
  return body;
}

describe('payloads and signature', () => {
  it('journal.posted, follow.requested and follow.approved: signed, exact key sets, ids and counts only', async () => {
    const r = await receiverFor();
    const ts = await serverFor(r);
    const pageId = await ts.page({ visibility: 'private', title: 'Jane SECRET-PAGE-TITLE', followers: ['f1', 'f2'] });
    const owner = await connectNamed(ts, 'owner', 'Olivia SECRET-OWNER-NAME');
    const requester = await connectNamed(ts, 'reqr', 'Rita SECRET-REQUESTER-NAME');

    const posted = await owner.ok('journal:post', { pageId, clientId: 'j1', title: 'SECRET-TITLE chemo day 3', body: 'SECRET-BODY blood counts' });
    await r.count(1);
    await requester.ok('follow:set', { pageId, follow: true });
    await r.count(2);
    await owner.ok('follow:decide', { pageId, userId: 'reqr', approve: true });
    await r.count(3);
    await until(async () => (await outcomes(ts)).delivered === 3, 'the deliveries');

    const [j, q, a] = r.hits.map(verified);
    assert.deepEqual(Object.keys(j!).sort(), ['at', 'entryId', 'followerCount', 'pageId', 'seq', 'type']);
    assert.deepEqual(Object.keys(q!).sort(), ['at', 'pageId', 'pendingCount', 'type', 'userId']);
    assert.deepEqual(Object.keys(a!).sort(), ['at', 'followerCount', 'pageId', 'type', 'userId']);
    assert.deepEqual({ ...j, at: null }, { type: 'journal.posted', pageId, entryId: posted.entry.id, seq: posted.entry.seq, followerCount: 2, at: null });
    assert.deepEqual({ ...q, at: null }, { type: 'follow.requested', pageId, userId: 'reqr', pendingCount: 1, at: null });
    assert.deepEqual({ ...a, at: null }, { type: 'follow.approved', pageId, userId: 'reqr', followerCount: 3, at: null });

    const everything = JSON.stringify(r.hits);
    for (const secret of ['SECRET', 'Olivia', 'Rita', 'chemo', 'blood']) assert.ok(!everything.includes(secret), `"${secret}" left the server`);
    assert.equal(new Set(r.hits.map((h) => h.headers['x-care-delivery'])).size, 3, 'one delivery id per notification');
    assert.deepEqual(await outcomes(ts), { delivered: 3, retried: 0, failed: 0, dropped: 0 });
  });

  it('only new posts and approvals notify: no retried post, edit, wall post, public follow or declined request', async () => {
    const r = await receiverFor();
    // One request at a time, so deliveries arrive in the order the changes happened.
    const ts = await serverFor(r, { webhookDelivery: { retryBaseMs: 10, concurrency: 1 } });
    const pub = await ts.page({ visibility: 'public' });
    const priv = await ts.page({ visibility: 'private' });
    const owner = await ts.connect('owner');
    const fan = await ts.connect('fan');

    const first = await owner.ok('journal:post', { pageId: pub, clientId: 'same', title: 'A', body: 'a' });
    const retried = await owner.ok('journal:post', { pageId: pub, clientId: 'same', title: 'A', body: 'a' });
    assert.equal(retried.entry.id, first.entry.id);
    await owner.ok('journal:edit', { pageId: pub, entryId: first.entry.id, title: 'A2', body: 'a2' });
    await fan.ok('wall:post', { pageId: pub, clientId: 'w', body: 'hello' });
    await fan.ok('follow:set', { pageId: pub, follow: true });
    await fan.ok('follow:set', { pageId: priv, follow: true });
    await owner.ok('follow:decide', { pageId: priv, userId: 'fan', approve: false });
    const last = await owner.ok('journal:post', { pageId: pub, clientId: 'marker', title: 'B', body: 'b' });
    await until(() => r.hits.some((h) => h.body.includes(last.entry.id)), 'the marker post');

    const got = r.hits.map((h) => JSON.parse(h.body) as { type: string; pageId: string; entryId?: string; userId?: string });
    assert.deepEqual(
      got.map((e) => [e.type, e.pageId, e.entryId ?? e.userId]),
      [
        ['journal.posted', pub, first.entry.id],
        ['follow.requested', priv, 'fan'],
        ['journal.posted', pub, last.entry.id],
      ],
    );
  });
});

describe('retries', () => {
  it('a receiver that fails twice (500, then a dropped connection) gets the event on the 3rd attempt, same delivery id and body', async () => {
    const r = await receiverFor((n) => (n === 1 ? 500 : n === 2 ? 'drop' : 204));
    const ts = await serverFor(r);
    const pageId = await ts.page();
    const owner = await ts.connect('owner');
    const posted = await owner.ok('journal:post', { pageId, clientId: 'r1', title: 'T', body: 'B' });
    assert.ok(await ts.storage.getJournal(pageId, posted.entry.id));
    await r.count(3);
    await until(async () => (await outcomes(ts)).delivered === 1, 'the delivery');

    assert.equal(r.hits.length, 3);
    const bodies = r.hits.map(verified);
    assert.equal(new Set(r.hits.map((h) => h.headers['x-care-delivery'])).size, 1, 'retries keep the delivery id');
    assert.equal(new Set(r.hits.map((h) => h.body)).size, 1, 'and the body');
    assert.equal(bodies[2]!.entryId, posted.entry.id);
    assert.deepEqual(await outcomes(ts), { delivered: 1, retried: 2, failed: 0, dropped: 0 });
  });

  it('an attempt that gets no answer times out and is retried', async () => {
    const r = await receiverFor((n) => (n === 1 ? 'hang' : 200));
    const ts = await serverFor(r, { webhookDelivery: { retryBaseMs: 10, timeoutMs: 100 } });
    const pageId = await ts.page();
    const owner = await ts.connect('owner');
    await owner.ok('journal:post', { pageId, clientId: 't1', title: 'T', body: 'B' });
    await until(async () => (await outcomes(ts)).delivered === 1, 'the delivery');
    assert.equal(r.hits.length, 2);
    assert.equal(r.hits[0]!.headers['x-care-delivery'], r.hits[1]!.headers['x-care-delivery']);
    assert.deepEqual(await outcomes(ts), { delivered: 1, retried: 1, failed: 0, dropped: 0 });
  });

  it('gives up after maxAttempts, counted as failed; the next notification is still sent', async () => {
    const r = await receiverFor((n) => (n <= 3 ? 503 : 200));
    const ts = await serverFor(r, { webhookDelivery: { retryBaseMs: 10, maxAttempts: 3 } });
    const pageId = await ts.page();
    const owner = await ts.connect('owner');
    const errors = await loggedErrors(async () => {
      await owner.ok('journal:post', { pageId, clientId: 'g1', title: 'T', body: 'B' });
      await until(async () => (await outcomes(ts)).failed === 1, 'giving up');
    });
    assert.equal(r.hits.length, 3, 'exactly maxAttempts attempts');
    assert.match(JSON.stringify(errors), /gave up/);
    const next = await owner.ok('journal:post', { pageId, clientId: 'g2', title: 'T', body: 'B' });
    await until(async () => (await outcomes(ts)).delivered === 1, 'the next delivery');
    assert.equal(JSON.parse(r.hits[3]!.body).entryId, next.entry.id);
    assert.deepEqual(await outcomes(ts), { delivered: 1, retried: 2, failed: 1, dropped: 0 });
  });
});

describe('never blocks or breaks the post', () => {
  it('a receiver that is down: posts, follows and approvals ack ok and are stored; delivery keeps retrying', async () => {
    const down = await receiver();
    const url = down.url;
    await down.close();
    const ts = await serverFor(null, { webhookUrl: url, webhookSecret: SECRET, webhookDelivery: { retryBaseMs: 10 } });
    const pageId = await ts.page({ visibility: 'private' });
    const owner = await ts.connect('owner');
    const fan = await ts.connect('fan');
    const posted = await owner.ok('journal:post', { pageId, clientId: 'd1', title: 'T', body: 'B' });
    assert.ok(await ts.storage.getJournal(pageId, posted.entry.id));
    assert.equal((await fan.ok('follow:set', { pageId, follow: true })).state, 'requested');
    assert.equal((await owner.ok('follow:decide', { pageId, userId: 'fan', approve: true })).state, 'following');
    assert.equal((await ts.storage.getFollow(pageId, 'fan'))?.state, 'following');
    await until(async () => ((await outcomes(ts)).retried ?? 0) >= 3, 'failed attempts');
    // The server serves on.
    const again = await owner.ok('journal:post', { pageId, clientId: 'd2', title: 'T2', body: 'B2' });
    assert.ok(await ts.storage.getJournal(pageId, again.entry.id));
    assert.equal((await outcomes(ts)).delivered, 0);
  });

  it('a receiver that hangs: the next post acks while the first delivery is still unanswered', async () => {
    const r = await receiverFor(() => 'hang');
    const ts = await serverFor(r, { webhookDelivery: { retryBaseMs: 10, timeoutMs: 60_000 } });
    const pageId = await ts.page();
    const owner = await ts.connect('owner');
    await owner.ok('journal:post', { pageId, clientId: 'h1', title: 'T', body: 'B' });
    await r.count(1);
    const second = await owner.ok('journal:post', { pageId, clientId: 'h2', title: 'T', body: 'B' });
    assert.equal(r.hung[0]!.writableEnded, false, 'the first delivery is still waiting for its answer');
    assert.ok(await ts.storage.getJournal(pageId, second.entry.id));
    await owner.ok('wall:post', { pageId, clientId: 'h3', body: 'still fine' });
  });

  it('the queue is bounded: beyond it notifications are dropped (and counted), posts never', async () => {
    const r = await receiverFor(() => 'hang');
    const ts = await serverFor(r, { webhookDelivery: { retryBaseMs: 10, timeoutMs: 60_000, maxQueue: 2, concurrency: 1 } });
    const pageId = await ts.page();
    const owner = await ts.connect('owner');
    const errors = await loggedErrors(async () => {
      for (let i = 0; i < 5; i++) await owner.ok('journal:post', { pageId, clientId: `q${i}`, title: `T${i}`, body: 'B' });
      await until(async () => (await outcomes(ts)).dropped === 3, '3 dropped notifications');
    });
    assert.match(JSON.stringify(errors), /queue full/);
    assert.equal((await ts.storage.journalPage(pageId, null, 10)).items.length, 5);
  });
});

describe('configuration', () => {
  it('nothing is sent when CARE_WEBHOOK_URL is unset', async () => {
    const r = await receiverFor();
    const calls: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      calls.push(String(input instanceof Request ? input.url : input));
      return realFetch(input, init);
    }) as typeof fetch;
    try {
      const flow = async (ts: TestServer) => {
        const pageId = await ts.page({ visibility: 'private' });
        const owner = await ts.connect('owner');
        const fan = await ts.connect('fan');
        await owner.ok('journal:post', { pageId, clientId: 'n1', title: 'T', body: 'B' });
        await fan.ok('follow:set', { pageId, follow: true });
        await owner.ok('follow:decide', { pageId, userId: 'fan', approve: true });
        return pageId;
      };
      const unset = await serverFor(null);
      await flow(unset);
      // The same flow with the URL set reaches the receiver: the test would see a send.
      const set = await serverFor(r);
      const setPage = await flow(set);
      await r.count(3);
      await until(async () => (await outcomes(set)).delivered === 3, 'the deliveries');
      assert.deepEqual(r.hits.map((h) => JSON.parse(h.body).pageId), [setPage, setPage, setPage]);
      assert.deepEqual(calls, [r.url, r.url, r.url], 'fetch was called only by the configured server');
      const text = await unset.server.metrics.registry.getSingleMetricAsString('care_webhook_deliveries_total');
      assert.doesNotMatch(text, /outcome=/);
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it('CARE_WEBHOOK_SECRET is required with CARE_WEBHOOK_URL; the URL must be http(s)', async () => {
    const paths = { distDir: 'd', demoDir: 'x' };
    assert.throws(() => configFromEnv({ CARE_WEBHOOK_URL: 'https://mailer.example/hook' }, paths), /CARE_WEBHOOK_SECRET is required/);
    assert.throws(() => configFromEnv({ CARE_WEBHOOK_URL: 'https://mailer.example/hook', CARE_WEBHOOK_SECRET: 'short' }, paths), /at least 16/);
    assert.throws(() => configFromEnv({ CARE_WEBHOOK_URL: 'ftp://mailer.example/hook', CARE_WEBHOOK_SECRET: SECRET }, paths), /http\(s\) URL/);
    assert.throws(() => configFromEnv({ CARE_WEBHOOK_URL: 'not a url', CARE_WEBHOOK_SECRET: SECRET }, paths), /http\(s\) URL/);
    const ok = configFromEnv({ CARE_WEBHOOK_URL: 'https://mailer.example/hook', CARE_WEBHOOK_SECRET: SECRET }, paths);
    assert.deepEqual([ok.webhookUrl, ok.webhookSecret], ['https://mailer.example/hook', SECRET]);
    const none = configFromEnv({}, paths);
    assert.deepEqual([none.webhookUrl, none.webhookSecret], [null, null]);
    // A programmatic config is checked too.
    await assert.rejects(createCareServer(testConfig({ webhookUrl: 'https://mailer.example/hook', webhookSecret: null })), /CARE_WEBHOOK_SECRET is required/);
  });
});

describe('survives a killed server', () => {
  const jwtSecret = 'webhook-crash-test-secret-0123456789';

  /** `src/main.ts` in its own process on a SQLite file, with the webhook pointed at `hookUrl`. */
  const startProcess = (dbFile: string, hookUrl: string) =>
    startServerProcess({ CARE_DB: `sqlite:${dbFile}`, CARE_JWT_SECRET: jwtSecret, CARE_WEBHOOK_URL: hookUrl, CARE_WEBHOOK_SECRET: SECRET });

  const metric = async (url: string, outcome: string) => Number(new RegExp(`care_webhook_deliveries_total\\{outcome="${outcome}"\\} (\\d+)`).exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? 0);

  it('a notification queued before a SIGKILL is delivered after the restart, once, signed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'care-webhook-'));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const dbFile = join(dir, 'care.db');
    // The receiver's port, with nobody listening yet: every attempt of the first process fails.
    const probe = await receiver();
    const port = Number(new URL(probe.url).port);
    await probe.close();

    const first = await startProcess(dbFile, `http://127.0.0.1:${port}/hooks/care`);
    cleanup.push(async () => void first.proc.kill('SIGKILL'));
    const admin = await signDemoToken(jwtSecret, 'admin');
    const created = await fetch(`${first.url}/api/pages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'crash-page', title: 'Crash', visibility: 'public', owners: ['owner'], editors: [] }),
    });
    assert.equal(created.status, 201);
    const owner = io(`${first.url}/care`, { auth: { token: await signDemoToken(jwtSecret, 'owner'), protocolVersion: PROTOCOL_VERSION }, transports: ['websocket'], reconnection: false });
    cleanup.push(async () => void owner.disconnect());
    const posted = (await owner.timeout(5_000).emitWithAck('journal:post', { pageId: 'crash-page', clientId: 'before-kill', title: 'T', body: 'B' })) as { ok: boolean; entry: { id: string } };
    assert.equal(posted.ok, true);
    await until(async () => (await metric(first.url, 'retried')) >= 1, 'a failed attempt in the first process');
    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));

    // Listen on the port the notification is addressed to, then start the server again.
    const live = await receiver(() => 204, port);
    cleanup.push(live.close);
    const second = await startProcess(dbFile, `http://127.0.0.1:${port}/hooks/care`);
    cleanup.push(async () => void second.proc.kill('SIGKILL'));
    // Within the first process's lease (5 s timeout + 5 s) at the latest; this waits, never asserts a time.
    await until(async () => (await metric(second.url, 'delivered')) === 1, 'the delivery after the restart', 30_000);
    assert.equal(live.hits.length, 1, 'delivered once');
    const body = verified(live.hits[0]!);
    assert.deepEqual([body.type, body.pageId, body.entryId], ['journal.posted', 'crash-page', posted.entry.id]);
  });
});
