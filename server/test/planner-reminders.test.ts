/**
 * SPEC 6.4 reminders through the job queue (SPEC 6.2): on day D, from CARE_REMINDER_HOUR in
 * CARE_TIMEZONE, one cause per cluster for the tasks of D+1; its expansion gives one email and
 * one push per browser to each (volunteer, page), never twice (scheduler and runner run again,
 * the cause expanded again, two nodes on one database), and nothing to those who withdrew,
 * whose task was cancelled, who turned reminders off, or who may no longer read the page.
 * Every message is PHI-free (no page title, task title, details, kind, names), checked in the
 * queued payloads, the push payloads' words, and byte for byte in the emails a real SMTP server
 * receives; the email's one-click unsubscribe turns that page's reminders off.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EmailPayload, NotifyMessage, PushPayload } from '../src/notify/contract.js';
import { notifyText } from '../src/notify/messages.js';
import { todayIn } from '../../src/protocol/index.js';
import { SERVER_FEATURES } from '../src/pages/features.js';
import type { Config } from '../src/config.js';
import { auditTrail, notifySettings, startServer, type TestServer } from './helpers.js';
import { assertPhiFree, freePort, manualClock, messagesTo, person, signIn, unsubscribeUrl } from './notify-e2e-helpers.js';
import { drained, jobsOf, RecordingChannel, subscribe, until } from './notify-helpers.js';
import { Planner, reminderTimes } from './planner-helpers.js';
import { freshPostgres } from './pg.js';
import { startSmtp, type TestSmtp } from './smtp.js';

const TZ = 'America/Chicago';
const FEATURES: Config['features'] = [...new Set([...SERVER_FEATURES, 'planner' as const])];
const PAGE_TITLE = 'Zebulon Quartermaine recovery';
const TASK_TITLE = 'Casserole after chemotherapy';
const DETAILS = '1428 Hollowbrook Lane, door code 7731, allergic to peanuts';
const OWNER_NAME = 'Ottoline Vanderbrook';
/** Everything a reminder must not carry (the kind is `errand`). */
const SECRETS = [PAGE_TITLE, 'Zebulon', 'Quartermaine', TASK_TITLE, 'Casserole', 'chemotherapy', DETAILS, '7731', 'Hollowbrook', 'peanuts', OWNER_NAME, 'Ottoline', 'errand'];

function recording() {
  return { email: new RecordingChannel<EmailPayload>('email'), push: new RecordingChannel<PushPayload>('push') };
}

/** The words a message turns into (subject, lines, push title and body). */
function words(m: NotifyMessage): string {
  const t = notifyText(m);
  return JSON.stringify([t.subject, t.lines, t.action, t.push, t.items ?? []]);
}

describe('planner reminders: who, when, once', () => {
  it('from the reminder hour on day D: one email and one push per browser per (volunteer, page) for the tasks of D+1; nobody else; never twice', async () => {
    const times = reminderTimes(TZ);
    const clock = manualClock(times.before);
    const channels = recording();
    const ts = await startServer({
      features: FEATURES,
      channels,
      clock: clock.now,
      notify: { ...notifySettings({ CARE_TIMEZONE: TZ, CARE_NOTIFY_RATE: '10000' }), reminderHour: times.reminderHour },
    });
    try {
      const { tomorrow } = times;
      const tasks = new Planner(ts);
      const priv = await ts.page({ visibility: 'private', title: PAGE_TITLE, followers: ['fan', 'two', 'unfollower', 'blocked', 'quiet', 'withdrew', 'pusher', 'cx', 'laterone'] });
      const pub = await ts.page({ visibility: 'public', title: PAGE_TITLE, followers: ['two'] });
      const dinner = await tasks.create(priv, { title: TASK_TITLE, date: tomorrow, details: DETAILS, start: '18:00' });
      const lunch = await tasks.create(priv, { title: 'Soup', date: tomorrow });
      const cancelled = await tasks.create(priv, { title: 'Ride', date: tomorrow });
      const later = await tasks.create(priv, { title: 'Later', date: addDay(tomorrow) });
      const open = await tasks.create(pub, { title: TASK_TITLE, date: tomorrow, details: DETAILS });
      for (const u of ['fan', 'two', 'unfollower', 'blocked', 'quiet', 'withdrew', 'pusher', 'editor']) await tasks.signup(priv, dinner, u);
      await tasks.signup(priv, lunch, 'two'); // two tasks on one page: one reminder
      await tasks.signup(priv, cancelled, 'cx');
      await tasks.signup(priv, later, 'laterone');
      for (const u of ['two', 'reader']) await tasks.signup(pub, open, u); // 'reader' does not follow the public page
      await subscribe(ts.db, 'pusher', 'https://push.example/pusher-1');
      await subscribe(ts.db, 'pusher', 'https://push.example/pusher-2');
      await subscribe(ts.db, 'fan', 'https://push.example/fan');

      // What happens between signing up and the reminder, through the server's own paths.
      const owner = await ts.connect('owner');
      await owner.ok('follow:remove', { pageId: priv, userId: 'blocked', block: true });
      owner.close();
      const unfollower = await ts.connect('unfollower');
      await unfollower.ok('follow:set', { pageId: priv, follow: false });
      unfollower.close();
      const quiet = await ts.connect('quiet');
      assert.equal((await quiet.ok('notify:get', { pageId: priv })).reminders, true, 'on by default');
      assert.equal((await quiet.ok('notify:set', { pageId: priv, reminders: false })).reminders, false);
      quiet.close();
      await tasks.signup(priv, dinner, 'withdrew', false);
      await tasks.cancel(priv, cancelled);

      // Half an hour before the hour: nothing queued.
      await ts.server.jobs.tick();
      await drained(ts.db, clock.now);
      assert.deepEqual(await ts.db.selectFrom('jobs').select('key').where('key', 'like', 'reminder:%').execute(), [], 'no reminder before the hour');

      clock.set(times.at);
      await ts.server.jobs.tick();
      await drained(ts.db, clock.now);
      const emailed = channels.email.sent.map((j) => [j.payload.userId, j.pageId]).sort();
      assert.deepEqual(
        emailed,
        [
          ['editor', priv],
          ['fan', priv],
          ['pusher', priv],
          ['reader', pub],
          ['two', priv],
          ['two', pub],
        ].sort(),
        'the volunteers who may still read, one per page (signing up stored their address); not the blocked, unfollowed (private), reminders-off, withdrawn, cancelled or later ones',
      );
      assert.deepEqual(
        channels.push.sent.map((j) => j.payload.endpoint).sort(),
        ['https://push.example/fan', 'https://push.example/pusher-1', 'https://push.example/pusher-2'],
        'each browser of each volunteer (push needs no address)',
      );
      assert.deepEqual(
        channels.email.sent.map((j) => j.key).sort(),
        [`email:reminder:${tomorrow}:${priv}:editor`, `email:reminder:${tomorrow}:${priv}:fan`, `email:reminder:${tomorrow}:${priv}:pusher`, `email:reminder:${tomorrow}:${pub}:reader`, `email:reminder:${tomorrow}:${priv}:two`, `email:reminder:${tomorrow}:${pub}:two`].sort(),
      );
      for (const j of [...channels.email.sent, ...channels.push.sent]) {
        assert.deepEqual(j.payload.message, { type: 'reminder', pageId: j.pageId, date: tomorrow }, 'the page id (for the links) and the day, nothing else');
        assert.equal(j.recipient, j.payload.userId);
        const text = words(j.payload.message);
        assert.match(text, /You signed up to help tomorrow/);
        for (const s of SECRETS) assert.ok(!text.toLowerCase().includes(s.toLowerCase()), `"${s}" in a reminder's words`);
      }
      const queue = JSON.stringify(await jobsOf(ts.db));
      for (const s of SECRETS) assert.ok(!queue.includes(s), `"${s}" in the job queue`);
      // Audited without content, as every delivery.
      const trail = (await auditTrail(ts.storage, priv)).filter((e) => e.action === 'notify.sent');
      assert.equal(trail.length, 4 + 3);
      for (const row of trail) assert.deepEqual(Object.keys(row.detail!).sort(), ['channel', 'type']);
      assert.ok(trail.every((r) => r.detail!.type === 'reminder'));

      // The scheduler and the runner again, later the same day; the cause expanded once more
      // (a node whose lease ran out): nothing new.
      const sent = channels.email.sent.length + channels.push.sent.length;
      clock.add(3 * 3_600_000);
      await ts.server.jobs.tick();
      await ts.server.jobs.tick();
      const causes = (await jobsOf(ts.db, { kind: 'cause' })).filter((j) => j.key.startsWith('reminder:'));
      // The day's cause, and at most one later sweep per hour (for late sign-ups), each once.
      assert.equal(causes.filter((j) => j.key === `reminder:${tomorrow}`).length, 1, 'one first cause for the day');
      assert.ok(causes.every((j) => j.key === `reminder:${tomorrow}` || /^reminder:\d{4}-\d{2}-\d{2}:late:\d{2}$/.test(j.key)), 'the others are hourly sweeps');
      assert.equal(new Set(causes.map((j) => j.key)).size, causes.length, 'each sweep once');
      const cause = causes.find((j) => j.key === `reminder:${tomorrow}`);
      await ts.db.updateTable('jobs').set({ state: 'queued', finished_at: null, claimed_until: null }).where('id', '=', cause!.id).execute();
      ts.server.jobs.poke();
      await drained(ts.db, clock.now);
      assert.equal(channels.email.sent.length + channels.push.sent.length, sent, 'nothing sent twice');
      assert.equal((await jobsOf(ts.db, { kind: 'cause' })).filter((j) => j.key.startsWith('reminder:')).length, causes.length, 'no new cause');
    } finally {
      await ts.close();
    }
  });

  it('a volunteer who signs up after the day\'s first sweep hears from the next hour\'s sweep; the others do not hear again', async () => {
    const times = reminderTimes(TZ, { laterHour: true });
    const clock = manualClock(times.before);
    const channels = recording();
    const ts = await startServer({
      features: FEATURES,
      channels,
      clock: clock.now,
      notify: { ...notifySettings({ CARE_TIMEZONE: TZ, CARE_NOTIFY_RATE: '10000' }), reminderHour: times.reminderHour },
    });
    try {
      const tasks = new Planner(ts);
      const page = await ts.page({ visibility: 'private', title: PAGE_TITLE, followers: ['early', 'late'] });
      const dinner = await tasks.create(page, { title: TASK_TITLE, date: times.tomorrow, details: DETAILS });
      await tasks.signup(page, dinner, 'early');
      await subscribe(ts.db, 'early', 'https://push.example/early');
      clock.set(times.at);
      await ts.server.jobs.tick();
      await drained(ts.db, clock.now);
      const who = () => channels.email.sent.map((j) => j.payload.userId).sort();
      assert.deepEqual(who(), ['early']);
      assert.equal(channels.push.sent.length, 1);

      await tasks.signup(page, dinner, 'late');
      clock.add(30 * 60_000);
      await ts.server.jobs.tick();
      await drained(ts.db, clock.now);
      assert.deepEqual(who(), ['early'], 'the same hour: no new sweep yet');

      clock.add(3_600_000);
      await ts.server.jobs.tick();
      await ts.server.jobs.tick();
      await drained(ts.db, clock.now);
      assert.deepEqual(who(), ['early', 'late'], 'the late volunteer reminded once, the early one not again');
      assert.equal(channels.push.sent.length, 1, 'no second push either');
      assert.deepEqual(
        channels.email.sent.map((j) => j.key).sort(),
        [`email:reminder:${times.tomorrow}:${page}:early`, `email:reminder:${times.tomorrow}:${page}:late`],
        'the day\'s keys, whichever sweep found them',
      );
      for (const j of channels.email.sent) assert.deepEqual(j.payload.message, { type: 'reminder', pageId: page, date: times.tomorrow });
    } finally {
      await ts.close();
    }
  });

  it('a job queued before the volunteer withdrew, turned reminders off or was blocked is skipped at send time', async () => {
    const times = reminderTimes(TZ);
    // The runner's first tick (at start) comes before the hour: the tasks are there by the hour.
    const clock = manualClock(times.before);
    // Email fails until told otherwise: the deliveries wait in the queue.
    let open = false;
    const email = new RecordingChannel<EmailPayload>('email', () => (open ? { ok: true } : { ok: false, retry: true, reason: 'later' }));
    const ts = await startServer({
      features: FEATURES,
      channels: { email },
      clock: clock.now,
      jobTuning: { email: { retryBaseMs: 60_000 } },
      notify: { ...notifySettings({ CARE_TIMEZONE: TZ, CARE_NOTIFY_RATE: '10000' }), reminderHour: times.reminderHour },
    });
    try {
      const tasks = new Planner(ts);
      const pageId = await ts.page({ visibility: 'public', followers: ['stays', 'withdraws', 'turnsoff', 'blocked'] });
      const task = await tasks.create(pageId, { title: 'Walk the dog', date: times.tomorrow });
      for (const u of ['stays', 'withdraws', 'turnsoff', 'blocked']) await tasks.signup(pageId, task, u);
      clock.set(times.at);
      await ts.server.jobs.tick();
      await until(async () => (await jobsOf(ts.db, { kind: 'email' })).length === 4 && email.attempts.length >= 4, 'four reminders tried once');

      await tasks.signup(pageId, task, 'withdraws', false);
      const c = await ts.connect('turnsoff');
      await c.ok('notify:set', { pageId, reminders: false });
      c.close();
      const owner = await ts.connect('owner');
      await owner.ok('follow:remove', { pageId, userId: 'blocked', block: true });
      owner.close();

      open = true;
      clock.add(120_000);
      ts.server.jobs.poke();
      await drained(ts.db, clock.now);
      assert.deepEqual(
        email.sent.map((j) => j.payload.userId),
        ['stays'],
      );
      const skipped = (await auditTrail(ts.storage, pageId)).filter((e) => e.action === 'notify.skipped');
      assert.equal(skipped.length, 3);
    } finally {
      await ts.close();
    }
  });
});

describe('notify:get / notify:set reminders', () => {
  it('on by default, turned off and on, audited; a volunteer of a public page who does not follow may choose them (and only them); a stranger may not', async () => {
    const ts = await startServer({ features: FEATURES });
    try {
      const tasks = new Planner(ts);
      const pageId = await ts.page({ visibility: 'public', followers: ['fan'] });
      const task = await tasks.create(pageId, { title: 'Soup', date: addDay(addDay(todayIn('UTC'))) });
      await tasks.signup(pageId, task, 'reader');

      const fan = await ts.connect('fan');
      assert.equal((await fan.ok('notify:get', { pageId })).reminders, true);
      assert.equal((await fan.ok('notify:set', { pageId, reminders: false })).reminders, false);
      assert.equal((await fan.ok('notify:get', { pageId })).reminders, false);
      const both = await fan.ok('notify:set', { pageId, reminders: true, push: false });
      assert.deepEqual([both.reminders, both.push], [true, false]);
      const sets = (await auditTrail(ts.storage, pageId)).filter((e) => e.action === 'notify.set' && e.target === 'fan');
      assert.deepEqual(
        sets.map((e) => e.detail),
        [{ reminders: false }, { push: false, reminders: true }],
      );

      const reader = await ts.connect('reader');
      const answer = await reader.ok('notify:get', { pageId });
      assert.deepEqual([answer.email, answer.push, answer.reminders, answer.owner], ['off', false, true, undefined]);
      assert.equal((await reader.ok('notify:set', { pageId, reminders: false })).reminders, false);
      await reader.fails('notify:set', { pageId, email: 'instant' }, 'forbidden');
      await reader.fails('notify:set', { pageId, reminders: true, push: true }, 'forbidden');

      const stranger = await ts.connect('stranger');
      await stranger.fails('notify:get', { pageId }, 'forbidden');
      await stranger.fails('notify:set', { pageId, reminders: false }, 'forbidden');

      // Reminders off outlive an unfollow (the rest of the choices go).
      await fan.ok('notify:set', { pageId, reminders: false, push: false });
      await fan.ok('follow:set', { pageId, follow: false });
      assert.deepEqual(await ts.storage.notifyPrefs(pageId, 'fan'), { email: 'off', push: false, owner: { requests: 'off', messages: 'off' }, reminders: false });
      for (const c of [fan, reader, stranger]) c.close();
    } finally {
      await ts.close();
    }
  });
});

describe('reminder emails over a real SMTP server', () => {
  let smtp: TestSmtp;
  before(async () => {
    smtp = await startSmtp();
  });
  after(async () => {
    await smtp.close();
  });

  it('PHI-free in every byte; the one-click unsubscribe turns that page\'s reminders off (the next day: none)', async () => {
    const times = reminderTimes(TZ);
    const clock = manualClock(times.before);
    // The links name this backend (CARE_PUBLIC_URL): its port is chosen first.
    const port = await freePort();
    const ts = await startServer({
      port,
      features: FEATURES,
      clock: clock.now,
      notify: {
        ...notifySettings({ CARE_SMTP_URL: smtp.url, CARE_TIMEZONE: TZ, CARE_NOTIFY_RATE: '10000', CARE_PUBLIC_URL: `http://127.0.0.1:${port}` }),
        vapid: null,
        reminderHour: times.reminderHour,
      },
    });
    try {
      const tasks = new Planner(ts);
      const pageId = 'zebulon-quartermaine-2291';
      const res = await ts.rest('POST', '/api/pages', { token: await ts.token('admin'), body: { id: pageId, title: PAGE_TITLE, visibility: 'private', owners: ['owner-x'], editors: [] } });
      assert.equal(res.status, 201);
      const helper = person('helper-r', 'Helga Helpful');
      const c = await signIn(ts, helper);
      await c.ok('follow:set', { pageId, follow: true });
      const owner = await ts.connect('owner-x');
      await owner.ok('follow:decide', { pageId, userId: helper.id, approve: true });
      owner.close();
      // Signing up with a token carrying an `email` claim is where the address comes from.
      const first = await tasks.create(pageId, { title: TASK_TITLE, date: times.tomorrow, details: DETAILS, start: '17:30' }, 'owner-x');
      await c.ok('task:signup', { pageId, taskId: first, on: true });
      const second = await tasks.create(pageId, { title: TASK_TITLE, date: addDay(times.tomorrow), details: DETAILS }, 'owner-x');
      await c.ok('task:signup', { pageId, taskId: second, on: true });

      clock.set(times.at);
      await ts.server.jobs.tick();
      await drained(ts.db, clock.now);
      await until(() => messagesTo(smtp, helper.email).length === 1, 'the reminder email');
      const [mail] = messagesTo(smtp, helper.email);
      await assertPhiFree(mail!, [...SECRETS, pageId, helper.name]);
      assert.match(mail!.raw, /Subject: Reminder: you signed up to help tomorrow/);

      // The mail client's one-click POST (RFC 8058).
      const url = unsubscribeUrl(mail!);
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      assert.equal(r.status, 200);
      assert.match(await r.text(), /no more reminders/);
      assert.equal((await c.ok('notify:get', { pageId })).reminders, false);
      const audit = (await auditTrail(ts.storage, pageId)).filter((e) => e.action === 'notify.unsubscribe');
      assert.deepEqual(
        audit.map((e) => [e.target, e.detail]),
        [[helper.id, { via: 'link', what: 'reminders' }]],
      );

      // The next day's hour: the second task's reminder is not sent.
      clock.add(24 * 3_600_000);
      await ts.server.jobs.tick();
      await drained(ts.db, clock.now);
      assert.equal((await jobsOf(ts.db, { kind: 'cause' })).filter((j) => j.key.startsWith('reminder:')).length, 2, 'the next day\'s cause ran');
      assert.equal(messagesTo(smtp, helper.email).length, 1, 'no reminder after unsubscribing');
      c.close();
    } finally {
      await ts.close();
    }
  });
});

const DATABASE_URL = process.env.DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL;

describe('two nodes on one PostgreSQL database', { skip: DATABASE_URL && REDIS_URL ? false : 'DATABASE_URL and REDIS_URL are not both set' }, () => {
  it('both schedule and run: each reminder is sent exactly once', async () => {
    const db = await freshPostgres(DATABASE_URL!);
    const times = reminderTimes(TZ);
    const clock = manualClock(times.before);
    const channels = [recording(), recording()];
    const nodes: TestServer[] = [];
    try {
      for (const ch of channels) {
        nodes.push(
          await startServer({
            db: db.url,
            redisUrl: REDIS_URL!,
            features: FEATURES,
            channels: ch,
            clock: clock.now,
            notify: { ...notifySettings({ CARE_TIMEZONE: TZ, CARE_NOTIFY_RATE: '10000' }), reminderHour: times.reminderHour },
            ...(nodes[0] ? { jwtSecret: nodes[0].secret } : {}),
          }),
        );
      }
      const [a, b] = nodes as [TestServer, TestServer];
      const tasks = new Planner(a);
      const N = 12;
      const pages = [await a.page({ visibility: 'members' }), await a.page({ visibility: 'public' })];
      for (const pageId of pages) {
        const task = await tasks.create(pageId, { title: TASK_TITLE, date: times.tomorrow });
        for (let i = 0; i < N; i++) {
          await tasks.signup(pageId, task, `v${i}`);
        }
      }
      await subscribe(a.db, 'v0', 'https://push.example/v0');
      clock.set(times.at);
      await Promise.all([a.server.jobs.tick(), b.server.jobs.tick(), a.server.jobs.tick(), b.server.jobs.tick()]);
      const emails = () => channels.flatMap((c) => c.email.sent);
      const pushes = () => channels.flatMap((c) => c.push.sent);
      await until(() => emails().length >= 2 * N && pushes().length >= 2, 'every reminder', 30_000);
      await drained(a.db, clock.now);
      assert.equal(emails().length, 2 * N, 'one email per (volunteer, page), across both nodes');
      assert.equal(new Set(emails().map((j) => j.key)).size, 2 * N);
      assert.equal(pushes().length, 2);
      assert.equal((await jobsOf(a.db, { kind: 'cause' })).filter((j) => j.key.startsWith('reminder:')).length, 1, 'one cause for the cluster');
    } finally {
      for (const n of nodes) await n.close();
      await db.drop();
    }
  });
});

function addDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
