import { ANONYMOUS, fetchToken, type TokenInfo } from './token.js';

const REFRESH_BEFORE_MS = 60_000;

/** What a session tells its connection. */
export interface SessionEvents {
  /** The token URL answered (a token, or 401/204: signed out); `userId` is who is signed in now. */
  answered(userId: string | null): void;
  /** The token URL has never answered: a setting to fix, named in `message`. */
  broken(message: string): void;
  /** The token is about to expire (or the server said it did): fetch and swap in a fresh one. */
  expiring(): void;
}

/**
 * The visitor's identity on one host (the Manager/Socket split of Socket.IO: this is the part
 * that knows who is signed in, not how to talk): the token from `token-url`, fetched with the
 * visitor's cookies and refreshed a minute before it expires. A token URL that answered once
 * and then fails leaves the visitor signed out; one that never answered is reported as a
 * broken setting instead, since signing the visitor out would hide it.
 */
export class Session {
  identity: TokenInfo = ANONYMOUS;
  url: string | null = null;
  #answered = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  readonly #events: SessionEvents;

  constructor(events: SessionEvents) {
    this.#events = events;
  }

  async load(): Promise<void> {
    if (!this.url) return;
    this.stop();
    try {
      this.identity = await fetchToken(this.url);
      this.#answered = true;
      this.#events.answered(this.identity.userId);
    } catch (err) {
      this.identity = ANONYMOUS;
      if (!this.#answered) return this.#events.broken((err as Error).message);
      console.warn('[care-widgets] could not fetch a token; continuing signed out.', err);
    }
    const expiresAt = this.identity.expiresAt;
    if (expiresAt) this.#timer = setTimeout(() => this.#events.expiring(), Math.max(5_000, expiresAt - Date.now() - REFRESH_BEFORE_MS));
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}
