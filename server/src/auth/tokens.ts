import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { CareFailure } from '../errors.js';
import type { Identity } from './identity.js';

export interface TokenVerifier {
  verify(token: string): Promise<Identity>;
}

const MAX_TOKEN_LENGTH = 8_192;

/**
 * Verifies the host site's JWTs with `jose`. The accepted algorithms are pinned to the key
 * kind (HS256 for a shared secret, RS256/ES256 for a JWKS), so `alg: none` and algorithm
 * confusion (an HS256 token signed with a public key) are refused by construction.
 */
export function createTokenVerifier(opts: { secret: string | null; jwksUrl: string | null }): TokenVerifier {
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (opts.jwksUrl) {
    key = createRemoteJWKSet(new URL(opts.jwksUrl));
    algorithms = ['RS256', 'ES256'];
  } else if (opts.secret) {
    key = new TextEncoder().encode(opts.secret);
    algorithms = ['HS256'];
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
        // jose's overloads differ for a key and a key getter; both are valid here.
        ({ payload } = typeof key === 'function'
          ? await jwtVerify(token, key, { algorithms, requiredClaims: ['sub', 'exp'] })
          : await jwtVerify(token, key, { algorithms, requiredClaims: ['sub', 'exp'] }));
      } catch (err) {
        const why = err instanceof errors.JWTExpired ? 'The token has expired.' : 'The token could not be verified.';
        throw new CareFailure('unauthorized', why);
      }
      return identityFromClaims(payload);
    },
  };
}

function identityFromClaims(claims: JWTPayload): Identity {
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 128) {
    throw new CareFailure('unauthorized', 'The token has no usable subject.');
  }
  const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 100) : sub;
  const role = claims.care_role;
  const staff = role === 'moderator' || role === 'admin' ? role : null;
  return { userId: sub, name, staff, exp: typeof claims.exp === 'number' ? claims.exp : null };
}
