/**
 * Two app instances on one PostgreSQL database (and Redis), both running the job runner over
 * the one queue: N journal posts, made on both nodes, give each delivery exactly once: every
 * webhook notification reaches a real HTTP receiver once (counted by `X-Care-Delivery`), and
 * every email and push job is handed to a channel once, whichever node claimed it.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { EmailPayload, PushPayload } from '../src/notify/contract.js';
import { defaultNotifySettings } from '../src/notify/settings.js';
import { startServer, type TestServer } from './helpers.js';
import { address, choose, jobsOf, RecordingChannel, subscribe, until } from './notify-helpers.js';
import { freshPostgres } from './pg.js';

const DATABASE_URL = process.env.DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL;
const SECRET = 'whsec-multinode-0123456789';

describe('exactly once across two nodes on PostgreSQL + Redis', { skip: DATABASE_URL && REDIS_URL ? false : 'DATABASE_URL and REDIS_URL are not both set' }, () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  const nodes: TestServer[] = [];
  const channels = [0, 1].map(() => ({ email: new RecordingChannel<EmailPayload>('email'), push: new RecordingChannel<PushPayload>('push') }));
  const deliveries = new Map<string, number>();
  const hook = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['x-care-delivery']);
      deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
      res.writeHead(204).end();
    });
  });

  before(async () => {
    db = await freshPostgres(DATABASE_URL!);
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    // One at a time: the first runs the migrations. Both share the JWT secret.
    for (const c of channels) {
      const ts = await startServer({
        db: db.url,
        redisUrl: REDIS_URL!,
        webhookUrl: url,
        webhookSecret: SECRET,
        channels: c,
        notify: { ...defaultNotifySettings(0), perRecipientPerHour: 10_000 },
        ...(nodes[0] ? { jwtSecret: nodes[0].secret } : {}),
      });
      nodes.push(ts);
    }
  });

  after(async () => {
    for (const n of nodes) await n.close();
    hook.closeAllConnections();
    await new Promise<void>((resolve) => hook.close(() => resolve()));
    await db?.drop();
  });

  it('N posts on both nodes: each webhook, email and push delivery processed exactly once', async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    const pageId = await a.page({ visibility: 'private', followers: ['f1', 'f2', 'f3', 'p1'] });
    for (const u of ['f1', 'f2', 'f3']) {
      await choose(a.db, pageId, u, { email: 'instant' });
      await address(a.db, u, `${u}@example.org`);
    }
    await choose(a.db, pageId, 'p1', { push: true });
    await subscribe(a.db, 'p1', 'https://push.example/p1-a');
    await subscribe(a.db, 'p1', 'https://push.example/p1-b');
    const N = 40;
    const writers = [await a.connect('owner'), await b.connect('owner')];
    // Concurrently, half on each node.
    const posted = await Promise.all(Array.from({ length: N }, (_, i) => writers[i % 2]!.ok('journal:post', { pageId, clientId: `m${i}`, title: 'T', body: 'B' })));
    for (const w of writers) w.close();
    assert.equal(new Set(posted.map((p) => p.entry.id)).size, N);

    const emails = () => channels.flatMap((c) => c.email.sent);
    const pushes = () => channels.flatMap((c) => c.push.sent);
    await until(() => deliveries.size === N && emails().length >= 3 * N && pushes().length >= 2 * N, `all deliveries (webhook ${deliveries.size}, email ${emails().length}, push ${pushes().length})`, 60_000);
    await until(async () => (await jobsOf(a.db, { pageId, state: 'queued' })).length === 0, 'every job finished', 30_000);

    assert.deepEqual([...deliveries.values()].filter((n) => n !== 1), [], 'each webhook delivery arrived once');
    assert.equal(emails().length, 3 * N, 'each email job handed to a channel once');
    assert.equal(new Set(emails().map((j) => j.key)).size, 3 * N);
    assert.equal(pushes().length, 2 * N, 'each push job handed to a channel once');
    assert.equal(new Set(pushes().map((j) => j.key)).size, 2 * N);
    const all = await jobsOf(a.db, { pageId });
    assert.deepEqual(
      Object.fromEntries(['cause', 'webhook', 'email', 'push'].map((k) => [k, all.filter((j) => j.kind === k && j.state === 'done').length])),
      { cause: N, webhook: N, email: 3 * N, push: 2 * N },
    );
    const split = channels.map((c) => c.email.sent.length + c.push.sent.length);
    console.log(`# deliveries per node (email+push): ${split.join(' / ')}`);
  });
});
