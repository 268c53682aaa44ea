/**
 * `npm run bench`: every benchmark of issues 3, 5 and 12 (page load, writes), each against a baseline measured in the
 * same run, reported as medians and ratios. `npm run bench -- --write` also rewrites the
 * results section of BENCHMARKS.md. Needs the build (`npm run build`) and Chromium.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { bundleRows, bundleSize } from './bundle-size.js';
import { pageLoadBenchmarks } from './page-load.js';
import { renderBenchmarks } from './render.js';
import { serverBenchmarks, type Result } from './server-bench.js';
import { writeBenchmarks } from './writes.js';

const write = process.argv.includes('--write');
const quick = process.argv.includes('--quick');

const fmt = (n: number, unit: string) => (unit === 'bytes' ? `${(n / 1024).toFixed(1)} KB` : Number.isInteger(n) ? n.toLocaleString('en') : n.toFixed(n < 10 ? 2 : 1));

const results: { section: string; rows: Result[] }[] = [];

const size = await bundleSize();
results.push({ section: '6. Bundle', rows: bundleRows(size) });
console.error('bundle done');

const server = await serverBenchmarks({ quick });
results.push({ section: '1–4. Server (delivery latency, write throughput, catch-up, memory)', rows: server });
console.error('server done');

results.push({ section: '8. Writes (issue 12): server CPU per acknowledged post, one page per writer at a fixed rate', rows: await writeBenchmarks({ quick }) });
console.error('writes done');

results.push({ section: '5. Rendering in headless Chromium', rows: await renderBenchmarks(quick ? 3 : 5) });
console.error('render done');

// `--no-lighthouse` skips the Lighthouse runs (npx fetches lighthouse@12.2.3 on first use).
results.push({
  section: '7. Page load: /demo/ at 4× CPU throttle, with and without the widgets',
  rows: await pageLoadBenchmarks({ runs: quick ? 3 : 10, lighthouseRuns: process.argv.includes('--no-lighthouse') ? 0 : quick ? 1 : 3, log: (l) => console.error(l) }),
});

const lines: string[] = [];
lines.push(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; run ${new Date().toISOString()}${quick ? ' (quick)' : ''}.`, '');
for (const { section, rows } of results) {
  lines.push(`### ${section}`, '', '| measure | ours | baseline | ratio | notes |', '| --- | --- | --- | --- | --- |');
  for (const r of rows) lines.push(`| ${r.name} | ${fmt(r.ours, r.unit)} ${r.unit === 'bytes' ? '' : r.unit} | ${fmt(r.baseline, r.unit)} ${r.unit === 'bytes' ? '' : r.unit} | ${Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}×` : "–"} | ${r.detail.replace(/\|/g, '\\|')} |`);
  lines.push('');
}
const table = lines.join('\n');
console.log(table);

if (write) {
  const path = new URL('../BENCHMARKS.md', import.meta.url);
  const doc = readFileSync(path, 'utf8');
  const start = doc.indexOf('<!-- RESULTS -->');
  const end = doc.indexOf('<!-- /RESULTS -->');
  if (start < 0 || end < 0) throw new Error('BENCHMARKS.md needs <!-- RESULTS --> and <!-- /RESULTS --> markers');
  writeFileSync(path, `${doc.slice(0, start + '<!-- RESULTS -->'.length)}\n\n${table}\n${doc.slice(end)}`);
}
