/**
 * The reference server under the Artillery load test: the real app of server/src/app.ts on a
 * SQLite file in a temp directory (WAL, as in production), verifying HS256 tokens signed with
 * `secret` (the scenario's processor signs one per virtual user with the same secret), and
 * `pages` public pages `load-0` … `load-<pages-1>` where any signed-in visitor may post.
 *
 * Rate limits are off, as in `npm run bench`: every virtual user connects from 127.0.0.1, so
 * the per-IP handshake limit would measure the limiter, not the server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCareServer } from '../../server/src/app.js';
import { configFromEnv } from '../../server/src/config.js';

export interface ReferenceServer {
  url: string;
  close(): Promise<void>;
}

/** The ids of the scenario's pages; processor.cjs picks among the same names. */
export const loadPageId = (i: number) => `load-${i}`;

export async function startReferenceServer(opts: { secret: string; pages: number }): Promise<ReferenceServer> {
  const dir = mkdtempSync(join(tmpdir(), 'care-artillery-'));
  const config = configFromEnv(
    { CARE_DB: `sqlite:${join(dir, 'load.db')}`, CARE_JWT_SECRET: opts.secret, CARE_RATE_LIMITS: 'off', PORT: '0' },
    { distDir: '', demoDir: '' },
  );
  const server = await createCareServer(config);
  for (let i = 0; i < opts.pages; i++) {
    await server.storage.createPage({ id: loadPageId(i), title: `Load ${i}`, visibility: 'public', wallModeration: 'post', owners: ['owner'], editors: [] });
  }
  const url = await server.listen(0, '127.0.0.1');
  return {
    url,
    async close() {
      server.http.closeAllConnections();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
