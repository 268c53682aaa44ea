import type { JournalEntry } from '../../../src/protocol/index.js';
import { rooms } from '../pages/rooms.js';
import { currentIdentity } from '../pages/presence.js';
import type { CareNamespace } from '../socket/types.js';
import type { Storage } from '../storage/types.js';
import type { MediaService } from './service.js';
import { ANYONE, type UrlViewer } from './signing.js';

/**
 * Live `journal:entry` with photos, each reader's URLs made for them.
 *
 * - An entry without photos, or any entry of a public page: one broadcast to the page's
 *   readers, as before (a public page's URLs are made for anyone: they work while the page is
 *   public, which is what any reader, signed in or not, could see anyway).
 * - A members-only or private page's entry with photos: every reader is signed in and in
 *   their own page room (`rooms.self`), so the readers are looked up (on every node, through
 *   the adapter) and each person gets the entry with URLs naming them: one emit per person,
 *   not per socket.
 *
 * The emit happens after a lookup, so it may overtake, or be overtaken by, a later change's
 * event: clients apply events in `seq` order and hold early ones back (page-store.ts).
 */
export class MediaFanout {
  constructor(
    private readonly ns: CareNamespace,
    private readonly storage: Storage,
    private readonly media: MediaService,
  ) {}

  journalEntry(entry: JournalEntry, seq: number): void {
    this.#send(entry, seq).catch((err) => console.error('[care] journal:entry fan-out failed:', err));
  }

  async #send(entry: JournalEntry, seq: number): Promise<void> {
    const { pageId } = entry;
    const page = await this.storage.getPage(pageId);
    if (!page) return;
    // The page service hands an entry that is the same for every reader (entry-social.ts
    // `forEveryone`: a new one with `hearted: false`, an edited one without `hearted`), so it
    // goes out as it is, with photo URLs added.
    const broadcast = entry;
    const found = await this.media.storedOf(pageId, [broadcast]);
    const [forAnyone] = this.media.signedFor(ANYONE, [broadcast], found);
    if (page.visibility === 'public' || (forAnyone!.media ?? []).length === 0) {
      this.ns.to(rooms.read(pageId)).emit('journal:entry', { pageId, seq, entry: forAnyone! });
      return;
    }
    const sockets = await this.ns.in(rooms.read(pageId)).fetchSockets();
    const people = new Map<string, UrlViewer>();
    for (const s of sockets) {
      const who = currentIdentity(s);
      if (who === null || who === 'expired') continue;
      const viewer: UrlViewer = who.staff ? { kind: who.staff, userId: who.userId } : { kind: 'user', userId: who.userId };
      const before = people.get(who.userId);
      // Two sockets of one person with different roles (a staff token in one tab): the URL is
      // checked against their page rights, which both have.
      people.set(who.userId, before && before.kind !== viewer.kind ? { kind: 'user', userId: who.userId } : viewer);
    }
    for (const viewer of people.values()) {
      const [mine] = this.media.signedFor(viewer, [broadcast], found);
      this.ns.to(rooms.self(pageId, viewer.userId)).emit('journal:entry', { pageId, seq, entry: mine! });
    }
  }
}
