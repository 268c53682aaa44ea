import { createHmac } from 'node:crypto';
import type { Channel, DeliveryJob, SendOutcome, WebhookPayload } from './notify/contract.js';

/**
 * The signed notification webhook (issue 4, "notifications without health information").
 *
 * When `CARE_WEBHOOK_URL` is set (with `CARE_WEBHOOK_SECRET`, required then), the server POSTs
 * one JSON object to it after each of these changes committed:
 *
 * | `type`             | sent when                                   | fields                                              |
 * | ------------------ | ------------------------------------------- | --------------------------------------------------- |
 * | `journal.posted`   | a new journal entry (not on edits, retries) | `type, pageId, entryId, seq, followerCount, at`     |
 * | `follow.requested` | someone asks to follow a private page       | `type, pageId, userId, pendingCount, at`            |
 * | `follow.approved`  | the owner approves a follow request         | `type, pageId, userId, followerCount, at`           |
 *
 * Ids and counts only: never titles, bodies, display names or messages, so the hospital's own
 * mailer can say "there is a new update, sign in to read it" without handling health
 * information. `at` is when the change happened (ISO 8601, UTC).
 *
 * Headers of every request:
 * - `Content-Type: application/json`
 * - `X-Care-Event`: the `type`
 * - `X-Care-Delivery`: a UUID, unique per notification and the same on each retry of it (use
 *   it to drop duplicates: delivery is at-least-once)
 * - `X-Care-Timestamp`: Unix seconds when this attempt was signed
 * - `X-Care-Signature: sha256=<hex>`: HMAC-SHA256, keyed with the secret, of the string
 *   `` `${timestamp}.${rawBody}` `` (the timestamp header, a dot, the body bytes exactly as
 *   received). To verify: recompute it over the raw body (before any JSON parsing), compare in
 *   constant time, and reject timestamps more than a few minutes old to stop replays. The same
 *   scheme as Stripe's `Stripe-Signature`.
 *
 * Delivery: asynchronous, through the one job queue (jobs/): the change writes its cause in
 * its own transaction (so a notification exists iff its change committed, with no gap after
 * the commit), the runner turns the cause into a `webhook` job, and sends it; it never delays
 * or fails the socket call that caused it. An attempt fails on a network error, a timeout
 * (5 s) or any status but 2xx (redirects are not followed); failed attempts are retried with
 * exponential backoff (1 s, 2 s, 4 s, 8 s, 16 s: six attempts in all), then given up, logged
 * and audited (`notify.failed`). Webhook jobs waiting are bounded (1,000; beyond it new ones
 * are dropped and logged); a crash or restart loses none once queued, and all nodes of a
 * cluster share the queue. A notification whose sender died mid-attempt is sent again after
 * its lease (timeout + 5 s): at-least-once. Outcomes are counted in
 * `care_webhook_deliveries_total{outcome}`: `delivered`, `retried` (an attempt failed, another
 * follows), `failed` (gave up), `dropped` (queue full), and in
 * `care_notifications_total{channel="webhook"}` with the other channels.
 */

/** Delivery tuning; the defaults suit production, tests shorten the delays. */
export interface WebhookDelivery {
  /** Attempts per notification, the first included. */
  maxAttempts: number;
  /** Delay before the first retry; each further one doubles it, up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Per attempt, from sending the request to the response headers. */
  timeoutMs: number;
  /** Notifications waiting or in flight; beyond it new ones are dropped. */
  maxQueue: number;
  /** Requests in flight at once, per node. */
  concurrency: number;
}

export const DEFAULT_WEBHOOK_DELIVERY: WebhookDelivery = {
  maxAttempts: 6,
  retryBaseMs: 1_000,
  retryMaxMs: 60_000,
  timeoutMs: 5_000,
  maxQueue: 1_000,
  concurrency: 4,
};

export const SIGNATURE_HEADER = 'X-Care-Signature';
export const TIMESTAMP_HEADER = 'X-Care-Timestamp';
export const DELIVERY_HEADER = 'X-Care-Delivery';
export const EVENT_HEADER = 'X-Care-Event';

/** `sha256=<hex HMAC-SHA256 of "${timestamp}.${body}">`, the value of `X-Care-Signature`. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** Checks the webhook settings; throws a message an operator can act on. */
export function checkWebhookSettings(url: string, secret: string | null | undefined): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`CARE_WEBHOOK_URL must be an http(s) URL, got "${url}"`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`CARE_WEBHOOK_URL must be an http(s) URL, got "${url}"`);
  if (!secret) throw new Error('CARE_WEBHOOK_SECRET is required when CARE_WEBHOOK_URL is set');
  if (secret.length < 16) throw new Error('CARE_WEBHOOK_SECRET must be at least 16 characters');
}

/**
 * The webhook as a channel of the job queue (jobs/runner.ts): one POST per `webhook` job, the
 * job's id as `X-Care-Delivery` (the same on each retry), signed at each attempt. Retries,
 * backoff, leases and the give-up are the runner's, tuned by `WebhookDelivery`.
 */
export class WebhookChannel implements Channel<WebhookPayload> {
  readonly kind = 'webhook' as const;
  private readonly aborts = new Set<AbortController>();

  constructor(private readonly options: { url: string; secret: string; timeoutMs: number }) {
    checkWebhookSettings(options.url, options.secret);
  }

  async send(job: DeliveryJob<WebhookPayload>): Promise<SendOutcome> {
    const body = job.payload;
    const abort = new AbortController();
    this.aborts.add(abort);
    const timeout = setTimeout(() => abort.abort(), this.options.timeoutMs);
    try {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const res = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'care-widgets-webhook/1',
          [EVENT_HEADER]: eventOf(body),
          [DELIVERY_HEADER]: job.id,
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signWebhook(this.options.secret, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: abort.signal,
      });
      await res.body?.cancel().catch(() => {});
      if (res.status >= 200 && res.status < 300) return { ok: true };
      return { ok: false, retry: true, reason: `HTTP ${res.status}` };
    } catch (err) {
      return { ok: false, retry: true, reason: abort.signal.aborted ? `no answer within ${this.options.timeoutMs} ms` : String((err as Error)?.cause ?? err) };
    } finally {
      clearTimeout(timeout);
      this.aborts.delete(abort);
    }
  }

  /** Aborts requests in flight: their jobs stay queued, held until their lease runs out. */
  async close(): Promise<void> {
    for (const a of this.aborts) a.abort();
  }
}

function eventOf(body: string): string {
  try {
    return String((JSON.parse(body) as { type?: unknown }).type ?? '');
  } catch {
    return '';
  }
}

/** A claim lasts the attempt's timeout plus this, so it never runs out while the attempt runs. */
export const LEASE_MARGIN_MS = 5_000;
