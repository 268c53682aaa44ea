import type { CareError, MediaRef } from '../protocol/index.js';
import { Listeners } from './listeners.js';
import { outboxMode } from './settings.js';

/**
 * What the outbox holds: posts (`journal`, `wall`), comments on journal entries (`comment`,
 * with `entryId`), hearts on journal entries (`heart`, with `entryId` and `on`, no text:
 * the last click per entry wins, see `Outbox.add`) and the planner's sign-ups (`signup`, with
 * `taskId` and `on`: "I'll do it" or "I can't any more", the last click per task wins).
 */
export type OutboxKind = 'journal' | 'wall' | 'comment' | 'heart' | 'signup';

/** The kinds that are an intent rather than a text: a newer one replaces one not sent yet. */
const INTENTS: readonly OutboxKind[] = ['heart', 'signup'];

/** What an intent is about: the journal entry of a heart, the task of a sign-up. */
export const intentTarget = (e: Pick<OutboxEntry, 'kind' | 'entryId' | 'taskId'>): string => (e.kind === 'signup' ? `t:${e.taskId ?? ''}` : `e:${e.entryId ?? ''}`);

/** A post the user made that the server has not acknowledged yet. */
export interface OutboxEntry {
  clientId: string;
  host: string;
  userId: string;
  pageId: string;
  kind: OutboxKind;
  title?: string;
  body: string;
  /** A journal post's photos (feature `media`): ids already uploaded, with their alt text. */
  media?: MediaRef[];
  /** `comment` and `heart`: the journal entry it is about. */
  entryId?: string;
  /** `signup`: the planner's task it is about. */
  taskId?: string;
  /** `heart`: hearted (true) or taken back (false); `signup`: signed up (true) or withdrawn (false). */
  on?: boolean;
  createdAt: number;
  attempts: number;
  /** `failed`: the server refused it; the text is kept until the user retries or discards. */
  state: 'waiting' | 'sending' | 'failed';
  error?: CareError;
}

const KEY = 'care-widgets:outbox:v1';

/** The storage of the outbox mode, when the page may use it (not in some sandboxed frames), else none. */
function storage(mode: string): Storage | null {
  try {
    const s = mode === 'local' ? localStorage : mode === 'session' ? sessionStorage : null;
    s?.getItem(KEY);
    return s;
  } catch {
    return null;
  }
}

/**
 * Wipes every unsent post on this device: in storage (local and session, every host and
 * user) and in this page's outboxes. For a host site's own sign-out on a shared computer
 * (README, "Privacy and security"); a post already on its way may still arrive.
 */
export function clearStoredOutbox(): void {
  for (const mode of ['local', 'session']) storage(mode)?.removeItem(KEY);
}

/**
 * The queue of unacknowledged posts. In the `local` mode (the default) it survives a reload
 * and a browser restart, so nothing the user typed is lost to a dropped connection; each entry
 * keeps its `clientId`, so a retry the server already applied returns the original item
 * instead of a duplicate. `session` and `memory` (settings.ts) trade that for less storage.
 */
export class Outbox {
  /** Loaded at first use, not at construction: `configure({ outbox })` may come just after the elements upgrade. */
  #loaded: OutboxEntry[] | null = null;
  #store: Storage | null = null;
  #mode = 'local';
  readonly #listeners = new Listeners();

  constructor(private readonly host: string) {}

  get #entries(): OutboxEntry[] {
    if (!this.#loaded) {
      this.#store = storage((this.#mode = outboxMode()));
      this.#loaded = this.#read().filter((e) => e.host === this.host);
      // An entry caught mid-send by a reload is simply waiting again.
      for (const e of this.#loaded) if (e.state === 'sending') e.state = 'waiting';
    }
    return this.#loaded;
  }

  #read(): OutboxEntry[] {
    try {
      const raw = this.#store?.getItem(KEY);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(parsed) ? (parsed as OutboxEntry[]) : [];
    } catch {
      return [];
    }
  }

  #persist(): void {
    try {
      // Keep other hosts' entries; replace ours.
      const others = this.#read().filter((e) => e.host !== this.host);
      this.#store?.setItem(KEY, JSON.stringify([...others, ...this.#entries]));
    } catch {
      // Storage full or forbidden: the entry still lives in memory for this page view.
    }
    this.#listeners.emit();
  }

  listen(fn: () => void): () => void {
    return this.#listeners.add(fn);
  }

  add(entry: Omit<OutboxEntry, 'host' | 'attempts' | 'state' | 'createdAt'>): OutboxEntry {
    const e: OutboxEntry = { ...entry, host: this.host, attempts: 0, state: 'waiting', createdAt: Date.now() };
    if (INTENTS.includes(e.kind)) {
      // A heart or a sign-up is an intent, not a text: a newer click replaces one that has not
      // left yet (one in flight stays, and this one follows it: see OutboxSender.flush).
      const same = (x: OutboxEntry) => x.kind === e.kind && x.state !== 'sending' && x.userId === e.userId && x.pageId === e.pageId && intentTarget(x) === intentTarget(e);
      this.#entries.splice(0, Infinity, ...this.#entries.filter((x) => !same(x)));
    }
    this.#entries.push(e);
    this.#persist();
    return e;
  }

  update(clientId: string, patch: Partial<OutboxEntry>): void {
    const e = this.#entries.find((x) => x.clientId === clientId);
    if (!e) return;
    Object.assign(e, patch);
    if (patch.state !== 'failed') delete e.error;
    this.#persist();
  }

  remove(clientId: string): void {
    this.clear(this.#entries.filter((e) => e.clientId !== clientId));
  }

  /**
   * The token URL answered: `userId` is signed in (null: nobody). In the `session` and
   * `memory` modes every other user's unsent posts are dropped at once (a sign-out, a change
   * of user, or a reload of a tab whose user has since signed out); in `local` they wait for
   * their author's next sign-in on this device.
   */
  signedIn(userId: string | null): void {
    const mine = this.#entries.filter((e) => e.userId === userId);
    if (this.#mode !== 'local' && mine.length < this.#entries.length) this.clear(mine);
  }

  /** Keeps only `keep` (by default none: wipes this host's outbox). */
  clear(keep: OutboxEntry[] = []): void {
    this.#entries.splice(0, Infinity, ...keep);
    this.#persist();
  }

  /** This user's entries, oldest first (the order they were written). */
  pending(userId: string | null, pageId?: string, kind?: OutboxKind): OutboxEntry[] {
    return this.#entries.filter((e) => e.userId === userId && (!pageId || e.pageId === pageId) && (!kind || e.kind === kind));
  }
}

export function newClientId(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
