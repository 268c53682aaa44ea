/**
 * Serves the built `dist/` to the test pages byte for byte, before the dev server's plugins
 * (its esbuild transform rewrites every .js it serves, which would break each chunk's
 * integrity hash, as a proxy that "optimizes" scripts would). One test-only twist:
 * `/dist/care-widgets.js?tamper=<tag>` answers the loader with a wrong SRI hash for that
 * element's chunk, the way a chunk whose bytes changed after the build looks to the browser.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const root = new URL('../../dist/', import.meta.url).pathname;
const TYPES = { '.js': 'text/javascript', '.json': 'application/json', '.sri': 'text/plain' };

export function distMiddleware() {
  return async (ctx, next) => {
    if (!ctx.path.startsWith('/dist/')) return next();
    const file = normalize(join(root, ctx.path.slice('/dist/'.length)));
    if (!file.startsWith(root)) return next();
    let body;
    try {
      body = await readFile(file);
    } catch {
      return next();
    }
    const tamper = ctx.URL.searchParams.get('tamper');
    if (tamper && ctx.path === '/dist/care-widgets.js') {
      const text = body.toString('utf8');
      // The manifest row of the element's chunk: ["chunks/<tag>-<hash>","sha384-…",[…]].
      const row = new RegExp(`("chunks/${tamper}-[^"]+",")sha384-[^"]+`);
      if (!row.test(text)) throw new Error(`no chunk of ${tamper} in the loader`);
      body = text.replace(row, `$1sha384-${Buffer.alloc(48).toString('base64')}`);
    }
    ctx.type = TYPES[extname(file)] ?? 'application/octet-stream';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  };
}
