import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { NotifySettings } from './contract.js';

/**
 * The two links every notification email carries, both through this backend
 * (`CARE_PUBLIC_URL`), both sealed so nothing in them can be read or forged:
 *
 * - **Open**: `/notify/open?t=…` answers a 302 to the hospital's page (`CARE_PAGE_URL` with
 *   `{pageId}`). Page ids are often the patient's name as a slug (`jane-doe`), so a link that
 *   named the page would put the name in every email, in mail logs, scanners and forwarded
 *   copies. The email carries a sealed token instead; the id appears only in the redirect,
 *   which the recipient's own browser follows to the hospital, where sign-in decides what is
 *   shown.
 * - **Unsubscribe**: `/notify/unsubscribe?t=…` (RFC 8058 one-click, see http.ts) names the user,
 *   the page (or every page, for the daily digest) and what stops: the page's emails, or (a
 *   planner reminder's link) its reminders. It never expires: RFC 8058 links must keep working
 *   for as long as the email exists.
 *
 * Tokens are AES-256-GCM sealed, not merely signed: a signed base64 JSON token would still show
 * the page id (and the user id) to anyone who decodes it. GCM's tag authenticates them (a
 * forged or altered token fails, the tag compared in constant time by OpenSSL), and the
 * random IV makes two links to one page look unrelated. Each purpose has its own key (HKDF
 * from `CARE_NOTIFY_SECRET`), so an open token is never accepted as an unsubscribe token.
 *
 * Layout (base64url): version byte (1) · IV (12) · ciphertext of the JSON · tag (16). The
 * version byte lets the format or the key derivation change later while old links keep
 * working; `previousLinkSecrets` lets the secret rotate: links are sealed with the current
 * secret and opened with any of them.
 */
export class NotifyLinks {
  readonly #publicUrl: string;
  readonly #pageUrl: string;
  /** Current key first; each tried in turn when opening. */
  readonly #keys: Record<Purpose, Buffer[]>;

  constructor(settings: Pick<NotifySettings, 'publicUrl' | 'pageUrl' | 'linkSecret' | 'previousLinkSecrets'>) {
    if (settings.linkSecret.length < 16) throw new Error('The notification link secret must have at least 16 characters.');
    this.#publicUrl = settings.publicUrl.replace(/\/+$/, '');
    this.#pageUrl = settings.pageUrl;
    const secrets = [settings.linkSecret, ...(settings.previousLinkSecrets ?? [])];
    this.#keys = {
      unsubscribe: secrets.map((s) => deriveKey(s, 'unsubscribe')),
      open: secrets.map((s) => deriveKey(s, 'open')),
    };
  }

  /**
   * The one-click unsubscribe URL for `userId`'s emails about `pageId`, or about every page
   * (`null`); with `what: 'reminders'`, for the page's planner reminders (SPEC 6.4).
   */
  unsubscribe(userId: string, pageId: string | null, what: UnsubscribeScope = 'email'): string {
    const claims: UnsubscribeClaims = { u: userId, p: pageId, c: what };
    return `${this.#publicUrl}/notify/unsubscribe?t=${this.#seal('unsubscribe', claims)}`;
  }

  /** The link to the page, through this backend (see above). */
  open(pageId: string): string {
    const claims: OpenClaims = { p: pageId };
    return `${this.#publicUrl}/notify/open?t=${this.#seal('open', claims)}`;
  }

  /** What an unsubscribe token says, or `null` for anything malformed, altered or forged. */
  readUnsubscribe(token: unknown): { userId: string; pageId: string | null; channel: UnsubscribeScope } | null {
    const c = this.#unseal('unsubscribe', token) as Partial<UnsubscribeClaims> | null;
    if (!c || typeof c.u !== 'string' || c.u === '' || !(c.p === null || (typeof c.p === 'string' && c.p !== ''))) return null;
    // Reminders are per page: a page-less reminders token is no token we ever made.
    if (c.c !== 'email' && !(c.c === 'reminders' && c.p !== null)) return null;
    return { userId: c.u, pageId: c.p, channel: c.c };
  }

  /** The page an open token names, or `null`. */
  readOpen(token: unknown): string | null {
    const c = this.#unseal('open', token) as Partial<OpenClaims> | null;
    return c && typeof c.p === 'string' && c.p !== '' ? c.p : null;
  }

  /** The hospital's page: `CARE_PAGE_URL` with `{pageId}` replaced (URL-encoded). */
  pageUrl(pageId: string): string {
    return this.#pageUrl.replaceAll('{pageId}', encodeURIComponent(pageId));
  }

  #seal(purpose: Purpose, claims: object): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#keys[purpose][0]!, iv);
    cipher.setAAD(VERSION_BYTE);
    const body = Buffer.concat([cipher.update(JSON.stringify(claims), 'utf8'), cipher.final()]);
    return Buffer.concat([VERSION_BYTE, iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  #unseal(purpose: Purpose, token: unknown): unknown {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.length < 1 + IV_BYTES + 1 + TAG_BYTES || bytes[0] !== VERSION) return null;
    const iv = bytes.subarray(1, 1 + IV_BYTES);
    const body = bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    for (const key of this.#keys[purpose]) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(VERSION_BYTE);
        decipher.setAuthTag(tag);
        const json = Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
        return JSON.parse(json) as unknown;
      } catch {
        // Not this key (or not a token at all): the tag did not verify.
      }
    }
    return null;
  }
}

type Purpose = 'unsubscribe' | 'open';
/** What an unsubscribe link stops: a page's (or every page's) emails, or a page's planner reminders. */
export type UnsubscribeScope = 'email' | 'reminders';
interface UnsubscribeClaims {
  u: string;
  p: string | null;
  c: UnsubscribeScope;
}
interface OpenClaims {
  p: string;
}

const VERSION = 1;
const VERSION_BYTE = Buffer.from([VERSION]);
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Far above any real token (ids are ≤ 128 characters), far below anything worth parsing. */
const MAX_TOKEN_CHARS = 2048;

function deriveKey(secret: string, purpose: Purpose): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'care-widgets notify links', `v${VERSION} ${purpose}`, 32));
}
