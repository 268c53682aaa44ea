/**
 * The job runner's rules, with an injected clock (the runner's notion of now) so time moves
 * without waiting: the per-recipient hourly limit postpones (never drops), failed attempts back
 * off exponentially, a job is given up after its attempts or at once on a permanent refusal,
 * and every send and give-up is audited without content; a push service's "gone" removes the
 * subscription; `/metrics` counts it all. And the daily digest: one email per person, not
 * before the hour, never twice a day, counting only what is new since the previous one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EmailPayload, NotifySettings, PushPayload, SendOutcome } from '../src/notify/contract.js';
import { defaultNotifySettings } from '../src/notify/settings.js';
import { startServer, type TestServer } from './helpers.js';
import { address, choose, drained, jobsOf, RecordingChannel, subscribe, until } from './notify-helpers.js';
import type { Config } from '../src/config.js';

/**
 * A clock that stands still unless moved; it starts a minute ahead, since what the test does
 * now (in real time) must be due by it.
 */
function manualClock(start = Date.now() + 60_000) {
  let now = start;
  return { now: () => now, set: (ms: number) => void (now = ms), add: (ms: number) => void (now += ms) };
}

async function follower(ts: TestServer, pageId: string, userId: string, choice: Parameters<typeof choose>[3] = { email: 'instant' }) {
  await choose(ts.db, pageId, userId, choice);
  await address(ts.db, userId, `${userId}@example.org`);
}

async function postAs(ts: TestServer, userId: string, pageId: string, n: number, prefix = 'p') {
  const c = await ts.connect(userId);
  const entries = [];
  for (let i = 0; i < n; i++) entries.push((await c.ok('journal:post', { pageId, clientId: `${prefix}${i}`, title: 'SECRET-T', body: 'SECRET-B' })).entry);
  c.close();
  return entries;
}

async function server(over: Partial<Config> & { settings?: Partial<NotifySettings> }) {
  const { settings, ...rest } = over;
  return startServer({ notify: { ...defaultNotifySettings(0), ...settings }, ...rest });
}

const HOUR = 3_600_000;

async function metric(ts: TestServer, channel: string, outcome: string): Promise<number> {
  const m = await ts.server.metrics.notifications.get();
  return m.values.find((v) => v.labels.channel === channel && v.labels.outcome === outcome)?.value ?? 0;
}

describe('job runner', () => {
  it('the per-recipient hourly limit postpones sends to when the window frees, then sends them', async () => {
    const clock = manualClock();
    const email = new RecordingChannel<EmailPayload>('email');
    const ts = await server({ channels: { email }, clock: clock.now, settings: { perRecipientPerHour: 2 } });
    try {
      const pageId = await ts.page({ followers: ['fan', 'other'] });
      await follower(ts, pageId, 'fan');
      await follower(ts, pageId, 'other');
      const entries = await postAs(ts, 'owner', pageId, 4);
      await until(async () => (await metric(ts, 'email', 'deferred')) >= 4, 'two of each person postponed');
      await drained(ts.db, clock.now, pageId);
      const perPerson = (u: string) => email.sent.filter((j) => j.recipient === u).length;
      assert.deepEqual([perPerson('fan'), perPerson('other')], [2, 2], 'two each within the hour (the limit is per recipient)');
      const waiting = await jobsOf(ts.db, { pageId, kind: 'email', state: 'queued' });
      assert.equal(waiting.length, 4, 'postponed, not dropped');
      for (const j of waiting) {
        assert.equal(Number(j.attempts), 0, 'a postponement is no attempt');
        assert.equal(j.due_at, new Date(clock.now() + HOUR).toISOString(), 'due when the first send of the window is an hour old');
      }
      // An hour later the window has room again.
      clock.add(HOUR);
      ts.server.jobs.poke();
      await until(() => email.sent.length === 8, 'the postponed ones');
      assert.deepEqual(new Set(email.sent.map((j) => j.key)).size, 8);
      assert.equal(entries.length, 4);
      assert.equal(await metric(ts, 'email', 'sent'), 8);
    } finally {
      await ts.close();
    }
  });

  it('failed attempts back off exponentially (base, 2×base, …); the job keeps its id and key', async () => {
    const clock = manualClock();
    const email = new RecordingChannel<EmailPayload>('email', (_job, n): SendOutcome => (n <= 2 ? { ok: false, retry: true, reason: '451 try again' } : { ok: true }));
    const ts = await server({ channels: { email }, clock: clock.now, jobTuning: { email: { retryBaseMs: 60_000, maxAttempts: 5 } } });
    try {
      const pageId = await ts.page({ followers: ['fan'] });
      await follower(ts, pageId, 'fan');
      await postAs(ts, 'owner', pageId, 1);
      const job = async () => (await jobsOf(ts.db, { pageId, kind: 'email' }))[0]!;
      const t0 = clock.now();
      await until(async () => Number((await job()).attempts) === 1, 'the first failed attempt');
      assert.equal((await job()).due_at, new Date(t0 + 60_000).toISOString(), 'first retry after the base delay');
      clock.add(60_000);
      ts.server.jobs.poke();
      await until(async () => Number((await job()).attempts) === 2, 'the second failed attempt');
      assert.equal((await job()).due_at, new Date(t0 + 60_000 + 120_000).toISOString(), 'then twice that');
      clock.add(120_000);
      ts.server.jobs.poke();
      await until(async () => (await job()).state === 'done', 'the third attempt');
      assert.equal(email.attempts.length, 3);
      assert.equal(new Set(email.attempts.map((j) => `${j.id} ${j.key}`)).size, 1);
      assert.deepEqual(email.attempts.map((j) => j.attempts), [0, 1, 2]);
      assert.deepEqual([await metric(ts, 'email', 'retried'), await metric(ts, 'email', 'sent'), await metric(ts, 'email', 'failed')], [2, 1, 0]);
    } finally {
      await ts.close();
    }
  });

  it('gives up after the attempts, or at once on a permanent refusal; each give-up and send is audited without content', async () => {
    const email = new RecordingChannel<EmailPayload>('email', (job): SendOutcome => (job.payload.userId === 'refused' ? { ok: false, retry: false, reason: '550 no such user' } : { ok: false, retry: true, reason: '451 later' }));
    const push = new RecordingChannel<PushPayload>('push', (job): SendOutcome => (job.payload.endpoint.endsWith('gone') ? { ok: false, retry: false, gone: true, reason: 'HTTP 410' } : { ok: true }));
    const ts = await server({ channels: { email, push }, jobTuning: { email: { retryBaseMs: 5, maxAttempts: 3 } } });
    try {
      const pageId = await ts.page({ followers: ['refused', 'flaky', 'browser'] });
      await follower(ts, pageId, 'refused');
      await follower(ts, pageId, 'flaky');
      await choose(ts.db, pageId, 'browser', { push: true });
      await subscribe(ts.db, 'browser', 'https://push.example/ok');
      await subscribe(ts.db, 'browser', 'https://push.example/gone');
      const errors: unknown[] = [];
      const original = console.error;
      console.error = (...args: unknown[]) => errors.push(args);
      try {
        await postAs(ts, 'owner', pageId, 1);
        await until(async () => (await jobsOf(ts.db, { pageId, state: 'queued' })).length === 0, 'every job finished');
      } finally {
        console.error = original;
      }
      const jobs = await jobsOf(ts.db, { pageId });
      const state = (kind: string, who: string) => jobs.filter((j) => j.kind === kind && j.recipient === who).map((j) => [j.state, Number(j.attempts)]);
      assert.deepEqual(state('email', 'refused'), [['failed', 0]], 'a permanent refusal: at once');
      assert.deepEqual(state('email', 'flaky'), [['failed', 2]], 'three attempts, then given up');
      assert.equal(email.attempts.filter((j) => j.recipient === 'flaky').length, 3);
      assert.deepEqual(state('push', 'browser').sort(), [['done', 0], ['failed', 0]]);
      assert.deepEqual(
        (await ts.db.selectFrom('push_subscriptions').select('endpoint').where('user_id', '=', 'browser').execute()).map((r) => r.endpoint),
        ['https://push.example/ok'],
        'the subscription its push service called gone is removed',
      );
      assert.match(JSON.stringify(errors), /gave up/);

      const trail = (await ts.storage.audit({ pageId, limit: 1000 })).entries.filter((e) => e.action.startsWith('notify.'));
      assert.deepEqual(
        trail.map((e) => [e.action, e.target, e.detail]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
        [
          ['notify.failed', 'browser', { channel: 'push', type: 'journal' }],
          ['notify.failed', 'flaky', { channel: 'email', type: 'journal' }],
          ['notify.failed', 'refused', { channel: 'email', type: 'journal' }],
          ['notify.sent', 'browser', { channel: 'push', type: 'journal' }],
        ],
      );
      assert.ok(!JSON.stringify(trail).match(/example\.(org|push)|SECRET|push\.example/), 'no address, endpoint or content in the audit log');
      assert.deepEqual([await metric(ts, 'email', 'failed'), await metric(ts, 'email', 'retried'), await metric(ts, 'push', 'failed'), await metric(ts, 'push', 'sent')], [2, 2, 1, 1]);
      const text = await (await fetch(`${ts.url}/metrics`)).text();
      assert.match(text, /care_notifications_total\{channel="email",outcome="failed"\} 2/);
      assert.match(text, /care_notifications_queued\{channel="email"\} 0/);
    } finally {
      await ts.close();
    }
  });

  it('/metrics: care_notifications_queued shows what waits, per channel', async () => {
    const email = new RecordingChannel<EmailPayload>('email', () => ({ ok: false, retry: true, reason: 'later' }));
    const ts = await server({ channels: { email }, jobTuning: { email: { retryBaseMs: HOUR } } });
    try {
      const pageId = await ts.page({ followers: ['a', 'b', 'c'] });
      for (const u of ['a', 'b', 'c']) await follower(ts, pageId, u);
      await postAs(ts, 'owner', pageId, 1);
      await drained(ts.db, Date.now, pageId);
      const text = await (await fetch(`${ts.url}/metrics`)).text();
      assert.match(text, /care_notifications_queued\{channel="email"\} 3/);
      assert.match(text, /care_notifications_queued\{channel="cause"\} 0/);
    } finally {
      await ts.close();
    }
  });
});

describe('daily digest', () => {
  it('from the digest hour on: one email per person with the counts since the previous digest; none before the hour, never twice a day, nobody with nothing new', async () => {
    // The clock starts at the next whole hour (at least one hour ahead of real time, so what
    // the test posts now falls within the 24 hours the first digest looks back).
    const real = Date.now();
    let start = Math.ceil(real / HOUR) * HOUR + HOUR;
    if (new Date(start).getUTCHours() === 0) start += HOUR;
    const digestHour = new Date(start).getUTCHours();
    const clock = manualClock(start - 30 * 60_000);
    const email = new RecordingChannel<EmailPayload>('email');
    const ts = await server({ channels: { email }, clock: clock.now, settings: { digestHour, timezone: 'UTC' } });
    try {
      const pageId = await ts.page({ visibility: 'private', followers: ['daily', 'instant', 'blocked', 'both'] });
      const quiet = await ts.page({ visibility: 'public', followers: ['daily'] });
      await follower(ts, pageId, 'daily', { email: 'daily' });
      await follower(ts, quiet, 'daily', { email: 'daily' });
      await follower(ts, pageId, 'instant', { email: 'instant' });
      await follower(ts, pageId, 'blocked', { email: 'daily' });
      await follower(ts, pageId, 'owner', { messages: 'daily' });
      await follower(ts, pageId, 'editor', { email: 'daily', messages: 'daily' });
      const owner = await ts.connect('owner');
      await owner.ok('follow:remove', { pageId, userId: 'blocked', block: true });
      owner.close();
      await postAs(ts, 'owner', pageId, 3);
      await postAs(ts, 'editor', pageId, 1, 'ed');
      const fan = await ts.connect('instant');
      await fan.ok('wall:post', { pageId, clientId: 'w1', body: 'get well' });
      await fan.ok('wall:post', { pageId, clientId: 'w2', body: 'soon' });
      fan.close();
      const asker = await ts.connect('asker');
      await asker.ok('follow:set', { pageId, follow: true });
      asker.close();
      await drained(ts.db, clock.now);
      const instantEmails = email.sent.length;
      assert.equal(instantEmails, 4, "the 'instant' follower's four");

      // Half an hour before the hour: nothing.
      await ts.server.jobs.tick();
      await drained(ts.db, clock.now);
      assert.deepEqual(await jobsOf(ts.db, { kind: 'cause', state: 'queued' }), []);
      assert.equal((await ts.db.selectFrom('jobs').select('key').where('key', 'like', 'digest:%').execute()).length, 0, 'no digest before the hour');

      // The hour has come.
      clock.set(start + 60_000);
      await ts.server.jobs.tick();
      await drained(ts.db, clock.now);
      const date = new Date(start).toISOString().slice(0, 10);
      const digests = email.sent.slice(instantEmails);
      const byUser = Object.fromEntries(digests.map((j) => [j.payload.userId, j.payload]));
      assert.deepEqual(Object.keys(byUser).sort(), ['daily', 'editor', 'owner'], 'one each; not the blocked one, not the instant one');
      assert.equal(digests.length, 3);
      assert.deepEqual(byUser.daily!.message, { type: 'digest', date, pages: [{ pageId, entries: 4, messages: 0, requests: 0 }] }, 'the quiet page is left out');
      assert.deepEqual(byUser.editor!.message, { type: 'digest', date, pages: [{ pageId, entries: 3, messages: 2, requests: 0 }] }, 'not their own entry; requests are the owner\'s');
      assert.deepEqual(byUser.owner!.message, { type: 'digest', date, pages: [{ pageId, entries: 0, messages: 2, requests: 1 }] });
      assert.deepEqual(digests.map((j) => j.key).sort(), ['daily', 'editor', 'owner'].map((u) => `email:digest:${date}:${u}`));

      // Later the same day: never again.
      clock.add(3 * HOUR);
      await ts.server.jobs.tick();
      await drained(ts.db, clock.now);
      assert.equal(email.sent.length, instantEmails + 3);

      // The next day: only what is new since this digest (nothing for followers; the owner's
      // request still waits).
      clock.add(24 * HOUR);
      await ts.server.jobs.tick();
      await drained(ts.db, clock.now);
      const next = email.sent.slice(instantEmails + 3);
      assert.deepEqual(
        next.map((j) => [j.payload.userId, j.payload.message]),
        [['owner', { type: 'digest', date: new Date(clock.now()).toISOString().slice(0, 10), pages: [{ pageId, entries: 0, messages: 0, requests: 1 }] }]],
      );
    } finally {
      await ts.close();
    }
  });
});
