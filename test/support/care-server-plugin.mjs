/**
 * A Web Test Runner plugin that starts the real reference backend (server/src/app.ts, via
 * tsx) when the test run starts, and answers test commands:
 *  - `care-server`: `{ url, secret }` of the running server;
 *  - `care-token`: `{ token }` for `{ user, ttl? }`;
 *  - `care-admin`: runs an admin REST call `{ method, path, body? }` and returns `{ status, body }`;
 *  - `care-seed`: creates a page `{ id, visibility, owners, editors?, follows? }`.
 *  - `care-post`: posts as a user straight through the service (another client's write);
 *  - `care-delete`: deletes a journal entry or wall message as a user `{ user, pageId, kind, id }`;
 *  - `care-follow`: follows (or asks to follow) a page as a user `{ user, pageId, follow? }`, as
 *    another client would;
 *  - `care-invite`: stores an invitation `{ pageId, code, role?, expiresAt, maxUses?, uses?, revoked? }`
 *    as it is, past expiry included (the socket API refuses to make an expired one);
 *  - `care-notify-prefs`: `{ prefs }`, a person's stored notification choices `{ pageId, user }`;
 *  - `care-first-wave`: `{ url }` of a second server, started on first use, with every second-wave
 *    feature switched off (`CARE_FEATURES=`): a backend that speaks only SPEC sections 2-5.
 */
import { register } from 'tsx/esm/api';

let server;
let url;
let tsxUnregister;
/** The first-wave server (`care-first-wave`), started when a test first asks for it. */
let firstWave;

/**
 * A same-origin token endpoint for the test pages, as a host site would have:
 * `/care-token?user=jane` (no user: 204; `status=401`: that status, e.g. a signed-out session
 * or a broken endpoint; `email=0`: a token without the `email` claim). A Koa middleware, not a plugin `serve` hook: those always answer 200.
 */
export function careTokenMiddleware() {
  return async (ctx, next) => {
    if (ctx.path !== '/care-token') return next();
    const user = ctx.URL.searchParams.get('user');
    const status = ctx.URL.searchParams.get('status');
    if (status || !user) {
      ctx.status = status ? Number(status) : 204;
      ctx.body = '';
      return;
    }
    const { signDemoToken } = await import('../../server/src/demo/token.ts');
    const ttl = Number(ctx.URL.searchParams.get('ttl') ?? 900);
    // `email=0`: a token without an email claim (a site that gives no address).
    const email = ctx.URL.searchParams.get('email') !== '0';
    ctx.type = 'json';
    ctx.body = JSON.stringify({ token: await signDemoToken(server.jwtSecret, user, ttl, { email }) });
  };
}

export function careServerPlugin() {
  return {
    name: 'care-server',
    async serverStart() {
      tsxUnregister = register();
      const { createCareServer } = await import('../../server/src/app.ts');
      const { configFromEnv } = await import('../../server/src/config.ts');
      const root = new URL('../../', import.meta.url).pathname;
      const config = configFromEnv({ CARE_DB: 'sqlite::memory:', CARE_JWT_SECRET: 'wtr-secret-for-tests-only', CARE_DEMO: '1', CARE_RATE_LIMITS: 'off' }, { distDir: `${root}dist`, demoDir: `${root}demo` });
      server = await createCareServer(config);
      url = await server.listen(0, '127.0.0.1');
    },
    async serverStop() {
      await (await firstWave)?.server.close();
      await server?.close();
      await tsxUnregister?.();
    },
    async executeCommand({ command, payload }) {
      if (!command.startsWith('care-')) return undefined;
      const { signDemoToken } = await import('../../server/src/demo/token.ts');
      switch (command) {
        case 'care-server':
          return { url, secret: server.jwtSecret };
        case 'care-token':
          return { token: await signDemoToken(server.jwtSecret, payload.user, payload.ttl ?? 900) };
        case 'care-admin': {
          const token = await signDemoToken(server.jwtSecret, 'admin');
          const res = await fetch(url + payload.path, {
            method: payload.method ?? 'GET',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: payload.body === undefined ? undefined : JSON.stringify(payload.body),
          });
          const text = await res.text();
          return { status: res.status, body: text ? JSON.parse(text) : null };
        }
        case 'care-seed': {
          const s = server.storage;
          await s.createPage({ id: payload.id, title: payload.title ?? payload.id, visibility: payload.visibility ?? 'public', wallModeration: payload.wallModeration ?? 'post', owners: payload.owners ?? ['owner'], editors: payload.editors ?? [] });
          for (const f of payload.follows ?? []) await s.setFollow(payload.id, { id: f, name: f }, 'following');
          // `journalCount`: that many generated entries (for long-list tests), oldest first.
          for (let i = 0; i < (payload.journalCount ?? 0); i++) await s.postJournal(payload.id, { id: payload.owners?.[0] ?? 'owner', name: 'Owner' }, `bulk-${i}`, `Update ${i + 1}`, `Body of update ${i + 1}.`);
          for (const [i, e] of (payload.journal ?? []).entries()) await s.postJournal(payload.id, { id: payload.owners?.[0] ?? 'owner', name: 'Owner' }, `seed-${i}`, e.title, e.body);
          for (const [i, body] of (payload.wall ?? []).entries()) await s.postWall(payload.id, { id: 'seeder', name: 'Seeder' }, `seed-${i}`, body, false);
          return { ok: true };
        }
        case 'care-post': {
          const identity = { userId: payload.user, name: payload.user, staff: null, exp: null };
          const actor = { identity, ip: null };
          if (payload.kind === 'journal') return { ok: true, item: await server.service.postJournal(actor, { pageId: payload.pageId, clientId: payload.clientId, title: payload.title, body: payload.body }) };
          return { ok: true, item: await server.service.postWall(actor, { pageId: payload.pageId, clientId: payload.clientId, body: payload.body }) };
        }
        case 'care-follow': {
          const actor = { identity: { userId: payload.user, name: payload.name ?? payload.user, staff: null, exp: null }, ip: null };
          return { ok: true, ...(await server.service.setFollow(null, actor, { pageId: payload.pageId, follow: payload.follow ?? true })) };
        }
        case 'care-invite': {
          await server.storage.createInvite({
            id: `test-${payload.code}`,
            pageId: payload.pageId,
            code: payload.code,
            role: payload.role ?? 'follower',
            expiresAt: payload.expiresAt,
            maxUses: payload.maxUses ?? 5,
            uses: payload.uses ?? 0,
            createdBy: 'test',
            createdAt: new Date().toISOString(),
            revokedAt: payload.revoked ? new Date().toISOString() : null,
          });
          return { ok: true };
        }
        case 'care-notify-prefs':
          // What the server stored of a person's notification choices for a page (`null`: none).
          return { prefs: await server.storage.notifyPrefs(payload.pageId, payload.user) };
        case 'care-first-wave': {
          firstWave ??= (async () => {
            const { createCareServer } = await import('../../server/src/app.ts');
            const { configFromEnv } = await import('../../server/src/config.ts');
            const root = new URL('../../', import.meta.url).pathname;
            // The same secret: the test token endpoint's tokens are good on both servers.
            const config = configFromEnv({ CARE_DB: 'sqlite::memory:', CARE_JWT_SECRET: 'wtr-secret-for-tests-only', CARE_DEMO: '1', CARE_RATE_LIMITS: 'off', CARE_FEATURES: '' }, { distDir: `${root}dist`, demoDir: `${root}demo` });
            const s = await createCareServer(config);
            return { server: s, url: await s.listen(0, '127.0.0.1') };
          })();
          return { url: (await firstWave).url };
        }
        case 'care-delete': {
          // A moderator's (or the owner's) delete, as another client would make it.
          const actor = { identity: { userId: payload.user, name: payload.user, staff: null, exp: null }, ip: null };
          if (payload.kind === 'journal') await server.service.deleteJournal(actor, { pageId: payload.pageId, entryId: payload.id });
          else await server.service.deleteWall(actor, { pageId: payload.pageId, messageId: payload.id });
          return { ok: true };
        }
        default:
          return undefined;
      }
    },
  };
}
