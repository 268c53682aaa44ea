import type { JournalComment, JournalEntry, WallMessage } from '../../../src/protocol/index.js';
import { LIMITS } from '../../../src/protocol/index.js';
import type { ChangeRecord, CommentSummary, Page, PageRecord, PlannerStorage, Storage, TaskRecord, WallView } from '../storage/types.js';
import type { SocialReads } from './entry-social.js';
import { wallVisible } from './visibility.js';

/** How long a page's read is reused (at the same `seq`), and how much text all of them may hold. */
const REUSE_MS = 3_000;
const MAX_CHARS = 8_000_000;
/** Wall messages read for everyone: enough for a moderator's snapshot with room for hidden ones. */
const WALL_READ = 2 * LIMITS.snapshotWall;

interface Entry {
  at: number;
  /** Text held (titles, bodies, names), counted once a read resolved. */
  chars: number;
  reads: Map<string, Promise<unknown>>;
}

/** What replay.ts reads, answered from the shared reads of one page at one `seq`. */
export type ReplayReads = Pick<Storage, 'wallByIds' | 'journalByIds' | 'heartedBy' | 'commentsByIds'> & SocialReads & Pick<PlannerStorage, 'tasksByIds'>;

const textOf = (x: JournalEntry | WallMessage | JournalComment) => ('title' in x ? x.title.length : 0) + x.body.length + x.author.name.length;
const taskText = (t: TaskRecord) => t.title.length + t.details.length + (t.cancelNote?.length ?? 0) + t.volunteers.reduce((n, v) => n + v.name.length, 0);
const summaryText = (m: Map<string, CommentSummary>) => [...m.values()].reduce((n, s) => n + s.last.reduce((k, c) => k + textOf(c), 0), 0);

/**
 * The reads of `page:subscribe` that do not depend on who asks, shared by every subscriber of
 * a page at one `seq`: when a node restarts or a popular page is opened, hundreds of sockets
 * subscribe to the same page within a second, and each used to read its newest journal
 * entries and wall messages (a snapshot), or the changes since its `seq` and their items (a
 * catch-up: after a restart they all come back with the same `since`).
 *
 * Why sharing is exact: every change to a page's entries and messages (post, edit, delete,
 * hide, approve, heart) bumps the page's `seq` in the same transaction (storage), and the key
 * is the page's lifetime (`uid`: a page deleted and created again is another) and `seq` as the
 * subscriber read them, after joining the page's rooms. A read a key holds started after
 * someone read that `seq`, so it shows the page at that `seq` or later: as fresh as a read of
 * the subscriber's own (a later change then also arrives live and is applied once by `seq`).
 *
 * The wall is read once in a moderator's view (every message) and filtered per viewer with
 * `wallVisible`, the rule the storage query applies; when the filter leaves fewer than a
 * snapshot's worth while older messages exist, that viewer's own query runs as before.
 * Whose hearts are whose is per viewer and never shared.
 */
export class SnapshotReads {
  readonly #entries = new Map<string, Entry>();
  #chars = 0;

  constructor(private readonly storage: Storage) {}

  journal(page: PageRecord): Promise<Page<JournalEntry>> {
    return this.#read(page, 'journal', () => this.storage.journalPage(page.id, null, LIMITS.snapshotJournal), (p) => p.items.reduce((n, e) => n + textOf(e), 0));
  }

  async wall(page: PageRecord, view: WallView): Promise<Page<WallMessage>> {
    const all = await this.#read(
      page,
      'wall',
      () => this.storage.wallPage(page.id, null, WALL_READ, { moderator: true, userId: null }),
      (p) => p.items.reduce((n, m) => n + textOf(m), 0),
    );
    const visible = view.moderator ? all.items : all.items.filter((m) => wallVisible(m, view));
    if (visible.length > LIMITS.snapshotWall) return { items: visible.slice(0, LIMITS.snapshotWall), hasMore: true };
    if (!all.hasMore) return { items: visible, hasMore: false };
    return this.storage.wallPage(page.id, null, LIMITS.snapshotWall, view);
  }

  /**
   * SPEC 6.4: the snapshot's tasks (not cancelled, dated `fromDate` on), with every task's
   * details: shared like the rest, then shaped for each viewer (task-view.ts).
   */
  tasks(page: PageRecord, fromDate: string): Promise<Page<TaskRecord>> {
    return this.#read(page, `tasks:${fromDate}`, () => this.storage.planner.tasksFrom(page.id, fromDate, LIMITS.snapshotTasks), (p) => p.items.reduce((n, t) => n + taskText(t), 0));
  }

  /** The changes after `since` (storage's `changesSince`). */
  changesSince(page: PageRecord, since: number): Promise<ChangeRecord[] | null> {
    return this.#read(page, `changes:${since}`, () => this.storage.changesSince(page.id, since), (c) => (c ? c.length * 64 : 0));
  }

  /** The item reads of a catch-up (replay.ts), shared; `heartedBy` is the viewer's own. */
  replayReads(page: PageRecord): ReplayReads {
    const byIds = <T extends JournalEntry | WallMessage | JournalComment>(kind: string, read: (ids: string[]) => Promise<Map<string, T>>) => (pageId: string, ids: string[]) =>
      pageId === page.id ? this.#read(page, `${kind}:${ids.join(',')}`, () => read(ids), (m) => [...m.values()].reduce((n, x) => n + textOf(x), 0)) : read(ids);
    return {
      wallByIds: byIds('wall-ids', (ids) => this.storage.wallByIds(page.id, ids)),
      journalByIds: byIds('journal-ids', (ids) => this.storage.journalByIds(page.id, ids)),
      commentsByIds: byIds('comment-ids', (ids) => this.storage.commentsByIds(page.id, ids)),
      heartedBy: (pageId, userId, ids) => this.storage.heartedBy(pageId, userId, ids),
      tasksByIds: (pageId, ids) =>
        pageId === page.id
          ? this.#read(page, `task-ids:${ids.join(',')}`, () => this.storage.planner.tasksByIds(page.id, ids), (m) => [...m.values()].reduce((n, t) => n + taskText(t), 0))
          : this.storage.planner.tasksByIds(pageId, ids),
      ...this.socialReads(page),
    };
  }

  /**
   * The comment reads of entries' decoration (SPEC 6.3, entry-social.ts), shared like the
   * wall: read once in a moderator's view and once in the view of a reader with no held
   * comment on these entries (most readers); a reader who has a held comment among them (its
   * author) reads their own. Whose hearts are whose is per viewer and never shared.
   */
  socialReads(page: PageRecord): SocialReads {
    return {
      journalHeartedBy: (pageId, userId, ids) => this.storage.journalHeartedBy(pageId, userId, ids),
      commentSummaries: async (pageId, ids, view, last) => {
        if (pageId !== page.id) return this.storage.commentSummaries(pageId, ids, view, last);
        const key = `${last}:${ids.join(',')}`;
        const shared = (who: string, as: WallView) => this.#read(page, `comments-${who}:${key}`, () => this.storage.commentSummaries(pageId, ids, as, last), summaryText);
        if (view.moderator) return shared('mod', { moderator: true, userId: null });
        const held = await this.#read(page, `comments-held:${ids.join(',')}`, () => this.storage.heldCommentAuthors(pageId, ids), (s) => s.size * 16);
        if (view.userId !== null && held.has(view.userId)) return this.storage.commentSummaries(pageId, ids, view, last);
        return shared('reader', { moderator: false, userId: null });
      },
    };
  }

  /** One read of `page` at its `seq`, started by the first caller and shared until REUSE_MS. */
  #read<T>(page: PageRecord, what: string, read: () => Promise<T>, chars: (value: T) => number): Promise<T> {
    const key = `${page.uid}\n${page.seq}`;
    const now = Date.now();
    let entry = this.#entries.get(key);
    if (entry && now - entry.at >= REUSE_MS) {
      this.#drop(key, entry);
      entry = undefined;
    }
    if (!entry) {
      entry = { at: now, chars: 0, reads: new Map() };
      this.#entries.set(key, entry);
      this.#evict(now);
    }
    const found = entry.reads.get(what);
    if (found) return found as Promise<T>;
    const promise = read();
    entry.reads.set(what, promise);
    const held = entry;
    promise.then(
      (value) => {
        if (this.#entries.get(key) !== held) return;
        const n = chars(value);
        held.chars += n;
        this.#chars += n;
        this.#evict(now);
      },
      // A failed read is not kept: each of its callers sees the error, the next one reads again.
      () => {
        if (held.reads.get(what) === promise) held.reads.delete(what);
      },
    );
    return promise;
  }

  /** Drops expired entries, then the oldest while the text held is over budget. */
  #evict(now: number): void {
    for (const [key, e] of this.#entries) {
      if (now - e.at < REUSE_MS && this.#chars <= MAX_CHARS) break;
      this.#drop(key, e);
    }
  }

  #drop(key: string, entry: Entry): void {
    if (this.#entries.get(key) !== entry) return;
    this.#entries.delete(key);
    this.#chars -= entry.chars;
  }
}
