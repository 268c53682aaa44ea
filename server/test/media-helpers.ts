/**
 * Test images made with the real image library, and the upload call as a browser makes it
 * (multipart `file`, the visitor's Bearer token).
 */
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import type { TestServer } from './helpers.js';

/** A JPEG carrying EXIF: GPS position, camera make/model and a body serial number. */
export async function jpegWithGps(width = 640, height = 480): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#c0392b' } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'CameraMakerX', Model: 'ModelY-TEST', Copyright: 'Jane Doe' },
      IFD2: { BodySerialNumber: 'SERIAL-998877', DateTimeOriginal: '2026:01:02 03:04:05' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '40/1 26/1 46/1', GPSLongitudeRef: 'W', GPSLongitude: '79/1 58/1 56/1' },
    })
    .toBuffer();
}

/** A WebP with EXIF (and an alpha channel). */
export async function webpWithExif(): Promise<Buffer> {
  return sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 40, g: 160, b: 60, alpha: 0.5 } } })
    .webp()
    .withExif({ IFD0: { Make: 'CameraMakerX', Model: 'ModelY-TEST' }, IFD2: { BodySerialNumber: 'SERIAL-998877' } })
    .toBuffer();
}

/** A PNG with a `tEXt` chunk (keyword "Comment") inserted after IHDR. */
export async function pngWithText(text = 'Location: Room 4B, patient Jane Doe'): Promise<Buffer> {
  const png = await sharp({ create: { width: 120, height: 90, channels: 3, background: '#2980b9' } }).png().toBuffer();
  const chunk = pngChunk('tEXt', Buffer.concat([Buffer.from('Comment\0', 'latin1'), Buffer.from(text, 'latin1')]));
  // Signature (8) + IHDR (4 length + 4 type + 13 data + 4 crc = 25).
  return Buffer.concat([png.subarray(0, 33), chunk, png.subarray(33)]);
}

/**
 * A decompression bomb: a PNG of a few tens of kilobytes that declares 20,000 × 20,000
 * pixels (1-bit grey, all zero) and would decode to 400 megapixels.
 */
export function pngBomb(side = 20_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const row = 1 + Math.ceil(side / 8);
  const idat = deflateSync(Buffer.alloc(row * side), { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]);
}

export const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>');
/** A PDF named like a photo. */
export const NOT_AN_IMAGE = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** `POST /api/pages/:id/media` as the widget sends it. */
export async function upload(ts: TestServer, pageId: string, file: Buffer, opts: { user?: string | null; token?: string; name?: string; type?: string } = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(file)], { type: opts.type ?? 'image/jpeg' }), opts.name ?? 'photo.jpg');
  const headers: Record<string, string> = {};
  const token = opts.token ?? (opts.user === null ? undefined : await ts.token(opts.user ?? 'owner'));
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${ts.url}/api/pages/${encodeURIComponent(pageId)}/media`, { method: 'POST', headers, body: form });
  const text = await res.text();
  return { status: res.status, body: text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text, headers: res.headers };
}

/** A signed URL (root-relative or absolute) fetched from the test server. */
export async function fetchImage(ts: TestServer, url: string): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const res = await fetch(new URL(url, ts.url));
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}
