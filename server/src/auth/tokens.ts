import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { CareFailure } from '../errors.js';
import { hs256Verifier, Hs256Error } from './hs256.js';
import { isWellFormed, toWellFormed } from '../unicode.js';
import type { Identity } from './identity.js';

export interface TokenVerifier {
  verify(token: string): Promise<Identity>;
}

const MAX_TOKEN_LENGTH = 8_192;
/** Slack for the issuer's clock running ahead of ours, so a token of exactly the maximum passes. */
const CLOCK_SKEW_SECONDS = 60;

/**
 * Verifies the host site's JWTs with `jose`. The accepted algorithms are pinned to the key
 * kind (HS256 for a shared secret, RS256/ES256 for a JWKS), so `alg: none` and algorithm
 * confusion (an HS256 token signed with a public key) are refused by construction.
 */
/**
 * `maxTtlSeconds` (`CARE_MAX_TOKEN_TTL`) bounds how long a token may still be valid for when it
 * is presented: `exp` minus now, not `exp` minus `iat`. The question is how long a leaked token
 * stays usable from here on, and `iat` is whatever the issuer wrote (an `iat` set in the future
 * would make a year-long token look short). Checked on every verification, so the handshake,
 * `session:refresh` and the REST API refuse the same tokens.
 */
export function createTokenVerifier(opts: { secret: string | null; jwksUrl: string | null; maxTtlSeconds: number }): TokenVerifier {
  const maxTtl = opts.maxTtlSeconds;
  // A shared secret is checked synchronously (hs256.ts: the handshake's hot path); a JWKS by jose.
  let check: (token: string) => Promise<JWTPayload> | JWTPayload;
  if (opts.jwksUrl) {
    const jwks: JWTVerifyGetKey = createRemoteJWKSet(new URL(opts.jwksUrl));
    check = async (token) => (await jwtVerify(token, jwks, { algorithms: ['RS256', 'ES256'], requiredClaims: ['sub', 'exp'] })).payload;
  } else if (opts.secret) {
    check = hs256Verifier(new TextEncoder().encode(opts.secret));
  } else {
    throw new Error('Set CARE_JWT_SECRET (HS256) or CARE_JWKS_URL (RS256/ES256) so tokens can be verified.');
  }

  return {
    async verify(token: string): Promise<Identity> {
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
        throw new CareFailure('unauthorized', 'The token is missing or malformed.');
      }
      let payload: JWTPayload;
      try {
        payload = await check(token);
      } catch (err) {
        const expired = err instanceof errors.JWTExpired || (err instanceof Hs256Error && err.expired);
        const why = expired ? 'The token has expired.' : 'The token could not be verified.';
        throw new CareFailure('unauthorized', why);
      }
      // The check required `exp` as a number above; the cast is for the type only.
      if ((payload.exp as number) - Date.now() / 1000 > maxTtl + CLOCK_SKEW_SECONDS) {
        throw new CareFailure('unauthorized', `The token is valid for too long: its exp may be at most ${maxTtl} seconds from now (CARE_MAX_TOKEN_TTL).`);
      }
      return identityFromClaims(payload);
    },
  };
}

function identityFromClaims(claims: JWTPayload): Identity {
  const sub = claims.sub;
  // A user id with a lone surrogate would be stored as another id (see unicode.ts).
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 128 || !isWellFormed(sub)) {
    throw new CareFailure('unauthorized', 'The token has no usable subject.');
  }
  // The display name is only shown: mended rather than refused, so what is stored is what is shown.
  const name = typeof claims.name === 'string' && claims.name.trim() ? toWellFormed(claims.name.trim().slice(0, 100)) : sub;
  const role = claims.care_role;
  const staff = role === 'moderator' || role === 'admin' ? role : null;
  const identity: Identity = { userId: sub, name, staff, exp: typeof claims.exp === 'number' ? claims.exp : null };
  const email = emailClaim(claims.email);
  if (email !== null) identity.email = email;
  return identity;
}

/**
 * The `email` claim when it looks like an address: one `@` with something on each side, a dot
 * in the domain, no white space or control characters, at most 254 characters (RFC 5321's
 * path limit). Anything else is ignored, not refused: the token still signs the person in.
 */
export function emailClaim(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim();
  if (v.length === 0 || v.length > 254 || !isWellFormed(v)) return null;
  return /^[^\s@<>()[\],;:"\\\p{Cc}]+@[^\s@<>()[\],;:"\\\p{Cc}]+\.[^\s@<>()[\],;:"\\\p{Cc}]+$/u.test(v) ? v : null;
}
