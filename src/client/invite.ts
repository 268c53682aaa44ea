import type { CareError, InviteRole } from '../protocol/index.js';
import { Listeners } from './listeners.js';
import type { PageStore, StoreTransport } from './page-store.js';

/** The address-bar parameter an invitation link carries: `?care-invite=<code>` (SPEC 6.1). */
export const INVITE_PARAM = 'care-invite';

/**
 * What became of an invitation in the address bar, for one page:
 * - `sign-in`: there is a code, but nobody is signed in yet (it waits; the widgets say so);
 * - `accepting`: `invite:accept` is on its way;
 * - `accepted`: the visitor now has `role` on the page (the code left the address bar);
 * - `failed`: the code was refused (revoked, expired, used up, another page's): said plainly.
 */
export type InviteState =
  | { status: 'sign-in' }
  | { status: 'accepting' }
  | { status: 'accepted'; role: InviteRole }
  | { status: 'failed'; error: CareError };

/** Refusals worth another try at the next connection rather than a notice. */
const TRANSIENT = new Set(['unavailable', 'rate_limited']);

const states = new WeakMap<PageStore, InviteState>();
/** `code \n host \n page` tried in this document: each page accepts a code once. */
const tried = new Set<string>();
/** Of those, the ones met by a transient refusal: tried again at the next connection. */
const deferred = new Set<string>();
/** Who shows a store's invitation notice: the first widget bound to it (see `readInvite`). */
const readers = new WeakMap<PageStore, object[]>();
const changes = new Listeners<[PageStore]>();

/** The invitation code in the address bar, or null. Read each time: a page may pushState one in. */
export function inviteCode(): string | null {
  if (typeof location === 'undefined' || !location.search.includes(INVITE_PARAM)) return null;
  const code = new URLSearchParams(location.search).get(INVITE_PARAM)?.trim();
  return code ? code : null;
}

/** Takes the code out of the address bar, keeping the rest of the URL and the history entry. */
function dropCode(): void {
  const url = new URL(location.href);
  if (!url.searchParams.has(INVITE_PARAM)) return;
  url.searchParams.delete(INVITE_PARAM);
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
}

function set(store: PageStore, state: InviteState | null): void {
  if (state) states.set(store, state);
  else states.delete(store);
  changes.emit(store);
}

/**
 * Accepts the address bar's invitation for a page once its store has an answer (called by the
 * connection whenever a store changes; cheap without a code). ONE place for the whole document:
 * however many widgets show the page, the code is sent once per page, by the connection that
 * serves the page, and only once someone is signed in. Then the code leaves the address bar
 * (history.replaceState: a reload, a bookmark or a shared screenshot no longer carries it) and
 * the page is subscribed afresh with the visitor's new role.
 *
 * A backend without the `invites` feature never sees the code: both the page and the teaser a
 * visitor who may not read it yet gets say what the backend supports. A refusal that may pass
 * (offline, rate limited) is retried at the next connection, without a notice.
 */
export function considerInvite(host: string, store: PageStore, transport: StoreTransport): void {
  const code = inviteCode();
  if (!code) return;
  const { status, page, viewer } = store.state;
  if ((status !== 'ready' && status !== 'locked') || !viewer) return;
  // A backend without the feature (or of the first wave, which names none) never sees the code.
  if (!page?.features?.includes('invites')) return;
  // The owner trying their own link must not spend one of its uses.
  if (viewer.role === 'owner') return;
  if (!transport.userId) {
    if (states.get(store)?.status !== 'sign-in') set(store, { status: 'sign-in' });
    return;
  }
  const key = `${code}\n${host}\n${store.pageId}`;
  if (tried.has(key)) return;
  tried.add(key);
  set(store, { status: 'accepting' });
  void transport.call('invite:accept', { pageId: store.pageId, code }).then((res) => {
    if (res.ok) {
      dropCode();
      set(store, { status: 'accepted', role: res.role });
      void store.sync(true);
    } else if (TRANSIENT.has(res.error.code)) {
      // Offline, or a backend that does not know the event: try again at the next connection
      // (not at the next store change: that would retry on every live event).
      deferred.add(key);
      set(store, null);
    } else {
      // The code will not work any better on a reload: it goes, and the visitor is told why.
      dropCode();
      set(store, { status: 'failed', error: res.error });
    }
  });
}

/** A new connection (or user): codes that met a transient refusal are tried again. */
export function retryInvites(): void {
  for (const key of deferred) tried.delete(key);
  deferred.clear();
}

/** The invitation state of a page's store, `null` when there is nothing to say. */
export function inviteState(store: PageStore): InviteState | null {
  return states.get(store) ?? null;
}

/**
 * Registers a widget that may show a store's invitation notice; `lead` tells whether it is the
 * first one (the others stay quiet: a page of three widgets says it once). Returns the
 * function that unregisters it.
 */
export function readInvite(store: PageStore, reader: object, changed: () => void): { leads: () => boolean; off: () => void } {
  const list = readers.get(store) ?? [];
  readers.set(store, list);
  list.push(reader);
  const off = changes.add((s) => s === store && changed());
  return {
    leads: () => readers.get(store)?.[0] === reader,
    off: () => {
      off();
      const i = list.indexOf(reader);
      if (i >= 0) list.splice(i, 1);
      // The next widget takes over the notice.
      if (i === 0) changes.emit(store);
    },
  };
}
