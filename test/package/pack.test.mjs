/**
 * The npm package as a consumer gets it: `npm pack`, install the tarball in a scratch project,
 * import each entry on Node (no DOM), type-check consumer files against the shipped .d.ts (bare
 * tags in TSX, `moduleResolution: node`), and bundle them. Needs the build (npm test runs it
 * first). frameworks.test.mjs builds real Next.js and SvelteKit apps from the same tarball.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pack, root, run, tsc } from './helpers.mjs';

describe('the npm package', () => {
  let dir;
  let tarball;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'care-pack-'));
    tarball = pack(dir);
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // The dependencies come from the npm cache the project's own install filled. React is an
    // optional peer: a React app brings its own, as this one does (the versions we test with).
    const devPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies;
    const react = ['react', 'react-dom', '@types/react', '@types/react-dom'].map((name) => `${name}@${devPkg[name]}`);
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball, ...react], app);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('ships only what users need', () => {
    const list = JSON.parse(run('npm', ['pack', '--dry-run', '--json'], root))[0].files.map((f) => f.path);
    for (const must of ['lib/index.js', 'lib/index.d.ts', 'lib/journal-feed.js', 'lib/client.js', 'lib/protocol.js', 'lib/react.js', 'lib/react/index.d.ts', 'lib/jsx.d.ts', 'lib/vue.d.ts', 'lib/svelte.d.ts', 'dist/care-widgets.js', 'dist/care-push-sw.js', 'dist/locales/fr.json', 'custom-elements.json', 'conformance/cli.mjs', 'README.md', 'package.json']) {
      assert.ok(list.includes(must), `${must} is in the package`);
    }
    assert.ok(!list.some((p) => p.startsWith('server/') || p.startsWith('test/') || p.startsWith('src/') || p.startsWith('bench/')), 'no server, tests, sources or benchmarks');
    // The build's precompressed bundles are for the server that serves dist/ (86 KB the
    // package would carry for no importer); the script and its .sri hash ship.
    assert.ok(list.includes('dist/care-widgets.js.sri') && !list.some((p) => /^dist\/.*\.(br|gz)$/.test(p)), 'dist/ without .br and .gz');
    // The loader's chunks (issue 12) ship beside it: a CDN serving the package's dist/ needs them.
    for (const name of ['core', 'content', 'care-follow-button', 'care-journal-feed', 'care-message-wall']) {
      assert.ok(list.some((p) => new RegExp(`^dist/chunks/${name}-[\\w-]{8}\\.js$`).test(p)), `dist/chunks/${name}-<hash>.js is in the package`);
    }
  });

  it('resolves every entry of the exports map to a file with types', () => {
    const pkg = JSON.parse(readFileSync(join(dir, 'app/node_modules/care-widgets/package.json'), 'utf8'));
    for (const [entry, target] of Object.entries(pkg.exports)) {
      const targets = typeof target === 'string' ? [target] : Object.values(target);
      for (const t of targets) assert.ok(existsSync(join(dir, 'app/node_modules/care-widgets', t)), `${entry} → ${t}`);
    }
  });

  it('imports the protocol entry in Node', () => {
    const out = run(process.execPath, ['--input-type=module', '-e', "import { PROTOCOL_VERSION, LIMITS } from 'care-widgets/protocol'; console.log(PROTOCOL_VERSION, LIMITS.wallBodyMax)"], join(dir, 'app'));
    assert.equal(out.trim(), '1 2000');
  });

  it('imports every entry point on Node without a DOM, each first in a fresh process (what Next.js, Nuxt, SvelteKit and Astro do while rendering)', () => {
    const pkg = JSON.parse(readFileSync(join(dir, 'app/node_modules/care-widgets/package.json'), 'utf8'));
    // The script-tag bundle and the push service worker are classic browser scripts, not
    // modules (the worker is copied to the hospital's site, never imported); the JSON files are data.
    const entries = Object.keys(pkg.exports)
      .filter((e) => !e.startsWith('./dist/') && !e.endsWith('.json') && e !== './care-push-sw.js')
      .map((e) => e.replace(/^\./, 'care-widgets'));
    for (const must of ['care-widgets', 'care-widgets/journal-feed.js', 'care-widgets/message-wall.js', 'care-widgets/follow-button.js', 'care-widgets/care-page.js', 'care-widgets/page-settings.js', 'care-widgets/help-planner.js', 'care-widgets/client', 'care-widgets/protocol', 'care-widgets/react']) {
      assert.ok(entries.includes(must), `${must} is an entry`);
    }
    for (const entry of entries) {
      // Also: the import leaves no DOM behind for the host app's own server code to trip on.
      const script = `const m = await import(${JSON.stringify(entry)}); console.log(Object.keys(m).length, typeof document, typeof window, typeof HTMLElement);`;
      let out;
      try {
        out = run(process.execPath, ['--input-type=module', '-e', script], join(dir, 'app'));
      } catch (err) {
        assert.fail(`import '${entry}' on Node threw:\n${err.stderr}`);
      }
      assert.match(out.trim(), /^\d+ undefined undefined undefined$/, `${entry}: ${out}`);
    }
  });

  it('type-checks a consumer against the shipped declarations, and bundles it with rollup', () => {
    const app = join(dir, 'app');
    writeFileSync(
      join(app, 'consumer.ts'),
      `import 'care-widgets/journal-feed.js';
import { CareMessageWall } from 'care-widgets/message-wall.js';
import 'care-widgets/follow-button.js';
import 'care-widgets/care-page.js';
import { configure, type PageState } from 'care-widgets/client';
import { PROTOCOL_VERSION, type ClientToServerEvents, type WallMessage } from 'care-widgets/protocol';
import { CareJournalFeed, VERSION } from 'care-widgets';

configure({ host: 'https://care.example.org', tokenUrl: '/care/token' });
const feed: CareJournalFeed = document.createElement('care-journal-feed');
feed.page = 'jane-doe';
feed.theme = 'dark';
feed.addEventListener('care-posted', (e) => {
  const kind: 'journal' | 'wall' | 'comment' | 'task' | 'signup' = e.detail.kind;
  console.log(kind, e.detail.item.id);
});
document.addEventListener('care-connection-change', (e) => console.log(e.detail.state));
const wall = document.querySelector('care-message-wall');
if (wall instanceof CareMessageWall) wall.lang = 'es';
const ev: keyof ClientToServerEvents = 'wall:post';
const status: PageState['status'] = 'ready';
const m: Pick<WallMessage, 'hearts'> = { hearts: 1 };
document.body.append(feed);
console.log(VERSION, PROTOCOL_VERSION, ev, status, m);
`,
    );
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, lib: ['ES2022', 'DOM', 'DOM.Iterable'], skipLibCheck: false, types: [] }, files: ['consumer.ts'] }));
    run(process.execPath, [tsc, '-p', 'tsconfig.json'], app);

    // Bundle the shipped ESM (the consumer, compiled by tsc to JS first) as an app would.
    writeFileSync(join(app, 'tsconfig.emit.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: false, outDir: 'out' } }));
    run(process.execPath, [tsc, '-p', 'tsconfig.emit.json'], app);
    writeFileSync(
      join(app, 'rollup.config.mjs'),
      `import nodeResolve from '${join(root, 'node_modules/@rollup/plugin-node-resolve/dist/es/index.js')}';
export default { input: 'out/consumer.js', output: { dir: 'bundle', format: 'es' }, plugins: [nodeResolve({ browser: true, exportConditions: ['browser', 'production'] })] };`,
    );
    run(process.execPath, [join(root, 'node_modules/rollup/dist/bin/rollup'), '-c', '--silent'], app);
    const bundle = readFileSync(join(app, 'bundle/consumer.js'), 'utf8');
    for (const tag of ['care-journal-feed', 'care-message-wall', 'care-follow-button', 'care-page']) assert.ok(bundle.includes(`'${tag}'`) || bundle.includes(`"${tag}"`), `${tag} is defined in the app bundle`);
    // Languages other than English are split out (dynamic import()), one chunk each, fetched on use.
    assert.ok(bundle.includes('Care journal') && !bundle.includes('Journal de soins'), 'English in the app bundle, French not');
    const chunks = readdirSync(join(app, 'bundle')).filter((f) => f !== 'consumer.js');
    for (const lang of ['es', 'fr', 'de', 'pt', 'zh', 'ar', 'vi']) assert.ok(chunks.some((f) => f.startsWith(`${lang}-`)), `a ${lang} chunk in ${chunks.join(', ')}`);
  });

  it('type-checks a React app against care-widgets/react (typed props and onCare… callbacks), and bundles it with one React', async () => {
    const app = join(dir, 'app');
    writeFileSync(
      join(app, 'app.tsx'),
      `import { createRoot } from 'react-dom/client';
import { CareFollowButton, CareJournalFeed, CareMessageWall, CarePage } from 'care-widgets/react';
import type { CareErrorDetail } from 'care-widgets';

function App() {
  return (
    <CarePage page="jane-doe" host="https://care.example.org" tokenUrl="/care/token">
      <CareJournalFeed theme="dark" onCarePosted={(e) => console.log(e.detail.kind, e.detail.item.id)} />
      <CareMessageWall lang="es" onCareError={(e) => { const err: CareErrorDetail = e.detail; console.log(err.code); }} />
      <CareFollowButton onCareFollowChange={(e) => console.log(e.detail.state, e.detail.followerCount)} />
    </CarePage>
  );
}
// @ts-expect-error: theme is 'light' | 'dark' | 'auto'
const wrongTheme = <CareJournalFeed theme="purple" />;
// @ts-expect-error: the follow button fires no care-posted
const wrongEvent = <CareFollowButton onCarePosted={() => {}} />;
// @ts-expect-error: a posted item is a journal entry or a wall message, never a number
const wrongDetail = <CareJournalFeed onCarePosted={(e) => { const n: number = e.detail.item; console.log(n); }} />;
console.log(wrongTheme, wrongEvent, wrongDetail);
createRoot(document.getElementById('root')!).render(<App />);
`,
    );
    writeFileSync(join(app, 'tsconfig.react.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { jsx: 'react-jsx' }, files: ['app.tsx'] }));
    run(process.execPath, [tsc, '-p', 'tsconfig.react.json'], app);

    // React ships CommonJS only; an app bundler (esbuild here) resolves it and our ESM together.
    const { build } = await import(join(root, 'node_modules/esbuild/lib/main.js'));
    const out = await build({ entryPoints: [join(app, 'app.tsx')], absWorkingDir: app, bundle: true, format: 'esm', platform: 'browser', jsx: 'automatic', write: false, logLevel: 'silent', define: { 'process.env.NODE_ENV': '"production"' } });
    const code = out.outputFiles[0].text;
    for (const tag of ['care-journal-feed', 'care-message-wall', 'care-follow-button', 'care-page']) assert.ok(code.includes(`"${tag}"`), `${tag} is in the React app bundle`);
    // esbuild names each CommonJS module it wraps: React's must be wrapped once, from the app's copy.
    assert.deepEqual(code.match(/"[^"]*react\/cjs\/react\.production\.js"\(/g), ['"node_modules/react/cjs/react.production.js"('], 'exactly one copy of React, the app\'s');
  });

  it('type-checks bare tags in TSX with care-widgets/jsx: attributes with their types, typed oncare-… listeners', () => {
    const app = join(dir, 'app');
    writeFileSync(
      join(app, 'bare-tags.tsx'),
      `import type {} from 'care-widgets/jsx';
import type { CarePostedEvent } from 'care-widgets';

export const page = (
  <care-page page="jane-doe" token-url="/care/token" loading="lazy">
    <care-journal-feed page="x" theme="dark" oncare-posted={(e: CarePostedEvent) => console.log(e.detail.item.id)} />
    <care-message-wall lang="es" className="wall" oncare-error={(e) => console.log(e.detail.code)} />
    <care-follow-button sign-in-url="/login" oncare-follow-change={(e) => console.log(e.detail.followerCount)} />
  </care-page>
);
// @ts-expect-error: theme is 'light' | 'dark' | 'auto'
export const wrongTheme = <care-journal-feed page="x" theme="purple" />;
// @ts-expect-error: no such attribute
export const unknownAttribute = <care-journal-feed page="x" pgae="y" />;
// @ts-expect-error: loading is 'eager' | 'lazy'
export const wrongLoading = <care-message-wall loading="later" />;
// @ts-expect-error: a follow change has no item
export const wrongDetail = <care-follow-button oncare-follow-change={(e) => console.log(e.detail.item)} />;
`,
    );
    writeFileSync(join(app, 'tsconfig.jsx.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { jsx: 'react-jsx' }, files: ['bare-tags.tsx'] }));
    run(process.execPath, [tsc, '-p', 'tsconfig.jsx.json'], app);
  });

  it('resolves every subpath with moduleResolution node (node10, typesVersions)', () => {
    const app = join(dir, 'app');
    writeFileSync(
      join(app, 'node10.ts'),
      `import { CareJournalFeed } from 'care-widgets/react';
import { configure, type PageState } from 'care-widgets/client';
import { PROTOCOL_VERSION, type WallMessage } from 'care-widgets/protocol';
import { CareMessageWall } from 'care-widgets/message-wall.js';
import 'care-widgets/journal-feed.js';
import 'care-widgets/follow-button.js';
import { CarePage } from 'care-widgets/care-page.js';
import type {} from 'care-widgets/jsx';
import { VERSION, type Theme } from 'care-widgets';

configure({ host: 'https://care.example.org' });
const status: PageState['status'] = 'ready';
const theme: Theme = 'dark';
const m: Pick<WallMessage, 'hearts'> = { hearts: 1 };
console.log(CareJournalFeed.displayName, CareMessageWall.name, CarePage.name, PROTOCOL_VERSION, VERSION, status, theme, m);
`,
    );
    writeFileSync(
      join(app, 'tsconfig.node10.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'CommonJS', moduleResolution: 'node', esModuleInterop: true, strict: true, noEmit: true, skipLibCheck: false, lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [] }, files: ['node10.ts'] }),
    );
    run(process.execPath, [tsc, '-p', 'tsconfig.node10.json'], app);
  });
});
