/**
 * Two nodes, one queue (SPEC 6.2 "one sender per notification across nodes"): two app
 * instances on one PostgreSQL database and Redis, both sending email to the same real SMTP
 * server. K followers choose "each update" (on either node), M entries are posted on both
 * nodes at once: exactly M×K emails arrive, each (recipient, Message-ID) once, whichever node
 * claimed it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { notifySettings, startServer, type Client, type TestServer } from './helpers.js';
import { duplicates, messagesTo, metricValue, person, signIn } from './notify-e2e-helpers.js';
import { jobsOf, until } from './notify-helpers.js';
import { freshPostgres } from './pg.js';
import { rawHeader, startSmtp, type TestSmtp } from './smtp.js';

const DATABASE_URL = process.env.DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL;

describe('email exactly once across two nodes on PostgreSQL + Redis', { skip: DATABASE_URL && REDIS_URL ? false : 'DATABASE_URL and REDIS_URL are not both set' }, () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let smtp: TestSmtp;
  const nodes: TestServer[] = [];

  before(async () => {
    db = await freshPostgres(DATABASE_URL!);
    smtp = await startSmtp();
    // One at a time: the first runs the migrations. Both share the JWT secret (and so the link key).
    for (let i = 0; i < 2; i++) {
      const ts = await startServer({
        db: db.url,
        redisUrl: REDIS_URL!,
        notify: notifySettings({ CARE_SMTP_URL: smtp.url, CARE_MAIL_FROM: '"Care updates" <updates@hospital.example>', CARE_NOTIFY_RATE: '10000' }),
        ...(nodes[0] ? { jwtSecret: nodes[0].secret } : {}),
      });
      nodes.push(ts);
    }
  });

  after(async () => {
    for (const n of nodes) await n.close();
    await smtp?.close();
    await db?.drop();
  });

  it('M entries × K followers, posted on both nodes: M×K emails, each (recipient, Message-ID) once', async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    const pageId = 'qzpage-multinode-evangeline-2291';
    const created = await a.rest('POST', '/api/pages', { token: await a.token('admin'), body: { id: pageId, title: 'Evangeline Two Nodes', visibility: 'public', owners: ['owner-mn'], editors: [] } });
    assert.equal(created.status, 201);
    const K = 6;
    const M = 10;
    const followers = Array.from({ length: K }, (_, i) => person(`mnfan-${i}`, `Follower ${i}`));
    for (const [i, f] of followers.entries()) {
      const c = await signIn(i % 2 ? b : a, f);
      await c.ok('follow:set', { pageId, follow: true });
      await c.ok('notify:set', { pageId, email: 'instant' });
      c.close();
    }
    const owner = person('owner-mn', 'Owner MN');
    const writers: Client[] = [await signIn(a, owner), await signIn(b, owner)];
    const posted = await Promise.all(Array.from({ length: M }, (_, i) => writers[i % 2]!.ok('journal:post', { pageId, clientId: `mn${i}`, title: 'T', body: 'B' })));
    for (const w of writers) w.close();
    assert.equal(new Set(posted.map((p) => p.entry.id)).size, M);

    await until(() => smtp.messages.length >= M * K, `every email (${smtp.messages.length} of ${M * K})`, 60_000);
    await until(async () => (await jobsOf(a.db, { state: 'queued' })).length === 0, 'every job finished', 30_000);

    assert.equal(smtp.messages.length, M * K, 'exactly M×K emails');
    assert.deepEqual(duplicates(smtp.messages), [], 'no (recipient, Message-ID) twice');
    for (const f of followers) {
      const mine = messagesTo(smtp, f.email);
      assert.equal(mine.length, M, `${f.id}: one per entry`);
      assert.equal(new Set(mine.map((m) => rawHeader(m, 'Message-ID'))).size, M);
    }
    const perNode = await Promise.all(nodes.map((n) => metricValue(n.url, 'care_notifications_total', { channel: 'email', outcome: 'sent' })));
    assert.equal(perNode[0]! + perNode[1]!, M * K, 'each send counted once, on the node that sent it');
    console.log(`# emails sent per node: ${perNode.join(' / ')}`);
  });
});
