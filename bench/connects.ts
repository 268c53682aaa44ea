/**
 * Connect benchmarks of issue 12, point 4, each against the bare Socket.IO server in the same run:
 *
 * 1. The connect wave: `n` sockets (10,000; `--quick` 2,000) connect and, once connected,
 *    `page:subscribe` with their own real JWT to one of 100 pages; baseline: as many anonymous
 *    sockets that connect to the bare server and join one of 100 rooms. Wall time from the
 *    first connect to the last answer.
 * 2. Memory per subscribed socket: the server's RSS and heap after gc, before and after that wave.
 * 3. The reconnect storm: the `n` subscribed sockets' server is killed (SIGKILL) and started
 *    again on the same port and database (by a standby process with the code loaded); the time
 *    from the new node listening until every socket has reconnected and caught up (resubscribed with `since` and holds every post, exactly once,
 *    in `seq` order: posts written before the kill, one batch right before it, and posts
 *    written while the crowd comes back). Run with Socket.IO's default reconnection (what the
 *    widgets did before) and with the client's schedule (src/client/backoff.ts RECONNECT);
 *    baseline: the bare server killed and restarted under the same crowd, time until every
 *    socket is back in its room.
 *
 * The servers run in their own child (bench/servers.ts) and the sockets in several forked
 * client processes (bench/connect-clients.ts), so the clients' side is not the limit.
 *
 * `node --import tsx bench/connects.ts [--quick] [--sockets=N] [--storm-sockets=N] [--workers=N]
 *  [--only=wave,storm] [--cpu-prof=<dir>]` prints a table.
 */
import { execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { RECONNECT } from '../src/client/backoff.js';
import { IpcChild } from './ipc-child.js';
import type { Result } from './server-bench.js';

/** Socket.IO's Manager defaults: the widgets' reconnection before the schedule in backoff.ts. */
const SOCKET_IO_DEFAULT = { reconnectionDelay: 1_000, reconnectionDelayMax: 5_000, randomizationFactor: 0.5 };
type Schedule = typeof SOCKET_IO_DEFAULT;

export interface ConnectBenchOptions {
  /** Sockets per wave and storm (default 10,000; `quick` 2,000; lowered to fit `ulimit -n`). */
  sockets?: number;
  /** Sockets of the storms, when not `sockets`. */
  stormSockets?: number;
  quick?: boolean;
  /** Pages (rooms) the sockets spread over (default 100). */
  pages?: number;
  /** Client processes (default 2). */
  workers?: number;
  /** Sockets connecting at once per client process (default 50). */
  concurrency?: number;
  only?: ('wave' | 'storm')[];
  cpuProfDir?: string;
  log?: (line: string) => void;
}

interface Mem {
  heapUsed: number;
  rss: number;
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));
const result = (name: string, unit: string, ours: number, baseline: number, detail: string): Result => ({ name, unit, ours: round(ours, 3), baseline: round(baseline, 3), ratio: round(ours / baseline, 2), detail });
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function ulimitN(): number {
  try {
    const v = execSync('ulimit -n', { shell: '/bin/sh', encoding: 'utf8' }).trim();
    return v === 'unlimited' ? Infinity : Number(v);
  } catch {
    return 1024;
  }
}

class Clients {
  private constructor(readonly procs: IpcChild[]) {}

  static async start(workers: number): Promise<Clients> {
    return new Clients(await Promise.all(Array.from({ length: workers }, () => IpcChild.start('bench/connect-clients.ts'))));
  }

  /** `fn(worker, from, to)` on every worker with its share of `0..n`, in parallel. */
  each<T>(n: number, fn: (w: IpcChild, from: number, to: number) => Promise<T>): Promise<T[]> {
    const per = Math.ceil(n / this.procs.length);
    return Promise.all(this.procs.map((w, k) => fn(w, k * per, Math.min(n, (k + 1) * per))));
  }

  all<T>(cmd: string, args?: unknown, timeoutMs?: number): Promise<T[]> {
    return Promise.all(this.procs.map((w) => w.call<T>(cmd, args, timeoutMs)));
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.map((w) => w.stop('close')));
  }
}

/** Pages `p0`… with what a page has: a journal entry and a few wall messages. Answers their posts. */
async function seedPages(server: IpcChild, pages: number): Promise<{ pageId: string; id: string; seq: number }[]> {
  const pageIds = Array.from({ length: pages }, (_, p) => `p${p}`);
  for (const id of pageIds) {
    await server.call('page', { server: 'c', id });
    await server.call('edits', { server: 'c', pageId: id, n: 0, length: 600 });
  }
  return server.call('posts', { server: 'c', pageIds, perPage: SEED_WALL, tag: 'seed' }, 300_000);
}
const SEED_WALL = 5;

interface Wave {
  ms: number;
  /** Server CPU time (user + system) per socket during the wave, µs. */
  cpu: number;
  rss: number;
  heap: number;
  failed: number;
}

/** One connect wave of `n` sockets against a fresh server child; memory per socket after gc. */
async function wave(kind: 'floor' | 'care', n: number, o: Required<Pick<ConnectBenchOptions, 'pages' | 'workers' | 'concurrency'>> & { cpuProfDir?: string }, log: (l: string) => void): Promise<Wave> {
  const server = await IpcChild.start('bench/servers.ts', { expose_gc: true, cpuProfDir: o.cpuProfDir });
  const clients = await Clients.start(o.workers);
  try {
    const secret = randomBytes(32).toString('hex');
    const tmp = kind === 'care' ? mkdtempSync(join(tmpdir(), 'care-connects-')) : null;
    const { url } = kind === 'floor' ? await server.call<{ url: string }>('floorAt', { port: 0 }) : await server.call<{ url: string }>('careAt', { name: 'c', port: 0, dbFile: join(tmp!, 'c.db'), secret });
    if (kind === 'care') await seedPages(server, o.pages);
    const open = (from: number, to: number, w: IpcChild) => w.call<{ opened: number; failedSubscribes: number }>('open', { kind, url, from, to, pages: o.pages, concurrency: o.concurrency, timeoutMs: 60_000 }, 300_000);
    // Warm the code paths (and the JIT) first, so the measured wave and memory are sockets.
    const warm = 200;
    if (kind === 'care') await clients.each(warm, (w, from, to) => w.call('prepare', { from: n + from, to: n + to, secret }));
    await clients.each(warm, (w, from, to) => open(n + from, n + to, w));
    await clients.all('close');
    await sleep(300);
    if (kind === 'care') await clients.each(n, (w, from, to) => w.call('prepare', { from, to, secret }, 300_000));
    const before = await server.call<Mem>('mem');
    const cpu0 = await server.call<NodeJS.CpuUsage>('cpu');
    const t = performance.now();
    const opened = await clients.each(n, (w, from, to) => open(from, to, w));
    const ms = performance.now() - t;
    const cpu1 = await server.call<NodeJS.CpuUsage>('cpu');
    const cpu = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / n;
    await sleep(500);
    const after = await server.call<Mem>('mem');
    const failed = opened.reduce((a, x) => a + x.failedSubscribes, 0);
    log(`  connect wave ${kind}: ${n} sockets in ${s(ms)}, server CPU ${cpu.toFixed(0)} µs per socket; RSS +${((after.rss - before.rss) / n / 1024).toFixed(1)} KB, heap +${((after.heapUsed - before.heapUsed) / n / 1024).toFixed(1)} KB per socket${failed ? `; ${failed} FAILED subscribes` : ''}`);
    await clients.all('close');
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    return { ms, cpu, rss: (after.rss - before.rss) / n, heap: (after.heapUsed - before.heapUsed) / n, failed };
  } finally {
    await clients.stop();
    await server.stop();
  }
}

interface Storm {
  /** The new server listening → every socket caught up. */
  ms: number;
  /** Kill → every socket caught up. */
  fromKillMs: number;
  /** Kill → the new server listening. */
  restartMs: number;
  caughtUp: number;
  sockets: number;
  exact: number;
  lost: number;
  duplicated: number;
  misordered: number;
  overlaps: number;
  gaps: number;
  resets: number;
  failedSubscribes: number;
  connectErrors: number;
  posts: number;
}

/**
 * `n` subscribed sockets reconnecting with `schedule`; the server is SIGKILLed and started
 * again on the same port and database, while posts are written before, at and after the kill.
 */
async function storm(kind: 'floor' | 'care', n: number, schedule: Schedule, o: Required<Pick<ConnectBenchOptions, 'pages' | 'workers' | 'concurrency'>> & { cpuProfDir?: string }, log: (l: string) => void): Promise<Storm> {
  const tmp = mkdtempSync(join(tmpdir(), 'care-storm-'));
  const dbFile = join(tmp, 'storm.db');
  const secret = randomBytes(32).toString('hex');
  const pageIds = Array.from({ length: o.pages }, (_, p) => `p${p}`);
  const spawnServer = () => IpcChild.start('bench/servers.ts', { expose_gc: true, cpuProfDir: o.cpuProfDir });
  const serve = (child: IpcChild, port: number) => (kind === 'floor' ? child.call<{ url: string }>('floorAt', { port }) : child.call<{ url: string }>('careAt', { name: 'c', port, dbFile, secret }));
  let server = await spawnServer();
  const { url } = await serve(server, 0);
  // The node that replaces the killed one, started ahead with its code loaded (so the
  // restart measured is opening the database and listening, not compiling TypeScript on a
  // loaded machine): a supervisor's restart of a built server.
  const standby = spawnServer();
  const clients = await Clients.start(o.workers);
  try {
    const port = Number(new URL(url).port);
    const written: { pageId: string; id: string; seq: number }[] = [];
    const write = async (perPage: number, tag: string) => {
      if (kind === 'care') written.push(...(await server.call<typeof written>('posts', { server: 'c', pageIds, perPage, tag }, 300_000)));
    };
    if (kind === 'care') {
      written.push(...(await seedPages(server, o.pages)));
      await clients.each(n, (w, from, to) => w.call('prepare', { from, to, secret }, 300_000));
    }
    const t = performance.now();
    await clients.each(n, (w, from, to) => w.call('open', { kind, url, from, to, pages: o.pages, concurrency: o.concurrency, reconnect: schedule, timeoutMs: 60_000 }, 300_000));
    log(`  storm ${kind}: ${n} sockets subscribed in ${s(performance.now() - t)}`);
    // Posts everyone hears live, then a batch the server is killed right after.
    await write(2, 'before');
    await sleep(1_000);
    await clients.all('rearm');
    await write(1, 'at-kill');
    const next = await standby;
    const killed = Date.now();
    await server.kill();
    server = next;
    await serve(server, port);
    const listening = Date.now();
    const restartMs = listening - killed;
    // Posts while the crowd comes back: the first ones reach few sockets live, the rest catch up.
    const during = (async () => {
      for (let r = 0; r < 3; r++) {
        await write(1, `storm-${r}`);
        await sleep(1_000);
      }
    })();
    await during;
    const posts: Record<string, string[]> = {};
    for (const p of pageIds) posts[p] = [];
    for (const w of [...written].sort((a, b) => a.seq - b.seq)) posts[w.pageId]!.push(w.id);
    const reports = await clients.all<Omit<Storm, 'ms' | 'fromKillMs' | 'restartMs' | 'posts'> & { lastAt: number; connected: number }>('expect', { posts, deadlineMs: 180_000 }, 200_000);
    const sum = (k: keyof (typeof reports)[number]) => reports.reduce((a, r) => a + (r[k] as number), 0);
    const last = Math.max(...reports.map((r) => r.lastAt));
    const st: Storm = {
      ms: last - listening,
      fromKillMs: last - killed,
      restartMs,
      caughtUp: sum('caughtUp'),
      sockets: sum('sockets'),
      exact: sum('exact'),
      lost: sum('lost'),
      duplicated: sum('duplicated'),
      misordered: sum('misordered'),
      overlaps: sum('overlaps'),
      gaps: sum('gaps'),
      resets: sum('resets'),
      failedSubscribes: sum('failedSubscribes'),
      connectErrors: sum('connectErrors'),
      posts: written.length,
    };
    log(
      `  storm ${kind} (delay ${schedule.reconnectionDelay} ms ± ${schedule.randomizationFactor * 100} %, max ${schedule.reconnectionDelayMax} ms): ${st.caughtUp}/${st.sockets} caught up ${s(st.ms)} after the restart (${s(st.fromKillMs)} after the kill; restart took ${s(restartMs)}); ` +
        (kind === 'care' ? `${st.posts} posts, ${st.exact} sockets exact, lost ${st.lost}, duplicated ${st.duplicated}, misordered ${st.misordered}, overlaps dropped ${st.overlaps}, gaps ${st.gaps}, resets ${st.resets}, ` : '') +
        `failed subscribes ${st.failedSubscribes}, connect errors ${st.connectErrors}`,
    );
    return st;
  } finally {
    await clients.stop();
    await server.stop();
    await (await standby.catch(() => null))?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function connectBenchmarks(opts: ConnectBenchOptions = {}): Promise<Result[]> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const workers = opts.workers ?? 2;
  const fdLimit = ulimitN();
  // The server holds one descriptor per socket; each client process its share.
  const n = Math.min(opts.sockets ?? (opts.quick ? 2_000 : 10_000), Math.floor((fdLimit - 500) / 1.05));
  const waveSockets = n;
  const o = { pages: opts.pages ?? 100, workers, concurrency: opts.concurrency ?? 50, cpuProfDir: opts.cpuProfDir };
  const only = new Set(opts.only ?? ['wave', 'storm']);
  const label = n.toLocaleString('en');
  log(`connect benchmarks: ${n} sockets over ${o.pages} pages, ${workers} client processes × ${o.concurrency} connecting at once, ulimit -n ${fdLimit}`);
  const results: Result[] = [];
  if (only.has('wave')) {
    const floor = await wave('floor', n, o, log);
    const ours = await wave('care', n, o, log);
    results.push(
      result(`connect + subscribe, ${label} signed-in sockets on ${o.pages} pages`, 'ms', ours.ms, floor.ms, `goal ≤ 1.3×; from the first connect to the last page:subscribe answer, each socket with its own HS256 JWT, ${workers} client processes × ${o.concurrency} at once; baseline: bare Socket.IO, connect + join one of ${o.pages} rooms${ours.failed ? `; ${ours.failed} FAILED` : ''}`),
      result(`server CPU per connect + subscribe, ${label} sockets`, 'µs', ours.cpu, floor.cpu, `user + system CPU of the server process during the wave / ${n}: what the wall time is made of when the machine is not shared (this one runs other work too)`),
      result(`memory per subscribed socket (RSS), ${label} sockets`, 'KB', ours.rss / 1024, floor.rss / 1024, `goal ≤ 1.3×; server RSS after gc, after the wave minus before, / ${n}; heap ours ${(ours.heap / 1024).toFixed(1)} KB / bare ${(floor.heap / 1024).toFixed(1)} KB`),
    );
  }
  if (only.has('storm')) {
    const n = Math.min(opts.stormSockets ?? Infinity, waveSockets);
    const label = n.toLocaleString('en');
    const floor = await storm('floor', n, RECONNECT, o, log);
    const before = await storm('care', n, SOCKET_IO_DEFAULT, o, log);
    const after = await storm('care', n, RECONNECT, o, log);
    const integrity = (x: Storm) =>
      x.caughtUp === x.sockets && x.lost === 0 && x.duplicated === 0 && x.misordered === 0
        ? `all ${x.sockets} sockets hold all ${x.posts / o.pages} posts of their page exactly once in seq order (${x.overlaps} overlapping events dropped by seq, ${x.gaps} gaps, ${x.resets} resets)`
        : `INCOMPLETE: ${x.caughtUp}/${x.sockets} caught up, lost ${x.lost}, duplicated ${x.duplicated}, misordered ${x.misordered}`;
    const sched = (x: Schedule) => `${x.reconnectionDelay / 1000} s ± ${x.randomizationFactor * 100} %, max ${x.reconnectionDelayMax / 1000} s`;
    results.push(
      result(`reconnect storm, ${label} subscribed sockets, Socket.IO default reconnection (before)`, 'ms', before.ms, floor.ms, `from the new node listening (kill -9, then a standby process opens the database and listens: ${s(before.restartMs)}) to every socket resubscribed with since and caught up (${s(before.fromKillMs)} from the kill); schedule ${sched(SOCKET_IO_DEFAULT)}; ${integrity(before)}; ${before.connectErrors} failed connect attempts; baseline: bare server killed and restarted, sockets back in their rooms (schedule ${sched(RECONNECT)}, restart ${s(floor.restartMs)}, ${s(floor.fromKillMs)} from the kill)`),
      result(`reconnect storm, ${label} subscribed sockets, the client's schedule (after)`, 'ms', after.ms, floor.ms, `schedule ${sched(RECONNECT)} (src/client/backoff.ts); restart ${s(after.restartMs)}, ${s(after.fromKillMs)} from the kill; ${integrity(after)}; ${after.connectErrors} failed connect attempts; same baseline`),
    );
  }
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=').slice(1).join('=');
  const num = (name: string) => (arg(name) === undefined ? undefined : Number(arg(name)));
  const results = await connectBenchmarks({
    quick: args.includes('--quick'),
    sockets: num('sockets'),
    stormSockets: num('storm-sockets'),
    workers: num('workers'),
    pages: num('pages'),
    concurrency: num('concurrency'),
    only: arg('only')?.split(',') as ('wave' | 'storm')[] | undefined,
    cpuProfDir: arg('cpu-prof'),
  });
  for (const r of results) console.log(`${r.name}: ours ${r.ours} ${r.unit}, baseline ${r.baseline} ${r.unit}, ${r.ratio}x; ${r.detail}`);
  process.exit(0);
}
