import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { MediaRef } from '../../../src/protocol/index.js';
import { CareFailure } from '../errors.js';
import type { MediaDatabase, MediaTable } from './schema.js';

/** A photo as stored: everything a reader's `MediaItem` needs but the signed URLs. */
export interface StoredMedia {
  id: string;
  pageId: string;
  /** The entry it belongs to (set when read through an entry). */
  entryId?: string;
  alt: string;
  position: number;
  width: number;
  height: number;
  thumbWidth: number;
  thumbHeight: number;
}

/** The idempotency key of a journal entry, which is also its photos' claim. */
export interface EntryKey {
  authorId: string;
  clientId: string;
}

type Db = Kysely<MediaDatabase> | Transaction<MediaDatabase>;

/**
 * The photo rows (media/schema.ts) on the one SQL database. Changes to an entry's photos are
 * written before the change that makes them visible (the post, the edit's `seq`), so a reader
 * who sees the entry sees its photos.
 */
export class MediaStore {
  constructor(readonly db: Kysely<MediaDatabase>) {}

  async countForPage(pageId: string): Promise<number> {
    const r = await this.db.selectFrom('media').select((eb) => eb.fn.countAll<number | string>().as('n')).where('page_id', '=', pageId).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** The insert of a new upload's row, for `MediaBlobs.put` to run with the bytes. */
  insertRow(row: MediaTable): (db: Db) => Promise<void> {
    return async (db) => {
      await db.insertInto('media').values(row).execute();
    };
  }

  /**
   * Claims uploads of this page for a post not yet written (`entry`: its author and
   * clientId), with their order and alt text, all or none. An upload claimed already for the
   * same post (a retried `journal:post`) stays as it was; one of another page, unknown, or
   * claimed by another post is refused.
   */
  async claim(pageId: string, entry: EntryKey, refs: MediaRef[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const [position, ref] of refs.entries()) {
        await trx
          .updateTable('media')
          .set({ entry_author: entry.authorId, entry_client: entry.clientId, position, alt: ref.alt })
          .where('id', '=', ref.id)
          .where('page_id', '=', pageId)
          .where('entry_author', 'is', null)
          .execute();
      }
      await this.requireClaimed(trx, pageId, entry, refs);
    });
  }

  /**
   * An entry's photos become exactly `refs`, in that order with those alt texts: new uploads
   * are claimed, photos left out are deleted. Returns the ids deleted (their bytes go after
   * the commit when they are files).
   */
  async replace(pageId: string, entry: EntryKey, refs: MediaRef[]): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      const current = await this.claimedBy(trx, pageId, entry);
      const keep = new Set(refs.map((r) => r.id));
      const removed = current.filter((id) => !keep.has(id));
      for (const [position, ref] of refs.entries()) {
        await trx
          .updateTable('media')
          .set({ entry_author: entry.authorId, entry_client: entry.clientId, position, alt: ref.alt })
          .where('id', '=', ref.id)
          .where('page_id', '=', pageId)
          .where((eb) => eb.or([eb('entry_author', 'is', null), eb.and([eb('entry_author', '=', entry.authorId), eb('entry_client', '=', entry.clientId)])]))
          .execute();
      }
      await this.requireClaimed(trx, pageId, entry, refs);
      await deleteMediaRows(trx, removed);
      return removed;
    });
  }

  private async claimedBy(db: Db, pageId: string, entry: EntryKey): Promise<string[]> {
    const rows = await db.selectFrom('media').select('id').where('page_id', '=', pageId).where('entry_author', '=', entry.authorId).where('entry_client', '=', entry.clientId).execute();
    return rows.map((r) => r.id);
  }

  private async requireClaimed(db: Db, pageId: string, entry: EntryKey, refs: MediaRef[]): Promise<void> {
    if (refs.length === 0) return;
    const mine = new Set(await this.claimedBy(db, pageId, entry));
    const missing = refs.find((r) => !mine.has(r.id));
    if (missing) throw new CareFailure('invalid', `media: photo "${missing.id}" was not uploaded to this page, or belongs to another update.`);
  }

  /** The idempotency key of an entry of the page, or `null` when there is no such entry. */
  async entryKey(pageId: string, entryId: string): Promise<EntryKey | null> {
    const r = await this.db.selectFrom('journal_entries').select(['author_id', 'client_id']).where('page_id', '=', pageId).where('id', '=', entryId).executeTakeFirst();
    return r ? { authorId: r.author_id, clientId: r.client_id } : null;
  }

  /** The photos of these entries, in order, by entry id (entries without photos are absent). */
  async ofEntries(pageId: string, entryIds: string[]): Promise<Map<string, StoredMedia[]>> {
    const out = new Map<string, StoredMedia[]>();
    if (entryIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('media as m')
      .innerJoin('journal_entries as j', (j) => j.onRef('j.page_id', '=', 'm.page_id').onRef('j.author_id', '=', 'm.entry_author').onRef('j.client_id', '=', 'm.entry_client'))
      .selectAll('m')
      .select('j.id as entry_id')
      .where('m.page_id', '=', pageId)
      .where('j.id', 'in', entryIds)
      .orderBy('m.position')
      .execute();
    for (const r of rows) {
      const list = out.get(r.entry_id) ?? [];
      list.push({ ...toStored(r), entryId: r.entry_id });
      out.set(r.entry_id, list);
    }
    return out;
  }

  /** A photo of the page that belongs to an entry that exists; `null` otherwise (unposted, deleted). */
  async attached(pageId: string, mediaId: string): Promise<StoredMedia | null> {
    const r = await this.db
      .selectFrom('media as m')
      .innerJoin('journal_entries as j', (j) => j.onRef('j.page_id', '=', 'm.page_id').onRef('j.author_id', '=', 'm.entry_author').onRef('j.client_id', '=', 'm.entry_client'))
      .selectAll('m')
      .select('j.id as entry_id')
      .where('m.page_id', '=', pageId)
      .where('m.id', '=', mediaId)
      .executeTakeFirst();
    return r ? { ...toStored(r), entryId: r.entry_id } : null;
  }

  /** Ids of the photos of one entry, or of a whole page. */
  async idsOf(pageId: string, entryId?: string): Promise<string[]> {
    if (entryId === undefined) return (await this.db.selectFrom('media').select('id').where('page_id', '=', pageId).execute()).map((r) => r.id);
    const key = await this.entryKey(pageId, entryId);
    return key ? this.claimedBy(this.db, pageId, key) : [];
  }

  async existing(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.selectFrom('media').select('id').where('id', 'in', ids).execute();
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Deletes uploads created before `before` that no entry holds: never posted, or claimed
   * by a post that was never written. Returns their ids.
   */
  async deleteOrphans(before: string): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('media as m')
        .select('m.id')
        .where('m.created_at', '<', before)
        .where((eb) =>
          eb.or([
            eb('m.entry_author', 'is', null),
            eb.not(
              eb.exists(
                eb
                  .selectFrom('journal_entries as j')
                  .select(sql`1`.as('one'))
                  .whereRef('j.page_id', '=', 'm.page_id')
                  .whereRef('j.author_id', '=', 'm.entry_author')
                  .whereRef('j.client_id', '=', 'm.entry_client'),
              ),
            ),
          ]),
        )
        .limit(1000)
        .execute();
      const ids = rows.map((r) => r.id);
      await deleteMediaRows(trx, ids);
      return ids;
    });
  }
}

/**
 * Deletes the photos of a deleted entry (by its idempotency key) or of a whole page, with
 * their bytes when they are in the database, inside the caller's transaction: storage's
 * `deleteJournal` and `deletePage` call it, so the photos go in the commit that deletes them.
 */
export async function purgeMediaIn(trx: Transaction<never>, pageId: string, entry?: { author_id: string; client_id: string }): Promise<void> {
  const db = trx as unknown as Transaction<MediaDatabase>;
  let q = db.selectFrom('media').select('id').where('page_id', '=', pageId);
  if (entry) q = q.where('entry_author', '=', entry.author_id).where('entry_client', '=', entry.client_id);
  const ids = (await q.execute()).map((r) => r.id);
  await deleteMediaRows(db, ids);
}

async function deleteMediaRows(db: Db, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    // The bytes first (their foreign key), explicitly, like every purge here.
    await db.deleteFrom('media_blobs').where('media_id', 'in', chunk).execute();
    await db.deleteFrom('media').where('id', 'in', chunk).execute();
  }
}

function toStored(r: Selectable<MediaTable>): StoredMedia {
  return {
    id: r.id,
    pageId: r.page_id,
    alt: r.alt ?? '',
    position: r.position,
    width: r.width,
    height: r.height,
    thumbWidth: r.thumb_width,
    thumbHeight: r.thumb_height,
  };
}
