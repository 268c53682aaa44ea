import type { FollowRequest, FollowRequestEvent, JournalComment, JournalEntry, PageInfo, WallMessage } from '../../../src/protocol/index.js';
import type { CareNamespace } from '../socket/types.js';
import type { CommentCounts, TaskRecord } from '../storage/types.js';
import { rooms } from './rooms.js';
import { taskOut } from './task-view.js';

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

  /**
   * `entry` must be the same for every reader: a new one (nobody hearted or commented it yet),
   * or without what differs per viewer (entry-social.ts `forEveryone`).
   */
  journalEntry(entry: JournalEntry, seq: number): void {
    if (this.entryOut) return this.entryOut(entry, seq);
    this.ns.to(rooms.read(entry.pageId)).emit('journal:entry', { pageId: entry.pageId, seq, entry });
  }

  journalHearts(pageId: string, entryId: string, hearts: number, userId: string, on: boolean, seq: number): void {
    this.ns.to(rooms.read(pageId)).emit('journal:hearts', { pageId, seq, entryId, hearts, userId, on });
  }

  /**
   * A new or changed comment (SPEC 6.3), with the wall's rule: a hidden or pending comment
   * reaches moderators and its author only; every other reader gets `journal:comment-removed`
   * under the same `seq` (no hole in their sequence, never the text). Each event carries the
   * entry's `commentCount` as its receivers see it: all comments for moderators, the visible
   * ones plus their own held ones for the authors of held comments, the visible ones for the
   * rest; so a client never has to count comments it was never shown.
   */
  journalComment(comment: JournalComment, seq: number, counts: CommentCounts): void {
    const shown = !comment.hidden && !comment.pending;
    this.#commentGroups(comment.pageId, counts, (to, count, author) => {
      const base = { pageId: comment.pageId, seq, entryId: comment.entryId, commentCount: count };
      if (shown || author === undefined || author === comment.author.id) to.emit('journal:comment', { ...base, comment });
      else to.emit('journal:comment-removed', { ...base, commentId: comment.id });
    }, shown ? null : comment.author.id);
  }

  journalCommentRemoved(pageId: string, entryId: string, commentId: string, seq: number, counts: CommentCounts): void {
    this.#commentGroups(pageId, counts, (to, count) => to.emit('journal:comment-removed', { pageId, seq, entryId, commentId, commentCount: count }));
  }

  /**
   * Every reader of the page exactly once, by what they see of an entry's comments:
   * moderators (`author` undefined), each author of held comments (and `alsoAuthor`, the
   * author of the held comment being sent, whose own count includes it), and the rest (`null`).
   */
  #commentGroups(
    pageId: string,
    counts: CommentCounts,
    send: (to: ReturnType<CareNamespace['to']>, commentCount: number, author?: string | null) => void,
    alsoAuthor: string | null = null,
  ): void {
    const mod = rooms.mod(pageId);
    const authors = new Set(counts.held.keys());
    if (alsoAuthor !== null) authors.add(alsoAuthor);
    send(this.ns.to(mod), counts.all, undefined);
    // A page room per author: someone who lost the page is in none of its rooms.
    for (const author of authors) send(this.ns.to(rooms.self(pageId, author)).except(mod), counts.visible + (counts.held.get(author) ?? 0), author);
    send(
      this.ns.to(rooms.read(pageId)).except([mod, ...[...authors].map((a) => rooms.self(pageId, a))]),
      counts.visible,
      null,
    );
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

  /**
   * SPEC 6.4: a task created or changed, to every reader once, in two shapes: WITH its
   * `details` to the family (rooms.plan) and to each of its volunteers as they are after the
   * change (their page room `self`), WITHOUT them to every other reader. A volunteer who just
   * withdrew is no longer among them: from this change on they get the task without details.
   */
  taskChanged(task: TaskRecord, seq: number): void {
    const { pageId } = task;
    const plan = rooms.plan(pageId);
    const selves = task.volunteers.map((v) => rooms.self(pageId, v.id));
    const full = { pageId, seq, task: taskOut(task, true) };
    this.ns.to(plan).emit('task:changed', full);
    // Rooms union, never intersect: a volunteer who is also family is reached once, by `plan`.
    if (selves.length > 0) this.ns.to(selves).except(plan).emit('task:changed', full);
    this.ns.to(rooms.read(pageId)).except([plan, ...selves]).emit('task:changed', { pageId, seq, task: taskOut(task, false) });
  }

  /** A task cancelled: the family's note (if any) only to the family and the task's volunteers. */
  taskRemoved(task: TaskRecord, seq: number): void {
    const { pageId } = task;
    const base = { pageId, seq, taskId: task.id };
    const told = [rooms.plan(pageId), ...task.volunteers.map((v) => rooms.self(pageId, v.id))];
    if (task.cancelNote) {
      this.ns.to(told).emit('task:removed', { ...base, note: task.cancelNote });
      this.ns.to(rooms.read(pageId)).except(told).emit('task:removed', base);
    } else {
      this.ns.to(rooms.read(pageId)).emit('task:removed', base);
    }
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
