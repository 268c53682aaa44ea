/**
 * Server benchmarks of issue 5, each against a baseline measured in the same run:
 *
 * 1. Delivery latency (post → received by every subscriber; p50/p95/p99) with 1, 100 and 1,000
 *    subscribed sockets on one page, against a bare Socket.IO room broadcast (the floor).
 * 2. Write throughput: acknowledged `wall:post`s per second with 50 concurrent writers on
 *    SQLite (file, WAL) and PostgreSQL, against bare Socket.IO ack round trips per second.
 * 3. Catch-up after a reconnect (`page:subscribe` with `since`), against a bare ack answering
 *    the same bytes: the largest catch-up still answered with events (CATCH_UP_MAX_EVENTS
 *    missed posts), and 1,000 missed posts (beyond the bound: `reset` + snapshot). Plus its
 *    size: an anonymous `since: 0` after 1,000 edits of one 19 KB entry, against the snapshot.
 * 4. Memory per idle subscribed socket at 2,000 sockets, against 2,000 idle sockets in a room.
 *
 * The servers run in a child process (bench/servers.ts) so clients and servers never share
 * an event loop; all traffic is on 127.0.0.1. Every loop is bounded in count and in time.
 *
 * `node --import tsx bench/server-bench.ts [--only=latency,throughput,catchup,memory]
 *  [--no-pg] [--dbs=sqlite,postgres] [--spread] [--quick] [--cpu-prof=<dir>]` prints a table. `ratio` is always ours / baseline:
 * for times and memory higher is worse, for throughput lower is worse.
 */
import { execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { IpcChild } from './ipc-child.js';
import { NAMESPACE, PROTOCOL_VERSION } from '../src/protocol/index.js';
import { signDemoToken } from '../server/src/demo/token.js';
import { CATCH_UP_MAX_EVENTS } from '../server/src/pages/replay.js';

export interface Result {
  name: string;
  unit: string;
  ours: number;
  baseline: number;
  /** ours / baseline. */
  ratio: number;
  detail: string;
}

export type Section = 'latency' | 'throughput' | 'catchup' | 'memory';

export interface ServerBenchOptions {
  /** Which measurements to run (default: all four). */
  only?: Section[];
  /** PostgreSQL base URL for the throughput run; `null` skips PostgreSQL. Default: $DATABASE_URL or the local test database. */
  pg?: string | null;
  /** Throughput: every writer on its own page instead of all on one (shows per-page lock contention). */
  spreadPages?: boolean;
  /** Databases of the throughput run (default both; for profiling one alone). */
  dbs?: ('sqlite' | 'postgres')[];
  /** Subscriber counts of the latency run (default [1, 100, 1000]). */
  sizes?: number[];
  /** Measured posts per size and server (default 60; 5 more are warm-up). */
  posts?: number;
  /** Concurrent writers / clients of the throughput run (default 50). */
  writers?: number;
  /** Measuring windows per server in the throughput run (default 5) and their length in ms (default 1000). */
  windows?: number;
  windowMs?: number;
  /** Catch-up: runs (default 5) and missed posts per run of the reset case (default 1000). */
  catchupRuns?: number;
  catchupEvents?: number;
  /** Catch-up size: edits of one 19 KB entry before the `since: 0` (default 1000). */
  catchupEdits?: number;
  /** Idle sockets of the memory run (default 2000; lowered to fit `ulimit -n`). */
  memSockets?: number;
  /** Smaller everything, for a smoke run. */
  quick?: boolean;
  /** Writes a V8 CPU profile of every server child into this directory. */
  cpuProfDir?: string;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

export const DEFAULT_PG = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** A wall message of a typical length (~140 characters). */
export const FILLER = 'Thinking of you all today. The whole team sends love and we are so glad to hear the surgery went well - see you on Sunday!';
export const CONNECT_CONCURRENCY = 50;
const CALL_TIMEOUT_MS = 15_000;

/* ------------------------------------------------------------------------ the child process */

/**
 * The server child (bench/servers.ts, gc exposed for the memory rows), driven through the one
 * IPC helper the benchmarks share (ipc-child.ts).
 */
export type ServerChild = IpcChild;
export const ServerChild = {
  start: (cpuProfDir?: string): Promise<ServerChild> => IpcChild.start('bench/servers.ts', { expose_gc: true, cpuProfDir }),
};

/* ------------------------------------------------------------------------------ client side */

type Sock = Socket;

export function open(url: string, namespace: string, auth: Record<string, unknown>): Promise<Sock> {
  const socket = io(`${url}${namespace}`, { auth, transports: ['websocket'], forceNew: true, reconnection: false, timeout: CALL_TIMEOUT_MS });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.disconnect();
      reject(new Error(`connect to ${namespace} timed out`));
    }, CALL_TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      socket.disconnect();
      reject(err);
    });
  });
}

export function ack<T = any>(socket: Sock, event: string, ...args: unknown[]): Promise<T> {
  return socket.timeout(CALL_TIMEOUT_MS).emitWithAck(event, ...args) as Promise<T>;
}

export async function okAck<T = any>(socket: Sock, event: string, payload: unknown): Promise<T> {
  const r = await ack<{ ok: boolean; error?: unknown }>(socket, event, payload);
  if (!r.ok) throw new Error(`${event} failed: ${JSON.stringify(r.error)}`);
  return r as T;
}

/** Runs `fn(0..n-1)` with at most `limit` in flight; results in order. */
export async function pool<T>(n: number, limit: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  return out;
}

export async function closeAll(sockets: Sock[]): Promise<void> {
  for (const s of sockets) s.disconnect();
  await sleep(100);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

export function percentile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
export const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, digits = 2) => Number(x.toFixed(digits));
export const result = (name: string, unit: string, ours: number, baseline: number, detail: string): Result => ({
  name,
  unit,
  ours: round(ours, 3),
  baseline: round(baseline, 3),
  ratio: round(ours / baseline, 2),
  detail,
});

export interface CareEndpoint {
  url: string;
  secret: string;
  server: string;
}

export const tokenFor = (care: CareEndpoint, userId: string) => signDemoToken(care.secret, userId, 3600);

export async function startCare(child: ServerChild, name: string, db: 'sqlite' | 'postgres', pgBase?: string): Promise<CareEndpoint> {
  const secret = randomBytes(32).toString('hex');
  const { url } = await child.call<{ url: string }>('care', { name, db, pgBase, secret });
  return { url, secret, server: name };
}

async function subscriber(care: CareEndpoint, userId: string, pageId: string): Promise<Sock> {
  const s = await open(care.url, NAMESPACE, { protocolVersion: PROTOCOL_VERSION, token: await tokenFor(care, userId) });
  await okAck(s, 'page:subscribe', { pageId });
  return s;
}

/* ---------------------------------------------------------------------------- 1. latency */

async function latency(child: ServerChild, floorUrl: string, care: CareEndpoint, n: number, posts: number, budgetMs: number, log: (l: string) => void): Promise<Result[]> {
  const tag = randomBytes(3).toString('hex');
  const room = `room-${n}-${tag}`;
  const pageId = await child.call<string>('page', { server: care.server, id: `lat-${n}-${tag}` });
  const t = performance.now();
  const floorSubs = await pool(n, CONNECT_CONCURRENCY, async () => {
    const s = await open(floorUrl, '/floor', {});
    await okAck(s, 'join', room);
    return s;
  });
  const oursSubs = await pool(n, CONNECT_CONCURRENCY, (i) => subscriber(care, `sub-${tag}-${i}`, pageId));
  const floorWriter = await open(floorUrl, '/floor', {});
  const oursWriter = await open(care.url, NAMESPACE, { protocolVersion: PROTOCOL_VERSION, token: await tokenFor(care, `writer-${tag}`) });
  log(`  latency n=${n}: ${2 * n + 2} sockets connected and subscribed in ${Math.round(performance.now() - t)} ms`);

  let waitingFor: { body: string; left: number; first: number; done(at: number): void } | null = null;
  const arrived = (body: string) => {
    if (!waitingFor || body !== waitingFor.body) return;
    if (waitingFor.left === n) waitingFor.first = performance.now();
    if (--waitingFor.left === 0) waitingFor.done(performance.now());
  };
  for (const s of floorSubs) s.on('message', (e: { message: { body: string } }) => arrived(e.message.body));
  for (const s of oursSubs) s.on('wall:message', (e: { message: { body: string } }) => arrived(e.message.body));

  const postOnce = async (kind: 'floor' | 'ours', i: number): Promise<{ all: number; first: number; ack: number }> => {
    const body = `${kind} ${tag} ${i}: ${FILLER}`;
    let timer: NodeJS.Timeout | undefined;
    const delivered = new Promise<number>((resolve, reject) => {
      waitingFor = { body, left: n, first: NaN, done: resolve };
      timer = setTimeout(() => reject(new Error(`latency n=${n}: post ${i} to ${kind} not delivered to ${waitingFor?.left} sockets within ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
    });
    const t0 = performance.now();
    const acked =
      kind === 'floor'
        ? okAck(floorWriter, 'post', { room, clientId: `${tag}-${i}`, body })
        : okAck(oursWriter, 'wall:post', { pageId, clientId: `${tag}-${i}`, body });
    const [at, ackAt] = await Promise.all([delivered, acked.then(() => performance.now())]).finally(() => clearTimeout(timer));
    const first = waitingFor!.first;
    waitingFor = null;
    return { all: at - t0, first: first - t0, ack: ackAt - t0 };
  };

  type Timing = { all: number; first: number; ack: number };
  const floor: Timing[] = [];
  const ours: Timing[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      await postOnce('floor', -1 - i);
      await postOnce('ours', -1 - i);
    }
    const deadline = performance.now() + budgetMs;
    for (let i = 0; i < posts && performance.now() < deadline; i++) {
      // Alternate who goes first, so neither always follows the other's garbage.
      const order: ('floor' | 'ours')[] = i % 2 ? ['ours', 'floor'] : ['floor', 'ours'];
      for (const kind of order) {
        const r = await postOnce(kind, i);
        (kind === 'floor' ? floor : ours).push(r);
        await yieldNow();
      }
    }
  } finally {
    await closeAll([...floorSubs, ...oursSubs, floorWriter, oursWriter]);
  }

  const all = (xs: Timing[]) => xs.map((x) => x.all);
  const p50 = (xs: Timing[], k: keyof Timing) => percentile(xs.map((x) => x[k]), 0.5).toFixed(2);
  const label = `${n.toLocaleString('en')} subscriber${n === 1 ? '' : 's'}`;
  const detail = (q: number) =>
    `${ours.length} posts each` +
    (q === 0.5
      ? `; p50 to the FIRST subscriber ours ${p50(ours, 'first')} / floor ${p50(floor, 'first')} ms; writer's ack p50 ours ${p50(ours, 'ack')} / floor ${p50(floor, 'ack')} ms`
      : '; every subscriber is a socket.io-client in one client process, so at large n the receiving side is part of both numbers');
  return [
    result(`delivery p50, ${label}`, 'ms', percentile(all(ours), 0.5), percentile(all(floor), 0.5), detail(0.5)),
    result(`delivery p95, ${label}`, 'ms', percentile(all(ours), 0.95), percentile(all(floor), 0.95), detail(0.95)),
    result(`delivery p99, ${label}`, 'ms', percentile(all(ours), 0.99), percentile(all(floor), 0.99), detail(0.99)),
  ];
}

/* ------------------------------------------------------------------------- 2. throughput */

interface Window {
  rate: number;
  count: number;
  failed: number;
}

/** Every socket calls in a loop until `ms` passed; acknowledged calls per second. */
async function window(sockets: Sock[], call: (s: Sock, i: number, k: number) => Promise<boolean>, ms: number): Promise<Window> {
  let count = 0;
  let failed = 0;
  const start = performance.now();
  const deadline = start + ms;
  await Promise.all(
    sockets.map(async (s, i) => {
      for (let k = 0; performance.now() < deadline && k < 1_000_000; k++) {
        if (await call(s, i, k)) count++;
        else failed++;
      }
    }),
  );
  const elapsed = performance.now() - start;
  return { rate: (count / elapsed) * 1000, count, failed };
}

async function throughput(child: ServerChild, floorUrl: string, cares: { label: string; care: CareEndpoint }[], o: Required<Pick<ServerBenchOptions, 'writers' | 'windows' | 'windowMs' | 'spreadPages'>>, log: (l: string) => void): Promise<Result[]> {
  const tag = randomBytes(3).toString('hex');
  const w = o.writers;
  const floorClients = await pool(w, CONNECT_CONCURRENCY, () => open(floorUrl, '/floor', {}));
  const floorCall = async (s: Sock, i: number, k: number) => (await ack<{ ok: boolean }>(s, 'echo', { room: 'x', clientId: `${tag}-${i}-${k}`, body: FILLER })).ok;

  const targets: { label: string; sockets: Sock[]; call: (s: Sock, i: number, k: number) => Promise<boolean> }[] = [];
  let round = 0;
  for (const { label, care } of cares) {
    const pageIds = await pool(o.spreadPages ? w : 1, 1, (i) => child.call<string>('page', { server: care.server, id: `tp-${tag}-${i}` }));
    const sockets = await pool(w, CONNECT_CONCURRENCY, async (i) => open(care.url, NAMESPACE, { protocolVersion: PROTOCOL_VERSION, token: await tokenFor(care, `w-${tag}-${i}`) }));
    targets.push({
      label,
      sockets,
      call: async (s, i, k) => (await ack<{ ok: boolean }>(s, 'wall:post', { pageId: pageIds[i % pageIds.length], clientId: `${tag}-${round}-${i}-${k}`, body: `${FILLER} ${k}` })).ok,
    });
  }
  const floorRates: number[] = [];
  const rates = new Map<string, Window[]>(targets.map((t) => [t.label, []]));
  try {
    // Warm-up (JIT, statement caches, pools), not counted.
    round++;
    await window(floorClients, floorCall, 400);
    for (const t of targets) await window(t.sockets, t.call, 400);
    for (let r = 0; r < o.windows; r++) {
      round++;
      floorRates.push((await window(floorClients, floorCall, o.windowMs)).rate);
      for (const t of targets) rates.get(t.label)!.push(await window(t.sockets, t.call, o.windowMs));
    }
  } finally {
    await closeAll([...floorClients, ...targets.flatMap((t) => t.sockets)]);
  }
  const floorMedian = median(floorRates);
  log(`  throughput: floor ${floorRates.map((x) => x.toFixed(0)).join(' / ')} acks/s`);
  return targets.map((t) => {
    const ws = rates.get(t.label)!;
    const failed = ws.reduce((a, x) => a + x.failed, 0);
    log(`  throughput: ${t.label} ${ws.map((x) => x.rate.toFixed(0)).join(' / ')} posts/s`);
    return result(
      `write throughput, ${t.label}, ${w} writers${o.spreadPages ? ` on ${w} pages` : ''}`,
      'posts/s',
      median(ws.map((x) => x.rate)),
      floorMedian,
      `median of ${o.windows} x ${o.windowMs} ms windows (ours ${ws.map((x) => x.rate.toFixed(0)).join('/')}; floor ${floorRates.map((x) => x.toFixed(0)).join('/')}); ${o.spreadPages ? 'one page per writer' : 'all on one page'}, no subscribers; baseline: bare ack round trips${failed ? `; ${failed} FAILED posts` : ''}`,
    );
  });
}

/* ---------------------------------------------------------------------------- 3. catch-up */

/**
 * `runs` times: subscribe, go away while `missed` posts happen, come back with `since`; the
 * answer must be `missed` events, or a `reset` with a snapshot when `missed` is beyond the
 * server's catch-up bound. The floor answers the very same object.
 */
async function catchup(child: ServerChild, floorUrl: string, care: CareEndpoint, runs: number, missed: number, log: (l: string) => void): Promise<Result> {
  const tag = randomBytes(3).toString('hex');
  const pageId = await child.call<string>('page', { server: care.server, id: `cu-${tag}` });
  const token = await tokenFor(care, `reader-${tag}`);
  const auth = { protocolVersion: PROTOCOL_VERSION, token };
  const reset = missed > CATCH_UP_MAX_EVENTS;
  const ours: { sub: number; total: number }[] = [];
  const floor: { sub: number; total: number }[] = [];
  let bytes = 0;
  const deadline = performance.now() + 60_000;
  for (let r = 0; r < runs && performance.now() < deadline; r++) {
    // Subscribed, then gone while `missed` changes happen.
    const before = await open(care.url, NAMESPACE, auth);
    const first = await okAck<{ seq: number }>(before, 'page:subscribe', { pageId });
    before.disconnect();
    await child.call('seed', { server: care.server, pageId, n: missed, body: FILLER }, 120_000);

    const t0 = performance.now();
    const again = await open(care.url, NAMESPACE, auth);
    const t1 = performance.now();
    const answer = await okAck<{ events?: unknown[]; reset?: boolean }>(again, 'page:subscribe', { pageId, since: first.seq });
    const t2 = performance.now();
    again.disconnect();
    if (reset ? !answer.reset : answer.reset || answer.events?.length !== missed) throw new Error(`catch-up: expected ${reset ? 'reset' : `${missed} events`}, got ${answer.reset ? 'reset' : answer.events?.length}`);
    ours.push({ sub: t2 - t1, total: t2 - t0 });
    if (r === 0) {
      bytes = Buffer.byteLength(JSON.stringify(answer));
      // The floor answers the very same object: same bytes, same shape to encode and parse.
      await child.call('setFetch', answer);
    }

    const f0 = performance.now();
    const f = await open(floorUrl, '/floor', {});
    const f1 = performance.now();
    const got = await ack<{ events?: unknown[] }>(f, 'fetch');
    const f2 = performance.now();
    f.disconnect();
    if (Buffer.byteLength(JSON.stringify(got)) !== bytes) throw new Error('catch-up floor: wrong payload');
    floor.push({ sub: f2 - f1, total: f2 - f0 });
  }
  log(`  catch-up (${missed}): ours ${ours.map((x) => x.sub.toFixed(1)).join(' / ')} ms, floor ${floor.map((x) => x.sub.toFixed(1)).join(' / ')} ms`);
  const sub = (xs: typeof ours) => median(xs.map((x) => x.sub));
  const total = (xs: typeof ours) => median(xs.map((x) => x.total));
  return result(
    reset ? `catch-up, ${missed.toLocaleString('en')} missed posts (reset + snapshot)` : `catch-up, ${missed.toLocaleString('en')} missed posts (events)`,
    'ms',
    sub(ours),
    sub(floor),
    `median of ${ours.length} runs, page:subscribe{since} → answer (${(bytes / 1024).toFixed(0)} KB${reset ? `: beyond ${CATCH_UP_MAX_EVENTS} items a catch-up is a reset with a snapshot` : ''}); with reconnect ${total(ours).toFixed(1)} ms vs floor ${total(floor).toFixed(1)} ms; baseline: bare ack returning the same ${(bytes / 1024).toFixed(0)} KB`,
  );
}

/**
 * What one anonymous `since: 0` costs after `edits` edits of one 19 KB entry (issue 10,
 * finding 3: it used to replay every edit with the full text), against the page's snapshot.
 */
async function catchupSize(child: ServerChild, care: CareEndpoint, edits: number, log: (l: string) => void): Promise<Result> {
  const pageId = await child.call<string>('page', { server: care.server, id: `cs-${randomBytes(3).toString('hex')}` });
  await child.call('edits', { server: care.server, pageId, n: edits, length: 19_000 }, 300_000);
  const anonymous = await open(care.url, NAMESPACE, { protocolVersion: PROTOCOL_VERSION });
  const snapshot = Buffer.byteLength(JSON.stringify(await okAck(anonymous, 'page:subscribe', { pageId })));
  const answer = await okAck<{ events?: unknown[]; reset?: boolean }>(anonymous, 'page:subscribe', { pageId, since: 0 });
  anonymous.disconnect();
  const bytes = Buffer.byteLength(JSON.stringify(answer));
  log(`  catch-up size: ${bytes} bytes after ${edits} edits, snapshot ${snapshot} bytes`);
  return result(
    `catch-up size, since: 0 after ${edits.toLocaleString('en')} edits of a 19 KB entry`,
    'bytes',
    bytes,
    snapshot,
    `anonymous page:subscribe{since: 0} answer (${answer.reset ? 'reset + snapshot' : `${answer.events?.length} events`}); baseline: the snapshot answer of the same page`,
  );
}

/* ------------------------------------------------------------------------------ 4. memory */

interface Mem {
  heapUsed: number;
  rss: number;
  external: number;
  arrayBuffers: number;
  sockets: number;
}

async function memoryOf(kind: 'floor' | 'ours', n: number, cpuProfDir: string | undefined, log: (l: string) => void): Promise<{ heap: number; rss: number; external: number }> {
  const child = await ServerChild.start(cpuProfDir);
  const sockets: Sock[] = [];
  try {
    let connect: (i: number) => Promise<Sock>;
    if (kind === 'floor') {
      const { url } = await child.call<{ url: string }>('floor');
      connect = async () => {
        const s = await open(url, '/floor', {});
        await okAck(s, 'join', 'idle');
        return s;
      };
    } else {
      const care = await startCare(child, 'mem', 'sqlite');
      const pageId = await child.call<string>('page', { server: care.server, id: 'mem-page' });
      connect = (i) => subscriber(care, `idle-${i}`, pageId);
    }
    // Warm every code path first, so the delta is sockets and not compiled code.
    await closeAll(await pool(50, CONNECT_CONCURRENCY, (i) => connect(n + i)));
    await sleep(300);
    const before = await child.call<Mem>('mem');
    const t = performance.now();
    sockets.push(...(await pool(n, CONNECT_CONCURRENCY, connect)));
    log(`  memory ${kind}: ${n} sockets in ${Math.round(performance.now() - t)} ms`);
    await sleep(500);
    const after = await child.call<Mem>('mem');
    if (process.env.BENCH_HEAP_SNAPSHOTS) log(`  heap snapshot ${kind}: ${await child.call<string>('heapSnapshot', { dir: process.env.BENCH_HEAP_SNAPSHOTS }, 120_000)}`);
    if (kind === 'ours' && after.sockets !== n) throw new Error(`memory: server counts ${after.sockets} sockets, expected ${n}`);
    return { heap: (after.heapUsed - before.heapUsed) / n, rss: (after.rss - before.rss) / n, external: (after.external - before.external) / n };
  } finally {
    await closeAll(sockets);
    await child.stop();
  }
}

function ulimitN(): number {
  try {
    const v = execSync('ulimit -n', { shell: '/bin/sh', encoding: 'utf8' }).trim();
    return v === 'unlimited' ? Infinity : Number(v);
  } catch {
    return 1024;
  }
}

async function memory(n: number, cpuProfDir: string | undefined, log: (l: string) => void): Promise<Result[]> {
  const floor = await memoryOf('floor', n, cpuProfDir, log);
  const ours = await memoryOf('ours', n, cpuProfDir, log);
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  return [
    result(`memory per idle subscribed socket (heap), ${n.toLocaleString('en')} sockets`, 'KB', ours.heap / 1024, floor.heap / 1024, `server heapUsed delta after gc / ${n}; external ours ${kb(ours.external)} / floor ${kb(floor.external)}; ours: signed-in sockets after page:subscribe (in read:<page> and user:<id> rooms); floor: anonymous sockets in one room`),
    result(`memory per idle subscribed socket (RSS), ${n.toLocaleString('en')} sockets`, 'KB', ours.rss / 1024, floor.rss / 1024, `server RSS delta / ${n} (includes native and socket buffers; noisy)`),
  ];
}

/* ---------------------------------------------------------------------------------- run */

export async function serverBenchmarks(opts: ServerBenchOptions = {}): Promise<Result[]> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const quick = opts.quick ?? false;
  const only = new Set<Section>(opts.only ?? ['latency', 'throughput', 'catchup', 'memory']);
  const sizes = opts.sizes ?? (quick ? [1, 100] : [1, 100, 1000]);
  const posts = opts.posts ?? (quick ? 15 : 60);
  const pgBase = opts.pg === undefined ? DEFAULT_PG : opts.pg;
  const fdLimit = ulimitN();
  // Each process holds its own end of every socket, plus files and listeners.
  const memSockets = Math.max(100, Math.min(opts.memSockets ?? (quick ? 300 : 2000), Math.floor((fdLimit - 200) / 1.1)));
  const started = performance.now();
  log(`server benchmarks: node ${process.version}, ${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}, ulimit -n ${fdLimit}`);

  const results: Result[] = [];
  const child = await ServerChild.start(opts.cpuProfDir);
  try {
    const { url: floorUrl } = await child.call<{ url: string }>('floor');
    const sqlite = await startCare(child, 'sqlite', 'sqlite');
    let postgres: CareEndpoint | null = null;
    const dbs = opts.dbs ?? ['sqlite', 'postgres'];
    if (pgBase && only.has('throughput') && dbs.includes('postgres')) {
      try {
        postgres = await startCare(child, 'postgres', 'postgres', pgBase);
      } catch (err) {
        log(`  PostgreSQL unavailable, skipped: ${(err as Error).message.split('\n')[0]}`);
      }
    }

    if (only.has('latency')) {
      for (const n of sizes) {
        const t = performance.now();
        results.push(...(await latency(child, floorUrl, sqlite, n, posts, quick ? 5_000 : 20_000, log)));
        log(`  latency n=${n} done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      }
    }
    if (only.has('throughput')) {
      const t = performance.now();
      const cares = [...(dbs.includes('sqlite') ? [{ label: 'SQLite (file, WAL)', care: sqlite }] : []), ...(postgres ? [{ label: 'PostgreSQL', care: postgres }] : [])];
      results.push(...(await throughput(child, floorUrl, cares, { writers: opts.writers ?? 50, windows: opts.windows ?? (quick ? 3 : 5), windowMs: opts.windowMs ?? (quick ? 700 : 1000), spreadPages: opts.spreadPages ?? false }, log)));
      log(`  throughput done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    if (only.has('catchup')) {
      const t = performance.now();
      const runs = opts.catchupRuns ?? (quick ? 2 : 5);
      results.push(await catchup(child, floorUrl, sqlite, runs, CATCH_UP_MAX_EVENTS, log));
      results.push(await catchup(child, floorUrl, sqlite, runs, opts.catchupEvents ?? 1000, log));
      results.push(await catchupSize(child, sqlite, opts.catchupEdits ?? (quick ? 200 : 1000), log));
      log(`  catch-up done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
  } finally {
    await child.stop();
  }
  if (only.has('memory')) {
    const t = performance.now();
    results.push(...(await memory(memSockets, opts.cpuProfDir, log)));
    log(`  memory done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  log(`server benchmarks done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return results;
}

/** A plain-text table of results. */
export function formatTable(results: Result[]): string {
  const rows = [['benchmark', 'ours', 'baseline', 'ratio', 'unit', 'detail'], ...results.map((r) => [r.name, String(r.ours), String(r.baseline), `${r.ratio}x`, r.unit, r.detail])];
  const widths = rows[0]!.map((_, c) => (c === 5 ? 0 : Math.max(...rows.map((r) => r[c]!.length))));
  return rows.map((r) => r.map((cell, c) => (c === 5 ? cell : c === 0 || c === 4 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=').slice(1).join('=');
  const opts: ServerBenchOptions = {
    quick: args.includes('--quick'),
    pg: args.includes('--no-pg') ? null : undefined,
    cpuProfDir: arg('cpu-prof'),
    only: arg('only')?.split(',') as Section[] | undefined,
    spreadPages: args.includes('--spread'),
    dbs: arg('dbs')?.split(',') as ('sqlite' | 'postgres')[] | undefined,
  };
  const results = await serverBenchmarks(opts);
  console.log(formatTable(results));
  process.exit(0);
}
