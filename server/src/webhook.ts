import { createHmac, randomUUID } from 'node:crypto';
import type { Metrics } from './metrics.js';
import type { Notifier, PageNotification } from './pages/service.js';

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
 * Delivery: asynchronous, after the change committed; it never delays or fails the socket call
 * that caused it. An attempt fails on a network error, a timeout (5 s) or any status but 2xx
 * (redirects are not followed); failed attempts are retried with exponential backoff (1 s, 2 s,
 * 4 s, 8 s, 16 s: six attempts in all), then given up and logged. Pending notifications wait in
 * a bounded in-memory queue (1,000; beyond it new ones are dropped and logged): a crash or
 * restart loses undelivered notifications, never posts, which are stored before anything is
 * sent. Outcomes are counted in `care_webhook_deliveries_total{outcome}`: `delivered`, `retried`
 * (an attempt failed, another follows), `failed` (gave up), `dropped` (queue full).
 */

export type WebhookEvent = PageNotification & { at: string };

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
  /** Requests in flight at once. */
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

export interface WebhookOptions {
  url: string;
  secret: string;
  delivery?: Partial<WebhookDelivery>;
  metrics?: Metrics;
}

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

interface Job {
  id: string;
  type: PageNotification['type'];
  body: string;
  attempts: number;
  dueAt: number;
}

/** Sends notifications to one URL; hand it to the `PageService` as its notifier. */
export class WebhookSender implements Notifier {
  private readonly delivery: WebhookDelivery;
  private readonly queue: Job[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly aborts = new Set<AbortController>();

  constructor(private readonly options: WebhookOptions) {
    checkWebhookSettings(options.url, options.secret);
    this.delivery = { ...DEFAULT_WEBHOOK_DELIVERY, ...options.delivery };
    for (const outcome of ['delivered', 'retried', 'failed', 'dropped']) options.metrics?.webhookDeliveries.inc({ outcome }, 0);
  }

  /** Queues one notification and returns at once. */
  notify(n: PageNotification): void {
    if (this.closed) return;
    const event: WebhookEvent = { ...n, at: new Date().toISOString() };
    if (this.queue.length + this.inFlight >= this.delivery.maxQueue) {
      this.count('dropped');
      console.error(`[care] webhook queue full (${this.delivery.maxQueue}): dropped a ${n.type} notification for page ${n.pageId}`);
      return;
    }
    this.queue.push({ id: randomUUID(), type: n.type, body: JSON.stringify(event), attempts: 0, dueAt: Date.now() });
    this.pump();
  }

  /** Notifications waiting or in flight. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /** Stops sending: clears the queue and aborts requests in flight (their notifications are lost). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
    for (const a of this.aborts) a.abort();
  }

  /** Starts every due job the concurrency allows, then sleeps until the next one is due. */
  private pump(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const now = Date.now();
    while (this.inFlight < this.delivery.concurrency) {
      const i = this.queue.findIndex((j) => j.dueAt <= now);
      if (i < 0) break;
      const [job] = this.queue.splice(i, 1);
      this.inFlight++;
      void this.attempt(job!).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
    if (this.queue.length === 0) return;
    const next = Math.min(...this.queue.map((j) => j.dueAt));
    this.timer = setTimeout(() => this.pump(), Math.max(0, next - now));
    this.timer.unref();
  }

  private async attempt(job: Job): Promise<void> {
    job.attempts++;
    const abort = new AbortController();
    this.aborts.add(abort);
    const timeout = setTimeout(() => abort.abort(), this.delivery.timeoutMs);
    let problem: string;
    try {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const res = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'care-widgets-webhook/1',
          [EVENT_HEADER]: job.type,
          [DELIVERY_HEADER]: job.id,
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signWebhook(this.options.secret, timestamp, job.body),
        },
        body: job.body,
        redirect: 'manual',
        signal: abort.signal,
      });
      await res.body?.cancel().catch(() => {});
      if (res.status >= 200 && res.status < 300) {
        this.count('delivered');
        return;
      }
      problem = `HTTP ${res.status}`;
    } catch (err) {
      problem = abort.signal.aborted ? `no answer within ${this.delivery.timeoutMs} ms` : String((err as Error)?.cause ?? err);
    } finally {
      clearTimeout(timeout);
      this.aborts.delete(abort);
    }
    if (this.closed) return;
    if (job.attempts >= this.delivery.maxAttempts) {
      this.count('failed');
      console.error(`[care] webhook gave up on ${job.type} delivery ${job.id} after ${job.attempts} attempts: ${problem}`);
      return;
    }
    this.count('retried');
    const delay = Math.min(this.delivery.retryMaxMs, this.delivery.retryBaseMs * 2 ** (job.attempts - 1));
    job.dueAt = Date.now() + delay;
    this.queue.push(job);
  }

  private count(outcome: 'delivered' | 'retried' | 'failed' | 'dropped'): void {
    this.options.metrics?.webhookDeliveries.inc({ outcome });
  }
}
