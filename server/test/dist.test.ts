/// <reference lib="dom" />
/**
 * `/dist/` (SPEC section 7, issue 11): the bundle the README's SRI snippet loads, served
 * compressed by `Accept-Encoding` from the build's precompressed files, under a versioned
 * immutable URL and a short-lived unversioned one, to any origin. Raw HTTP (node:http), not
 * fetch: fetch would decompress and hide what was on the wire.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import puppeteer from 'puppeteer-core';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { VERSION } from '../../src/version.js';
import { startServer, type TestServer } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const distDir = `${root}dist`;
const BUNDLE = 'care-widgets.js';
const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request, bytes exactly as sent (no decompression, no default Accept-Encoding). */
function raw(ts: TestServer, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${ts.url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const sha384 = (b: Buffer) => `sha384-${createHash('sha384').update(b).digest('base64')}`;

function decode(a: Raw): Buffer {
  const coding = a.headers['content-encoding'];
  if (coding === 'br') return brotliDecompressSync(a.body);
  if (coding === 'gzip') return gunzipSync(a.body);
  assert.equal(coding, undefined, `unexpected Content-Encoding ${String(coding)}`);
  return a.body;
}

/** A short JSON error with no stack trace or path, as every error of the server (http.test.ts). */
function assertShortError(a: Raw, status: number, what: string) {
  assert.equal(a.status, status, what);
  assert.match(String(a.headers['content-type']), /^application\/json/, `${what}: JSON`);
  assert.equal(a.headers['content-encoding'], undefined, `${what}: not encoded`);
  const text = a.body.toString('utf8');
  assert.ok(text.length <= 300, `${what}: short`);
  assert.doesNotMatch(text, /\bat .*\(|\.(ts|js):\d+|node_modules|\/tmp\/|\/work\//, `${what}: no stack or path`);
  assert.equal(typeof (JSON.parse(text) as { error: { code: string } }).error.code, 'string');
  assert.equal(a.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
}

describe('/dist/: compressed, versioned, public', () => {
  let ts: TestServer;
  let sri: string;
  let identity: Buffer;
  const urls = [`/dist/${BUNDLE}`, `/dist/${VERSION}/${BUNDLE}`];

  before(async () => {
    assert.ok(existsSync(join(distDir, BUNDLE)), 'run the build first (npm test does)');
    sri = readFileSync(join(distDir, `${BUNDLE}.sri`), 'utf8').trim();
    identity = readFileSync(join(distDir, BUNDLE));
    // Another origin listed: the bundle must not care (the README's SRI load is cross-origin).
    ts = await startServer({ distDir, allowedOrigins: ['https://hospital.example'] });
  });
  after(async () => {
    await ts.close();
  });

  it('the build writes .br and .gz beside the bundle, each decompressing to the SRI-hashed bytes', () => {
    assert.equal(sha384(identity), sri);
    assert.equal(sha384(brotliDecompressSync(readFileSync(join(distDir, `${BUNDLE}.br`)))), sri);
    assert.equal(sha384(gunzipSync(readFileSync(join(distDir, `${BUNDLE}.gz`)))), sri);
  });

  it('br, gzip and identity answers (by Accept-Encoding) all decompress to the bytes of the recorded SRI hash', async () => {
    const cases: [string | undefined, string | undefined][] = [
      ['gzip, deflate, br, zstd', 'br'], // Chromium: brotli wins the tie
      ['br', 'br'],
      ['gzip', 'gzip'],
      ['gzip, br;q=0.5', 'gzip'],
      ['br;q=0, *', 'gzip'],
      ['deflate', undefined],
      ['identity', undefined],
      ['*;q=0', undefined],
      [undefined, undefined],
    ];
    for (const url of urls) {
      for (const [accept, coding] of cases) {
        const what = `${url} with Accept-Encoding ${accept ?? '(none)'}`;
        const a = await raw(ts, url, accept === undefined ? {} : { 'accept-encoding': accept });
        assert.equal(a.status, 200, what);
        assert.equal(a.headers['content-encoding'], coding, `${what}: Content-Encoding`);
        assert.equal(a.headers['content-type'], 'text/javascript; charset=utf-8', `${what}: Content-Type`);
        assert.equal(Number(a.headers['content-length']), a.body.length, `${what}: Content-Length`);
        assert.match(String(a.headers.vary), /accept-encoding/i, `${what}: Vary`);
        assert.equal(a.headers['access-control-allow-origin'], '*', `${what}: CORS`);
        assert.equal(a.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
        assert.equal(sha384(decode(a)), sri, `${what}: the SRI hash of the decoded bytes`);
        // The loader is small (about 6 KB) and carries hashes, which do not compress: well under
        // its size, not under half of it.
        if (coding) assert.ok(a.body.length < identity.length * 0.7, `${what}: compressed (${a.body.length} of ${identity.length} B)`);
      }
    }
  });

  it('the .sri hash beside the bundle is served as text, under both URLs', async () => {
    for (const url of [`/dist/${BUNDLE}.sri`, `/dist/${VERSION}/${BUNDLE}.sri`]) {
      const a = await raw(ts, url, { 'accept-encoding': 'br' });
      assert.equal(a.status, 200, url);
      assert.match(String(a.headers['content-type']), /^text\/plain/, url);
      assert.equal(a.body.toString().trim(), sri, url);
    }
  });

  it('the versioned URL is cached for a year as immutable; the unversioned one for five minutes, with a validator', async () => {
    const versioned = await raw(ts, `/dist/${VERSION}/${BUNDLE}`, { 'accept-encoding': 'br' });
    assert.equal(versioned.headers['cache-control'], 'public, max-age=31536000, immutable');
    const plain = await raw(ts, `/dist/${BUNDLE}`, { 'accept-encoding': 'br' });
    assert.equal(plain.headers['cache-control'], 'public, max-age=300');
    for (const [url, a] of [[`/dist/${BUNDLE}`, plain], [`/dist/${VERSION}/${BUNDLE}`, versioned]] as const) {
      const etag = String(a.headers.etag);
      assert.ok(a.headers.etag && a.headers['last-modified'], `${url}: ETag and Last-Modified`);
      const again = await raw(ts, url, { 'accept-encoding': 'br', 'if-none-match': etag });
      assert.equal(again.status, 304, `${url}: revalidation`);
      assert.equal(again.body.length, 0);
      // Each encoding is its own representation with its own validator.
      const gz = await raw(ts, url, { 'accept-encoding': 'gzip', 'if-none-match': etag });
      assert.equal(gz.status, 200, `${url}: a brotli ETag does not validate the gzip answer`);
      assert.notEqual(gz.headers.etag, etag);
    }
  });

  it('every chunk the loader carries a hash for: compressed, decoding to that hash, immutable under both URLs (its name carries its content hash)', async () => {
    const rows = [...identity.toString('utf8').matchAll(/"(chunks\/[\w-]+)","(sha384-[\w+/=]+)"/g)];
    assert.ok(rows.length >= 5, `the loader's chunk hashes (${rows.length})`);
    for (const [, id, hash] of rows) {
      for (const url of [`/dist/${id}.js`, `/dist/${VERSION}/${id}.js`]) {
        for (const accept of ['br', 'gzip', 'identity']) {
          const a = await raw(ts, url, { 'accept-encoding': accept });
          assert.equal(a.status, 200, url);
          assert.equal(a.headers['content-encoding'], accept === 'identity' ? undefined : accept, `${url} ${accept}`);
          assert.equal(a.headers['content-type'], 'text/javascript; charset=utf-8', url);
          assert.equal(a.headers['cache-control'], 'public, max-age=31536000, immutable', url);
          assert.equal(a.headers['access-control-allow-origin'], '*', url);
          assert.equal(sha384(decode(a)), hash, `${url} ${accept}: the hash the loader carries`);
        }
      }
    }
  });

  it('an unknown version, a missing file or a directory is a short JSON 404', async () => {
    for (const url of [`/dist/0.0.0/${BUNDLE}`, `/dist/99.1.0/${BUNDLE}`, `/dist/${VERSION}-beta.1/${BUNDLE}`, `/dist/v${VERSION}/${BUNDLE}`, `/dist/${VERSION}/missing.js`, `/dist/${VERSION}/`, `/dist/${VERSION}`, '/dist/']) {
      assertShortError(await raw(ts, url, { 'accept-encoding': 'br, gzip' }), 404, url);
    }
    assertShortError(await raw(ts, `/dist/${VERSION}/..%2F..%2Fpackage.json`), 403, 'dot-dot under a version');
  });

  it('HEAD answers the headers of the chosen encoding without a body', async () => {
    for (const [accept, file] of [['br', `${BUNDLE}.br`], ['gzip', `${BUNDLE}.gz`], ['identity', BUNDLE]]) {
      const a = await raw(ts, `/dist/${VERSION}/${BUNDLE}`, { 'accept-encoding': accept! }, 'HEAD');
      assert.equal(a.status, 200);
      assert.equal(a.body.length, 0);
      assert.equal(Number(a.headers['content-length']), readFileSync(join(distDir, file!)).length, `HEAD ${accept}`);
      assert.equal(a.headers['cache-control'], 'public, max-age=31536000, immutable');
    }
  });

  it('a range is a range of the chosen representation; an unsatisfiable one is 416', async () => {
    const plain = await raw(ts, `/dist/${BUNDLE}`, { range: 'bytes=0-99' });
    assert.equal(plain.status, 206);
    assert.equal(plain.headers['content-range'], `bytes 0-99/${identity.length}`);
    assert.deepEqual(plain.body, identity.subarray(0, 100));
    const brBytes = readFileSync(join(distDir, `${BUNDLE}.br`));
    const br = await raw(ts, `/dist/${VERSION}/${BUNDLE}`, { range: `bytes=100-`, 'accept-encoding': 'br' });
    assert.equal(br.status, 206);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers['content-range'], `bytes 100-${brBytes.length - 1}/${brBytes.length}`);
    assert.deepEqual(br.body, brBytes.subarray(100));
    const bad = await raw(ts, `/dist/${BUNDLE}`, { range: `bytes=${identity.length + 10}-`, 'accept-encoding': 'br' });
    assertShortError(bad, 416, 'unsatisfiable range');
  });

  it('any origin loads every variant, with CARE_ALLOWED_ORIGINS naming another; the API stays closed to it', async () => {
    const origin = 'https://blog.elsewhere.example';
    for (const url of urls) {
      for (const accept of ['br', 'gzip', 'identity']) {
        const a = await raw(ts, url, { origin, 'accept-encoding': accept });
        assert.equal(a.status, 200, `${url} ${accept}`);
        assert.equal(a.headers['access-control-allow-origin'], '*');
        assert.equal(sha384(decode(a)), sri);
      }
    }
    assertShortError(await raw(ts, '/api/pages/x', { origin }), 403, 'API from another origin');
  });

  it('only GET and HEAD: anything else is a short JSON 405 naming them', async () => {
    const a = await raw(ts, `/dist/${BUNDLE}`, {}, 'POST');
    assertShortError(a, 405, 'POST');
    assert.equal(a.headers.allow, 'GET, HEAD');
  });
});

describe('/dist/ with a precompressed file older than its script', () => {
  let dir: string;
  let ts: TestServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'care-dist-'));
    writeFileSync(join(dir, 'a.js'), 'patched();\n');
    writeFileSync(join(dir, 'a.js.br'), 'not the same bytes');
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'a.js.br'), past, past);
    ts = await startServer({ distDir: dir });
  });
  after(async () => {
    await ts.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the script itself: a stale variant would fail the visitor\u2019s integrity check', async () => {
    const a = await raw(ts, '/dist/a.js', { 'accept-encoding': 'br' });
    assert.equal(a.status, 200);
    assert.equal(a.headers['content-encoding'], undefined);
    assert.equal(a.body.toString(), 'patched();\n');
  });
});

describe('the README’s SRI snippet, cross-origin in Chromium', { skip: existsSync(CHROME) ? false : `no Chromium at ${CHROME}` }, () => {
  it('loads the versioned bundle with its integrity from another origin, CARE_ALLOWED_ORIGINS naming a third', async () => {
    const sri = readFileSync(join(distDir, `${BUNDLE}.sri`), 'utf8').trim();
    const ts = await startServer({ distDir, allowedOrigins: ['https://hospital.example'] });
    const browser = await puppeteer.launch({ executablePath: CHROME, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'] });
    try {
      const page = await browser.newPage();
      const encodings: string[] = [];
      page.on('response', (r) => {
        if (r.url().includes('/dist/')) encodings.push(r.headers()['content-encoding'] ?? 'identity');
      });
      // The host page is on 127.0.0.1, the bundle on localhost: two origins, neither listed.
      await page.goto(`${ts.url}/healthz`);
      const bundleUrl = `${ts.url.replace('127.0.0.1', 'localhost')}/dist/${VERSION}/${BUNDLE}`;
      const load = (integrity: string) =>
        page.evaluate(
          (src, hash) =>
            new Promise<string>((resolve) => {
              const s = document.createElement('script');
              s.src = src;
              s.integrity = hash;
              s.crossOrigin = 'anonymous';
              s.onload = () => resolve(`loaded ${(window as unknown as { CareWidgets?: { version: string } }).CareWidgets?.version}`);
              s.onerror = () => resolve('blocked');
              document.head.append(s);
            }),
          bundleUrl,
          integrity,
        );
      assert.equal(await load(sri), `loaded ${VERSION}`);
      assert.deepEqual(encodings, ['br'], 'Chromium got the brotli answer');
      // The control: a wrong hash is refused, so the check above really checked.
      assert.equal(await load('sha384-' + Buffer.alloc(48).toString('base64')), 'blocked');
      // A widget on the page: the loader inserts its chunks from its own (other) origin, each with its hash.
      const chunks = await page.evaluate(async () => {
        document.body.insertAdjacentHTML('beforeend', '<care-follow-button page="nobody"></care-follow-button>');
        await customElements.whenDefined('care-follow-button');
        return Array.from(document.querySelectorAll<HTMLScriptElement>('script[src*="/chunks/"]')).map((s) => [new URL(s.src).host, s.integrity.slice(0, 7), s.crossOrigin]);
      });
      assert.deepEqual(chunks.map((c) => c.join(' ')).sort(), ['core', 'care-follow-button'].map(() => `${new URL(bundleUrl).host} sha384- anonymous`));
      // The loader (twice: accepted, then refused by the wrong hash) and two chunks, all brotli.
      assert.deepEqual(encodings, ['br', 'br', 'br', 'br']);
    } finally {
      await browser.close();
      await ts.close();
    }
  });
});
