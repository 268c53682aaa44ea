/// <reference lib="dom" />
/**
 * Journal photos (issue 15), in headless Chromium with the built script-tag bundle against the
 * real server (in-memory SQLite, media in the database):
 *  a. upload-to-visible for a 4 MB photo: an owner's widget gets the file (its file input, as
 *     the file chooser gives it), the alt text, title and body, and posts; measured until the
 *     photo's thumbnail has loaded in a reader's widget in another browser context. Baseline:
 *     the upload alone, the same file POSTed from Node to `/api/pages/:id/media` and
 *     answered once the server re-encoded it (transfer plus sharp: the floor of any widget).
 *  b. first render of a page of 20 entries with photos (one each) against the same 20 entries
 *     without: from the subscribe answer to the 20 articles in the DOM; the detail adds when the
 *     thumbnails in the first screen had loaded.
 * The photos go in through the public protocol (HTTP upload with a Bearer token, `journal:post`
 * with `media`), as a widget would send them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import puppeteer, { type Page } from 'puppeteer-core';
import sharp from 'sharp';
import { createCareServer } from '../server/src/app.js';
import { configFromEnv } from '../server/src/config.js';
import { signDemoToken } from '../server/src/demo/token.js';
import { NAMESPACE, PROTOCOL_VERSION } from '../src/protocol/index.js';
import { median, okAck, open, type Result } from './server-bench.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const SECRET = 'bench-secret-0123456789';
const KEEP_NAMES = 'window.__name = (f) => f';
const FOUR_MB = 4 * 1024 * 1024;

/** A photo-like JPEG of about `bytes` (noise over a gradient does not compress away). */
export async function noisyJpeg(bytes: number): Promise<Buffer> {
  let side = 1600;
  for (let i = 0; i < 6; i++) {
    const w = Math.round(side * 1.33);
    const raw = Buffer.alloc(w * side * 3);
    for (let p = 0; p < raw.length; p++) raw[p] = ((p % (w * 3)) / (w * 3)) * 200 + Math.random() * 55;
    const jpeg = await sharp(raw, { raw: { width: w, height: side, channels: 3 } }).jpeg({ quality: 92 }).toBuffer();
    if (Math.abs(jpeg.length - bytes) / bytes < 0.08) return jpeg;
    side = Math.round(side * Math.sqrt(bytes / jpeg.length));
  }
  throw new Error('could not make a photo of the asked size');
}

async function upload(url: string, pageId: string, token: string, file: Buffer, name: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(file)], { type: 'image/jpeg' }), name);
  const res = await fetch(`${url}/api/pages/${pageId}/media`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { media: { id: string } }).media.id;
}

async function widgetPage(browser: puppeteer.Browser | puppeteer.BrowserContext, url: string): Promise<Page> {
  const page = await browser.newPage();
  if (process.env.BENCH_DEBUG) page.on('console', (m) => console.log('page:', m.text()));
  await page.setViewport({ width: 1200, height: 900 });
  await page.goto(`${url}/healthz`);
  await page.setContent('<!doctype html><html lang="en"><body></body></html>');
  await page.addScriptTag({ url: `${url}/dist/care-widgets.js` });
  await page.evaluate("CareWidgets.load('care-journal-feed')");
  await page.evaluate(KEEP_NAMES);
  return page;
}

/** Puts a journal feed on the page and waits until it shows its page. */
async function mountFeed(page: Page, host: string, pageId: string, user: string | null): Promise<void> {
  await page.evaluate(
    async (host: string, pageId: string, user: string | null) => {
      const el = document.createElement('care-journal-feed') as HTMLElement & { care: { state: { status: string } } };
      el.setAttribute('page', pageId);
      el.setAttribute('host', host);
      if (user) el.setAttribute('token-url', `/demo/token?user=${user}`);
      document.body.append(el);
      while (el.care.state.status !== 'ready') await new Promise((r) => setTimeout(r, 5));
    },
    host,
    pageId,
    user,
  );
}

export async function mediaBenchmarks(runs = 5, parts: readonly ('upload' | 'render')[] = ['upload', 'render']): Promise<Result[]> {
  const server = await createCareServer(configFromEnv({ CARE_DB: 'sqlite::memory:', CARE_JWT_SECRET: SECRET, CARE_RATE_LIMITS: 'off', CARE_DEMO: '1' }, { distDir: process.env.CARE_BENCH_DIST ?? `${root}dist`, demoDir: `${root}demo` }));
  const url = await server.listen(0, '127.0.0.1');
  const s = server.storage;
  const dir = mkdtempSync(join(tmpdir(), 'care-media-bench-'));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--window-size=1200,900'],
  });
  const results: Result[] = [];
  try {
    /* a. upload-to-visible, 4 MB */
    if (parts.includes('upload')) {
    const big = await noisyJpeg(FOUR_MB);
    const bigPath = join(dir, 'four-mb.jpg');
    writeFileSync(bigPath, big);
    const ours: number[] = [];
    const base: number[] = [];
    const uploads: number[] = [];
    for (let r = 0; r < runs; r++) {
      const pageId = `upload-${r}`;
      await s.createPage({ id: pageId, title: pageId, visibility: 'public', wallModeration: 'post', owners: ['owner'], editors: [] });
      const ownerPage = await widgetPage(browser, url);
      const readerContext = await browser.createBrowserContext();
      const readerPage = await widgetPage(readerContext, url);
      await mountFeed(ownerPage, url, pageId, 'owner');
      await mountFeed(readerPage, url, pageId, null);
      // The reader's page watches for the photo from now on; it answers when the thumbnail has loaded.
      const seen = readerPage.evaluate(async () => {
        const el = document.querySelector('care-journal-feed')!;
        for (;;) {
          const img = el.shadowRoot!.querySelector<HTMLImageElement>('[part~=photo]');
          if (img && img.complete && img.naturalWidth > 0) return Date.now();
          await new Promise((r) => setTimeout(r, 2));
        }
      });
      // The owner's page notes when its upload finished ("Uploaded"), to split the time.
      const uploaded = ownerPage.evaluate(async () => {
        const root = document.querySelector('care-journal-feed')!.shadowRoot!;
        while (!root.querySelector('[part~=upload-status]') && !root.querySelector('[role=feed] [part~=photo]')) await new Promise((r) => setTimeout(r, 2));
        return Date.now();
      });
      const input = await ownerPage.waitForSelector('care-journal-feed >>> input[type=file]');
      const t0 = Date.now();
      await (input as puppeteer.ElementHandle<HTMLInputElement>).uploadFile(bigPath);
      await ownerPage.evaluate(() => {
        const root = document.querySelector('care-journal-feed')!.shadowRoot!;
        const form = root.querySelector<HTMLFormElement>('form[part=composer]')!;
        const set = (sel: string, v: string) => {
          const f = form.querySelector<HTMLInputElement>(sel)!;
          f.value = v;
          f.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
        };
        const waitAlt = async () => {
          while (!form.querySelector('input.alt')) await new Promise((r) => setTimeout(r, 1));
        };
        return waitAlt().then(() => {
          set('input.alt', 'A big photo');
          set('input[name=title]', 'Big photo');
          set('textarea[name=body]', 'Four megabytes.');
          form.requestSubmit();
        });
      });
      ours.push((await seen) - t0);
      uploads.push((await uploaded) - t0);
      // Baseline: the same bytes POSTed alone over the same loopback, until the server answered.
      const token = await signDemoToken(SECRET, 'owner');
      const tb = performance.now();
      await upload(url, pageId, token, big, 'four-mb.jpg');
      base.push(performance.now() - tb);
      await ownerPage.close();
      await readerContext.close();
    }
    const uo = median(ours);
    const ub = median(base);
    results.push({
      name: `upload-to-visible, one ${(big.length / 1024 / 1024).toFixed(1)} MB photo (owner's widget to a reader's thumbnail)`,
      unit: 'ms',
      ours: uo,
      baseline: ub,
      ratio: uo / ub,
      detail: `median of ${runs}; includes the upload, re-encoding, the post, its fan-out and the thumbnail's load in another browser context (the owner's upload had finished after ${median(uploads).toFixed(0)} ms); baseline: the same file POSTed alone from Node (upload + re-encoding)`,
    });

    }

    /* b. first render, 20 entries with photos vs without */
    if (parts.includes('render')) {
    const token = await signDemoToken(SECRET, 'owner');
    const sock = await open(url, NAMESPACE, { token, protocolVersion: PROTOCOL_VERSION });
    const small = await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#6a9' } }).jpeg({ quality: 85 }).toBuffer();
    for (const [pageId, withPhotos] of [['photos20', true], ['plain20', false]] as const) {
      await s.createPage({ id: pageId, title: pageId, visibility: 'public', wallModeration: 'post', owners: ['owner'], editors: [] });
      for (let i = 0; i < 20; i++) {
        const media = withPhotos ? [{ id: await upload(url, pageId, token, small, `p${i}.jpg`), alt: `Photo ${i}` }] : undefined;
        await okAck(sock, 'journal:post', { pageId, clientId: `${pageId}-${i}`, title: `Update ${i}`, body: `Some **news** number ${i}.`, ...(media ? { media } : {}) });
      }
    }
    sock.disconnect();
    const first: Record<string, number[]> = { photos20: [], plain20: [] };
    const thumbs: number[] = [];
    for (let r = 0; r < runs; r++) {
      for (const pageId of ['photos20', 'plain20']) {
        const page = await widgetPage(browser, url);
        const t = await page.evaluate(
          async (host: string, pageId: string) => {
            const CW = (window as unknown as { CareWidgets: { connectionFor(h: string): any } }).CareWidgets;
            const c = CW.connectionFor(host);
            c.acquire(null);
            const store = c.store(pageId);
            let answered = 0;
            store.listen(() => {
              if (!answered && store.state.status === 'ready') answered = performance.now();
            });
            const el = document.createElement('care-journal-feed') as HTMLElement & { updateComplete: Promise<unknown> };
            el.setAttribute('page', pageId);
            el.setAttribute('host', host);
            document.body.append(el);
            while (!answered) await new Promise((r2) => setTimeout(r2, 1));
            while ((el.shadowRoot?.querySelectorAll('[role=feed] article').length ?? 0) < 20) await new Promise((r2) => setTimeout(r2, 0));
            await el.updateComplete;
            el.getBoundingClientRect();
            const rendered = performance.now() - answered;
            // The thumbnails in the first screen, loaded.
            const inView = () => [...el.shadowRoot!.querySelectorAll<HTMLImageElement>('[part~=photo]')].filter((i) => i.getBoundingClientRect().top < innerHeight);
            while (inView().some((i) => !(i.complete && i.naturalWidth > 0))) await new Promise((r2) => setTimeout(r2, 2));
            return { rendered, thumbs: performance.now() - answered, count: inView().length };
          },
          url,
          pageId,
        );
        first[pageId]!.push(t.rendered);
        if (pageId === 'photos20') thumbs.push(t.thumbs);
        await page.close();
      }
    }
    const fo = median(first.photos20!);
    const fb = median(first.plain20!);
    results.push({
      name: 'first render of 20 entries with a photo each (after the subscribe answer)',
      unit: 'ms',
      ours: fo,
      baseline: fb,
      ratio: fo / fb,
      detail: `median of ${runs}; baseline: the same 20 entries without photos; the thumbnails of the first screen had loaded after ${median(thumbs).toFixed(1)} ms`,
    });
    }
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const parts = (arg('part')?.split(',') ?? ['upload', 'render']) as ('upload' | 'render')[];
  for (const r of await mediaBenchmarks(Number(arg('runs') ?? 5), parts)) console.log(`${r.name}: ${r.ours.toFixed(1)} ${r.unit} vs ${r.baseline.toFixed(1)} (${r.ratio.toFixed(2)}x) — ${r.detail}`);
}
