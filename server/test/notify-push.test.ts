/**
 * Web Push (SPEC 6.2, issue 14): the push channel against a real push endpoint. The endpoint
 * is an HTTPS server at `localhost` on a random port (web-push speaks HTTPS only; its
 * certificate is made for the run with openssl; the channel's `hosts`, CARE_PUSH_HOSTS, names
 * `localhost` with that port, as an operator would name a self-hosted push service) that does
 * what a push service and a browser do together:
 * checks the VAPID `Authorization: vapid t=<JWT>, k=<key>` signature (RFC 8292) with the
 * public key, decrypts the `aes128gcm` body (RFC 8291/8188) with the receiver's ECDH key and
 * auth secret, a key pair made here as a browser makes it, and records the JSON. The
 * subscriptions live in a real SQLite `push_subscriptions` table (migration 006).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createECDH, randomBytes, type ECDH } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import ece from 'http_ece';
import { importJWK, jwtVerify } from 'jose';
import type { Kysely } from 'kysely';
import webPush from 'web-push';
import type { DeliveryJob, NotifyMessage, PushPayload } from '../src/notify/contract.js';
import { PushChannel, checkVapidSettings, type PushMessage, type PushSubscriptionStore, type StoredPushSubscription } from '../src/notify/push.js';
import type { Database } from '../src/storage/schema.js';
import { openSqlite } from '../src/storage/sqlite.js';
import type { SqlStorage } from '../src/storage/sql-storage.js';

/** What must never reach a push service or a lock screen without the opt-in. */
const PAGE = { id: 'pg-3f9a1c7e', title: 'Maria Lopez: recovering from surgery', author: 'Dr. Alvarez', body: 'The chemotherapy starts on Monday.' };
const OTHER_PAGE = 'pg-77d20b41';
const SUBJECT = 'mailto:push-admin@hospital.example';
const OPEN = 'https://care.hospital.example/notify/open?t=';

/** The open link as links.ts makes it: signed and opaque; the test only needs one per message. */
const openUrl = (m: NotifyMessage) => `${OPEN}${Buffer.from(`${m.type}:${'pageId' in m ? m.pageId.length : 0}`).toString('base64url')}`;

/** A browser's side of a subscription: its ECDH key pair and auth secret (RFC 8291 section 2). */
interface Receiver {
  id: string;
  ecdh: ECDH;
  auth: string;
  p256dh: string;
}
function receiver(id: string): Receiver {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { id, ecdh, auth: randomBytes(16).toString('base64url'), p256dh: ecdh.getPublicKey('base64url') };
}

interface Delivery {
  receiver: string;
  headers: IncomingHttpHeaders;
  /** The decrypted body, as the service worker's `event.data.text()` would read it. */
  text: string;
  json: PushMessage;
}

/** The push endpoint: `/push/<receiver id>`; answers `status(id)` after checking and decrypting. */
class PushEndpoint {
  readonly deliveries: Delivery[] = [];
  readonly refusals: string[] = [];
  readonly receivers = new Map<string, Receiver>();
  status: (id: string) => number = () => 201;
  private server!: Server;
  private dir!: string;
  origin = '';
  port = 0;
  cert = '';

  constructor(private readonly vapidPublicKey: string) {}

  async start(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'care-push-'));
    const key = join(this.dir, 'key.pem');
    const cert = join(this.dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    this.cert = readFileSync(cert, 'utf8');
    this.server = createServer({ key: readFileSync(key), cert: this.cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.receive(req.url ?? '', req.headers, Buffer.concat(chunks)).then(
          (status) => res.writeHead(status).end(),
          (err: Error) => {
            this.refusals.push(err.message);
            res.writeHead(400).end();
          },
        );
      });
    });
    // `localhost`, whichever address it resolves to first: the channel resolves it the same way.
    await new Promise<void>((resolve) => this.server.listen(0, 'localhost', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.origin = `https://localhost:${this.port}`;
  }

  endpointOf(r: Receiver): string {
    return `${this.origin}/push/${r.id}`;
  }

  private async receive(path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<number> {
    const id = /^\/push\/([\w-]+)$/.exec(path)?.[1];
    const r = id ? this.receivers.get(id) : undefined;
    if (!id || !r) return 404;
    await this.checkVapid(headers.authorization ?? '');
    assert.equal(headers['content-encoding'], 'aes128gcm');
    const text = ece.decrypt(body, { version: 'aes128gcm', privateKey: r.ecdh, authSecret: r.auth }).toString('utf8');
    this.deliveries.push({ receiver: id, headers, text, json: JSON.parse(text) as PushMessage });
    return this.status(id);
  }

  /** RFC 8292: an ES256 JWT for this origin, signed by the key `k` names, which must be the VAPID key. */
  private async checkVapid(authorization: string): Promise<void> {
    const m = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(authorization);
    if (!m) throw new Error(`not a VAPID Authorization: ${authorization.slice(0, 20)}`);
    const [, token, k] = m as unknown as [string, string, string];
    assert.equal(k, this.vapidPublicKey, 'k is the VAPID public key');
    const point = Buffer.from(k, 'base64url');
    const key = await importJWK({ kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') }, 'ES256');
    const { payload } = await jwtVerify(token, key, { algorithms: ['ES256'], audience: this.origin, subject: SUBJECT });
    // RFC 8292 section 2: no more than 24 hours ahead.
    assert.ok(payload.exp! * 1000 <= Date.now() + 24 * 3600_000 + 60_000, 'exp within 24 h');
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The two storage methods the channel uses, over the real `push_subscriptions` table: the
 * names and answers of H4's `Storage` methods, until those are merged.
 */
class SqlitePushSubscriptions implements PushSubscriptionStore {
  constructor(private readonly db: Kysely<Database>) {}
  async add(userId: string, endpoint: string, keys: { p256dh: string; auth: string }): Promise<void> {
    await this.db.insertInto('push_subscriptions').values({ endpoint, user_id: userId, p256dh: keys.p256dh, auth: keys.auth, created_at: new Date().toISOString() }).execute();
  }
  async pushSubscription(endpoint: string): Promise<StoredPushSubscription | null> {
    const row = await this.db.selectFrom('push_subscriptions').selectAll().where('endpoint', '=', endpoint).executeTakeFirst();
    return row ? { userId: row.user_id, endpoint: row.endpoint, keys: { p256dh: row.p256dh, auth: row.auth } } : null;
  }
  async removePushSubscription(endpoint: string, userId?: string): Promise<boolean> {
    let q = this.db.deleteFrom('push_subscriptions').where('endpoint', '=', endpoint);
    if (userId !== undefined) q = q.where('user_id', '=', userId);
    return Number((await q.executeTakeFirst()).numDeletedRows) > 0;
  }
  async count(): Promise<number> {
    return Number((await this.db.selectFrom('push_subscriptions').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  }
}

let jobs = 0;
function job(endpoint: string, message: NotifyMessage, userId = 'u-ana'): DeliveryJob<PushPayload> {
  jobs += 1;
  return { id: `job-${jobs}`, key: `push:${jobs}`, pageId: 'pageId' in message ? message.pageId : null, recipient: userId, payload: { userId, endpoint, message }, attempts: 0 };
}

/** Everything a push service saw and the browser decrypted, as one text, to search for PHI. */
const seen = (d: Delivery) => `${d.text}\n${JSON.stringify(d.headers)}`;

describe('Web Push channel: VAPID-signed, aes128gcm-encrypted, PHI-free', () => {
  const vapid = { ...webPush.generateVAPIDKeys(), subject: SUBJECT };
  const endpoint = new PushEndpoint(vapid.publicKey);
  let storage: SqlStorage;
  let subs: SqlitePushSubscriptions;
  let agent: Agent;
  let channel: PushChannel;
  let ana: Receiver;

  before(async () => {
    await endpoint.start();
    storage = openSqlite(':memory:', 1000);
    await storage.migrate();
    subs = new SqlitePushSubscriptions((storage as unknown as { db: Kysely<Database> }).db);
    // The run's own certificate, trusted through the channel's agent option (a private CA).
    agent = new Agent({ ca: endpoint.cert, keepAlive: true });
    channel = new PushChannel(vapid, subs, openUrl, { agent, hosts: [`localhost:${endpoint.port}`] });
  });
  after(async () => {
    await channel.close();
    agent.destroy();
    await endpoint.close();
    await storage.close();
  });
  beforeEach(async () => {
    endpoint.deliveries.length = 0;
    endpoint.status = () => 201;
    ana = receiver(`ana-${randomBytes(4).toString('hex')}`);
    endpoint.receivers.set(ana.id, ana);
    await subs.add('u-ana', endpoint.endpointOf(ana), { p256dh: ana.p256dh, auth: ana.auth });
  });

  it('delivers {title, body, url, tag} that only the browser can read, with no page id, title, author or text', async () => {
    const outcome = await channel.send(job(endpoint.endpointOf(ana), { type: 'journal', pageId: PAGE.id }));
    assert.deepEqual(outcome, { ok: true });
    assert.equal(endpoint.refusals.length, 0, endpoint.refusals.join('; '));
    assert.equal(endpoint.deliveries.length, 1);
    const [d] = endpoint.deliveries as [Delivery];
    assert.deepEqual(Object.keys(d.json).sort(), ['body', 'tag', 'title', 'url']);
    assert.equal(d.json.title, 'New update');
    assert.equal(d.json.body, 'There is a new update on a page you follow.');
    assert.equal(d.json.url, openUrl({ type: 'journal', pageId: PAGE.id }));
    assert.match(d.json.tag, /^[\w-]{16,}$/);
    for (const phi of [PAGE.id, PAGE.title, PAGE.author, PAGE.body, 'Maria']) assert.ok(!seen(d).includes(phi), `"${phi}" reached the push service or the screen`);
    // What the push service is told besides the ciphertext.
    assert.equal(d.headers.ttl, String(24 * 3600));
    assert.equal(d.headers.urgency, 'normal');
    assert.match(String(d.headers.topic), /^[\w-]{1,32}$/);
  });

  it('with CARE_NOTIFY_DETAIL=title (the message carries the title) the title is in the notification', async () => {
    const outcome = await channel.send(job(endpoint.endpointOf(ana), { type: 'journal', pageId: PAGE.id, title: PAGE.title }));
    assert.deepEqual(outcome, { ok: true });
    const [d] = endpoint.deliveries as [Delivery];
    assert.equal(d.json.body, `There is a new update on “${PAGE.title}”.`);
    assert.ok(!seen(d).includes(PAGE.id), 'still no page id');
    assert.ok(!String(d.headers.topic).includes(PAGE.title), 'nor the title in clear to the push service');
  });

  it('follow requests and digests say what happened without saying where', async () => {
    await channel.send(job(endpoint.endpointOf(ana), { type: 'request', pageId: PAGE.id }));
    await channel.send(job(endpoint.endpointOf(ana), { type: 'digest', date: '2025-03-04', pages: [{ pageId: PAGE.id, entries: 2, messages: 3, requests: 0 }] }));
    const [request, digest] = endpoint.deliveries as [Delivery, Delivery];
    assert.deepEqual([request.json.title, request.json.body], ['New follow request', 'Someone asks to follow your page.']);
    assert.deepEqual([digest.json.title, digest.json.body], ['Your daily summary', '2 new updates, 3 new messages.']);
    for (const d of endpoint.deliveries) assert.ok(!seen(d).includes(PAGE.id));
  });

  it("a page's updates share one tag (they replace each other on screen); another page, kind or browser does not collapse with them", async () => {
    const bob = receiver(`bob-${randomBytes(4).toString('hex')}`);
    endpoint.receivers.set(bob.id, bob);
    await subs.add('u-bob', endpoint.endpointOf(bob), { p256dh: bob.p256dh, auth: bob.auth });
    await channel.send(job(endpoint.endpointOf(ana), { type: 'journal', pageId: PAGE.id }));
    await channel.send(job(endpoint.endpointOf(ana), { type: 'journal', pageId: PAGE.id }));
    await channel.send(job(endpoint.endpointOf(ana), { type: 'journal', pageId: OTHER_PAGE }));
    await channel.send(job(endpoint.endpointOf(ana), { type: 'request', pageId: PAGE.id }));
    await channel.send(job(endpoint.endpointOf(bob), { type: 'journal', pageId: PAGE.id }, 'u-bob'));
    const [a1, a2, other, request, b] = endpoint.deliveries as [Delivery, Delivery, Delivery, Delivery, Delivery];
    assert.equal(a1.json.tag, a2.json.tag);
    assert.equal(a1.headers.topic, a2.headers.topic);
    assert.notEqual(other.json.tag, a1.json.tag);
    assert.notEqual(request.json.tag, a1.json.tag);
    // The push service cannot tell that two subscriptions follow the same page.
    assert.notEqual(b.headers.topic, a1.headers.topic);
  });

  for (const status of [410, 404]) {
    it(`a ${status} answer: the subscription is gone, removed from the database, not retried`, async () => {
      endpoint.status = () => status;
      const before = await subs.count();
      const outcome = await channel.send(job(endpoint.endpointOf(ana), { type: 'journal', pageId: PAGE.id }));
      assert.equal(outcome.ok, false);
      assert.deepEqual(outcome.ok ? null : { retry: outcome.retry, gone: outcome.gone }, { retry: false, gone: true });
      assert.equal(await subs.pushSubscription(endpoint.endpointOf(ana)), null);
      assert.equal(await subs.count(), before - 1, 'only that subscription');
      assert.ok(!outcome.ok && !outcome.reason.includes(ana.id), 'the reason names no endpoint path');
    });
  }

  for (const status of [503, 500, 429]) {
    it(`a ${status} answer: retried later, the subscription kept`, async () => {
      endpoint.status = () => status;
      const outcome = await channel.send(job(endpoint.endpointOf(ana), { type: 'journal', pageId: PAGE.id }));
      assert.equal(outcome.ok, false);
      assert.deepEqual(outcome.ok ? null : { retry: outcome.retry, gone: outcome.gone }, { retry: true, gone: undefined });
      assert.notEqual(await subs.pushSubscription(endpoint.endpointOf(ana)), null);
      assert.ok(!outcome.ok && outcome.reason.includes(String(status)) && !outcome.reason.includes(ana.id));
    });
  }

  for (const status of [400, 403, 413]) {
    it(`a ${status} answer: given up at once, the subscription kept`, async () => {
      endpoint.status = () => status;
      const outcome = await channel.send(job(endpoint.endpointOf(ana), { type: 'journal', pageId: PAGE.id }));
      assert.deepEqual(outcome.ok ? null : { retry: outcome.retry, gone: outcome.gone }, { retry: false, gone: undefined });
      assert.notEqual(await subs.pushSubscription(endpoint.endpointOf(ana)), null);
    });
  }

  it('a push service that does not answer: retried', async () => {
    // A port that was just free: nothing listens there.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, 'localhost', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = `https://localhost:${port}/push/${ana.id}`;
    await subs.add('u-ana', url, { p256dh: ana.p256dh, auth: ana.auth });
    const silent = new PushChannel(vapid, subs, openUrl, { agent, hosts: [`localhost:${port}`] });
    const outcome = await silent.send(job(url, { type: 'journal', pageId: PAGE.id }));
    await silent.close();
    assert.deepEqual(outcome, { ok: false, retry: true, reason: `push service localhost:${port} unreachable: ECONNREFUSED` });
  });

  describe('only to a known push service (CARE_PUSH_HOSTS): anything else is never contacted, and its subscription goes', () => {
    /** Sends to a stored subscription at `url` (the push endpoint's receiver `ana`, so a request would be seen). */
    async function refused(url: string, through: PushChannel, why: RegExp): Promise<void> {
      if (!(await subs.pushSubscription(url))) await subs.add('u-ana', url, { p256dh: ana.p256dh, auth: ana.auth });
      const outcome = await through.send(job(url, { type: 'journal', pageId: PAGE.id }));
      assert.equal(outcome.ok, false, url);
      assert.deepEqual(outcome.ok ? null : { retry: outcome.retry, gone: outcome.gone }, { retry: false, gone: true }, url);
      assert.match(outcome.ok ? '' : outcome.reason, why, url);
      assert.ok(!outcome.ok && !outcome.reason.includes(ana.id), 'the reason names no endpoint path');
      assert.equal(await subs.pushSubscription(url), null, `${url}: removed`);
      assert.equal(endpoint.deliveries.length, 0, `${url}: nothing reached it`);
    }

    it('the production list (the public push services) refuses the local endpoint', async () => {
      const strict = new PushChannel(vapid, subs, openUrl, { agent });
      try {
        await refused(endpoint.endpointOf(ana), strict, /^endpoint localhost is not a known push service$/);
      } finally {
        await strict.close();
      }
    });

    it('a list changed since the browser subscribed: its subscriptions go at their next send', async () => {
      const narrowed = new PushChannel(vapid, subs, openUrl, { agent, hosts: ['fcm.googleapis.com'] });
      try {
        await refused(endpoint.endpointOf(ana), narrowed, /localhost is not a known push service/);
      } finally {
        await narrowed.close();
      }
    });

    it('an IP address, another port or a user name are refused even where the host is listed', async () => {
      await refused(`https://127.0.0.1:${endpoint.port}/push/${ana.id}`, channel, /not by IP address/);
      await refused(`https://localhost:${endpoint.port + 1}/push/${ana.id}`, channel, /must not name a port/);
      await refused(`https://someone@localhost:${endpoint.port}/push/${ana.id}`, channel, /user name or password/);
      await refused(`https://localhost/push/${ana.id}`, channel, /known only with a port/);
    });
  });

  it('unsubscribed since the job was queued: nothing to send, done', async () => {
    await subs.removePushSubscription(endpoint.endpointOf(ana));
    const outcome = await channel.send(job(endpoint.endpointOf(ana), { type: 'journal', pageId: PAGE.id }));
    assert.deepEqual(outcome, { ok: true });
    assert.equal(endpoint.deliveries.length, 0);
  });

  it("a browser subscribed by someone else since: the queued notification is not theirs, nothing is sent", async () => {
    const outcome = await channel.send(job(endpoint.endpointOf(ana), { type: 'journal', pageId: PAGE.id }, 'u-someone-else'));
    assert.deepEqual(outcome, { ok: true });
    assert.equal(endpoint.deliveries.length, 0);
  });

  it('keys no payload can be encrypted to: the subscription is removed, nothing sent', async () => {
    const url = `${endpoint.origin}/push/broken-${randomBytes(4).toString('hex')}`;
    // 65 bytes of the right form that are no point on P-256.
    await subs.add('u-ana', url, { p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString('base64url'), auth: ana.auth });
    const outcome = await channel.send(job(url, { type: 'journal', pageId: PAGE.id }));
    assert.deepEqual(outcome, { ok: false, retry: false, gone: true, reason: 'subscription keys unusable' });
    assert.equal(await subs.pushSubscription(url), null);
  });
});

describe('VAPID settings', () => {
  const pair = webPush.generateVAPIDKeys();
  it('a key pair with a mailto: or https: subject is accepted', () => {
    checkVapidSettings({ ...pair, subject: SUBJECT });
    checkVapidSettings({ ...pair, subject: 'https://hospital.example/contact' });
  });
  it('refuses, naming the settings: keys of two pairs, a bad subject, a key that is no key', () => {
    const other = webPush.generateVAPIDKeys();
    assert.throws(() => checkVapidSettings({ publicKey: other.publicKey, privateKey: pair.privateKey, subject: SUBJECT }), /CARE_VAPID_PUBLIC_KEY is not the public key of CARE_VAPID_PRIVATE_KEY/);
    assert.throws(() => checkVapidSettings({ ...pair, subject: 'push-admin@hospital.example' }), /CARE_VAPID_SUBJECT.*subject/);
    assert.throws(() => checkVapidSettings({ ...pair, privateKey: 'short', subject: SUBJECT }), /CARE_VAPID_PRIVATE_KEY.*generate-vapid-keys/);
  });
});
