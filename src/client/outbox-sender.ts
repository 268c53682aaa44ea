import type { ClientEventName, JournalEntry, MediaRef, WallMessage } from '../protocol/index.js';
import { backoff } from './backoff.js';
import { Listeners } from './listeners.js';
import { newClientId, type Outbox, type OutboxEntry } from './outbox.js';
import type { Answer, Payload } from './page-store.js';

/** What a delivered post looks like to widgets (they fire `care-posted`). */
export interface Delivery {
  entry: OutboxEntry;
  item: JournalEntry | WallMessage;
}

/** What the sender needs of its connection. */
export interface SenderLink {
  readonly connected: boolean;
  readonly userId: string | null;
  call<E extends ClientEventName>(event: E, payload: Payload<E>): Promise<Answer<E>>;
  /** The server stored the post: the page's store shows it in its place. */
  acknowledged(pageId: string, item: { kind: 'journal'; value: JournalEntry } | { kind: 'wall'; value: WallMessage }): void;
}

/**
 * Answers that mean "try the same thing again later"; anything else is final. `unauthorized`
 * on a post means the session lapsed mid-flight: the token refresh brings it back.
 */
const TRANSIENT = new Set(['unavailable', 'rate_limited', 'unauthorized']);

/**
 * Sends the outbox: every waiting post of the signed-in user, now if online, else after the
 * reconnect, with its own `clientId` (so a retry the server already applied returns the
 * original), retried with backoff while the answer is transient, kept as failed (with the
 * server's reason) when it is final, until the user retries or discards it.
 */
export class OutboxSender {
  readonly deliveries = new Listeners<[Delivery]>();
  readonly #inflight = new Set<string>();

  readonly #outbox: Outbox;
  readonly #link: SenderLink;

  constructor(outbox: Outbox, link: SenderLink) {
    this.#outbox = outbox;
    this.#link = link;
  }

  post(pageId: string, kind: 'journal' | 'wall', text: { title?: string; body: string; media?: MediaRef[] }): OutboxEntry | null {
    const userId = this.#link.userId;
    if (!userId) return null;
    const entry = this.#outbox.add({ clientId: newClientId(), userId, pageId, kind, ...text });
    this.flush();
    return entry;
  }

  retry(clientId: string): void {
    // The server stored none of the posts it refused, but one: `conflict` means it stored this
    // post, then it was deleted. Sending the text again by hand is a new post, with a new id.
    const deleted = this.#outbox.pending(this.#link.userId).some((e) => e.clientId === clientId && e.error?.code === 'conflict');
    this.#outbox.update(clientId, deleted ? { clientId: newClientId(), state: 'waiting' } : { state: 'waiting' });
    this.flush();
  }

  discard(clientId: string): void {
    this.#outbox.remove(clientId);
  }

  flush(): void {
    const userId = this.#link.userId;
    if (!this.#link.connected || !userId) return;
    for (const e of this.#outbox.pending(userId)) {
      if (e.state !== 'failed' && !this.#inflight.has(e.clientId)) void this.#send(e);
    }
  }

  async #send(e: OutboxEntry): Promise<void> {
    this.#inflight.add(e.clientId);
    this.#outbox.update(e.clientId, { state: 'sending', attempts: e.attempts + 1 });
    const res =
      e.kind === 'journal'
        ? await this.#link.call('journal:post', { pageId: e.pageId, clientId: e.clientId, title: e.title ?? '', body: e.body, ...(e.media?.length ? { media: e.media } : {}) })
        : await this.#link.call('wall:post', { pageId: e.pageId, clientId: e.clientId, body: e.body });
    this.#inflight.delete(e.clientId);
    if (res.ok) {
      this.#outbox.remove(e.clientId);
      const item = 'entry' in res ? res.entry : res.message;
      this.#link.acknowledged(e.pageId, 'entry' in res ? { kind: 'journal', value: res.entry } : { kind: 'wall', value: res.message });
      this.deliveries.emit({ entry: e, item });
      return;
    }
    if (TRANSIENT.has(res.error.code)) {
      this.#outbox.update(e.clientId, { state: 'waiting' });
      setTimeout(() => this.flush(), backoff(Math.min(e.attempts, 5)));
    } else {
      this.#outbox.update(e.clientId, { state: 'failed', error: res.error });
    }
  }
}
