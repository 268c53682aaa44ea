import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { jwtVerify, SignJWT } from 'jose';
import { hs256Verifier } from '../src/auth/hs256.js';

/*
 * The handshake's synchronous HS256 check (src/auth/hs256.ts) must accept exactly what jose's
 * jwtVerify accepted with the same options, token for token: it replaced jose on that path.
 */

const SECRET = new TextEncoder().encode('a-test-secret-of-reasonable-length-0123456789');
const OTHER = new TextEncoder().encode('another-secret-of-reasonable-length-0123456789');
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** A token from raw header and payload text, signed with HMAC-SHA256 whatever the header says. */
function raw(header: string, payload: string | Buffer, key: Uint8Array = SECRET): string {
  const head = `${b64(header)}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
}
const json = (header: object, payload: object, key?: Uint8Array) => raw(JSON.stringify(header), JSON.stringify(payload), key);

async function joseAccepts(token: string): Promise<boolean> {
  try {
    await jwtVerify(token, SECRET, { algorithms: ['HS256'], requiredClaims: ['sub', 'exp'] });
    return true;
  } catch {
    return false;
  }
}

function oursAccepts(token: string): boolean {
  try {
    hs256Verifier(SECRET)(token);
    return true;
  } catch {
    return false;
  }
}

test('accepts and refuses the same tokens as jose', async () => {
  const good = { sub: 'ana', exp: now() + 600 };
  const signed = await new SignJWT({ name: 'Ana' }).setProtectedHeader({ alg: 'HS256' }).setSubject('ana').setIssuedAt().setExpirationTime('10m').sign(SECRET);
  const [h, p, sig] = signed.split('.') as [string, string, string];
  const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
  const cases: [string, string, boolean][] = [
    ['jose-signed', signed, true],
    ['minimal', json({ alg: 'HS256' }, good), true],
    ['with typ', json({ alg: 'HS256', typ: 'JWT' }, good), true],
    ['iat, nbf in the past', json({ alg: 'HS256' }, { ...good, iat: now() - 10, nbf: now() - 10 }), true],
    ['nbf now', json({ alg: 'HS256' }, { ...good, nbf: now() }), true],
    ['other secret', json({ alg: 'HS256' }, good, OTHER), false],
    ['payload changed', `${h}.${b64(JSON.stringify({ sub: 'root', exp: now() + 600 }))}.${sig}`, false],
    ['signature changed', `${h}.${p}.${flip(sig)}`, false],
    ['signature cut', `${h}.${p}.${sig.slice(0, 20)}`, false],
    ['no signature', `${h}.${p}.`, false],
    ['alg none', `${b64('{"alg":"none"}')}.${p}.`, false],
    ['alg HS512', json({ alg: 'HS512' }, good), false],
    ['alg RS256', json({ alg: 'RS256' }, good), false],
    ['alg hs256', json({ alg: 'hs256' }, good), false],
    ['no alg', json({}, good), false],
    ['crit b64', json({ alg: 'HS256', crit: ['b64'], b64: false }, good), false],
    ['crit unknown', json({ alg: 'HS256', crit: ['x'], x: 1 }, good), false],
    ['header array', raw('["HS256"]', JSON.stringify(good)), false],
    ['header not JSON', raw('{alg:HS256}', JSON.stringify(good)), false],
    ['payload array', raw('{"alg":"HS256"}', '[1]'), false],
    ['payload null', raw('{"alg":"HS256"}', 'null'), false],
    ['payload not JSON', raw('{"alg":"HS256"}', '{sub:1}'), false],
    ['payload bad UTF-8', raw('{"alg":"HS256"}', Buffer.concat([Buffer.from(`{"sub":"a`), Buffer.from([0xff]), Buffer.from(`","exp":${now() + 600}}`)])), false],
    ['no sub', json({ alg: 'HS256' }, { exp: now() + 600 }), false],
    ['no exp', json({ alg: 'HS256' }, { sub: 'ana' }), false],
    ['exp a string', json({ alg: 'HS256' }, { sub: 'ana', exp: String(now() + 600) }), false],
    ['exp null', json({ alg: 'HS256' }, { sub: 'ana', exp: null }), false],
    ['expired', json({ alg: 'HS256' }, { sub: 'ana', exp: now() - 1 }), false],
    ['exp now', json({ alg: 'HS256' }, { sub: 'ana', exp: now() }), false],
    ['nbf later', json({ alg: 'HS256' }, { ...good, nbf: now() + 60 }), false],
    ['nbf a string', json({ alg: 'HS256' }, { ...good, nbf: String(now()) }), false],
    ['iat a string', json({ alg: 'HS256' }, { ...good, iat: 'yesterday' }), false],
    ['two parts', `${h}.${p}`, false],
    ['four parts', `${signed}.x`, false],
    ['not base64url', `${h}.${p}+/.${sig}`, false],
    ['padding', `${h}=.${p}.${sig}`, false],
    ['empty', '', false],
  ];
  for (const [name, token, accepted] of cases) {
    assert.equal(await joseAccepts(token), accepted, `jose on "${name}"`);
    assert.equal(oursAccepts(token), accepted, `hs256 on "${name}"`);
  }
});

test('answers the claims, and says when a well-signed token expired', () => {
  const verify = hs256Verifier(SECRET);
  const exp = now() + 600;
  assert.deepEqual(verify(json({ alg: 'HS256' }, { sub: 'ana', exp, name: 'Ana', care_role: 'moderator' })), { sub: 'ana', exp, name: 'Ana', care_role: 'moderator' });
  assert.throws(() => verify(json({ alg: 'HS256' }, { sub: 'ana', exp: now() - 5 })), (e: { expired?: boolean }) => e.expired === true);
  assert.throws(() => verify(json({ alg: 'HS256' }, { sub: 'ana', exp: now() - 5 }, OTHER)), (e: { expired?: boolean }) => e.expired === false);
});
