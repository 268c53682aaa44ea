import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * Rate limits (issue 4, "abuse resistance"), built on `rate-limiter-flexible`.
 *
 * Every write event (`journal:*`, `wall:*`, `follow:*`, `page:configure`, `member:remove`,
 * `invite:*`, `notify:set`, `push:*`, `task:*`) and every read that costs a query (`page:subscribe`,
 * `history:load`, `page:settings`, `notify:get`) consumes one point from the caller's user budget (the
 * token's `sub`; anonymous sockets have none) AND from their IP's budget; a socket handshake
 * consumes one point from its IP's handshake budget. A call over either budget is answered
 * `rate_limited` without running; the socket stays connected and nobody else is affected.
 *
 * Configuration by environment, each `<points>/<seconds>` (e.g. `30/10`), or `off`:
 *
 * | variable                | default   | budget                                          |
 * | ----------------------- | --------- | ----------------------------------------------- |
 * | `CARE_RATE_WRITES`      | `30/10`   | writes per user                                 |
 * | `CARE_RATE_WRITES_IP`   | `120/10`  | writes per IP (all users and anonymous sockets) |
 * | `CARE_RATE_READS`       | `60/10`   | `page:subscribe` + `history:load` per user      |
 * | `CARE_RATE_READS_IP`    | `240/10`  | `page:subscribe` + `history:load` per IP        |
 * | `CARE_RATE_HANDSHAKES`  | `120/60`  | socket connection attempts per IP               |
 *
 * The handshake budget is enforced twice. A `/care` connect draws on it in the namespace
 * middleware, where an over-budget client gets a typed `rate_limited` connect_error it can
 * show. Below that, every new Engine.IO session (the transport a namespace connect rides on)
 * draws on a budget of twice as many points in the same window (`session()`, checked in
 * `allowRequest`), so a script that opens sessions and never connects a namespace is cut off
 * too. Twice, so a well-behaved client (one session, one connect) always meets the friendly
 * namespace refusal first; the session cap only stops traffic that skips the namespace.
 *
 * `CARE_RATE_LIMITS=off` turns every limit off (load tests; a deployment that limits in its
 * proxy). The IP is the connection's, or, when that is a proxy on the loopback interface, the
 * client it names in `X-Forwarded-For` (see `clientIp` in handshake.ts). Counters live in this process's memory; `createRateLimiter(settings, { redis })`
 * keeps them in Redis instead, so several nodes share one budget per user and IP.
 */

/** `points` calls per `duration` seconds; `null` is no limit. */
export interface RateRule {
  points: number;
  duration: number;
}

export interface RateLimitSettings {
  writesPerUser: RateRule | null;
  writesPerIp: RateRule | null;
  readsPerUser: RateRule | null;
  readsPerIp: RateRule | null;
  handshakesPerIp: RateRule | null;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  writesPerUser: { points: 30, duration: 10 },
  writesPerIp: { points: 120, duration: 10 },
  readsPerUser: { points: 60, duration: 10 },
  readsPerIp: { points: 240, duration: 10 },
  // Generous: one page load is one handshake, and many families may share a hospital's NAT.
  handshakesPerIp: { points: 120, duration: 60 },
};

export const NO_RATE_LIMITS: RateLimitSettings = {
  writesPerUser: null,
  writesPerIp: null,
  readsPerUser: null,
  readsPerIp: null,
  handshakesPerIp: null,
};

const ENV_NAMES: Record<keyof RateLimitSettings, string> = {
  writesPerUser: 'CARE_RATE_WRITES',
  writesPerIp: 'CARE_RATE_WRITES_IP',
  readsPerUser: 'CARE_RATE_READS',
  readsPerIp: 'CARE_RATE_READS_IP',
  handshakesPerIp: 'CARE_RATE_HANDSHAKES',
};

function parseRule(name: string, value: string): RateRule | null {
  const v = value.trim().toLowerCase();
  if (v === 'off' || v === '0') return null;
  const m = /^(\d+)\s*\/\s*(\d+)\s*s?$/.exec(v);
  const points = m ? Number(m[1]) : NaN;
  const duration = m ? Number(m[2]) : NaN;
  if (!m || points < 1 || duration < 1) throw new Error(`${name} must be "<points>/<seconds>" (e.g. "30/10") or "off", got "${value}"`);
  return { points, duration };
}

/** Reads the `CARE_RATE_*` variables documented above over the defaults. */
export function rateLimitsFromEnv(env: NodeJS.ProcessEnv): RateLimitSettings {
  const all = env.CARE_RATE_LIMITS?.trim().toLowerCase();
  if (all === 'off' || all === '0' || all === 'false') return { ...NO_RATE_LIMITS };
  const out = { ...DEFAULT_RATE_LIMITS };
  for (const key of Object.keys(ENV_NAMES) as (keyof RateLimitSettings)[]) {
    const raw = env[ENV_NAMES[key]];
    if (raw !== undefined && raw.trim() !== '') out[key] = parseRule(ENV_NAMES[key], raw);
  }
  return out;
}

export type RateScope = 'write' | 'read';

/** Which budget a client event draws on; `null` is not limited (unsubscribe, session refresh). */
export function eventScope(event: string): RateScope | null {
  if (event === 'page:subscribe' || event === 'history:load' || event === 'page:settings' || event === 'notify:get') return 'read';
  if (event.startsWith('journal:') || event.startsWith('wall:') || event.startsWith('follow:')) return 'write';
  // SPEC 6.1's changes, and `invite:accept`: every guess at a code costs a write point of the
  // user and of the IP (the code's 192 bits do the rest).
  if (event === 'page:configure' || event === 'member:remove' || event.startsWith('invite:')) return 'write';
  // SPEC 6.2: choices and browser registrations are writes (each one a row and an audit entry).
  if (event === 'notify:set' || event.startsWith('push:')) return 'write';
  // SPEC 6.4: every task call is a change with its audit row (a sign-up too).
  if (event.startsWith('task:')) return 'write';
  return null;
}

/** Milliseconds to wait before retrying, or `null` when the call may go ahead. */
export type Verdict = number | null;

export interface RateLimiter {
  /** Consumes one point of `scope` for the user (if signed in) and the IP (if known). */
  call(scope: RateScope, userId: string | null, ip: string | null): Promise<Verdict>;
  /** Consumes one handshake point for the IP. */
  handshake(ip: string | null): Promise<Verdict>;
  /** Consumes one point of the IP's Engine.IO session budget (twice the handshake budget). */
  session(ip: string | null): Promise<Verdict>;
}

export interface RateLimiterOptions {
  /**
   * A connected Redis client (ioredis, or node-redis v4+ with `useRedisPackage: true`) to keep
   * the counters in, shared by every node. Each Redis limiter falls back to an in-memory one
   * of the same budget while Redis fails.
   */
  redis?: { client: unknown; useRedisPackage?: boolean };
  /** Prefix of every counter key (several deployments on one Redis). */
  keyPrefix?: string;
}

/** A human answer for `rate_limited`: says when to try again. */
export function retryMessage(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  return `Too many requests; try again in ${s} second${s === 1 ? '' : 's'}.`;
}

/** Builds the limiter for these settings; rules that are `null` are not checked at all. */
export function createRateLimiter(settings: RateLimitSettings, opts: RateLimiterOptions = {}): RateLimiter {
  const prefix = opts.keyPrefix ?? 'care-rl';
  const make = (name: string, rule: RateRule | null): RateLimiterAbstract | null => {
    if (!rule) return null;
    const base = { keyPrefix: `${prefix}:${name}`, points: rule.points, duration: rule.duration };
    if (!opts.redis) return new RateLimiterMemory(base);
    return new RateLimiterRedis({
      ...base,
      storeClient: opts.redis.client,
      useRedisPackage: opts.redis.useRedisPackage,
      insuranceLimiter: new RateLimiterMemory(base),
    });
  };
  const limiters = {
    write: { user: make('w-user', settings.writesPerUser), ip: make('w-ip', settings.writesPerIp) },
    read: { user: make('r-user', settings.readsPerUser), ip: make('r-ip', settings.readsPerIp) },
    handshake: make('hs-ip', settings.handshakesPerIp),
    session: make('eio-ip', settings.handshakesPerIp && { points: settings.handshakesPerIp.points * 2, duration: settings.handshakesPerIp.duration }),
  };

  let warned = false;
  /** Consumes a point on each limiter; the longest wait among the refusals, or `null`. */
  async function consume(pairs: [RateLimiterAbstract | null, string | null][]): Promise<Verdict> {
    const tries = pairs.filter((p): p is [RateLimiterAbstract, string] => p[0] !== null && p[1] !== null);
    if (tries.length === 0) return null;
    const results = await Promise.allSettled(tries.map(([l, key]) => l.consume(key)));
    let wait: Verdict = null;
    for (const r of results) {
      if (r.status === 'fulfilled') continue;
      if (r.reason instanceof RateLimiterRes) {
        wait = Math.max(wait ?? 1, r.reason.msBeforeNext);
        continue;
      }
      // The store failed (and no insurance limiter answered): let the call through rather
      // than lock every patient out, and say so once.
      if (!warned) {
        warned = true;
        console.error('[care] rate limiter store failed; letting calls through:', r.reason);
      }
    }
    return wait;
  }

  return {
    call(scope, userId, ip) {
      const l = limiters[scope];
      return consume([
        [l.user, userId],
        [l.ip, ip],
      ]);
    },
    handshake(ip) {
      return consume([[limiters.handshake, ip]]);
    },
    session(ip) {
      return consume([[limiters.session, ip]]);
    },
  };
}
