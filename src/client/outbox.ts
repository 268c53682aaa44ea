import type { CareError, Stream } from '../protocol/index.js';

/** A post the user made that the server has not acknowledged yet. */
export interface OutboxEntry {
  clientId: string;
  host: string;
  userId: string;
  pageId: string;
  kind: Stream;
  title?: string;
  body: string;
  createdAt: number;
  attempts: number;
  /** `failed`: the server refused it; the text is kept until the user retries or discards. */
  state: 'waiting' | 'sending' | 'failed';
  error?: CareError;
}

const KEY = 'care-widgets:outbox:v1';

/** localStorage when the page may use it (not in some sandboxed frames), else memory only. */
function storage(): Storage | null {
  try {
    const s = window.localStorage;
    s.getItem(KEY);
    return s;
  } catch {
    return null;
  }
}

/**
 * The persisted queue of unacknowledged posts. It survives a reload, so nothing the user
 * typed is lost to a dropped connection; each entry keeps its `clientId`, so a retry the
 * server already applied returns the original item instead of a duplicate.
 */
export class Outbox {
  #entries: OutboxEntry[];
  readonly #store = storage();
  readonly #listeners = new Set<() => void>();

  constructor(private readonly host: string) {
    this.#entries = this.#read().filter((e) => e.host === host);
    // An entry caught mid-send by a reload is simply waiting again.
    for (const e of this.#entries) if (e.state === 'sending') e.state = 'waiting';
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
    for (const fn of this.#listeners) fn();
  }

  listen(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  add(entry: Omit<OutboxEntry, 'host' | 'attempts' | 'state' | 'createdAt'>): OutboxEntry {
    const e: OutboxEntry = { ...entry, host: this.host, attempts: 0, state: 'waiting', createdAt: Date.now() };
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
    this.#entries = this.#entries.filter((e) => e.clientId !== clientId);
    this.#persist();
  }

  /** This user's entries, oldest first (the order they were written). */
  pending(userId: string | null, pageId?: string, kind?: Stream): OutboxEntry[] {
    return this.#entries.filter((e) => e.userId === userId && (!pageId || e.pageId === pageId) && (!kind || e.kind === kind));
  }
}

export function newClientId(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
