import { io, type Socket } from 'socket.io-client';
import {
  NAMESPACE,
  PROTOCOL_VERSION,
  type CareError,
  type ClientEventName,
  type ClientToServerEvents,
  type ConnectErrorData,
  type ServerToClientEvents,
} from '../protocol/index.js';
import type { CareErrorDetail } from '../events.js';
import { jittered, RECONNECT } from './backoff.js';
import { considerInvite, retryInvites } from './invite.js';
import { Listeners } from './listeners.js';
import { Outbox, clearStoredOutbox, type OutboxEntry } from './outbox.js';
import { OutboxSender, type Delivery, type PostText } from './outbox-sender.js';
import { PageStore, type Answer, type LiveEvent, type Payload } from './page-store.js';
import { Session } from './session.js';
import { normalizeHost } from './settings.js';

export type { Delivery } from './outbox-sender.js';

export type ConnectionState = 'connecting' | 'online' | 'offline' | 'unauthorized';

const CALL_TIMEOUT_MS = 10_000;

const offline = (message: string): { ok: false; error: CareError } => ({ ok: false, error: { code: 'unavailable', message } });

/**
 * The one Socket.IO connection to one host, shared by every widget on the page that talks
 * to that host (Socket.IO's Manager): widgets hold it with `acquire()`/`release()`; it opens
 * with the first and closes with the last. It owns the socket and routes its events to the
 * page stores; who is signed in is its `Session` (session.ts), and the unsent posts are sent
 * by its `OutboxSender` (outbox-sender.ts).
 */
export class CareConnection {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly outbox: Outbox;
  readonly #sender: OutboxSender;
  readonly #session: Session;
  state: ConnectionState = 'connecting';
  /** Why the server refused this connection for good (it speaks another protocol version), else null. */
  refusal: CareErrorDetail | null = null;
  /**
   * A misconfiguration (`code: 'config'`, the message names the setting): a `token-url` that
   * never answered a token or 401/204, or a host never reached. Widgets show it instead of
   * "offline"; a host that was online and dropped is offline, not this.
   */
  config: CareErrorDetail | null = null;
  #tokenReady: Promise<void> | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #authRetried = false;
  /** Who the socket was last connected as (`undefined`: never connected). */
  #connectedAs: string | null | undefined;
  #holders = 0;
  readonly #stores = new Map<string, { store: PageStore; holders: number }>();
  readonly #stateListeners = new Listeners<[ConnectionState]>();

  constructor(readonly host: string) {
    this.outbox = new Outbox(host);
    this.#session = new Session({
      // An answer, not a failure: the outbox may now drop a signed-out user's posts (outbox.ts).
      answered: (userId) => this.outbox.signedIn(userId),
      broken: (message) => this.#wrongSetting(message, 'unauthorized'),
      expiring: () => void this.#refreshToken(),
    });
    const connection = this;
    this.#sender = new OutboxSender(this.outbox, {
      get connected() {
        return connection.socket.connected;
      },
      get userId() {
        return connection.userId;
      },
      call: (event, payload) => this.call(event, payload),
      acknowledged: (pageId, item) => this.#stores.get(pageId)?.store.acknowledged(item),
    });
    this.socket = io(host + NAMESPACE, {
      autoConnect: false,
      // The transports of docs/protocol.md; the script-tag bundle leaves WebTransport out.
      transports: ['polling', 'websocket'],
      // After a drop, Socket.IO reconnects on the client's schedule: a restarted server is
      // not met by every visitor in the same second (backoff.ts, measured in the storm bench).
      ...RECONNECT,
      // Read at every (re)connect, so a refreshed token is used.
      auth: (cb) => {
        const token = this.#session.identity.token;
        cb(token ? { token, protocolVersion: PROTOCOL_VERSION } : { protocolVersion: PROTOCOL_VERSION });
      },
    });
    this.#wire();
  }

  get userId(): string | null {
    return this.#session.identity.userId;
  }

  get userName(): string | null {
    return this.#session.identity.name;
  }

  /**
   * The signed-in visitor's token, for the HTTP calls a widget makes itself: a photo upload
   * (media-upload.ts) and a planner task's calendar file (ics.ts).
   */
  get token(): string | null {
    return this.#session.identity.token;
  }

  /* -------------------------------------------------------------------------- lifecycle */

  acquire(tokenUrl: string | null): void {
    this.#holders++;
    if (tokenUrl && tokenUrl !== this.#session.url) {
      // All widgets of a page show one visitor, so the newest token-url wins: a widget with a
      // token-url joining an anonymous connection signs it in; a changed one switches users.
      const live = this.#holders > 1;
      this.#session.url = tokenUrl;
      this.#tokenReady = this.#session.load().then(() => {
        if (live) this.#reconnect();
      });
    }
    if (this.#holders === 1) {
      this.#setState('connecting');
      void (this.#tokenReady ?? Promise.resolve()).then(() => {
        if (this.#holders > 0 && !this.socket.connected && !this.config) this.socket.connect();
      });
    }
  }

  /** Returns true when this was the last holder and the connection closed. */
  release(): boolean {
    this.#holders = Math.max(0, this.#holders - 1);
    if (this.#holders > 0) return false;
    this.#session.stop();
    clearTimeout(this.#retryTimer);
    this.socket.disconnect();
    return true;
  }

  #reconnect(): void {
    if (this.#holders === 0) return;
    this.socket.disconnect();
    this.socket.connect();
  }

  /** Swaps a fresh token into the live connection (or reconnects when the user changed). */
  async #refreshToken(): Promise<void> {
    const before = this.userId;
    await this.#session.load();
    if (!this.socket.connected) return;
    const { token, userId } = this.#session.identity;
    if (token && userId === before) {
      const res = await this.call('session:refresh', { token });
      if (res.ok) {
        for (const { store } of this.#stores.values()) void store.sync();
        return;
      }
    }
    this.#reconnect();
  }

  /* ------------------------------------------------------------------------------ wires */

  #wire(): void {
    const s = this.socket;
    s.on('connect', () => {
      this.#authRetried = false;
      this.refusal = this.config = null;
      this.#setState('online');
      // Another user now: what they may see differs, so start from fresh snapshots.
      const fresh = this.#connectedAs !== undefined && this.#connectedAs !== this.userId;
      this.#connectedAs = this.userId;
      retryInvites();
      for (const { store } of this.#stores.values()) {
        void store.sync(fresh);
        // What changed while we were away, or what another user may see (settings-store.ts,
        // notify-store.ts).
        store.refreshExtras();
      }
      this.#sender.flush();
    });
    s.on('disconnect', (reason) => {
      this.#setState('offline');
      // A server-side disconnect is not retried by Socket.IO itself; we do, unless closing.
      // Full jitter over the schedule's first window: a server that sent everyone away at once
      // does not get everyone back at once.
      if (reason === 'io server disconnect' && this.#holders > 0) this.#retryTimer = setTimeout(() => s.connect(), jittered(2 * RECONNECT.reconnectionDelay));
    });
    s.on('connect_error', (err: Error & { data?: ConnectErrorData }) => {
      const code = err.data?.code;
      this.refusal = code === 'unsupported_protocol' ? { code, message: err.message } : null;
      if (code === 'unauthorized') {
        if (this.#session.url && !this.#authRetried) {
          // Perhaps the token expired in flight: fetch a fresh one once, then give up.
          this.#authRetried = true;
          void this.#session.load().then(() => s.connect());
          return;
        }
        this.#setState('unauthorized');
        return;
      }
      if (this.refusal) {
        // Not retried: the widgets bound to this connection each fire it once as care-error.
        console.error(`[care-widgets] ${err.message}`);
        this.#setState('unauthorized');
        return;
      }
      // A host never reached is a setting to fix; one that was online and dropped is offline.
      if (this.#connectedAs === undefined && !err.data) return this.#wrongSetting(`host ${this.host} unreachable`, 'offline');
      this.#setState('offline');
      // Middleware refusals are not retried automatically by Socket.IO.
      if (err.data && this.#holders > 0) this.#retryTimer = setTimeout(() => s.connect(), 5_000);
    });
    const route = (type: LiveEvent['type']) =>
      s.on(type, ((data: LiveEvent['data']) => {
        const entry = this.#stores.get(data.pageId);
        if (!entry) return;
        if (type === 'page:updated' && (data as { resubscribe?: boolean }).resubscribe) void entry.store.sync(true);
        else entry.store.receive({ type, data } as LiveEvent);
        // Visibility or moderation changed, or the viewer's access did: the settings view follows.
        if (type === 'page:updated') void entry.store.settings.refresh();
      }) as never);
    for (const type of ['journal:entry', 'journal:removed', 'wall:message', 'wall:removed', 'wall:hearts', 'follow:count', 'page:updated'] as const) route(type);
    // Feature `journal-social` (SPEC 6.3): sent only by a backend that has it.
    for (const type of ['journal:hearts', 'journal:comment', 'journal:comment-removed'] as const) route(type);
    // Feature `planner` (SPEC 6.4).
    for (const type of ['task:changed', 'task:removed'] as const) route(type);
    s.on('follow:request', (e) => {
      const store = this.#stores.get(e.pageId)?.store;
      store?.receiveRequest(e);
      void store?.settings.refresh();
    });
    // A follower, editor, block or invitation changed (SPEC 6.1): only a signal, ask again.
    s.on('settings:changed', (e) => void this.#stores.get(e.pageId)?.store.settings.refresh());
    s.on('session:expired', () => void this.#refreshToken());
  }

  /** Records a misconfiguration (logged once) before the state change tells the widgets. */
  #wrongSetting(message: string, state: ConnectionState): void {
    if (!this.config) console.error(`[care-widgets] ${message}`);
    this.config ??= { code: 'config', message };
    this.#setState(state);
  }

  #setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    this.#stateListeners.emit(state);
  }

  onState(fn: (s: ConnectionState) => void): () => void {
    return this.#stateListeners.add(fn);
  }

  /**
   * Whether `fn` is the first state listener: its widget (the first one bound) speaks for the
   * connection, so a page of several widgets shows one full offline banner.
   */
  leads(fn: unknown): boolean {
    return this.#stateListeners.first() === fn;
  }

  onDelivery(fn: (d: Delivery) => void): () => void {
    return this.#sender.deliveries.add(fn);
  }

  /* ------------------------------------------------------------------------------ calls */

  /** One acknowledged call. Offline or no answer in time is `unavailable`, never a hang. */
  async call<E extends ClientEventName>(event: E, payload: Payload<E>): Promise<Answer<E>> {
    if (!this.socket.connected) return offline('Not connected to the server.') as Answer<E>;
    try {
      // The typed emitWithAck cannot follow a generic event name; the contract is the same.
      const timed = this.socket.timeout(CALL_TIMEOUT_MS) as unknown as { emitWithAck(ev: E, p: Payload<E>): Promise<Answer<E>> };
      return await timed.emitWithAck(event, payload);
    } catch {
      return offline('The server did not answer in time.') as Answer<E>;
    }
  }

  /* ------------------------------------------------------------------------------ pages */

  store(pageId: string): PageStore {
    let entry = this.#stores.get(pageId);
    if (!entry) {
      const store = new PageStore(pageId, this);
      entry = { store, holders: 0 };
      this.#stores.set(pageId, entry);
      // An invitation in the address bar is accepted once the page answered (invite.ts).
      store.listen(() => considerInvite(this.host, store, this));
      if (this.socket.connected) void entry.store.sync();
    }
    entry.holders++;
    return entry.store;
  }

  releaseStore(pageId: string): void {
    const entry = this.#stores.get(pageId);
    if (!entry || --entry.holders > 0) return;
    entry.store.close();
    this.#stores.delete(pageId);
    if (this.socket.connected) void this.call('page:unsubscribe', { pageId });
  }

  /* ----------------------------------------------------------------------------- outbox */

  /** Queues a post; it is sent now if online, else on reconnect, with the same `clientId`. */
  post(pageId: string, kind: 'journal' | 'wall' | 'comment', text: PostText): OutboxEntry | null {
    return this.#sender.post(pageId, kind, text);
  }

  /** Queues a heart on a journal entry (or takes it back); the last click per entry wins. */
  heartEntry(pageId: string, entryId: string, on: boolean): OutboxEntry | null {
    return this.#sender.heart(pageId, entryId, on);
  }

  /** Queues a sign-up for a planner task (or a withdrawal); the last click per task wins. */
  signup(pageId: string, taskId: string, on: boolean): OutboxEntry | null {
    return this.#sender.signup(pageId, taskId, on);
  }

  retry(clientId: string): void {
    this.#sender.retry(clientId);
  }

  discard(clientId: string): void {
    this.#sender.discard(clientId);
  }
}

const connections = new Map<string, CareConnection>();

/** The shared connection for a host (created on first use). */
export function connectionFor(rawHost: string): CareConnection {
  const host = normalizeHost(rawHost);
  let c = connections.get(host);
  if (!c) {
    c = new CareConnection(host);
    connections.set(host, c);
  }
  return c;
}

/** Releases a holder; the last one closes and forgets the connection. */
export function releaseConnection(c: CareConnection): void {
  if (c.release()) connections.delete(c.host);
}

/**
 * Wipes every unsent post on this device, of every user and host, in storage and in this
 * page: for a host site to call from its own sign-out on a shared computer. A post already on
 * its way may still arrive.
 */
export function clearOutbox(): void {
  for (const c of connections.values()) c.outbox.clear();
  clearStoredOutbox();
}

/** For tests and diagnostics: how many connections are open. */
export function openConnections(): number {
  return connections.size;
}
