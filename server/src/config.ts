import proxyaddr from 'proxy-addr';
import type { Feature } from '../../src/protocol/index.js';
import type { JobKind } from './jobs/causes.js';
import type { Channels, KindTuning } from './jobs/runner.js';
import type { NotifySettings } from './notify/contract.js';
import { notifySettingsFromEnv } from './notify/settings.js';
import { SERVER_FEATURES } from './pages/features.js';
import { mediaSettingsFromEnv, type MediaSettings } from './media/settings.js';
import { rateLimitsFromEnv, type RateLimitSettings } from './socket/rate-limit.js';
import { checkWebhookSettings, type WebhookDelivery } from './webhook.js';

/** The server's configuration, read once from the environment (SPEC section 5). */
export interface Config {
  port: number;
  /** `sqlite:<file>`, `sqlite::memory:` or `postgres://…`. */
  db: string;
  redisUrl: string | null;
  jwtSecret: string | null;
  jwksUrl: string | null;
  /** Origins allowed on the socket handshake and the REST API; `null` allows any. */
  allowedOrigins: string[] | null;
  demo: boolean;
  /** How many changes per page are kept for catch-up; older gaps get `reset`. */
  changeRetention: number;
  /** Where the built bundle (`/dist/`) and the demo site (`/demo/`) are served from. */
  distDir: string | null;
  demoDir: string | null;
  /** Rate limits per user and per IP (`CARE_RATE_*`, see socket/rate-limit.ts). */
  rateLimits: RateLimitSettings;
  /**
   * The proxies whose `X-Forwarded-For` names the client (`CARE_TRUST_PROXY`): addresses,
   * CIDR ranges or `loopback` / `linklocal` / `uniquelocal`, comma-separated; `none` trusts
   * none. Default `loopback`: a proxy on this machine.
   */
  trustProxy: string[];
  /**
   * How long a visitor whose follow request was declined waits before asking again
   * (`CARE_REQUEST_COOLDOWN_HOURS`, default 168: 7 days; 0 lets them ask at once).
   */
  requestCooldownHours: number;
  /**
   * Reads of a non-public page by the same person are audited once per this many seconds
   * (`CARE_AUDIT_READ_WINDOW`, default 300; 0 audits every read). See README "Audit log".
   */
  auditReadWindowSeconds: number;
  /** Signed notifications are POSTed here (`CARE_WEBHOOK_URL`); unset sends nothing. See webhook.ts. */
  webhookUrl?: string | null;
  /** The HMAC-SHA256 key of `X-Care-Signature` (`CARE_WEBHOOK_SECRET`; required with the URL). */
  webhookSecret?: string | null;
  /** Retry and queue tuning of the webhook; the defaults suit production, tests shorten them. */
  webhookDelivery?: Partial<WebhookDelivery>;
  /**
   * Milliseconds an Engine.IO session may stay open without joining `/care` before the server
   * closes it (Socket.IO's `connectTimeout`, 45 s by default there). Not an environment
   * setting: the real client joins within one round trip; tests shorten it.
   */
  connectTimeoutMs: number;
  /** `CARE_METRICS_TOKEN`: when set, `/metrics` answers only `Authorization: Bearer <it>`; unset, it is open. */
  metricsToken: string | null;
  /**
   * `CARE_MAX_TOKEN_TTL`: the longest, in seconds, a token may still be valid for when it is
   * presented (its `exp` minus now). A longer-lived token is refused `unauthorized`.
   */
  maxTokenTtl: number;
  /**
   * `CARE_FEATURES`: the second-wave features (SPEC 6) this server announces and serves, a
   * comma list of `SERVER_FEATURES` (default: all of them); empty (`CARE_FEATURES=`) makes a
   * first-wave backend, to test widgets against one. Unset in a Config object: all.
   */
  features?: Feature[];
  /**
   * Notifications (SPEC 6.2): SMTP, Web Push, digest hour and zone, rate, link key
   * (`CARE_SMTP_URL`, `CARE_VAPID_*`, `CARE_DIGEST_HOUR`, … see notify/settings.ts). Unset in a
   * Config object: no email, no push, the defaults.
   */
  notify?: NotifySettings;
  /**
   * Photos (SPEC 6.3): size and count limits, storage (`CARE_MEDIA_DIR`), URL key and lifetime
   * (`CARE_MEDIA_*`, see media/settings.ts). Unset in a Config object: the defaults, in the database.
   */
  media?: MediaSettings;
  /** The job queue's clock (milliseconds since the epoch): not an environment setting; tests move it. */
  clock?: () => number;
  /** Retry, lease and concurrency per kind of job; the defaults suit production, tests shorten them. */
  jobTuning?: Partial<Record<JobKind, Partial<KindTuning>>>;
  /** Not an environment setting: channels built in code (tests, embedders), added to or replacing the configured ones. */
  channels?: Channels;
}

/** A session that has not joined `/care` after this long is a client that will not. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** 24 hours: host sites should sign tokens for minutes; this only bounds a mistake or a leak. */
export const DEFAULT_MAX_TOKEN_TTL = 86_400;

export function configFromEnv(env: NodeJS.ProcessEnv, paths: { distDir: string; demoDir: string }): Config {
  const demo = env.CARE_DEMO === '1' || env.CARE_DEMO === 'true';
  const port = env.PORT === undefined ? 8080 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${env.PORT}`);
  const origins = env.CARE_ALLOWED_ORIGINS?.split(',').map((o) => o.trim()).filter(Boolean);
  const webhookUrl = env.CARE_WEBHOOK_URL || null;
  if (webhookUrl) checkWebhookSettings(webhookUrl, env.CARE_WEBHOOK_SECRET);
  return {
    port,
    db: env.CARE_DB ?? 'sqlite:care.db',
    redisUrl: env.REDIS_URL || null,
    jwtSecret: env.CARE_JWT_SECRET || null,
    jwksUrl: env.CARE_JWKS_URL || null,
    allowedOrigins: origins && origins.length > 0 ? origins : null,
    demo,
    changeRetention: Number(env.CARE_CHANGE_RETENTION ?? 10_000),
    distDir: paths.distDir,
    demoDir: demo ? paths.demoDir : null,
    rateLimits: rateLimitsFromEnv(env),
    trustProxy: trustProxyFromEnv(env.CARE_TRUST_PROXY),
    requestCooldownHours: wholeNumber('CARE_REQUEST_COOLDOWN_HOURS', env.CARE_REQUEST_COOLDOWN_HOURS, { fallback: 168, min: 0, unit: 'hours' }),
    auditReadWindowSeconds: wholeNumber('CARE_AUDIT_READ_WINDOW', env.CARE_AUDIT_READ_WINDOW, { fallback: 300, min: 0, unit: 'seconds' }),
    webhookUrl,
    webhookSecret: env.CARE_WEBHOOK_SECRET || null,
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    metricsToken: env.CARE_METRICS_TOKEN || null,
    maxTokenTtl: maxTokenTtlFromEnv(env.CARE_MAX_TOKEN_TTL),
    features: featuresFromEnv(env.CARE_FEATURES),
    notify: notifySettingsFromEnv(env, { port, demo }),
    media: mediaSettingsFromEnv(env),
  };
}

/** `CARE_MAX_TOKEN_TTL`, checked now: a typo must stop the server, not accept year-long tokens. */
export function maxTokenTtlFromEnv(value: string | undefined): number {
  return wholeNumber('CARE_MAX_TOKEN_TTL', value, { fallback: DEFAULT_MAX_TOKEN_TTL, min: 1, unit: 'seconds' });
}

/**
 * `CARE_FEATURES`, checked now: unset is every feature this server has; set (even empty) is
 * exactly the list. An unknown name (a typo, a feature this server lacks) stops the server.
 * `invites` needs `settings` (invitations are managed in the settings panel).
 */
export function featuresFromEnv(value: string | undefined): Feature[] {
  if (value === undefined) return [...SERVER_FEATURES];
  const list = [...new Set(value.split(',').map((v) => v.trim()).filter(Boolean))];
  const unknown = list.filter((f) => !(SERVER_FEATURES as readonly string[]).includes(f));
  if (unknown.length > 0) throw new Error(`CARE_FEATURES must be a comma list of ${SERVER_FEATURES.join(', ')} (or empty), got "${value}"`);
  if (list.includes('invites') && !list.includes('settings')) throw new Error('CARE_FEATURES: "invites" needs "settings"');
  return SERVER_FEATURES.filter((f) => list.includes(f));
}

/** `CARE_TRUST_PROXY`, checked now: a typo must stop the server, not trust the wrong hops. */
export function trustProxyFromEnv(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return ['loopback'];
  const list = value.split(',').map((v) => v.trim()).filter(Boolean);
  if (list.length === 1 && list[0] === 'none') return [];
  try {
    proxyaddr.compile(list);
  } catch (err) {
    throw new Error(`CARE_TRUST_PROXY must be "none" or a comma-separated list of IP addresses, CIDR ranges, loopback, linklocal or uniquelocal: ${(err as Error).message}`);
  }
  return list;
}

/**
 * A whole-number setting: digits only (no `1e5`, `1.0` or `24h`), at least `min`; unset or
 * blank is the default. Anything else stops the server with a message naming the setting.
 */
function wholeNumber(name: string, raw: string | undefined, o: { fallback: number; min: number; unit: string }): number {
  if (raw === undefined || raw.trim() === '') return o.fallback;
  const v = raw.trim();
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Number(v) < o.min) {
    throw new Error(`${name} must be a whole number of ${o.unit} (at least ${o.min}; default ${o.fallback}), got "${raw}"`);
  }
  return Number(v);
}
