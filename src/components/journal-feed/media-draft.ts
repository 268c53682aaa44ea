import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { MEDIA_TYPES } from '../../client/media-upload.js';
import { LIMITS, type CareError, type MediaRef, type Result, type UploadedMedia } from '../../protocol/index.js';

/** Uploads one file for the page, reporting progress (PageController.upload). */
type Host = ReactiveControllerHost & { renderRoot: HTMLElement | DocumentFragment };

/** The preview's width in pixels (twice its CSS size, for dense screens). */
const PREVIEW_PX = 192;

export type Uploader = (file: Blob, onProgress: (fraction: number) => void, signal: AbortSignal) => Promise<Result<{ media: UploadedMedia }>>;

/** A photo in the composer: uploading as soon as it is picked, so posting waits for little. */
export interface DraftPhoto {
  /** Local key (stable across renders; the server's id comes later). */
  key: string;
  file: File;
  /** The preview, decoded small; `null` until decoded, or when the file does not decode. */
  preview: ImageBitmap | null;
  alt: string;
  /** Fraction sent, 0 to 1. */
  progress: number;
  state: 'uploading' | 'ready' | 'failed';
  media?: UploadedMedia;
  error?: CareError;
}

/** Why a picked file was not added: too many, or not an image the server takes. */
export type Refusal = { kind: 'too-many' } | { kind: 'not-a-photo'; name: string };

let keys = 0;

/**
 * The composer's photos (feature `media`, SPEC 6.3): up to `LIMITS.mediaPerEntry`, each
 * uploaded at once with its progress, removable (which cancels its upload), with the alt text
 * the poster must write. `refs()` waits for the uploads still running and gives the post's
 * `media` list, or `null` when one failed (the poster retries or removes it first). A
 * controller of the journal feed: each change re-renders it.
 */
export class MediaDraft implements ReactiveController {
  photos: DraftPhoto[] = [];
  refusals: Refusal[] = [];
  /** The post waits for uploads (the Post button says so). */
  waiting = false;
  readonly #uploads = new Map<string, { abort: AbortController; done: Promise<void> }>();

  constructor(
    private readonly host: Host,
    private readonly upload: Uploader,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.clear();
  }

  /**
   * Draws each decoded preview into its canvas once. A canvas, not an `<img>` of a `blob:`
   * URL: a host page's Content-Security-Policy restricts `img-src`, and few list `blob:`.
   */
  hostUpdated(): void {
    for (const p of this.photos) {
      if (!p.preview) continue;
      const canvas = this.host.renderRoot.querySelector<HTMLCanvasElement>(`canvas[data-key="${p.key}"]:not([data-drawn])`);
      if (!canvas) continue;
      canvas.width = p.preview.width;
      canvas.height = p.preview.height;
      canvas.getContext('2d')?.drawImage(p.preview, 0, 0);
      canvas.dataset.drawn = '';
    }
  }

  get full(): boolean {
    return this.photos.length >= LIMITS.mediaPerEntry;
  }

  /** Adds picked or dropped files: images the server takes, up to the limit; says why others were left out. */
  add(files: Iterable<File>): void {
    this.refusals = [];
    for (const file of files) {
      if (!(MEDIA_TYPES as readonly string[]).includes(file.type)) {
        this.refusals.push({ kind: 'not-a-photo', name: file.name });
        continue;
      }
      if (this.full) {
        if (!this.refusals.some((r) => r.kind === 'too-many')) this.refusals.push({ kind: 'too-many' });
        continue;
      }
      const photo: DraftPhoto = { key: `p${++keys}`, file, preview: null, alt: '', progress: 0, state: 'uploading' };
      this.photos = [...this.photos, photo];
      this.#start(photo);
      // A file that does not decode here still goes up: the server is the judge, and says why.
      createImageBitmap(file, { resizeWidth: PREVIEW_PX, resizeQuality: 'medium' }).then(
        (bitmap) => (this.photos.some((x) => x.key === photo.key) ? this.#patch(photo.key, { preview: bitmap }) : bitmap.close()),
        () => undefined,
      );
    }
    this.host.requestUpdate();
  }

  #start(photo: DraftPhoto): void {
    const abort = new AbortController();
    const done = this.upload(photo.file, (f) => this.#patch(photo.key, { progress: f }), abort.signal).then((res) => {
      if (abort.signal.aborted) return;
      this.#uploads.delete(photo.key);
      this.#patch(photo.key, res.ok ? { state: 'ready', media: res.media, progress: 1 } : { state: 'failed', error: res.error });
    });
    this.#uploads.set(photo.key, { abort, done });
  }

  #patch(key: string, patch: Partial<DraftPhoto>): void {
    this.photos = this.photos.map((p) => (p.key === key ? { ...p, ...patch } : p));
    this.host.requestUpdate();
  }

  setAlt(key: string, alt: string): void {
    // No re-render: the input holds what was typed; the list keeps it for the post.
    const p = this.photos.find((x) => x.key === key);
    if (p) p.alt = alt;
  }

  retry(key: string): void {
    const p = this.photos.find((x) => x.key === key);
    if (!p || p.state !== 'failed') return;
    this.#patch(key, { state: 'uploading', progress: 0, error: undefined });
    this.#start(this.photos.find((x) => x.key === key)!);
  }

  remove(key: string): void {
    const p = this.photos.find((x) => x.key === key);
    if (!p) return;
    this.#uploads.get(key)?.abort.abort();
    this.#uploads.delete(key);
    p.preview?.close();
    this.photos = this.photos.filter((x) => x.key !== key);
    this.refusals = [];
    this.host.requestUpdate();
  }

  /**
   * The post's photos once every upload has ended: `[]` without photos, `null` when one
   * failed. A photo removed while waiting is simply left out.
   */
  async refs(): Promise<MediaRef[] | null> {
    if (this.#uploads.size > 0) {
      this.waiting = true;
      this.host.requestUpdate();
      while (this.#uploads.size > 0) await Promise.all([...this.#uploads.values()].map((u) => u.done));
      this.waiting = false;
      this.host.requestUpdate();
    }
    if (this.photos.some((p) => p.state !== 'ready')) return null;
    return this.photos.map((p) => ({ id: p.media!.id, alt: p.alt.trim() }));
  }

  /** Forgets every photo (after posting, or when the composer goes away), cancelling uploads. */
  clear(): void {
    for (const u of this.#uploads.values()) u.abort.abort();
    this.#uploads.clear();
    for (const p of this.photos) p.preview?.close();
    this.photos = [];
    this.refusals = [];
    this.waiting = false;
    this.host.requestUpdate();
  }
}
