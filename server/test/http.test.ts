/**
 * The HTTP surface outside the API's own routes (security review issue 10, findings 6 and 10):
 * every error is a short JSON answer with no stack trace and no file path, every response says
 * `X-Content-Type-Options: nosniff`, `/metrics` can be closed with a token, and the public
 * bundle stays loadable from any origin while the API keeps its origin check.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startServer, type TestServer } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
let dir: string;
let distDir: string;
let demoDir: string;
before(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'care-http-')));
  distDir = join(dir, 'dist');
  demoDir = join(dir, 'demo');
  mkdirSync(distDir);
  mkdirSync(demoDir);
  writeFileSync(join(distDir, 'care-widgets.js'), 'export {};\n');
  writeFileSync(join(demoDir, 'index.html'), '<!doctype html><title>demo</title>');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const servers: TestServer[] = [];
after(async () => {
  for (const ts of servers) await ts.close();
});
async function serve(overrides: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const ts = await startServer({ distDir, demo: true, demoDir, ...overrides });
  servers.push(ts);
  return ts;
}

interface Answer {
  status: number;
  text: string;
  headers: Headers;
}
async function get(ts: TestServer, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${ts.url}${path}`, { redirect: 'manual', ...init });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

function assertNosniff(a: Answer, what: string) {
  assert.equal(a.headers.get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
}

/** A short JSON error that gives away nothing about the server's insides. */
function assertShortError(a: Answer, what: string, status?: number) {
  if (status !== undefined) assert.equal(a.status, status, `${what}: status (${a.text.slice(0, 200)})`);
  assert.ok(a.status >= 400 && a.status < 600, `${what}: an error status, got ${a.status}`);
  assert.ok(a.text.length <= 300, `${what}: a short answer, got ${a.text.length} characters`);
  assert.doesNotMatch(a.text, /\bat .*\(|\.(ts|js):\d+|node_modules/, `${what}: no stack trace`);
  assert.ok(!a.text.includes(dir) && !a.text.includes(root) && !a.text.includes('/tmp/'), `${what}: no file path: ${a.text}`);
  assert.doesNotMatch(a.text, /<(html|pre|body)/i, `${what}: no HTML error page`);
  assert.match(a.headers.get('content-type') ?? '', /^application\/json/, `${what}: JSON`);
  const body = JSON.parse(a.text) as { error?: { code?: string; message?: string } };
  assert.equal(typeof body.error?.code, 'string', `${what}: { error: { code } }`);
  assert.equal(typeof body.error?.message, 'string', `${what}: { error: { message } }`);
  assertNosniff(a, what);
}

describe('error answers', () => {
  let ts: TestServer;
  before(async () => {
    ts = await serve();
  });

  const cases: [string, string, number, RequestInit?][] = [
    ['a missing file under /dist/', '/dist/nonexistent.js', 404],
    ['a malformed URL encoding under /dist/', '/dist/%E0%A4%A', 400],
    ['a directory under /dist/', '/dist/', 404],
    ['/dist without a slash (no redirect page)', '/dist', 404],
    ['a dot-dot path under /dist/', '/dist/..%2F..%2Fpackage.json', 403],
    ['a missing file under /demo/', '/demo/nonexistent.js', 404],
    ['a malformed URL encoding under /demo/', '/demo/%E0%A4%A', 404],
    ['an unknown route', '/no/such/route', 404],
    ['a malformed URL encoding at the root', '/%E0%A4%A', 404],
    ['an unknown API route', '/api/nope', 404],
    ['the wrong method on /healthz', '/healthz', 404, { method: 'POST' }],
    ['bad JSON on the API', '/api/pages', 400, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, body: '{"id": nope' }],
    ['huge JSON on the API', '/api/pages', 413, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'x'.repeat(200_000) }) }],
    ['an API call without a token', '/api/pages/x', 401],
  ];
  for (const [name, path, status, init] of cases) {
    it(`${name} → ${status}, short JSON, no stack or path, nosniff`, async () => {
      assertShortError(await get(ts, path, init), name, status);
    });
  }
});

describe('X-Content-Type-Options: nosniff on every response', () => {
  it('static files, demo, API, health, metrics, demo token and the Engine.IO transport', async () => {
    const ts = await serve();
    const answers: [string, Answer][] = [
      ['bundle', await get(ts, '/dist/care-widgets.js')],
      ['demo page', await get(ts, '/demo/')],
      ['demo token', await get(ts, '/demo/token?user=jane')],
      ['healthz', await get(ts, '/healthz')],
      ['metrics', await get(ts, '/metrics')],
      ['root redirect', await get(ts, '/')],
      ['Engine.IO handshake', await get(ts, '/socket.io/?EIO=4&transport=polling')],
      ['Engine.IO bad request', await get(ts, '/socket.io/?EIO=4&transport=nope')],
    ];
    for (const [what, a] of answers) {
      assert.ok(a.status < 500, `${what}: ${a.status}`);
      assertNosniff(a, what);
    }
    assert.equal(answers[0]![1].status, 200);
  });
});

describe('/metrics token (CARE_METRICS_TOKEN)', () => {
  const token = 'metrics-token-for-tests-0123456789';

  it('set: only Authorization: Bearer <token> reads the metrics; anything else is 401', async () => {
    const ts = await serve({ metricsToken: token });
    for (const authorization of [undefined, `Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, 'Bearer ', token, `Basic ${token}`]) {
      const a = await get(ts, '/metrics', { headers: authorization === undefined ? {} : { authorization } });
      assertShortError(a, `metrics with ${authorization ?? 'no header'}`, 401);
      assert.doesNotMatch(a.text, /care_/);
    }
    const ok = await get(ts, '/metrics', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /care_connected_sockets/);
    assertNosniff(ok, 'metrics');
  });

  it('unset: open, as before', async () => {
    const ts = await serve();
    const a = await get(ts, '/metrics');
    assert.equal(a.status, 200);
    assert.match(a.text, /care_connected_sockets/);
  });
});

describe('CARE_ALLOWED_ORIGINS and the public bundle', () => {
  it('another origin may load /dist/ (and /healthz) but not the API or the socket', async () => {
    const ts = await serve({ allowedOrigins: ['https://hospital.example'] });
    const origin = { origin: 'https://elsewhere.example' };
    const bundle = await get(ts, '/dist/care-widgets.js', { headers: origin });
    assert.equal(bundle.status, 200);
    assert.equal(bundle.headers.get('access-control-allow-origin'), '*');
    assert.equal(bundle.text, 'export {};\n');
    assertNosniff(bundle, 'bundle');
    assert.equal((await get(ts, '/healthz', { headers: origin })).status, 200);
    // A missing bundle file is still an honest 404, not a 403.
    assertShortError(await get(ts, '/dist/missing.js', { headers: origin }), 'missing bundle file', 404);
    const api = await get(ts, '/api/pages/x', { headers: origin });
    assertShortError(api, 'API from another origin', 403);
    assert.equal((JSON.parse(api.text) as { error: { code: string } }).error.code, 'forbidden');
    const engine = await get(ts, '/socket.io/?EIO=4&transport=polling', { headers: origin });
    assert.equal(engine.status, 403, 'the socket handshake keeps the origin check');
    // The listed origin still uses the API.
    assert.equal((await get(ts, '/api/pages/x', { headers: { origin: 'https://hospital.example' } })).status, 401);
  });
});
