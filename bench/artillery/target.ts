/**
 * One server under load, in its own process so Artillery (another process) and the server
 * never share an event loop, and so its CPU time is its own. Started by run.ts with
 * `fork(target.ts, ['care' | 'bare'])`; the signing secret and page count come in the
 * environment (`CARE_ARTILLERY_SECRET`, `CARE_ARTILLERY_PAGES`).
 *
 * IPC: it sends `{ ready: true, url }` once listening; it answers `{ cmd: 'usage' }` with its
 * CPU time and memory so far and its event-loop delay since the previous `usage`, and
 * `{ cmd: 'stop' }` by closing and exiting. It exits by itself when run.ts goes away.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startBareServer } from './bare-server.js';
import { startReferenceServer } from './reference-server.js';

if (!process.send) {
  console.error('bench/artillery/target.ts runs as a child of bench/artillery/run.ts (it needs an IPC channel).');
  process.exit(2);
}
const send = (m: unknown) => process.send!(m);

export interface Usage {
  /** User + system CPU time of this process since it started, in milliseconds. */
  cpuMs: number;
  rssBytes: number;
  /**
   * How late the event loop ran timers since the previous `usage` (p99 and max, ms): time in
   * which no socket of this server was served, whether the process was busy, blocked in a
   * synchronous call (better-sqlite3 waiting for an fsync) or not scheduled by the machine.
   */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

const kind = process.argv[2];
const secret = process.env.CARE_ARTILLERY_SECRET ?? '';
const pages = Number(process.env.CARE_ARTILLERY_PAGES ?? '10');
if (kind !== 'care' && kind !== 'bare') throw new Error(`target.ts: expected "care" or "bare", got ${kind}`);
if (kind === 'care' && secret.length < 32) throw new Error('target.ts: CARE_ARTILLERY_SECRET must be at least 32 characters');

const server = kind === 'care' ? await startReferenceServer({ secret, pages }) : await startBareServer();

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Bounded: a close stuck on a socket must not keep the run from ending.
  await Promise.race([server.close(), new Promise((r) => setTimeout(r, 5_000).unref())]);
}

process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'usage') {
    const cpu = process.cpuUsage();
    send({
      usage: { cpuMs: (cpu.user + cpu.system) / 1000, rssBytes: process.memoryUsage.rss(), loopDelayP99Ms: loop.percentile(99) / 1e6, loopDelayMaxMs: loop.max / 1e6 } satisfies Usage,
    });
    loop.reset();
  } else if (m.cmd === 'stop') {
    void stop().then(() => process.exit(0));
  }
});
process.on('disconnect', () => void stop().then(() => process.exit(0)));
send({ ready: true, url: server.url });
