import { createHmac, randomUUID } from 'node:crypto';
import type { Metrics } from './metrics.js';
import type { Notifier, PageNotification } from './pages/service.js';
import type { QueuedNotification, Storage } from './storage/types.js';

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
 * a bounded queue in the database (`webhook_outbox`, 1,000; beyond it new ones are dropped and
 * logged), so a crash or restart loses none once queued (the instant between the commit and
 * the queue insert is the only gap), and all nodes of a cluster share it. A notification whose
 * sender died mid-attempt is sent again after its lease (timeout + 5 s): at-least-once.
 * Outcomes are counted in `care_webhook_deliveries_total{outcome}`: `delivered`, `retried`
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

/** The part of the storage the sender uses: its durable queue. */
export type NotificationStore = Pick<Storage, 'queueNotification' | 'claimNotifications' | 'retryNotification' | 'dropNotification' | 'notificationQueue'>;

/**
 * Sends notifications to one URL; hand it to the `PageService` as its notifier. The queue is
 * in the database (`webhook_outbox`), so a crash or restart loses nothing that was queued,
 * and every node of a cluster sends from the same queue: a node claims a notification for a
 * lease (the attempt's timeout plus a margin) before it sends it, and a node that dies while
 * holding one leaves it to the others once the lease is over.
 */
export class WebhookSender implements Notifier {
  private readonly delivery: WebhookDelivery;
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private pumping = false;
  private pumpAgain = false;
  private closed = false;
  private readonly aborts = new Set<AbortController>();
  /** Queue writes, one after another: the size check and the insert must not interleave. */
  private queueing: Promise<void> = Promise.resolve();
  /** Everything still touching the store, for close() to wait for. */
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly store: NotificationStore,
    private readonly options: WebhookOptions,
  ) {
    checkWebhookSettings(options.url, options.secret);
    this.delivery = { ...DEFAULT_WEBHOOK_DELIVERY, ...options.delivery };
    for (const outcome of ['delivered', 'retried', 'failed', 'dropped']) options.metrics?.webhookDeliveries.inc({ outcome }, 0);
    // Whatever an earlier run (or a node that died) left behind goes out now.
    this.pump();
  }

  /** Queues one notification in the database and returns at once; never throws. */
  notify(n: PageNotification): void {
    if (this.closed) return;
    const event: WebhookEvent = { ...n, at: new Date().toISOString() };
    this.queueing = this.queueing.then(() =>
      this.track(async () => {
        if (this.closed) return;
        if ((await this.store.notificationQueue()).size >= this.delivery.maxQueue) {
          this.count('dropped');
          console.error(`[care] webhook queue full (${this.delivery.maxQueue}): dropped a ${n.type} notification for page ${n.pageId}`);
          return;
        }
        await this.store.queueNotification({ id: randomUUID(), type: n.type, body: JSON.stringify(event), attempts: 0, dueAt: new Date() });
        this.pump();
      }, 'could not queue a notification'),
    );
  }

  /**
   * Stops sending: aborts requests in flight and waits until nothing touches the store any
   * more. What is queued stays for the next start (or another node).
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const a of this.aborts) a.abort();
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Runs `work`, logging (never throwing) its failure, and remembers it until it settles. */
  private track(work: () => Promise<void>, what: string): Promise<void> {
    const p = work().catch((err: unknown) => console.error(`[care] webhook: ${what}:`, err));
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
    return p;
  }

  /** Claims and starts every due notification the concurrency allows, then sleeps until the next is due. */
  private pump(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.track(() => this.claimAndSend(), 'queue')
      .finally(() => {
        this.pumping = false;
        if (this.pumpAgain) {
          this.pumpAgain = false;
          this.pump();
        }
      });
  }

  private async claimAndSend(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const free = this.delivery.concurrency - this.inFlight;
    if (free > 0) {
      for (const job of await this.store.claimNotifications(free, this.delivery.timeoutMs + LEASE_MARGIN_MS)) {
        if (this.closed) return;
        this.inFlight++;
        void this.track(() => this.attempt(job), `delivery ${job.id}`)
          .finally(() => {
            this.inFlight--;
            this.pump();
          });
      }
    }
    if (this.closed) return;
    // Wake for the next one due, and at least every POLL_MS for what other nodes left behind.
    const { nextDue } = await this.store.notificationQueue();
    const wait = Math.min(POLL_MS, nextDue ? Math.max(0, nextDue.getTime() - Date.now()) : POLL_MS);
    this.timer = setTimeout(() => this.pump(), wait);
    this.timer.unref();
  }

  private async attempt(job: QueuedNotification): Promise<void> {
    const attempts = job.attempts + 1;
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
        await this.store.dropNotification(job.id);
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
    // Closing aborts attempts: the notification stays queued, held until its lease runs out.
    if (this.closed) return;
    if (attempts >= this.delivery.maxAttempts) {
      await this.store.dropNotification(job.id);
      this.count('failed');
      console.error(`[care] webhook gave up on ${job.type} delivery ${job.id} after ${attempts} attempts: ${problem}`);
      return;
    }
    this.count('retried');
    const delay = Math.min(this.delivery.retryMaxMs, this.delivery.retryBaseMs * 2 ** (attempts - 1));
    await this.store.retryNotification(job.id, attempts, new Date(Date.now() + delay));
  }

  private count(outcome: 'delivered' | 'retried' | 'failed' | 'dropped'): void {
    this.options.metrics?.webhookDeliveries.inc({ outcome });
  }
}

/** A claim lasts the attempt's timeout plus this, so it never runs out while the attempt runs. */
const LEASE_MARGIN_MS = 5_000;
/** How often a node looks for notifications that nobody holds (e.g. left by a node that died). */
const POLL_MS = 30_000;
