import type { JournalComment, JournalEntry, PageEvent, PageInfo, WallMessage } from '../../../src/protocol/index.js';
import { LIMITS } from '../../../src/protocol/index.js';
import type { ChangeRecord, ChangeType, TaskRecord, WallView } from '../storage/types.js';
import { withoutSocial, withSocial } from './entry-social.js';
import type { ReplayReads } from './snapshot-reads.js';
import { seesDetails, taskChars, taskOut } from './task-view.js';
import { wallVisible } from './visibility.js';

/*
 * What a catch-up may cost. A catch-up exists to be cheaper than a snapshot; one that would
 * cost more is answered with `reset` and a snapshot instead. Without these bounds a visitor
 * could ask for `since: 0` and get every retained change (up to 10,000) with each item's full
 * text: 1,500 edits of one 19 KB entry made a 29 MB answer (issue 10, finding 3).
 *
 * - Events: twice the items a snapshot carries. A larger catch-up is a page the viewer has
 *   mostly not seen; the snapshot's newest items plus "load older" serve it better, and the
 *   bound also caps the item ids read in one `IN` list.
 * - Text: the most a snapshot can carry, every journal entry and wall message at its maximum
 *   length. Counted in characters of titles, bodies and author names, as the items are read,
 *   so reading stops as soon as the bound is passed.
 */
export const CATCH_UP_MAX_EVENTS = 2 * (LIMITS.snapshotJournal + LIMITS.snapshotWall);
export const CATCH_UP_MAX_CHARS = LIMITS.snapshotJournal * (LIMITS.titleMax + LIMITS.journalBodyMax) + LIMITS.snapshotWall * LIMITS.wallBodyMax;

/** Journal entries are read in chunks of this many, so an oversized catch-up stops early. */
const JOURNAL_CHUNK = LIMITS.snapshotJournal;
/** Likewise tasks (SPEC 6.4). */
const TASK_CHUNK = 50;

/** Everything the changes after `since` did to one thing (an item, the follower count, the settings). */
interface Touched {
  kind: 'journal' | 'wall' | 'follow' | 'page' | 'comment' | 'task';
  id: string;
  /** The seq of its last change: its one event carries this seq. */
  seq: number;
  /** Its last change removed it: nothing to read. */
  removed: boolean;
  /** The item itself changed (a wall message posted, hidden, approved; an entry posted or edited), not only its hearts. */
  message: boolean;
  data: Record<string, unknown> | null;
}

/**
 * Turns stored changes into the events one viewer missed, coalesced: each item (and the
 * follower count, and the page settings) yields one event, in its current state, at the
 * `seq` of its last change, and the events are in increasing `seq` order. They need not be
 * contiguous; the answer's `seq` (the last change's) is where the viewer is afterwards. An
 * earlier state of an item is never worth sending: the client would overwrite it at once.
 *
 * - A journal entry: `journal:entry` (latest version), or `journal:removed` once deleted
 *   (its text is gone from the server).
 * - A wall message: `wall:removed` when deleted or not visible to this viewer; else
 *   `wall:message` (with `hearted`) if the message itself changed, else `wall:hearts` with the
 *   current count. Its `userId`/`on` are the viewer's own heart when signed in (the only heart
 *   a client uses: its `hearted`), else those of the last heart change, as they went live.
 *   The other hearters' intermediate toggles are not replayed.
 * - A journal entry with `journal-social` (SPEC 6.3): `journal:entry` carries the viewer's
 *   `hearted`, `commentCount` and last comments, as in a snapshot; an entry whose hearts alone
 *   changed gives `journal:hearts` (the viewer's own heart, as for the wall).
 * - A comment: `journal:comment` in its current state, or `journal:comment-removed` once
 *   deleted or when the viewer may not see it (held); both with the entry's `commentCount`
 *   as the viewer sees it now.
 * - `follow:count` and `page:updated`: the last one only.
 * - A task (SPEC 6.4, with `planner`: the viewer's `plan`): `task:changed` in its current
 *   state, with `details` only when the viewer plans or is among its volunteers now; or
 *   `task:removed` once cancelled, with the family's note for the same people. Without the
 *   feature (switched off since), task changes give no event.
 *
 * Answers `null` when the coalesced events would pass CATCH_UP_MAX_EVENTS or
 * CATCH_UP_MAX_CHARS: the caller then answers `reset` with a snapshot. The count is known
 * from the change records alone, so an oversized catch-up reads no item at all.
 */
export async function replay(
  storage: ReplayReads,
  pageId: string,
  page: PageInfo,
  changes: ChangeRecord[],
  view: WallView,
  social = false,
  planner: { plan: boolean } | null = null,
): Promise<PageEvent[] | null> {
  const touched = new Map<string, Touched>();
  for (const c of changes) {
    const kind = KIND[c.type];
    const id = c.itemId ?? '';
    const key = `${kind}:${id}`;
    const before = touched.get(key);
    touched.set(key, {
      kind,
      id,
      seq: c.seq,
      removed: c.type === 'journal-removed' || c.type === 'wall-removed' || c.type === 'comment-removed' || c.type === 'task-removed',
      message: (before?.message ?? false) || c.type === 'wall' || c.type === 'journal',
      // A comment's entry stays in its first change's data (every one of them names it).
      data: c.data ?? before?.data ?? null,
    });
  }
  if (touched.size > CATCH_UP_MAX_EVENTS) return null;

  const all = [...touched.values()];
  const toRead = (kind: Touched['kind']) => all.filter((t) => t.kind === kind && !t.removed).map((t) => t.id);
  let chars = 0;

  const messages = await storage.wallByIds(pageId, toRead('wall'));
  for (const m of messages.values()) if (wallVisible(m, view)) chars += m.body.length + m.author.name.length;
  if (chars > CATCH_UP_MAX_CHARS) return null;

  const comments = await storage.commentsByIds(pageId, toRead('comment'));
  for (const c of comments.values()) if (wallVisible(c, view)) chars += c.body.length + c.author.name.length;
  if (chars > CATCH_UP_MAX_CHARS) return null;

  const entries = new Map<string, JournalEntry>();
  const journalIds = toRead('journal');
  // Entries that changed themselves go out whole, with the viewer's hearts and comments (SPEC 6.3).
  const whole = new Set(all.filter((t) => t.kind === 'journal' && t.message).map((t) => t.id));
  for (let i = 0; i < journalIds.length; i += JOURNAL_CHUNK) {
    const read = [...(await storage.journalByIds(pageId, journalIds.slice(i, i + JOURNAL_CHUNK))).values()];
    const decorated = social ? await withSocial(storage, pageId, view, read.filter((e) => whole.has(e.id))) : [];
    const done = new Set(decorated.map((e) => e.id));
    for (const e of [...read.filter((e) => !done.has(e.id)), ...decorated]) {
      entries.set(e.id, social ? e : withoutSocial(e));
      chars += e.title.length + e.body.length + e.author.name.length + (e.comments ?? []).reduce((n, c) => n + c.body.length + c.author.name.length, 0);
    }
    if (chars > CATCH_UP_MAX_CHARS) return null;
  }

  // Tasks, cancelled ones too (their note and volunteers say who hears why).
  const tasks = new Map<string, TaskRecord>();
  const sees = (t: TaskRecord) => seesDetails(t, { plan: planner?.plan === true, userId: view.userId });
  const taskIds = planner ? all.filter((t) => t.kind === 'task').map((t) => t.id) : [];
  for (let i = 0; i < taskIds.length; i += TASK_CHUNK) {
    for (const t of (await storage.tasksByIds(pageId, taskIds.slice(i, i + TASK_CHUNK))).values()) {
      tasks.set(t.id, t);
      chars += taskChars(t, sees(t));
    }
    if (chars > CATCH_UP_MAX_CHARS) return null;
  }
  const taskEvent = (t: Touched, task: TaskRecord | undefined): PageEvent => {
    const { seq, id } = t;
    if (!task || task.cancelledAt !== null) {
      const note = task?.cancelNote && sees(task) ? { note: task.cancelNote } : {};
      return { type: 'task:removed', data: { pageId, seq, taskId: id, ...note } };
    }
    return { type: 'task:changed', data: { pageId, seq, task: taskOut(task, sees(task)) } };
  };

  // Each commented entry's count as this viewer sees it now (the comment events carry it).
  const commentEntries = [...new Set(all.filter((t) => t.kind === 'comment').map((t) => entryOf(t, comments.get(t.id))))];
  const counts = commentEntries.length > 0 ? await storage.commentSummaries(pageId, commentEntries, view, 0) : new Map<string, { count: number }>();
  const commentEvent = (t: Touched, c: JournalComment | undefined): PageEvent => {
    const entryId = entryOf(t, c);
    const commentCount = counts.get(entryId)?.count ?? 0;
    if (!c || !wallVisible(c, view)) return { type: 'journal:comment-removed', data: { pageId, seq: t.seq, entryId, commentId: t.id, commentCount } };
    return { type: 'journal:comment', data: { pageId, seq: t.seq, entryId, comment: c, commentCount } };
  };
  const heartsOnly = social && view.userId ? all.filter((t) => t.kind === 'journal' && !t.message && !t.removed && (entries.get(t.id)?.hearts ?? 0) > 0).map((t) => t.id) : [];
  const entryHearted = heartsOnly.length > 0 ? await storage.journalHeartedBy(pageId, view.userId!, heartsOnly) : new Set<string>();
  const entryEvent = (t: Touched, e: JournalEntry | undefined): PageEvent => {
    const { seq, id } = t;
    if (!e) return { type: 'journal:removed', data: { pageId, seq, entryId: id } };
    if (t.message || !social) return { type: 'journal:entry', data: { pageId, seq, entry: e } };
    // Only its hearts changed: the count, and the viewer's own heart as for the wall.
    const last = t.data as { userId: string; on: boolean };
    const heart = view.userId ? { userId: view.userId, on: entryHearted.has(id) } : { userId: last.userId, on: last.on };
    return { type: 'journal:hearts', data: { pageId, seq, entryId: id, hearts: e.hearts ?? 0, ...heart } };
  };

  // A message nobody hearted is not hearted by this viewer: only the others are looked up.
  const heartedIds = [...messages.values()].filter((m) => m.hearts > 0).map((m) => m.id);
  const hearted = view.userId && heartedIds.length > 0 ? await storage.heartedBy(pageId, view.userId, heartedIds) : new Set<string>();
  const wallEvent = (t: Touched, m: WallMessage | undefined): PageEvent => {
    const { seq, id } = t;
    if (!m || !wallVisible(m, view)) return { type: 'wall:removed', data: { pageId, seq, messageId: id } };
    if (t.message) return { type: 'wall:message', data: { pageId, seq, message: { ...m, hearted: hearted.has(id) } } };
    const last = t.data as { userId: string; on: boolean };
    const heart = view.userId ? { userId: view.userId, on: hearted.has(id) } : { userId: last.userId, on: last.on };
    return { type: 'wall:hearts', data: { pageId, seq, messageId: id, hearts: m.hearts, ...heart } };
  };

  return all
    .filter((t) => t.kind !== 'task' || planner !== null)
    .sort((a, b) => a.seq - b.seq)
    .map((t): PageEvent => {
      const { seq, id } = t;
      switch (t.kind) {
        case 'journal':
          return entryEvent(t, entries.get(id));
        case 'comment':
          return commentEvent(t, comments.get(id));
        case 'wall':
          return wallEvent(t, messages.get(id));
        case 'follow':
          return { type: 'follow:count', data: { pageId, seq, followerCount: Number(t.data?.followerCount ?? page.followerCount) } };
        case 'page':
          return { type: 'page:updated', data: { pageId, seq, page } };
        case 'task':
          return taskEvent(t, tasks.get(id));
      }
    });
}

/** Which thing a stored change touched. */
const KIND: Record<ChangeType, Touched['kind']> = {
  journal: 'journal',
  'journal-removed': 'journal',
  'journal-hearts': 'journal',
  wall: 'wall',
  'wall-removed': 'wall',
  hearts: 'wall',
  'follow-count': 'follow',
  page: 'page',
  comment: 'comment',
  'comment-removed': 'comment',
  task: 'task',
  'task-removed': 'task',
};

/** The entry a comment belongs to: from the comment, or (deleted) from its change record. */
function entryOf(t: Touched, c: JournalComment | undefined): string {
  return c?.entryId ?? String(t.data?.entryId ?? '');
}
