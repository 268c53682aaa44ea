import type { CareError, NotifyPrefs, NotifySetPayload, PushSubscriptionData } from '../protocol/index.js';
import { Listeners } from './listeners.js';
import type { Answer, StoreTransport } from './page-store.js';

/** A change to the viewer's choices for one page (`notify:set` without the page id). */
export type NotifyChange = Omit<NotifySetPayload, 'pageId'>;

/**
 * - `idle`: nobody shows the choices (nothing fetched, nothing kept).
 * - `loading`: the first `notify:get` is on its way.
 * - `ready`: `prefs` holds the choices (what was last chosen here, until the server answers).
 * - `error`: the last `notify:get` was refused (`error`).
 * `saving` counts the changes the server has not answered yet; `failed` is the last change it
 * refused (or that could not reach it), until the next change.
 */
export interface NotifyState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  prefs: NotifyPrefs | null;
  error: CareError | null;
  saving: number;
  failed: CareError | null;
}

const IDLE: NotifyState = { status: 'idle', prefs: null, error: null, saving: 0, failed: null };

/**
 * The viewer's notification choices for one page (SPEC 6.2, feature `notify`), shared by the
 * widgets of the page that show them, fetched only while one does (like settings-store.ts).
 * A change shows at once and is sent at once; changes go to the server one after another, so
 * a quick run of them (arrow keys through a radio group) ends as the last one chosen, and the
 * server's answer to the last one is what stays.
 */
export class NotifyStore {
  #state: NotifyState = IDLE;
  #watchers = 0;
  #closed = false;
  /** The changes in order: each waits for the one before. */
  #chain: Promise<unknown> = Promise.resolve();
  readonly #listeners = new Listeners();

  constructor(
    readonly pageId: string,
    private readonly transport: StoreTransport,
  ) {}

  get state(): NotifyState {
    return this.#state;
  }

  listen(fn: () => void): () => void {
    return this.#listeners.add(fn);
  }

  /** A widget shows the choices from now on; the returned function ends that. */
  watch(): () => void {
    if (++this.#watchers === 1) void this.refresh();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.#watchers === 0) this.#set(IDLE);
    };
  }

  /** Asks the server (when someone watches and nothing is being saved). */
  async refresh(): Promise<void> {
    if (this.#closed || this.#watchers === 0 || this.#state.saving > 0) return;
    if (this.#state.status === 'idle') this.#set({ ...IDLE, status: 'loading' });
    const res = await this.transport.call('notify:get', { pageId: this.pageId });
    if (this.#closed || this.#watchers === 0 || this.#state.saving > 0) return;
    if (res.ok) this.#set({ ...this.#state, status: 'ready', prefs: prefsOf(res), error: null });
    else this.#set({ ...this.#state, status: this.#state.prefs ? 'ready' : 'error', error: res.error });
  }

  /** Shows `change` at once and saves it; resolves with the server's answer. */
  set(change: NotifyChange): Promise<Answer<'notify:set'>> {
    const shown = this.#state.prefs;
    if (shown) this.#set({ ...this.#state, prefs: { ...shown, ...change, ...(change.owner && shown.owner ? { owner: { ...shown.owner, ...change.owner } } : {}) } as NotifyPrefs });
    this.#set({ ...this.#state, saving: this.#state.saving + 1, failed: null });
    const run = this.#chain.then(() => this.transport.call('notify:set', { ...change, pageId: this.pageId }));
    this.#chain = run.catch(() => undefined);
    return run.then((res) => {
      const saving = this.#state.saving - 1;
      if (this.#closed || this.#watchers === 0) return res;
      if (res.ok) this.#set({ ...this.#state, saving, prefs: saving === 0 ? prefsOf(res) : this.#state.prefs });
      else {
        this.#set({ ...this.#state, saving, failed: res.error });
        // What the server holds now, not what we hoped it would.
        if (saving === 0) void this.refresh();
      }
      return res;
    });
  }

  /** Registers this browser's push subscription for the signed-in visitor (any page). */
  subscribePush(subscription: PushSubscriptionData): Promise<Answer<'push:subscribe'>> {
    return this.transport.call('push:subscribe', { subscription });
  }

  unsubscribePush(endpoint: string): Promise<Answer<'push:unsubscribe'>> {
    return this.transport.call('push:unsubscribe', { endpoint });
  }

  #set(state: NotifyState): void {
    this.#state = state;
    this.#listeners.emit();
  }

  close(): void {
    this.#closed = true;
    this.#listeners.clear();
  }
}

/** The choices without the acknowledgement's `ok`. */
function prefsOf(res: { ok: true } & NotifyPrefs): NotifyPrefs {
  const { ok: _ok, ...prefs } = res;
  return prefs;
}
