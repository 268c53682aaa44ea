import type { CareError, ClientEventName, JournalComment, JournalEntry, MediaRef, Task, WallMessage } from '../protocol/index.js';
import { backoff } from './backoff.js';
import { Listeners } from './listeners.js';
import { intentTarget, newClientId, type Outbox, type OutboxEntry, type OutboxKind } from './outbox.js';
import type { Answer, Payload } from './page-store.js';

/** What a delivered post looks like to widgets (they fire `care-posted`). */
export interface Delivery {
  entry: OutboxEntry;
  /** `signup`: the task as the server answered it (with or without this visitor). */
  item: JournalEntry | WallMessage | JournalComment | Task;
}

/** What the server acknowledged, for the page's store to put in place. */
export type Acknowledged =
  | { kind: 'journal'; value: JournalEntry }
  | { kind: 'wall'; value: WallMessage }
  | { kind: 'comment'; value: JournalComment }
  | { kind: 'heart'; value: { entryId: string; hearts: number; on: boolean } }
  | { kind: 'signup'; value: Task };

/** The text of a post or comment (`title` and `media` for journal entries, `entryId` for comments). */
export interface PostText {
  title?: string;
  body: string;
  entryId?: string;
  /** A journal post's photos (feature `media`): uploaded ids with their alt text. */
  media?: MediaRef[];
}

/** What the sender needs of its connection. */
export interface SenderLink {
  readonly connected: boolean;
  readonly userId: string | null;
  call<E extends ClientEventName>(event: E, payload: Payload<E>): Promise<Answer<E>>;
  /** The server stored the post: the page's store shows it in its place. */
  acknowledged(pageId: string, item: Acknowledged): void;
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

  post(pageId: string, kind: Exclude<OutboxKind, 'heart' | 'signup'>, text: PostText): OutboxEntry | null {
    const userId = this.#link.userId;
    if (!userId) return null;
    const entry = this.#outbox.add({ clientId: newClientId(), userId, pageId, kind, ...text });
    this.flush();
    return entry;
  }

  /** Hearts a journal entry (or takes the heart back), through the outbox like a post: offline it waits, the last click wins. */
  heart(pageId: string, entryId: string, on: boolean): OutboxEntry | null {
    const userId = this.#link.userId;
    if (!userId) return null;
    const entry = this.#outbox.add({ clientId: newClientId(), userId, pageId, kind: 'heart', entryId, on, body: '' });
    this.flush();
    return entry;
  }

  /**
   * Signs up for a planner task ("I'll do it") or withdraws, through the outbox like a heart:
   * offline it waits, the last click per task wins, and the server takes it once however often
   * it is sent (signing up twice is once). A `conflict` (the last spot went to someone else) is final.
   */
  signup(pageId: string, taskId: string, on: boolean): OutboxEntry | null {
    const userId = this.#link.userId;
    if (!userId) return null;
    const entry = this.#outbox.add({ clientId: newClientId(), userId, pageId, kind: 'signup', taskId, on, body: '' });
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
    const pending = this.#outbox.pending(userId);
    // One heart per entry (sign-up per task) on the wire at a time, so the server gets the clicks in their order.
    const intent = (e: OutboxEntry) => e.kind === 'heart' || e.kind === 'signup';
    const keyOf = (e: OutboxEntry) => `${e.pageId}\n${intentTarget(e)}`;
    const hearting = new Set(pending.filter((e) => intent(e) && this.#inflight.has(e.clientId)).map(keyOf));
    for (const e of pending) {
      if (e.state === 'failed' || this.#inflight.has(e.clientId)) continue;
      if (intent(e)) {
        const key = keyOf(e);
        if (hearting.has(key)) continue;
        hearting.add(key);
      }
      void this.#send(e);
    }
  }

  /** One call for one outbox entry; its acknowledgement as the store takes it. */
  async #call(e: OutboxEntry): Promise<{ ok: true; ack: Acknowledged } | { ok: false; error: CareError }> {
    const { pageId, clientId, body } = e;
    switch (e.kind) {
      case 'journal': {
        const res = await this.#link.call('journal:post', { pageId, clientId, title: e.title ?? '', body, ...(e.media?.length ? { media: e.media } : {}) });
        return res.ok ? { ok: true, ack: { kind: 'journal', value: res.entry } } : res;
      }
      case 'wall': {
        const res = await this.#link.call('wall:post', { pageId, clientId, body });
        return res.ok ? { ok: true, ack: { kind: 'wall', value: res.message } } : res;
      }
      case 'comment': {
        const res = await this.#link.call('journal:comment', { pageId, entryId: e.entryId ?? '', clientId, body });
        return res.ok ? { ok: true, ack: { kind: 'comment', value: res.comment } } : res;
      }
      case 'heart': {
        const entryId = e.entryId ?? '';
        const res = await this.#link.call('journal:heart', { pageId, entryId, on: e.on === true });
        return res.ok ? { ok: true, ack: { kind: 'heart', value: { entryId, hearts: res.hearts, on: res.on } } } : res;
      }
      case 'signup': {
        const res = await this.#link.call('task:signup', { pageId, taskId: e.taskId ?? '', on: e.on === true });
        return res.ok ? { ok: true, ack: { kind: 'signup', value: res.task } } : res;
      }
    }
  }

  async #send(e: OutboxEntry): Promise<void> {
    this.#inflight.add(e.clientId);
    this.#outbox.update(e.clientId, { state: 'sending', attempts: e.attempts + 1 });
    const res = await this.#call(e);
    this.#inflight.delete(e.clientId);
    if (res.ok) {
      this.#outbox.remove(e.clientId);
      this.#link.acknowledged(e.pageId, res.ack);
      if (res.ack.kind !== 'heart') this.deliveries.emit({ entry: e, item: res.ack.value });
      // A newer heart on the same entry (sign-up on the same task) waited for this one.
      if (e.kind === 'heart' || e.kind === 'signup') this.flush();
      return;
    }
    if (TRANSIENT.has(res.error.code)) {
      this.#outbox.update(e.clientId, { state: 'waiting' });
      setTimeout(() => this.flush(), backoff(Math.min(e.attempts, 5)));
    } else {
      this.#outbox.update(e.clientId, { state: 'failed', error: res.error });
      if (e.kind === 'heart' || e.kind === 'signup') this.flush();
    }
  }
}
