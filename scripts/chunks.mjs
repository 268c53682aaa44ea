/**
 * The script-tag build in two passes (issue 12, rollup.config.mjs (b) and (c)):
 *
 * 1. The chunks: Rollup code-splitting with one entry per element and one for the core, in
 *    AMD form with `define` renamed to `__careWidgetsDefine`, a function the loader implements
 *    (src/loader/registry.ts). Each chunk is a classic script, so the loader can insert it
 *    with `integrity`, `crossorigin` and its own `nonce`: no module loader, no `eval`, and a
 *    strict `script-src` holds. File names carry a content hash, so they can be cached for
 *    good (server/src/http/dist.ts).
 * 2. The loader: after the chunks are written, `chunkManifest()` has hashed each (sha384, the
 *    SRI hash) and `manifestModule()` hands the loader those hashes, each chunk's imports and
 *    which chunk defines which element, as the module `care-widgets:manifest`. So the hash of
 *    the loader in the README's snippet pins every byte of code that runs.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { internalNames } from '../terser.config.mjs';

/** The module the loader hands every chunk: the loader's own `<script>` (src/loader/context.d.ts). */
export const CONTEXT = 'care-widgets:context';
const MANIFEST = 'care-widgets:manifest';
/** The name rollup calls in place of AMD's `define`: the loader's registry. */
export const DEFINE = '__careWidgetsDefine';

/** One entry per element (named by its tag: the loader looks them up so) and the core. */
export const chunkInputs = {
  core: 'src/bundle.ts',
  'care-follow-button': 'src/components/follow-button/define.ts',
  'care-journal-feed': 'src/components/journal-feed/define.ts',
  'care-message-wall': 'src/components/message-wall/define.ts',
  'care-page-settings': 'src/components/page-settings/define.ts',
  'care-help-planner': 'src/components/help-planner/define.ts',
};

/**
 * Which chunk a module goes to. The core holds what every widget runs (lit, socket.io-client,
 * the client, the base element, the strings); `content` what only the widgets showing user
 * text run (the Markdown scanner and DOMPurify). The rest (each element's own code) stays in
 * its element's chunk.
 */
function manualChunks(id) {
  const path = id.replaceAll('\\', '/');
  if (/\/node_modules\/dompurify\/|\/src\/markdown\//.test(path)) return 'content';
  if (path.includes('/node_modules/') || /\/src\/(?!components\/(?:follow-button|journal-feed|message-wall|page-settings|help-planner)\/)/.test(path)) return 'core';
  return undefined;
}

/** Output options of the chunk pass. */
export function chunkOutput(extra) {
  return {
    dir: 'dist',
    format: 'amd',
    // Named modules: `__careWidgetsDefine('chunks/core-<hash>', ['exports', './content-<hash>'], …)`.
    amd: { define: DEFINE, autoId: true },
    entryFileNames: 'chunks/[name]-[hash].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    manualChunks,
    esModule: false,
    freeze: false,
    sourcemap: false,
    ...extra,
  };
}

/**
 * Terser renames the widgets' internal members (terser.config.mjs) one chunk at a time; a
 * fixed name for each, the same in every chunk, keeps a member that one chunk defines and
 * another uses one member. `$` and a base-36 number: no library or DOM property is named so.
 */
export function internalNameCache() {
  return { props: { props: Object.fromEntries(internalNames.map((n, i) => [`$${n}`, `$${i.toString(36)}`])) } };
}

let written = null;

/** Records every chunk's SRI hash and imports once it is on disk (the bytes the browser checks). */
export const chunkManifest = () => ({
  name: 'chunk-manifest',
  writeBundle(options, bundle) {
    const chunks = Object.values(bundle).filter((c) => c.type === 'chunk');
    const id = (fileName) => fileName.replace(/\.js$/, '');
    written = {
      chunks: chunks.map((c) => ({
        id: id(c.fileName),
        sri: `sha384-${createHash('sha384').update(readFileSync(`${options.dir}/${c.fileName}`)).digest('base64')}`,
        imports: c.imports.map(id),
        entry: c.isEntry ? c.name : null,
      })),
    };
  },
});

/**
 * `care-widgets:manifest` for the loader: `chunks` as `[id, sri, [indexes of its imports]]`,
 * `core` the core's index, `tags` each element's entry chunk by index.
 */
export const manifestModule = () => ({
  name: 'manifest-module',
  resolveId: (source) => (source === MANIFEST ? source : null),
  load(id) {
    if (id !== MANIFEST) return null;
    if (!written) this.error('the chunk pass did not run before the loader pass');
    const { chunks } = written;
    const index = new Map(chunks.map((c, i) => [c.id, i]));
    // Imports of chunks only: `care-widgets:context` is the loader's own.
    const rows = chunks.map((c) => [c.id, c.sri, c.imports.filter((i) => index.has(i)).map((i) => index.get(i))]);
    const tags = Object.fromEntries(chunks.filter((c) => c.entry && c.entry !== 'core').map((c) => [c.entry, index.get(c.id)]));
    const core = chunks.findIndex((c) => c.entry === 'core');
    return `export const chunks = ${JSON.stringify(rows)};\nexport const core = ${core};\nexport const tags = ${JSON.stringify(tags)};\nexport const define = ${JSON.stringify(DEFINE)};\n`;
  },
});
