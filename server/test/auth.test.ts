/**
 * Identity: tokens that fail verification are refused at the handshake (never downgraded to
 * anonymous), a socket whose token expires is cut off until `session:refresh`, and JWKS
 * (RS256/ES256) works without opening the door to algorithm confusion.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type GenerateKeyPairResult } from 'jose';
import { PROTOCOL_VERSION, type JournalEntryEvent } from '../../src/protocol/index.js';
import { signToken, startServer, type Client, type TestServer } from './helpers.js';

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

describe('handshake (HS256)', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startServer();
  });
  after(async () => {
    await ts.close();
  });

  const refusedWith = async (token: unknown, code = 'unauthorized') => {
    const err = await ts.refused({ token, protocolVersion: PROTOCOL_VERSION });
    assert.equal(err.data?.code, code, `expected ${code}, got ${JSON.stringify(err.data)} (${err.message})`);
    return err;
  };

  it('a valid token connects as that user; no token connects anonymously', async () => {
    const c = await ts.connect('visitor');
    const pageId = await ts.page({ visibility: 'members' });
    const a = await c.ok('page:subscribe', { pageId });
    assert.equal(a.viewer.userId, 'visitor');
    const anon = await ts.connect(null);
    assert.equal((await anon.ok('page:subscribe', { pageId })).access, 'none');
    c.close();
    anon.close();
  });

  it('a forged signature → unauthorized', async () => {
    const good = await ts.token('visitor');
    const [h, , s] = good.split('.');
    // Same signature, but the payload now claims to be the admin.
    const forged = `${h}.${b64url({ sub: 'admin', care_role: 'admin', exp: now() + 600 })}.${s}`;
    await refusedWith(forged);
    // A flipped signature byte.
    const sig = Buffer.from(s!, 'base64url');
    sig[0] = sig[0]! ^ 0xff;
    await refusedWith(`${h}.${good.split('.')[1]}.${sig.toString('base64url')}`);
  });

  it('an expired token → unauthorized', async () => {
    await refusedWith(await signToken(ts.secret, { sub: 'visitor' }, { exp: now() - 60 }));
  });

  it('alg: none → unauthorized', async () => {
    const header = b64url({ alg: 'none', typ: 'JWT' });
    const payload = b64url({ sub: 'admin', care_role: 'admin', exp: now() + 600 });
    await refusedWith(`${header}.${payload}.`);
    await refusedWith(`${header}.${payload}`);
  });

  it('HS256 signed with the wrong secret → unauthorized', async () => {
    await refusedWith(await signToken('not-the-server-secret-but-long-enough', { sub: 'admin', care_role: 'admin' }));
  });

  it('RS256 when the server expects HS256 → unauthorized', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const t = await new SignJWT({ care_role: 'admin' }).setProtectedHeader({ alg: 'RS256' }).setSubject('admin').setExpirationTime('10m').sign(privateKey);
    await refusedWith(t);
  });

  it('tokens without sub or exp, garbage and non-string tokens → unauthorized', async () => {
    await refusedWith(await signToken(ts.secret, { name: 'nobody' }));
    await refusedWith(await signToken(ts.secret, { sub: 'visitor' }, { exp: null }));
    await refusedWith('garbage');
    await refusedWith('a.b.c');
    await refusedWith(12345);
    await refusedWith({ sub: 'admin' });
    await refusedWith('x'.repeat(10_000));
  });

  it('another protocol version → unsupported_protocol with the server version', async () => {
    const err = await ts.refused({ protocolVersion: 99 });
    assert.equal(err.data?.code, 'unsupported_protocol');
    assert.equal(err.data?.protocolVersion, PROTOCOL_VERSION);
  });

  it('refusals are counted, and the server keeps serving', async () => {
    const m = await ts.rest('GET', '/metrics');
    assert.match(m.body as string, /care_handshakes_refused_total\{code="unauthorized"\} [1-9]/);
    const c = await ts.connect('visitor');
    assert.equal((await c.call('page:unsubscribe', { pageId: 'x' })).ok, true);
    c.close();
  });

  it('staff roles come from the token claim care_role, and only known values count', async () => {
    const pageId = await ts.page({ visibility: 'private' });
    const mod = await ts.connect(null, { token: await signToken(ts.secret, { sub: 'staff-1', care_role: 'moderator' }), protocolVersion: 1 });
    const odd = await ts.connect(null, { token: await signToken(ts.secret, { sub: 'staff-2', care_role: 'superuser' }), protocolVersion: 1 });
    const a = await mod.ok('page:subscribe', { pageId });
    assert.deepEqual([a.access, a.viewer.staff, a.viewer.can.moderate, a.viewer.can.decide], ['read', 'moderator', true, false]);
    const b = await odd.ok('page:subscribe', { pageId });
    assert.deepEqual([b.access, b.viewer.staff], ['none', null]);
    mod.close();
    odd.close();
  });
});

describe('token expiry on a live socket', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startServer();
  });
  after(async () => {
    await ts.close();
  });

  it('session:expired, then no page events, calls unauthorized, until session:refresh restores it', async () => {
    const pageId = await ts.page({ visibility: 'private', followers: ['follower', 'other'] });
    const owner = await ts.connect('owner');
    // Tokens that expire in 2-3 s (exp has whole seconds): time enough to check the socket first.
    const expiring = await ts.connect(null, { token: await ts.token('follower', 3), protocolVersion: PROTOCOL_VERSION });
    // A second socket that refreshes early must not expire at the old time.
    const refreshed = await ts.connect(null, { token: await ts.token('other', 3), protocolVersion: PROTOCOL_VERSION });
    const sub = await expiring.ok('page:subscribe', { pageId });
    assert.equal(sub.access, 'read');
    const seq0 = sub.access === 'read' ? sub.seq : -1;
    await refreshed.ok('page:subscribe', { pageId });
    await refreshed.ok('session:refresh', { token: await ts.token('other', 600) });

    // Still live before expiry.
    await owner.ok('journal:post', { pageId, clientId: 'e1', title: 'before expiry', body: 'x' });
    await expiring.waitFor<JournalEntryEvent>('journal:entry', (e) => e.seq === seq0 + 1);

    assert.equal(expiring.of('session:expired').length, 0, 'not expired yet');
    const expired = await expiring.waitFor<{ code: string; message: string }>('session:expired', () => true, 0, 6_000);
    assert.equal(expired.code, 'unauthorized');
    const mark = expiring.mark();

    await owner.ok('journal:post', { pageId, clientId: 'e2', title: 'after expiry SECRET', body: 'x' });
    await refreshed.waitFor<JournalEntryEvent>('journal:entry', (e) => e.seq === seq0 + 2);
    await expiring.barrier();
    assert.deepEqual(expiring.after(mark), [], 'nothing of the page after expiry');
    assert.equal(refreshed.of('session:expired').length, 0, 'a refreshed socket does not expire at the old time');

    // Every call but session:refresh answers unauthorized, even reads of public pages.
    const pub = await ts.page({ visibility: 'public' });
    await expiring.fails('page:subscribe', { pageId: pub }, 'unauthorized');
    await expiring.fails('page:subscribe', { pageId }, 'unauthorized');
    await expiring.fails('history:load', { pageId, stream: 'journal', before: 100, limit: 5 }, 'unauthorized');
    await expiring.fails('wall:post', { pageId, clientId: 'w', body: 'still here?' }, 'unauthorized');
    // An expired token does not refresh; a token of another user does not either.
    await expiring.fails('session:refresh', { token: await signToken(ts.secret, { sub: 'follower' }, { exp: now() - 1 }) }, 'unauthorized');
    await expiring.fails('session:refresh', { token: await ts.token('owner') }, 'invalid');
    await expiring.fails('page:subscribe', { pageId }, 'unauthorized');

    const r = await expiring.ok('session:refresh', { token: await ts.token('follower', 600) });
    assert.ok(r.exp! > now() + 500);
    // Caught up from where it was, then live again.
    const again = await expiring.ok('page:subscribe', { pageId, since: seq0 + 1 });
    assert.deepEqual(again.access === 'read' && again.events!.map((e) => e.data.seq), [seq0 + 2]);
    await owner.ok('journal:post', { pageId, clientId: 'e3', title: 'after refresh', body: 'x' });
    const live = await expiring.waitFor<JournalEntryEvent>('journal:entry', (e) => e.seq === seq0 + 3);
    assert.equal(live.entry.title, 'after refresh');
  });
});

describe('JWKS (RS256 / ES256)', () => {
  let ts: TestServer;
  let jwks: Server;
  let rsa: GenerateKeyPairResult;
  let ec: GenerateKeyPairResult;
  let client: Client | undefined;

  before(async () => {
    rsa = await generateKeyPair('RS256', { extractable: true });
    ec = await generateKeyPair('ES256', { extractable: true });
    const keys = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    ts = await startServer({ jwtSecret: null, jwksUrl: `http://127.0.0.1:${port}/jwks.json` });
  });
  after(async () => {
    client?.close();
    await ts.close();
    jwks.closeAllConnections();
    await new Promise<void>((resolve) => jwks.close(() => resolve()));
  });

  const sign = (key: GenerateKeyPairResult['privateKey'], alg: string, kid: string, sub = 'visitor') =>
    new SignJWT({ name: 'Val' }).setProtectedHeader({ alg, kid }).setSubject(sub).setExpirationTime('10m').sign(key);

  it('accepts RS256 and ES256 tokens signed by a key of the set', async () => {
    for (const token of [await sign(rsa.privateKey, 'RS256', 'rsa-1'), await sign(ec.privateKey, 'ES256', 'ec-1')]) {
      client = await ts.connect(null, { token, protocolVersion: PROTOCOL_VERSION });
      const pageId = await ts.page({ visibility: 'members' });
      assert.equal((await client.ok('page:subscribe', { pageId })).viewer.userId, 'visitor');
      client.close();
    }
  });

  it('refuses HS256 made with the public key as secret (algorithm confusion), foreign keys and alg none', async () => {
    const pem = await exportSPKI(rsa.publicKey);
    const confused = await new SignJWT({ care_role: 'admin' }).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).setSubject('admin').setExpirationTime('10m').sign(new TextEncoder().encode(pem));
    assert.equal((await ts.refused({ token: confused, protocolVersion: 1 })).data?.code, 'unauthorized');
    const stranger = await generateKeyPair('RS256');
    assert.equal((await ts.refused({ token: await sign(stranger.privateKey, 'RS256', 'rsa-1'), protocolVersion: 1 })).data?.code, 'unauthorized');
    const none = `${b64url({ alg: 'none', kid: 'rsa-1' })}.${b64url({ sub: 'admin', exp: now() + 600 })}.`;
    assert.equal((await ts.refused({ token: none, protocolVersion: 1 })).data?.code, 'unauthorized');
  });
});

describe('allowed origins', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startServer({ allowedOrigins: ['https://hospital.example'] });
  });
  after(async () => {
    await ts.close();
  });

  it('refuses sockets and REST calls from other origins, allows the listed one', async () => {
    await ts.refused({ protocolVersion: 1 }, { extraHeaders: { origin: 'https://evil.example' } });
    const listed = await ts.connect('visitor', undefined, { extraHeaders: { origin: 'https://hospital.example' } });
    assert.equal(listed.socket.connected, true);
    listed.close();
    // No Origin at all: a server-side client, allowed.
    const serverSide = await ts.connect(null);
    serverSide.close();
    const rest = await ts.rest('GET', '/api/pages/x', { headers: { origin: 'https://evil.example' } });
    assert.equal(rest.status, 403);
    assert.equal(rest.body.error.code, 'forbidden');
    const fine = await ts.rest('GET', '/healthz', { headers: { origin: 'https://hospital.example' } });
    assert.equal(fine.status, 200);
  });
});
