import { randomUUID } from 'node:crypto';
import type { JournalEntry, MediaItem, MediaRef, PageEvent, UploadedMedia, Viewer } from '../../../src/protocol/index.js';
import { capabilities } from '../access.js';
import type { Identity } from '../auth/identity.js';
import { CareFailure } from '../errors.js';
import type { Storage } from '../storage/types.js';
import type { MediaBlobs, Variant } from './blobs.js';
import { encodeImage, EncodeQueue } from './encode.js';
import type { MediaSettings } from './settings.js';
import { ANYONE, type MediaSigner, type UrlViewer } from './signing.js';
import type { EntryKey, MediaStore, StoredMedia } from './store.js';

/** The viewer a URL is made for, from their rights on the page (see signing.ts). */
export function urlViewerOf(viewer: Pick<Viewer, 'userId' | 'staff'>): UrlViewer {
  if (viewer.userId === null) return ANYONE;
  return viewer.staff ? { kind: viewer.staff, userId: viewer.userId } : { kind: 'user', userId: viewer.userId };
}

/** Why a signed image request is answered without the image. */
export type ServeRefusal = 'signature' | 'expired' | 'forbidden' | 'not_found';

/**
 * Journal photos (SPEC 6.3): uploads, their place in entries, readers' signed URLs, serving,
 * and deletion. The page service calls in here at each point where an entry leaves the server
 * (answers, events, snapshots, catch-up, history), so every `MediaItem` is made for the viewer
 * who receives it.
 */
export class MediaService {
  readonly #queue = new EncodeQueue(2);
  #sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly storage: Storage,
    private readonly store: MediaStore,
    readonly blobs: MediaBlobs,
    private readonly signer: MediaSigner,
    readonly settings: MediaSettings,
  ) {}

  /* ------------------------------------------------------------------------------ upload */

  /**
   * Stores an upload of `uploaderId` (an owner or editor, checked by the caller) for the page:
   * re-encoded, at two sizes, without metadata, not yet in any entry.
   */
  async ingest(pageId: string, uploaderId: string, file: Buffer): Promise<UploadedMedia> {
    if (file.length > this.settings.maxBytes) throw new CareFailure('too_large', `A photo may be at most ${this.settings.maxBytes} bytes.`);
    if ((await this.store.countForPage(pageId)) >= this.settings.perPage) {
      throw new CareFailure('too_large', `This page holds its limit of ${this.settings.perPage} photos; delete some updates first.`);
    }
    const encoded = await this.#queue.run(() => encodeImage(file, this.settings.maxPixels));
    const id = randomUUID();
    const row = {
      id,
      page_id: pageId,
      uploader_id: uploaderId,
      entry_author: null,
      entry_client: null,
      position: 0,
      alt: null,
      width: encoded.display.width,
      height: encoded.display.height,
      thumb_width: encoded.thumb.width,
      thumb_height: encoded.thumb.height,
      bytes: encoded.display.data.length + encoded.thumb.data.length,
      created_at: new Date().toISOString(),
    };
    await this.blobs.put(id, { display: encoded.display.data, thumb: encoded.thumb.data }, this.store.insertRow(row));
    return { id, width: row.width, height: row.height };
  }

  /* ------------------------------------------------------------------- entries' photos */

  /** Before a post is written: its photos are claimed for it (see media/schema.ts). */
  async claim(pageId: string, entry: EntryKey, refs: MediaRef[]): Promise<void> {
    if (refs.length > 0) await this.store.claim(pageId, entry, refs);
  }

  /**
   * Before an edit is written: the entry's photos become `refs`; the ones left out are
   * deleted (their files too). `not_found` when there is no such entry.
   */
  async replace(pageId: string, entryId: string, refs: MediaRef[]): Promise<void> {
    const key = await this.store.entryKey(pageId, entryId);
    if (!key) throw new CareFailure('not_found', 'No such journal entry.');
    const removed = await this.store.replace(pageId, key, refs);
    await this.blobs.delete(removed);
  }

  /** Ids whose files must go once an entry (or, without `entryId`, the page) is deleted. */
  async filesOf(pageId: string, entryId?: string): Promise<string[]> {
    return this.blobs.kind === 'filesystem' ? this.store.idsOf(pageId, entryId) : [];
  }

  async deleteFiles(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.blobs.delete(ids);
  }

  /** The entries with their photos (`media`, always present), URLs made for `viewer`. */
  async withMedia(pageId: string, viewer: UrlViewer, entries: JournalEntry[]): Promise<JournalEntry[]> {
    if (entries.length === 0) return entries;
    return this.signedFor(viewer, entries, await this.storedOf(pageId, entries));
  }

  /** The stored photos of some entries of a page, by entry id (one read for many viewers). */
  storedOf(pageId: string, entries: JournalEntry[]): Promise<Map<string, StoredMedia[]>> {
    return this.store.ofEntries(pageId, entries.map((e) => e.id));
  }

  /** The entries with `media` from `found`, URLs made for `viewer`. */
  signedFor(viewer: UrlViewer, entries: JournalEntry[], found: Map<string, StoredMedia[]>): JournalEntry[] {
    const exp = this.signer.expiry();
    return entries.map((e) => ({ ...e, media: (found.get(e.id) ?? []).map((m) => this.item(m, viewer, exp)) }));
  }

  /** The `journal:entry` events of a catch-up, with their photos for `viewer`. */
  async eventsWithMedia(pageId: string, viewer: UrlViewer, events: PageEvent[]): Promise<PageEvent[]> {
    const entries = events.flatMap((e) => (e.type === 'journal:entry' ? [e.data.entry] : []));
    if (entries.length === 0) return events;
    const withMedia = new Map((await this.withMedia(pageId, viewer, entries)).map((e) => [e.id, e]));
    return events.map((e) => (e.type === 'journal:entry' ? { ...e, data: { ...e.data, entry: withMedia.get(e.data.entry.id) ?? e.data.entry } } : e));
  }

  /** `media:urls`: fresh URLs for one entry's photos; `not_found` when there is no such entry. */
  async urls(pageId: string, entryId: string, viewer: UrlViewer): Promise<MediaItem[]> {
    const entry = await this.storage.getJournal(pageId, entryId);
    if (!entry) throw new CareFailure('not_found', 'No such journal entry.');
    const [withMedia] = await this.withMedia(pageId, viewer, [entry]);
    return withMedia!.media ?? [];
  }

  item(m: StoredMedia, viewer: UrlViewer, exp: number): MediaItem {
    const sign = (variant: Variant) => this.signer.url({ pageId: m.pageId, mediaId: m.id, variant, viewer, exp });
    return {
      id: m.id,
      alt: m.alt,
      width: m.width,
      height: m.height,
      url: sign('display'),
      thumbUrl: sign('thumb'),
      thumbWidth: m.thumbWidth,
      thumbHeight: m.thumbHeight,
      expiresAt: new Date(exp * 1000).toISOString(),
    };
  }

  /* ------------------------------------------------------------------------------ serving */

  /**
   * A signed image request: the bytes, or why not. Checked in order: the signature (every part
   * of the URL), the expiry, the photo (it must belong to an entry of this page that still
   * exists), and the URL's viewer's right to read the page as it is now.
   */
  async serve(pageId: string, mediaId: string, variant: string, query: Record<string, unknown>): Promise<{ ok: true; data: Buffer; exp: number } | { ok: false; why: ServeRefusal }> {
    const v = this.signer.verify(pageId, mediaId, variant, query);
    if (!v.ok) return v;
    const media = await this.store.attached(pageId, mediaId);
    if (!media) return { ok: false, why: 'not_found' };
    if (!(await this.mayRead(pageId, v.viewer))) return { ok: false, why: 'forbidden' };
    const data = await this.blobs.get(mediaId, variant as Variant);
    if (!data) return { ok: false, why: 'not_found' };
    return { ok: true, data, exp: v.exp };
  }

  /** Whether the URL's viewer may read the page now, by the one rule (access.ts). */
  private async mayRead(pageId: string, viewer: UrlViewer): Promise<boolean> {
    if (viewer.kind === 'anon') {
      const page = await this.storage.getPage(pageId);
      return page !== null && capabilities({ identity: null, visibility: page.visibility, member: null, follow: 'none' }).read;
    }
    const found = await this.storage.pageAccess(pageId, viewer.userId);
    if (!found) return false;
    const identity: Identity = { userId: viewer.userId, name: viewer.userId, staff: viewer.kind === 'user' ? null : viewer.kind, exp: null };
    return capabilities({ identity, visibility: found.page.visibility, member: found.member, follow: found.follow ?? 'none' }).read;
  }

  /* ---------------------------------------------------------------------------- clean-up */

  /** Deletes uploads no entry took within `orphanHours`, and stray files; returns how many photos. */
  async sweep(nowMs = Date.now()): Promise<number> {
    const before = new Date(nowMs - this.settings.orphanHours * 3_600_000).toISOString();
    let total = 0;
    for (;;) {
      const ids = await this.store.deleteOrphans(before);
      await this.blobs.delete(ids);
      total += ids.length;
      if (ids.length < 1000) break;
    }
    await this.blobs.sweep((ids) => this.store.existing(ids), 3_600_000);
    return total;
  }

  /** Sweeps once an hour on every node (deletions are idempotent, so nodes may overlap). */
  startSweeping(): void {
    if (this.#sweeper) return;
    this.#sweeper = setInterval(() => {
      this.sweep().catch((err) => console.error('[care] media sweep failed:', err));
    }, 3_600_000);
    this.#sweeper.unref();
  }

  stop(): void {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = null;
  }
}
