/**
 * Test helpers: a real server on a random loopback port, real Socket.IO clients, real SQLite.
 * Every server and client made here is tracked so `close()` ends them and the process exits.
 */
import webPush from 'web-push';
import type { NotifySettings } from '../src/notify/contract.js';
import { notifySettingsFromEnv } from '../src/notify/settings.js';
import { after, afterEach, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Kysely } from 'kysely';
import { io, type Socket } from 'socket.io-client';
import {
  NAMESPACE,
  PROTOCOL_VERSION,
  type ClientEventName,
  type ClientToServerEvents,
  type ErrorCode,
  type Failure,
  type PageEvent,
  type ServerToClientEvents,
  type Visibility,
  type WallModeration,
} from '../../src/protocol/index.js';
import { createCareServer, type CareServer } from '../src/app.js';
import type { Config } from '../src/config.js';
import { NO_RATE_LIMITS } from '../src/socket/rate-limit.js';
import { signDemoToken } from '../src/demo/token.js';
import type { Database } from '../src/storage/schema.js';
import type { Storage, StoredAudit } from '../src/storage/types.js';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type Payload<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[0];
export type Answer<E extends ClientEventName> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];
type Success<E extends ClientEventName> = Extract<Answer<E>, { ok: true }>;

/** How long a test waits for an acknowledgement or an event before failing. */
export const WAIT_MS = 3_000;

/** Every server-to-client event that carries something of one page. */
export const PAGE_EVENTS = [
  'journal:entry',
  'journal:removed',
  'wall:message',
  'wall:removed',
  'wall:hearts',
  'journal:hearts',
  'journal:comment',
  'journal:comment-removed',
  'follow:count',
  'follow:request',
  'page:updated',
  'task:changed',
  'task:removed',
] as const;

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    db: 'sqlite::memory:',
    redisUrl: null,
    jwtSecret: randomBytes(32).toString('hex'),
    jwksUrl: null,
    allowedOrigins: null,
    demo: false,
    changeRetention: 10_000,
    distDir: null,
    demoDir: null,
    // Off unless a test turns them on: suites make many calls and connections quickly.
    rateLimits: NO_RATE_LIMITS,
    trustProxy: ['loopback'],
    requestCooldownHours: 168,
    // Every read audited, so tests can count them; audit-log.test.ts tests the window.
    auditReadWindowSeconds: 0,
    connectTimeoutMs: 10_000,
    metricsToken: null,
    maxTokenTtl: 86_400,
    ...overrides,
  };
}

/** A call with any arguments and the acknowledgement last; rejects after `timeoutMs` without an answer. */
export function call(socket: ClientSocket, event: string, ...args: unknown[]): Promise<unknown> {
  return callWithin(WAIT_MS, socket, event, ...args);
}

export function callWithin(timeoutMs: number, socket: ClientSocket, event: string, ...args: unknown[]): Promise<unknown> {
  return (socket as unknown as Socket).timeout(timeoutMs).emitWithAck(event, ...args);
}

/** Resolves with the next `event` on `socket` that matches `pred`; rejects after `timeoutMs`. */
export function waitForEvent<T = unknown>(socket: ClientSocket, event: string, pred: (data: T) => boolean = () => true, timeoutMs = WAIT_MS): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.offAny(listener);
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const listener = (ev: string, data: unknown) => {
      if (ev !== event || !pred(data as T)) return;
      clearTimeout(timer);
      socket.offAny(listener);
      resolve(data as T);
    };
    socket.onAny(listener);
  });
}

export interface Received {
  event: string;
  data: unknown;
}

/** A connected test client: the socket plus everything it received, in order. */
export class Client {
  readonly received: Received[] = [];

  constructor(readonly socket: ClientSocket) {
    socket.onAny((event: string, data: unknown) => this.received.push({ event, data }));
  }

  /** A typed call; answers `{ ok, ... }` or fails the test after `WAIT_MS`. */
  call<E extends ClientEventName>(event: E, payload: Payload<E>): Promise<Answer<E>> {
    return this.raw(event, payload) as Promise<Answer<E>>;
  }

  /** An untyped call with any arguments (the acknowledgement is added last). */
  raw(event: string, ...args: unknown[]): Promise<unknown> {
    return call(this.socket, event, ...args);
  }

  /** A typed call that must succeed; returns the answer without `ok`. */
  async ok<E extends ClientEventName>(event: E, payload: Payload<E>): Promise<Success<E>> {
    const r = await this.call(event, payload);
    assert.equal(r.ok, true, `${event} should succeed, got ${JSON.stringify(r)}`);
    return r as Success<E>;
  }

  /** A call that must fail with `code`. */
  async fails<E extends ClientEventName>(event: E, payload: Payload<E>, code: ErrorCode): Promise<Failure> {
    return expectFailure(await this.call(event, payload), code, event);
  }

  /** A position in the received list; `after(mark)` gives what came later. */
  mark(): number {
    return this.received.length;
  }

  after(mark: number, pageId?: string): Received[] {
    return this.received.slice(mark).filter((r) => pageId === undefined || (r.data as { pageId?: string } | undefined)?.pageId === pageId);
  }

  of<T = Record<string, unknown>>(event: string, fromMark = 0): T[] {
    return this.received.slice(fromMark).filter((r) => r.event === event).map((r) => r.data as T);
  }

  /** Resolves with the first event named `event` (from `fromMark` on) that matches `pred`. */
  waitFor<T = Record<string, unknown>>(event: string, pred: (data: T) => boolean = () => true, fromMark = 0, timeoutMs = WAIT_MS): Promise<T> {
    const found = this.received.slice(fromMark).find((r) => r.event === event && pred(r.data as T));
    if (found) return Promise.resolve(found.data as T);
    return waitForEvent(this.socket, event, pred, timeoutMs);
  }

  /**
   * A round trip on this socket. The server writes to one connection in order, so once this
   * resolves, every event the server emitted to this socket before it has arrived.
   */
  async barrier(): Promise<void> {
    await this.raw('page:unsubscribe', { pageId: 'barrier-no-such-page' });
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** A barrier on every client at once: afterwards each holds everything sent to it before. */
export async function barrierAll(clients: Iterable<Client>): Promise<void> {
  await Promise.all([...clients].map((c) => c.barrier()));
}

export function expectFailure(r: unknown, code: ErrorCode, what = 'call'): Failure {
  const f = r as Failure;
  assert.equal(f.ok, false, `${what} should fail with ${code}, got ${JSON.stringify(r)}`);
  assert.equal(f.error.code, code, `${what}: expected ${code}, got ${JSON.stringify(f.error)}`);
  assert.equal(typeof f.error.message, 'string');
  assert.ok(f.error.message.length > 0, 'an error carries a message');
  return f;
}

export interface NewTestPage {
  id?: string;
  title?: string;
  visibility?: Visibility;
  wallModeration?: WallModeration;
  owners?: string[];
  editors?: string[];
  followers?: string[];
}

let pageCounter = 0;
export const uniqueId = (prefix = 'page') => `${prefix}-${process.pid}-${++pageCounter}-${randomBytes(3).toString('hex')}`;

export interface TestServer {
  server: CareServer;
  url: string;
  secret: string;
  storage: Storage;
  /** The Kysely instance behind the storage, for raw checks. */
  db: Kysely<Database>;
  token(userId: string, ttlSeconds?: number): Promise<string>;
  /** Connects as `userId` (signed demo token), or anonymously with `null`. */
  connect(userId: string | null, auth?: Record<string, unknown>, extra?: Parameters<typeof io>[1]): Promise<Client>;
  /** Tries to connect with the given handshake `auth`; resolves with the `connect_error`. */
  refused(auth: Record<string, unknown>, extra?: Parameters<typeof io>[1]): Promise<Error & { data?: { code?: string; protocolVersion?: number } }>;
  /** Creates a page directly in storage (owner `owner`, editor `editor` unless given). */
  page(p?: NewTestPage): Promise<string>;
  /** A REST call with an optional bearer token and JSON body. */
  rest(method: string, path: string, opts?: { token?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** Starts a real server on 127.0.0.1:<random port>. */
export async function startServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  const config = testConfig(overrides);
  const server = await createCareServer(config);
  // A random port unless the test chose one (its links must name it: CARE_PUBLIC_URL).
  const url = await server.listen(config.port, '127.0.0.1');
  const secret = server.jwtSecret ?? '';
  const clients = new Set<ClientSocket>();

  const open = (auth: Record<string, unknown>, extra: Parameters<typeof io>[1] = {}): ClientSocket => {
    const socket: ClientSocket = io(`${url}${NAMESPACE}`, { auth, transports: ['websocket'], forceNew: true, reconnection: false, ...extra });
    clients.add(socket);
    return socket;
  };

  const ts: TestServer = {
    server,
    url,
    secret,
    storage: server.storage,
    db: (server.storage as unknown as { db: Kysely<Database> }).db,
    token: (userId, ttl) => signDemoToken(secret, userId, ttl),
    async connect(userId, auth, extra) {
      const handshake = auth ?? { protocolVersion: PROTOCOL_VERSION, ...(userId ? { token: await ts.token(userId) } : {}) };
      const socket = open(handshake, extra);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (err) => reject(err));
      });
      return new Client(socket);
    },
    refused(auth, extra) {
      const socket = open(auth, extra);
      return new Promise((resolve, reject) => {
        socket.once('connect', () => reject(new Error('the connection should have been refused')));
        socket.once('connect_error', (err) => {
          socket.disconnect();
          resolve(err as Error & { data?: { code?: string } });
        });
      });
    },
    async page(p = {}) {
      const id = p.id ?? uniqueId();
      await server.storage.createPage({
        id,
        title: p.title ?? `Title of ${id}`,
        visibility: p.visibility ?? 'public',
        wallModeration: p.wallModeration ?? 'post',
        owners: p.owners ?? ['owner'],
        editors: p.editors ?? ['editor'],
      });
      for (const f of p.followers ?? []) await server.storage.setFollow(id, { id: f, name: f }, 'following');
      return id;
    },
    async rest(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | undefined;
      if (opts.rawBody !== undefined) body = opts.rawBody;
      else if (opts.body !== undefined) body = JSON.stringify(opts.body);
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(`${url}${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close() {
      for (const s of clients) s.disconnect();
      clients.clear();
      server.http.closeAllConnections();
      await server.close();
    },
  };
  return ts;
}

/** Signs an HS256 token with any claims (for staff roles, odd claims, expired tokens). */
export async function signToken(secret: string, claims: Record<string, unknown> & { sub?: string }, opts: { exp?: number | null } = {}): Promise<string> {
  const { sub, ...rest } = claims;
  let jwt = new SignJWT(rest).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (sub !== undefined) jwt = jwt.setSubject(sub);
  const exp = opts.exp === undefined ? Math.floor(Date.now() / 1000) + 900 : opts.exp;
  if (exp !== null) jwt = jwt.setExpirationTime(exp);
  return jwt.sign(new TextEncoder().encode(secret));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Rows of every page-scoped table for one page (the audit log excepted). */
export async function pageRowCounts(db: Kysely<Database>, pageId: string): Promise<Record<string, number>> {
  const tables = ['page_members', 'follows', 'journal_entries', 'wall_messages', 'hearts', 'journal_comments', 'journal_hearts', 'changes', 'invites', 'follow_asks', 'notify_prefs', 'tasks', 'task_volunteers'] as const;
  const out: Record<string, number> = {};
  for (const t of tables) {
    const rows = await db.selectFrom(t).select('page_id').where('page_id', '=', pageId).execute();
    out[t] = rows.length;
  }
  const pages = await db.selectFrom('pages').select('id').where('id', '=', pageId).execute();
  out.pages = pages.length;
  return out;
}

/**
 * One server for a whole test file, plus `connect()`, whose clients are closed after each
 * test. Read the server as `server.ts` inside tests (it exists once `before` ran). `connect`
 * also takes another server the test started (a second node, one with features off), and
 * closes those clients the same way.
 */
export function fileServer(overrides?: Parameters<typeof startServer>[0]): {
  readonly ts: TestServer;
  start(): Promise<TestServer>;
  connect(user: string | null, on?: TestServer): Promise<Client>;
} {
  let ts: TestServer | undefined;
  let starting: Promise<TestServer> | undefined;
  const open: Client[] = [];
  // Idempotent, so a file's own `before` can await it whatever order the hooks run in.
  const start = () => (starting ??= startServer(overrides).then((s) => (ts = s)));
  before(async () => {
    await start();
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });
  after(async () => {
    await ts?.close();
  });
  return {
    get ts() {
      if (!ts) throw new Error('the server starts in before()');
      return ts;
    },
    start,
    async connect(user, on) {
      const c = await (on ?? this.ts).connect(user);
      open.push(c);
      return c;
    },
  };
}

/**
 * The whole audit trail of a page's current lifetime (or of `lifetime`, a page's `uid`, for
 * a page since deleted), oldest first, read through the storage's paged audit query.
 */
export async function auditTrail(storage: Storage, pageId: string, lifetime?: string): Promise<StoredAudit[]> {
  const uid = lifetime ?? (await storage.getPage(pageId))?.uid;
  if (uid === undefined) return [];
  const out: StoredAudit[] = [];
  let after: number | undefined;
  for (;;) {
    const { entries, next } = await storage.audit({ lifetime: uid, after, limit: 500 });
    out.push(...entries);
    if (next === null) return out;
    after = next;
  }
}

/** The item a page event is about (entry or message id), `null` for page-wide events. */
export function itemIdOf(e: PageEvent): string | null {
  switch (e.type) {
    case 'journal:entry':
      return e.data.entry.id;
    case 'journal:removed':
      return e.data.entryId;
    case 'wall:message':
      return e.data.message.id;
    case 'wall:removed':
    case 'wall:hearts':
      return e.data.messageId;
    case 'journal:hearts':
      return e.data.entryId;
    case 'journal:comment':
      return e.data.comment.id;
    case 'journal:comment-removed':
      return e.data.commentId;
    case 'task:changed':
      return e.data.task.id;
    case 'task:removed':
      return e.data.taskId;
    default:
      return null;
  }
}

/** One real VAPID key pair for the whole test run (the push channel checks the keys when it is built). */
let vapidKeys: { publicKey: string; privateKey: string } | undefined;

/**
 * Notification settings as `notifySettingsFromEnv` reads them (notify/settings.ts), with SMTP at
 * a port nothing need listen on, a real VAPID key pair, and `push.example` (and its subdomains)
 * as the one known push service, unless `env` says otherwise.
 */
export function notifySettings(env: NodeJS.ProcessEnv = {}): NotifySettings {
  vapidKeys ??= webPush.generateVAPIDKeys();
  return notifySettingsFromEnv(
    {
      CARE_SMTP_URL: 'smtp://127.0.0.1:2525',
      CARE_VAPID_PUBLIC_KEY: vapidKeys.publicKey,
      CARE_VAPID_PRIVATE_KEY: vapidKeys.privateKey,
      CARE_VAPID_SUBJECT: 'mailto:it@hospital.example',
      CARE_PUSH_HOSTS: 'push.example',
      CARE_NOTIFY_SECRET: 'test-notify-secret-0123456789',
      ...env,
    },
    { port: 8080, demo: false },
  );
}
