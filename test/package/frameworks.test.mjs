/**
 * The packed package in real framework apps (SPEC section 7): a Next.js App Router app and a
 * SvelteKit 2 app, both rendering on the server, are built from the tarball and opened in
 * headless Chromium against the reference server (demo data); Vue and Svelte consumers are
 * type-checked with vue-tsc and svelte-check. The apps are test/apps/*; their dependencies are
 * installed from the npm registry into scratch directories, at the exact versions below, never
 * into the repository. Needs the build (npm test runs it first).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pack, root, runAsync, seconds } from './helpers.mjs';

const devDependencies = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies;

/**
 * Exact versions, so a framework release cannot change the result: the newest Next.js 16 and
 * SvelteKit 2 (with Svelte 5 and Vite 7, which SvelteKit 2 apps use today) that run on our
 * Node 20; React and TypeScript as the repository tests with.
 */
const apps = {
  next: { next: '16.4.6', react: devDependencies.react, 'react-dom': devDependencies['react-dom'] },
  sveltekit: {
    '@sveltejs/kit': '2.70.4',
    '@sveltejs/adapter-node': '5.5.7',
    '@sveltejs/vite-plugin-svelte': '6.2.3',
    svelte: '5.57.3',
    vite: '7.3.8',
    'svelte-check': '4.7.8',
    typescript: devDependencies.typescript,
  },
  vue: { vue: '3.5.45', 'vue-tsc': '3.3.14', typescript: devDependencies.typescript },
};

/** What a demo page shows (server/src/demo/seed.ts). */
const JOURNAL_TITLE = 'Surgery went well';
const WALL_TEXT = 'Thinking of you, Jane!';

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

/** Starts a long-running child in its own process group (ended with the group: a framework server may fork). */
function start(cmd, args, cwd, env) {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return {
    child,
    output: () => out,
    stop: () => {
      if (child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    },
  };
}

/** The page's HTML as the server sends it, once the server answers. */
async function serverHtml(url, proc) {
  for (let i = 0; i < 300; i++) {
    if (proc.child.exitCode !== null) throw new Error(`the app server exited:\n${proc.output()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return await res.text();
      if (res.status >= 500) throw Object.assign(new Error(`${url}: ${res.status}\n${proc.output()}`), { final: true });
    } catch (err) {
      if (err.final) throw err; // else not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer:\n${proc.output()}`);
}

describe('framework apps built from the packed package', () => {
  let dir;
  let care; // the reference server
  let careUrl;
  let browser;
  let installs;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'care-frameworks-'));
    const tarball = pack(dir);
    care = start(process.execPath, ['--import', 'tsx', 'src/main.ts'], join(root, 'server'), { CARE_DEMO: '1', PORT: '0', HOST: '127.0.0.1', CARE_DB: 'sqlite::memory:', CARE_ALLOWED_ORIGINS: '' });
    // The three installs run side by side (they wait on the network, not the CPU).
    const started = performance.now();
    installs = Object.fromEntries(
      Object.entries(apps).map(([name, deps]) => {
        const app = join(dir, name);
        mkdirSync(app);
        if (existsSync(join(root, 'test/apps', name))) cpSync(join(root, 'test/apps', name), app, { recursive: true });
        writeFileSync(join(app, 'package.json'), JSON.stringify({ name: `${name}-consumer`, private: true, type: 'module' }));
        const args = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball, ...Object.entries(deps).map(([n, v]) => `${n}@${v}`)];
        return [name, runAsync('npm', args, app).then(() => seconds(started))];
      }),
    );
    for (let i = 0; !careUrl; i++) {
      careUrl = care.output().match(/care-widgets server on (http:\/\/\S+)/)?.[1];
      if (care.child.exitCode !== null || i > 600) throw new Error(`the reference server did not start:\n${care.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const { default: puppeteer } = await import(join(root, 'node_modules/puppeteer-core/lib/esm/puppeteer/puppeteer-core.js'));
    browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  });

  after(async () => {
    await browser?.close();
    care?.stop();
    // Settle every install before removing the directory they write to.
    await Promise.allSettled(Object.values(installs ?? {}));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Opens `url` in Chromium and waits until the widgets, upgraded from the server's HTML, show
   * the demo page through their shadow DOM: the journal's entry titles and the wall's messages.
   */
  async function rendered(url) {
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && /hydrat/i.test(m.text())) problems.push(m.text());
    });
    try {
      await page.goto(url);
      const shown = await page
        .waitForFunction(
          () => {
            const texts = (tag, part) => [...(document.querySelector(tag)?.shadowRoot?.querySelectorAll(`[part~="${part}"]`) ?? [])].map((e) => e.textContent ?? '');
            const titles = texts('care-journal-feed', 'entry-title');
            const messages = texts('care-message-wall', 'message');
            return titles.length > 0 && messages.length > 0 && { titles, messages, feedTheme: document.querySelector('care-journal-feed')?.getAttribute('theme') };
          },
          { timeout: 30_000 },
        )
        .then((h) => h.jsonValue());
      return { ...shown, problems };
    } finally {
      await page.close();
    }
  }

  it('Next.js 16 App Router (server rendering on): a Server Component renders care-widgets/react, a client component bare tags; the browser upgrades them', async (t) => {
    t.diagnostic(`install done after ${await installs.next}`);
    const app = join(dir, 'next');
    const built = performance.now();
    await runAsync(process.execPath, ['node_modules/next/dist/bin/next', 'build'], app, { NEXT_TELEMETRY_DISABLED: '1' });
    t.diagnostic(`next build ${seconds(built)}`);

    const port = await freePort();
    const server = start(process.execPath, ['node_modules/next/dist/bin/next', 'start', '-p', String(port), '-H', '127.0.0.1'], app, { NEXT_TELEMETRY_DISABLED: '1', CARE_HOST: careUrl });
    try {
      const html = await serverHtml(`http://127.0.0.1:${port}/`, server);
      // The React wrappers render their tags (@lit/react sets properties after hydration);
      // bare tags keep their attributes.
      assert.match(html, /<care-page[\s>]/);
      assert.match(html, /<care-journal-feed[\s>]/);
      assert.match(html, new RegExp(`<care-message-wall page="jane-doe" host="${careUrl}" theme="light">`));
      const shown = await rendered(`http://127.0.0.1:${port}/`);
      assert.ok(shown.titles.includes(JOURNAL_TITLE), `journal titles: ${shown.titles}`);
      assert.ok(shown.messages.some((m) => m.includes(WALL_TEXT)), `wall: ${shown.messages}`);
      assert.equal(shown.feedTheme, 'dark', "the wrapper's theme prop reached the element");
      assert.deepEqual(shown.problems, []);
    } finally {
      server.stop();
    }
  });

  it('SvelteKit 2 with Svelte 5 (adapter-node, one page prerendered): the server HTML holds the tags, the browser upgrades them', async (t) => {
    t.diagnostic(`install done after ${await installs.sveltekit}`);
    const app = join(dir, 'sveltekit');
    const built = performance.now();
    await runAsync(process.execPath, ['node_modules/vite/bin/vite.js', 'build'], app);
    t.diagnostic(`vite build ${seconds(built)}`);
    // Prerendering ran the page on Node at build time.
    assert.match(readFileSync(join(app, 'build/prerendered/prerendered.html'), 'utf8'), /<care-follow-button page="jane-doe">/);

    const port = await freePort();
    const server = start(process.execPath, ['build/index.js'], app, { PORT: String(port), HOST: '127.0.0.1', CARE_HOST: careUrl });
    try {
      const html = await serverHtml(`http://127.0.0.1:${port}/`, server);
      assert.match(html, new RegExp(`<care-page page="jane-doe" host="${careUrl}">`));
      assert.match(html, /<care-journal-feed theme="dark">/);
      const shown = await rendered(`http://127.0.0.1:${port}/`);
      assert.ok(shown.titles.includes(JOURNAL_TITLE), `journal titles: ${shown.titles}`);
      assert.ok(shown.messages.some((m) => m.includes(WALL_TEXT)), `wall: ${shown.messages}`);
      assert.deepEqual(shown.problems, []);
    } finally {
      server.stop();
    }
  });

  it('Vue: vue-tsc type-checks bare tags in a template with care-widgets/vue (attribute types, typed @care-… handlers, unknown attributes under strictTemplates)', async (t) => {
    t.diagnostic(`install done after ${await installs.vue}`);
    const app = join(dir, 'vue');
    writeFileSync(
      join(app, 'BareTags.vue'),
      `<script setup lang="ts">
import type {} from 'care-widgets/vue';
import type { CarePostedEvent } from 'care-widgets';
function posted(e: CarePostedEvent) {
  console.log(e.detail.item.id);
}
</script>

<template>
  <care-page page="jane-doe" token-url="/care/token">
    <care-journal-feed page="x" theme="dark" @care-posted="posted" />
    <care-message-wall lang="es" loading="lazy" @care-error="(e) => console.log(e.detail.code)" />
    <care-follow-button sign-in-url="/login" @care-follow-change="(e) => console.log(e.detail.followerCount)" />
    <!-- @vue-expect-error theme is 'light' | 'dark' | 'auto' -->
    <care-journal-feed page="x" theme="purple" />
    <!-- @vue-expect-error no such attribute -->
    <care-journal-feed page="x" pgae="y" />
    <!-- @vue-expect-error a follow change has no item -->
    <care-follow-button @care-follow-change="(e) => console.log(e.detail.item)" />
  </care-page>
</template>
`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, skipLibCheck: false, lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [] },
        vueCompilerOptions: { strictTemplates: true },
        include: ['*.vue'],
      }),
    );
    await runAsync(process.execPath, ['node_modules/vue-tsc/bin/vue-tsc.js', '-p', 'tsconfig.json'], app);
  });

  it('Svelte 5: svelte-check type-checks bare tags with care-widgets/svelte (attribute types, typed oncare-… handlers, unknown attributes)', async (t) => {
    t.diagnostic(`install done after ${await installs.sveltekit}`);
    const typed = join(dir, 'sveltekit/typed');
    mkdirSync(typed);
    writeFileSync(
      join(typed, 'BareTags.svelte'),
      `<script lang="ts">
  import type {} from 'care-widgets/svelte';
  import type { CarePostedEvent } from 'care-widgets';
  function posted(e: CarePostedEvent) {
    console.log(e.detail.item.id);
  }
</script>

<care-page page="jane-doe" token-url="/care/token">
  <care-journal-feed page="x" theme="dark" oncare-posted={posted}></care-journal-feed>
  <care-message-wall lang="es" loading="lazy" oncare-error={(e) => console.log(e.detail.code)}></care-message-wall>
  <care-follow-button sign-in-url="/login" oncare-follow-change={(e) => console.log(e.detail.followerCount)}></care-follow-button>
</care-page>
`,
    );
    // Svelte markup has no @ts-expect-error: these three lines must be the only errors.
    writeFileSync(
      join(typed, 'Wrong.svelte'),
      `<script lang="ts">
  import type {} from 'care-widgets/svelte';
</script>

<care-journal-feed page="x" theme="purple"></care-journal-feed>
<care-journal-feed page="x" pgae="y"></care-journal-feed>
<care-follow-button oncare-follow-change={(e) => console.log(e.detail.item)}></care-follow-button>
`,
    );
    writeFileSync(
      join(typed, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, skipLibCheck: false, verbatimModuleSyntax: true, lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [] }, include: ['*.svelte'] }),
    );
    const out = await runAsync(process.execPath, ['../node_modules/svelte-check/bin/svelte-check', '--tsconfig', './tsconfig.json', '--output', 'machine'], typed).catch((err) => err.message);
    const errors = [...out.matchAll(/ ERROR "([^"]+)" (\d+):\d+ "(.*)"$/gm)].map(([, file, line, message]) => `${file}:${line} ${message}`);
    assert.equal(errors.length, 3, out);
    assert.match(errors[0], /^Wrong\.svelte:5 .*purple.*Theme/);
    assert.match(errors[1], /^Wrong\.svelte:6 .*pgae/);
    assert.match(errors[2], /^Wrong\.svelte:7 .*'item' does not exist/);
  });
});
