import { io, type Socket } from 'socket.io-client';
import {
  NAMESPACE,
  PROTOCOL_VERSION,
  type CareError,
  type ClientEventName,
  type ClientToServerEvents,
  type ConnectErrorData,
  type JournalEntry,
  type ServerToClientEvents,
  type WallMessage,
} from '../protocol/index.js';
import type { CareErrorDetail } from '../events.js';
import { Outbox, clearStoredOutbox, newClientId, type OutboxEntry } from './outbox.js';
import { PageStore, type Answer, type LiveEvent, type Payload } from './page-store.js';
import { normalizeHost } from './settings.js';
import { ANONYMOUS, fetchToken, type TokenInfo } from './token.js';

export type ConnectionState = 'connecting' | 'online' | 'offline' | 'unauthorized';

/** What a delivered post looks like to widgets (they fire `care-posted`). */
export interface Delivery {
  entry: OutboxEntry;
  item: JournalEntry | WallMessage;
}

const CALL_TIMEOUT_MS = 10_000;
const REFRESH_BEFORE_MS = 60_000;
/**
 * Answers that mean "try the same thing again later"; anything else is final. `unauthorized`
 * on a post means the session lapsed mid-flight: the token refresh brings it back.
 */
const TRANSIENT = new Set(['unavailable', 'rate_limited', 'unauthorized']);

const offline = (message: string): { ok: false; error: CareError } => ({ ok: false, error: { code: 'unavailable', message } });

/**
 * The one Socket.IO connection to one host, shared by every widget on the page that talks
 * to that host. Widgets hold it with `acquire()`/`release()`: it opens with the first and
 * closes with the last. It owns the visitor's token (fetched from `token-url`, refreshed
 * before it expires), the page stores, and the outbox.
 */
export class CareConnection {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly outbox: Outbox;
  state: ConnectionState = 'connecting';
  /** Why the server refused this connection for good (it speaks another protocol version), else null. */
  refusal: CareErrorDetail | null = null;
  /**
   * A misconfiguration (`code: 'config'`, the message names the setting): a `token-url` that
   * never answered a token or 401/204, or a host never reached. Widgets show it instead of
   * "offline"; a host that was online and dropped is offline, not this.
   */
  config: CareErrorDetail | null = null;
  #tokenOk = false;
  #identity: TokenInfo = ANONYMOUS;
  #tokenUrl: string | null = null;
  #tokenReady: Promise<void> | null = null;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #authRetried = false;
  /** Who the socket was last connected as (`undefined`: never connected). */
  #connectedAs: string | null | undefined;
  #holders = 0;
  readonly #stores = new Map<string, { store: PageStore; holders: number }>();
  readonly #inflight = new Set<string>();
  readonly #stateListeners = new Set<(s: ConnectionState, lead: boolean) => void>();
  readonly #deliveryListeners = new Set<(d: Delivery) => void>();

  constructor(readonly host: string) {
    this.outbox = new Outbox(host);
    this.socket = io(host + NAMESPACE, {
      autoConnect: false,
      // The transports of docs/protocol.md; the script-tag bundle leaves WebTransport out.
      transports: ['polling', 'websocket'],
      // Read at every (re)connect, so a refreshed token is used.
      auth: (cb) => cb(this.#identity.token ? { token: this.#identity.token, protocolVersion: PROTOCOL_VERSION } : { protocolVersion: PROTOCOL_VERSION }),
    });
    this.#wire();
  }

  get userId(): string | null {
    return this.#identity.userId;
  }

  get userName(): string | null {
    return this.#identity.name;
  }

  /* -------------------------------------------------------------------------- lifecycle */

  acquire(tokenUrl: string | null): void {
    this.#holders++;
    if (tokenUrl && tokenUrl !== this.#tokenUrl) {
      // All widgets of a page show one visitor, so the newest token-url wins: a widget with a
      // token-url joining an anonymous connection signs it in; a changed one switches users.
      const live = this.#holders > 1;
      this.#tokenUrl = tokenUrl;
      this.#tokenReady = this.#loadToken().then(() => {
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
    clearTimeout(this.#refreshTimer);
    clearTimeout(this.#retryTimer);
    this.socket.disconnect();
    return true;
  }

  #reconnect(): void {
    if (this.#holders === 0) return;
    this.socket.disconnect();
    this.socket.connect();
  }

  /** Fetches the visitor's token and schedules its refresh ahead of `exp`. */
  async #loadToken(): Promise<void> {
    if (!this.#tokenUrl) return;
    clearTimeout(this.#refreshTimer);
    try {
      this.#identity = await fetchToken(this.#tokenUrl);
      this.#tokenOk = true;
      // An answer, not a failure: the outbox may now drop a signed-out user's posts (outbox.ts).
      this.outbox.signedIn(this.#identity.userId);
    } catch (err) {
      this.#identity = ANONYMOUS;
      // Never worked: the setting is wrong, and signing the visitor out would hide it.
      if (!this.#tokenOk) return this.#wrongSetting((err as Error).message, 'unauthorized');
      console.warn('[care-widgets] could not fetch a token; continuing signed out.', err);
    }
    const expiresAt = this.#identity.expiresAt;
    if (expiresAt) {
      const delay = Math.max(5_000, expiresAt - Date.now() - REFRESH_BEFORE_MS);
      this.#refreshTimer = setTimeout(() => void this.#refreshToken(), delay);
    }
  }

  /** Swaps a fresh token into the live connection (or reconnects when the user changed). */
  async #refreshToken(): Promise<void> {
    const before = this.#identity.userId;
    await this.#loadToken();
    if (!this.socket.connected) return;
    if (this.#identity.token && this.#identity.userId === before) {
      const res = await this.call('session:refresh', { token: this.#identity.token });
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
      const fresh = this.#connectedAs !== undefined && this.#connectedAs !== this.#identity.userId;
      this.#connectedAs = this.#identity.userId;
      for (const { store } of this.#stores.values()) void store.sync(fresh);
      this.#flush();
    });
    s.on('disconnect', (reason) => {
      this.#setState('offline');
      // A server-side disconnect is not retried by Socket.IO itself; we do, unless closing.
      if (reason === 'io server disconnect' && this.#holders > 0) this.#retryTimer = setTimeout(() => s.connect(), 1_000);
    });
    s.on('connect_error', (err: Error & { data?: ConnectErrorData }) => {
      const code = err.data?.code;
      this.refusal = code === 'unsupported_protocol' ? { code, message: err.message } : null;
      if (code === 'unauthorized') {
        if (this.#tokenUrl && !this.#authRetried) {
          // Perhaps the token expired in flight: fetch a fresh one once, then give up.
          this.#authRetried = true;
          void this.#loadToken().then(() => s.connect());
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
      }) as never);
    for (const type of ['journal:entry', 'journal:removed', 'wall:message', 'wall:removed', 'wall:hearts', 'follow:count', 'page:updated'] as const) route(type);
    s.on('follow:request', (e) => this.#stores.get(e.pageId)?.store.receiveRequest(e));
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
    let lead = true;
    for (const fn of this.#stateListeners) fn(state, lead), (lead = false);
  }

  /** `lead`: `fn` is the first listener now, the one that speaks for the connection (see `leads`). */
  onState(fn: (s: ConnectionState, lead: boolean) => void): () => void {
    this.#stateListeners.add(fn);
    return () => this.#stateListeners.delete(fn);
  }

  /**
   * Whether `fn` is the first state listener: its widget (the first one bound) speaks for the
   * connection, so a page of several widgets shows one offline banner and `document` hears one
   * `care-connection-change` per change.
   */
  leads(fn: unknown): boolean {
    return this.#stateListeners.values().next().value === fn;
  }

  onDelivery(fn: (d: Delivery) => void): () => void {
    this.#deliveryListeners.add(fn);
    return () => this.#deliveryListeners.delete(fn);
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
      entry = { store: new PageStore(pageId, this), holders: 0 };
      this.#stores.set(pageId, entry);
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
  post(pageId: string, kind: 'journal' | 'wall', text: { title?: string; body: string }): OutboxEntry | null {
    if (!this.#identity.userId) return null;
    const entry = this.outbox.add({ clientId: newClientId(), userId: this.#identity.userId, pageId, kind, ...text });
    this.#flush();
    return entry;
  }

  retry(clientId: string): void {
    // The server stored none of the posts it refused, but one: `conflict` means it stored this
    // post, then it was deleted. Sending the text again by hand is a new post, with a new id.
    const deleted = this.outbox.pending(this.#identity.userId).some((e) => e.clientId === clientId && e.error?.code === 'conflict');
    this.outbox.update(clientId, deleted ? { clientId: newClientId(), state: 'waiting' } : { state: 'waiting' });
    this.#flush();
  }

  discard(clientId: string): void {
    this.outbox.remove(clientId);
  }

  #flush(): void {
    if (!this.socket.connected || !this.#identity.userId) return;
    for (const e of this.outbox.pending(this.#identity.userId)) {
      if (e.state !== 'failed' && !this.#inflight.has(e.clientId)) void this.#send(e);
    }
  }

  async #send(e: OutboxEntry): Promise<void> {
    this.#inflight.add(e.clientId);
    this.outbox.update(e.clientId, { state: 'sending', attempts: e.attempts + 1 });
    const res =
      e.kind === 'journal'
        ? await this.call('journal:post', { pageId: e.pageId, clientId: e.clientId, title: e.title ?? '', body: e.body })
        : await this.call('wall:post', { pageId: e.pageId, clientId: e.clientId, body: e.body });
    this.#inflight.delete(e.clientId);
    if (res.ok) {
      this.outbox.remove(e.clientId);
      const item = 'entry' in res ? res.entry : res.message;
      const store = this.#stores.get(e.pageId)?.store;
      if ('entry' in res) store?.acknowledged('journal', res.entry);
      else store?.acknowledged('wall', res.message);
      for (const fn of this.#deliveryListeners) fn({ entry: e, item });
      return;
    }
    if (TRANSIENT.has(res.error.code)) {
      this.outbox.update(e.clientId, { state: 'waiting' });
      const delay = Math.min(30_000, 1_000 * 2 ** Math.min(e.attempts, 5));
      setTimeout(() => this.#flush(), delay);
    } else {
      this.outbox.update(e.clientId, { state: 'failed', error: res.error });
    }
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
