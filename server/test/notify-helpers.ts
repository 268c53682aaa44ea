/**
 * Helpers of the job-queue tests: a channel that records what the runner hands it (a test
 * double of OUR `Channel` interface, not of SMTP or a push service, which H2/H3 test for
 * real), notification choices written straight into the tables (the prefs service is
 * another part's), and waits.
 */
import type { Kysely } from 'kysely';
import type { Channel, ChannelKind, DeliveryJob, SendOutcome } from '../src/notify/contract.js';
import type { Database } from '../src/storage/schema.js';
import { sleep } from './helpers.js';

export class RecordingChannel<P> implements Channel<P> {
  readonly sent: DeliveryJob<P>[] = [];
  /** Every attempt, failed ones included. */
  readonly attempts: DeliveryJob<P>[] = [];

  constructor(
    readonly kind: ChannelKind,
    /** The answer to the n-th attempt (1-based) of this job. */
    private readonly reply: (job: DeliveryJob<P>, n: number) => SendOutcome | Promise<SendOutcome> = () => ({ ok: true }),
  ) {}

  async send(job: DeliveryJob<P>): Promise<SendOutcome> {
    this.attempts.push(job);
    const outcome = await this.reply(job, job.attempts + 1);
    if (outcome.ok) this.sent.push(job);
    return outcome;
  }
}

export interface Choice {
  email?: 'off' | 'instant' | 'daily';
  push?: boolean;
  requests?: 'off' | 'instant';
  messages?: 'off' | 'daily';
}

/** A person's notification choice for a page, as the prefs service stores it. */
export async function choose(db: Kysely<Database>, pageId: string, userId: string, c: Choice): Promise<void> {
  const row = { email: c.email ?? 'off', push: c.push ? 1 : 0, requests: c.requests ?? 'off', messages: c.messages ?? 'off', updated_at: new Date().toISOString() };
  await db
    .insertInto('notify_prefs')
    .values({ page_id: pageId, user_id: userId, ...row })
    .onConflict((oc) => oc.columns(['page_id', 'user_id']).doUpdateSet(row))
    .execute();
}

export async function address(db: Kysely<Database>, userId: string, email: string): Promise<void> {
  await db
    .insertInto('notify_users')
    .values({ user_id: userId, email, updated_at: new Date().toISOString() })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ email }))
    .execute();
}

export async function subscribe(db: Kysely<Database>, userId: string, endpoint: string): Promise<void> {
  await db.insertInto('push_subscriptions').values({ endpoint, user_id: userId, p256dh: 'BPk', auth: 'au', created_at: new Date().toISOString() }).execute();
}

/** Waits (polling) until `cond` holds; fails after `timeoutMs`. A wait, never an assertion about time. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Jobs of a page (or all), for checks below the interface. */
export async function jobsOf(db: Kysely<Database>, where: { pageId?: string; kind?: string; state?: string } = {}) {
  let q = db.selectFrom('jobs').selectAll();
  if (where.pageId !== undefined) q = q.where('page_id', '=', where.pageId);
  if (where.kind !== undefined) q = q.where('kind', '=', where.kind);
  if (where.state !== undefined) q = q.where('state', '=', where.state);
  return q.orderBy('created_at').execute();
}

/** Until nothing of the page (or anything) is queued and due: the runner has done what it can. */
export async function drained(db: Kysely<Database>, now: () => number, pageId?: string, timeoutMs?: number): Promise<void> {
  await until(
    async () => {
      let q = db.selectFrom('jobs').select('id').where('state', '=', 'queued').where('due_at', '<=', new Date(now()).toISOString());
      if (pageId !== undefined) q = q.where('page_id', '=', pageId);
      return (await q.execute()).length === 0;
    },
    'the queue to drain',
    timeoutMs,
  );
}
