import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { MediaDatabase } from './schema.js';

export type Variant = 'display' | 'thumb';
export const VARIANTS: readonly Variant[] = ['display', 'thumb'];

/**
 * Where the image bytes live. Two implementations: the database (default: every node already
 * shares it, backups include the photos, deletion is transactional with the rows) and a
 * directory (`CARE_MEDIA_DIR`: keeps large binaries out of the database; with several nodes it
 * must be shared storage). The rows in `media` are the truth either way: a file without a row
 * is garbage (`sweep`), a row without its bytes answers 404.
 */
export interface MediaBlobs {
  readonly kind: 'database' | 'filesystem';
  /**
   * Stores both sizes of one photo; `insertRow` writes its `media` row. For the database they
   * commit together; for files, the files are written first and removed if the row fails.
   */
  put(mediaId: string, data: Record<Variant, Buffer>, insertRow: (trx: Transaction<MediaDatabase> | Kysely<MediaDatabase>) => Promise<void>): Promise<void>;
  get(mediaId: string, variant: Variant): Promise<Buffer | null>;
  /** Deletes the bytes of photos whose rows are gone (the database does this with the rows). */
  delete(mediaIds: string[]): Promise<void>;
  /** Removes bytes that belong to no row, older than `olderThanMs` (a crash between steps). */
  sweep(exists: (ids: string[]) => Promise<Set<string>>, olderThanMs: number): Promise<number>;
}

export class DatabaseBlobs implements MediaBlobs {
  readonly kind = 'database';

  constructor(private readonly db: Kysely<MediaDatabase>) {}

  async put(mediaId: string, data: Record<Variant, Buffer>, insertRow: (trx: Transaction<MediaDatabase>) => Promise<void>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await insertRow(trx);
      await trx
        .insertInto('media_blobs')
        .values(VARIANTS.map((variant) => ({ media_id: mediaId, variant, data: data[variant] })))
        .execute();
    });
  }

  async get(mediaId: string, variant: Variant): Promise<Buffer | null> {
    const row = await this.db.selectFrom('media_blobs').select('data').where('media_id', '=', mediaId).where('variant', '=', variant).executeTakeFirst();
    return row ? Buffer.from(row.data) : null;
  }

  /** Nothing to do: `purgeMediaIn` deletes the bytes with the rows, in their transaction. */
  async delete(): Promise<void> {}

  async sweep(): Promise<number> {
    return 0;
  }
}

/**
 * One file per photo and size: `<dir>/<first two characters of the id>/<id>.<variant>.webp`.
 * Written to a temporary name and renamed, so a reader never sees half a file.
 */
export class FileBlobs implements MediaBlobs {
  readonly kind = 'filesystem';

  constructor(
    private readonly dir: string,
    private readonly db: Kysely<MediaDatabase>,
  ) {}

  private path(mediaId: string, variant: Variant): string {
    return join(this.dir, mediaId.slice(0, 2), `${mediaId}.${variant}.webp`);
  }

  async put(mediaId: string, data: Record<Variant, Buffer>, insertRow: (db: Kysely<MediaDatabase>) => Promise<void>): Promise<void> {
    await mkdir(join(this.dir, mediaId.slice(0, 2)), { recursive: true });
    for (const variant of VARIANTS) {
      const final = this.path(mediaId, variant);
      const temp = `${final}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temp, data[variant], { mode: 0o600 });
      await rename(temp, final);
    }
    try {
      await insertRow(this.db);
    } catch (err) {
      await this.delete([mediaId]);
      throw err;
    }
  }

  async get(mediaId: string, variant: Variant): Promise<Buffer | null> {
    try {
      return await readFile(this.path(mediaId, variant));
    } catch {
      return null;
    }
  }

  async delete(mediaIds: string[]): Promise<void> {
    await Promise.all(mediaIds.flatMap((id) => VARIANTS.map((v) => rm(this.path(id, v), { force: true }))));
  }

  async sweep(exists: (ids: string[]) => Promise<Set<string>>, olderThanMs: number): Promise<number> {
    let removed = 0;
    let shards: string[];
    try {
      shards = await readdir(this.dir);
    } catch {
      return 0;
    }
    const cutoff = Date.now() - olderThanMs;
    for (const shard of shards) {
      const files = await readdir(join(this.dir, shard)).catch(() => [] as string[]);
      const ids = [...new Set(files.map((f) => f.split('.')[0]!))];
      if (ids.length === 0) continue;
      const kept = await exists(ids);
      for (const f of files) {
        const id = f.split('.')[0]!;
        if (kept.has(id) && !f.endsWith('.tmp')) continue;
        const path = join(this.dir, shard, f);
        const s = await stat(path).catch(() => null);
        if (s && s.mtimeMs < cutoff) {
          await rm(path, { force: true });
          removed++;
        }
      }
    }
    return removed;
  }
}
