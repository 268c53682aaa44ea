/**
 * Demo mode (SPEC section 5): seeded pages and users, `/demo/token`, and off unless asked.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { addDays, PROTOCOL_VERSION, todayIn, type Task } from '../../src/protocol/index.js';
import { startServer, type TestServer } from './helpers.js';

describe('demo mode', () => {
  let ts: TestServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'care-demo-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>demo</title>');
    ts = await startServer({ demo: true, demoDir: dir, jwtSecret: null });
  });
  after(async () => {
    await ts.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates a secret when none is configured and serves /demo/', async () => {
    assert.ok(ts.secret.length >= 32);
    const res = await ts.rest('GET', '/demo/');
    assert.equal(res.status, 200);
    assert.match(res.body as string, /<title>demo<\/title>/);
  });

  it('/demo/token answers a token for any user id, staff roles for moderator and admin', async () => {
    const jane = await ts.rest('GET', '/demo/token?user=jane');
    assert.equal(jane.status, 200);
    assert.equal(jane.headers.get('cache-control'), 'no-store');
    const claims = decodeJwt(jane.body.token);
    assert.deepEqual([claims.sub, claims.name, claims.care_role], ['jane', 'Jane Doe', undefined]);
    // SPEC 6.2: an address that is never delivered anywhere (demo mail goes to /demo/mailbox).
    assert.equal(claims.email, 'jane@demo.care-widgets.invalid');
    assert.equal(decodeJwt((await ts.rest('GET', '/demo/token?user=moderator')).body.token).care_role, 'moderator');
    assert.equal(decodeJwt((await ts.rest('GET', '/demo/token?user=admin')).body.token).care_role, 'admin');
    assert.equal(decodeJwt((await ts.rest('GET', '/demo/token?user=someone_else')).body.token).sub, 'someone_else');
    assert.equal((await ts.rest('GET', '/demo/token')).status, 204);
    const bad = await ts.rest('GET', '/demo/token?user=%3Cscript%3E');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid');
    // The token works on the socket.
    const c = await ts.connect(null, { token: jane.body.token, protocolVersion: PROTOCOL_VERSION });
    const sub = await c.ok('page:subscribe', { pageId: 'jane-doe' });
    assert.equal(sub.viewer.role, 'owner');
    c.close();
  });

  it('seeds jane-doe (public; jane, sam, friend; entries and messages) and alex-private (private; alex)', async () => {
    const jane = await ts.storage.exportPage('jane-doe');
    assert.equal(jane?.page.visibility, 'public');
    assert.deepEqual(jane?.members, [{ userId: 'jane', role: 'owner' }, { userId: 'sam', role: 'editor' }]);
    assert.deepEqual(jane?.follows.map((f) => [f.userId, f.state]), [['friend', 'following']]);
    assert.ok((jane?.journal.length ?? 0) >= 2);
    assert.ok((jane?.wall.length ?? 0) >= 2);
    const alex = await ts.storage.exportPage('alex-private');
    assert.equal(alex?.page.visibility, 'private');
    assert.deepEqual(alex?.members, [{ userId: 'alex', role: 'owner' }]);

    const anon = await ts.connect(null);
    assert.equal((await anon.ok('page:subscribe', { pageId: 'alex-private' })).access, 'none');
    const pub = await anon.ok('page:subscribe', { pageId: 'jane-doe' });
    assert.equal(pub.access === 'read' && pub.snapshot!.journal.length, jane!.journal.length);
    anon.close();
  });

  it('seeds jane-doe\'s newest update with a photo that loads, hearts and comments (SPEC 6.3)', async () => {
    const anon = await ts.connect(null);
    const pub = await anon.ok('page:subscribe', { pageId: 'jane-doe' });
    anon.close();
    assert.ok(pub.access === 'read' && pub.snapshot);
    const [newest] = pub.snapshot.journal;
    assert.equal(newest?.title, 'Out in the garden');
    const features: string[] = pub.page.features ?? [];
    if (features.includes('media')) {
      assert.equal(newest.media?.length, 1);
      const photo = newest.media![0]!;
      assert.match(photo.alt, /garden/);
      assert.ok(photo.width <= 1600 && photo.thumbWidth <= 400 && photo.thumbHeight > 0);
      for (const url of [photo.thumbUrl, photo.url]) {
        const res = await fetch(new URL(url, ts.url));
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type') ?? '', /^image\//);
        assert.match(res.headers.get('cache-control') ?? '', /private/);
      }
    }
    if (features.includes('journal-social')) {
      assert.equal(newest.hearts, 3);
      assert.equal(newest.commentCount, 3);
      assert.deepEqual(newest.comments?.map((c: { author: { id: string } }) => c.author.id), ['friend', 'sam', 'visitor']);
    }
  });

  it('seeds jane-doe\'s planner with a week of tasks (SPEC 6.4); details reach the family and each task\'s volunteers only', async () => {
    const snapshotOf = async (userId: string) => {
      const c = await ts.connect(userId);
      const sub = await c.ok('page:subscribe', { pageId: 'jane-doe' });
      c.close();
      assert.ok(sub.access === 'read' && sub.snapshot);
      return { page: sub.page, tasks: sub.snapshot.tasks as Task[], raw: JSON.stringify(sub) };
    };
    const visitor = await snapshotOf('visitor');
    assert.ok(visitor.page.features?.includes('planner'));
    const today = todayIn(visitor.page.timeZone ?? 'UTC');
    const week = Array.from({ length: 7 }, (_, i) => addDays(today, i));
    assert.deepEqual([...new Set(visitor.tasks.map((t) => t.date))], week, 'a task on every day of the week from today, by date');
    assert.deepEqual(new Set(visitor.tasks.map((t) => t.kind)), new Set(['meal', 'ride', 'visit', 'errand', 'other']));
    const dinners = visitor.tasks.filter((t) => t.seriesId);
    assert.equal(dinners.length, 7, 'one daily dinner, one occurrence a day');
    assert.ok(dinners.every((t) => t.kind === 'meal' && t.slots === 2 && t.seriesId === dinners[0]!.seriesId));
    assert.ok(visitor.tasks.some((t) => t.volunteers.length === t.slots), 'at least one task is full');
    assert.ok(visitor.tasks.filter((t) => t.volunteers.length === 0).length >= 3, 'several are still open');
    assert.deepEqual(new Set(visitor.tasks.flatMap((t) => t.volunteers.map((v) => v.id))), new Set(['friend', 'sam']));
    // Signed in, not signed up: no task's details anywhere in the answer.
    assert.ok(visitor.tasks.every((t) => !('details' in t)));
    assert.ok(visitor.tasks.filter((t) => t.hasDetails).length >= 7);
    assert.doesNotMatch(visitor.raw, /No nuts|Maple Court|lockbox|Harbour Road/);
    // A volunteer reads the details of their own tasks only; the family reads all of them.
    const friend = await snapshotOf('friend');
    for (const t of friend.tasks) assert.equal('details' in t, t.volunteers.some((v) => v.id === 'friend'), `${t.title} on ${t.date}`);
    assert.match(friend.tasks.find((t) => t.date === today && t.kind === 'meal')!.details!, /No nuts, please/);
    const jane = await snapshotOf('jane');
    assert.ok(jane.tasks.every((t) => typeof t.details === 'string'));
    assert.equal(jane.tasks.length, visitor.tasks.length);
  });
});

describe('demo mode off', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startServer();
  });
  after(async () => {
    await ts.close();
  });

  it('has no /demo routes and no seeded pages', async () => {
    assert.equal((await ts.rest('GET', '/demo/token?user=admin')).status, 404);
    assert.equal((await ts.rest('GET', '/demo/')).status, 404);
    assert.equal(await ts.storage.getPage('jane-doe'), null);
  });
});

describe('the demo secret across restarts (demo mode only)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'care-demo-secret-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>demo</title>');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is kept beside the SQLite file (0600): a token signed before a restart still signs in after it', async () => {
    const db = `sqlite:${join(dir, 'care.db')}`;
    const first = await startServer({ demo: true, demoDir: dir, jwtSecret: null, db });
    const token = (await first.rest('GET', '/demo/token?user=jane')).body.token as string;
    await first.close();
    const kept = join(dir, 'care.db.secret');
    assert.equal(statSync(kept).mode & 0o777, 0o600);
    assert.equal(readFileSync(kept, 'utf8').trim(), first.secret);

    const second = await startServer({ demo: true, demoDir: dir, jwtSecret: null, db });
    try {
      assert.equal(second.secret, first.secret);
      const c = await second.connect(null, { token, protocolVersion: PROTOCOL_VERSION });
      assert.equal((await c.ok('page:subscribe', { pageId: 'jane-doe' })).viewer.role, 'owner');
      c.close();
    } finally {
      await second.close();
    }
    // Another database, another secret.
    const other = await startServer({ demo: true, demoDir: dir, jwtSecret: null, db: `sqlite:${join(dir, 'other.db')}` });
    await other.close();
    assert.notEqual(other.secret, first.secret);
  });

  it('is neither made nor read outside demo mode, nor when CARE_JWT_SECRET is set', async () => {
    const configured = 'c'.repeat(64);
    for (const [name, overrides] of [
      ['off.db', { demo: false, jwtSecret: configured }],
      ['demo-with-secret.db', { demo: true, demoDir: dir, jwtSecret: configured }],
    ] as const) {
      const db = join(dir, name);
      const ts = await startServer({ ...overrides, db: `sqlite:${db}` });
      await ts.close();
      assert.equal(existsSync(`${db}.secret`), false, `${name}: no secret file`);
      assert.equal(ts.server.jwtSecret, configured, `${name}: the configured secret`);
    }
    // Outside demo mode a server without a secret does not start, even with a demo secret
    // left beside its database: that file is never a production signing key.
    const db = join(dir, 'care.db');
    assert.ok(existsSync(`${db}.secret`));
    await assert.rejects(startServer({ demo: false, jwtSecret: null, db: `sqlite:${db}` }), /Set CARE_JWT_SECRET/);
  });
});
