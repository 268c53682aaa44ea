/**
 * Issue 10, findings 2, 8 and 9: the audit trail belongs to one page's lifetime and carries
 * no free text; it is read a page at a time; repeated reads within the read window are one
 * row; a declined visitor asks again only after the cool-down.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configFromEnv } from '../src/config.js';
import { auditTrail, fileServer, signToken, startServer, uniqueId, type Client } from './helpers.js';

const server = fileServer();
const token = (user: string) => server.ts.token(user);

const adminToken = () => signToken(server.ts.secret, { sub: 'hospital-admin', care_role: 'admin' });

describe('a page id used again (finding 2)', () => {
  it("the new owner's audit trail starts empty: nothing of the previous patient, and no title anywhere in the log", async () => {
    const admin = await adminToken();
    const id = uniqueId('bed-12');
    const title = `Alice Example ${uniqueId('secret')}`;
    const created = await server.ts.rest('POST', '/api/pages', { token: admin, body: { id, title, visibility: 'private', owners: ['alice'] } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal('uid' in created.body, false, 'the lifetime id is internal');
    const alice = await server.connect('alice');
    await alice.ok('page:subscribe', { pageId: id });
    await alice.ok('journal:post', { pageId: id, clientId: 'a1', title: 'Chemo day 1', body: 'x' });
    const renamed = `${title} (renamed)`;
    assert.equal((await server.ts.rest('PATCH', `/api/pages/${id}`, { token: admin, body: { title: renamed, visibility: 'members' } })).status, 200);
    assert.equal((await server.ts.rest('DELETE', `/api/pages/${id}`, { token: admin })).status, 204);

    assert.equal((await server.ts.rest('POST', '/api/pages', { token: admin, body: { id, title: 'Bob Example', visibility: 'private', owners: ['bob'] } })).status, 201);
    const bobs = await server.ts.rest('GET', `/api/pages/${id}/audit`, { token: await token('bob') });
    assert.equal(bobs.status, 200);
    assert.deepEqual(
      bobs.body.entries.map((e: { action: string }) => e.action),
      ['page.create'],
      'only the new lifetime: its creation',
    );
    assert.ok(!JSON.stringify(bobs.body).includes('alice'));
    // Alice, no longer an owner of anything here, cannot read it either.
    assert.equal((await server.ts.rest('GET', `/api/pages/${id}/audit`, { token: await token('alice') })).status, 403);

    // No title (free text, often a name) was copied into any audit row, of either lifetime.
    const whole = await server.ts.rest('GET', '/api/audit?limit=1000', { token: admin });
    assert.equal(whole.status, 200);
    const rows = JSON.stringify(await server.ts.db.selectFrom('audit_log').selectAll().execute());
    assert.ok(!rows.includes(title) && !rows.includes('Bob Example') && !rows.includes('Chemo day 1'), 'no free text in the audit log');
    // The admin's whole-log export tells the two lifetimes apart.
    const ofId = (whole.body.entries as { pageId: string; lifetime: string | null; action: string }[]).filter((e) => e.pageId === id);
    const lifetimes = [...new Set(ofId.map((e) => e.lifetime))];
    assert.equal(lifetimes.length, 2, 'two lifetimes of one id');
    assert.ok(lifetimes.every((l) => typeof l === 'string' && l.length >= 16));
  });

  it('an admin still reads a deleted page’s trail (every earlier lifetime of the id); its owner no longer can', async () => {
    const admin = await adminToken();
    const id = uniqueId('gone');
    await server.ts.rest('POST', '/api/pages', { token: admin, body: { id, title: 'T', visibility: 'private', owners: ['carol'] } });
    assert.equal((await server.ts.rest('DELETE', `/api/pages/${id}`, { token: await token('carol') })).status, 204);
    const res = await server.ts.rest('GET', `/api/pages/${id}/audit`, { token: admin });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.entries.map((e: { action: string }) => e.action), ['page.create', 'page.delete']);
    assert.equal((await server.ts.rest('GET', `/api/pages/${id}/audit`, { token: await token('carol') })).status, 404);
  });

  it('REST :id is checked with the socket pattern: a malformed id is invalid, before anything is looked up', async () => {
    const admin = await adminToken();
    for (const bad of ['..%2F..%2Fetc', '%20space', 'a'.repeat(129), '-dash-first', 'semi%3Bcolon']) {
      const res = await server.ts.rest('GET', `/api/pages/${bad}/audit`, { token: admin });
      assert.equal(res.status, 400, `${bad}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'invalid');
    }
  });
});

describe('reading the audit log (finding 9)', () => {
  it('pages with a cursor: every row once, in order; limit bounds each answer; bad paging is invalid', async () => {
    const admin = await adminToken();
    const pageId = await server.ts.page({ visibility: 'private', owners: ['dora'] });
    const dora = await server.connect('dora');
    for (let i = 0; i < 7; i++) await dora.ok('journal:post', { pageId, clientId: `p${i}`, title: `t${i}`, body: 'b' });
    const seen: string[] = [];
    let next: number | null = null;
    let answers = 0;
    do {
      const res = await server.ts.rest('GET', `/api/pages/${pageId}/audit?limit=3${next === null ? '' : `&after=${next}`}`, { token: admin });
      assert.equal(res.status, 200);
      assert.ok(res.body.entries.length <= 3);
      seen.push(...res.body.entries.filter((e: { action: string }) => e.action === 'journal.post').map((e: { target: string }) => e.target));
      next = res.body.next;
      answers++;
    } while (next !== null);
    assert.equal(seen.length, 7);
    assert.equal(new Set(seen).size, 7, 'no row twice');
    assert.ok(answers >= 3);
    for (const q of ['limit=0', 'limit=1001', 'limit=x', 'after=-1', 'after=1.5']) {
      const res = await server.ts.rest('GET', `/api/pages/${pageId}/audit?${q}`, { token: admin });
      assert.equal(res.status, 400, q);
      assert.equal(res.body.error.code, 'invalid');
    }
    // The whole-log export is for admins only.
    assert.equal((await server.ts.rest('GET', '/api/audit', { token: await token('dora') })).status, 403);
  });

  it('with a read window, one person re-reading a private page is one page.read row; another person is another row', async () => {
    const ts = await startServer({ auditReadWindowSeconds: 600 });
    try {
      const pageId = await ts.page({ visibility: 'private', owners: ['erin'], followers: ['finn'] });
      const erin = await ts.connect('erin');
      const finn = await ts.connect('finn');
      for (let i = 0; i < 5; i++) await erin.ok('page:subscribe', { pageId });
      await erin.ok('history:load', { pageId, stream: 'journal', before: 1_000, limit: 10 });
      await finn.ok('page:subscribe', { pageId });
      const reads = (await auditTrail(ts.storage, pageId)).filter((r) => r.action === 'page.read').map((r) => r.actorId);
      assert.deepEqual(reads, ['erin', 'finn']);
    } finally {
      await ts.close();
    }
  });
});

describe('asking again after a decline (finding 8)', () => {
  async function declined(ts: { page: typeof server.ts.page; connect: (u: string) => Promise<Client> }): Promise<{ pageId: string; asker: Client; owner: Client }> {
    const pageId = await ts.page({ visibility: 'private', owners: ['gwen'] });
    const owner = await ts.connect('gwen');
    const asker = await ts.connect('hal');
    await owner.ok('page:subscribe', { pageId });
    await asker.ok('follow:set', { pageId, follow: true });
    await owner.ok('follow:decide', { pageId, userId: 'hal', approve: false });
    return { pageId, asker, owner };
  }

  it('a declined visitor cannot ask again during the cool-down: no request reaches the owner, nothing is written', async () => {
    const { pageId, asker, owner } = await declined(server.ts);
    const before = (await auditTrail(server.ts.storage, pageId)).length;
    const mark = owner.mark();
    for (let i = 0; i < 5; i++) {
      const f = await asker.fails('follow:set', { pageId, follow: true }, 'rate_limited');
      assert.match(f.error.message, /ask again after \d{4}-\d{2}-\d{2}/);
    }
    await owner.barrier();
    assert.deepEqual(owner.of('follow:request', mark), [], 'the owner hears nothing');
    assert.equal((await server.ts.storage.getFollow(pageId, 'hal'))?.state, 'declined');
    assert.equal((await auditTrail(server.ts.storage, pageId)).length, before, 'no audit row per refused ask');
  });

  it('after the cool-down the visitor may ask again, once, and the owner hears it', async () => {
    const ts = await startServer({ requestCooldownHours: 0 });
    try {
      const { pageId, asker, owner } = await declined(ts);
      const mark = owner.mark();
      assert.equal((await asker.ok('follow:set', { pageId, follow: true })).state, 'requested');
      await owner.waitFor<{ state: string; request: { userId: string } }>('follow:request', (e) => e.state === 'requested' && e.request.userId === 'hal', mark);
    } finally {
      await ts.close();
    }
  });
});

describe('their settings', () => {
  it('CARE_REQUEST_COOLDOWN_HOURS and CARE_AUDIT_READ_WINDOW take whole numbers of 0 or more; anything else stops the server naming the setting', () => {
    const config = (env: Record<string, string>) => configFromEnv(env, { distDir: '', demoDir: '' });
    assert.equal(config({}).requestCooldownHours, 168);
    assert.equal(config({}).auditReadWindowSeconds, 300);
    assert.equal(config({ CARE_REQUEST_COOLDOWN_HOURS: '0', CARE_AUDIT_READ_WINDOW: ' 60 ' }).auditReadWindowSeconds, 60);
    for (const name of ['CARE_REQUEST_COOLDOWN_HOURS', 'CARE_AUDIT_READ_WINDOW']) {
      for (const bad of ['-1', '1.5', '1e5', 'abc', '24h', '99999999999999999999']) {
        assert.throws(() => config({ [name]: bad }), new RegExp(`${name} must be a whole number`), `${name}=${bad}`);
      }
    }
  });
});
