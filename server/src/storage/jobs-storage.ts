import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { JobKind, JobRecord, NewJob } from '../jobs/causes.js';
import type { Database, JobsTable } from './schema.js';
import type { AuditRecord } from './types.js';

/**
 * The one durable job queue (SPEC 6.2): causes and deliveries in the `jobs` table, shared by
 * every node. A job is claimed for a lease (atomically: PostgreSQL `FOR UPDATE SKIP LOCKED`,
 * SQLite's single writer), finished as `done` or `failed` (rows kept for the idempotency keys
 * and the per-recipient rate limit, pruned after days), or released for a retry. Times are
 * ISO 8601 UTC text; callers pass them, so the runner's clock decides what is due.
 */
export interface JobsStorage {
  /** Inserts jobs, skipping any whose key exists (`ON CONFLICT (key) DO NOTHING`); returns how many were new. */
  enqueueJobs(jobs: NewJob[]): Promise<number>;
  /** Up to `limit` due jobs of `kind` nobody holds, now held until `leaseUntil`; due first. */
  claimJobs(kind: JobKind, limit: number, now: string, leaseUntil: string): Promise<JobRecord[]>;
  /**
   * Done (sent) or failed (given up), with its audit row (`notify.sent` / `notify.failed`) in
   * the same transaction; `false` when the job is no longer queued (its page was deleted).
   */
  finishJob(id: string, state: 'done' | 'failed', at: string, audit: AuditRecord | null): Promise<boolean>;
  /** Released after a failed attempt: `attempts` made so far, due again at `dueAt`. */
  retryJob(id: string, attempts: number, dueAt: string): Promise<void>;
  /** Released without an attempt (the recipient's rate limit): due again at `dueAt`. */
  postponeJob(id: string, dueAt: string): Promise<void>;
  /** Queued jobs per kind (held ones included). */
  queuedJobs(): Promise<Partial<Record<JobKind, number>>>;
  /** When the next queued job of `kinds` is or becomes claimable (a held one when its lease ends); `null`: none. */
  nextJobDue(kinds: readonly JobKind[]): Promise<string | null>;
  /**
   * What a recipient was sent of `kinds` since `since` (finish times, oldest first), and how
   * many of theirs other claims hold now (being sent, on this node or another).
   */
  recipientLoad(recipient: string, kinds: readonly JobKind[], since: string, now: string, exceptId: string): Promise<{ sent: string[]; inFlight: number }>;
  /** Deletes finished jobs older than `before`. */
  pruneJobs(before: string): Promise<number>;
  /**
   * Expands a cause in one transaction: reads through `CauseReads`, inserts the deliveries
   * `build` returns (existing keys skipped) and marks the cause done. `null` when the cause is
   * no longer queued (another node expanded it, or its page was deleted).
   */
  expandCause(id: string, at: string, build: (reads: CauseReads) => Promise<NewJob[]>): Promise<{ inserted: number } | null>;
  /**
   * Whether the choice an email or push job was made for still holds, read again just before
   * the send (one query): a job queued before the person unsubscribed, stopped following, was
   * removed or blocked, or turned the channel off must not go out.
   */
  stillWanted(w: WantedDelivery): Promise<boolean>;
}

/** What an email or push delivery was queued for: the recipient's choice to re-check. */
export interface WantedDelivery {
  channel: 'email' | 'push';
  message: 'journal' | 'request' | 'digest' | 'reminder';
  /** The page (`null` for a digest, which spans pages). */
  pageId: string | null;
  userId: string;
  /** Push: the subscription the job goes to, which must still be the recipient's. */
  endpoint?: string;
  /** A reminder: the day of the tasks it is about. */
  date?: string;
}

/** A volunteer of a task on the reminder's day, once per page, with what decides whether they still hear of it. */
export interface ReminderRow {
  pageId: string;
  userId: string;
  title: string;
  visibility: string;
  member: 'owner' | 'editor' | null;
  follow: string | null;
  /** `notify_prefs.reminders`: true when no row (the default) or on. */
  reminders: boolean;
  /** notify_users.email, `null` when none is known. */
  address: string | null;
}

/** A person's choices for one page, with what decides whether they may still read it. */
export interface AudienceRow {
  userId: string;
  email: string;
  push: boolean;
  requests: string;
  messages: string;
  /** notify_users.email: where to send, `null` when none is known. */
  address: string | null;
  member: 'owner' | 'editor' | null;
  follow: string | null;
}

export interface PageFacts {
  id: string;
  title: string;
  visibility: string;
}

/** The reads an expansion makes, inside its transaction. */
export interface CauseReads {
  /** The page, `null` once deleted (on PostgreSQL its row is share-locked until commit). */
  page(pageId: string): Promise<PageFacts | null>;
  /** Everyone with a notification choice for the page. */
  audience(pageId: string): Promise<AudienceRow[]>;
  /** Every choice of `email: 'daily'` or `messages: 'daily'`, on any page, with the page's facts. */
  dailyAudience(): Promise<(AudienceRow & { pageId: string; title: string; visibility: string })[]>;
  /**
   * SPEC 6.4: who signed up for a task dated `date` (not cancelled), one row per (page,
   * volunteer), with the page's facts and their relation to it.
   */
  reminderAudience(date: string): Promise<ReminderRow[]>;
  /** Push subscriptions of these people. */
  pushEndpoints(userIds: string[]): Promise<{ userId: string; endpoint: string }[]>;
  /** Journal entries created in (`since`, `until`] per page and author. */
  entryCounts(pageIds: string[], since: string, until: string): Promise<{ pageId: string; authorId: string; n: number }[]>;
  /** Wall messages created in (`since`, `until`] per page. */
  messageCounts(pageIds: string[], since: string, until: string): Promise<Map<string, number>>;
  /** Follow requests waiting, per page. */
  requestCounts(pageIds: string[]): Promise<Map<string, number>>;
  /** Queued jobs of a kind (held ones included). */
  queued(kind: JobKind): Promise<number>;
  /** The latest earlier cause whose key starts with `prefix` and sorts before `key` (the previous digest). */
  previousCause(prefix: string, key: string): Promise<string | null>;
}

type Db = Kysely<Database> | Transaction<Database>;

/** Rows per multi-row insert (SQLite binds at most 32,766 parameters per statement). */
const INSERT_CHUNK = 500;
/** Ids per `IN (…)` list. */
const IN_CHUNK = 500;

export class JobsSql implements JobsStorage {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: 'sqlite' | 'postgres',
    /** Writes one audit row inside the given transaction (sql-storage.ts). */
    private readonly insertAudit: (db: Db, a: AuditRecord) => Promise<void>,
  ) {}

  enqueueJobs(jobs: NewJob[]): Promise<number> {
    return insertJobs(this.db, jobs, new Date().toISOString());
  }

  /** The same, inside a change's own transaction (a cause). */
  enqueueIn(trx: Transaction<Database>, jobs: NewJob[], at: string): Promise<number> {
    return insertJobs(trx, jobs, at);
  }

  async claimJobs(kind: JobKind, limit: number, now: string, leaseUntil: string): Promise<JobRecord[]> {
    if (limit <= 0) return [];
    // One statement: of two nodes claiming at once, PostgreSQL gives each row to one (the
    // other skips the locked row, or re-checks it after the commit and finds it held);
    // SQLite runs one writer at a time.
    const lock = this.dialect === 'postgres' ? sql` FOR UPDATE SKIP LOCKED` : sql``;
    const { rows } = await sql<Selectable<JobsTable>>`
      UPDATE jobs SET claimed_until = ${leaseUntil}
      WHERE id IN (
        SELECT id FROM jobs
        WHERE state = 'queued' AND kind = ${kind} AND due_at <= ${now} AND (claimed_until IS NULL OR claimed_until < ${now})
        ORDER BY due_at, created_at
        LIMIT ${limit}${lock}
      )
      RETURNING *`.execute(this.db);
    return rows.map(toJob).sort((a, b) => (a.dueAt === b.dueAt ? (a.createdAt < b.createdAt ? -1 : 1) : a.dueAt < b.dueAt ? -1 : 1));
  }

  async finishJob(id: string, state: 'done' | 'failed', at: string, audit: AuditRecord | null): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('jobs').set({ state, finished_at: at, claimed_until: null }).where('id', '=', id).where('state', '=', 'queued').executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      if (audit) await this.insertAudit(trx, audit);
      return true;
    });
  }

  async retryJob(id: string, attempts: number, dueAt: string): Promise<void> {
    await this.db.updateTable('jobs').set({ attempts, due_at: dueAt, claimed_until: null }).where('id', '=', id).where('state', '=', 'queued').execute();
  }

  async postponeJob(id: string, dueAt: string): Promise<void> {
    await this.db.updateTable('jobs').set({ due_at: dueAt, claimed_until: null }).where('id', '=', id).where('state', '=', 'queued').execute();
  }

  async queuedJobs(): Promise<Partial<Record<JobKind, number>>> {
    const counts = await this.db
      .selectFrom('jobs')
      .select((eb) => ['kind', eb.fn.countAll<number | string>().as('n')])
      .where('state', '=', 'queued')
      .groupBy('kind')
      .execute();
    const queued: Partial<Record<JobKind, number>> = {};
    for (const c of counts) queued[c.kind as JobKind] = Number(c.n);
    return queued;
  }

  async nextJobDue(kinds: readonly JobKind[]): Promise<string | null> {
    if (kinds.length === 0) return null;
    const row = await this.db
      .selectFrom('jobs')
      // A held job becomes claimable when its lease ends, if that is after it is due.
      .select((eb) => eb.fn.min(eb.case().when(eb.and([eb('claimed_until', 'is not', null), eb('claimed_until', '>', eb.ref('due_at'))])).then(eb.ref('claimed_until')).else(eb.ref('due_at')).end()).as('next_due'))
      .where('state', '=', 'queued')
      .where('kind', 'in', [...kinds])
      .executeTakeFirst();
    return (row?.next_due as string | null | undefined) ?? null;
  }

  async recipientLoad(recipient: string, kinds: readonly JobKind[], since: string, now: string, exceptId: string): Promise<{ sent: string[]; inFlight: number }> {
    const [sent, held] = await Promise.all([
      this.db
        .selectFrom('jobs')
        .select('finished_at')
        .where('recipient', '=', recipient)
        .where('finished_at', '>', since)
        .where('state', '=', 'done')
        .where('kind', 'in', [...kinds])
        .orderBy('finished_at')
        .execute(),
      this.db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('recipient', '=', recipient)
        .where('state', '=', 'queued')
        .where('kind', 'in', [...kinds])
        .where('claimed_until', '>', now)
        .where('id', '!=', exceptId)
        .executeTakeFirstOrThrow(),
    ]);
    return { sent: sent.map((r) => r.finished_at!), inFlight: Number(held.n) };
  }

  async pruneJobs(before: string): Promise<number> {
    const r = await this.db.deleteFrom('jobs').where('state', 'in', ['done', 'failed']).where('finished_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async expandCause(id: string, at: string, build: (reads: CauseReads) => Promise<NewJob[]>): Promise<{ inserted: number } | null> {
    return this.db.transaction().execute(async (trx) => {
      // PostgreSQL: the cause's row lock makes a second expansion (a node whose lease ran
      // out meanwhile) wait and then find it done.
      const lock = this.dialect === 'postgres' ? sql` FOR UPDATE` : sql``;
      const { rows } = await sql<{ state: string }>`SELECT state FROM jobs WHERE id = ${id}${lock}`.execute(trx);
      if (rows[0]?.state !== 'queued') return null;
      const jobs = await build(new CauseReadsSql(trx, this.dialect));
      const inserted = await insertJobs(trx, jobs, at);
      await trx.updateTable('jobs').set({ state: 'done', finished_at: at, claimed_until: null }).where('id', '=', id).execute();
      return { inserted };
    });
  }

  /**
   * The same rules as the expansion (expand.ts), as of now: a journal entry to someone who still
   * chose it (`email: 'instant'`, or `push`) and still follows the page (approved) or is a
   * member; a follow request to a member who still chose `requests: 'instant'`; a digest to
   * someone with some daily choice left; a reminder to someone still signed up for a task of
   * that day on the page, not cancelled, with reminders on, who may still read the page; a push
   * only to a subscription still theirs. (Leaving a
   * page deletes the person's choices in the same transaction, notify-prefs.ts; the follow and
   * membership are checked here too, so the rule does not rest on that alone.)
   */
  async stillWanted(w: WantedDelivery): Promise<boolean> {
    let query;
    if (w.message === 'reminder') {
      if (w.pageId === null || w.date === undefined) return false;
      // access.ts `capabilities` for a signed-in person: a member reads; else not when blocked;
      // else a public or members-only page, or a private one they follow.
      const member = sql`EXISTS (SELECT 1 FROM page_members m WHERE m.page_id = v.page_id AND m.user_id = v.user_id)`;
      const follow = (state: string) => sql`EXISTS (SELECT 1 FROM follows f WHERE f.page_id = v.page_id AND f.user_id = v.user_id AND f.state = ${state})`;
      const subscribed =
        w.channel === 'push' ? sql` AND EXISTS (SELECT 1 FROM push_subscriptions s WHERE s.endpoint = ${w.endpoint ?? ''} AND s.user_id = v.user_id)` : sql``;
      query = sql<{ one: number }>`
        SELECT 1 AS one FROM task_volunteers v
        JOIN tasks t ON t.id = v.task_id
        JOIN pages p ON p.id = v.page_id
        WHERE v.page_id = ${w.pageId} AND v.user_id = ${w.userId} AND t.date = ${w.date} AND t.cancelled_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM notify_prefs n WHERE n.page_id = v.page_id AND n.user_id = v.user_id AND n.reminders = 0)
          AND (${member} OR (NOT ${follow('blocked')} AND (p.visibility <> 'private' OR ${follow('following')})))${subscribed}
        LIMIT 1`;
    } else if (w.message === 'digest') {
      if (w.channel !== 'email') return false;
      query = sql<{ one: number }>`
        SELECT 1 AS one FROM notify_prefs n
        WHERE n.user_id = ${w.userId} AND (n.email = 'daily' OR n.messages = 'daily')
        LIMIT 1`;
    } else {
      if (w.pageId === null) return false;
      const member = sql`EXISTS (SELECT 1 FROM page_members m WHERE m.page_id = n.page_id AND m.user_id = n.user_id)`;
      const following = sql`EXISTS (SELECT 1 FROM follows f WHERE f.page_id = n.page_id AND f.user_id = n.user_id AND f.state = 'following')`;
      const entitled = w.message === 'journal' ? sql`(${member} OR ${following})` : sql`${member} AND n.requests = 'instant'`;
      const chosen = w.channel === 'push' ? sql`n.push = 1` : w.message === 'journal' ? sql`n.email = 'instant'` : sql`1 = 1`;
      const subscribed =
        w.channel === 'push' ? sql` AND EXISTS (SELECT 1 FROM push_subscriptions s WHERE s.endpoint = ${w.endpoint ?? ''} AND s.user_id = n.user_id)` : sql``;
      query = sql<{ one: number }>`
        SELECT 1 AS one FROM notify_prefs n
        WHERE n.page_id = ${w.pageId} AND n.user_id = ${w.userId} AND ${chosen} AND ${entitled}${subscribed}`;
    }
    const { rows } = await query.execute(this.db);
    return rows.length > 0;
  }
}

/**
 * Deletes a page's queued jobs, inside the page-delete transaction, AFTER the page row is
 * deleted: on PostgreSQL that delete waits for an expansion holding the page's share lock
 * to commit, so this statement (a new snapshot) sees the deliveries that expansion wrote.
 */
export async function purgePageJobs(trx: Transaction<Database>, pageId: string): Promise<void> {
  await trx.deleteFrom('jobs').where('page_id', '=', pageId).where('state', '=', 'queued').execute();
}

async function insertJobs(db: Db, jobs: NewJob[], at: string): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < jobs.length; i += INSERT_CHUNK) {
    const rows = jobs.slice(i, i + INSERT_CHUNK).map((j) => ({
      id: j.id,
      kind: j.kind,
      key: j.key,
      page_id: j.pageId,
      recipient: j.recipient,
      payload: j.payload,
      attempts: 0,
      state: 'queued',
      due_at: j.dueAt,
      claimed_until: null,
      created_at: at,
      finished_at: null,
    }));
    const r = await db
      .insertInto('jobs')
      .values(rows)
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    inserted += Number(r.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}

class CauseReadsSql implements CauseReads {
  constructor(
    private readonly trx: Transaction<Database>,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {}

  async page(pageId: string): Promise<PageFacts | null> {
    const lock = this.dialect === 'postgres' ? sql` FOR SHARE` : sql``;
    const { rows } = await sql<PageFacts>`SELECT id, title, visibility FROM pages WHERE id = ${pageId}${lock}`.execute(this.trx);
    return rows[0] ?? null;
  }

  async audience(pageId: string): Promise<AudienceRow[]> {
    const rows = await this.audienceQuery().where('n.page_id', '=', pageId).execute();
    return rows.map(toAudience);
  }

  async dailyAudience() {
    const rows = await this.audienceQuery()
      .innerJoin('pages as p', 'p.id', 'n.page_id')
      .select(['p.title', 'p.visibility'])
      .where((eb) => eb.or([eb('n.email', '=', 'daily'), eb('n.messages', '=', 'daily')]))
      .execute();
    return rows.map((r) => ({ ...toAudience(r), pageId: r.page_id, title: r.title, visibility: r.visibility }));
  }

  private audienceQuery() {
    return this.trx
      .selectFrom('notify_prefs as n')
      .leftJoin('notify_users as u', 'u.user_id', 'n.user_id')
      .leftJoin('page_members as m', (j) => j.onRef('m.page_id', '=', 'n.page_id').onRef('m.user_id', '=', 'n.user_id'))
      .leftJoin('follows as f', (j) => j.onRef('f.page_id', '=', 'n.page_id').onRef('f.user_id', '=', 'n.user_id'))
      .select(['n.page_id', 'n.user_id', 'n.email', 'n.push', 'n.requests', 'n.messages', 'u.email as address', 'm.role as member', 'f.state as follow'])
      .orderBy('n.user_id');
  }

  async reminderAudience(date: string): Promise<ReminderRow[]> {
    const rows = await this.trx
      .selectFrom('task_volunteers as v')
      .innerJoin('tasks as t', 't.id', 'v.task_id')
      .innerJoin('pages as p', 'p.id', 'v.page_id')
      .leftJoin('page_members as m', (j) => j.onRef('m.page_id', '=', 'v.page_id').onRef('m.user_id', '=', 'v.user_id'))
      .leftJoin('follows as f', (j) => j.onRef('f.page_id', '=', 'v.page_id').onRef('f.user_id', '=', 'v.user_id'))
      .leftJoin('notify_prefs as n', (j) => j.onRef('n.page_id', '=', 'v.page_id').onRef('n.user_id', '=', 'v.user_id'))
      .leftJoin('notify_users as u', 'u.user_id', 'v.user_id')
      .select(['v.page_id', 'v.user_id', 'p.title', 'p.visibility', 'm.role as member', 'f.state as follow', 'n.reminders', 'u.email as address'])
      .distinct()
      .where('t.date', '=', date)
      .where('t.cancelled_at', 'is', null)
      .orderBy('v.page_id')
      .orderBy('v.user_id')
      .execute();
    return rows.map((r) => ({
      pageId: r.page_id,
      userId: r.user_id,
      title: r.title,
      visibility: r.visibility,
      member: (r.member as ReminderRow['member']) ?? null,
      follow: r.follow ?? null,
      reminders: r.reminders === null || Number(r.reminders) === 1,
      address: r.address ?? null,
    }));
  }

  async pushEndpoints(userIds: string[]): Promise<{ userId: string; endpoint: string }[]> {
    const out: { userId: string; endpoint: string }[] = [];
    for (const ids of chunks(userIds)) {
      const rows = await this.trx.selectFrom('push_subscriptions').select(['user_id', 'endpoint']).where('user_id', 'in', ids).orderBy('created_at').execute();
      out.push(...rows.map((r) => ({ userId: r.user_id, endpoint: r.endpoint })));
    }
    return out;
  }

  async entryCounts(pageIds: string[], since: string, until: string) {
    const out: { pageId: string; authorId: string; n: number }[] = [];
    for (const ids of chunks(pageIds)) {
      const rows = await this.trx
        .selectFrom('journal_entries')
        .select((eb) => ['page_id', 'author_id', eb.fn.countAll<number | string>().as('n')])
        .where('page_id', 'in', ids)
        .where('created_at', '>', since)
        .where('created_at', '<=', until)
        .groupBy(['page_id', 'author_id'])
        .execute();
      out.push(...rows.map((r) => ({ pageId: r.page_id, authorId: r.author_id, n: Number(r.n) })));
    }
    return out;
  }

  async messageCounts(pageIds: string[], since: string, until: string): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const ids of chunks(pageIds)) {
      const rows = await this.trx
        .selectFrom('wall_messages')
        .select((eb) => ['page_id', eb.fn.countAll<number | string>().as('n')])
        .where('page_id', 'in', ids)
        .where('created_at', '>', since)
        .where('created_at', '<=', until)
        .groupBy('page_id')
        .execute();
      for (const r of rows) out.set(r.page_id, Number(r.n));
    }
    return out;
  }

  async requestCounts(pageIds: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const ids of chunks(pageIds)) {
      const rows = await this.trx
        .selectFrom('follows')
        .select((eb) => ['page_id', eb.fn.countAll<number | string>().as('n')])
        .where('page_id', 'in', ids)
        .where('state', '=', 'requested')
        .groupBy('page_id')
        .execute();
      for (const r of rows) out.set(r.page_id, Number(r.n));
    }
    return out;
  }

  async queued(kind: JobKind): Promise<number> {
    const r = await this.trx.selectFrom('jobs').select((eb) => eb.fn.countAll<number | string>().as('n')).where('state', '=', 'queued').where('kind', '=', kind).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async previousCause(prefix: string, key: string): Promise<string | null> {
    const r = await this.trx
      .selectFrom('jobs')
      .select('payload')
      .where('kind', '=', 'cause')
      .where('key', 'like', `${prefix}%`)
      .where('key', '<', key)
      .orderBy('key', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r?.payload ?? null;
  }
}

function chunks<T>(list: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += IN_CHUNK) out.push(list.slice(i, i + IN_CHUNK));
  return out;
}

function toAudience(r: { user_id: string; email: string; push: number; requests: string; messages: string; address: string | null; member: string | null; follow: string | null }): AudienceRow {
  return {
    userId: r.user_id,
    email: r.email,
    push: Number(r.push) === 1,
    requests: r.requests,
    messages: r.messages,
    address: r.address ?? null,
    member: (r.member as AudienceRow['member']) ?? null,
    follow: r.follow ?? null,
  };
}

function toJob(r: Selectable<JobsTable>): JobRecord {
  return {
    id: r.id,
    kind: r.kind as JobKind,
    key: r.key,
    pageId: r.page_id,
    recipient: r.recipient,
    payload: r.payload,
    dueAt: r.due_at,
    attempts: Number(r.attempts),
    createdAt: r.created_at,
  };
}
