import type { JournalEntry, WallMessage } from '../../../src/protocol/index.js';
import { LIMITS } from '../../../src/protocol/index.js';
import type { Page, PageRecord, Storage, WallView } from '../storage/types.js';
import { wallVisible } from './visibility.js';

/** How long a page's read is reused (at the same `seq`), and how much text all of them may hold. */
const REUSE_MS = 3_000;
const MAX_CHARS = 8_000_000;
/** Wall messages read for everyone: enough for a moderator's snapshot with room for hidden ones. */
const WALL_READ = 2 * LIMITS.snapshotWall;

interface Entry {
  at: number;
  chars: number;
  journal: Promise<Page<JournalEntry>>;
  /** The newest WALL_READ messages, hidden and pending ones included (a moderator's view). */
  wall: Promise<Page<WallMessage>>;
}

/**
 * The snapshot reads of `page:subscribe`, shared by every subscriber of a page at one `seq`:
 * when a node restarts or a popular page is opened, hundreds of sockets subscribe to the same
 * page within a second, and each used to read its newest journal entries and wall messages.
 *
 * Why sharing is exact: every change to a page's entries and messages (post, edit, delete,
 * hide, approve, heart) bumps the page's `seq` in the same transaction (storage), and the key
 * is the page's lifetime (`uid`: a page deleted and created again is another) and `seq` as the
 * subscriber read them, after joining the page's rooms. The read a key holds started after
 * someone read that `seq`, so it shows the page at that `seq` or later: as fresh as a read of
 * the subscriber's own (a later change then also arrives live and is applied once by `seq`).
 *
 * The wall is read once in a moderator's view (every message) and filtered per viewer with
 * `wallVisible`, the rule the storage query applies; when the filter leaves fewer than a
 * snapshot's worth while older messages exist, that viewer's own query runs as before.
 */
export class SnapshotReads {
  readonly #entries = new Map<string, Entry>();
  #chars = 0;

  constructor(private readonly storage: Storage) {}

  journal(page: PageRecord): Promise<Page<JournalEntry>> {
    return this.#entry(page).journal;
  }

  async wall(page: PageRecord, view: WallView): Promise<Page<WallMessage>> {
    const all = await this.#entry(page).wall;
    const visible = view.moderator ? all.items : all.items.filter((m) => wallVisible(m, view));
    if (visible.length > LIMITS.snapshotWall) return { items: visible.slice(0, LIMITS.snapshotWall), hasMore: true };
    if (!all.hasMore) return { items: visible, hasMore: false };
    return this.storage.wallPage(page.id, null, LIMITS.snapshotWall, view);
  }

  #entry(page: PageRecord): Entry {
    const key = `${page.uid}\n${page.seq}`;
    const now = Date.now();
    const found = this.#entries.get(key);
    if (found && now - found.at < REUSE_MS) return found;
    if (found) this.#drop(key, found);
    const entry: Entry = {
      at: now,
      chars: 0,
      journal: this.storage.journalPage(page.id, null, LIMITS.snapshotJournal),
      wall: this.storage.wallPage(page.id, null, WALL_READ, { moderator: true, userId: null }),
    };
    this.#entries.set(key, entry);
    Promise.all([entry.journal, entry.wall]).then(
      ([journal, wall]) => {
        if (this.#entries.get(key) !== entry) return;
        for (const e of journal.items) entry.chars += e.title.length + e.body.length + e.author.name.length;
        for (const m of wall.items) entry.chars += m.body.length + m.author.name.length;
        this.#chars += entry.chars;
        this.#evict(now);
      },
      // A failed read is not kept: each subscriber sees the error, the next one reads again.
      () => this.#drop(key, entry),
    );
    return entry;
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
