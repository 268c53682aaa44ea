import type { CareError, PageSettingsView } from '../protocol/index.js';
import { Listeners } from './listeners.js';
import type { StoreTransport } from './page-store.js';

/**
 * - `idle`: no widget shows the settings (nothing fetched, nothing kept).
 * - `loading`: the first `page:settings` is on its way.
 * - `ready`: `view` holds the last answer.
 * - `error`: the last answer was a refusal (`error`); `view` is kept only across a transient
 *   one (offline, rate limited), never across `forbidden`/`not_found`.
 */
export interface SettingsState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  view: PageSettingsView | null;
  error: CareError | null;
}

const IDLE: SettingsState = { status: 'idle', view: null, error: null };
const TRANSIENT = new Set(['unavailable', 'rate_limited']);

/**
 * One page's settings view (SPEC 6.1, `page:settings`), shared by the widgets of the page that
 * show it. Fetched only while at least one widget watches it, and fetched again when the
 * server says it changed (`settings:changed`, `page:updated`, a reconnect: connection.ts) or
 * after our own change. The server sends `settings:changed` without content, so asking again
 * is the only way the list is ever updated: calls are coalesced (one in flight, at most one
 * queued), so a burst of changes costs two round trips, not one per change.
 */
export class SettingsStore {
  #state: SettingsState = IDLE;
  #watchers = 0;
  #inFlight = false;
  #again = false;
  #closed = false;
  readonly #listeners = new Listeners();

  constructor(
    readonly pageId: string,
    private readonly transport: StoreTransport,
  ) {}

  get state(): SettingsState {
    return this.#state;
  }

  listen(fn: () => void): () => void {
    return this.#listeners.add(fn);
  }

  /** A widget shows the settings from now on; the returned function ends that. */
  watch(): () => void {
    if (++this.#watchers === 1) void this.refresh();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      // Nobody shows them: forget them (they hold who follows a patient's page).
      if (--this.#watchers === 0) this.#set(IDLE);
    };
  }

  /** Asks the server again (when someone watches); coalesced with a call in flight. */
  async refresh(): Promise<void> {
    if (this.#closed || this.#watchers === 0) return;
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    this.#inFlight = true;
    if (this.#state.status === 'idle') this.#set({ status: 'loading', view: null, error: null });
    const res = await this.transport.call('page:settings', { pageId: this.pageId });
    this.#inFlight = false;
    if (this.#closed || this.#watchers === 0) return;
    if (res.ok) this.#set({ status: 'ready', view: res.settings, error: null });
    else this.#set({ status: 'error', view: TRANSIENT.has(res.error.code) ? this.#state.view : null, error: res.error });
    if (this.#again) {
      this.#again = false;
      void this.refresh();
    }
  }

  #set(state: SettingsState): void {
    this.#state = state;
    this.#listeners.emit();
  }

  close(): void {
    this.#closed = true;
    this.#listeners.clear();
  }
}
