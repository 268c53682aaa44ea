import type { Metrics } from '../metrics.js';
import type { Channel, EmailPayload, NotifyMessage, NotifySettings, PushPayload, SendOutcome, WebhookPayload } from '../notify/contract.js';
import type { JobsStorage, WantedDelivery } from '../storage/jobs-storage.js';
import type { AuditRecord, NotifyStorage } from '../storage/types.js';
import { DEFAULT_WEBHOOK_DELIVERY, LEASE_MARGIN_MS, type WebhookDelivery } from '../webhook.js';
import { causeJob, causeKeys, type Cause, type JobKind, type JobRecord } from './causes.js';
import { addDays } from '../../../src/protocol/index.js';
import { localDateHour } from './clock.js';
import { expandCause } from './expand.js';

/** Retry and concurrency of one kind of job. */
export interface KindTuning {
  /** Attempts, the first included; then the job is given up (`failed`, audited). */
  maxAttempts: number;
  /** Delay before the first retry; each further one doubles it, up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long a claim holds a job: longer than an attempt can take, so it never runs out mid-attempt. */
  leaseMs: number;
  /** Jobs of the kind in flight at once on this node. */
  concurrency: number;
}

export const DEFAULT_TUNING: Record<JobKind, KindTuning> = {
  // Expanding is one short transaction, and expanding twice inserts nothing new (keys): a
  // short lease lets another node take over soon after one died.
  cause: { maxAttempts: 10, retryBaseMs: 1_000, retryMaxMs: 300_000, leaseMs: 15_000, concurrency: 2 },
  webhook: webhookTuning(DEFAULT_WEBHOOK_DELIVERY),
  email: { maxAttempts: 8, retryBaseMs: 30_000, retryMaxMs: 3_600_000, leaseMs: 120_000, concurrency: 4 },
  push: { maxAttempts: 6, retryBaseMs: 10_000, retryMaxMs: 900_000, leaseMs: 60_000, concurrency: 8 },
};

export function webhookTuning(d: WebhookDelivery): KindTuning {
  return { maxAttempts: d.maxAttempts, retryBaseMs: d.retryBaseMs, retryMaxMs: d.retryMaxMs, leaseMs: d.timeoutMs + LEASE_MARGIN_MS, concurrency: d.concurrency };
}

/**
 * What the runner needs of the storage: the job queue, and removing a browser subscription its
 * push service called gone (the same method `push:unsubscribe` uses).
 */
export type JobRunnerStore = JobsStorage & Pick<NotifyStorage, 'removePushSubscription'>;

/** The ways out this node has; each is optional (no SMTP, no VAPID keys, no webhook URL). */
export interface Channels {
  webhook?: Channel<WebhookPayload> | null;
  email?: Channel<EmailPayload> | null;
  push?: Channel<PushPayload> | null;
}

export interface JobRunnerOptions {
  channels: Channels;
  settings: Pick<NotifySettings, 'detail' | 'digestHour' | 'reminderHour' | 'timezone' | 'perRecipientPerHour'>;
  tuning?: Partial<Record<JobKind, Partial<KindTuning>>>;
  /** Webhook jobs waiting at most; beyond it new ones are dropped (as before the job queue). */
  webhookMaxQueue?: number;
  metrics?: Metrics;
  /** Feature `planner` (SPEC 6.4): queue the daily reminders cause (default true). */
  reminders?: boolean;
  /** Milliseconds since the epoch; tests move it (digests, rate limits). */
  clock?: () => number;
  /** How often a node looks for jobs nobody holds (left by a node that died, or queued by another). */
  pollMs?: number;
  /** Finished jobs are kept this long (idempotency keys, the rate limit), then pruned. */
  keepMs?: number;
}

const HOUR_MS = 3_600_000;
const DEFAULT_KEEP_MS = 7 * 24 * HOUR_MS;
const POLL_MS = 30_000;
/** The digest scheduler and the pruning look at the clock this often. */
const TICK_MS = 60_000;
/** A recipient's sends are counted over this window (`CARE_NOTIFY_RATE` per hour). */
const RATE_WINDOW_MS = HOUR_MS;

type DeliveryKind = Exclude<JobKind, 'cause'>;
type Outcome = 'sent' | 'failed' | 'retried' | 'deferred' | 'skipped';

/**
 * THE job queue's worker (SPEC 6.2), one per node. It claims due jobs with a lease (atomic in
 * the database: two nodes never hold the same job), hands each to its handler by kind, and
 * retries failures with exponential backoff:
 *
 * - `cause`: expanded into deliveries, in one transaction with marking it done (expand.ts);
 * - `webhook`, `email`, `push`: sent through their `Channel`; `done` (audited `notify.sent`)
 *   or, after the kind's attempts or a permanent refusal, `failed` (audited `notify.failed`).
 *   Email and push wait while their recipient had `perRecipientPerHour` sends in the last
 *   hour (postponed to when the window frees, never dropped). Before each attempt the
 *   recipient's choice is read again (`stillWanted`): someone who unsubscribed, stopped
 *   following, was removed or blocked, or turned the channel off since the job was queued gets
 *   nothing; the job is `done` unsent (audited `notify.skipped`, counted `skipped`).
 *
 * Delivery is at-least-once in one narrow window: a node killed after a channel accepted a
 * job and before it was marked done sends it again once its lease ends (at most the kind's
 * concurrency per killed node). Every other path is exactly once: the keys make every
 * delivery unique, and a claim is exclusive. Finished rows are pruned after `keepMs`.
 *
 * Every minute (and at start) it also looks at the local clock in `CARE_TIMEZONE`: from
 * `CARE_DIGEST_HOUR` on it queues the day's digest cause, and from `CARE_REMINDER_HOUR` on the
 * planner's reminders for the next day's tasks (SPEC 6.4), each once per cluster (its key).
 */
export class JobRunner {
  private readonly tuning: Record<JobKind, KindTuning>;
  private readonly kinds: JobKind[];
  private readonly inFlight: Record<JobKind, number> = { cause: 0, webhook: 0, email: 0, push: 0 };
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | null = null;
  private readonly ticker: NodeJS.Timeout;
  private pumping = false;
  private pumpAgain = false;
  private closed = false;
  private lastPrune = 0;
  /** Everything still touching the store, for close() to wait for. */
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly store: JobRunnerStore,
    private readonly options: JobRunnerOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.tuning = { ...DEFAULT_TUNING };
    for (const kind of Object.keys(this.tuning) as JobKind[]) this.tuning[kind] = { ...this.tuning[kind], ...options.tuning?.[kind] };
    this.kinds = ['cause', ...(['webhook', 'email', 'push'] as const).filter((k) => options.channels[k])];
    const m = options.metrics;
    if (m) {
      for (const channel of this.kinds) if (channel !== 'cause') for (const outcome of ['sent', 'failed', 'retried', 'deferred', 'skipped']) m.notifications.inc({ channel, outcome }, 0);
      if (options.channels.webhook) for (const outcome of ['delivered', 'retried', 'failed', 'dropped']) m.webhookDeliveries.inc({ outcome }, 0);
      m.setQueuedSource(() => store.queuedJobs());
    }
    // Whatever an earlier run (or a node that died) left behind goes out now.
    this.pump();
    void this.tick();
    this.ticker = setInterval(() => void this.tick(), TICK_MS);
    this.ticker.unref();
  }

  /** A hint that jobs were queued (a change committed its cause): look now rather than at the next poll. */
  poke(): void {
    this.pump();
  }

  /**
   * The minute's housekeeping, also run at start: queue today's digest and tomorrow's
   * reminders once their local hour has come (once per cluster: the keys), and prune finished
   * jobs (hourly). Tests call it after moving the clock.
   */
  async tick(): Promise<void> {
    if (this.closed) return;
    await this.track(async () => {
      const now = this.clock();
      const { date, hour } = localDateHour(now, this.options.settings.timezone);
      const causes = [];
      if (this.options.channels.email && hour >= this.options.settings.digestHour) causes.push(causeJob({ type: 'digest', date, at: iso(now) }, causeKeys.digest(date)));
      // Reminders go by email and push; queued on day D for the tasks of D+1.
      if (this.options.reminders !== false && (this.options.channels.email || this.options.channels.push) && hour >= this.options.settings.reminderHour) {
        const tomorrow = addDays(date, 1);
        causes.push(causeJob({ type: 'reminder', date: tomorrow, at: iso(now) }, causeKeys.reminder(tomorrow)));
        // Someone who signs up after the first sweep is reminded within the hour: one more
        // sweep per later hour of the day (the deliveries' keys are the day's, see expand.ts).
        if (hour > this.options.settings.reminderHour) causes.push(causeJob({ type: 'reminder', date: tomorrow, at: iso(now) }, causeKeys.reminderLate(tomorrow, hour)));
      }
      if (causes.length > 0 && (await this.store.enqueueJobs(causes)) > 0) this.pump();
      if (now - this.lastPrune >= HOUR_MS) {
        this.lastPrune = now;
        await this.store.pruneJobs(iso(now - (this.options.keepMs ?? DEFAULT_KEEP_MS)));
      }
    }, 'housekeeping');
  }

  /**
   * Stops: no new claims, requests in flight aborted where the channel can (the webhook), and
   * waits until nothing touches the store any more. What is queued stays for the next start
   * (or another node); a job whose attempt was cut short waits for its lease to end.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    clearInterval(this.ticker);
    const { webhook, email, push } = this.options.channels;
    await Promise.allSettled([webhook, email, push].map((c) => c?.close?.()));
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Runs `work`, logging (never throwing) its failure, and remembers it until it settles. */
  private track(work: () => Promise<void>, what: string): Promise<void> {
    const p = work().catch((err: unknown) => console.error(`[care] jobs: ${what}:`, err));
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
    return p;
  }

  /** Claims and starts every due job the concurrency allows, then sleeps until the next is due. */
  private pump(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.track(() => this.claimAndRun(), 'queue').finally(() => {
      this.pumping = false;
      if (this.pumpAgain) {
        this.pumpAgain = false;
        this.pump();
      }
    });
  }

  private async claimAndRun(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const kind of this.kinds) {
      const t = this.tuning[kind];
      const free = t.concurrency - this.inFlight[kind];
      if (free <= 0) continue;
      const now = this.clock();
      for (const job of await this.store.claimJobs(kind, free, iso(now), iso(now + t.leaseMs))) {
        if (this.closed) return;
        this.inFlight[kind]++;
        void this.track(() => this.run(job), `${kind} job ${job.id}`).finally(() => {
          this.inFlight[kind]--;
          this.pump();
        });
      }
    }
    if (this.closed) return;
    // Wake for the next one due of a kind with a free slot (a full kind pumps when a slot
    // frees), and at least every poll for what other nodes queued or left behind.
    const open = this.kinds.filter((k) => this.inFlight[k] < this.tuning[k].concurrency);
    const nextDue = await this.store.nextJobDue(open);
    const poll = this.options.pollMs ?? POLL_MS;
    const wait = Math.min(poll, nextDue ? Math.max(0, Date.parse(nextDue) - this.clock()) : poll);
    this.timer = setTimeout(() => this.pump(), wait);
    this.timer.unref();
  }

  private run(job: JobRecord): Promise<void> {
    return job.kind === 'cause' ? this.expand(job) : this.deliver(job as JobRecord & { kind: DeliveryKind });
  }

  private async expand(job: JobRecord): Promise<void> {
    const cause = JSON.parse(job.payload) as Cause;
    let dropped = false;
    const max = this.options.webhookMaxQueue ?? DEFAULT_WEBHOOK_DELIVERY.maxQueue;
    const channels = new Set(this.kinds);
    try {
      const r = await this.store.expandCause(job.id, iso(this.clock()), async (reads) => {
        const e = await expandCause(cause, job, reads, { channels, detail: this.options.settings.detail, webhookMaxQueue: max });
        dropped = e.droppedWebhook;
        return e.jobs;
      });
      if (r && dropped) {
        this.options.metrics?.webhookDeliveries.inc({ outcome: 'dropped' });
        console.error(`[care] webhook queue full (${max}): dropped a ${cause.type} notification for page ${job.pageId}`);
      }
      if (r && r.inserted > 0) this.pump();
    } catch (err) {
      if (this.closed) return;
      const attempts = job.attempts + 1;
      const t = this.tuning.cause;
      if (attempts >= t.maxAttempts) {
        await this.store.finishJob(job.id, 'failed', iso(this.clock()), null);
        console.error(`[care] jobs: gave up expanding ${cause.type} (job ${job.id}) after ${attempts} attempts:`, err);
        return;
      }
      console.error(`[care] jobs: expanding ${cause.type} (job ${job.id}) failed, retrying:`, err);
      await this.store.retryJob(job.id, attempts, iso(this.clock() + backoff(t, attempts)));
    }
  }

  private async deliver(job: JobRecord & { kind: DeliveryKind }): Promise<void> {
    const kind = job.kind;
    const channel = this.options.channels[kind] as Channel<unknown> | null | undefined;
    if (!channel) return;
    const payload: unknown = kind === 'webhook' ? job.payload : JSON.parse(job.payload);
    const type = typeOf(kind, payload);
    if (kind !== 'webhook') {
      // First the choice (a skip is final, no need to wait for the rate limit's window).
      if (!(await this.store.stillWanted(wantedOf(kind, payload as EmailPayload | PushPayload)))) {
        if (await this.store.finishJob(job.id, 'done', iso(this.clock()), this.auditOf(job, 'notify.skipped', type))) this.count(kind, 'skipped');
        return;
      }
      if (await this.overLimit(job)) return;
    }
    let outcome: SendOutcome;
    try {
      outcome = await channel.send({ id: job.id, key: job.key, pageId: job.pageId, recipient: job.recipient, payload, attempts: job.attempts });
    } catch (err) {
      // A channel must not throw; if one does, it is a failed attempt like any other.
      outcome = { ok: false, retry: true, reason: String(err) };
    }
    if (outcome.ok) {
      await this.store.finishJob(job.id, 'done', iso(this.clock()), this.auditOf(job, 'notify.sent', type));
      this.count(kind, 'sent');
      return;
    }
    // Closing aborts attempts: the job stays queued, held until its lease runs out.
    if (this.closed) return;
    const attempts = job.attempts + 1;
    const t = this.tuning[kind];
    // A channel that says "gone" (404/410, unusable keys, a host no longer allowed) may have
    // removed it already; removing is idempotent, and only the job's person's subscription goes
    // (the browser may have been subscribed by someone else since).
    if (outcome.gone && kind === 'push') await this.store.removePushSubscription((payload as PushPayload).endpoint, (payload as PushPayload).userId);
    if (!outcome.retry || attempts >= t.maxAttempts) {
      await this.store.finishJob(job.id, 'failed', iso(this.clock()), this.auditOf(job, 'notify.failed', type));
      this.count(kind, 'failed');
      const what = kind === 'webhook' ? `${type} delivery ${job.id}` : `job ${job.id}`;
      console.error(`[care] ${kind} gave up on ${what} after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${outcome.reason}`);
      return;
    }
    this.count(kind, 'retried');
    await this.store.retryJob(job.id, attempts, iso(this.clock() + backoff(t, attempts)));
  }

  /**
   * The recipient's hourly limit across email and push (`CARE_NOTIFY_RATE`): sent in the last
   * hour plus held by other claims now. Over it, the job is postponed to when the oldest send
   * leaves the window (or shortly, when only sends in flight fill it), not counted as an attempt.
   */
  private async overLimit(job: JobRecord): Promise<boolean> {
    const limit = this.options.settings.perRecipientPerHour;
    if (limit <= 0 || !job.recipient) return false;
    const now = this.clock();
    const { sent, inFlight } = await this.store.recipientLoad(job.recipient, ['email', 'push'], iso(now - RATE_WINDOW_MS), iso(now), job.id);
    if (sent.length + inFlight < limit) return false;
    const frees = sent.length >= limit ? Date.parse(sent[sent.length - limit]!) + RATE_WINDOW_MS : now + 60_000;
    await this.store.postponeJob(job.id, iso(Math.max(frees, now + 1_000)));
    this.count(job.kind as DeliveryKind, 'deferred');
    return true;
  }

  /** `notify.sent` / `notify.failed` / `notify.skipped`: who (the recipient's id), how and what kind; never an address or content. */
  private auditOf(job: JobRecord, action: 'notify.sent' | 'notify.failed' | 'notify.skipped', type: string): AuditRecord {
    return { at: iso(this.clock()), pageId: job.pageId ?? '*', actorId: null, actorRole: 'system', action, target: job.recipient, detail: { channel: job.kind, type }, ip: null };
  }

  private count(channel: DeliveryKind, outcome: Outcome): void {
    const m = this.options.metrics;
    if (!m) return;
    m.notifications.inc({ channel, outcome });
    if (channel === 'webhook' && outcome !== 'deferred' && outcome !== 'skipped') m.webhookDeliveries.inc({ outcome: outcome === 'sent' ? 'delivered' : outcome });
  }
}

/** The choice an email or push job was queued for (the storage reads it again). */
function wantedOf(kind: 'email' | 'push', p: EmailPayload | PushPayload): WantedDelivery {
  const m = p.message;
  return {
    channel: kind,
    message: m.type,
    pageId: m.type === 'digest' ? null : m.pageId,
    userId: p.userId,
    ...(kind === 'push' ? { endpoint: (p as PushPayload).endpoint } : {}),
    ...(m.type === 'reminder' ? { date: m.date } : {}),
  };
}

function backoff(t: KindTuning, attempts: number): number {
  return Math.min(t.retryMaxMs, t.retryBaseMs * 2 ** (attempts - 1));
}

/** The audit's `type`: the webhook's event, or the message's (`journal`, `request`, `digest`, `reminder`). */
function typeOf(kind: DeliveryKind, payload: unknown): string {
  if (kind !== 'webhook') return (payload as { message: NotifyMessage }).message.type;
  try {
    return String((JSON.parse(payload as string) as { type?: unknown }).type ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
