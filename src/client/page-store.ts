import type {
  ClientEventName,
  ClientToServerEvents,
  FollowRequest,
  FollowRequestEvent,
  JournalEntry,
  PageEvent,
  PageInfo,
  PageTeaser,
  Result,
  ServerToClientEvents,
  Stream,
  SubscribeAnswer,
  Task,
  Viewer,
  WallMessage,
} from '../protocol/index.js';
import type { PageState, PageStatus } from './page-state.js';
import { backoff } from './backoff.js';
import { Listeners } from './listeners.js';
import { NotifyStore } from './notify-store.js';
import { SettingsStore } from './settings-store.js';
import { SortedItems } from './sorted-map.js';
import { mergeEntry, moreThanLoaded, withComment, withHearts, withOlderComments, withoutComment } from './journal-social.js';
import { TaskList } from './tasks.js';
import type { Acknowledged } from './outbox-sender.js';

export type Payload<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[0];
export type Answer<E extends ClientEventName> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];

/** What a store needs from its connection. */
export interface StoreTransport {
  call<E extends ClientEventName>(event: E, payload: Payload<E>): Promise<Answer<E>>;
  readonly userId: string | null;
}

/** A live page event as it arrives, before ordering. */
export type LiveEvent = { [K in PageEvent['type']]: { type: K; data: Parameters<ServerToClientEvents[K]>[0] } }[PageEvent['type']];

/** How long a hole in `seq` may stay open before the store asks the server for what is missing. */
const GAP_WAIT_MS = 300;

/** An entry's photo URLs are asked for again at most this often (a refusal must not loop). */
const MEDIA_REFRESH_MS = 30_000;

/**
 * One page's state, shared by every widget that shows the page. It applies live events
 * strictly in `seq` order: duplicates (seq already applied) are dropped, early events wait in
 * a buffer, and a hole that does not fill within GAP_WAIT_MS triggers a resubscribe with
 * `since`, so the server sends what was missed. A catch-up answer is taken as a whole: its
 * events (one per changed item, at increasing but not necessarily contiguous seqs) bring the
 * page to the answer's `seq`.
 */
export class PageStore {
  #status: PageStatus = 'loading';
  #page: PageInfo | PageTeaser | null = null;
  #viewer: Viewer | null = null;
  #seq = 0;
  readonly #journal = new SortedItems<JournalEntry>();
  readonly #wall = new SortedItems<WallMessage>();
  readonly #requests = new Map<string, FollowRequest>();
  /** Feature `planner` (tasks.ts). */
  readonly #tasks = new TaskList();
  #journalHasMore = false;
  #wallHasMore = false;
  /** Entries with comments older than the ones loaded (journal-social.ts). */
  readonly #commentsHasMore = new Set<string>();
  #followerCount = 0;
  #error: PageState['error'] = null;
  /** Hearts clicked offline: the last intent per message and who clicked, sent on reconnect (in memory only). */
  readonly #hearts = new Map<string, [on: boolean, userId: string | null]>();
  /** When each entry's photo URLs were last asked for (`media:urls`). */
  readonly #mediaAsked = new Map<string, number>();

  #syncing = false;
  #syncAgain: 'since' | 'fresh' | null = null;
  #buffer: LiveEvent[] = [];
  #gapTimer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retries = 0;
  readonly #listeners = new Listeners();
  #cached: PageState | null = null;
  #notifyQueued = false;
  #closed = false;
  #settings: SettingsStore | null = null;
  #notify: NotifyStore | null = null;

  constructor(
    readonly pageId: string,
    private readonly transport: StoreTransport,
  ) {}

  /* ------------------------------------------------------------------------ observation */

  get state(): PageState {
    this.#cached ??= {
      status: this.#status,
      page: this.#page,
      viewer: this.#viewer,
      journal: this.#journal.list(),
      wall: this.#wall.list(),
      journalHasMore: this.#journalHasMore,
      wallHasMore: this.#wallHasMore,
      commentsHasMore: new Set(this.#commentsHasMore),
      requests: [...this.#requests.values()],
      tasks: this.#tasks.list(),
      tasksHasMore: this.#tasks.hasMore,
      cancelled: this.#tasks.cancelled,
      followerCount: this.#followerCount,
      error: this.#error,
      seq: this.#seq,
    };
    return this.#cached;
  }

  listen(fn: () => void): () => void {
    return this.#listeners.add(fn);
  }

  /** The page's settings view (SPEC 6.1), made on first use; fetched only while watched. */
  get settings(): SettingsStore {
    return (this.#settings ??= new SettingsStore(this.pageId, this.transport));
  }

  /** The viewer's notification choices for the page (SPEC 6.2), made on first use; fetched only while watched. */
  get notify(): NotifyStore {
    return (this.#notify ??= new NotifyStore(this.pageId, this.transport));
  }

  /** Asks again for what the widgets show besides the page (a reconnect, another user). */
  refreshExtras(): void {
    void this.#settings?.refresh();
    void this.#notify?.refresh();
  }

  /** Batches notifications: a burst of events re-renders widgets once. */
  #changed(): void {
    this.#cached = null;
    if (this.#notifyQueued) return;
    this.#notifyQueued = true;
    queueMicrotask(() => {
      this.#notifyQueued = false;
      this.#listeners.emit();
    });
  }

  /* ----------------------------------------------------------------------- subscription */

  /**
   * Subscribes (or resubscribes). With `fresh`, asks for a snapshot; otherwise, once the
   * page was read, asks for what changed since the last applied `seq`.
   */
  async sync(fresh = false): Promise<void> {
    if (this.#closed) return;
    if (this.#syncing) {
      this.#syncAgain = fresh || this.#syncAgain === 'fresh' ? 'fresh' : 'since';
      return;
    }
    this.#syncing = true;
    clearTimeout(this.#gapTimer);
    clearTimeout(this.#retryTimer);
    const since = !fresh && this.#status === 'ready' ? this.#seq : undefined;
    const res = await this.transport.call('page:subscribe', since === undefined ? { pageId: this.pageId } : { pageId: this.pageId, since });
    this.#syncing = false;
    if (this.#closed) return;
    if (res.ok) {
      this.#retries = 0;
      this.#applyAnswer(res);
      for (const [id, [on, user]] of this.#hearts) {
        this.#hearts.delete(id);
        if (user === this.transport.userId) void this.heart(id, on);
      }
    } else {
      this.#error = res.error;
      if (res.error.code === 'not_found') this.#status = 'not_found';
      else if (this.#status !== 'ready') this.#status = 'error';
      // Transient refusals are retried with backoff; the widget shows the state meanwhile.
      if (['unavailable', 'rate_limited'].includes(res.error.code)) this.#scheduleRetry();
      this.#changed();
    }
    const again = this.#syncAgain;
    this.#syncAgain = null;
    if (again) void this.sync(again === 'fresh');
  }

  #scheduleRetry(): void {
    const delay = backoff(this.#retries++);
    this.#retryTimer = setTimeout(() => void this.sync(), delay);
  }

  #applyAnswer(res: SubscribeAnswer): void {
    this.#viewer = res.viewer;
    this.#error = null;
    if (res.access === 'none') {
      this.#status = 'locked';
      this.#page = res.page;
      this.#followerCount = res.page.followerCount;
      this.#clearContent();
      this.#buffer = [];
      this.#changed();
      return;
    }
    this.#page = res.page;
    this.#followerCount = res.page.followerCount;
    if (res.snapshot) {
      this.#clearContent();
      const s = res.snapshot;
      for (const e of s.journal) this.#setEntry(e);
      for (const m of s.wall) this.#wall.set(m);
      for (const r of s.requests ?? []) this.#requests.set(r.userId, r);
      for (const t of s.tasks ?? []) this.#tasks.set(t);
      this.#tasks.hasMore = s.tasksHasMore === true;
      this.#journalHasMore = s.journalHasMore;
      this.#wallHasMore = s.wallHasMore;
      this.#seq = res.seq;
    } else {
      // The server coalesces a catch-up (each item once, at its last change's seq), so the
      // events may skip seqs: no gap check here; the answer's `seq` says where they lead.
      // An older server's one event per seq is applied the same way.
      for (const e of res.events ?? []) if (e.data.seq > this.#seq) this.#apply(e as LiveEvent);
      this.#seq = Math.max(this.#seq, res.seq);
    }
    this.#status = 'ready';
    this.#drain();
    this.#changed();
  }

  #clearContent(): void {
    this.#journal.clear();
    this.#commentsHasMore.clear();
    this.#wall.clear();
    this.#requests.clear();
    this.#tasks.clear();
    this.#journalHasMore = false;
    this.#wallHasMore = false;
    this.#seq = 0;
  }

  /* ------------------------------------------------------------------------ live events */

  receive(event: LiveEvent): void {
    if (this.#closed) return;
    const seq = event.data.seq;
    if (seq === undefined) {
      // Unsequenced: the public follower count sent to viewers who may not read.
      if (event.type === 'follow:count') {
        this.#followerCount = event.data.followerCount;
        this.#changed();
      }
      return;
    }
    if (this.#syncing || this.#status !== 'ready') {
      if (this.#syncing) this.#buffer.push(event);
      return;
    }
    if (seq <= this.#seq) return;
    this.#buffer.push(event);
    this.#drain();
  }

  /** Applies buffered events that continue the sequence; waits briefly for a hole to fill. */
  #drain(): void {
    this.#buffer.sort((a, b) => a.data.seq! - b.data.seq!);
    let applied = false;
    while (this.#buffer.length > 0) {
      const next = this.#buffer[0]!;
      const seq = next.data.seq!;
      if (seq <= this.#seq) {
        this.#buffer.shift();
        continue;
      }
      if (seq !== this.#seq + 1) break;
      this.#buffer.shift();
      this.#apply(next);
      applied = true;
    }
    clearTimeout(this.#gapTimer);
    if (this.#buffer.length > 0) this.#gapTimer = setTimeout(() => void this.sync(), GAP_WAIT_MS);
    if (applied) this.#changed();
  }

  #apply(event: LiveEvent): void {
    switch (event.type) {
      case 'journal:entry':
        this.#setEntry(event.data.entry);
        break;
      case 'journal:removed':
        this.#journal.delete(event.data.entryId);
        this.#commentsHasMore.delete(event.data.entryId);
        break;
      case 'journal:hearts': {
        const d = event.data;
        this.#patchEntry(d.entryId, (e) => withHearts(e, d.hearts, d.userId === this.transport.userId ? d.on : undefined));
        break;
      }
      case 'journal:comment': {
        const d = event.data;
        // The server's count for this receiver, where it sends one (journal-social.ts).
        const count = d.commentCount;
        this.#patchEntry(d.entryId, (e) => withComment(e, d.comment, this.#commentsHasMore.has(e.id), count));
        break;
      }
      case 'journal:comment-removed': {
        const d = event.data;
        const count = d.commentCount;
        this.#patchEntry(d.entryId, (e) => withoutComment(e, d.commentId, count));
        break;
      }
      case 'wall:message': {
        const m = event.data.message;
        const prev = this.#wall.get(m.id);
        this.#wall.set({ ...m, hearted: m.hearted ?? prev?.hearted ?? false });
        break;
      }
      case 'wall:removed':
        this.#wall.delete(event.data.messageId);
        break;
      case 'wall:hearts': {
        const m = this.#wall.get(event.data.messageId);
        if (m) this.#wall.set({ ...m, hearts: event.data.hearts, hearted: event.data.userId === this.transport.userId ? event.data.on : m.hearted });
        break;
      }
      case 'task:changed':
        this.#tasks.set(event.data.task);
        break;
      case 'task:removed':
        this.#tasks.cancel(event.data.seq, event.data.taskId, event.data.note);
        break;
      case 'follow:count':
        this.#followerCount = event.data.followerCount;
        break;
      case 'page:updated':
        if (event.data.page) this.#page = event.data.page;
        break;
    }
    this.#seq = event.data.seq ?? this.#seq;
  }

  /** An entry as it arrives (snapshot, event, history), merged with what we hold of its hearts and comments. */
  #setEntry(next: JournalEntry): void {
    const prev = this.#journal.get(next.id);
    const e = mergeEntry(prev, next);
    if (!prev && moreThanLoaded(e)) this.#commentsHasMore.add(e.id);
    this.#journal.set(e);
  }

  #patchEntry(entryId: string, patch: (e: JournalEntry) => JournalEntry): void {
    const e = this.#journal.get(entryId);
    if (e) this.#journal.set(patch(e));
  }

  /** A follow request, or the owner's decision on one (unsequenced, deciders only). */
  receiveRequest(e: FollowRequestEvent): void {
    if (e.state === 'requested') this.#requests.set(e.request.userId, e.request);
    else this.#requests.delete(e.request.userId);
    this.#changed();
  }

  /* --------------------------------------------------------------------------- actions */

  /** Puts an acknowledged item of ours in place at once; its live event may come later. */
  acknowledged(ack: Acknowledged): void {
    if (this.#status !== 'ready') return;
    switch (ack.kind) {
      case 'journal':
        this.#setEntry(ack.value);
        break;
      case 'wall':
        this.#wall.set({ ...ack.value, hearted: this.#wall.get(ack.value.id)?.hearted ?? false });
        break;
      case 'comment': {
        const c = ack.value;
        this.#patchEntry(c.entryId, (e) => withComment(e, c, this.#commentsHasMore.has(e.id)));
        break;
      }
      case 'heart': {
        const h = ack.value;
        this.#patchEntry(h.entryId, (e) => withHearts(e, h.hearts, h.on));
        break;
      }
      case 'signup':
        this.#tasks.merge(ack.value, this.transport.userId);
        break;
    }
    this.#changed();
  }

  /**
   * Loads an entry's older comments (feature `journal-social`), `limit` at a time, under the
   * ones held; `all` keeps going until none remain (the "Show all N comments" of the feed).
   */
  async loadComments(entryId: string, { all = false, limit = 100 } = {}): Promise<Answer<'history:load'>> {
    for (;;) {
      const e = this.#journal.get(entryId);
      const before = e?.comments?.[0]?.seq ?? this.#seq + 1;
      const res = await this.transport.call('history:load', { pageId: this.pageId, stream: 'comments', entryId, before, limit });
      if (!res.ok || res.stream !== 'comments') return res;
      this.#patchEntry(entryId, (x) => withOlderComments(x, res.items));
      if (res.hasMore && res.items.length > 0) this.#commentsHasMore.add(entryId);
      else this.#commentsHasMore.delete(entryId);
      this.#changed();
      if (!all || !this.#commentsHasMore.has(entryId)) return res;
    }
  }

  /**
   * Loads the next older page of a stream. Tasks page by creation `seq` from the newest down
   * (the snapshot's are by date, so its seqs are no cursor): each page is merged by id.
   */
  async loadOlder(stream: Exclude<Stream, 'comments'>, limit = 20): Promise<Answer<'history:load'>> {
    const items = stream === 'journal' ? this.#journal : this.#wall;
    const before = (stream === 'tasks' ? this.#tasks.cursor : items.oldestSeq()) ?? this.#seq + 1;
    const res = await this.transport.call('history:load', { pageId: this.pageId, stream, before, limit });
    if (res.ok) {
      if (res.stream === 'tasks') {
        for (const t of res.items) this.#tasks.merge(t);
        this.#tasks.cursor = res.items.reduce((min, t) => Math.min(min, t.seq), before);
        this.#tasks.hasMore = res.hasMore && res.items.length > 0;
      } else if (res.stream === 'journal') {
        for (const e of res.items) this.#setEntry(e);
        this.#journalHasMore = res.hasMore;
      } else if (res.stream === 'wall') {
        for (const m of res.items) this.#wall.set(m);
        this.#wallHasMore = res.hasMore;
      }
      this.#changed();
    }
    return res;
  }

  /**
   * Hearts a message (or takes the heart back). Offline, the intent waits here, shown at once,
   * and goes out when the page is read again after reconnecting; the last click wins.
   */
  async heart(messageId: string, on: boolean): Promise<Answer<'wall:heart'>> {
    const res = await this.call('wall:heart', { messageId, on });
    const m = this.#wall.get(messageId);
    if (!res.ok && res.error.code === 'unavailable' && m) {
      this.#hearts.set(messageId, [on, this.transport.userId]);
      if (m.hearted !== on) this.#wall.set({ ...m, hearted: on, hearts: m.hearts + (on ? 1 : -1) });
      this.#changed();
      return { ok: true, hearts: m.hearts, on };
    }
    return res;
  }

  /**
   * Asks for fresh signed URLs of an entry's photos (feature `media`) and puts them in place:
   * called when a photo failed to load, which is how an expired URL shows (the server, not
   * this device's clock, decides). At most once per entry every MEDIA_REFRESH_MS, so a
   * refusal (the viewer lost access, the entry is gone) is not asked again and again.
   */
  refreshMedia(entryId: string): void {
    const now = Date.now();
    if (this.#status !== 'ready' || now - (this.#mediaAsked.get(entryId) ?? -Infinity) < MEDIA_REFRESH_MS) return;
    this.#mediaAsked.set(entryId, now);
    void this.transport.call('media:urls', { pageId: this.pageId, entryId }).then((res) => {
      const e = this.#journal.get(entryId);
      if (!res.ok || !e || this.#closed) return;
      this.#journal.set({ ...e, media: res.media });
      this.#changed();
    });
  }

  /** Calls the server on this page; applies the answer where it changes local state at once. */
  async call<E extends Exclude<ClientEventName, 'page:subscribe' | 'page:unsubscribe' | 'session:refresh'>>(event: E, payload: Omit<Payload<E>, 'pageId'>): Promise<Answer<E>> {
    const answer = await this.transport.call(event, { ...payload, pageId: this.pageId } as Payload<E>);
    // A generic event does not narrow its answer; the two cases below know their shapes.
    const res = answer as Result;
    if (res.ok && event === 'wall:heart') {
      const r = res as unknown as { hearts: number; on: boolean };
      const id = (payload as unknown as { messageId: string }).messageId;
      const m = this.#wall.get(id);
      if (m) this.#wall.set({ ...m, hearts: r.hearts, hearted: r.on });
      this.#changed();
    }
    if (res.ok && (event === 'task:create' || event === 'task:update')) {
      // Ours at once; the live event may come later (or, for a task created, have come first).
      const r = res as unknown as { task: Task; tasks?: Task[] };
      for (const t of r.tasks ?? [r.task]) this.#tasks.merge(t);
      this.#changed();
    }
    if (res.ok && event === 'task:cancel') {
      this.#tasks.delete((payload as unknown as { taskId: string }).taskId);
      this.#changed();
    }
    if (res.ok && event === 'follow:set' && this.#viewer) {
      const r = res as unknown as { state: Viewer['follow']; followerCount: number };
      this.#viewer = { ...this.#viewer, follow: r.state };
      this.#followerCount = r.followerCount;
      this.#changed();
      // The viewer's role and rights may have changed with it: refresh them from the server.
      void this.sync();
    }
    return answer;
  }

  close(): void {
    this.#closed = true;
    this.#settings?.close();
    this.#notify?.close();
    clearTimeout(this.#gapTimer);
    clearTimeout(this.#retryTimer);
    this.#listeners.clear();
  }
}
