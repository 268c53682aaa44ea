/**
 * Benchmark 6, the script-tag build's bytes (issue 12): what a visitor's browser downloads,
 * node zlib gzip level 9, every file compressed on its own as the server sends it.
 *  - the loader, `dist/care-widgets.js` (budget 6 KB), against the single bundle it replaced;
 *  - a page with only `<care-follow-button>` (loader + core + its chunk) and a page with every
 *    widget (loader + every chunk), both against that single bundle, built here from the same
 *    sources the way it was built until issue 12 (one IIFE with every element);
 *  - everything against the floor: lit + socket.io-client + DOMPurify alone, minified the same way.
 */
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import minifyHTML from '@lit-labs/rollup-plugin-minify-html-literals';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { rollup, type Plugin } from 'rollup';
import type { Result } from './server-bench.js';
// @ts-expect-error: a plain .mjs config module without types
import { terserOptions } from '../terser.config.mjs';
// @ts-expect-error: a plain .mjs module without types
import { withoutWebTransport } from '../scripts/without-webtransport.mjs';

const root = new URL('../', import.meta.url);
const LOADER_BUDGET = 6 * 1024;
const gzip = (b: Buffer | string) => gzipSync(b, { level: 9 }).length;

async function iife(input: string, plugins: Plugin[]): Promise<Buffer> {
  const build = await rollup({ input, plugins, onwarn: () => {} });
  const { output } = await build.generate({ format: 'iife', name: 'Bench' });
  await build.close();
  return Buffer.from(output[0].code);
}

/** The floor: lit + socket.io-client + DOMPurify, the same way (IIFE, browser build, no WebTransport, terser). */
const floorBytes = () => iife(new URL('./floor-entry.js', import.meta.url).pathname, [nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }), withoutWebTransport(), terser(terserOptions)]);

/**
 * The single bundle of before issue 12: every element and `CareWidgets` in one IIFE, with the
 * plugins of that build (languages as JSON: `load-json.ts`, whose loader context is here the
 * script itself, as it was then).
 */
function singleBundleBytes(): Promise<Buffer> {
  const entry = '\0single-entry.ts';
  const context = '\0context';
  const single: Plugin = {
    name: 'single-bundle',
    resolveId(source, importer) {
      if (source === entry) return entry;
      if (source === 'care-widgets:context') return context;
      if (source === './load.js' && importer?.endsWith('/src/i18n/index.ts')) return new URL('src/i18n/load-json.ts', root).pathname;
      return null;
    },
    load(id) {
      if (id === context) return 'export const script = document.currentScript;';
      if (id !== entry) return null;
      const src = (p: string) => JSON.stringify(new URL(`src/${p}`, root).pathname);
      return `import ${src('client/settings.ts')};
        import { configure, configureFromScript } from ${src('client/settings.ts')};
        import { clearOutbox, connectionFor } from ${src('client/connection.ts')};
        import ${src('components/care-page/define.ts')};
        import ${src('components/journal-feed/define.ts')};
        import ${src('components/message-wall/define.ts')};
        import ${src('components/follow-button/define.ts')};
        configureFromScript(document.currentScript);
        window.CareWidgets ??= { version: '0', protocolVersion: 1, configure, connectionFor, clearOutbox };`;
    },
  };
  return iife(entry, [
    single,
    nodeResolve({ browser: true, exportConditions: ['browser', 'production'], extensions: ['.ts', '.js'] }),
    withoutWebTransport(),
    typescript({ tsconfig: new URL('tsconfig.json', root).pathname, compilerOptions: { noEmit: false, declaration: false }, outputToFilesystem: false }),
    minifyHTML(),
    terser(terserOptions),
  ]);
}

export interface SizeResult {
  loader: number;
  followPage: number;
  allWidgets: number;
  single: number;
  floor: number;
  chunks: Record<string, number>;
}

export async function bundleSize(): Promise<SizeResult> {
  const loaderText = readFileSync(new URL('dist/care-widgets.js', root), 'utf8');
  // The loader's manifest: ["chunks/<name>-<hash>","sha384-…",[imports]].
  const rows = [...loaderText.matchAll(/\["(chunks\/([\w-]+)-[\w-]{8})","sha384-[\w+/=]+",\[([\d,]*)\]\]/g)].map((m) => ({ id: m[1]!, name: m[2]!, imports: m[3] ? m[3].split(',').map(Number) : [] }));
  if (rows.length === 0) throw new Error('no chunks in dist/care-widgets.js: run npm run build');
  const size = rows.map((r) => gzip(readFileSync(new URL(`dist/${r.id}.js`, root))));
  const closure = (names: string[]) => {
    const seen = new Set<number>();
    const visit = (i: number) => {
      if (seen.has(i)) return;
      seen.add(i);
      rows[i]!.imports.forEach(visit);
    };
    names.forEach((n) => visit(rows.findIndex((r) => r.name === n)));
    return [...seen].reduce((sum, i) => sum + size[i]!, 0);
  };
  const loader = gzip(loaderText);
  return {
    loader,
    followPage: loader + closure(['core', 'care-follow-button']),
    allWidgets: loader + closure(rows.map((r) => r.name)),
    single: gzip(await singleBundleBytes()),
    floor: gzip(await floorBytes()),
    chunks: Object.fromEntries(rows.map((r, i) => [r.name, size[i]!])),
  };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** The rows of BENCHMARKS.md section 6. */
export function bundleRows(s: SizeResult): Result[] {
  const chunks = Object.entries(s.chunks).map(([n, b]) => `${n} ${kb(b)}`).join(', ');
  return [
    { name: 'gzip size of dist/care-widgets.js, the loader (budget 6 KB)', unit: 'bytes', ours: s.loader, baseline: s.single, ratio: s.loader / s.single, detail: `baseline: the single bundle it replaced (every element in one script), built from the same sources; budget ${s.loader <= LOADER_BUDGET ? 'met' : 'EXCEEDED'}` },
    { name: 'downloaded by a page with only <care-follow-button>', unit: 'bytes', ours: s.followPage, baseline: s.single, ratio: s.followPage / s.single, detail: `loader + core + its chunk, each gzip; baseline: the single bundle; ${kb(s.single - s.followPage)} less` },
    { name: 'downloaded by a page with every widget', unit: 'bytes', ours: s.allWidgets, baseline: s.single, ratio: s.allWidgets / s.single, detail: `loader + every chunk (${chunks}); baseline: the single bundle; the split costs ${kb(s.allWidgets - s.single)} (each file compressed alone; the chunks' exports and imports)` },
    { name: 'every widget against the floor', unit: 'bytes', ours: s.allWidgets, baseline: s.floor, ratio: s.allWidgets / s.floor, detail: `floor: lit + socket.io-client + dompurify bundled and minified the same way, one file; ${kb(s.allWidgets - s.floor)} over it` },
  ];
}

// `node --import tsx bench/bundle-size.ts`: this section alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await bundleSize();
  console.log(JSON.stringify(s, null, 2));
  for (const r of bundleRows(s)) console.log(`${r.name}: ${r.ours} B vs ${r.baseline} B (${r.ratio.toFixed(2)}x); ${r.detail}`);
}
