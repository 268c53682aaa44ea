/**
 * `npm run load`: the Artillery load test of issue 12 point 5. Installs the pinned Artillery
 * on first use (install.ts), then runs scenario.yml twice, each time against a fresh server in
 * its own process (target.ts): first the bare Socket.IO baseline, then the reference server on
 * SQLite. Prints a side-by-side table (ack p50/p95/p99 from the processor's histograms,
 * errors, rates, server CPU per post); `--write` also puts it into BENCHMARKS.md between
 * `<!-- ARTILLERY -->` and `<!-- /ARTILLERY -->`.
 *
 * All traffic is on 127.0.0.1; each run is bounded by its phase plus a fixed margin, and
 * every child process is stopped before this one exits.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureArtillery, PINNED } from './install.js';
import { figures, table, type ArtilleryReport, type RunFigures } from './summary.js';
import type { Usage } from './target.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TARGET = join(HERE, 'target.ts');
const SCENARIO = join(HERE, 'scenario.yml');

/**
 * The default run: two runs of 15 s of arrivals plus the last users' posts (~5 s) and
 * Artillery's start-up: about a minute on an idle machine, 2–4 minutes measured on this
 * shared one at load averages of 14–32. Light on purpose: one Artillery worker on a 2-core
 * machine shared with the server is the client, and every post fans out to the page's other
 * users in that same process, so the client saturates long before the server would.
 */
const DEFAULTS = { duration: 15, rate: 10, posts: 10, think: 0.5, pages: 20 };

const HELP = `npm run load [-- options]   Artillery (socketio-v3 engine) against the reference server and a bare Socket.IO baseline

  --duration=S   seconds of arrivals per server (default ${DEFAULTS.duration})
  --rate=N       virtual users arriving per second (default ${DEFAULTS.rate})
  --posts=N      wall posts per virtual user (default ${DEFAULTS.posts})
  --think=S      seconds between a user's posts (default ${DEFAULTS.think})
  --pages=N      pages the users spread over (default ${DEFAULTS.pages})
  --websocket    connect over WebSocket only (default: long-polling first, then the upgrade, as the widgets do)
  --write        also write the table into BENCHMARKS.md (<!-- ARTILLERY --> section)
  --verbose      show Artillery's own output as it runs
  --keep         keep the reports and logs (their directory is printed)

First use installs artillery@${PINNED.artillery} and artillery-engine-socketio-v3@${PINNED['artillery-engine-socketio-v3']}
(once, a few minutes) into ~/.cache/care-widgets-artillery/ (or $CARE_ARTILLERY_HOME).`;

function option(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (!arg) return fallback;
  const value = Number(arg.slice(name.length + 3));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got ${arg}`);
  return value;
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(HELP);
  process.exit(0);
}
const settings = {
  duration: Math.round(option('duration', DEFAULTS.duration)),
  rate: option('rate', DEFAULTS.rate),
  posts: Math.round(option('posts', DEFAULTS.posts)),
  think: option('think', DEFAULTS.think),
  pages: Math.round(option('pages', DEFAULTS.pages)),
};
const websocketOnly = process.argv.includes('--websocket');
const verbose = process.argv.includes('--verbose');
const keep = process.argv.includes('--keep');
const log = (line: string) => console.error(`[load] ${line}`);

/** One server in its own process; see target.ts. */
class Target {
  private constructor(
    private readonly proc: ChildProcess,
    readonly url: string,
  ) {}

  static start(kind: 'care' | 'bare', secret: string): Promise<Target> {
    const proc = fork(TARGET, [kind], {
      execArgv: ['--import', 'tsx'],
      cwd: ROOT,
      env: { ...process.env, CARE_ARTILLERY_SECRET: secret, CARE_ARTILLERY_PAGES: String(settings.pages), NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`${kind} server did not start within 60 s`));
      }, 60_000);
      proc.once('message', (m: { url: string }) => {
        clearTimeout(timer);
        resolve(new Target(proc, m.url));
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${kind} server exited during start (exit ${code})`));
      });
    });
  }

  usage(): Promise<Usage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('server did not report its usage within 10 s')), 10_000);
      this.proc.once('message', (m: { usage: Usage }) => {
        clearTimeout(timer);
        resolve(m.usage);
      });
      this.proc.send({ cmd: 'usage' });
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.proc.exitCode !== null) return resolve();
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
      this.proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.proc.send({ cmd: 'stop' });
    });
  }
}

/** One `artillery run` of scenario.yml against `url`; answers its JSON report. */
function artillery(launcher: string, url: string, secret: string, out: string, logFile: string): Promise<ArtilleryReport> {
  const overrides = {
    config: {
      phases: [{ name: 'load', duration: settings.duration, arrivalRate: settings.rate }],
      ...(websocketOnly ? { engines: { 'socketio-v3': { transports: ['websocket'], reconnection: false } } } : {}),
    },
  };
  const variables = { pages: settings.pages, posts: settings.posts, think: settings.think };
  const args = [launcher, 'run', '--target', url, '--overrides', JSON.stringify(overrides), '--variables', JSON.stringify(variables), '--output', out, SCENARIO];
  // The longest a user can live, plus start-up (Artillery loads ~1,100 packages) and slack.
  const bound = (settings.duration + settings.posts * (settings.think + 10) + 180) * 1000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: HERE,
      env: { ...process.env, CARE_ARTILLERY_SECRET: secret, ARTILLERY_DISABLE_TELEMETRY: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const take = (chunk: Buffer) => {
      output += chunk;
      if (verbose) process.stderr.write(chunk);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => child.kill('SIGTERM'), bound);
    child.on('close', (code) => {
      clearTimeout(timer);
      writeFileSync(logFile, output);
      if (code !== 0) return reject(new Error(`artillery exited ${code}; its output is in ${logFile}`));
      try {
        resolve(JSON.parse(readFileSync(out, 'utf8')) as ArtilleryReport);
      } catch (err) {
        reject(new Error(`no report from artillery (${(err as Error).message}); its output is in ${logFile}`));
      }
    });
  });
}

async function measure(kind: 'care' | 'bare', launcher: string, dir: string): Promise<RunFigures & { load: number }> {
  const secret = randomBytes(32).toString('hex');
  const target = await Target.start(kind, secret);
  try {
    const load = loadavg()[0]!;
    log(`${kind}: ${target.url}; ${settings.rate} users/s for ${settings.duration} s, ${settings.posts} posts each (load average ${load.toFixed(1)})`);
    const before = await target.usage();
    const report = await artillery(launcher, target.url, secret, join(dir, `${kind}.json`), join(dir, `${kind}.log`));
    const after = await target.usage();
    return { ...figures(report, { ...after, cpuMs: after.cpuMs - before.cpuMs }), load };
  } finally {
    await target.stop();
  }
}

const launcher = await ensureArtillery(log);
const dir = mkdtempSync(join(tmpdir(), 'care-load-'));
let exit = 0;
try {
  const bare = await measure('bare', launcher, dir);
  const care = await measure('care', launcher, dir);
  const text = [
    `Artillery ${PINNED.artillery} with artillery-engine-socketio-v3 ${PINNED['artillery-engine-socketio-v3']}; ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}; run ${new Date().toISOString()}.`,
    `Per server: ${settings.rate} virtual users/s for ${settings.duration} s, each on one of ${settings.pages} public pages: connect (${websocketOnly ? 'WebSocket only' : 'polling → WebSocket'}), \`page:subscribe\`, ${settings.posts} \`wall:post\`s ${settings.think} s apart. 1-minute load average before each run: bare ${bare.load.toFixed(1)}, reference ${care.load.toFixed(1)}.`,
    '',
    table(care, bare),
  ].join('\n');
  console.log(text);
  for (const [kind, f] of [['bare', bare], ['reference', care]] as const) {
    if (f.acked.post === 0) {
      console.error(`[load] the ${kind} run acknowledged no post: the scenario did not work (see ${dir}, kept)`);
      exit = 1;
    }
  }
  if (process.argv.includes('--write')) {
    const path = join(ROOT, 'BENCHMARKS.md');
    const doc = readFileSync(path, 'utf8');
    const [open, close] = ['<!-- ARTILLERY -->', '<!-- /ARTILLERY -->'];
    const start = doc.indexOf(open);
    const end = doc.indexOf(close);
    if (start < 0 || end < start) throw new Error(`BENCHMARKS.md needs ${open} and ${close} markers`);
    writeFileSync(path, `${doc.slice(0, start + open.length)}\n\n${text}\n\n${doc.slice(end)}`);
    log('BENCHMARKS.md updated');
  }
} catch (err) {
  console.error(`[load] ${(err as Error).message}`);
  exit = 1;
}
if (keep || exit !== 0) log(`reports and Artillery logs: ${dir}`);
else rmSync(dir, { recursive: true, force: true });
process.exit(exit);
