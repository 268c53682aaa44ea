/**
 * Notifications end to end (SPEC 6.2, issue 14), through the real app: people sign in with
 * tokens carrying an `email` claim, follow and choose over Socket.IO, owners post, and a real
 * SMTP server (`smtp-server`) receives what the job queue sends. Every message is checked byte
 * for byte (headers included) for anything of the page: its title, its id, the author's name,
 * the entry's title and body. Waits poll for a state with a deadline; nothing asserts timing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { PROTOCOL_VERSION } from '../../src/protocol/index.js';
import type { Config } from '../src/config.js';
import { auditTrail, notifySettings, startServer, type Client, type TestServer } from './helpers.js';
import { assertPhiFree, deliveryIds, digestTimes, duplicates, freePort, manualClock, messagesTo, metricValue, person, signIn, unsubscribeUrl, type Person } from './notify-e2e-helpers.js';
import { drained, jobsOf, until } from './notify-helpers.js';
import { rawHeader, startSmtp, type SmtpMessage, type TestSmtp } from './smtp.js';

const HOUR = 3_600_000;
const FROM = '"Care updates" <updates@hospital.example>';

/** Creates a page over the admin REST API, as a hospital's integration would. */
async function createPage(ts: TestServer, p: { id: string; title: string; visibility: 'public' | 'private'; owners: string[]; editors?: string[] }): Promise<void> {
  const res = await ts.rest('POST', '/api/pages', { token: await ts.token('admin'), body: { editors: [], ...p } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

/** Signs in and follows a public page (approved at once). */
async function follow(ts: TestServer, pageId: string, p: Person): Promise<Client> {
  const c = await signIn(ts, p);
  const r = await c.ok('follow:set', { pageId, follow: true });
  assert.equal(r.state, 'following');
  return c;
}

async function post(c: Client, pageId: string, entries: { title: string; body: string }[], prefix = 'e'): Promise<void> {
  for (const [i, e] of entries.entries()) await c.ok('journal:post', { pageId, clientId: `${prefix}${i}`, ...e });
}

describe('notifications end to end over a real SMTP server', () => {
  let smtp: TestSmtp;
  before(async () => {
    smtp = await startSmtp();
  });
  after(async () => {
    await smtp.close();
  });

  async function server(env: NodeJS.ProcessEnv = {}, over: Partial<Config> = {}): Promise<TestServer> {
    return startServer({ notify: notifySettings({ CARE_SMTP_URL: smtp.url, CARE_MAIL_FROM: FROM, ...env }), ...over });
  }

  it('"each update": exactly one PHI-free email per journal entry; "off", a non-follower and the author get none', async () => {
    const ts = await server();
    const start = smtp.messages.length;
    try {
      const pageId = 'qzpage-marguerite-okonkwo-4471';
      const title = 'Marguerite Okonkwo Hip Recovery';
      const author = person('author-inst', 'Wexleyhampton Quillfeather');
      const fan = person('fan-inst', 'Fanny Follower');
      const quiet = person('quiet-inst', 'Quentin Quiet');
      const stranger = person('stranger-inst', 'Stella Stranger');
      await createPage(ts, { id: pageId, title, visibility: 'public', owners: [author.id] });

      const fanC = await follow(ts, pageId, fan);
      const chosen = await fanC.ok('notify:set', { pageId, email: 'instant' });
      assert.equal(chosen.email, 'instant');
      assert.equal(chosen.available.email, true, 'the token has an email claim and the server has SMTP');
      const quietC = await follow(ts, pageId, quiet);
      assert.equal((await quietC.ok('notify:get', { pageId })).email, 'off', 'off until chosen');
      await quietC.ok('notify:set', { pageId, email: 'off' });
      const strangerC = await signIn(ts, stranger);
      await strangerC.fails('notify:set', { pageId, email: 'instant' }, 'forbidden');
      // The author chose every update too, and must not hear about their own.
      const authorC = await signIn(ts, author);
      await authorC.ok('notify:set', { pageId, email: 'instant' });

      const entries = [
        { title: 'Zephyrine walked to the window', body: 'Physiotherapy with Dr Thistlewood went slowly; the bruising is Kalamazoo-purple.' },
        { title: 'Oxycodone tapering plan', body: 'We start the Brindlemoor protocol tomorrow.' },
        { title: 'Discharge pencilled for Friday', body: 'Ward 7B, bed Quokka-12, ask for nurse Ophelantha.' },
      ];
      await post(authorC, pageId, entries);
      await drained(ts.db, Date.now, pageId);

      const mine = smtp.messages.slice(start);
      assert.equal(messagesTo(smtp, fan.email).length, 3, 'one email per entry');
      assert.deepEqual(
        mine.map((m) => m.to),
        [[fan.email], [fan.email], [fan.email]],
        'nobody else: not the follower who chose off, not a non-follower, not the author',
      );
      assert.equal(new Set(deliveryIds(mine)).size, 3, 'three distinct messages');
      const forbidden = [title, pageId, author.name, author.id, ...entries.flatMap((e) => [e.title, e.body]), 'Marguerite', 'Okonkwo', 'Wexleyhampton', 'Zephyrine', 'Kalamazoo', 'Brindlemoor', 'Quokka'];
      for (const m of mine) {
        await assertPhiFree(m, forbidden);
        assert.equal(rawHeader(m, 'Subject'), 'There is a new update on a page you follow');
        assert.equal(rawHeader(m, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
        unsubscribeUrl(m);
      }
      // Drained means drained: nothing more comes for these entries.
      assert.deepEqual(
        (await jobsOf(ts.db, { pageId, kind: 'email' })).map((j) => [j.recipient, j.state]),
        [
          [fan.id, 'done'],
          [fan.id, 'done'],
          [fan.id, 'done'],
        ],
      );
      assert.equal(await metricValue(ts.url, 'care_notifications_total', { channel: 'email', outcome: 'sent' }), 3);
      const sent = (await auditTrail(ts.storage, pageId)).filter((a) => a.action === 'notify.sent');
      assert.deepEqual(
        sent.map((a) => [a.target, a.detail]),
        Array.from({ length: 3 }, () => [fan.id, { channel: 'email', type: 'journal' }]),
        'each send audited, without content',
      );
    } finally {
      await ts.close();
    }
  });

  it('daily digest at CARE_DIGEST_HOUR in CARE_TIMEZONE (America/New_York): one email counting the entries, the same day never again', async () => {
    const tz = 'America/New_York';
    // The clock starts in a local hour before the digest hour; the digest hour is the next one.
    const { start: t0, digestHour, at: t1 } = digestTimes(tz);
    const clock = manualClock(t0);
    const ts = await server({ CARE_DIGEST_HOUR: String(digestHour), CARE_TIMEZONE: tz }, { clock: clock.now });
    const start = smtp.messages.length;
    try {
      const pageId = 'qzpage-digest-bartholomew-9921';
      const title = 'Bartholomew Ngata Chemo Diary';
      const author = person('author-dig', 'Philippa Grindelwald');
      const fan = person('fan-dig', 'Daisy Daily');
      const other = person('other-dig', 'Otto Instant');
      await createPage(ts, { id: pageId, title, visibility: 'public', owners: [author.id] });
      await (await follow(ts, pageId, fan)).ok('notify:set', { pageId, email: 'daily' });
      await follow(ts, pageId, other);
      const authorC = await signIn(ts, author);
      const entries = [1, 2, 3, 4].map((n) => ({ title: `Cycle ${n} of Vincristoloxan`, body: `Counts low, Bartholomew tired (${n}).` }));
      await post(authorC, pageId, entries);
      await drained(ts.db, clock.now, pageId);
      await ts.server.jobs.tick();
      await drained(ts.db, clock.now);
      assert.equal(smtp.messages.length, start, 'nothing before the digest hour');

      clock.set(t1 + 5 * 60_000);
      await ts.server.jobs.tick();
      await until(() => messagesTo(smtp, fan.email).length >= 1, 'the digest', 10_000);
      await drained(ts.db, clock.now);
      const [digest] = messagesTo(smtp, fan.email) as [SmtpMessage];
      assert.equal(rawHeader(digest, 'Subject'), 'Your daily summary: 4 new updates');
      assert.match(digest.raw, /Since yesterday: 4 new updates\./);
      await assertPhiFree(digest, [title, pageId, author.name, ...entries.flatMap((e) => [e.title, e.body]), 'Bartholomew', 'Vincristoloxan', 'Grindelwald']);

      // Later the same local day: another entry, the minute's housekeeping again: no second digest.
      await post(authorC, pageId, [{ title: 'Evening note', body: 'Bartholomew slept.' }], 'late');
      for (const minutes of [35, 55]) {
        clock.set(t1 + minutes * 60_000);
        await ts.server.jobs.tick();
        await drained(ts.db, clock.now);
      }
      assert.equal(messagesTo(smtp, fan.email).length, 1, 'one digest that day');
      assert.equal(smtp.messages.length, start + 1, 'and nothing for anyone else');
      const causes = (await jobsOf(ts.db, { kind: 'cause' })).filter((j) => j.key.startsWith('digest:'));
      assert.equal(causes.length, 1, 'one digest cause for the day');
    } finally {
      await ts.close();
    }
  });

  it('one-click unsubscribe from the email’s own header, over HTTP: no more mail; a job queued before it is skipped', async () => {
    const port = await freePort();
    // A stopped clock and one email an hour: the second entry's email waits in the queue.
    const clock = manualClock(Date.now() + 60_000);
    const ts = await server({ CARE_PUBLIC_URL: `http://127.0.0.1:${port}`, CARE_NOTIFY_RATE: '1' }, { port, clock: clock.now });
    const start = smtp.messages.length;
    try {
      const pageId = 'qzpage-unsub-cordelia-5510';
      const author = person('author-uns', 'Cordelia Abernathy-Rune');
      const fan = person('fan-uns', 'Ulysses Unsub');
      await createPage(ts, { id: pageId, title: 'Cordelia Stroke Rehab', visibility: 'public', owners: [author.id] });
      const fanC = await follow(ts, pageId, fan);
      await fanC.ok('notify:set', { pageId, email: 'instant' });
      const authorC = await signIn(ts, author);

      await post(authorC, pageId, [{ title: 'Day one', body: 'Cordelia spoke.' }], 'a');
      await until(() => messagesTo(smtp, fan.email).length === 1, 'the first email');
      await post(authorC, pageId, [{ title: 'Day two', body: 'Cordelia walked.' }], 'b');
      await until(async () => (await metricValue(ts.url, 'care_notifications_total', { channel: 'email', outcome: 'deferred' })) >= 1, 'the second email postponed by the hourly limit');
      const waiting = await jobsOf(ts.db, { pageId, kind: 'email', state: 'queued' });
      assert.equal(waiting.length, 1, 'one email queued, not yet sent');

      const url = unsubscribeUrl(messagesTo(smtp, fan.email)[0]!);
      assert.ok(url.startsWith(`${ts.url}/notify/unsubscribe?t=`), `the link points at this backend: ${url}`);
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      assert.equal(res.status, 200);
      await res.text();
      assert.equal((await fanC.ok('notify:get', { pageId })).email, 'off');

      // A new entry: no email job at all for them.
      await post(authorC, pageId, [{ title: 'Day three', body: 'Cordelia laughed.' }], 'c');
      await drained(ts.db, clock.now, pageId);
      assert.equal((await jobsOf(ts.db, { pageId, kind: 'email' })).length, 2, 'the new entry queued no email');

      // The window frees: the email queued before the unsubscribe is finished unsent.
      clock.add(HOUR + 1_000);
      ts.server.jobs.poke();
      await until(async () => (await jobsOf(ts.db, { pageId, kind: 'email', state: 'queued' })).length === 0, 'the queued email finished');
      assert.equal(messagesTo(smtp, fan.email).length, 1, 'only the email sent before the unsubscribe');
      assert.equal(smtp.messages.length, start + 1);
      assert.equal(await metricValue(ts.url, 'care_notifications_total', { channel: 'email', outcome: 'skipped' }), 1);
      assert.equal(await metricValue(ts.url, 'care_notifications_total', { channel: 'email', outcome: 'sent' }), 1);
      const trail = await auditTrail(ts.storage, pageId);
      assert.deepEqual(
        trail.filter((a) => a.action.startsWith('notify.') && a.action !== 'notify.set').map((a) => [a.action, a.target, a.detail]),
        [
          ['notify.sent', fan.id, { channel: 'email', type: 'journal' }],
          ['notify.unsubscribe', fan.id, { via: 'link' }],
          ['notify.skipped', fan.id, { channel: 'email', type: 'journal' }],
        ],
      );
    } finally {
      await ts.close();
    }
  });

  it('an owner with requests "instant" gets one PHI-free email per new follow request on a private page', async () => {
    const ts = await server();
    const start = smtp.messages.length;
    try {
      const pageId = 'qzpage-private-ignatius-3380';
      const title = 'Ignatius Featherstonehaugh ICU';
      const keeper = person('keeper-req', 'Henrietta Keeperwood');
      const editor = person('editor-req', 'Edwin Editorson');
      const askers = [person('asker-zebedee', 'Zebedee Requesterton'), person('asker-yolanda', 'Yolanda Askwith')];
      await createPage(ts, { id: pageId, title, visibility: 'private', owners: [keeper.id], editors: [editor.id] });
      const keeperC = await signIn(ts, keeper);
      const chosen = await keeperC.ok('notify:set', { pageId, owner: { requests: 'instant' } });
      assert.deepEqual(chosen.owner, { requests: 'instant', messages: 'off' });
      // The editor leaves requests off: nothing for them.
      assert.deepEqual((await (await signIn(ts, editor)).ok('notify:get', { pageId })).owner, { requests: 'off', messages: 'off' });

      for (const a of askers) {
        const r = await (await signIn(ts, a)).ok('follow:set', { pageId, follow: true });
        assert.equal(r.state, 'requested');
      }
      await drained(ts.db, Date.now, pageId);
      const mine = smtp.messages.slice(start);
      assert.equal(mine.length, 2, 'one email per request');
      assert.deepEqual(mine.map((m) => m.to), [[keeper.email], [keeper.email]]);
      assert.equal(new Set(deliveryIds(mine)).size, 2);
      for (const m of mine) {
        assert.equal(rawHeader(m, 'Subject'), 'Someone asks to follow your page');
        await assertPhiFree(m, [title, pageId, keeper.name, ...askers.flatMap((a) => [a.name, a.id, a.email]), 'Ignatius', 'Featherstonehaugh', 'Zebedee', 'Yolanda']);
      }
    } finally {
      await ts.close();
    }
  });
});

describe('demo mode: the local mailbox instead of SMTP', () => {
  let dir: string;
  let ts: TestServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'care-demo-mail-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>demo</title>');
    ts = await startServer({ demo: true, demoDir: dir, jwtSecret: null });
  });
  after(async () => {
    await ts.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a demo follower chooses "each update", the owner posts: /demo/mailbox.json shows one PHI-free message', async () => {
    const demoToken = async (user: string) => (await ts.rest('GET', `/demo/token?user=${user}`)).body.token as string;
    const connect = async (user: string) => ts.connect(user, { protocolVersion: PROTOCOL_VERSION, token: await demoToken(user) });
    const mailbox = async () => (await ts.rest('GET', '/demo/mailbox.json')).body.messages as { to: string; subject: string; text: string; raw: string }[];
    // Whatever the seeding queued is done before anyone chooses.
    await drained(ts.db, Date.now);
    assert.deepEqual(await mailbox(), []);

    const friendToken = await demoToken('friend');
    assert.equal(decodeJwt(friendToken).email, 'friend@demo.care-widgets.invalid', 'the demo token carries an email claim');
    const friend = await connect('friend');
    const prefs = await friend.ok('notify:set', { pageId: 'jane-doe', email: 'instant' });
    assert.equal(prefs.email, 'instant');
    assert.equal(prefs.available.email, true, 'email is available in demo mode without SMTP');

    const jane = await connect('jane');
    const entry = { title: 'Knee bends with Thaddeus', body: 'Thaddeus the physio says Jane reached 95 degrees of flexion.' };
    await jane.ok('journal:post', { pageId: 'jane-doe', clientId: 'demo-mail-1', ...entry });
    await until(async () => (await mailbox()).length >= 1, 'the mailbox message');
    await drained(ts.db, Date.now);
    const messages = await mailbox();
    assert.equal(messages.length, 1, 'one message');
    const [m] = messages as [{ to: string; subject: string; text: string; raw: string }];
    assert.equal(m.to, 'friend@demo.care-widgets.invalid');
    assert.equal(m.subject, 'There is a new update on a page you follow');
    const asReceived: SmtpMessage = { from: '', to: [m.to], raw: m.raw };
    await assertPhiFree(asReceived, ['Jane Doe', 'jane-doe', entry.title, entry.body, 'Thaddeus', 'Frankie Friend']);
    assert.deepEqual(duplicates([asReceived]), []);
    // The page a person reads shows the same message.
    const page = await ts.rest('GET', '/demo/mailbox');
    assert.equal(page.status, 200);
    assert.match(page.body as string, /There is a new update on a page you follow/);
    assert.doesNotMatch(page.body as string, /Thaddeus|Jane Doe/);
  });
});
