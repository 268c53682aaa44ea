/**
 * The email channel against a real SMTP server (smtp-server on a loopback port, parsed with
 * mailparser): PHI-free messages with a text and an HTML part and RFC 8058 one-click
 * unsubscribe headers; SMTP refusals and failures turned into retry or give-up outcomes; the
 * signed unsubscribe and open routes over real HTTP, changing real SQLite rows; and demo
 * mode's mailbox.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import express from 'express';
import type { Kysely } from 'kysely';
import type { DeliveryJob, EmailPayload, NotifyMessage, NotifySettings, SendOutcome } from '../src/notify/contract.js';
import { EmailChannel, smtpTransport, type MailTransport } from '../src/notify/email.js';
import { notifyRouter, type EmailUnsubscriber } from '../src/notify/http.js';
import { NotifyLinks } from '../src/notify/links.js';
import { demoMailbox } from '../src/notify/mailbox.js';
import { openStorage, type Storage } from '../src/storage/index.js';
import type { Database } from '../src/storage/schema.js';
import { parseMail, rawHeader, startSmtp, type SmtpMessage, type TestSmtp } from './smtp.js';

/** What the fixtures know and no email may say: the page's title, an author, a body, the ids. */
const PAGE = 'jane-doe-2024';
const OTHER_PAGE = 'robert-smith';
const TITLE = 'Jane Doe recovering after surgery';
const AUTHOR = 'Dr. Alice Morgan';
const BODY = 'Second round of chemotherapy went well';
const USER = 'user-jane-sister-77';
const TO = 'follower@family.example';
const SECRET = 'notify-secret-for-tests-0123456789';

const SETTINGS: Pick<NotifySettings, 'publicUrl' | 'pageUrl' | 'linkSecret' | 'mailFrom'> = {
  publicUrl: 'https://care.example/',
  pageUrl: 'https://hospital.example/care/{pageId}?from=email',
  linkSecret: SECRET,
  mailFrom: '"Care updates" <updates@hospital.example>',
};
const links = new NotifyLinks(SETTINGS);

let keys = 0;
function job(message: NotifyMessage, key = `email:${message.type}:${++keys}:${USER}`): DeliveryJob<EmailPayload> {
  return { id: `job-${keys}`, key, pageId: message.type === 'digest' ? null : message.pageId, recipient: USER, payload: { to: TO, userId: USER, message }, attempts: 0 };
}

/** Every string of the fixtures that must appear nowhere in a message, raw or decoded. */
async function assertPhiFree(m: SmtpMessage): Promise<void> {
  const parsed = await parseMail(m);
  const everything = [m.raw, parsed.text ?? '', String(parsed.html || ''), parsed.subject ?? ''].join('\n');
  for (const secret of [TITLE, 'Jane', 'Doe', AUTHOR, 'Morgan', BODY, 'chemotherapy', PAGE, 'jane-doe', OTHER_PAGE, USER]) {
    assert.ok(!everything.toLowerCase().includes(secret.toLowerCase()), `the email must not contain "${secret}"`);
  }
}

function urlsIn(text: string, path: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s<>"]+/g)].map((m) => m[0]).filter((u) => new URL(u).pathname === path);
}
const token = (url: string) => new URL(url).searchParams.get('t');

describe('the email channel over a real SMTP server', () => {
  let smtp: TestSmtp;
  let transport: MailTransport;
  let channel: EmailChannel;
  before(async () => {
    smtp = await startSmtp();
    transport = smtpTransport(smtp.url);
    channel = new EmailChannel(transport, { mailFrom: SETTINGS.mailFrom, detail: 'none' }, links);
  });
  after(async () => {
    await channel.close();
    await smtp.close();
  });

  it('sends a journal notification: text and HTML parts, one-click unsubscribe, nothing of the page', async () => {
    // The queue should never put a title in without the opt-in; the channel drops it anyway.
    const j = job({ type: 'journal', pageId: PAGE, title: TITLE });
    assert.deepEqual(await channel.send(j), { ok: true });
    const m = await smtp.nextMessage();
    assert.equal(m.from, 'updates@hospital.example');
    assert.deepEqual(m.to, [TO]);
    await assertPhiFree(m);

    const parsed = await parseMail(m);
    assert.equal(parsed.subject, 'There is a new update on a page you follow');
    assert.match(parsed.text ?? '', /There is a new update on a page you follow\.\s+Sign in to read it\./);
    assert.ok(typeof parsed.html === 'string' && parsed.html.includes('<html lang="en">'), 'an HTML part');

    // RFC 8058: exactly one HTTPS URI, and the one-click POST key.
    const unsubscribe = rawHeader(m, 'List-Unsubscribe');
    assert.match(unsubscribe ?? '', /^<https:\/\/care\.example\/notify\/unsubscribe\?t=[A-Za-z0-9_-]+>$/);
    assert.equal(rawHeader(m, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
    assert.deepEqual(links.readUnsubscribe(token(unsubscribe!.slice(1, -1))), { userId: USER, pageId: PAGE, channel: 'email' });
    assert.equal(rawHeader(m, 'Auto-Submitted'), 'auto-generated');
    assert.equal(rawHeader(m, 'X-Mailer'), undefined);
    assert.equal(rawHeader(m, 'Message-ID'), `<${createHash('sha256').update(j.key).digest('hex')}@hospital.example>`);

    // The same two links in both parts: the page (through /notify/open) and the unsubscribe.
    for (const part of [parsed.text ?? '', String(parsed.html).replaceAll('&#38;', '&')]) {
      const open = urlsIn(part, '/notify/open');
      assert.equal(open.length, 1, 'one link to the page');
      assert.equal(links.readOpen(token(open[0]!)), PAGE);
      const unsub = urlsIn(part, '/notify/unsubscribe');
      assert.equal(unsub.length, 1, 'one unsubscribe link');
      assert.deepEqual(links.readUnsubscribe(token(unsub[0]!)), { userId: USER, pageId: PAGE, channel: 'email' });
    }
  });

  it('gives a retried job the same Message-ID', async () => {
    const j = job({ type: 'journal', pageId: PAGE });
    await channel.send(j);
    await channel.send({ ...j, attempts: 1 });
    const [a, b] = [await smtp.nextMessage(), await smtp.nextMessage()];
    assert.equal(rawHeader(a, 'Message-ID'), rawHeader(b, 'Message-ID'));
    const other = job({ type: 'journal', pageId: PAGE });
    await channel.send(other);
    assert.notEqual(rawHeader(await smtp.nextMessage(), 'Message-ID'), rawHeader(a, 'Message-ID'));
  });

  it('tells an owner about a follow request without saying who asked', async () => {
    assert.deepEqual(await channel.send(job({ type: 'request', pageId: PAGE })), { ok: true });
    const m = await smtp.nextMessage();
    await assertPhiFree(m);
    const parsed = await parseMail(m);
    assert.equal(parsed.subject, 'Someone asks to follow your page');
  });

  it('sends a digest with one link per page and an unsubscribe from every page', async () => {
    const message: NotifyMessage = {
      type: 'digest',
      date: '2025-03-01',
      pages: [
        { pageId: PAGE, entries: 2, messages: 0, requests: 0 },
        { pageId: OTHER_PAGE, entries: 1, messages: 3, requests: 1 },
      ],
    };
    assert.deepEqual(await channel.send(job(message)), { ok: true });
    const m = await smtp.nextMessage();
    await assertPhiFree(m);
    const parsed = await parseMail(m);
    assert.equal(parsed.subject, 'Your daily summary: 3 new updates, 3 new messages, 1 follow request');
    const text = parsed.text ?? '';
    assert.deepEqual(
      urlsIn(text, '/notify/open').map((u) => links.readOpen(token(u))),
      [PAGE, OTHER_PAGE],
    );
    assert.match(text, /A page you follow: 2 new updates\./);
    assert.match(text, /Your page: 1 new update, 3 new messages, 1 follow request\./);
    assert.deepEqual(links.readUnsubscribe(token(rawHeader(m, 'List-Unsubscribe')!.slice(1, -1))), { userId: USER, pageId: null, channel: 'email' });
  });

  it('names the page only with CARE_NOTIFY_DETAIL=title, the hospital’s opt-in', async () => {
    const titled = new EmailChannel(transport, { mailFrom: SETTINGS.mailFrom, detail: 'title' }, links);
    assert.deepEqual(await titled.send(job({ type: 'journal', pageId: PAGE, title: TITLE })), { ok: true });
    const parsed = await parseMail(await smtp.nextMessage());
    assert.equal(parsed.subject, `New update on “${TITLE}”`);
    assert.ok(parsed.text?.includes(TITLE));
    // Still nothing but the title: no author, no body, no page id.
    for (const s of [AUTHOR, BODY, PAGE]) assert.ok(!`${parsed.text}${parsed.html}`.includes(s));
  });
});

describe('SMTP refusals and failures', () => {
  let smtp: TestSmtp;
  let channel: EmailChannel;
  before(async () => {
    smtp = await startSmtp();
    channel = new EmailChannel(smtpTransport(smtp.url, { socketTimeoutMs: 1_000 }), { mailFrom: SETTINGS.mailFrom, detail: 'none' }, links);
  });
  afterEach(() => smtp.accept());
  after(async () => {
    await channel.close();
    await smtp.close();
  });

  const cases: { stage: 'mail' | 'rcpt' | 'data'; code: number; retry: boolean; why: string }[] = [
    { stage: 'rcpt', code: 450, retry: true, why: 'mailbox busy (4xx): later' },
    { stage: 'rcpt', code: 452, retry: true, why: 'mailbox full (4xx): later' },
    { stage: 'rcpt', code: 550, retry: false, why: 'no such mailbox (5xx): never' },
    { stage: 'data', code: 451, retry: true, why: 'local error after DATA (4xx): later' },
    { stage: 'data', code: 554, retry: false, why: 'message refused (5xx): never' },
    { stage: 'mail', code: 451, retry: true, why: 'local problem at the relay (4xx): later' },
    { stage: 'mail', code: 550, retry: true, why: 'our sender refused: a configuration to fix, later' },
  ];
  for (const c of cases) {
    it(`${c.stage} ${c.code}: ${c.why}`, async () => {
      smtp.refuse(c.stage, c.code);
      const outcome = await channel.send(job({ type: 'journal', pageId: PAGE }));
      assert.equal(outcome.ok, false);
      assert.equal((outcome as Extract<SendOutcome, { ok: false }>).retry, c.retry);
      const reason = (outcome as Extract<SendOutcome, { ok: false }>).reason;
      assert.match(reason, new RegExp(`^smtp ${c.code}`));
      assert.ok(!reason.includes('@') && !reason.includes(PAGE), 'the reason names no address and no page');
      assert.equal(smtp.messages.length, 0);
    });
  }

  it('a refusal that passes: the retry is delivered', async () => {
    smtp.refuse('rcpt', 451, 1);
    const j = job({ type: 'journal', pageId: PAGE });
    assert.equal((await channel.send(j)).ok, false);
    assert.deepEqual(await channel.send({ ...j, attempts: 1 }), { ok: true });
    assert.equal((await smtp.nextMessage()).to[0], TO);
  });

  it('a server that never answers the message: a timeout, retried', async () => {
    smtp.hold();
    const outcome = await channel.send(job({ type: 'journal', pageId: PAGE }));
    smtp.release({ accept: false });
    assert.equal(outcome.ok, false);
    assert.equal((outcome as Extract<SendOutcome, { ok: false }>).retry, true);
    assert.equal((outcome as Extract<SendOutcome, { ok: false }>).reason, 'smtp ETIMEDOUT');
  });

  it('a relay that stalls past the attempt’s deadline: retried', async () => {
    const gate = await startSmtp();
    const slow = new EmailChannel(smtpTransport(gate.url), { mailFrom: SETTINGS.mailFrom, detail: 'none' }, links, { attemptTimeoutMs: 300 });
    gate.hold();
    const outcome = await slow.send(job({ type: 'journal', pageId: PAGE }));
    gate.release({ accept: false });
    await slow.close();
    await gate.close();
    assert.deepEqual(outcome, { ok: false, retry: true, reason: 'smtp deadline' });
  });

  it('holds a message until released, then it is delivered (the helper for kill-mid-send tests)', async () => {
    const accepted = smtp.messages.length;
    smtp.hold();
    const sending = channel.send(job({ type: 'journal', pageId: PAGE }));
    await smtp.waitHeld(1);
    assert.equal(smtp.messages.length, accepted, 'held, not accepted yet');
    smtp.release();
    assert.deepEqual(await sending, { ok: true });
    assert.equal((await smtp.nextMessage()).to[0], TO);
  });

  it('a server that is down: retried', async () => {
    const gone = await startSmtp();
    await gone.close();
    const down = new EmailChannel(smtpTransport(gone.url), { mailFrom: SETTINGS.mailFrom, detail: 'none' }, links);
    const outcome = await down.send(job({ type: 'journal', pageId: PAGE }));
    await down.close();
    assert.equal(outcome.ok, false);
    assert.equal((outcome as Extract<SendOutcome, { ok: false }>).retry, true);
  });
});

describe('signed links', () => {
  it('opens what it sealed, and nothing altered, forged or sealed for the other purpose', () => {
    const url = links.unsubscribe(USER, PAGE);
    const t = token(url)!;
    assert.deepEqual(links.readUnsubscribe(t), { userId: USER, pageId: PAGE, channel: 'email' });
    // Sealed, not just signed: neither id is readable in the token.
    const decoded = Buffer.from(t, 'base64url').toString('latin1');
    assert.ok(!decoded.includes(PAGE) && !decoded.includes(USER));
    // A fresh IV each time: two links to one page look unrelated.
    assert.notEqual(token(links.unsubscribe(USER, PAGE)), t);

    const flipped = t.slice(0, 20) + (t[20] === 'A' ? 'B' : 'A') + t.slice(21);
    assert.equal(links.readUnsubscribe(flipped), null);
    assert.equal(links.readUnsubscribe(t.slice(0, -2)), null);
    assert.equal(links.readUnsubscribe(''), null);
    assert.equal(links.readUnsubscribe(['a', 'b']), null);
    assert.equal(links.readUnsubscribe('x'.repeat(5000)), null);
    assert.equal(links.readUnsubscribe(token(links.open(PAGE))), null, 'an open token does not unsubscribe');
    assert.equal(links.readOpen(t), null, 'an unsubscribe token does not open');
    const other = new NotifyLinks({ ...SETTINGS, linkSecret: 'another-secret-0123456789abcdef' });
    assert.equal(other.readUnsubscribe(t), null, 'another secret');
  });

  it('keeps old links working after the secret rotates', () => {
    const t = token(links.unsubscribe(USER, null))!;
    const rotated = new NotifyLinks({ ...SETTINGS, linkSecret: 'the-new-secret-0123456789abcdef', previousLinkSecrets: [SECRET] });
    assert.deepEqual(rotated.readUnsubscribe(t), { userId: USER, pageId: null, channel: 'email' });
    assert.equal(links.readUnsubscribe(token(rotated.unsubscribe(USER, null))), null, 'new links use the new secret');
  });
});

/** H4's `unsubscribeEmail`, over the real SQLite schema, until the prefs storage is merged. */
function sqliteUnsubscriber(storage: Storage): EmailUnsubscriber & { calls: number } {
  const db = (storage as unknown as { db: Kysely<Database> }).db;
  const adapter = {
    calls: 0,
    async unsubscribeEmail(userId: string, pageId: string | null, at: string) {
      adapter.calls += 1;
      let q = db.updateTable('notify_prefs').set({ email: 'off', requests: 'off', messages: 'off', updated_at: at }).where('user_id', '=', userId);
      if (pageId !== null) q = q.where('page_id', '=', pageId);
      const r = await q.executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async unsubscribeReminders() {
      adapter.calls += 1;
      return true;
    },
  };
  return adapter;
}

describe('unsubscribe and open over HTTP', () => {
  let storage: Storage;
  let db: Kysely<Database>;
  let store: ReturnType<typeof sqliteUnsubscriber>;
  let http: Server;
  let base: string;
  before(async () => {
    storage = await openStorage('sqlite::memory:', 1_000);
    db = (storage as unknown as { db: Kysely<Database> }).db;
    store = sqliteUnsubscriber(storage);
    const app = express();
    app.disable('x-powered-by');
    app.use(notifyRouter(links, store));
    http = createServer(app);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    for (const id of [PAGE, OTHER_PAGE]) await storage.createPage({ id, title: TITLE, visibility: 'private', wallModeration: 'post', owners: ['owner-1'], editors: [] });
  });
  // Every test starts from the same choices: the follower's two pages, someone else, an owner.
  beforeEach(async () => {
    await db.deleteFrom('notify_prefs').execute();
    const at = '2025-01-01T00:00:00.000Z';
    await db
      .insertInto('notify_prefs')
      .values([
        { page_id: PAGE, user_id: USER, email: 'instant', push: 0, requests: 'off', messages: 'off', updated_at: at },
        { page_id: OTHER_PAGE, user_id: USER, email: 'daily', push: 0, requests: 'off', messages: 'off', updated_at: at },
        { page_id: PAGE, user_id: 'someone-else', email: 'instant', push: 0, requests: 'off', messages: 'off', updated_at: at },
        { page_id: PAGE, user_id: 'owner-1', email: 'off', push: 0, requests: 'instant', messages: 'daily', updated_at: at },
      ])
      .execute();
  });
  after(async () => {
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await storage.close();
  });

  const prefs = async () =>
    Object.fromEntries((await db.selectFrom('notify_prefs').select(['page_id', 'user_id', 'email', 'requests', 'messages']).execute()).map((r) => [`${r.page_id}/${r.user_id}`, `${r.email} ${r.requests} ${r.messages}`]));
  const path = (url: string) => {
    const u = new URL(url);
    return `${base}${u.pathname}${u.search}`;
  };
  const oneClick = (url: string) => fetch(path(url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });

  function assertSafeHeaders(res: Response) {
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('set-cookie'), null);
    assert.match(res.headers.get('content-security-policy') ?? '', /^default-src 'none'/);
  }

  it('GET shows a confirmation form and changes nothing', async () => {
    const before = await prefs();
    const url = links.unsubscribe(USER, PAGE);
    const res = await fetch(path(url));
    assert.equal(res.status, 200);
    assertSafeHeaders(res);
    const html = await res.text();
    assert.match(html, /<form method="post" action="\?t=[A-Za-z0-9_-]+"><input type="hidden" name="confirm" value="yes"><button type="submit">Stop emails<\/button><\/form>/);
    assert.match(html, /<html lang="en">/);
    for (const s of [PAGE, TITLE, USER]) assert.ok(!html.includes(s));
    // The page's one stylesheet is the one its CSP allows by hash.
    const style = /<style>([^<]*)<\/style>/.exec(html)![1]!;
    assert.ok(res.headers.get('content-security-policy')!.includes(`'sha256-${createHash('sha256').update(style).digest('base64')}'`));
    // HEAD, as a link checker might send: nothing either.
    assert.equal((await fetch(path(url), { method: 'HEAD' })).status, 200);
    assert.deepEqual(await prefs(), before);
  });

  it('one-click POST turns that page’s email off, and only that; again is the same', async () => {
    const before = await prefs();
    const url = links.unsubscribe(USER, PAGE);
    for (let i = 0; i < 2; i++) {
      const res = await oneClick(url);
      assert.equal(res.status, 200);
      assertSafeHeaders(res);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(await res.text(), 'Unsubscribed: you will get no more emails about this page.\n');
    }
    assert.deepEqual(await prefs(), { ...before, [`${PAGE}/${USER}`]: 'off off off' });
  });

  it('one-click POST as multipart/form-data (RFC 8058 allows it) works too', async () => {
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    const res = await fetch(path(links.unsubscribe(USER, PAGE)), { method: 'POST', body: form });
    assert.equal(res.status, 200);
    assert.equal((await prefs())[`${PAGE}/${USER}`], 'off off off');
  });

  it('the form’s POST from the digest’s link turns off every page’s email', async () => {
    const before = await prefs();
    const url = links.unsubscribe(USER, null);
    const res = await fetch(path(url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'confirm=yes' });
    assert.equal(res.status, 200);
    assertSafeHeaders(res);
    const html = await res.text();
    assert.match(html, /<h1>You are unsubscribed<\/h1>/);
    assert.match(html, /You will get no more emails about any page you follow\./);
    assert.deepEqual(await prefs(), { ...before, [`${PAGE}/${USER}`]: 'off off off', [`${OTHER_PAGE}/${USER}`]: 'off off off' });
  });

  it('an owner’s one-click also stops their request and message emails for that page', async () => {
    await oneClick(links.unsubscribe('owner-1', PAGE));
    assert.equal((await prefs())[`${PAGE}/owner-1`], 'off off off');
  });

  it('refuses a forged, altered or wrong-purpose token and changes nothing', async () => {
    const before = await prefs();
    const calls = store.calls;
    const good = token(links.unsubscribe(USER, PAGE))!;
    const forged = new NotifyLinks({ ...SETTINGS, linkSecret: 'an-attacker-guess-0123456789abcdef' }).unsubscribe(USER, PAGE);
    const bad = [
      forged,
      `${base}/notify/unsubscribe?t=${good.slice(0, 30)}${good[30] === 'A' ? 'B' : 'A'}${good.slice(31)}`,
      `${base}/notify/unsubscribe?t=${token(links.open(PAGE))}`,
      `${base}/notify/unsubscribe?t=`,
      `${base}/notify/unsubscribe`,
      `${base}/notify/unsubscribe?t=${good}&t=${good}`,
    ];
    for (const url of bad) {
      const get = await fetch(path(url));
      assert.equal(get.status, 400, url);
      assertSafeHeaders(get);
      assert.match(await get.text(), /<h1>This link does not work<\/h1>/);
      const post = await oneClick(url);
      assert.equal(post.status, 400, url);
      assert.equal(await post.text(), 'This unsubscribe link is not valid.\n');
    }
    assert.equal(store.calls, calls);
    assert.deepEqual(await prefs(), before);
  });

  it('the open link redirects to the hospital’s page, and only a sealed one', async () => {
    const res = await fetch(path(links.open(PAGE)), { redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), `https://hospital.example/care/${PAGE}?from=email`);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const bad = await fetch(`${base}/notify/open?t=${token(links.unsubscribe(USER, PAGE))}`, { redirect: 'manual' });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get('location'), null);
  });

  it('URL-encodes the page id into the page URL', () => {
    assert.equal(links.pageUrl('a.b_c-1'), 'https://hospital.example/care/a.b_c-1?from=email');
    assert.equal(new NotifyLinks({ ...SETTINGS, pageUrl: 'https://h.example/p?id={pageId}' }).pageUrl('x y/z'), 'https://h.example/p?id=x%20y%2Fz');
  });
});

describe('demo mode’s mailbox', () => {
  it('shows what the email channel sent, as text and as the raw message; keeps the last 50', async () => {
    const mailbox = demoMailbox();
    const channel = new EmailChannel(mailbox.transport, { mailFrom: SETTINGS.mailFrom, detail: 'none' }, links);
    const app = express();
    app.use(mailbox.router);
    const http = createServer(app);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    try {
      const empty = await (await fetch(`${base}/demo/mailbox`)).text();
      assert.match(empty, /No emails yet/);

      assert.deepEqual(await channel.send(job({ type: 'journal', pageId: PAGE }, 'email:journal:demo-1')), { ok: true });
      const res = await fetch(`${base}/demo/mailbox`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-security-policy') ?? '', /^default-src 'none'/);
      const html = await res.text();
      assert.match(html, /<h2 id="m0">There is a new update on a page you follow<\/h2>/);
      assert.ok(html.includes(`To ${TO}`));
      assert.ok(html.includes('List-Unsubscribe-Post: List-Unsubscribe=One-Click'), 'the raw source');
      assert.match(html, /<a href="https:\/\/care\.example\/notify\/open\?t=[A-Za-z0-9_-]+">/, 'the links can be followed');
      const id = `${createHash('sha256').update('email:journal:demo-1').digest('hex')}@hospital.example`;
      assert.ok(html.includes(id));

      const json = (await (await fetch(`${base}/demo/mailbox.json`)).json()) as { messages: { to: string; subject: string; raw: string }[] };
      assert.equal(json.messages.length, 1);
      assert.equal(json.messages[0]!.to, TO);
      assert.match(json.messages[0]!.raw, /^List-Unsubscribe:\s+<https:\/\/care\.example\/notify\/unsubscribe\?t=/m);

      for (let i = 0; i < 55; i++) await channel.send(job({ type: 'request', pageId: PAGE }));
      const all = mailbox.messages();
      assert.equal(all.length, 50);
      assert.ok(all.every((m) => m.subject === 'Someone asks to follow your page'), 'the oldest went first');
    } finally {
      await channel.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  });
});
