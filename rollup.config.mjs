import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import minifyHTML from '@lit-labs/rollup-plugin-minify-html-literals';
import ts from 'typescript';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { internalNames, terserOptions } from './terser.config.mjs';
import { precompress } from './scripts/precompress.mjs';
import { withoutWebTransport } from './scripts/without-webtransport.mjs';
import { banner, footer } from './scripts/blocked-by-csp.mjs';
import { CONTEXT, chunkInputs, chunkManifest, chunkOutput, internalNameCache, manifestModule } from './scripts/chunks.mjs';

/** Everything a consumer installs alongside us (and React, a peer) stays external in the ESM library. */
const external = (id) => /^(lit|@lit\/|socket\.io-client|dompurify)/.test(id) || /^react(-dom)?(\/|$)/.test(id);

/** Writes the bundle's Subresource Integrity hash next to it, for the copy-paste snippet. */
const sri = () => ({
  name: 'sri',
  writeBundle(options, bundle) {
    for (const file of Object.keys(bundle)) {
      if (!file.endsWith('.js')) continue;
      const path = `${options.dir ?? options.file.replace(/\/[^/]+$/, '')}/${file}`;
      const hash = createHash('sha384').update(readFileSync(path)).digest('base64');
      writeFileSync(`${path}.sri`, `sha384-${hash}\n`);
    }
  },
});

/**
 * Fails the build if a name the bundle renames (terser.config.mjs) is used outside the
 * widgets' own code, where renaming it could break a caller the bundle cannot see: in the
 * sources of the client, the protocol and the events (types included: wire payloads and
 * event details are declared there), or in a dependency's code in the bundle.
 */
const checkInternalNames = () => ({
  name: 'check-internal-names',
  generateBundle(_options, bundle) {
    const printer = ts.createPrinter({ removeComments: true });
    const own = (id) => /\/src\/(components|i18n)\//.test(id) && !id.includes('node_modules');
    const texts = readdirSync('src', { recursive: true })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `${process.cwd()}/src/${f}`)
      .filter((id) => !own(id))
      // Without comments (a word in a comment breaks nothing), with types.
      .map((id) => [id, printer.printFile(ts.createSourceFile(id, readFileSync(id, 'utf8'), ts.ScriptTarget.Latest))]);
    for (const chunk of Object.values(bundle)) {
      for (const [id, module] of Object.entries(chunk.modules ?? {})) if (!own(id) && !id.includes('/src/')) texts.push([id, module.code ?? '']);
    }
    for (const name of internalNames) {
      const word = new RegExp(`\\b${name}\\b`);
      for (const [id, text] of texts) if (word.test(text)) this.error(`"${name}" is renamed in the bundle but occurs in ${id}`);
    }
  },
});

/**
 * The script-tag build's languages: instead of the npm build's `import()` per table
 * (src/i18n/load.ts), the chunks fetch `locales/<code>.json` from beside the loader
 * (src/i18n/load-json.ts), and the loader's build writes those files from
 * src/i18n/locales/*.ts: each table's values in the order of the English table's keys (the
 * build renames the keys). Data, not code: no hash for the loader to carry, no `script-src`.
 */
const jsonLocales = ({ emit = false } = {}) => ({
  name: 'json-locales',
  resolveId(source, importer) {
    if (source === './load.js' && importer?.endsWith('/src/i18n/index.ts')) return `${process.cwd()}/src/i18n/load-json.ts`;
    return null;
  },
  async generateBundle() {
    if (!emit) return;
    const evaluate = async (file) => {
      const js = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      return import(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`);
    };
    const keys = Object.keys((await evaluate('src/i18n/en.ts')).en);
    for (const file of readdirSync('src/i18n/locales')) {
      const table = (await evaluate(`src/i18n/locales/${file}`)).default;
      const missing = keys.filter((k) => table[k] === undefined);
      if (missing.length > 0) this.error(`src/i18n/locales/${file} lacks ${missing.join(', ')}`);
      this.emitFile({ type: 'asset', fileName: `locales/${file.replace(/\.ts$/, '.json')}`, source: JSON.stringify(keys.map((k) => table[k])) });
    }
  },
});

export default [
  // (a) The npm library: ES modules with .d.ts, one file per source module.
  {
    input: {
      index: 'src/index.ts',
      'journal-feed': 'src/components/journal-feed/define.ts',
      'message-wall': 'src/components/message-wall/define.ts',
      'follow-button': 'src/components/follow-button/define.ts',
      'care-page': 'src/components/care-page/define.ts',
      'page-settings': 'src/components/page-settings/define.ts',
      'help-planner': 'src/components/help-planner/define.ts',
      client: 'src/client/index.ts',
      protocol: 'src/protocol/index.ts',
      react: 'src/react/index.ts',
    },
    external,
    output: {
      dir: 'lib',
      format: 'es',
      preserveModules: true,
      preserveModulesRoot: 'src',
      sourcemap: false,
      // The React wrappers use hooks: marked a client module, a React Server Component (Next.js
      // App Router) can render them directly; they still render to HTML on the server.
      // Rollup drops module-level directives from sources, so the banner writes it.
      banner: (chunk) => (chunk.facadeModuleId?.endsWith('/src/react/index.ts') ? "'use client';" : ''),
    },
    plugins: [typescript({ tsconfig: './tsconfig.build.json', outputToFilesystem: true })],
  },
  // (b) The script-tag chunks: everything the widgets run, split by who needs it, each an
  // AMD-style module the loader (c) defines (scripts/chunks.mjs). The build writes them first.
  {
    input: chunkInputs,
    external: [CONTEXT],
    // The core entry is its manual chunk (with more exports than src/bundle.ts's), not a facade chunk beside it.
    preserveEntrySignatures: 'allow-extension',
    // The core's module body runs Lit, which creates its Trusted Types policy: inside the
    // try/catch of scripts/blocked-by-csp.mjs, in a function of its own (a body that is one
    // try block minified 295 B worse: terser keeps block-scoped declarations as they are).
    output: chunkOutput({ intro: (chunk) => (chunk.name === 'core' ? `${banner}(()=>{` : ''), outro: (chunk) => (chunk.name === 'core' ? `})()${footer}` : '') }),
    plugins: [
      jsonLocales(),
      nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }),
      withoutWebTransport(),
      typescript({ tsconfig: './tsconfig.json', compilerOptions: { noEmit: false, declaration: false }, outputToFilesystem: false }),
      // Whitespace in html`` and css`` templates is bytes every visitor downloads.
      minifyHTML(),
      // One name per renamed member in every chunk: a member of the core's CareElement keeps its name in the journal's chunk.
      terser({ ...terserOptions, nameCache: internalNameCache() }),
      checkInternalNames(),
      chunkManifest(),
      precompress(),
    ],
  },
  // (c) The loader: the one classic script a webmaster pastes, carrying every chunk's hash.
  // banner/footer: a try/catch around it, for a CSP that refuses its Trusted Types policy.
  {
    input: 'src/loader/loader.ts',
    output: { file: 'dist/care-widgets.js', format: 'iife', sourcemap: false, banner, footer },
    plugins: [
      manifestModule(),
      jsonLocales({ emit: true }),
      typescript({ tsconfig: './tsconfig.json', compilerOptions: { noEmit: false, declaration: false }, outputToFilesystem: false }),
      terser(terserOptions),
      sri(),
      precompress(),
    ],
  },
  // (d) The Web Push service worker the hospital serves from its own origin (README, "Web
  // Push"): a classic script with no imports, not minified, comments kept, so the hospital can
  // read what it runs. It is served by the hospital, not loaded through the loader: no SRI.
  {
    input: 'src/push/care-push-sw.ts',
    output: { file: 'dist/care-push-sw.js', format: 'iife', sourcemap: false },
    plugins: [typescript({ tsconfig: './tsconfig.json', compilerOptions: { noEmit: false, declaration: false }, outputToFilesystem: false })],
  },
];
