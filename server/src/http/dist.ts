import { stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { NextFunction, Request, Response } from 'express';

/**
 * `/dist/`: the built bundle, public code any site may load (with Subresource Integrity, so
 * `crossorigin="anonymous"`, hence `Access-Control-Allow-Origin: *` whatever
 * `CARE_ALLOWED_ORIGINS` says), compressed and cacheable (SPEC section 7):
 *
 * - `/dist/<version>/<file>` (the version of this build, `window.CareWidgets.version`) never
 *   changes: `Cache-Control: public, max-age=31536000, immutable`. Another version is a 404:
 *   this server holds one build, and serving it under an older release's URL would break that
 *   release's SRI hash instead of failing plainly.
 * - `/dist/<file>` follows upgrades: `public, max-age=300`, so a release reaches every visitor
 *   within five minutes without a revalidation round trip on every page view of the host site
 *   (`no-cache` would put one on its critical path); then the ETag makes the check cheap.
 * - `chunks/<name>-<hash>.js`, the code the loader inserts (issue 12), is immutable under both:
 *   its name changes with its bytes, so a cached copy can never be stale.
 *
 * The build writes `<file>.br` and `<file>.gz` beside each script (scripts/precompress.mjs),
 * compressed once at the highest levels; the answer is picked by `Accept-Encoding` (brotli
 * before gzip when the client takes both equally; `Vary: Accept-Encoding`), with the original
 * file's `Content-Type`. Every variant decompresses to the bytes the `.sri` hash covers. A
 * variant older than its file (a file patched by hand after the build) is not used: identity
 * is always right, a stale variant would fail the visitor's integrity check.
 *
 * `res.sendFile` does the rest for the chosen file: `Content-Length`, HEAD, ETag and
 * `Last-Modified` (of that variant, so each encoding has its own validator), 304, and ranges
 * (of the selected representation, as RFC 9110 defines them: a range of the brotli bytes when
 * brotli is chosen).
 */
export function distRoute(distDir: string, version: string) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.set('Allow', 'GET, HEAD');
      return next(httpStatus(405));
    }
    let path: string;
    try {
      path = decodeURIComponent(req.path);
    } catch {
      return next(httpStatus(400));
    }
    const parts = path.split('/').filter((p, i) => i > 0 || p !== '');
    if (parts.includes('..')) return next(httpStatus(403));
    if (path.includes('\0')) return next(httpStatus(400));
    let immutable = false;
    if (parts.length > 1 && looksLikeVersion(parts[0]!)) {
      if (parts[0] !== version) return next(httpStatus(404));
      parts.shift();
      immutable = true;
    }
    // A directory, a dotfile or nothing at all: `/dist`, `/dist/`, `/dist/0.1.0/`.
    if (parts.length === 0 || parts.some((p) => p === '' || p.startsWith('.'))) return next(httpStatus(404));
    const file = parts.join('/');

    const original = await stat(join(distDir, file)).catch(() => null);
    if (!original?.isFile()) return next(httpStatus(404));
    let served = file;
    if (COMPRESSIBLE.has(extname(file))) {
      res.vary('Accept-Encoding');
      for (const coding of preferredCodings(req.get('accept-encoding'))) {
        const variant = await stat(join(distDir, file + SUFFIX[coding])).catch(() => null);
        if (variant?.isFile() && variant.mtimeMs >= original.mtimeMs) {
          served = file + SUFFIX[coding];
          res.set('Content-Encoding', coding);
          break;
        }
      }
    }
    // The `.sri` beside each script is its hash as text, for anyone fetching it by hand.
    res.type(extname(file) === '.sri' ? 'text/plain' : extname(file));
    res.set('Access-Control-Allow-Origin', '*');
    res.set('Cache-Control', immutable || CHUNK.test(file) ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
    res.sendFile(served, { root: distDir, cacheControl: false, dotfiles: 'deny' }, (err?: Error & { code?: string; syscall?: string }) => {
      // As Express's own callback: a visitor who went away (or a failed write) is no error to answer.
      if (!err || err.code === 'ECONNABORTED' || err.syscall === 'write') return;
      // Not the headers of a file we did not send: the error answer is plain JSON.
      for (const h of ['Content-Encoding', 'Cache-Control', 'Content-Type']) res.removeHeader(h);
      next(err);
    });
  };
}

const SUFFIX = { br: '.br', gzip: '.gz' } as const;
/** A chunk the build named by its content (scripts/chunks.mjs: `chunks/[name]-[hash].js`, an 8-character hash). */
const CHUNK = /^chunks\/[\w-]+-[\w-]{8}\.js$/;
type Coding = keyof typeof SUFFIX;
/** Text formats worth compressing; the build writes variants for the scripts. */
const COMPRESSIBLE = new Set(['.js', '.mjs', '.json', '.css', '.html', '.svg', '.map', '.txt']);

/** `0.1.0`, `1.2.3-beta.1`: a release, not a file or folder name of the build. */
function looksLikeVersion(segment: string): boolean {
  return /^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/.test(segment);
}

/**
 * The content codings the client takes, best first: by its q-values, then ours (brotli is
 * smaller). Written out rather than `req.acceptsEncodings()`, which breaks ties by the client's
 * order and so answers Chromium's `gzip, deflate, br, zstd` with gzip.
 */
export function preferredCodings(header: string | undefined): Coding[] {
  if (!header) return [];
  const q = new Map<string, number>();
  for (const item of header.split(',')) {
    const [name, ...params] = item.trim().toLowerCase().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam === undefined ? 1 : Number(qParam.slice(2));
    q.set(name === 'x-gzip' ? 'gzip' : name, Number.isFinite(value) ? value : 0);
  }
  const weight = (c: Coding) => q.get(c) ?? q.get('*') ?? 0;
  return (Object.keys(SUFFIX) as Coding[]).filter((c) => weight(c) > 0).sort((a, b) => weight(b) - weight(a));
}

function httpStatus(status: number): Error & { status: number } {
  return Object.assign(new Error(`HTTP ${status}`), { status });
}
