import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import minifyHTML from '@lit-labs/rollup-plugin-minify-html-literals';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { internalNames, terserOptions } from './terser.config.mjs';

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
 * widgets' own code: in the client, the protocol, the events or a dependency, renaming it
 * would break a caller the bundle cannot see.
 */
const checkInternalNames = () => ({
  name: 'check-internal-names',
  generateBundle(_options, bundle) {
    for (const chunk of Object.values(bundle)) {
      for (const [id, module] of Object.entries(chunk.modules ?? {})) {
        if (/\/src\/(components|i18n)\//.test(id) && !id.includes('node_modules')) continue;
        for (const name of internalNames) {
          if (new RegExp(`\\b${name}\\b`).test(module.code ?? '')) this.error(`"${name}" is renamed in the bundle but occurs in ${id}`);
        }
      }
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
      client: 'src/client/index.ts',
      protocol: 'src/protocol/index.ts',
      react: 'src/react/index.ts',
    },
    external,
    output: { dir: 'lib', format: 'es', preserveModules: true, preserveModulesRoot: 'src', sourcemap: false },
    plugins: [typescript({ tsconfig: './tsconfig.build.json', outputToFilesystem: true })],
  },
  // (b) The script-tag bundle: one self-contained minified classic script.
  {
    input: 'src/bundle.ts',
    output: { file: 'dist/care-widgets.js', format: 'iife', name: 'CareWidgetsBundle', sourcemap: false },
    plugins: [
      nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }),
      typescript({ tsconfig: './tsconfig.json', compilerOptions: { noEmit: false, declaration: false }, outputToFilesystem: false }),
      // Whitespace in html`` and css`` templates is bytes every visitor downloads.
      minifyHTML(),
      terser(terserOptions),
      checkInternalNames(),
      sri(),
    ],
  },
];
