import { createHmac, timingSafeEqual } from 'node:crypto';
import type { StaffRole } from '../../../src/protocol/index.js';
import type { Variant } from './blobs.js';

/**
 * Who a signed URL was made for. The image is served only while that viewer may still read
 * the page, checked on every request (media/http.ts): a URL copied out of a private page stops
 * working when it expires or when its viewer loses access, whichever comes first.
 *
 * `anon`: made for anyone (anonymous readers of a public page, and live events on a public
 * page); it works while the page is public. `user`: a signed-in reader, checked against the
 * page's members and follows as they are now. `moderator` / `admin`: staff read every page by
 * their token's role, which cannot be checked again after the fact: for them only the expiry
 * counts.
 */
export interface UrlViewer {
  kind: 'anon' | 'user' | StaffRole;
  userId: string;
}

export const ANYONE: UrlViewer = { kind: 'anon', userId: '' };

/** Expiry times are rounded up to a multiple of this, so URLs stay the same for a while and the browser cache can serve them. */
const BUCKET_SECONDS = 300;

export interface SignedRequest {
  pageId: string;
  mediaId: string;
  variant: Variant;
  viewer: UrlViewer;
  /** Seconds since the epoch. */
  exp: number;
}

/**
 * Signed media URLs: `/media/<pageId>/<mediaId>/<display|thumb>?v=<viewer>&e=<exp>&s=<sig>`,
 * `sig` = HMAC-SHA256 over every part. Page, photo, size, viewer and expiry are all signed: a
 * URL cannot be moved to another page's photo, another size, another viewer or a later time.
 */
export class MediaSigner {
  readonly #key: Buffer;

  constructor(
    key: string,
    private readonly ttlSeconds: number,
    private readonly baseUrl = '',
  ) {
    this.#key = Buffer.from(key, 'utf8');
  }

  /**
   * When URLs made now expire: at least the TTL from now, at most the TTL plus five minutes
   * (rounded up to the next five-minute mark: the same URL for everyone asking within those
   * five minutes, so a refresh or a resubscribe hits the browser's cache).
   */
  expiry(nowMs = Date.now()): number {
    const now = Math.floor(nowMs / 1000);
    return (Math.floor(now / BUCKET_SECONDS) + 1) * BUCKET_SECONDS + this.ttlSeconds;
  }

  url(r: SignedRequest): string {
    const v = encodeViewer(r.viewer);
    const sig = this.#sign(r.pageId, r.mediaId, r.variant, v, r.exp);
    return `${this.baseUrl}/media/${encodeURIComponent(r.pageId)}/${encodeURIComponent(r.mediaId)}/${r.variant}?v=${v}&e=${r.exp}&s=${sig}`;
  }

  /**
   * Checks a request's signature and expiry: `ok` with the viewer, or why not. The signature
   * is compared in constant time before anything else is looked at.
   */
  verify(pageId: string, mediaId: string, variant: string, q: { v?: unknown; e?: unknown; s?: unknown }, nowMs = Date.now()): { ok: true; viewer: UrlViewer; exp: number } | { ok: false; why: 'signature' | 'expired' } {
    if (typeof q.v !== 'string' || typeof q.e !== 'string' || typeof q.s !== 'string' || !/^\d{1,12}$/.test(q.e)) return { ok: false, why: 'signature' };
    if (variant !== 'display' && variant !== 'thumb') return { ok: false, why: 'signature' };
    const expected = Buffer.from(this.#sign(pageId, mediaId, variant, q.v, Number(q.e)));
    const given = Buffer.from(q.s);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, why: 'signature' };
    const viewer = decodeViewer(q.v);
    if (!viewer) return { ok: false, why: 'signature' };
    const exp = Number(q.e);
    if (exp * 1000 <= nowMs) return { ok: false, why: 'expired' };
    return { ok: true, viewer, exp };
  }

  #sign(pageId: string, mediaId: string, variant: string, v: string, exp: number): string {
    return createHmac('sha256', this.#key).update(`care-media-v1\n${pageId}\n${mediaId}\n${variant}\n${v}\n${exp}`).digest('base64url');
  }
}

function encodeViewer(v: UrlViewer): string {
  return Buffer.from(`${v.kind}:${v.userId}`, 'utf8').toString('base64url');
}

function decodeViewer(s: string): UrlViewer | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return null;
  const text = Buffer.from(s, 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  const kind = text.slice(0, colon);
  const userId = text.slice(colon + 1);
  if (kind === 'anon') return userId === '' ? ANYONE : null;
  if ((kind === 'user' || kind === 'moderator' || kind === 'admin') && userId !== '') return { kind, userId };
  return null;
}
