import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { todayIn, type ClientEventName, type Feature, type Result, type Stream, type TaskDraft, type TaskRepeat, type UploadedMedia } from '../protocol/index.js';
import { connectionFor, releaseConnection, type CareConnection, type ConnectionState, type Delivery } from './connection.js';
import { CarePageWatcher } from './care-page-settings.js';
import { inviteState, readInvite, type InviteState } from './invite.js';
import { fetchIcs } from './ics.js';
import { uploadMedia } from './media-upload.js';
import type { OutboxEntry, OutboxKind } from './outbox.js';
import type { PostText } from './outbox-sender.js';
import type { PageState } from './page-state.js';
import type { Answer, Payload, PageStore } from './page-store.js';
import { resolveSettings } from './settings.js';
import type { NotifyChange, NotifyState } from './notify-store.js';
import type { SettingsState } from './settings-store.js';

/** What a widget element exposes to its controller. */
export interface CareWidgetHost extends ReactiveControllerHost, HTMLElement {
  page: string;
  host: string;
  tokenUrl: string;
  /** `lazy`: bind only once the host comes near the viewport (see `PageController`). */
  loading?: string;
}

type PageCall = Exclude<ClientEventName, 'page:subscribe' | 'page:unsubscribe' | 'session:refresh'>;
const UNBOUND = { ok: false, error: { code: 'unavailable', message: 'Not connected to the server.' } } as const;
const NO_SETTINGS: SettingsState = { status: 'idle', view: null, error: null };
const NO_NOTIFY: NotifyState = { status: 'idle', prefs: null, error: null, saving: 0, failed: null };

const IDLE: PageState = {
  status: 'loading',
  page: null,
  viewer: null,
  journal: [],
  wall: [],
  journalHasMore: false,
  wallHasMore: false,
  commentsHasMore: new Set(),
  requests: [],
  tasks: [],
  tasksHasMore: false,
  cancelled: [],
  followerCount: 0,
  error: null,
  seq: 0,
};

/** `care-error` for a widget without a page id (own attribute or `<care-page>`). */
const NO_PAGE = { code: 'config', message: 'page attribute missing' } as const;

/** How near the viewport a lazy widget must come before it connects. */
const LAZY_MARGIN = '600px';

/**
 * Binds one widget to its page: resolves settings (attribute → `<care-page>` → configure() →
 * script tag), holds the shared connection and the page's store while the widget is in the
 * document, re-renders the widget when either changes, and fires `care-connection-change`.
 *
 * A lazy host (`loading="lazy"`, its own or, without the attribute, its `<care-page>`'s) is
 * not bound (no socket, no token request, no subscribe) until an IntersectionObserver sees
 * it within 600px of the viewport; from then on it is bound like an eager one.
 */
export class PageController implements ReactiveController {
  #connection: CareConnection | null = null;
  #store: PageStore | null = null;
  #key = '';
  #unlisten: (() => void)[] = [];
  /** Watches a lazy host until it first comes near the viewport. */
  #observer: IntersectionObserver | null = null;
  /** The host came near the viewport (or was bound): `loading` no longer holds it back. */
  #near = false;
  /** This host's connection state listener (see `leads`). */
  #onState: unknown = null;
  /** The connection refusal or misconfiguration this host already reported as `care-error`. */
  #told: unknown = null;
  /** Ends this host's watch of the page settings (`wantSettings`). */
  #settingsOff: (() => void) | null = null;
  /** Ends this host's watch of the viewer's notification choices (`wantNotify`). */
  #notifyOff: (() => void) | null = null;
  /** Whether this host shows the page's invitation notice (invite.ts). */
  #invite: { leads: () => boolean; off: () => void } | null = null;
  /** The invitation refusal this host already reported as `care-error`. */
  #inviteTold: unknown = null;
  /** Settings inherited from the nearest `<care-page>`; a change there re-binds the widget. */
  readonly #carePage = new CarePageWatcher(() => this.host.requestUpdate());

  constructor(
    private readonly host: CareWidgetHost,
    private readonly onDelivery?: (d: Delivery) => void,
  ) {
    host.addController(this);
  }

  /**
   * Whether the widget is bound to its connection and page (false while a lazy widget waits
   * for the viewport, or without a page). Changes identity with each binding: a widget keeps
   * per-binding state by comparing `binding` (an opaque token) from one update to the next.
   */
  get binding(): object | null {
    return this.#store;
  }

  /** The signed-in visitor of this widget's connection (`null` fields: signed out). */
  get user(): { id: string | null; name: string | null } {
    const c = this.#connection;
    return { id: c?.userId ?? null, name: c?.userName ?? null };
  }

  /** Why nothing can load: a wrong setting (`config`) or a server of another protocol version (`version`). */
  get problem(): 'config' | 'version' | null {
    const c = this.#connection;
    if (!this.pageId || c?.config) return 'config';
    return c?.state === 'unauthorized' && c.refusal ? 'version' : null;
  }

  /** A call about this widget's page (no `pageId` needed); unbound, it answers `unavailable`. */
  call<E extends PageCall>(event: E, payload: Omit<Payload<E>, 'pageId'>): Promise<Answer<E>> {
    return this.#store ? this.#store.call(event, payload) : Promise.resolve(UNBOUND as Answer<E>);
  }

  /** Hearts a wall message (queued while offline: see PageStore.heart). */
  heart(messageId: string, on: boolean): Promise<Answer<'wall:heart'>> {
    return this.#store ? this.#store.heart(messageId, on) : Promise.resolve(UNBOUND as Answer<'wall:heart'>);
  }

  /** The next older page of a stream, merged into the state. */
  loadOlder(stream: Exclude<Stream, 'comments'>, limit?: number): Promise<Answer<'history:load'>> {
    return this.#store ? this.#store.loadOlder(stream, limit) : Promise.resolve(UNBOUND as Answer<'history:load'>);
  }

  /** An entry's older comments (`all`: every one), merged into the entry (see PageStore.loadComments). */
  loadComments(entryId: string, opts?: { all?: boolean; limit?: number }): Promise<Answer<'history:load'>> {
    return this.#store ? this.#store.loadComments(entryId, opts) : Promise.resolve(UNBOUND as Answer<'history:load'>);
  }

  /**
   * Hearts a journal entry (or takes the heart back) through the outbox: sent now if online,
   * else after reconnecting; the last click per entry wins. `null` when nobody is signed in.
   */
  heartEntry(entryId: string, on: boolean): OutboxEntry | null {
    return this.#connection?.heartEntry(this.pageId, entryId, on) ?? null;
  }

  /* ------------------------------------------------------------- planner (SPEC 6.4) */

  /**
   * "I'll do it" (`on`) or "I can't any more" for a task, through the outbox: sent now if
   * online, else after reconnecting; the last click per task wins; the server takes it once.
   * `pending('signup')` shows it until the server answered. `null` when nobody is signed in.
   */
  signup(taskId: string, on: boolean): OutboxEntry | null {
    return this.#connection?.signup(this.pageId, taskId, on) ?? null;
  }

  /**
   * Adds a task (with `repeat`, one per occurrence). The caller keeps `clientId` for the task
   * it means until the server answers: a retry with it after a dropped connection answers the
   * task(s) already created instead of creating them twice.
   */
  createTask(clientId: string, task: TaskDraft, repeat?: TaskRepeat): Promise<Answer<'task:create'>> {
    return this.call('task:create', repeat ? { clientId, task, repeat } : { clientId, task });
  }

  /** Changes one task (one occurrence of a series); `start: null` makes it an any-time task. */
  updateTask(taskId: string, fields: Omit<Payload<'task:update'>, 'pageId' | 'taskId'>): Promise<Answer<'task:update'>> {
    return this.call('task:update', { taskId, ...fields });
  }

  /** Cancels one task, with the family's note to its volunteers. */
  cancelTask(taskId: string, note?: string): Promise<Answer<'task:cancel'>> {
    return this.call('task:cancel', note ? { taskId, note } : { taskId });
  }

  /** A task's calendar file, fetched with the visitor's token (ics.ts). */
  taskCalendar(taskId: string): Promise<Result<{ blob: Blob; filename: string }>> {
    const c = this.#connection;
    if (!c) return Promise.resolve(UNBOUND);
    return fetchIcs({ host: c.host, pageId: this.pageId, taskId, token: c.token });
  }

  /** The hospital's today (`YYYY-MM-DD` in the page's time zone; the browser's own without one). */
  today(now = Date.now()): string {
    const page = this.state.page;
    const zone = page && 'timeZone' in page && page.timeZone ? page.timeZone : Intl.DateTimeFormat().resolvedOptions().timeZone;
    try {
      return todayIn(zone, now);
    } catch {
      return todayIn('UTC', now);
    }
  }

  /** Subscribes again from a fresh snapshot (the "Retry" of a failed load). */
  reload(): void {
    void this.#store?.sync(true);
  }

  /**
   * Queues a post of the signed-in visitor in the outbox (a `comment` names its `entryId`);
   * `null` when nobody is signed in.
   */
  post(kind: 'journal' | 'wall' | 'comment', text: PostText): OutboxEntry | null {
    return this.#connection?.post(this.pageId, kind, text) ?? null;
  }

  /**
   * Uploads one photo for a journal post of this page (feature `media`), as the signed-in
   * visitor, reporting progress; the answer's id goes into the post's `media`.
   */
  upload(file: Blob, onProgress?: (fraction: number) => void, signal?: AbortSignal): Promise<Result<{ media: UploadedMedia }>> {
    const c = this.#connection;
    if (!c) return Promise.resolve(UNBOUND);
    return uploadMedia({ host: c.host, pageId: this.pageId, token: c.token, file, onProgress, signal });
  }

  /**
   * A photo URL as the browser must load it: the server may send root-relative URLs
   * (`/media/…`, when it does not know its public address), which belong to the backend, not
   * to the page the widget is on.
   */
  mediaUrl(url: string): string {
    const c = this.#connection;
    if (!c || /^[a-z][a-z0-9+.-]*:/i.test(url)) return url;
    try {
      return new URL(url, `${c.host}/`).href;
    } catch {
      return url;
    }
  }

  /** Fresh signed URLs for an entry's photos once theirs expired (see PageStore.refreshMedia). */
  refreshMedia(entryId: string): void {
    this.#store?.refreshMedia(entryId);
  }

  /** Sends a refused post again (see OutboxSender.retry). */
  retry(clientId: string): void {
    this.#connection?.retry(clientId);
  }

  /** Drops an unsent post. */
  discard(clientId: string): void {
    this.#connection?.discard(clientId);
  }

  get state(): PageState {
    return this.#store?.state ?? IDLE;
  }

  /**
   * Whether the backend supports a second-wave feature for this page (SPEC 6), from the page
   * (or the teaser of a page the viewer may not read): a first-wave backend names none.
   */
  has(feature: Feature): boolean {
    return this.state.page?.features?.includes(feature) === true;
  }

  /**
   * Shows the page's settings (`true`) or stops (`false`): call it from `willUpdate` with
   * whether the viewer may see them. While wanted, `settings` follows the server live.
   */
  wantSettings(on: boolean): void {
    if (on && !this.#settingsOff && this.#store) this.#settingsOff = this.#store.settings.watch();
    else if (!on && this.#settingsOff) {
      this.#settingsOff();
      this.#settingsOff = null;
    }
  }

  /** The page's settings view (see `wantSettings`). */
  get settings(): SettingsState {
    return this.#settingsOff && this.#store ? this.#store.settings.state : NO_SETTINGS;
  }

  /** Asks for the settings again (after our own change; the server's signal may come later). */
  refreshSettings(): void {
    void this.#store?.settings.refresh();
  }

  /**
   * Shows the viewer's notification choices (`true`) or stops (`false`): call it from
   * `willUpdate` with whether they are shown. While wanted, `notify` holds them.
   */
  wantNotify(on: boolean): void {
    if (on && !this.#notifyOff && this.#store) this.#notifyOff = this.#store.notify.watch();
    else if (!on && this.#notifyOff) {
      this.#notifyOff();
      this.#notifyOff = null;
    }
  }

  /** The viewer's notification choices for the page (see `wantNotify`). */
  get notify(): NotifyState {
    return this.#notifyOff && this.#store ? this.#store.notify.state : NO_NOTIFY;
  }

  /** Changes the choices (shown at once, saved at once); unbound, it answers `unavailable`. */
  setNotify(change: NotifyChange): Promise<Answer<'notify:set'>> {
    return this.#store ? this.#store.notify.set(change) : Promise.resolve(UNBOUND as Answer<'notify:set'>);
  }

  /** Registers (`subscription`) or forgets (`endpoint`) this browser for Web Push. */
  pushSubscription(change: { subscription: Payload<'push:subscribe'>['subscription'] } | { endpoint: string }): Promise<Answer<'push:subscribe'> | Answer<'push:unsubscribe'>> {
    if (!this.#store) return Promise.resolve(UNBOUND);
    return 'subscription' in change ? this.#store.notify.subscribePush(change.subscription) : this.#store.notify.unsubscribePush(change.endpoint);
  }

  /**
   * The address bar's invitation for this page (invite.ts), shown by one widget of the page:
   * `null` for the others, and when there is nothing to say.
   */
  get invite(): InviteState | null {
    return this.#store && this.#invite?.leads() ? inviteState(this.#store) : null;
  }

  get connectionState(): ConnectionState {
    return this.#connection?.state ?? 'connecting';
  }

  /** The signed-in user's unsent posts (comments, hearts) of one kind on this page. */
  pending(kind: OutboxKind): OutboxEntry[] {
    const c = this.#connection;
    return c ? c.outbox.pending(c.userId, this.pageId, kind) : [];
  }

  /**
   * Whether this widget is the first one bound to its connection: it shows the full offline
   * banner and fires `care-connection-change`; the others show a short "Offline".
   */
  get leads(): boolean {
    return this.#connection?.leads(this.#onState) ?? true;
  }

  get pageId(): string {
    return this.host.page || this.#carePage.settings?.page || '';
  }

  hostConnected(): void {
    this.#carePage.connect(this.host);
    this.#bind();
  }

  hostDisconnected(): void {
    this.#carePage.disconnect();
    this.#unwatch();
    this.#unbind();
  }

  /**
   * Re-binds when page, host or token URL changed; cheap when nothing did. A missing page is
   * reported here, at the first update, not at connect: a framework may set `page` just after.
   */
  hostUpdate(): void {
    this.#bind();
    if (!this.pageId && this.#told !== NO_PAGE) {
      console.error(`[care-widgets] <${this.host.localName}> ${NO_PAGE.message}`);
      this.#fire('care-error', (this.#told = NO_PAGE));
    }
  }

  #fire(type: string, detail: unknown): void {
    this.host.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  /** A `loading` set as a property is reflected to the attribute only now: look again. */
  hostUpdated(): void {
    if (!this.#near) this.#bind();
  }

  /** Whether the host must wait for the viewport; starts watching for it if so. */
  #waiting(): boolean {
    const h = this.host;
    if (this.#near || (h.loading !== 'lazy' && (h.hasAttribute('loading') || this.#carePage.settings?.loading !== 'lazy'))) {
      this.#unwatch();
      return false;
    }
    if (!this.#observer) {
      this.#observer = new IntersectionObserver(
        (entries) => {
          if (!entries.some((e) => e.isIntersecting)) return;
          this.#near = true;
          this.#unwatch();
          h.requestUpdate();
        },
        { rootMargin: LAZY_MARGIN },
      );
      this.#observer.observe(h);
    }
    return true;
  }

  #unwatch(): void {
    this.#observer?.disconnect();
    this.#observer = null;
  }

  #bind(): void {
    if (!this.host.isConnected || this.#waiting()) return;
    const pageId = this.pageId;
    const { host, tokenUrl } = resolveSettings({ host: this.host.host, tokenUrl: this.host.tokenUrl }, this.#carePage.settings);
    const key = pageId ? `${host}\n${pageId}\n${tokenUrl ?? ''}` : '';
    if (key === this.#key) return;
    this.#unbind();
    this.#key = key;
    if (!pageId) return;
    this.#near = true;
    const c = connectionFor(host);
    c.acquire(tokenUrl);
    this.#connection = c;
    this.#store = c.store(pageId);
    const update = () => this.host.requestUpdate();
    // A misconfiguration, or a server speaking another protocol version refused the
    // connection: tell the page once.
    const refused = () => {
      const r = c.config ?? (c.state === 'unauthorized' ? c.refusal : null);
      if (r && r !== this.#told) this.#fire('care-error', (this.#told = r));
    };
    this.#unlisten = [
      this.#store.listen(update),
      c.outbox.listen(update),
      // The event describes the shared connection, so only its leading widget fires it
      // (bubbling and composed, SPEC section 2): a `document` listener hears each change once
      // per connection, not once per widget (issue 11). When the leader leaves, the next
      // widget bound to the connection leads.
      c.onState(
        (this.#onState = (state: ConnectionState) => {
          if (c.leads(this.#onState)) this.#fire('care-connection-change', { state });
          refused();
          update();
        }),
      ),
    ];
    const store = this.#store;
    const invite = (this.#invite = readInvite(store, this, () => {
      // The widget that shows the notice also tells the page, once per refusal.
      const i = this.invite;
      if (i?.status === 'failed' && i.error !== this.#inviteTold) this.#fire('care-error', (this.#inviteTold = i.error));
      update();
    }));
    this.#unlisten.push(store.settings.listen(update), store.notify.listen(update), invite.off);
    const onDelivery = this.onDelivery;
    if (onDelivery) this.#unlisten.push(c.onDelivery((d) => d.entry.pageId === pageId && onDelivery(d)));
    refused();
    update();
  }

  #unbind(): void {
    this.wantSettings(false);
    this.wantNotify(false);
    this.#invite = null;
    for (const off of this.#unlisten) off();
    this.#unlisten = [];
    if (this.#connection && this.#store) {
      this.#connection.releaseStore(this.#store.pageId);
      releaseConnection(this.#connection);
    }
    this.#connection = null;
    this.#store = null;
    this.#key = '';
  }
}
