import sharp, { type Metadata } from 'sharp';
import { CareFailure } from '../errors.js';

/** The long edge of the two sizes every photo is served at. */
export const DISPLAY_EDGE = 1600;
export const THUMB_EDGE = 400;
export const MEDIA_TYPE = 'image/webp';

export type InputFormat = 'jpeg' | 'png' | 'webp';

export interface Rendition {
  data: Buffer;
  width: number;
  height: number;
}

export interface Encoded {
  display: Rendition;
  thumb: Rendition;
  /** What the upload was (its magic bytes and its decoder agree). */
  input: InputFormat;
}

/**
 * What the first bytes say the file is. Only JPEG, PNG and WebP are taken: an SVG (script in
 * an image), a HEIC, a GIF or a renamed PDF is refused before any decoder sees it, whatever
 * the file name or Content-Type claimed.
 */
export function sniff(buf: Buffer): InputFormat | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return null;
}

/**
 * Re-encodes an upload at display (long edge ≤ 1600 px) and thumbnail (≤ 400 px) sizes as
 * WebP. Nothing of the original file survives but its pixels: sharp writes no metadata unless
 * asked (`keepMetadata`, `withMetadata`, `keepExif`, `keepIccProfile`: none is used here), so
 * EXIF (GPS position, camera serial, time), XMP, IPTC, PNG text chunks and ICC profiles are
 * all gone, and the pixels are converted to sRGB. The EXIF orientation is applied to the
 * pixels first (`autoOrient`), since the tag that carried it is dropped.
 *
 * Refusals: not JPEG/PNG/WebP by its bytes or by its decoder (`invalid`); more pixels than
 * `maxPixels` as declared by its header (`too_large`, before decoding: the decompression bomb
 * case); a file the decoder finds broken (`invalid`). Animated images keep their first frame.
 */
export async function encodeImage(buf: Buffer, maxPixels: number): Promise<Encoded> {
  const input = sniff(buf);
  if (!input) throw new CareFailure('invalid', 'Only JPEG, PNG and WebP images can be uploaded.');
  let meta: Metadata;
  try {
    // Reads the header only; the limit is checked below with a clear message.
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch {
    throw new CareFailure('invalid', 'The file is not a readable image.');
  }
  if (meta.format !== input) throw new CareFailure('invalid', 'The file is not a readable JPEG, PNG or WebP image.');
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width < 1 || height < 1) throw new CareFailure('invalid', 'The image has no size.');
  if (width * height > maxPixels) {
    throw new CareFailure('too_large', `The image is ${width} × ${height} pixels; at most ${maxPixels.toLocaleString('en-US')} pixels are accepted.`);
  }
  try {
    // `failOn: 'error'`: a slightly odd but complete photo (some phones write those) is taken;
    // a truncated or corrupt one is refused. `limitInputPixels` backs up the header check.
    const source = sharp(buf, { limitInputPixels: maxPixels, failOn: 'error', autoOrient: true, animated: false });
    const display = await source
      .resize({ width: DISPLAY_EDGE, height: DISPLAY_EDGE, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 82 })
      .toBuffer({ resolveWithObject: true });
    // From the display rendition: a second decode of the (possibly 50 MP) original is the cost
    // this avoids.
    const thumb = await sharp(display.data)
      .resize({ width: THUMB_EDGE, height: THUMB_EDGE, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 78 })
      .toBuffer({ resolveWithObject: true });
    return {
      input,
      display: { data: display.data, width: display.info.width, height: display.info.height },
      thumb: { data: thumb.data, width: thumb.info.width, height: thumb.info.height },
    };
  } catch (err) {
    if (err instanceof CareFailure) throw err;
    const message = (err as Error).message ?? '';
    if (/pixel limit/i.test(message)) throw new CareFailure('too_large', 'The image has too many pixels.');
    throw new CareFailure('invalid', 'The image could not be read; it may be damaged.');
  }
}

/**
 * At most this many images are decoded at once per node: a 4,000 × 3,000 photo takes ~50 MB
 * and a core while it is re-encoded, and uploads must not starve the sockets. Later uploads wait.
 */
export class EncodeQueue {
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(private readonly limit = 2) {}

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#running >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running++;
    try {
      return await job();
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }
}
