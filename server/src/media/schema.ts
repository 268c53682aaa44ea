import type { Kysely } from 'kysely';

/**
 * The media tables (migration `009_media`), typed apart from storage/schema.ts so the photo
 * code stays in this folder; media/store.ts reads the one database through this view of it.
 *
 * A photo belongs to a page from its upload, and to an entry once a post or an edit names it.
 * The link to the entry is the entry's idempotency key (`entry_author`, `entry_client`), not
 * its id: the photos are claimed for `(author, clientId)` before the post is written, so the
 * entry and its photos become visible in the same commit (the post's), with no second write
 * after it. A claim whose post never came is an orphan, deleted after a day like an unclaimed
 * upload.
 */
export interface MediaTable {
  id: string;
  page_id: string;
  uploader_id: string;
  entry_author: string | null;
  entry_client: string | null;
  position: number;
  alt: string | null;
  width: number;
  height: number;
  thumb_width: number;
  thumb_height: number;
  /** Bytes stored (both sizes), for the operator. */
  bytes: number;
  created_at: string;
}

/** The image bytes when they live in the database (the default; see blobs.ts). */
export interface MediaBlobsTable {
  media_id: string;
  variant: string;
  data: Buffer;
}

export interface MediaDatabase {
  media: MediaTable;
  media_blobs: MediaBlobsTable;
  journal_entries: { id: string; page_id: string; author_id: string; client_id: string };
  pages: { id: string; visibility: string };
}

export async function createMediaTables(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema
    .createTable('media')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull().references('pages.id').onDelete('cascade'))
    .addColumn('uploader_id', 'text', (c) => c.notNull())
    .addColumn('entry_author', 'text')
    .addColumn('entry_client', 'text')
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('alt', 'text')
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('thumb_width', 'integer', (c) => c.notNull())
    .addColumn('thumb_height', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('media_entry').on('media').columns(['page_id', 'entry_author', 'entry_client']).execute();
  await db.schema.createIndex('media_created').on('media').columns(['created_at']).execute();
  await db.schema
    .createTable('media_blobs')
    .addColumn('media_id', 'text', (c) => c.notNull().references('media.id').onDelete('cascade'))
    .addColumn('variant', 'text', (c) => c.notNull())
    .addColumn('data', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
    .addPrimaryKeyConstraint('media_blobs_pk', ['media_id', 'variant'])
    .execute();
}
