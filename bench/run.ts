/**
 * `npm run bench`: every benchmark of issues 3, 5 and 12, each against a baseline measured in
 * the same run, reported as medians and ratios. `npm run bench -- --write` also rewrites the
 * results sections of BENCHMARKS.md. Needs the build (`npm run build`) and Chromium.
 *
 * `--only=bundle,server,render,connects` runs some of them (`--write` then rewrites only
 * theirs); `--connects=N` sets the sockets of the connect and reconnect-storm benchmarks
 * (default 10,000, `--quick` 2,000), `--storm=N` those of the storms alone.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { bundleSize } from './bundle-size.js';
import { connectBenchmarks } from './connects.js';
import { renderBenchmarks } from './render.js';
import { serverBenchmarks, type Result } from './server-bench.js';

const BUDGET_GZIP = 45 * 1024;
const write = process.argv.includes('--write');
const quick = process.argv.includes('--quick');

const fmt = (n: number, unit: string) => (unit === 'bytes' ? `${(n / 1024).toFixed(1)} KB` : Number.isInteger(n) ? n.toLocaleString('en') : n.toFixed(n < 10 ? 2 : 1));

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const only = new Set((arg('only') ?? 'bundle,server,render,connects').split(','));
const connectSockets = arg('connects') === undefined ? undefined : Number(arg('connects'));
const stormSockets = arg('storm') === undefined ? undefined : Number(arg('storm'));

const results: { section: string; rows: Result[] }[] = [];
const connects: { section: string; rows: Result[] }[] = [];

if (only.has('bundle')) {
  const size = await bundleSize();
  results.push({
    section: '6. Bundle',
    rows: [{ name: 'gzip size of dist/care-widgets.js (budget 45 KB)', unit: 'bytes', ours: size.bundleGzip, baseline: size.floorGzip, ratio: size.ratio, detail: `floor: lit + socket.io-client + dompurify bundled and minified the same way; ${(size.overFloor / 1024).toFixed(1)} KB over it; budget ${size.bundleGzip <= BUDGET_GZIP ? 'met' : 'EXCEEDED'}` }],
  });
  console.error('bundle done');
}

if (only.has('server')) {
  const server = await serverBenchmarks({ quick });
  results.push({ section: '1–4. Server (delivery latency, write throughput, catch-up, memory)', rows: server });
  console.error('server done');
}

if (only.has('render')) results.push({ section: '5. Rendering in headless Chromium', rows: await renderBenchmarks(quick ? 3 : 5) });

if (only.has('connects')) {
  connects.push({ section: '7. Connects, memory per socket and the reconnect storm', rows: await connectBenchmarks({ quick, sockets: connectSockets, stormSockets }) });
  console.error('connects done');
}

function tableOf(sections: typeof results): string {
  const lines: string[] = [];
  lines.push(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; run ${new Date().toISOString()}${quick ? ' (quick)' : ''}.`, '');
  for (const { section, rows } of sections) {
    lines.push(`### ${section}`, '', '| measure | ours | baseline | ratio | notes |', '| --- | --- | --- | --- | --- |');
    for (const r of rows) lines.push(`| ${r.name} | ${fmt(r.ours, r.unit)} ${r.unit === 'bytes' ? '' : r.unit} | ${fmt(r.baseline, r.unit)} ${r.unit === 'bytes' ? '' : r.unit} | ${r.ratio.toFixed(2)}× | ${r.detail.replace(/\|/g, '\\|')} |`);
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
