import { randomUUID } from 'node:crypto';
import { capabilities } from '../access.js';
import type { DigestPage, EmailPayload, NotifyMessage, NotifySettings, PushPayload } from '../notify/contract.js';
import type { AudienceRow, CauseReads, ReminderRow } from '../storage/jobs-storage.js';
import type { FollowState, Visibility } from '../../../src/protocol/index.js';
import { causeKeys, deliveryKeys, type Cause, type JobKind, type JobRecord, type NewJob } from './causes.js';

/** What an expansion may produce: the channels this runner has, and how the hospital chose. */
export interface ExpandOptions {
  channels: ReadonlySet<JobKind>;
  detail: NotifySettings['detail'];
  /** The webhook's bounded queue: beyond it a webhook delivery is dropped (and counted). */
  webhookMaxQueue: number;
}

export interface Expansion {
  jobs: NewJob[];
  /** A webhook delivery not queued because its queue was full. */
  droppedWebhook: boolean;
}

/**
 * A cause's deliveries, computed inside the transaction that marks the cause done
 * (`JobsStorage.expandCause`), so the recipients are those of the moment of expansion: a
 * person removed, blocked or unfollowed since the change gets nothing.
 */
export async function expandCause(cause: Cause, job: JobRecord, reads: CauseReads, o: ExpandOptions): Promise<Expansion> {
  const out: Expansion = { jobs: [], droppedWebhook: false };
  // Deliveries are due when the change happened, so they go out in the order of the changes.
  const due = job.dueAt;
  if (cause.type === 'digest') {
    await digest(out, cause, job, reads, o);
    return out;
  }
  if (cause.type === 'reminder') {
    await reminders(out, cause, job, reads, o);
    return out;
  }
  // A deleted page's cause is purged with it; this only meets a page deleted mid-way.
  const page = await reads.page(cause.pageId);
  if (!page) return out;
  if (o.channels.has('webhook')) {
    if ((await reads.queued('webhook')) >= o.webhookMaxQueue) out.droppedWebhook = true;
    else out.jobs.push({ id: randomUUID(), kind: 'webhook', key: deliveryKeys.webhook(job.key), pageId: cause.pageId, recipient: null, payload: webhookBody(cause), dueAt: due });
  }
  const title = o.detail === 'title' ? page.title : undefined;
  if (cause.type === 'journal.posted') {
    const audience = (await reads.audience(cause.pageId)).filter((r) => r.userId !== cause.authorId && mayStillRead(r, page.visibility as Visibility));
    await deliver(out, reads, o, job.key, cause.pageId, due, { type: 'journal', pageId: cause.pageId, ...(title ? { title } : {}) }, audience.filter((r) => r.email === 'instant'), audience.filter((r) => r.push));
  } else if (cause.type === 'follow.requested') {
    const audience = (await reads.audience(cause.pageId)).filter((r) => r.member !== null && r.requests === 'instant' && r.userId !== cause.userId);
    await deliver(out, reads, o, job.key, cause.pageId, due, { type: 'request', pageId: cause.pageId, ...(title ? { title } : {}) }, audience, audience.filter((r) => r.push));
  }
  // follow.approved: the webhook only.
  return out;
}

/**
 * THE read rule (access.ts `capabilities`), for someone who chose notifications: a member, or
 * an approved follower who may read. A pending, declined, removed or blocked person never.
 * (Staff roles live in tokens, not here: staff get notifications only as members.)
 */
export function mayStillRead(r: Pick<AudienceRow, 'userId' | 'member' | 'follow'>, visibility: Visibility): boolean {
  if (r.member === null && r.follow !== 'following') return false;
  const follow = (r.follow ?? 'none') as 'following' | 'none';
  return capabilities({ identity: { userId: r.userId, name: '', staff: null, exp: null }, visibility, member: r.member, follow }).read;
}

async function deliver(out: Expansion, reads: CauseReads, o: ExpandOptions, causeKey: string, pageId: string | null, due: string, message: NotifyMessage, email: AudienceRow[], push: AudienceRow[]): Promise<void> {
  if (o.channels.has('email')) {
    for (const r of email) {
      if (!r.address) continue;
      const payload: EmailPayload = { to: r.address, userId: r.userId, message };
      out.jobs.push({ id: randomUUID(), kind: 'email', key: deliveryKeys.email(causeKey, r.userId), pageId, recipient: r.userId, payload: JSON.stringify(payload), dueAt: due });
    }
  }
  if (o.channels.has('push') && push.length > 0) {
    for (const s of await reads.pushEndpoints([...new Set(push.map((r) => r.userId))])) {
      const payload: PushPayload = { userId: s.userId, endpoint: s.endpoint, message };
      out.jobs.push({ id: randomUUID(), kind: 'push', key: deliveryKeys.push(causeKey, s.endpoint), pageId, recipient: s.userId, payload: JSON.stringify(payload), dueAt: due });
    }
  }
}

/** The webhook's body, exactly as before the job queue (webhook.ts documents it): ids and counts only. */
function webhookBody(c: Exclude<Cause, { type: 'digest' | 'reminder' }>): string {
  switch (c.type) {
    case 'journal.posted':
      return JSON.stringify({ type: c.type, pageId: c.pageId, entryId: c.entryId, seq: c.seq, followerCount: c.followerCount, at: c.at });
    case 'follow.requested':
      return JSON.stringify({ type: c.type, pageId: c.pageId, userId: c.userId, pendingCount: c.pendingCount, at: c.at });
    case 'follow.approved':
      return JSON.stringify({ type: c.type, pageId: c.pageId, userId: c.userId, followerCount: c.followerCount, at: c.at });
  }
}

/**
 * The read rule for a volunteer (SPEC 6.4): `capabilities` of a signed-in person with their
 * membership and follow. Unlike `mayStillRead`, no notification choice is needed to be here
 * (signing up is the choice), so a reader of a public or members-only page who does not follow
 * still may read; a blocked person, or a private page's reader who no longer follows, may not.
 */
export function mayReadAsVolunteer(r: Pick<ReminderRow, 'userId' | 'member' | 'follow'>, visibility: Visibility): boolean {
  const follow = (r.follow ?? 'none') as FollowState;
  return capabilities({ identity: { userId: r.userId, name: '', staff: null, exp: null }, visibility, member: r.member, follow }).read;
}

/**
 * The planner's reminders for the tasks dated `cause.date` (SPEC 6.4), as of now: one per
 * (volunteer, page), however many tasks they took there that day, by email (when an address
 * is known) and push (each of their browsers). Not to those who withdrew (no row), whose task
 * was cancelled, who turned the page's reminders off, or who may no longer read the page.
 * PHI-free: the page id (for the links) and the date (for the check before the send) only.
 */
async function reminders(out: Expansion, cause: Extract<Cause, { type: 'reminder' }>, job: JobRecord, reads: CauseReads, o: ExpandOptions): Promise<void> {
  const email = o.channels.has('email');
  const push = o.channels.has('push');
  if (!email && !push) return;
  const rows = (await reads.reminderAudience(cause.date)).filter((r) => r.reminders && mayReadAsVolunteer(r, r.visibility as Visibility));
  if (rows.length === 0) return;
  const endpoints = push ? await reads.pushEndpoints([...new Set(rows.map((r) => r.userId))]) : [];
  for (const r of rows) {
    // The day's key, whichever sweep this is: a later sweep adds only the late sign-ups.
    const key = deliveryKeys.reminderOf(causeKeys.reminder(cause.date), r.pageId);
    const message: NotifyMessage = { type: 'reminder', pageId: r.pageId, date: cause.date, ...(o.detail === 'title' ? { title: r.title } : {}) };
    if (email && r.address) {
      const payload: EmailPayload = { to: r.address, userId: r.userId, message };
      out.jobs.push({ id: randomUUID(), kind: 'email', key: deliveryKeys.email(key, r.userId), pageId: r.pageId, recipient: r.userId, payload: JSON.stringify(payload), dueAt: job.dueAt });
    }
    for (const s of endpoints) {
      if (s.userId !== r.userId) continue;
      const payload: PushPayload = { userId: s.userId, endpoint: s.endpoint, message };
      out.jobs.push({ id: randomUUID(), kind: 'push', key: deliveryKeys.push(key, s.endpoint), pageId: r.pageId, recipient: s.userId, payload: JSON.stringify(payload), dueAt: job.dueAt });
    }
  }
}

const DAY_MS = 86_400_000;

/**
 * The daily digest: per person, per page they may still read, the journal entries since the
 * previous digest (`email: 'daily'`; their own entries not counted) and, for owners and
 * editors with `messages: 'daily'`, the new wall messages (and, for owners, the requests
 * waiting). One email per person with anything to say; nobody gets a digest of zeros.
 */
async function digest(out: Expansion, cause: Extract<Cause, { type: 'digest' }>, job: JobRecord, reads: CauseReads, o: ExpandOptions): Promise<void> {
  if (!o.channels.has('email')) return;
  const previous = await reads.previousCause('digest:', job.key);
  const since = previous ? (JSON.parse(previous) as { at: string }).at : new Date(Date.parse(cause.at) - DAY_MS).toISOString();
  const rows = (await reads.dailyAudience()).filter((r) => r.address && mayStillRead(r, r.visibility as Visibility));
  if (rows.length === 0) return;
  const pageIds = [...new Set(rows.map((r) => r.pageId))];
  const ownerPages = [...new Set(rows.filter((r) => r.member !== null && r.messages === 'daily').map((r) => r.pageId))];
  const [entries, messages, requests] = await Promise.all([
    reads.entryCounts(pageIds, since, cause.at),
    ownerPages.length > 0 ? reads.messageCounts(ownerPages, since, cause.at) : new Map<string, number>(),
    ownerPages.length > 0 ? reads.requestCounts(ownerPages) : new Map<string, number>(),
  ]);
  const perPerson = new Map<string, { address: string; pages: DigestPage[] }>();
  for (const r of rows) {
    const entryCount = r.email === 'daily' ? entries.filter((e) => e.pageId === r.pageId && e.authorId !== r.userId).reduce((n, e) => n + e.n, 0) : 0;
    const owner = r.member !== null && r.messages === 'daily';
    const p: DigestPage = {
      pageId: r.pageId,
      ...(o.detail === 'title' ? { title: r.title } : {}),
      entries: entryCount,
      messages: owner ? (messages.get(r.pageId) ?? 0) : 0,
      requests: owner && r.member === 'owner' ? (requests.get(r.pageId) ?? 0) : 0,
    };
    if (p.entries + p.messages + p.requests === 0) continue;
    const person = perPerson.get(r.userId) ?? { address: r.address!, pages: [] };
    person.pages.push(p);
    perPerson.set(r.userId, person);
  }
  for (const [userId, { address, pages }] of perPerson) {
    const payload: EmailPayload = { to: address, userId, message: { type: 'digest', date: cause.date, pages } };
    // A digest spans pages: it belongs to none (a deleted page's share goes with the next one).
    out.jobs.push({ id: randomUUID(), kind: 'email', key: deliveryKeys.email(job.key, userId), pageId: null, recipient: userId, payload: JSON.stringify(payload), dueAt: job.dueAt });
  }
}
