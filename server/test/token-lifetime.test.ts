/**
 * The longest a token may still be valid for (`CARE_MAX_TOKEN_TTL`, security review issue 10):
 * measured as `exp` minus now when the token is presented, whatever `iat` says, and enforced by
 * the one verifier behind the socket handshake, `session:refresh` and the REST API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { PROTOCOL_VERSION } from '../../src/protocol/index.js';
import { configFromEnv, DEFAULT_MAX_TOKEN_TTL, maxTokenTtlFromEnv } from '../src/config.js';
import { signToken, startServer, type TestServer } from './helpers.js';

const now = () => Math.floor(Date.now() / 1000);
const TOO_LONG = /valid for too long.*3600 seconds/;

describe('maximum token lifetime (maxTokenTtl 3600)', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startServer({ maxTokenTtl: 3600 });
  });
  after(async () => {
    await ts.close();
  });

  const token = (exp: number, claims: Record<string, unknown> = {}) => signToken(ts.secret, { sub: 'visitor', ...claims }, { exp });

  it('handshake: a token valid for longer is refused unauthorized with a clear message; a shorter one connects', async () => {
    const err = await ts.refused({ protocolVersion: PROTOCOL_VERSION, token: await token(now() + 7200) });
    assert.equal(err.data?.code, 'unauthorized');
    assert.match(err.message, TOO_LONG);
    const year = await ts.refused({ protocolVersion: PROTOCOL_VERSION, token: await token(now() + 365 * 86_400) });
    assert.equal(year.data?.code, 'unauthorized');
    const fine = await ts.connect(null, { protocolVersion: PROTOCOL_VERSION, token: await token(now() + 1800) });
    assert.equal(fine.socket.connected, true);
    // Exactly the limit is accepted (and a little clock skew between the issuer and us).
    const edge = await ts.connect(null, { protocolVersion: PROTOCOL_VERSION, token: await token(now() + 3600 + 30) });
    assert.equal(edge.socket.connected, true);
    fine.close();
    edge.close();
  });

  it('iat does not matter: an iat in the future cannot make a long-lived token short', async () => {
    const exp = now() + 7 * 86_400;
    // Signed by hand: signToken sets iat to now.
    const futureIat = await new SignJWT({ iat: exp - 600 }).setProtectedHeader({ alg: 'HS256' }).setSubject('visitor').setExpirationTime(exp).sign(new TextEncoder().encode(ts.secret));
    const err = await ts.refused({ protocolVersion: PROTOCOL_VERSION, token: futureIat });
    assert.equal(err.data?.code, 'unauthorized');
    assert.match(err.message, TOO_LONG);
  });

  it('session:refresh refuses a token valid for longer and keeps the current one', async () => {
    const c = await ts.connect('visitor');
    const r = await c.fails('session:refresh', { token: await token(now() + 7200) }, 'unauthorized');
    assert.match(r.error.message, TOO_LONG);
    const ok = await c.ok('session:refresh', { token: await token(now() + 600) });
    assert.equal(typeof ok.exp, 'number');
    c.close();
  });

  it('REST: 401 unauthorized for a token valid for longer', async () => {
    const pageId = await ts.page();
    const long = await token(now() + 7200, { sub: 'admin', care_role: 'admin' });
    const res = await ts.rest('GET', `/api/pages/${pageId}`, { token: long });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'unauthorized');
    assert.match(res.body.error.message, TOO_LONG);
    const short = await token(now() + 600, { sub: 'admin', care_role: 'admin' });
    assert.equal((await ts.rest('GET', `/api/pages/${pageId}`, { token: short })).status, 200);
  });
});

describe('CARE_MAX_TOKEN_TTL', () => {
  it('defaults to 24 hours: a two-day token is refused, a 23-hour one accepted', async () => {
    assert.equal(DEFAULT_MAX_TOKEN_TTL, 86_400);
    const paths = { distDir: '', demoDir: '' };
    const config = configFromEnv({}, paths);
    assert.equal(config.maxTokenTtl, 86_400);
    const ts = await startServer({ maxTokenTtl: config.maxTokenTtl });
    try {
      const err = await ts.refused({ protocolVersion: PROTOCOL_VERSION, token: await signToken(ts.secret, { sub: 'v' }, { exp: now() + 2 * 86_400 }) });
      assert.equal(err.data?.code, 'unauthorized');
      assert.match(err.message, /valid for too long.*86400 seconds/);
      const c = await ts.connect(null, { protocolVersion: PROTOCOL_VERSION, token: await signToken(ts.secret, { sub: 'v' }, { exp: now() + 23 * 3600 }) });
      c.close();
    } finally {
      await ts.close();
    }
  });

  it('reads whole seconds; anything else stops the server with a clear message', () => {
    assert.equal(maxTokenTtlFromEnv(undefined), 86_400);
    assert.equal(maxTokenTtlFromEnv(' '), 86_400);
    assert.equal(maxTokenTtlFromEnv('3600'), 3600);
    assert.equal(configFromEnv({ CARE_MAX_TOKEN_TTL: '900' }, { distDir: '', demoDir: '' }).maxTokenTtl, 900);
    for (const bad of ['0', '-1', '1.5', 'abc', '24h', '1e5', '99999999999999999999']) {
      assert.throws(() => maxTokenTtlFromEnv(bad), /CARE_MAX_TOKEN_TTL must be a whole number of seconds/, bad);
      assert.throws(() => configFromEnv({ CARE_MAX_TOKEN_TTL: bad }, { distDir: '', demoDir: '' }), /CARE_MAX_TOKEN_TTL/, bad);
    }
  });
});
