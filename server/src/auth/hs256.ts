import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HS256 JWT verification in one synchronous HMAC, for the handshake of every signed-in socket.
 *
 * Why not `jose` here (it still verifies JWKS tokens, tokens.ts): its `jwtVerify` with a
 * shared secret imports the key into WebCrypto on every call and verifies on the thread pool
 * through a promise, ~170–460 µs a token under load against ~26 µs for `createHmac` (measured
 * on this machine); in a wave of 10,000 connects that was the largest single cost of ours
 * over a bare server (8 % of the server's CPU, bench/connects.ts with `--cpu-prof`).
 *
 * What it accepts is jose's `jwtVerify(token, secret, { algorithms: ['HS256'], requiredClaims:
 * ['sub', 'exp'] })`, checked against jose on the same tokens in test/hs256.test.ts: three
 * base64url parts; a header that is a JSON object with `alg: "HS256"` (no `crit`: jose
 * refuses every extension it does not know, and this verifier knows none); a signature equal
 * (in constant time) to HMAC-SHA256 of the first two parts; a payload that is a JSON object
 * in valid UTF-8 with `sub` and `exp`; `iat`, `nbf` and `exp` numbers where present; not
 * before `nbf`, and expired once `exp` is not after now (whole seconds).
 */

export class Hs256Error extends Error {
  constructor(
    message: string,
    /** The token was well signed but its `exp` has passed. */
    readonly expired = false,
  ) {
    super(message);
  }
}

const PART = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function jsonObject(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(Buffer.from(part, 'base64url')));
  } catch {
    throw new Hs256Error(`The ${what} is not valid JSON.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Hs256Error(`The ${what} is not a JSON object.`);
  return value as Record<string, unknown>;
}

function numericDate(claims: Record<string, unknown>, claim: string, required: boolean): number | undefined {
  const value = claims[claim];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number') throw new Hs256Error(`"${claim}" must be a number.`);
  return value;
}

/** A verifier for one secret: answers the claims, or throws `Hs256Error`. */
export function hs256Verifier(secret: Uint8Array): (token: string) => Record<string, unknown> {
  const key = Buffer.from(secret);
  return (token) => {
    const parts = token.split('.');
    if (parts.length !== 3) throw new Hs256Error('A JWT has three parts.');
    const [header, payload, signature] = parts as [string, string, string];
    if (!PART.test(header) || !PART.test(payload) || !PART.test(signature)) throw new Hs256Error('A JWT part is not base64url.');
    const h = jsonObject(header, 'header');
    if (h.alg !== 'HS256') throw new Hs256Error('Only HS256 is accepted.');
    if (h.crit !== undefined) throw new Hs256Error('No JWS extension is supported.');
    const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Hs256Error('The signature does not match.');
    const claims = jsonObject(payload, 'payload');
    for (const required of ['sub', 'exp']) if (!Object.hasOwn(claims, required)) throw new Hs256Error(`The "${required}" claim is missing.`);
    const now = Math.floor(Date.now() / 1000);
    numericDate(claims, 'iat', false);
    const nbf = numericDate(claims, 'nbf', false);
    if (nbf !== undefined && nbf > now) throw new Hs256Error('The token is not valid yet.');
    const exp = numericDate(claims, 'exp', true)!;
    if (exp <= now) throw new Hs256Error('The token has expired.', true);
    return claims;
  };
}
