import type { FollowRequest, FollowRequestEvent, JournalEntry, PageInfo, WallMessage } from '../../../src/protocol/index.js';
import type { CareNamespace } from '../socket/types.js';
import { rooms } from './rooms.js';

/**
 * Live delivery of committed changes to the rooms allowed to see them. Called only after the
 * storage transaction committed, so a live event never announces something a catch-up could
 * not replay.
 */
export class Fanout {
  /**
   * Set with the `media` feature (SPEC 6.3): entries go out with photo URLs made for each
   * reader (media/fanout.ts) instead of one broadcast.
   */
  entryOut: ((entry: JournalEntry, seq: number) => void) | null = null;

  constructor(private readonly ns: CareNamespace) {}

  journalEntry(entry: JournalEntry, seq: number): void {
    if (this.entryOut) return this.entryOut(entry, seq);
    this.ns.to(rooms.read(entry.pageId)).emit('journal:entry', { pageId: entry.pageId, seq, entry });
  }

  journalRemoved(pageId: string, entryId: string, seq: number): void {
    this.ns.to(rooms.read(pageId)).emit('journal:removed', { pageId, seq, entryId });
  }

  /**
   * A new or changed wall message. Readers who may not see it (hidden or pending, and not
   * theirs) get `wall:removed` under the same `seq`, so their sequence has no hole and the
   * text never reaches them.
   */
  wallMessage(message: WallMessage, seq: number): void {
    const { pageId } = message;
    const { hearted: _omit, ...broadcast } = message;
    const event = { pageId, seq, message: broadcast };
    if (!message.hidden && !message.pending) {
      this.ns.to(rooms.read(pageId)).emit('wall:message', event);
      return;
    }
    // Hidden or waiting for approval: moderators and the author (their own message, marked).
    // The author's sockets that may still read the page: never `user:`, which would also reach
    // an author who has since been removed, blocked or lost access to the page.
    const author = rooms.self(pageId, message.author.id);
    this.ns.to(rooms.read(pageId)).except([rooms.mod(pageId), author]).emit('wall:removed', { pageId, seq, messageId: message.id });
    this.ns.to(rooms.mod(pageId)).emit('wall:message', event);
    // Socket.IO rooms union, never intersect: the author's other sockets get their own message too.
    this.ns.to(author).except(rooms.mod(pageId)).emit('wall:message', event);
  }

  wallRemoved(pageId: string, messageId: string, seq: number): void {
    this.ns.to(rooms.read(pageId)).emit('wall:removed', { pageId, seq, messageId });
  }

  wallHearts(pageId: string, messageId: string, hearts: number, userId: string, on: boolean, seq: number): void {
    this.ns.to(rooms.read(pageId)).emit('wall:hearts', { pageId, seq, messageId, hearts, userId, on });
  }

  /** Readers get the count in `seq` order; subscribed non-readers get it without `seq`. */
  followCount(pageId: string, followerCount: number, seq: number): void {
    this.ns.to(rooms.read(pageId)).emit('follow:count', { pageId, seq, followerCount });
    this.ns.to(rooms.watch(pageId)).except(rooms.read(pageId)).emit('follow:count', { pageId, followerCount });
  }

  followRequest(pageId: string, request: FollowRequest, state: FollowRequestEvent['state']): void {
    this.ns.to(rooms.decide(pageId)).emit('follow:request', { pageId, request, state });
  }

  /**
   * Something in `page:settings` changed: its readers (rooms.settings) fetch it again. Carries
   * only the page id; called after access was re-evaluated, so someone who just lost the
   * right to the settings (a removed editor) no longer hears it.
   */
  settingsChanged(pageId: string): void {
    this.ns.to(rooms.settings(pageId)).emit('settings:changed', { pageId });
  }

  pageUpdated(page: PageInfo, seq: number): void {
    this.ns.to(rooms.read(page.id)).emit('page:updated', { pageId: page.id, seq, page });
  }
}
