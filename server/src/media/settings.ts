import { createHmac, randomBytes } from 'node:crypto';

/**
 * Photos in journal entries (SPEC 6.3), from the environment, checked at startup: a typo
 * stops the server with a message naming the setting.
 */
export interface MediaSettings {
  /** `CARE_MEDIA_MAX_BYTES`: the largest upload, in bytes (default 10 MB). Larger is `too_large`. */
  maxBytes: number;
  /** `CARE_MEDIA_PER_PAGE`: photos one page may hold, posted or waiting to be (default 500). */
  perPage: number;
  /**
   * `CARE_MEDIA_MAX_PIXELS`: the most pixels (width × height) an upload may declare (default
   * 50 million, a 50-megapixel camera). Checked from the header before anything is decoded,
   * and again by sharp's `limitInputPixels`: a few kilobytes that decode to gigabytes (a
   * decompression bomb) are refused without being decoded.
   */
  maxPixels: number;
  /**
   * `CARE_MEDIA_DIR`: keep the image files in this directory (shared by every node, e.g. a
   * network file system). Unset: in the database, beside everything else.
   */
  dir: string | null;
  /**
   * The HMAC key of signed image URLs: `CARE_MEDIA_SECRET`, else derived from
   * `CARE_JWT_SECRET` (app.ts, also the demo secret), else random for this process (one node
   * only: URLs signed here work only here). Several nodes need the same key.
   */
  secret: string;
  /** `CARE_MEDIA_URL_TTL`: seconds a signed URL stays valid (60–3300, default 900; see signing.ts). */
  urlTtlSeconds: number;
  /**
   * Where image URLs point: `CARE_PUBLIC_URL` when set (the backend's public address, behind a
   * proxy), else nothing: URLs are root-relative (`/media/…`) and a widget resolves them against
   * its `host`.
   */
  baseUrl: string;
  /** Uploads never attached to an entry are deleted after this many hours (default 24). */
  orphanHours: number;
}

export const MEDIA_DEFAULTS = {
  maxBytes: 10 * 1024 * 1024,
  perPage: 500,
  maxPixels: 50_000_000,
  urlTtlSeconds: 900,
  orphanHours: 24,
} as const;

/** The settings of a server configured in code (tests): database storage, a random key. */
export function defaultMediaSettings(overrides: Partial<MediaSettings> = {}): MediaSettings {
  return { ...MEDIA_DEFAULTS, dir: null, secret: '', baseUrl: '', ...overrides };
}

export function mediaSettingsFromEnv(env: NodeJS.ProcessEnv): MediaSettings {
  const secret = env.CARE_MEDIA_SECRET?.trim() ?? '';
  if (secret && secret.length < 16) throw new Error('CARE_MEDIA_SECRET must be at least 16 characters');
  const baseUrl = (env.CARE_PUBLIC_URL?.trim() ?? '').replace(/\/+$/, '');
  return {
    maxBytes: whole('CARE_MEDIA_MAX_BYTES', env.CARE_MEDIA_MAX_BYTES, MEDIA_DEFAULTS.maxBytes, 1024, 200 * 1024 * 1024, 'bytes'),
    perPage: whole('CARE_MEDIA_PER_PAGE', env.CARE_MEDIA_PER_PAGE, MEDIA_DEFAULTS.perPage, 1, 1_000_000, 'photos'),
    maxPixels: whole('CARE_MEDIA_MAX_PIXELS', env.CARE_MEDIA_MAX_PIXELS, MEDIA_DEFAULTS.maxPixels, 1_000_000, 268_402_689, 'pixels'),
    dir: env.CARE_MEDIA_DIR?.trim() || null,
    secret,
    urlTtlSeconds: whole('CARE_MEDIA_URL_TTL', env.CARE_MEDIA_URL_TTL, MEDIA_DEFAULTS.urlTtlSeconds, 60, 3300, 'seconds'),
    baseUrl,
    orphanHours: MEDIA_DEFAULTS.orphanHours,
  };
}

/**
 * The URL key in effect: the configured one, else one derived from the JWT secret (HMAC with
 * a fixed label: knowing the URL key says nothing about the token key), else random.
 */
export function mediaKey(settings: MediaSettings, jwtSecret: string | null): string {
  if (settings.secret) return settings.secret;
  if (jwtSecret) return createHmac('sha256', jwtSecret).update('care-widgets media url key v1').digest('hex');
  return randomBytes(32).toString('hex');
}

function whole(name: string, raw: string | undefined, fallback: number, min: number, max: number, unit: string): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = raw.trim();
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new Error(`${name} must be a whole number from ${min} to ${max} (${unit}; default ${fallback}), got "${raw}"`);
  return Number(v);
}
