/// <reference lib="dom" />
/**
 * Rendering in headless Chromium (issue 5, benchmark 5), with the built script-tag bundle
 * against the real server:
 *  a. time to first render of a 50-entry feed after the subscribe answer;
 *  b. time to apply 1,000 live events (store ordering + render);
 *  c. DOM nodes in the feed with 10,000 entries loaded.
 * Each against a baseline measured in the same page: plain DOM built from the same data with
 * no store, no Markdown, no sanitizing, no windowing.
 */
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { createCareServer } from '../server/src/app.js';
import { configFromEnv } from '../server/src/config.js';
import { median, type Result } from './server-bench.js';

const root = fileURLToPath(new URL('../', import.meta.url));

/** tsx (esbuild) wraps named functions in `__name(...)`; the page needs that helper too. */
const KEEP_NAMES = 'window.__name = (f) => f';

/** The loader (issue 12) brings the code with the first widget; these measures start after it is here. */
const LOAD_JOURNAL = "CareWidgets.load('care-journal-feed')";


export async function renderBenchmarks(runs = 5): Promise<Result[]> {
  const server = await createCareServer(configFromEnv({ CARE_DB: 'sqlite::memory:', CARE_JWT_SECRET: 'bench-secret-0123456789', CARE_RATE_LIMITS: 'off' }, { distDir: process.env.CARE_BENCH_DIST ?? `${root}dist`, demoDir: '' }));
  const url = await server.listen(0, '127.0.0.1');
  const s = server.storage;
  const owner = { id: 'owner', name: 'Owner' };
  await s.createPage({ id: 'fifty', title: 'Fifty', visibility: 'public', wallModeration: 'post', owners: ['owner'], editors: [] });
  for (let i = 0; i < 50; i++) await s.postJournal('fifty', owner, `f${i}`, `Update ${i}`, `Some **news** number ${i}.\n\n- one\n- two`);
  await s.createPage({ id: 'many', title: 'Many', visibility: 'public', wallModeration: 'post', owners: ['owner'], editors: [] });
  for (let i = 0; i < 10_000; i++) await s.postJournal('many', owner, `m${i}`, `Update ${i}`, `Body ${i}.`);
  await s.createPage({ id: 'live', title: 'Live', visibility: 'public', wallModeration: 'post', owners: ['owner'], editors: [] });

  const browser = await puppeteer.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--window-size=1200,900'],
  });
  const results: Result[] = [];
  try {
    const firstOurs: number[] = [];
    const olderOurs: number[] = [];
    let shown = 0;
    const firstBase: number[] = [];
    const liveOurs: number[] = [];
    const liveBase: number[] = [];
    for (let r = 0; r < runs; r++) {
      const page = await browser.newPage();
      if (process.env.BENCH_DEBUG) page.on('console', (m) => console.log('page:', m.text()));
      await page.setViewport({ width: 1200, height: 900 });
      await page.goto(`${url}/healthz`);
      await page.setContent('<!doctype html><html lang="en"><body></body></html>');
      await page.addScriptTag({ url: `${url}/dist/care-widgets.js` });
      await page.evaluate(LOAD_JOURNAL);
      await page.evaluate(KEEP_NAMES);
      const t = await page.evaluate(async (host: string) => {
        const CW = (window as unknown as { CareWidgets: { connectionFor(h: string): any } }).CareWidgets;
        const frame = () => new Promise((res) => requestAnimationFrame(() => setTimeout(res, 0)));
        // a. First render after the subscribe answer.
        const c = CW.connectionFor(host);
        c.acquire(null);
        const store = c.store('fifty');
        let answered = 0;
        store.listen(() => {
          if (!answered && store.state.status === 'ready') answered = performance.now();
        });
        const el = document.createElement('care-journal-feed') as HTMLElement & { updateComplete: Promise<unknown> };
        el.setAttribute('page', 'fifty');
        el.setAttribute('host', host);
        document.body.append(el);
        while (!answered) await new Promise((r2) => setTimeout(r2, 1));
        const shown = store.state.journal.length; // what the answer carries
        while ((el.shadowRoot?.querySelectorAll('[role=feed] article').length ?? 0) < shown) await new Promise((r2) => setTimeout(r2, 0));
        await el.updateComplete;
        const first = performance.now() - answered;
        // Then the rest of the 50, as "Load older" brings them.
        const t50 = performance.now();
        await store.loadOlder('journal', 50 - shown);
        while ((el.shadowRoot?.querySelectorAll('[role=feed] article').length ?? 0) < 50) await new Promise((r2) => setTimeout(r2, 0));
        await el.updateComplete;
        const older = performance.now() - t50;
        // Baseline: the same first entries as plain DOM.
        const data = store.state.journal.slice(0, shown) as { id: string; title: string; body: string; author: { name: string }; createdAt: string }[];
        const t0 = performance.now();
        const list = document.createElement('div');
        for (const e of data) {
          const a = document.createElement('article');
          const h = document.createElement('h3');
          h.textContent = e.title;
          const m = document.createElement('p');
          m.textContent = `by ${e.author.name} · ${e.createdAt}`;
          const b = document.createElement('p');
          b.textContent = e.body;
          a.append(h, m, b);
          list.append(a);
        }
        document.body.append(list);
        list.getBoundingClientRect();
        const firstBaseline = performance.now() - t0;
        list.remove();
        el.remove();
        await frame();

        // b. 1,000 live events through the store into the widget.
        const liveStore = c.store('live');
        const liveEl = document.createElement('care-journal-feed') as HTMLElement & { updateComplete: Promise<unknown> };
        liveEl.setAttribute('page', 'live');
        liveEl.setAttribute('host', host);
        document.body.append(liveEl);
        while (liveStore.state.status !== 'ready') await new Promise((r2) => setTimeout(r2, 1));
        await liveEl.updateComplete;
        const base = liveStore.state.seq;
        const now = new Date().toISOString();
        const events = Array.from({ length: 1000 }, (_, i) => ({
          type: 'journal:entry',
          data: { pageId: 'live', seq: base + i + 1, entry: { id: `l${i}`, pageId: 'live', seq: base + i + 1, title: `Live ${i}`, body: `Body **${i}**`, author: { id: 'x', name: 'X' }, createdAt: now, editedAt: null } },
        }));
        const t1 = performance.now();
        for (const ev of events) liveStore.receive(ev);
        const top = () => liveEl.shadowRoot!.querySelector('[role=feed] article h3')?.textContent;
        while (top() !== 'Live 999') await new Promise((r2) => setTimeout(r2, 0));
        liveEl.shadowRoot!.querySelector('[role=feed]')!.getBoundingClientRect();
        const live = performance.now() - t1;
        // Baseline: the same 1,000 events into a Map, then plain DOM for the first screenful.
        const t2 = performance.now();
        const map = new Map<string, { title: string }>();
        for (const ev of events) map.set(ev.data.entry.id, ev.data.entry);
        const sorted = [...map.values()].reverse();
        const box = document.createElement('div');
        for (const e of sorted.slice(0, 60)) {
          const a = document.createElement('article');
          a.textContent = e.title;
          box.append(a);
        }
        document.body.append(box);
        box.getBoundingClientRect();
        const liveBaseline = performance.now() - t2;
        box.remove();
        return { first, shown, older, firstBaseline, live, liveBaseline };
      }, url);
      firstOurs.push(t.first);
      olderOurs.push(t.older);
      shown = t.shown;
      firstBase.push(t.firstBaseline);
      liveOurs.push(t.live);
      liveBase.push(t.liveBaseline);
      await page.close();
    }
    const fo = median(firstOurs);
    const fb = median(firstBase);
    results.push({ name: `first render after the subscribe answer (${shown} entries)`, unit: 'ms', ours: fo, baseline: fb, ratio: fo / fb, detail: `median of ${runs}; baseline: the same entries as plain DOM (no Lit, Markdown, sanitizing); "load older" to 50 entries then takes ${median(olderOurs).toFixed(1)} ms including its round trip` });
    const lo = median(liveOurs);
    const lb = median(liveBase);
    results.push({ name: 'apply 1,000 live events (order + render)', unit: 'ms', ours: lo, baseline: lb, ratio: lo / lb, detail: `median of ${runs}; baseline: the events into a Map, then plain DOM for one screen` });

    // c. DOM nodes with 10,000 entries loaded.
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 900 });
    await page.goto(`${url}/healthz`);
    await page.setContent('<!doctype html><html lang="en"><body></body></html>');
    await page.addScriptTag({ url: `${url}/dist/care-widgets.js` });
    await page.evaluate(LOAD_JOURNAL);
    await page.evaluate(KEEP_NAMES);
    const nodes = await page.evaluate(async (host: string) => {
      const el = document.createElement('care-journal-feed') as HTMLElement & { updateComplete: Promise<unknown>; care: { loadOlder(stream: string, limit: number): Promise<unknown>; state: any } };
      el.setAttribute('page', 'many');
      el.setAttribute('host', host);
      document.body.append(el);
      while (el.care.state.status !== 'ready') await new Promise((r2) => setTimeout(r2, 5));
      while (el.care.state.journalHasMore) await el.care.loadOlder('journal', 100);
      await el.updateComplete;
      await new Promise((r2) => requestAnimationFrame(r2));
      await el.updateComplete;
      const ours = el.shadowRoot!.querySelectorAll('*').length;
      const perEntry = el.shadowRoot!.querySelectorAll('[role=feed] article')[0]!.querySelectorAll('*').length + 1;
      return { ours, loaded: el.care.state.journal.length, baseline: perEntry * el.care.state.journal.length };
    }, url);
    await page.close();
    results.push({ name: 'DOM nodes in the feed with 10,000 entries loaded', unit: 'nodes', ours: nodes.ours, baseline: nodes.baseline, ratio: nodes.ours / nodes.baseline, detail: `${nodes.loaded} entries in the store; baseline: every entry in the DOM (same nodes per entry)` });
  } finally {
    await browser.close();
    await server.close();
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await renderBenchmarks()) console.log(`${r.name}: ${r.ours.toFixed(1)} ${r.unit} vs ${r.baseline.toFixed(1)} (${r.ratio.toFixed(2)}x) — ${r.detail}`);
}
