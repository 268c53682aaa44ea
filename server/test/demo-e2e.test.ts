/// <reference lib="dom" />
/**
 * The demo site in real headless Chromium, served by the real server under its strict
 * Content-Security-Policy: the widgets work with no CSP violation, and every request the page
 * makes (HTTP and WebSocket) goes to the configured backend (the page's own origin here) and
 * nowhere else: no fonts, images, analytics or CDNs.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { createCareServer, type CareServer } from '../src/app.js';
import { configFromEnv } from '../src/config.js';
import { DEMO_CSP } from '../src/demo/csp.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';

interface Recorded {
  requests: string[];
  sockets: string[];
  problems: string[];
}

async function open(browser: Browser, url: string): Promise<{ page: Page; rec: Recorded }> {
  const page = await browser.newPage();
  const rec: Recorded = { requests: [], sockets: [], problems: [] };
  page.on('request', (r) => rec.requests.push(r.url()));
  page.on('response', (r) => {
    if (r.status() >= 400) rec.problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  page.on('console', (m) => {
    // Failed loads are reported with their URL by the response handler.
    if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) rec.problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => rec.problems.push(`pageerror: ${String(e)}`));
  const cdp = await page.createCDPSession();
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketCreated', (e) => rec.sockets.push(e.url));
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, rec };
}

/** Text inside a widget's shadow root. */
const shadowText = (page: Page, tag: string) => page.evaluate((t) => document.querySelector(t)?.shadowRoot?.textContent ?? '', tag);

describe('demo site under a strict CSP, in Chromium', { skip: existsSync(CHROME) ? false : `no Chromium at ${CHROME}` }, () => {
  let server: CareServer;
  let url: string;
  let browser: Browser;

  before(async () => {
    assert.ok(existsSync(`${root}dist/care-widgets.js`), 'run the build first (npm test does)');
    const config = configFromEnv({ CARE_DB: 'sqlite::memory:', CARE_DEMO: '1' }, { distDir: `${root}dist`, demoDir: `${root}demo` });
    server = await createCareServer(config);
    url = await server.listen(0, '127.0.0.1');
    browser = await puppeteer.launch({
      executablePath: CHROME,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the demo with the strict policy', async () => {
    const res = await fetch(`${url}/demo/`);
    assert.equal(res.headers.get('content-security-policy'), DEMO_CSP);
    assert.match(DEMO_CSP, /script-src 'self'(;|$)/);
    assert.match(DEMO_CSP, /require-trusted-types-for 'script'/);
    assert.match(DEMO_CSP, /trusted-types lit-html care-widgets(;|$)/);
    assert.doesNotMatch(DEMO_CSP, /unsafe-inline|unsafe-eval/);
  });

  it('serves the API reference at /docs/ with every element, attribute, event, property and part', async () => {
    const res = await fetch(`${url}/docs/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-security-policy'), DEMO_CSP);
    const html = await res.text();
    const { readFileSync } = await import('node:fs');
    const manifest = JSON.parse(readFileSync(`${root}custom-elements.json`, 'utf8')) as { modules: { declarations?: { tagName?: string; attributes?: { name: string }[]; events?: { name: string }[]; cssParts?: { name: string }[]; cssProperties?: { name: string }[] }[] }[] };
    const decls = manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.tagName);
    assert.equal(decls.length, 6);
    for (const d of decls) {
      assert.ok(html.includes(`id="${d.tagName}"`), d.tagName);
      for (const x of [...(d.attributes ?? []), ...(d.events ?? []), ...(d.cssParts ?? []), ...(d.cssProperties ?? [])]) assert.ok(html.includes(`<code>${x.name}</code>`), `${d.tagName}: ${x.name}`);
    }
  });

  it('serves the bundle to any site, with the integrity hash the build recorded', async () => {
    const res = await fetch(`${url}/dist/care-widgets.js`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    const body = Buffer.from(await res.arrayBuffer());
    const { createHash } = await import('node:crypto');
    const { readFileSync } = await import('node:fs');
    const sri = readFileSync(`${root}dist/care-widgets.js.sri`, 'utf8').trim();
    assert.equal(`sha384-${createHash('sha384').update(body).digest('base64')}`, sri);
  });

  it('renders live widgets with no CSP violation and talks only to its own backend', async () => {
    const { page, rec } = await open(browser, `${url}/demo/?as=jane`);
    await page.waitForFunction(() => (document.querySelector('care-journal-feed')?.shadowRoot?.textContent ?? '').includes('First steps'), { timeout: 15000 });
    await page.waitForFunction(() => (document.querySelector('care-message-wall')?.shadowRoot?.textContent ?? '').includes('Thinking of you'), { timeout: 15000 });
    // The planner's seeded week, with the details Jane (family) reads.
    await page.waitForFunction(() => /Dinner for Jane.s family[\s\S]*No nuts, please/.test(document.querySelector('care-help-planner')?.shadowRoot?.textContent ?? ''), { timeout: 15000 });

    // Post through the composer, so Markdown rendering and DOMPurify run under Trusted Types.
    await page.evaluate(() => {
      const root = document.querySelector('care-journal-feed')!.shadowRoot!;
      root.querySelector<HTMLInputElement>('input[name=title]')!.value = 'Under CSP';
      root.querySelector<HTMLTextAreaElement>('textarea[name=body]')!.value = 'A **bold** line and a [link](https://example.org).';
      root.querySelector<HTMLFormElement>('form[part=composer]')!.requestSubmit();
    });
    await page.waitForFunction(() => !!document.querySelector('care-journal-feed')?.shadowRoot?.querySelector('[role=feed] strong'), { timeout: 15000 });
    assert.ok((await shadowText(page, 'care-journal-feed')).includes('Under CSP'));

    // The loader (issue 12) defined every element, inserting each chunk once, with its hash.
    const loaded = await page.evaluate(() => ({
      defined: ['care-page', 'care-follow-button', 'care-journal-feed', 'care-message-wall', 'care-page-settings', 'care-help-planner'].filter((t) => customElements.get(t)),
      scripts: Array.from(document.querySelectorAll<HTMLScriptElement>('script[src*="/dist/chunks/"]')).map((s) => ({ src: s.src, integrity: s.integrity })),
    }));
    assert.equal(loaded.defined.length, 6, `defined: ${loaded.defined.join(', ')}`);
    // The demo shows Jane's settings panel (issue 13) and the planner (issue 16), each its own chunk.
    assert.deepEqual(loaded.scripts.map((s) => /\/chunks\/(.+)-[\w-]{8}\.js$/.exec(s.src)?.[1]).sort(), ['care-follow-button', 'care-help-planner', 'care-journal-feed', 'care-message-wall', 'care-page-settings', 'content', 'core']);
    for (const s of loaded.scripts) assert.match(s.integrity, /^sha384-[\w+/]{64}$/, s.src);
    const chunkRequests = rec.requests.filter((r) => r.includes('/dist/chunks/'));
    assert.deepEqual(chunkRequests.sort(), loaded.scripts.map((s) => s.src).sort(), 'each chunk requested once');

    const origin = new URL(url).origin;
    const foreign = rec.requests.filter((r) => new URL(r).origin !== origin);
    assert.deepEqual(foreign, [], 'every HTTP request goes to the backend');
    assert.ok(rec.sockets.length > 0, 'the widgets use a WebSocket');
    for (const s of rec.sockets) assert.equal(new URL(s).host, new URL(url).host, `WebSocket ${s}`);
    assert.deepEqual(rec.problems, []);
    await page.close();
  });

  it('holds its layout while the widgets load: cumulative layout shift under 0.05 at 375×812 (SPEC 7)', async () => {
    // A layout metric, not a timing: every shift from navigation to first content, summed.
    const page = await browser.newPage();
    await page.setViewport({ width: 375, height: 812 });
    await page.evaluateOnNewDocument(() => {
      const w = window as unknown as { cls: number };
      w.cls = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as unknown as { value: number }[]) w.cls += e.value;
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.goto(`${url}/demo/`);
    await page.waitForFunction(() => (document.querySelector('care-journal-feed')?.shadowRoot?.textContent ?? '').includes('First steps'), { timeout: 15000 });
    await page.waitForFunction(() => (document.querySelector('care-message-wall')?.shadowRoot?.textContent ?? '').includes('Thinking of you'), { timeout: 15000 });
    await page.waitForFunction(() => /follower/.test(document.querySelector('care-follow-button')?.shadowRoot?.textContent ?? ''), { timeout: 15000 });
    await page.waitForFunction(() => (document.querySelector('care-help-planner')?.shadowRoot?.textContent ?? '').includes('Dinner for Jane'), { timeout: 15000 });
    // Two frames, so a shift caused by the last render has been reported.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const cls = await page.evaluate(() => (window as unknown as { cls: number }).cls);
    assert.ok(cls < 0.05, `cumulative layout shift ${cls.toFixed(4)}`);
    await page.close();
  });

  it('opens signed out, as anyone on the web sees it, and its "Sign in" links sign in a visitor', async () => {
    const { page, rec } = await open(browser, `${url}/demo/`);
    await page.waitForFunction(() => (document.querySelector('care-journal-feed')?.shadowRoot?.textContent ?? '').includes('First steps'), { timeout: 15000 });
    const signedOut = await page.evaluate(() => ({
      viewingAs: document.querySelector<HTMLSelectElement>('#who')!.selectedOptions[0]?.textContent,
      account: document.querySelector('#account')!.textContent,
      composer: !!document.querySelector('care-journal-feed')!.shadowRoot!.querySelector('form[part=composer]'),
    }));
    assert.match(signedOut.viewingAs ?? '', /^Signed out/);
    assert.equal(signedOut.account, 'Sign in');
    assert.equal(signedOut.composer, false, 'a visitor gets no journal composer');
    // The planner's week is there for anyone; its details are not.
    await page.waitForFunction(() => (document.querySelector('care-help-planner')?.shadowRoot?.textContent ?? '').includes('Dinner for Jane'), { timeout: 15000 });
    assert.doesNotMatch(await shadowText(page, 'care-help-planner'), /No nuts|Maple Court/);
    await page.waitForFunction(() => !!document.querySelector('care-follow-button')?.shadowRoot?.querySelector('a[part~=sign-in]'), { timeout: 15000 });
    const link = await page.evaluate(() => document.querySelector('care-follow-button')!.shadowRoot!.querySelector<HTMLAnchorElement>('a[part~=sign-in]')!.href);
    assert.equal(link, `${url}/demo/?as=visitor`);

    await Promise.all([page.waitForNavigation(), page.evaluate(() => document.querySelector('care-follow-button')!.shadowRoot!.querySelector<HTMLAnchorElement>('a[part~=sign-in]')!.click())]);
    await page.waitForFunction(() => (document.querySelector('care-follow-button')?.shadowRoot?.querySelector('button[part~=button]')?.textContent ?? '').includes('Follow'), { timeout: 15000 });
    const signedIn = await page.evaluate(() => ({
      viewingAs: document.querySelector<HTMLSelectElement>('#who')!.value,
      account: document.querySelector('#account')!.textContent,
      signOut: document.querySelector<HTMLAnchorElement>('#account')!.href,
      nav: document.querySelector<HTMLAnchorElement>('nav a[href*="alex.html"]')!.href,
    }));
    assert.deepEqual(signedIn, { viewingAs: 'visitor', account: 'Sign out', signOut: `${url}/demo/`, nav: `${url}/demo/alex.html?as=visitor` });
    assert.deepEqual(rec.problems, []);
    await page.close();
  });

  it('lets Jane run her page from <care-page-settings> alone: private, an invitation link, a visitor let in by it', async () => {
    const jane = await open(browser, `${url}/demo/?as=jane`);
    const inPanel = (selector: string) => jane.page.waitForFunction((s) => !!document.querySelector('care-page-settings')?.shadowRoot?.querySelector(s), { timeout: 15000 }, selector);
    const click = (selector: string) => jane.page.evaluate((s) => document.querySelector('care-page-settings')!.shadowRoot!.querySelector<HTMLElement>(s)!.click(), selector);
    await inPanel('#vis-private');
    // Private: narrowing needs no confirmation.
    await click('#vis-private');
    await inPanel('button.save');
    await click('button.save');
    const stranger = await open(browser, `${url}/demo/`);
    await stranger.page.waitForFunction(() => (document.querySelector('care-journal-feed')?.shadowRoot?.textContent ?? '').includes('private'), { timeout: 15000 });
    assert.ok(!(await shadowText(stranger.page, 'care-journal-feed')).includes('First steps'));
    await stranger.page.close();

    // An invitation link, without the demo's "viewing as" in it.
    await jane.page.evaluate(() => document.querySelector('care-page-settings')!.shadowRoot!.querySelector<HTMLFormElement>('form[part=invite-form]')!.requestSubmit());
    await inPanel('input[part=invite-link]');
    const link = await jane.page.evaluate(() => document.querySelector('care-page-settings')!.shadowRoot!.querySelector<HTMLInputElement>('input[part=invite-link]')!.value);
    assert.ok(new URL(link).searchParams.has('care-invite'));
    assert.ok(!new URL(link).searchParams.has('as'), 'the link does not sign anyone in as Jane');

    // Opened signed out: asked to sign in; the demo's "Sign in" keeps the code and lets them in.
    const guest = await open(browser, link);
    await guest.page.waitForFunction(() => Array.from(document.querySelectorAll('care-follow-button, care-journal-feed')).some((el) => (el.shadowRoot?.textContent ?? '').includes('Sign in to accept')), { timeout: 15000 });
    await Promise.all([guest.page.waitForNavigation(), guest.page.evaluate(() => document.querySelector<HTMLAnchorElement>('#account')!.click())]);
    await guest.page.waitForFunction(() => (document.querySelector('care-journal-feed')?.shadowRoot?.textContent ?? '').includes('First steps'), { timeout: 15000 });
    await guest.page.waitForFunction(() => !location.search.includes('care-invite'), { timeout: 15000 });
    assert.equal(new URL(guest.page.url()).searchParams.get('as'), 'visitor');

    // Jane's panel hears of her new follower (settings:changed) and reads its lists again:
    // wait for that first, so the re-render cannot land between the clicks below.
    await jane.page.waitForFunction(() => (document.querySelector('care-page-settings')?.shadowRoot?.textContent ?? '').includes('Val Visitor'), { timeout: 15000 });
    // Public again, for the tests after this one: widening asks first.
    await click('#vis-public');
    await inPanel('button.save');
    await click('button.save');
    await inPanel('button.confirm-yes');
    await click('button.confirm-yes');
    await jane.page.waitForFunction(() => !document.querySelector('care-page-settings')?.shadowRoot?.querySelector('button.save, button.confirm-yes'), { timeout: 15000 });
    assert.deepEqual(jane.rec.problems, []);
    assert.deepEqual(guest.rec.problems, []);
    await guest.page.close();
    await jane.page.close();
  });

  it('keeps a private page closed to a signed-in stranger, still without violations', async () => {
    const { page, rec } = await open(browser, `${url}/demo/alex.html?as=visitor`);
    await page.waitForFunction(() => (document.querySelector('care-journal-feed')?.shadowRoot?.textContent ?? '').includes('private'), { timeout: 15000 });
    assert.ok(!(await shadowText(page, 'care-journal-feed')).includes('Starting treatment'));
    await page.waitForFunction(() => (document.querySelector('care-follow-button')?.shadowRoot?.textContent ?? '').includes('Request access'), { timeout: 15000 });
    assert.deepEqual(rec.problems, []);
    await page.close();
  });
});
