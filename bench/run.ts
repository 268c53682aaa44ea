/**
 * `npm run bench`: every benchmark of issues 3, 5, 12 and 15 (bundle, server, writes, rendering,
 * journal photos, page load, connects), each against a baseline measured in the same run, reported as medians
 * and ratios. `npm run bench -- --write` also rewrites the results sections of BENCHMARKS.md.
 * Needs the build (`npm run build`) and Chromium.
 *
 * `--only=bundle,server,writes,render,media,pageload,connects` runs some of them (`--write` then
 * rewrites only their block); `--connects=N` sets the sockets of the connect and
 * reconnect-storm benchmarks (default 10,000, `--quick` 2,000), `--storm=N` those of the storms
 * alone; `--no-lighthouse` skips the Lighthouse runs (npx fetches lighthouse@12.2.3 on first use).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { bundleRows, bundleSize } from './bundle-size.js';
import { connectBenchmarks } from './connects.js';
import { mediaBenchmarks } from './media.js';
import { pageLoadBenchmarks } from './page-load.js';
import { renderBenchmarks } from './render.js';
import { serverBenchmarks, type Result } from './server-bench.js';
import { writeBenchmarks } from './writes.js';

const write = process.argv.includes('--write');
const quick = process.argv.includes('--quick');

const fmt = (n: number, unit: string) => (unit === 'bytes' ? `${(n / 1024).toFixed(1)} KB` : Number.isInteger(n) ? n.toLocaleString('en') : n.toFixed(n < 10 ? 2 : 1));

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const only = new Set((arg('only') ?? 'bundle,server,writes,render,media,pageload,connects').split(','));
const connectSockets = arg('connects') === undefined ? undefined : Number(arg('connects'));
const stormSockets = arg('storm') === undefined ? undefined : Number(arg('storm'));

const results: { section: string; rows: Result[] }[] = [];
const connects: { section: string; rows: Result[] }[] = [];

if (only.has('bundle')) {
  results.push({ section: '6. Bundle', rows: bundleRows(await bundleSize()) });
  console.error('bundle done');
}

if (only.has('server')) {
  results.push({ section: '1–4. Server (delivery latency, write throughput, catch-up, memory)', rows: await serverBenchmarks({ quick }) });
  console.error('server done');
}

if (only.has('writes')) {
  results.push({ section: '8. Writes (issue 12): server CPU per acknowledged post, one page per writer at a fixed rate', rows: await writeBenchmarks({ quick }) });
  console.error('writes done');
}

if (only.has('render')) {
  results.push({ section: '5. Rendering in headless Chromium', rows: await renderBenchmarks(quick ? 3 : 5) });
  console.error('render done');
}

if (only.has('media')) {
  results.push({ section: '10. Journal photos (issue 15): upload to visible, and first render with photos', rows: await mediaBenchmarks(quick ? 3 : 5) });
  console.error('media done');
}

if (only.has('pageload')) {
  results.push({
    section: '7. Page load: /demo/ at 4× CPU throttle, with and without the widgets',
    rows: await pageLoadBenchmarks({ runs: quick ? 3 : 10, lighthouseRuns: process.argv.includes('--no-lighthouse') ? 0 : quick ? 1 : 3, log: (l) => console.error(l) }),
  });
  console.error('page load done');
}

if (only.has('connects')) {
  connects.push({ section: '9. Connects, memory per socket and the reconnect storm', rows: await connectBenchmarks({ quick, sockets: connectSockets, stormSockets }) });
  console.error('connects done');
}

function tableOf(sections: typeof results): string {
  const lines: string[] = [];
  lines.push(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; run ${new Date().toISOString()}${quick ? ' (quick)' : ''}.`, '');
  for (const { section, rows } of sections) {
    lines.push(`### ${section}`, '', '| measure | ours | baseline | ratio | notes |', '| --- | --- | --- | --- | --- |');
    for (const r of rows) lines.push(`| ${r.name} | ${fmt(r.ours, r.unit)} ${r.unit === 'bytes' ? '' : r.unit} | ${fmt(r.baseline, r.unit)} ${r.unit === 'bytes' ? '' : r.unit} | ${Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}×` : '–'} | ${r.detail.replace(/\|/g, '\\|')} |`);
    lines.push('');
  }
  return lines.join('\n');
}
const table = tableOf(results);
const connectTable = tableOf(connects);
if (results.length) console.log(table);
if (connects.length) console.log(connectTable);

/** Replaces what is between `<!-- NAME -->` and `<!-- /NAME -->` in BENCHMARKS.md. */
function writeBlock(name: string, text: string): void {
  const path = new URL('../BENCHMARKS.md', import.meta.url);
  const doc = readFileSync(path, 'utf8');
  const start = doc.indexOf(`<!-- ${name} -->`);
  const end = doc.indexOf(`<!-- /${name} -->`);
  if (start < 0 || end < 0) throw new Error(`BENCHMARKS.md needs <!-- ${name} --> and <!-- /${name} --> markers`);
  writeFileSync(path, `${doc.slice(0, start + `<!-- ${name} -->`.length)}\n\n${text}\n${doc.slice(end)}`);
}
if (write && results.length) writeBlock('RESULTS', table);
if (write && connects.length) writeBlock('CONNECTS', connectTable);
