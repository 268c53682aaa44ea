import type { JournalEntry } from '../../../src/protocol/index.js';
import { LIMITS } from '../../../src/protocol/index.js';
import type { Storage, WallView } from '../storage/types.js';

/** What decorating entries reads; snapshot-reads.ts shares these between a page's subscribers. */
export type SocialReads = Pick<Storage, 'journalHeartedBy' | 'commentSummaries'>;

/**
 * Entries as one viewer receives them in a snapshot, a history page or a catch-up (SPEC 6.3):
 * with whether they hearted each, and the comments they may see (count and the last
 * `LIMITS.snapshotComments`, oldest first). `hearts` and `commentsOpen` come from storage.
 */
export async function withSocial(reads: SocialReads, pageId: string, view: WallView, entries: JournalEntry[]): Promise<JournalEntry[]> {
  if (entries.length === 0) return entries;
  // An entry nobody hearted is not hearted by this viewer: only the others are looked up.
  const heartedIds = entries.filter((e) => (e.hearts ?? 0) > 0).map((e) => e.id);
  const [hearted, summaries] = await Promise.all([
    view.userId && heartedIds.length > 0 ? reads.journalHeartedBy(pageId, view.userId, heartedIds) : Promise.resolve(new Set<string>()),
    reads.commentSummaries(
      pageId,
      entries.map((e) => e.id),
      view,
      LIMITS.snapshotComments,
    ),
  ]);
  return entries.map((e) => {
    const s = summaries.get(e.id);
    return { ...e, hearted: hearted.has(e.id), commentCount: s?.count ?? 0, comments: s?.last ?? [] };
  });
}

/**
 * An entry for every reader at once (a live `journal:entry`): without what differs per viewer
 * (`hearted`, `commentCount`, `comments`: a client keeps its own values when they are absent).
 */
export function forEveryone(entry: JournalEntry): JournalEntry {
  const { hearted: _h, commentCount: _n, comments: _c, ...shared } = entry;
  return shared;
}

/** An entry from a server without `journal-social`: none of its fields (a first-wave backend's shape). */
export function withoutSocial(entry: JournalEntry): JournalEntry {
  const { hearts: _h, hearted: _d, commentsOpen: _o, commentCount: _n, comments: _c, ...plain } = entry;
  return plain;
}
