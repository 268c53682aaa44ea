/**
 * The journal's photos (feature `media`) as a person meets them: choose or drop files in the
 * composer, describe them, post; see thumbnails; open the viewer. Reads and drives the widget
 * through its parts, roles and forms only.
 */
import type { CareJournalFeed } from '../../src/components/journal-feed/journal-feed.js';
import { JournalHarness } from './harness.js';
import { waitFor } from './helpers.js';

/** A real JPEG (or PNG, WebP) made by the browser: a gradient with a label, `w`×`h` pixels. */
export async function photo(name = 'photo.jpg', opts: { w?: number; h?: number; type?: string; label?: string } = {}): Promise<File> {
  const canvas = document.createElement('canvas');
  canvas.width = opts.w ?? 640;
  canvas.height = opts.h ?? 480;
  const g = canvas.getContext('2d')!;
  const grad = g.createLinearGradient(0, 0, canvas.width, canvas.height);
  grad.addColorStop(0, '#2a7');
  grad.addColorStop(1, '#27c');
  g.fillStyle = grad;
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.fillStyle = '#fff';
  g.font = '48px sans-serif';
  g.fillText(opts.label ?? name, 20, 80);
  const type = opts.type ?? 'image/jpeg';
  const blob = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), type, 0.9));
  return new File([blob], name, { type });
}

/** Files as a drag or a file input carries them. */
export function transfer(files: File[]): DataTransfer {
  const dt = new DataTransfer();
  for (const f of files) dt.items.add(f);
  return dt;
}

export interface Thumbnail {
  button: HTMLButtonElement;
  img: HTMLImageElement;
}

export class MediaHarness extends JournalHarness {
  constructor(el: CareJournalFeed) {
    super(el);
  }

  picker(): HTMLElement | null {
    return this.part('photo-picker');
  }

  /** Chooses files with the picker's file input, as the file chooser would. */
  choose(files: File[]): void {
    const input = this.picker()?.querySelector<HTMLInputElement>('input[type=file]');
    if (!input) throw new Error('no photo picker: not an owner or editor, or no media feature');
    input.files = transfer(files).files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }

  /** Drops files on the composer, as a drag from the desktop would. */
  drop(files: File[]): void {
    const form = this.composer()!;
    const dataTransfer = transfer(files);
    form.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer }));
    form.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer }));
  }

  /** The photos chosen for the update, in order. */
  drafts(): HTMLElement[] {
    return this.parts('photo-draft');
  }

  /** Types the alt text of the composer's photo `i` (0-based). */
  describe(i: number, alt: string): void {
    const input = this.drafts()[i]?.querySelector<HTMLInputElement>('input');
    if (!input) throw new Error(`no photo ${i + 1} in the composer`);
    input.value = alt;
    input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  }

  /** Waits until every chosen photo finished uploading (or failed). */
  async uploaded(): Promise<void> {
    await waitFor(() => this.parts('upload-progress').length === 0, 'the uploads');
  }

  /** Fills title and body and submits (the photos chosen before go with it). */
  postWithPhotos(title: string, body: string): void {
    this.post(title, body);
  }

  /** The thumbnails of the entry titled `title`. */
  thumbnails(title: string): Thumbnail[] {
    const article = [...this.root.querySelectorAll<HTMLElement>('[role=feed] article')].find((a) => a.querySelector('h3')?.textContent === title);
    return [...(article?.querySelectorAll<HTMLButtonElement>('[part~=photo-button]') ?? [])].map((button) => ({ button, img: button.querySelector('img')! }));
  }

  /** Whether an image has loaded and decoded to pixels. */
  static loaded(img: HTMLImageElement): boolean {
    return img.complete && img.naturalWidth > 0;
  }

  viewer(): HTMLDialogElement | null {
    return this.root.querySelector<HTMLDialogElement>('dialog[part~=viewer]');
  }

  viewerImage(): HTMLImageElement | null {
    return this.viewer()?.querySelector<HTMLImageElement>('[part~=viewer-image]') ?? null;
  }

  viewerCaption(): string {
    return this.viewer()?.querySelector('[part~=viewer-caption]')?.textContent?.trim() ?? '';
  }

  /** The element that has focus inside the widget. */
  focused(): Element | null {
    return this.root.activeElement;
  }
}
