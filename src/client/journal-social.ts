import type { JournalComment, JournalEntry } from '../protocol/index.js';

/**
 * Hearts and comments on journal entries (SPEC 6.3) as the page's store keeps them: pure
 * functions from one entry to the next, so the store's event handling stays one line each.
 *
 * An entry holds the comments loaded so far in `comments`, oldest first: the last few from the
 * snapshot (or the entry's live event), more after `history:load {stream: 'comments'}`. Whether
 * older ones remain on the server is the store's `commentsHasMore` (a set of entry ids).
 * `commentCount` counts what this viewer may see. A comment event from the server carries the
 * count for its receiver, which is taken as it is. Without one (an acknowledgement, an older
 * server), the count moves with what reaches the viewer: a comment new to them adds one, the
 * removal of one they had takes one away; where the viewer has not loaded an entry's older
 * comments, a change about one of those cannot be told from a new one, so it is left alone.
 */

/** Whether there are comments older than the loaded ones: the count says more than the list holds. */
export function moreThanLoaded(e: JournalEntry): boolean {
  return (e.commentCount ?? 0) > (e.comments?.length ?? 0);
}

/**
 * A journal entry as it arrives again (an edit, closed comments, a catch-up): its own fields
 * from the event, the viewer's social state from what we hold. Broadcasts do not know who
 * receives them, so `hearted`, the comment list and its count stay ours unless the event has
 * them for this viewer and we have nothing.
 */
export function mergeEntry(prev: JournalEntry | undefined, next: JournalEntry): JournalEntry {
  if (!prev) return next;
  const merged: JournalEntry = { ...next, hearted: next.hearted ?? prev.hearted };
  if (prev.comments !== undefined) merged.comments = prev.comments;
  if (prev.commentCount !== undefined) merged.commentCount = prev.commentCount;
  if (next.hearts === undefined && prev.hearts !== undefined) merged.hearts = prev.hearts;
  if (next.commentsOpen === undefined && prev.commentsOpen !== undefined) merged.commentsOpen = prev.commentsOpen;
  // Photos are signed per viewer; an event without them keeps ours (S4's `media:urls` refreshes them).
  if (next.media === undefined && prev.media !== undefined) merged.media = prev.media;
  return merged;
}

/** The entry's heart count, and whether this viewer hearted it when the change is theirs. */
export function withHearts(e: JournalEntry, hearts: number, hearted?: boolean): JournalEntry {
  return { ...e, hearts, hearted: hearted ?? e.hearted ?? false };
}

const bySeq = (a: JournalComment, b: JournalComment) => a.seq - b.seq;

/**
 * A comment arrived (posted, hidden, approved, shown again) or was acknowledged. Known: it
 * replaces ours. New to this viewer and among (or after) the loaded ones: it joins the list and
 * the count. Older than every loaded one while older ones remain unloaded: we cannot tell a
 * comment that was already counted from one that is new to us, so nothing changes until the
 * reader loads them (or the next snapshot).
 */
export function withComment(e: JournalEntry, c: JournalComment, hasMore: boolean, count?: number): JournalEntry {
  const list = e.comments ?? [];
  const at = list.findIndex((x) => x.id === c.id);
  if (at >= 0) {
    const comments = list.slice();
    comments[at] = c;
    return { ...e, comments, commentCount: count ?? e.commentCount };
  }
  // Among the older ones not loaded: "Show all" brings it in its place.
  if (hasMore && list.length > 0 && c.seq < list[0]!.seq) return count === undefined ? e : { ...e, commentCount: count };
  return { ...e, commentCount: count ?? (e.commentCount ?? 0) + 1, comments: [...list, c].sort(bySeq) };
}

/** A comment was deleted or is no longer visible to this viewer: gone from the list, and from the count. */
export function withoutComment(e: JournalEntry, commentId: string, count?: number): JournalEntry {
  const list = e.comments ?? [];
  if (!list.some((c) => c.id === commentId)) return count === undefined ? e : { ...e, commentCount: count };
  return { ...e, comments: list.filter((c) => c.id !== commentId), commentCount: count ?? Math.max(0, (e.commentCount ?? 1) - 1) };
}

/** Older comments from `history:load`, merged under the ones we hold. */
export function withOlderComments(e: JournalEntry, older: readonly JournalComment[]): JournalEntry {
  const have = new Set((e.comments ?? []).map((c) => c.id));
  const comments = [...older.filter((c) => !have.has(c.id)), ...(e.comments ?? [])].sort(bySeq);
  return { ...e, comments, commentCount: Math.max(e.commentCount ?? 0, comments.length) };
}
