/**
 * Lone UTF-16 surrogates (security review issue 10): JSON carries "\uD800" alone, but UTF-8
 * cannot, so the databases would store U+FFFD and everyone would read something other than what
 * the sender was told was saved. Such text is refused `invalid`, naming the field, on the socket
 * and the REST API; paired surrogates (emoji) are stored exactly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PROTOCOL_VERSION } from '../../src/protocol/index.js';
import { signToken, startServer, type Client, type TestServer } from './helpers.js';

const LONE = /must be well-formed Unicode \(no lone surrogates\)/;

let ts: TestServer;
let owner: Client;
let pageId: string;
before(async () => {
  ts = await startServer();
  owner = await ts.connect('owner');
  pageId = await ts.page({ followers: ['follower'] });
  await ts.storage.setFollow(pageId, { id: 'requester', name: 'R' }, 'requested');
});
after(async () => {
  await ts.close();
});

async function storedTexts(): Promise<string[]> {
  const wall = await ts.db.selectFrom('wall_messages').select('body').where('page_id', '=', pageId).execute();
  const journal = await ts.db.selectFrom('journal_entries').select(['title', 'body']).where('page_id', '=', pageId).execute();
  return [...wall.map((r) => r.body), ...journal.flatMap((r) => [r.title, r.body])];
}

describe('socket payloads', () => {
  const cases: [string, string, Record<string, unknown>, string][] = [
    ['a wall body with a lone high surrogate', 'wall:post', { clientId: 'lone-1', body: 'hello \uD800' }, 'body'],
    ['a wall body with a lone low surrogate', 'wall:post', { clientId: 'lone-2', body: '\uDC00 there' }, 'body'],
    ['a journal title', 'journal:post', { clientId: 'lone-3', title: 'Day \uD83D', body: 'fine' }, 'title'],
    ['a journal body', 'journal:post', { clientId: 'lone-4', title: 'Day 2', body: 'reversed pair \uDE00\uD83D' }, 'body'],
    ['a follow:decide userId', 'follow:decide', { userId: 'requester\uD800', approve: true }, 'userId'],
    ['a follow:remove userId', 'follow:remove', { userId: '\uDFFF' }, 'userId'],
  ];
  for (const [name, event, payload, field] of cases) {
    it(`${name} → invalid, naming ${field}`, async () => {
      const r = (await owner.raw(event, { pageId, ...payload })) as { ok: boolean; error?: { code: string; message: string } };
      assert.equal(r.ok, false, JSON.stringify(r));
      assert.equal(r.error?.code, 'invalid');
      assert.match(r.error!.message, new RegExp(`^${field}: `));
      assert.match(r.error!.message, LONE);
    });
  }

  it('a journal:edit title with a lone surrogate → invalid; the entry is unchanged', async () => {
    const posted = await owner.ok('journal:post', { pageId, clientId: 'to-edit', title: 'Before', body: 'body' });
    const r = await owner.fails('journal:edit', { pageId, entryId: posted.entry.id, title: 'After \uD800', body: 'body' }, 'invalid');
    assert.match(r.error.message, /^title: /);
    const row = await ts.db.selectFrom('journal_entries').select('title').where('id', '=', posted.entry.id).executeTakeFirstOrThrow();
    assert.equal(row.title, 'Before');
  });

  it('nothing refused was stored; emoji (paired surrogates) are accepted and stored exactly', async () => {
    const body = 'get well soon 😀🏥 — ünïcödé';
    const posted = await owner.ok('wall:post', { pageId, clientId: 'emoji', body });
    assert.equal(posted.message.body, body);
    const texts = await storedTexts();
    assert.ok(texts.includes(body), 'stored exactly as acknowledged');
    assert.ok(!texts.some((t) => t.includes('\uFFFD')), `no replacement characters stored: ${JSON.stringify(texts)}`);
  });
});

describe('REST titles and member lists', () => {
  let admin: string;
  before(async () => {
    admin = await signToken(ts.secret, { sub: 'admin', care_role: 'admin' });
  });

  it('POST /api/pages with a lone surrogate in the title → 400 invalid naming title; nothing created', async () => {
    const res = await ts.rest('POST', '/api/pages', { token: admin, body: { id: 'lone-title', title: 'Care \uD800', visibility: 'public', owners: ['o'] } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'invalid');
    assert.match(res.body.error.message, /^title: /);
    assert.match(res.body.error.message, LONE);
    assert.equal(await ts.storage.getPage('lone-title'), null);
  });

  it('POST /api/pages with a lone surrogate in an owner id → 400 invalid naming the owner', async () => {
    const res = await ts.rest('POST', '/api/pages', { token: admin, body: { id: 'lone-owner', title: 'Fine', visibility: 'public', owners: ['\uDC00'] } });
    assert.equal(res.status, 400);
    assert.match(res.body.error.message, /^owners\.0: /);
    assert.match(res.body.error.message, LONE);
  });

  it('PATCH /api/pages/:id with a lone surrogate in the title → 400 invalid; the title is unchanged', async () => {
    const res = await ts.rest('PATCH', `/api/pages/${pageId}`, { token: admin, body: { title: '\uD83D broken' } });
    assert.equal(res.status, 400);
    assert.match(res.body.error.message, /^title: /);
    assert.match(res.body.error.message, LONE);
    assert.equal((await ts.storage.getPage(pageId))?.title, `Title of ${pageId}`);
    const emoji = await ts.rest('PATCH', `/api/pages/${pageId}`, { token: admin, body: { title: 'Ana 🌻' } });
    assert.equal(emoji.status, 200);
    assert.equal((await ts.storage.getPage(pageId))?.title, 'Ana 🌻');
  });
});

describe('token claims', () => {
  it('a sub with a lone surrogate is refused unauthorized (it would be stored as another user id)', async () => {
    const err = await ts.refused({ protocolVersion: PROTOCOL_VERSION, token: await signToken(ts.secret, { sub: 'jane\uD800' }) });
    assert.equal(err.data?.code, 'unauthorized');
  });

  it('a name with a lone surrogate is mended (U+FFFD), so what is shown is what is stored', async () => {
    const c = await ts.connect(null, { protocolVersion: PROTOCOL_VERSION, token: await signToken(ts.secret, { sub: 'follower', name: 'Ann\uD800e' }) });
    const posted = await c.ok('wall:post', { pageId, clientId: 'named', body: 'hi' });
    assert.equal(posted.message.author.name, 'Ann\uFFFDe');
    c.close();
  });
});
