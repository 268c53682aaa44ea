/**
 * The Artillery load test's own parts (bench/artillery/, `npm run load`), checked without
 * Artillery (it is installed on demand, ~600 MB): the processor's functions run here as
 * Artillery calls them, against the load test's real reference server (SQLite file) and its
 * bare baseline, with a real Socket.IO client in the place of the engine's socket. So a change
 * to the protocol, the tokens or the servers that would make `npm run load` measure errors
 * instead of acks fails here first.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { NAMESPACE, PROTOCOL_VERSION } from '../../src/protocol/index.js';
import { startBareServer } from '../../bench/artillery/bare-server.js';
import { artilleryHome, isInstalled, PINNED } from '../../bench/artillery/install.js';
import { startReferenceServer } from '../../bench/artillery/reference-server.js';
import { figures, table, type ArtilleryReport } from '../../bench/artillery/summary.js';
import { createTokenVerifier } from '../src/auth/tokens.js';
import { WAIT_MS } from './helpers.js';

type Done = (err?: Error | null) => void;
interface Context {
  vars: Record<string, any>;
  sockets: Record<string, Socket>;
}
type Step = (context: Context, events: EventEmitter, done: Done) => void;
const processor = createRequire(import.meta.url)('../../bench/artillery/processor.cjs') as {
  signIn: Step;
  subscribe: Step;
  post: Step;
  signOff: Step;
  NAMESPACE: string;
  PROTOCOL_VERSION: number;
};

/** What a processor reported through Artillery's event emitter. */
class Recorder extends EventEmitter {
  histograms = new Map<string, number[]>();
  counters = new Map<string, number>();
  constructor() {
    super();
    this.on('histogram', (name: string, value: number) => this.histograms.set(name, [...(this.histograms.get(name) ?? []), value]));
    this.on('counter', (name: string, n: number) => this.counters.set(name, (this.counters.get(name) ?? 0) + n));
  }
}

const step = (fn: Step, context: Context, events: EventEmitter) =>
  new Promise<void>((resolve, reject) => fn(context, events, (err) => (err ? reject(err) : resolve())));

const sockets: Socket[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});
after(async () => {
  for (const close of closers.splice(0)) await close();
});

const SECRET = randomBytes(32).toString('hex');
process.env.CARE_ARTILLERY_SECRET = SECRET;

/**
 * A virtual user as the scenario makes one: signIn, then what the engine's `connect` step does
 * (artillery-engine-socketio-v3 1.2.0, loadContextSocket): a socket with the handshake auth,
 * stored in `context.sockets[namespace]` at once, then one `connect` or `connect_error`.
 */
async function virtualUser(url: string, vars: Record<string, unknown> = {}): Promise<Context> {
  const context: Context = { vars: { pages: 1, ...vars }, sockets: {} };
  await step(processor.signIn, context, new Recorder());
  const socket = io(url + NAMESPACE, { auth: { token: context.vars.token, protocolVersion: PROTOCOL_VERSION }, forceNew: true, reconnection: false });
  sockets.push(socket);
  context.sockets[NAMESPACE] = socket;
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return context;
}

const until = async (check: () => boolean) => {
  const end = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('the load test processor', () => {
  it('speaks the protocol version and namespace of src/protocol, as does the scenario', () => {
    assert.equal(processor.PROTOCOL_VERSION, PROTOCOL_VERSION);
    assert.equal(processor.NAMESPACE, NAMESPACE);
    const yml = readFileSync(new URL('../../bench/artillery/scenario.yml', import.meta.url), 'utf8');
    assert.deepEqual([...yml.matchAll(/^\s*protocolVersion: (\d+)$/gm)].map((m) => Number(m[1])), [PROTOCOL_VERSION]);
    assert.deepEqual([...yml.matchAll(/^\s*namespace: (\S+)$/gm)].map((m) => m[1]), [NAMESPACE]);
  });

  it('signs in a fresh visitor with a token the server verifier accepts, on one of the pages', async () => {
    const verifier = createTokenVerifier({ secret: SECRET, jwksUrl: null, maxTtlSeconds: 86_400 });
    const a: Context = { vars: { pages: 3 }, sockets: {} };
    const b: Context = { vars: { pages: 3 }, sockets: {} };
    await step(processor.signIn, a, new Recorder());
    await step(processor.signIn, b, new Recorder());
    const identity = await verifier.verify(a.vars.token);
    assert.equal(identity.userId, a.vars.userId);
    assert.notEqual(a.vars.userId, b.vars.userId);
    assert.match(a.vars.pageId, /^load-[0-2]$/);
    // A token for another secret is refused: the check above is not vacuous.
    const other = createTokenVerifier({ secret: randomBytes(32).toString('hex'), jwksUrl: null, maxTtlSeconds: 86_400 });
    await assert.rejects(other.verify(a.vars.token));
  });

  it('fails the user, not silently, when the run gave it no signing secret', async () => {
    delete process.env.CARE_ARTILLERY_SECRET;
    try {
      await assert.rejects(step(processor.signIn, { vars: {}, sockets: {} }, new Recorder()), /CARE_ARTILLERY_SECRET/);
    } finally {
      process.env.CARE_ARTILLERY_SECRET = SECRET;
    }
  });

  for (const kind of ['reference', 'bare'] as const) {
    it(`times the acks of subscribe and post, and counts the fan-out, on the ${kind} server`, async () => {
      const server = kind === 'reference' ? await startReferenceServer({ secret: SECRET, pages: 1 }) : await startBareServer();
      closers.push(() => server.close());
      const events = new Recorder();
      const writer = await virtualUser(server.url);
      const reader = await virtualUser(server.url);
      assert.equal(writer.vars.pageId, 'load-0');
      await step(processor.subscribe, writer, events);
      await step(processor.subscribe, reader, events);
      await step(processor.post, writer, events);
      await step(processor.post, writer, events);
      assert.equal(events.histograms.get('care.ack.page_subscribe')?.length, 2);
      assert.equal(events.histograms.get('care.ack.wall_post')?.length, 2);
      assert.ok(events.histograms.get('care.ack.wall_post')!.every((ms) => ms > 0 && ms < WAIT_MS));
      assert.equal(events.counters.get('care.ack.ok.wall_post'), 2);
      assert.deepEqual([...events.counters.keys()].filter((k) => k.includes('error') || k.includes('timeout')), []);
      // Both users hear both posts (the writer its own too); signOff adds them up once per user.
      await until(() => reader.vars.received === 2 && writer.vars.received === 2);
      await step(processor.signOff, reader, events);
      await step(processor.signOff, writer, events);
      assert.equal(events.counters.get('care.wall_message.received'), 4);
    });
  }

  it('counts a refused post by its error code and keeps the user going, with no latency recorded', async () => {
    const server = await startReferenceServer({ secret: SECRET, pages: 1 });
    closers.push(() => server.close());
    const events = new Recorder();
    const user = await virtualUser(server.url);
    user.vars.pageId = 'load-7'; // not one of the server's pages
    await step(processor.post, user, events);
    assert.equal(events.counters.get('care.ack.error.wall_post.not_found'), 1);
    assert.equal(events.histograms.get('care.ack.wall_post'), undefined);
  });

  it('ends a user whose connection closes before the namespace answers, through the engine\'s connect_error', async () => {
    // A server whose /care join never completes (as an overloaded server's token check), and
    // which closes sessions that have not joined after 300 ms, as the reference server does after 10 s.
    const http = createServer();
    const ioServer = new Server(http, { connectTimeout: 300 });
    ioServer.of(NAMESPACE).use(() => {});
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => ioServer.close(() => resolve())));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    // Without the guard the engine would wait for ever: bounded here so that fails, not hangs.
    const hung = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the connect step hung')), WAIT_MS).unref());
    await assert.rejects(Promise.race([virtualUser(url), hung]), /closed before connecting/);
  });

  it('counts a dropped socket and skips its calls at once instead of waiting for acks', async () => {
    const server = await startBareServer();
    closers.push(() => server.close());
    const events = new Recorder();
    const user = await virtualUser(server.url);
    await step(processor.subscribe, user, events);
    // The server drops the user (as after a ping timeout); the client does not reconnect.
    const dropped = new Promise((resolve) => user.sockets[NAMESPACE]!.once('disconnect', resolve));
    await server.close();
    await dropped;
    const started = Date.now();
    await step(processor.post, user, events);
    assert.ok(Date.now() - started < 1_000);
    assert.equal(events.counters.get('care.ack.not_sent.wall_post'), 1);
    assert.equal([...events.counters.keys()].filter((k) => k.startsWith('care.socket.disconnect.')).length, 1);
    // The engine's own close at the end is not counted as a drop.
    const live = await startBareServer();
    closers.push(() => live.close());
    const other = await virtualUser(live.url);
    await step(processor.subscribe, other, events);
    other.sockets[NAMESPACE]!.disconnect();
    assert.equal([...events.counters.keys()].filter((k) => k.startsWith('care.socket.disconnect.')).length, 1);
  });
});

describe('the load test summary', () => {
  const report = (counters: Record<string, number>, post: number): ArtilleryReport => ({
    aggregate: {
      counters,
      summaries: { 'care.ack.wall_post': { count: counters['care.ack.ok.wall_post'] ?? 0, p50: post, p95: post * 2, p99: post * 3, max: post * 4 } },
      firstMetricAt: 0,
      lastMetricAt: 10_000,
      firstHistogramAt: 1_000,
      lastHistogramAt: 11_000,
    },
  });

  it('reads acks, rates, errors by code and CPU per post from an Artillery report', () => {
    const f = figures(
      report({ 'care.ack.ok.wall_post': 500, 'care.ack.error.wall_post.rate_limited': 3, 'care.ack.timeout.page_subscribe': 1, 'care.ack.not_sent.wall_post': 5, 'care.socket.disconnect.ping timeout': 1, 'errors.xhr poll error': 2, 'vusers.created': 10, 'vusers.completed': 8, 'vusers.failed': 2 }, 4),
      { cpuMs: 1_000, rssBytes: 1 },
    );
    assert.equal(f.acked.post, 500);
    assert.equal(f.postsPerSecond, 50);
    assert.equal(f.cpuMsPerPost, 2);
    assert.deepEqual(f.errors, { 'wall_post.rate_limited': 3, 'timeout.page_subscribe': 1, 'not_sent.wall_post': 5, 'disconnect.ping timeout': 1, 'errors.xhr poll error': 2 });
    assert.deepEqual(f.vusers, { created: 10, completed: 8, failed: 2 });
  });

  it('puts the reference server beside the baseline with ratios', () => {
    const care = figures(report({ 'care.ack.ok.wall_post': 100 }, 6), { cpuMs: 300, rssBytes: 0 });
    const bare = figures(report({ 'care.ack.ok.wall_post': 100 }, 2), { cpuMs: 100, rssBytes: 0 });
    const text = table(care, bare);
    assert.match(text, /\| `wall:post` ack p50 \(ms\) \| 6\.0 \| 2\.0 \| 3\.00× \|/);
    assert.match(text, /\| server CPU time per acknowledged post \(ms; all of the run, connects included\) \| 3\.00 \| 1\.00 \| 3\.00× \|/);
  });
});

describe('the on-demand Artillery install', () => {
  it('counts as installed only with exactly the pinned versions', () => {
    const home = mkdtempSync(join(tmpdir(), 'care-artillery-home-'));
    try {
      const fake = (name: string, version: string) => {
        mkdirSync(join(home, 'node_modules', name), { recursive: true });
        writeFileSync(join(home, 'node_modules', name, 'package.json'), JSON.stringify({ name, version }));
      };
      assert.equal(isInstalled(home), false);
      fake('artillery', PINNED.artillery);
      fake('artillery-engine-socketio-v3', '1.1.0');
      mkdirSync(join(home, 'node_modules', 'artillery', 'bin'));
      writeFileSync(join(home, 'node_modules', 'artillery', 'bin', 'run'), '');
      assert.equal(isInstalled(home), false);
      fake('artillery-engine-socketio-v3', PINNED['artillery-engine-socketio-v3']);
      assert.equal(isInstalled(home), true);
      assert.equal(artilleryHome({ CARE_ARTILLERY_HOME: home }), home);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
