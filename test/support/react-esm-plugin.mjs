/**
 * React 18/19 ship only CommonJS, which a browser cannot import. This Web Test Runner plugin
 * bundles React and ReactDOM into ONE ES module with esbuild (one copy of React, so react-dom
 * and our wrappers share its internals), and answers `import … from 'react'` (and the
 * react-dom entries) with thin facades that re-export that one copy's named exports.
 * What the tests run is React's real production build, as an app bundler would ship it.
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
const BUNDLE = '/__react-esm/bundle.js';
/** Bare specifier → [facade path, export name inside the bundle]. */
const FACADES = {
  react: ['/__react-esm/react.js', 'react'],
  'react-dom': ['/__react-esm/react-dom.js', 'reactDom'],
  'react-dom/client': ['/__react-esm/react-dom-client.js', 'reactDomClient'],
};

const identifier = /^[A-Za-z_$][\w$]*$/;

/**
 * The named exports of each CommonJS entry, read in a child Node process: loading React in
 * the test runner's own process would patch into its console.
 */
function exportNames() {
  const script = `console.log(JSON.stringify(Object.fromEntries(${JSON.stringify(Object.keys(FACADES))}.map((s) => [s, Object.keys(require(s))]))))`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } }));
}

function facade(keys, name) {
  keys = keys.filter((k) => identifier.test(k) && k !== 'default');
  return `import { ${name} as m } from '${BUNDLE}';
export default m;
${keys.map((k) => `export const ${k} = m.${k};`).join('\n')}
`;
}

export function reactEsmPlugin() {
  let bundle;
  let names;
  return {
    name: 'react-esm',
    resolveImport({ source }) {
      return FACADES[source]?.[0];
    },
    async serve(context) {
      if (context.path === BUNDLE) {
        bundle ??= build({
          stdin: {
            contents: Object.entries(FACADES).map(([spec, [, name]]) => `export * as ${name} from '${spec}';`).join('\n'),
            resolveDir: process.cwd(),
          },
          bundle: true,
          format: 'esm',
          write: false,
          define: { 'process.env.NODE_ENV': '"production"' },
          logLevel: 'silent',
        }).then((r) => r.outputFiles[0].text);
        return { body: await bundle, type: 'js' };
      }
      for (const [spec, [path, name]] of Object.entries(FACADES)) {
        if (context.path !== path) continue;
        names ??= exportNames();
        return { body: facade(names[spec], name), type: 'js' };
      }
      return undefined;
    },
  };
}
