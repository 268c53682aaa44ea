/**
 * The choice is read again just before a send (jobs/runner.ts, `stillWanted`): an email or push
 * already queued does not go out once the person unsubscribed, turned the channel off, stopped
 * following, was removed or blocked, removed the browser, or (owners) stopped asking for
 * requests, or (digests) has no daily choice left. Each such job is finished unsent, counted
 * `skipped` on /metrics and audited `notify.skipped` without content; the ones still wanted go.
 *
 * Email goes to a real SMTP server that answers 451 (try later) until the choices changed, so
 * every job is queued and attempted before they change; push goes to a channel that records
 * what the runner hands it (the runner's decision is under test here; notify-push.test.ts tests
 * the push channel against a real push endpoint).
 */
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { PushPayload, SendOutcome } from '../src/notify/contract.js';
import { auditTrail, notifySettings, startServer, type Client, type TestServer } from './helpers.js';
import { digestTimes, manualClock, messagesTo, metricValue, person, signIn, type Person } from './notify-e2e-helpers.js';
import { drained, jobsOf, RecordingChannel, until } from './notify-helpers.js';
import { freshPostgres } from './pg.js';
import { startSmtp, type TestSmtp } from './smtp.js';

const HOUR = 3_600_000;

function browser(name: string) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { endpoint: `https://push.example/${name}-${randomBytes(6).toString('hex')}`, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') } };
}

const DATABASE_URL = process.env.DATABASE_URL;

reCheck('SQLite', null);
reCheck('PostgreSQL', DATABASE_URL ?? null, DATABASE_URL ? false : 'DATABASE_URL is not set');

function reCheck(label: string, databaseUrl: string | null, skip: string | false = false): void {
  describe(`a queued notification is re-checked just before it is sent (${label})`, { skip }, () => {
    let smtp: TestSmtp;
    let ts: TestServer;
    let pg: Awaited<ReturnType<typeof freshPostgres>> | null = null;
    const tz = 'America/New_York';
    const times = digestTimes(tz);
    const clock = manualClock(times.start);
    let pushOpen = false;
    const push = new RecordingChannel<PushPayload>('push', (): SendOutcome => (pushOpen ? { ok: true } : { ok: false, retry: true, reason: 'HTTP 503 (test)' }));

    before(async () => {
      smtp = await startSmtp();
      if (databaseUrl) pg = await freshPostgres(databaseUrl);
      ts = await startServer({
        ...(pg ? { db: pg.url } : {}),
        clock: clock.now,
        channels: { push },
        notify: notifySettings({ CARE_SMTP_URL: smtp.url, CARE_NOTIFY_RATE: '10000', CARE_DIGEST_HOUR: String(times.digestHour), CARE_TIMEZONE: tz }),
      });
    });
    after(async () => {
      await ts?.close();
      await smtp?.close();
      await pg?.drop();
    });

    it('unsubscribed, channel off, unfollowed, removed, blocked, browser removed, owner requests off, no daily choice left: skipped; the rest sent', async () => {
      smtp.refuse('mail', 451);
      const pageId = 'qzpage-skip-public-7731';
      const privateId = 'qzpage-skip-private-7732';
      const owner = person('owner-skip', 'Owner Skip');
      for (const [id, visibility] of [
        [pageId, 'public'],
        [privateId, 'private'],
      ] as const) {
        const res = await ts.rest('POST', '/api/pages', { token: await ts.token('admin'), body: { id, title: `Skip ${visibility}`, visibility, owners: [owner.id], editors: [] } });
        assert.equal(res.status, 201);
      }
      const ownerC = await signIn(ts, owner);
      await ownerC.ok('notify:set', { pageId: privateId, owner: { requests: 'instant' } });

      const P = (id: string) => person(`skip-${id}`, `Person ${id}`);
      const email = { keep: P('keep'), off: P('off'), unfollow: P('unfollow'), removed: P('removed'), blocked: P('blocked'), daily: P('daily') };
      const pushers = { keep: P('push-keep'), off: P('push-off'), gone: P('push-gone') };
      const clients = new Map<Person, Client>();
      const follow = async (p: Person) => {
        const c = await signIn(ts, p);
        await c.ok('follow:set', { pageId, follow: true });
        clients.set(p, c);
        return c;
      };
      for (const p of [email.keep, email.off, email.unfollow, email.removed, email.blocked]) await (await follow(p)).ok('notify:set', { pageId, email: 'instant' });
      await (await follow(email.daily)).ok('notify:set', { pageId, email: 'daily' });
      const endpoints = new Map<Person, string>();
      for (const p of Object.values(pushers)) {
        const c = await follow(p);
        const b = browser(p.id);
        await c.ok('push:subscribe', { subscription: b });
        await c.ok('notify:set', { pageId, push: true });
        endpoints.set(p, b.endpoint);
      }

      // The causes: an entry, a follow request, and (at the local digest hour) the daily digest.
      await ownerC.ok('journal:post', { pageId, clientId: 'skip-1', title: 'T', body: 'B' });
      const asker = await signIn(ts, P('asker'));
      assert.equal((await asker.ok('follow:set', { pageId: privateId, follow: true })).state, 'requested');
      await drained(ts.db, clock.now);
      clock.set(times.at + 60_000);
      await ts.server.jobs.tick();
      await drained(ts.db, clock.now);
      const queued = await jobsOf(ts.db, { state: 'queued' });
      assert.deepEqual(
        queued.map((j) => `${j.kind} ${j.recipient}`).sort(),
        [
          ...[email.keep, email.off, email.unfollow, email.removed, email.blocked, email.daily, owner].map((p) => `email ${p.id}`),
          ...Object.values(pushers).map((p) => `push ${p.id}`),
        ].sort(),
        'every delivery queued (and tried once) before anything changes',
      );
      assert.ok(queued.every((j) => Number(j.attempts) >= 1));

      // Now the choices change.
      await clients.get(email.off)!.ok('notify:set', { pageId, email: 'off' });
      await clients.get(email.unfollow)!.ok('follow:set', { pageId, follow: false });
      await ownerC.ok('follow:remove', { pageId, userId: email.removed.id });
      await ownerC.ok('follow:remove', { pageId, userId: email.blocked.id, block: true });
      await clients.get(email.daily)!.ok('notify:set', { pageId, email: 'off' });
      await clients.get(pushers.off)!.ok('notify:set', { pageId, push: false });
      await clients.get(pushers.gone)!.ok('push:unsubscribe', { endpoint: endpoints.get(pushers.gone)! });
      await ownerC.ok('notify:set', { pageId: privateId, owner: { requests: 'off' } });

      smtp.accept();
      pushOpen = true;
      clock.add(2 * HOUR);
      ts.server.jobs.poke();
      await until(async () => (await jobsOf(ts.db, { state: 'queued' })).length === 0, 'every job finished');

      assert.deepEqual(
        smtp.messages.map((m) => m.to),
        [[email.keep.email]],
        'only the follower whose choice still holds gets the email',
      );
      assert.deepEqual(
        push.sent.map((j) => j.payload.endpoint),
        [endpoints.get(pushers.keep)],
        'only the browser still wanted gets the push',
      );
      const counted = async (channel: string, outcome: string) => metricValue(ts.url, 'care_notifications_total', { channel, outcome });
      assert.deepEqual([await counted('email', 'sent'), await counted('email', 'skipped'), await counted('push', 'sent'), await counted('push', 'skipped')], [1, 6, 1, 2]);

      const skipped = [...(await auditTrail(ts.storage, pageId)), ...(await auditTrail(ts.storage, privateId))].filter((a) => a.action === 'notify.skipped');
      assert.deepEqual(
        skipped.map((a) => `${a.target} ${JSON.stringify(a.detail)}`).sort(),
        [
          ...[email.off, email.unfollow, email.removed, email.blocked].map((p) => `${p.id} {"channel":"email","type":"journal"}`),
          `${owner.id} {"channel":"email","type":"request"}`,
          ...[pushers.off, pushers.gone].map((p) => `${p.id} {"channel":"push","type":"journal"}`),
        ].sort(),
        'audited per page, without content (the digest belongs to no page)',
      );
      assert.equal(messagesTo(smtp, email.daily.email).length, 0);
    });
  });
}
