import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import { PROTOCOL_VERSION, type ConnectErrorData } from '../../../src/protocol/index.js';
import type { TokenVerifier } from '../auth/tokens.js';
import { CareFailure } from '../errors.js';
import type { Metrics } from '../metrics.js';
import { retryMessage, type RateLimiter } from './rate-limit.js';
import type { CareSocket } from './types.js';

type Next = (err?: Error) => void;

function refuse(next: Next, metrics: Metrics, data: ConnectErrorData, message: string): void {
  metrics.handshakesRefused.inc({ code: data.code });
  const err = new Error(message) as Error & { data: ConnectErrorData };
  err.data = data;
  next(err);
}

/**
 * The namespace middleware: checks the protocol version and the token in the handshake
 * `auth`. A token that fails verification is refused with `unauthorized`, never silently
 * downgraded to anonymous: the host site meant this visitor to be signed in.
 */
export function handshake(verifier: TokenVerifier, metrics: Metrics, trustProxy: TrustProxy, limiter?: RateLimiter) {
  const check = (socket: CareSocket, next: Next): void => {
    const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
    const version = auth.protocolVersion;
    if (version !== undefined && version !== PROTOCOL_VERSION) {
      refuse(next, metrics, { code: 'unsupported_protocol', protocolVersion: PROTOCOL_VERSION }, `This server speaks care-widgets protocol ${PROTOCOL_VERSION}, the client ${String(version)}.`);
      return;
    }
    socket.data.expired = false;
    const token = auth.token;
    if (token === undefined || token === null || token === '') {
      socket.data.identity = null;
      next();
      return;
    }
    if (typeof token !== 'string') {
      refuse(next, metrics, { code: 'unauthorized' }, 'The token must be a string.');
      return;
    }
    // Not kept on the socket once read: a credential held for the life of every connection
    // that nothing reads again (a few hundred bytes each), and `fetchSockets()` would copy it
    // between nodes.
    delete auth.token;
    verifier.verify(token).then(
      (identity) => {
        socket.data.identity = identity;
        next();
      },
      (err: unknown) => refuse(next, metrics, { code: 'unauthorized' }, err instanceof CareFailure ? err.message : 'The token could not be verified.'),
    );
  };
  // Connection attempts per IP are counted first, before any token is verified.
  return (socket: CareSocket, next: Next): void => {
    socket.data.ip = clientIp(socket.request, trustProxy);
    if (!limiter) return check(socket, next);
    limiter.handshake(socket.data.ip).then(
      (wait) => (wait === null ? check(socket, next) : refuse(next, metrics, { code: 'rate_limited' }, retryMessage(wait))),
      () => check(socket, next),
    );
  };
}

/** Which proxies may name the client in `X-Forwarded-For` (`CARE_TRUST_PROXY`), compiled. */
export type TrustProxy = ReturnType<typeof proxyaddr.compile>;

/**
 * The caller's IP, for rate limits and the audit log. Read the same way as the REST API's
 * `req.ip` (Express uses proxy-addr too, with the same `CARE_TRUST_PROXY` list): walking
 * `X-Forwarded-For` from the right, each hop is believed only while the hop that added it is
 * a trusted proxy; anyone else is who they connect from.
 */
export function clientIp(req: Pick<IncomingMessage, 'headers' | 'socket'>, trust: TrustProxy): string | null {
  if (!req.socket.remoteAddress) return null;
  return proxyaddr(req as IncomingMessage, trust);
}

/** Whether a request's `Origin` may use this server (`null` list: any). */
export function originAllowed(allowed: string[] | null, origin: string | undefined): boolean {
  if (allowed === null) return true;
  // Non-browser clients send no Origin; browsers always do on cross-origin requests.
  if (origin === undefined) return true;
  return allowed.includes(origin);
}
