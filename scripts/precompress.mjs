import { readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * Writes `<file>.br` and `<file>.gz` beside every script the bundle build writes, compressed
 * once at the highest levels (brotli 11, gzip 9) instead of on every request: the reference
 * server (server/src/http/dist.ts) and any CDN or nginx `gzip_static`/`brotli_static` pick
 * them by `Accept-Encoding`. They decompress to the very bytes the `.sri` hash covers; the
 * `.gz` is also the file the 46,080 B size budget measures (node zlib level 9).
 */
export const precompress = () => ({
  name: 'precompress',
  writeBundle(options, bundle) {
    const dir = options.dir ?? options.file.replace(/\/[^/]+$/, '');
    for (const file of Object.keys(bundle)) {
      if (!file.endsWith('.js')) continue;
      const bytes = readFileSync(`${dir}/${file}`);
      const br = brotliCompressSync(bytes, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
      });
      writeFileSync(`${dir}/${file}.br`, br);
      writeFileSync(`${dir}/${file}.gz`, gzipSync(bytes, { level: 9 }));
    }
  },
});
