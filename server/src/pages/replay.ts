import type { PageEvent, PageInfo } from '../../../src/protocol/index.js';
import type { ChangeRecord, Storage, WallView } from '../storage/types.js';
import { wallVisible } from './visibility.js';

/**
 * Turns stored changes into the events one viewer missed. Items are read in their current
 * state: a deleted item replays as removed (its text is gone from the server, so it cannot
 * be replayed), an edited one as its latest version, a hidden one as removed for
 * non-moderators. Every change yields one event, so the viewer's `seq` stays gap-free.
 */
export async function replay(storage: Storage, pageId: string, page: PageInfo, changes: ChangeRecord[], view: WallView): Promise<PageEvent[]> {
  const ids = (types: ChangeRecord['type'][]) => [...new Set(changes.filter((c) => types.includes(c.type) && c.itemId).map((c) => c.itemId!))];
  const [entries, messages] = await Promise.all([
    storage.journalByIds(pageId, ids(['journal'])),
    storage.wallByIds(pageId, ids(['wall', 'hearts'])),
  ]);
  const hearted = view.userId ? await storage.heartedBy(pageId, view.userId, [...messages.keys()]) : new Set<string>();

  return changes.map((c): PageEvent => {
    const { seq } = c;
    const id = c.itemId ?? '';
    switch (c.type) {
      case 'journal': {
        const entry = entries.get(id);
        return entry ? { type: 'journal:entry', data: { pageId, seq, entry } } : { type: 'journal:removed', data: { pageId, seq, entryId: id } };
      }
      case 'journal-removed':
        return { type: 'journal:removed', data: { pageId, seq, entryId: id } };
      case 'wall': {
        const m = messages.get(id);
        if (!m || !wallVisible(m, view)) return { type: 'wall:removed', data: { pageId, seq, messageId: id } };
        return { type: 'wall:message', data: { pageId, seq, message: { ...m, hearted: hearted.has(id) } } };
      }
      case 'wall-removed':
        return { type: 'wall:removed', data: { pageId, seq, messageId: id } };
      case 'hearts': {
        const m = messages.get(id);
        if (!m || !wallVisible(m, view)) return { type: 'wall:removed', data: { pageId, seq, messageId: id } };
        const d = c.data as { userId: string; on: boolean };
        return { type: 'wall:hearts', data: { pageId, seq, messageId: id, hearts: m.hearts, userId: d.userId, on: d.on } };
      }
      case 'follow-count':
        return { type: 'follow:count', data: { pageId, seq, followerCount: Number(c.data?.followerCount ?? page.followerCount) } };
      case 'page':
        return { type: 'page:updated', data: { pageId, seq, page } };
    }
  });
}
