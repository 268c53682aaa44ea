/**
 * Write benchmarks of issue 12, point 3, each against the bare Socket.IO server (the floor:
 * `post` with an ack and a room broadcast, bench/servers.ts) run in the same process:
 *
 * 1. CPU per acknowledged post: `writers` sockets, each subscribed to its own page (the floor:
 *    joined to its own room), post in a closed loop until `posts` posts are acknowledged; the
 *    server child's `process.cpuUsage()` delta (user + system) divided by the posts. Rounds
 *    alternate floor, SQLite, PostgreSQL; the median round counts. Goal: at most 2× the floor.
 * 2. One page per writer, open loop: the same sockets post at a fixed total rate (default
 *    2,000 posts/s for 10 s), round-robin, whether or not earlier posts were answered; the
 *    latency of each is from the moment it was DUE (its slot in the schedule, so a stalled
 *    client or server cannot hide its backlog) to its ack. p50/p99 and the achieved rate
 *    (acks / time from the first send to the last ack). Goal: 2,000 posts/s with p99 under
 *    100 ms on SQLite.
 *
 * `node --import tsx bench/writes.ts [--quick] [--dbs=sqlite,postgres] [--no-pg]
 *  [--rate=2000] [--seconds=10] [--writers=50] [--posts=4000] [--only=cpu,load]
 *  [--profile=<dir>]` prints a table. `--profile` writes a V8 CPU profile of the server child
 * during each measured load of ours (not the floor's), for finding where the time goes.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { NAMESPACE, PROTOCOL_VERSION } from '../src/protocol/index.js';
import {
  CONNECT_CONCURRENCY,
  DEFAULT_PG,
  FILLER,
  ServerChild,
  ack,
  closeAll,
  formatTable,
  median,
  okAck,
  open,
  percentile,
  pool,
  result,
  sleep,
  startCare,
  tokenFor,
  type CareEndpoint,
  type Result,
} from './server-bench.js';
import pg from 'pg';
import type { Socket } from 'socket.io-client';
import { freshPostgres } from '../server/test/pg.js';

export interface WriteBenchOptions {
  quick?: boolean;
  /** Databases to measure (default both). */
  dbs?: ('sqlite' | 'postgres')[];
  /** PostgreSQL base URL; `null` skips PostgreSQL. */
  pg?: string | null;
  /** Writers, each on its own page (default 50). */
  writers?: number;
  /** Acknowledged posts per CPU round (default 4,000). */
  posts?: number;
  /** CPU rounds per server (default 3). */
  rounds?: number;
  /** Open-loop target rate (posts/s, default 2,000) and duration (s, default 10). */
  rate?: number;
  seconds?: number;
  only?: ('cpu' | 'load')[];
  /** Directory for V8 CPU profiles of the server child during our measured loads. */
  profileDir?: string;
  log?: (line: string) => void;
}

const CPU_GOAL = 2;
const P99_GOAL_MS = 100;

/** A set of writers, each with a page (room) of its own, on one server. */
interface Target {
  label: string;
  /** null: the floor. */
  db: 'sqlite' | 'postgres' | null;
  sockets: Socket[];
  post(i: number, k: string): Promise<boolean>;
}

async function floorTarget(url: string, writers: number, tag: string): Promise<Target> {
  const sockets = await pool(writers, CONNECT_CONCURRENCY, async (i) => {
    const s = await open(url, '/floor', {});
    await okAck(s, 'join', `w-${tag}-${i}`);
    return s;
  });
  return {
    label: 'floor',
    db: null,
    sockets,
    post: async (i, k) => (await ack<{ ok: boolean }>(sockets[i]!, 'post', { room: `w-${tag}-${i}`, clientId: k, body: `${FILLER} ${k}` })).ok,
  };
}

async function careTarget(child: ServerChild, label: string, db: 'sqlite' | 'postgres', care: CareEndpoint, writers: number, tag: string): Promise<Target> {
  const pageIds = await pool(writers, 1, (i) => child.call<string>('page', { server: care.server, id: `wr-${tag}-${i}` }));
  const sockets = await pool(writers, CONNECT_CONCURRENCY, async (i) => {
    const s = await open(care.url, NAMESPACE, { protocolVersion: PROTOCOL_VERSION, token: await tokenFor(care, `writer-${tag}-${i}`) });
    await okAck(s, 'page:subscribe', { pageId: pageIds[i] });
    return s;
  });
  return {
    label,
    db,
    sockets,
    post: async (i, k) => (await ack<{ ok: boolean }>(sockets[i]!, 'wall:post', { pageId: pageIds[i], clientId: k, body: `${FILLER} ${k}` })).ok,
  };
}

/** Closed loop: every writer posts, waits for the ack, posts again, until `posts` acks in all. */
async function closedLoop(t: Target, posts: number, tag: string): Promise<{ ms: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    t.sockets.map(async (_, i) => {
      while (sent < posts) {
        const k = `${tag}-${sent++}`;
        if (!(await t.post(i, k))) failed++;
      }
    }),
  );
  return { ms: performance.now() - started, failed };
}

interface Cpu {
  user: number;
  system: number;
}

/** Server CPU (µs) per acknowledged post, for one round of `posts`. */
async function cpuRound(child: ServerChild, t: Target, posts: number, tag: string, profile?: string): Promise<{ usPerPost: number; sysPerPost: number; rate: number; failed: number }> {
  if (profile) await child.call('profileStart');
  const before = await child.call<Cpu>('cpu');
  const { ms, failed } = await closedLoop(t, posts, tag);
  const after = await child.call<Cpu>('cpu');
  if (profile) await child.call('profileStop', { file: profile });
  const us = after.user - before.user + (after.system - before.system);
  return { usPerPost: us / posts, sysPerPost: (after.system - before.system) / posts, rate: (posts / ms) * 1000, failed };
}

/**
 * Waits until the server child is idle (under 15% of a core for half a second, at most 60 s):
 * posts whose acks timed out on the client are still being worked through by the server, and
 * that backlog must not land on the next server's measurement.
 */
async function settle(child: ServerChild): Promise<void> {
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    const a = await child.call<Cpu>('cpu');
    await sleep(500);
    const b = await child.call<Cpu>('cpu');
    if (b.user - a.user + (b.system - a.system) < 75_000) return;
  }
}

/**
 * Open loop: post `i` of the run is due at `i / rate` seconds and is sent then (to writer
 * `i % writers`) whatever happened to the earlier ones. Latency from due to ack.
 */
async function openLoop(t: Target, rate: number, seconds: number, tag: string): Promise<{ p50: number; p99: number; max: number; achieved: number; failed: number; lateSends: number }> {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let failed = 0;
  let lateSends = 0;
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  let lastAck = started;
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - started) / 1000) * rate) + 1);
      // More than 5 ms behind schedule: the client could not keep up (counted, not hidden).
      if (due - next > rate / 200) lateSends += due - next;
      for (; next < due; next++) {
        const dueAt = started + (next / rate) * 1000;
        const i = next % t.sockets.length;
        inFlight.push(
          t.post(i, `${tag}-${next}`).then(
            (ok) => {
              lastAck = performance.now();
              if (ok) latencies.push(lastAck - dueAt);
              else failed++;
            },
            () => void failed++,
          ),
        );
      }
      if (next < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await Promise.all(inFlight);
  return {
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: percentile(latencies, 1),
    achieved: (latencies.length / (lastAck - started)) * 1000,
    failed,
    lateSends,
  };
}

/**
 * PostgreSQL's serial commit latency on this machine: one-row autocommitted inserts, one after
 * the other. Writers to ONE page hold its row lock until their commit, so that page's posts
 * commit one at a time: 1000 / this many milliseconds bounds them (server-bench.ts's
 * write throughput), whatever the server does.
 */
export async function pgCommitMs(pgBase: string, n = 300): Promise<{ p50: number; p90: number }> {
  const fresh = await freshPostgres(pgBase);
  const client = new pg.Client({ connectionString: fresh.url });
  await client.connect();
  try {
    await client.query('CREATE TABLE commit_probe (id integer, body text)');
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await client.query({ name: 'probe', text: 'INSERT INTO commit_probe VALUES ($1, $2)', values: [i, FILLER] });
      ms.push(performance.now() - t);
    }
    return { p50: percentile(ms, 0.5), p90: percentile(ms, 0.9) };
  } finally {
    await client.end();
    await fresh.drop();
  }
}

export async function writeBenchmarks(opts: WriteBenchOptions = {}): Promise<Result[]> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const quick = opts.quick ?? false;
  const writers = opts.writers ?? 50;
  const posts = opts.posts ?? (quick ? 1500 : 4000);
  const rounds = opts.rounds ?? (quick ? 2 : 3);
  const rate = opts.rate ?? 2000;
  const seconds = opts.seconds ?? (quick ? 3 : 10);
  const only = new Set(opts.only ?? ['cpu', 'load']);
  const pgBase = opts.pg === undefined ? DEFAULT_PG : opts.pg;
  const dbs = opts.dbs ?? ['sqlite', 'postgres'];
  const tag = randomBytes(3).toString('hex');
  const results: Result[] = [];

  const child = await ServerChild.start();
  const targets: Target[] = [];
  try {
    const { url } = await child.call<{ url: string }>('floor');
    targets.push(await floorTarget(url, writers, tag));
    for (const db of dbs) {
      if (db === 'postgres' && !pgBase) continue;
      try {
        const care = await startCare(child, `writes-${db}`, db, pgBase ?? undefined);
        targets.push(await careTarget(child, db === 'sqlite' ? 'SQLite (file, WAL, synchronous=FULL)' : 'PostgreSQL', db, care, writers, tag));
      } catch (err) {
        log(`  writes: ${db} unavailable, skipped: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    const floor = targets[0]!;
    const ours = targets.slice(1);
    let run = 0;
    // Warm-up (JIT, statement caches, pools), not counted.
    for (const t of targets) await closedLoop(t, Math.min(posts, 1000), `${tag}-warm-${run++}`);

    if (only.has('cpu')) {
      const cpu = new Map<Target, Awaited<ReturnType<typeof cpuRound>>[]>(targets.map((t) => [t, []]));
      for (let r = 0; r < rounds; r++) {
        for (const t of targets) {
          const profile = opts.profileDir && t.db ? join(opts.profileDir, `writes-cpu-${t.db}-${r}.cpuprofile`) : undefined;
          cpu.get(t)!.push(await cpuRound(child, t, posts, `${tag}-cpu-${run++}`, profile));
          await sleep(200);
        }
      }
      const us = (t: Target) => median(cpu.get(t)!.map((x) => x.usPerPost));
      const each = (t: Target) => cpu.get(t)!.map((x) => `${x.usPerPost.toFixed(0)} µs (sys ${x.sysPerPost.toFixed(0)}) @ ${x.rate.toFixed(0)}/s`).join(', ');
      log(`  writes cpu: floor ${each(floor)}`);
      for (const t of ours) {
        log(`  writes cpu: ${t.label} ${each(t)}`);
        const failed = cpu.get(t)!.reduce((a, x) => a + x.failed, 0);
        const ratio = us(t) / us(floor);
        results.push(
          result(
            `server CPU per acknowledged post, ${t.label}`,
            'µs',
            us(t),
            us(floor),
            `median of ${rounds} rounds of ${posts.toLocaleString('en')} acked posts, ${writers} writers each on its own page (subscribed to it), closed loop (ours ${each(t)}; floor ${each(floor)}); server child process.cpuUsage() user+system; baseline: bare \`post\` with ack + room broadcast; goal ≤ ${CPU_GOAL}× the floor: ${ratio <= CPU_GOAL ? 'met' : 'NOT met'}${failed ? `; ${failed} FAILED posts` : ''}`,
          ),
        );
      }
    }

    if (only.has('load')) {
      await settle(child);
      const floorLoad = await openLoop(floor, rate, seconds, `${tag}-load-${run++}`);
      const fmt = (x: typeof floorLoad) => `p50 ${x.p50.toFixed(1)} ms, p99 ${x.p99.toFixed(1)} ms, max ${x.max.toFixed(0)} ms, ${x.achieved.toFixed(0)} acks/s${x.failed ? `, ${x.failed} FAILED` : ''}${x.lateSends ? `, ${x.lateSends} sends late` : ''}`;
      log(`  writes load: floor ${fmt(floorLoad)}`);
      for (const t of ours) {
        await settle(child);
        const profile = opts.profileDir && t.db ? join(opts.profileDir, `writes-load-${t.db}.cpuprofile`) : undefined;
        if (profile) await child.call('profileStart');
        const x = await openLoop(t, rate, seconds, `${tag}-load-${run++}`);
        if (profile) await child.call('profileStop', { file: profile });
        log(`  writes load: ${t.label} ${fmt(x)}`);
        const met = x.p99 < P99_GOAL_MS && x.achieved >= rate * 0.98 && x.failed === 0;
        results.push(
          result(
            `one page per writer, ${rate.toLocaleString('en')} posts/s open loop, ack p99, ${t.label}`,
            'ms',
            x.p99,
            floorLoad.p99,
            `${writers} writers each on its own page (subscribed), ${seconds} s, latency from each post's due time to its ack; ours ${fmt(x)}; floor ${fmt(floorLoad)}; goal ${rate.toLocaleString('en')} posts/s with p99 < ${P99_GOAL_MS} ms: ${met ? 'met' : 'NOT met'}`,
          ),
        );
      }
    }
  } finally {
    await closeAll(targets.flatMap((t) => t.sockets));
    await child.stop();
  }
  if (pgBase && targets.some((t) => t.db === 'postgres')) {
    const c = await pgCommitMs(pgBase);
    const note = `; PostgreSQL serial commit latency now: p50 ${c.p50.toFixed(2)} ms, p90 ${c.p90.toFixed(2)} ms (one page's posts commit one at a time: at most ~${Math.round(1000 / c.p50)}/s on one page)`;
    log(`  writes: PostgreSQL serial commit p50 ${c.p50.toFixed(2)} ms, p90 ${c.p90.toFixed(2)} ms`);
    for (const r of results) if (r.name.includes('PostgreSQL')) r.detail += note;
  }
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=').slice(1).join('=');
  const num = (name: string) => (arg(name) === undefined ? undefined : Number(arg(name)));
  const results = await writeBenchmarks({
    quick: args.includes('--quick'),
    pg: args.includes('--no-pg') ? null : undefined,
    dbs: arg('dbs')?.split(',') as ('sqlite' | 'postgres')[] | undefined,
    rate: num('rate'),
    seconds: num('seconds'),
    writers: num('writers'),
    posts: num('posts'),
    rounds: num('rounds'),
    only: arg('only')?.split(',') as ('cpu' | 'load')[] | undefined,
    profileDir: arg('profile'),
  });
  console.log(formatTable(results));
  process.exit(0);
}
