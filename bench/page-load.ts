/// <reference lib="dom" />
/**
 * Page load (issue 12, point 2): what the widgets cost the patient's page while it loads.
 *
 * Starts the real server in demo mode (server/src/main.ts with CARE_DEMO=1, as `npm start`
 * does, on a random port with an in-memory store), then loads `/demo/` in headless Chromium at
 * 4× CPU throttle (CDP `Emulation.setCPUThrottlingRate`), each load in a fresh browser context
 * (cold cache and storage, as a first visit), alternately:
 *  - ours: the page as served;
 *  - baseline: the same page with every script under `/dist/` answered empty (request
 *    interception), so the page, its CSS and demo.js load as before and no widget code runs.
 *
 * Per load, from the page's own Performance APIs (injected before the page's first script):
 *  - the longest task and the tasks over 100 ms (`longtask` entries);
 *  - which of those are ours: the Long Animation Frames API (`long-animation-frame`) names
 *    the scripts that ran in each frame with their `sourceURL`; a long task is ours when
 *    scripts from `/dist/` ran for at least half of it;
 *  - total blocking time: the sum of (task − 50 ms) over the tasks from first contentful paint
 *    until the page is idle (no long task for 2 s after `load` and, for ours, after the first
 *    widget content);
 *  - time to first widget content: the journal's first entry in its shadow root (polled
 *    every 10 ms, in both variants);
 *  - the top-level evaluation of our script (its `classic-script` entry in the LoAF data).
 * Reported as medians over the loads. Then Lighthouse 12.2.3 (mobile, simulated throttling,
 * performance only) on `/demo/`, with and without `/dist/` (`--blocked-url-patterns`), run
 * through `npx` (not a dependency of ours: ~300 packages for one score); if it cannot run, the
 * row says why.
 *
 * Run alone: `node --import tsx bench/page-load.ts [--runs=10] [--lighthouse-runs=3] [--no-lighthouse]
 * [--compare=<another build's dist/>]` (the last also loads the page with that build's scripts,
 * alternately with this one's, both answered from disk, and logs the three medians).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { median, type Result } from './server-bench.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const CHROME_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const THROTTLE = 4;
const LIGHTHOUSE = 'lighthouse@12.2.3';

/** One load's measures (ms, from navigation start unless said otherwise). */
export interface LoadSample {
  longest: number;
  over100: number;
  over100Ours: number;
  tbt: number;
  fcp: number;
  load: number;
  firstContent: number | null;
  /** Top-level evaluation (compile + run) of our script(s), if LoAF saw it (it sees scripts over 5 ms in frames over 50 ms). */
  evaluate: number | null;
  /** Per task over 100 ms: its length and how much of it our scripts and others' ran. */
  tasks: { start: number; duration: number; ours: number; others: number; scripts: string[] }[];
}

/**
 * Injected before the page's own scripts: collects long tasks, long animation frames, FCP and
 * the first widget content into `window.__load`. Plain ES5-ish text, not a function: tsx would
 * wrap a named function in `__name()`, which the page does not have.
 */
const PROBE = `(() => {
  const d = (window.__load = { long: [], loaf: [], fcp: 0, content: 0 });
  const observe = (type, fn) => { try { new PerformanceObserver((l) => l.getEntries().forEach(fn)).observe({ type, buffered: true }); } catch (e) {} };
  observe('longtask', (e) => d.long.push({ start: e.startTime, duration: e.duration }));
  observe('paint', (e) => { if (e.name === 'first-contentful-paint') d.fcp = e.startTime; });
  observe('long-animation-frame', (e) => d.loaf.push({ start: e.startTime, duration: e.duration,
    scripts: e.scripts.map((s) => ({ url: s.sourceURL, start: s.startTime, duration: s.duration, type: s.invokerType, invoker: s.invoker, fn: s.sourceFunctionName, layout: s.forcedStyleAndLayoutDuration })) }));
  const poll = () => {
    const feed = document.querySelector('care-journal-feed');
    if (feed && feed.shadowRoot && feed.shadowRoot.querySelector('[role=feed] article')) d.content = performance.now();
    else if (performance.now() < 30000) setTimeout(poll, 10);
  };
  poll();
})();`;

interface Probe {
  long: { start: number; duration: number }[];
  loaf: { start: number; duration: number; scripts: { url: string; start: number; duration: number; type: string; invoker: string; fn: string; layout: number }[] }[];
  fcp: number;
  content: number;
}

/** Starts `server/src/main.ts` in demo mode on a random loopback port; resolves its URL. */
async function startDemoServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: join(root, 'server'),
    env: { ...process.env, CARE_DEMO: '1', PORT: '0', HOST: '127.0.0.1', CARE_DB: 'sqlite::memory:', CARE_RATE_LIMITS: 'off', CARE_JWT_SECRET: 'page-load-bench-secret-0123456789' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /server on (http:\/\/\S+?)\s/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`demo server exited (${code}): ${out}`)));
  });
  return { url, child };
}

const isOurs = (url: string, origin: string) => url.startsWith(`${origin}/dist/`);

/** Overlap of two intervals. */
const overlap = (a0: number, a1: number, b0: number, b1: number) => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

export function analyse(p: Probe, load: number, origin: string): LoadSample {
  const scripts = p.loaf.flatMap((f) => f.scripts);
  const tasks = p.long.map((t) => {
    let ours = 0;
    let others = 0;
    const names: string[] = [];
    for (const s of scripts) {
      const o = overlap(t.start, t.start + t.duration, s.start, s.start + s.duration);
      if (isOurs(s.url, origin)) ours += o;
      else others += o;
      if (o > 0) names.push(`${s.invoker || s.type}${s.fn ? ` (${s.fn})` : ''} ${Math.round(s.duration)} ms${s.layout ? ` (forced style and layout ${Math.round(s.layout)} ms)` : ''}`);
    }
    return { start: t.start, duration: t.duration, ours, others, scripts: names };
  });
  const evals = scripts.filter((s) => s.type === 'classic-script' && isOurs(s.url, origin));
  const over = tasks.filter((t) => t.duration > 100);
  return {
    longest: Math.max(0, ...tasks.map((t) => t.duration)),
    over100: over.length,
    over100Ours: over.filter((t) => t.ours >= t.duration / 2).length,
    tbt: tasks.filter((t) => t.start >= p.fcp).reduce((sum, t) => sum + Math.max(0, t.duration - 50), 0),
    fcp: p.fcp,
    load,
    firstContent: p.content || null,
    evaluate: evals.length ? evals.reduce((sum, s) => sum + s.duration, 0) : null,
    tasks: over,
  };
}

/**
 * One load of `/demo/`; `baseline` answers every `/dist/` script empty; `scriptsFrom` answers
 * them from files in that directory instead of the server's (an A/B of two builds in one run).
 */
export async function loadOnce(browser: Browser, url: string, baseline: boolean, scriptsFrom?: string): Promise<LoadSample> {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    await page.setViewport({ width: 412, height: 823, isMobile: true, deviceScaleFactor: 1 });
    const cdp = await page.createCDPSession();
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
    await page.evaluateOnNewDocument(PROBE);
    if (baseline || scriptsFrom) {
      await page.setRequestInterception(true);
      page.on('request', (req) => {
        if (!isOurs(req.url(), url) || req.resourceType() !== 'script') return void req.continue();
        const body = baseline ? '' : readFileSync(join(scriptsFrom!, new URL(req.url()).pathname.replace(/^\/dist\//, '')));
        void req.respond({ status: 200, contentType: 'text/javascript', body });
      });
    }
    await page.goto(`${url}/demo/`, { waitUntil: 'load', timeout: 120_000 });
    const load = (await page.evaluate('performance.getEntriesByType("navigation")[0].loadEventEnd')) as number;
    // Idle: 2 s without a long task after load (and, for ours, after the first widget content).
    const deadline = Date.now() + 60_000;
    for (;;) {
      const s = (await page.evaluate('({ now: performance.now(), content: __load.content, last: Math.max(0, ...__load.long.map((t) => t.start + t.duration)) })')) as { now: number; content: number; last: number };
      const settled = baseline || s.content > 0;
      if (settled && s.now - Math.max(load, s.content, s.last) > 2000) break;
      if (Date.now() > deadline) throw new Error(`/demo/ did not settle within 60 s (${baseline ? 'baseline' : 'ours'}; first content ${s.content})`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const probe = (await page.evaluate('__load')) as Probe;
    return analyse(probe, load, url);
  } finally {
    await context.close();
  }
}

/** Lighthouse mobile performance score (0–100), or why it could not run. */
async function lighthouse(url: string, blockDist: boolean): Promise<number | string> {
  const dir = mkdtempSync(join(tmpdir(), 'care-lh-'));
  const out = join(dir, 'report.json');
  const args = [
    '--yes',
    LIGHTHOUSE,
    `${url}/demo/`,
    '--only-categories=performance',
    '--output=json',
    `--output-path=${out}`,
    '--quiet',
    `--chrome-flags=--headless=new ${CHROME_FLAGS.join(' ')}`,
    ...(blockDist ? [`--blocked-url-patterns=${url}/dist/*`] : []),
  ];
  try {
    await new Promise<void>((resolve, reject) =>
      execFile('npx', args, { env: { ...process.env, CHROME_PATH: CHROME }, timeout: 300_000, maxBuffer: 1 << 26 }, (err, _stdout, stderr) =>
        err ? reject(new Error(`${err.message.split('\n')[0]} ${stderr.slice(-300)}`)) : resolve(),
      ),
    );
    const report = JSON.parse(readFileSync(out, 'utf8')) as { categories: { performance: { score: number | null } }; runtimeError?: { message: string } };
    const score = report.categories.performance.score;
    return score === null ? `no score: ${report.runtimeError?.message ?? 'unknown'}` : Math.round(score * 100);
  } catch (e) {
    return `could not run: ${(e as Error).message.slice(0, 300)}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface PageLoadOptions {
  runs?: number;
  /** Another build's dist/ directory: also loads the page with its scripts, alternately, and logs the comparison. */
  compare?: string;
  lighthouseRuns?: number;
  log?: (line: string) => void;
}

const f = (n: number) => n.toFixed(0);

export async function pageLoadBenchmarks(opts: PageLoadOptions = {}): Promise<Result[]> {
  const runs = opts.runs ?? 10;
  const lhRuns = opts.lighthouseRuns ?? 3;
  const log = opts.log ?? (() => {});
  const { url, child } = await startDemoServer();
  const browser = await puppeteer.launch({ executablePath: CHROME, headless: true, args: CHROME_FLAGS });
  const ours: LoadSample[] = [];
  const base: LoadSample[] = [];
  const other: LoadSample[] = [];
  const results: Result[] = [];
  try {
    // One warm-up of each (the server's first answers, Chromium's own first start), not counted.
    await loadOnce(browser, url, false);
    await loadOnce(browser, url, true);
    for (let i = 0; i < runs; i++) {
      // With a comparison, both builds arrive the same way (interception, from disk).
      ours.push(await loadOnce(browser, url, false, opts.compare ? join(root, 'dist') : undefined));
      base.push(await loadOnce(browser, url, true));
      if (opts.compare) {
        other.push(await loadOnce(browser, url, false, opts.compare));
        const c = other.at(-1)!;
        log(`load ${i + 1} (compare): longest ${f(c.longest)} tbt ${f(c.tbt)} >100 ${c.over100} (ours ${c.over100Ours}) content ${c.firstContent === null ? '-' : f(c.firstContent)} eval ${c.evaluate === null ? '-' : f(c.evaluate)}`);
      }
      const o = ours.at(-1)!;
      const b = base.at(-1)!;
      log(`load ${i + 1}: ours longest ${f(o.longest)} tbt ${f(o.tbt)} >100 ${o.over100} (ours ${o.over100Ours}) content ${o.firstContent === null ? '-' : f(o.firstContent)} eval ${o.evaluate === null ? '-' : f(o.evaluate)} | baseline longest ${f(b.longest)} tbt ${f(b.tbt)} >100 ${b.over100}`);
      for (const t of o.tasks) log(`    task at ${f(t.start)}: ${f(t.duration)} ms, our scripts ${f(t.ours)}, others ${f(t.others)}: ${t.scripts.join('; ')}`);
    }
    const m = (xs: LoadSample[], k: (s: LoadSample) => number | null) => median(xs.map(k).filter((v): v is number => v !== null));
    if (opts.compare) {
      const line = (name: string, xs: LoadSample[]) =>
        `${name}: longest ${f(m(xs, (s) => s.longest))} ms, tasks > 100 ms ${m(xs, (s) => s.over100)} (ours ${m(xs, (s) => s.over100Ours)}), TBT ${f(m(xs, (s) => s.tbt))} ms, first content ${f(m(xs, (s) => s.firstContent))} ms, evaluate ${f(m(xs, (s) => s.evaluate))} ms`;
      log(`medians of ${runs}:\n  ${line('this build', ours)}\n  ${line(opts.compare, other)}\n  ${line('baseline (no widgets)', base)}`);
    }
    const row = (name: string, unit: string, o: number, b: number, detail: string) => results.push({ name, unit, ours: o, baseline: b, ratio: b ? o / b : o ? Infinity : 1, detail });
    const n = `median of ${runs} loads each, alternated, at ${THROTTLE}× CPU throttle; baseline: the same page with /dist/ scripts answered empty`;
    row('longest task while /demo/ loads', 'ms', m(ours, (s) => s.longest), m(base, (s) => s.longest), n);
    const oursOver = m(ours, (s) => s.over100Ours);
    row('tasks over 100 ms', 'tasks', m(ours, (s) => s.over100), m(base, (s) => s.over100), `of ours, median ${oursOver} (max ${Math.max(...ours.map((s) => s.over100Ours))}) are the widgets' (LoAF: /dist/ scripts ran ≥ half the task); goal: 0`);
    const tbtO = m(ours, (s) => s.tbt);
    const tbtB = m(base, (s) => s.tbt);
    row('total blocking time, FCP to idle', 'ms', tbtO, tbtB, `added ${f(tbtO - tbtB)} ms (goal < 200 ms); ${n}`);
    const fc = m(ours, (s) => s.firstContent);
    row('time to first widget content (journal entry)', 'ms', fc, m(base, (s) => s.fcp), `from navigation start; baseline: the page's own first contentful paint; load event ours ${f(m(ours, (s) => s.load))} / baseline ${f(m(base, (s) => s.load))} ms`);
    const ev = ours.map((s) => s.evaluate).filter((v): v is number => v !== null);
    row('top-level evaluation of the widgets script', 'ms', ev.length ? median(ev) : 0, 0, ev.length ? `compile + run of /dist/ classic scripts (LoAF), median of the ${ev.length} loads that reported it` : 'not reported by LoAF (under 5 ms, or in a frame under 50 ms)');
  } finally {
    await browser.close();
  }
  try {
    if (lhRuns > 0) {
      const scores: { ours: (number | string)[]; base: (number | string)[] } = { ours: [], base: [] };
      for (let i = 0; i < lhRuns; i++) {
        scores.ours.push(await lighthouse(url, false));
        scores.base.push(await lighthouse(url, true));
        log(`lighthouse ${i + 1}: ours ${scores.ours.at(-1)} baseline ${scores.base.at(-1)}`);
      }
      const nums = (xs: (number | string)[]) => xs.filter((x): x is number => typeof x === 'number');
      const o = nums(scores.ours);
      const b = nums(scores.base);
      const why = [...scores.ours, ...scores.base].find((x) => typeof x === 'string');
      results.push({
        name: 'Lighthouse mobile performance score, /demo/',
        unit: 'points',
        ours: o.length ? median(o) : 0,
        baseline: b.length ? median(b) : 0,
        ratio: o.length && b.length ? median(o) / median(b) : 0,
        detail: o.length
          ? `${LIGHTHOUSE} via npx, mobile, simulated throttling, median of ${o.length} (ours ${scores.ours.join('/')}; baseline ${scores.base.join('/')}, /dist/ blocked); goal ≥ 90`
          : `not measured: ${why}`,
      });
    }
  } finally {
    child.kill('SIGTERM');
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const results = await pageLoadBenchmarks({
    runs: Number(arg('runs') ?? 10),
    compare: arg('compare'),
    lighthouseRuns: process.argv.includes('--no-lighthouse') ? 0 : Number(arg('lighthouse-runs') ?? 3),
    log: (l) => console.error(l),
  });
  for (const r of results) console.log(`| ${r.name} | ${r.ours.toFixed(r.unit === 'ms' ? 0 : 1)} ${r.unit} | ${r.baseline.toFixed(r.unit === 'ms' ? 0 : 1)} ${r.unit} | ${Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : '∞'}× | ${r.detail} |`);
}
