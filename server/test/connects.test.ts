/**
 * The connect path made cheaper for waves of sockets (issue 12, point 4) keeps its behaviour:
 * snapshots read once per page and `seq` (pages/snapshot-reads.ts) still differ by viewer and
 * are never older than the `seq` they are answered with; token expiry from one shared timer
 * (socket/session.ts) still reaches every socket at its own second; the server holds no copy
 * of a handshake's token.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SubscribeAnswer, WallMessage } from '../../src/protocol/index.js';
import { LIMITS } from '../../src/protocol/index.js';
import { fileServer, type Client } from './helpers.js';

const server = fileServer();
const connect = (user: string | null) => server.connect(user);

type Read = Extract<SubscribeAnswer, { access: 'read' }>;
type Snap = { seq: number; wall: WallMessage[]; wallHasMore: boolean };
async function snapshotOf(c: Client, pageId: string): Promise<Snap> {
  const r = (await c.ok('page:subscribe', { pageId })) as Read;
  assert.equal(r.access, 'read');
  return { seq: r.seq, wall: r.snapshot!.wall, wallHasMore: r.snapshot!.wallHasMore };
}
const bodies = (wall: WallMessage[]) => wall.map((m) => m.body);

describe('snapshots shared by the subscribers of one page at one seq', () => {
  it('still show each viewer exactly the wall they may see, when all subscribe at once', async () => {
    const pageId = await server.ts.page({ visibility: 'public' });
    const [owner, ann, ben, anonymous] = await Promise.all([connect('owner'), connect('ann'), connect('ben'), connect(null)]);
    const hidden = await ann.ok('wall:post', { pageId, clientId: 'h', body: 'hidden one' });
    await ben.ok('wall:post', { pageId, clientId: 'v', body: 'visible one' });
    await owner.ok('wall:hide', { pageId, messageId: hidden.message.id, hidden: true });

    const [o, a, b, n] = (await Promise.all([owner, ann, ben, anonymous].map((c) => snapshotOf(c, pageId)))) as [Snap, Snap, Snap, Snap];
    assert.deepEqual(new Set([o.seq, a.seq, b.seq, n.seq]).size, 1, 'one seq for all four');
    assert.deepEqual(bodies(o.wall), ['visible one', 'hidden one'], 'a moderator sees the hidden message');
    assert.deepEqual(bodies(a.wall), ['visible one', 'hidden one'], 'its author sees it (marked hidden)');
    assert.equal(a.wall[1]!.hidden, true);
    assert.deepEqual(bodies(b.wall), ['visible one'], 'another reader does not');
    assert.deepEqual(bodies(n.wall), ['visible one'], 'nor does an anonymous one');
  });

  it('fill a viewer’s snapshot from their own read when hidden messages crowd out the shared one', async () => {
    const pageId = await server.ts.page({ visibility: 'public', wallModeration: 'pre' });
    const storage = server.ts.storage;
    const ann = { id: 'ann', name: 'Ann' };
    for (let i = 0; i < 3; i++) await storage.postWall(pageId, ann, `old-${i}`, `old ${i}`, false);
    // Newer than those, more pending messages than the shared read holds.
    const pending = 2 * LIMITS.snapshotWall + 5;
    for (let i = 0; i < pending; i++) await storage.postWall(pageId, { id: 'pat', name: 'Pat' }, `p-${i}`, `pending ${i}`, true);

    const [owner, pat, ben] = await Promise.all([connect('owner'), connect('pat'), connect('ben')]);
    const [o, p, b] = (await Promise.all([owner, pat, ben].map((c) => snapshotOf(c, pageId)))) as [Snap, Snap, Snap];
    assert.equal(o.wall.length, LIMITS.snapshotWall);
    assert.equal(o.wallHasMore, true);
    assert.deepEqual(bodies(p.wall), Array.from({ length: LIMITS.snapshotWall }, (_, i) => `pending ${pending - 1 - i}`), 'their author sees their newest pending messages');
    assert.equal(p.wallHasMore, true);
    assert.deepEqual(bodies(b.wall), ['old 2', 'old 1', 'old 0'], 'another reader sees every approved message, none pending');
    assert.equal(b.wallHasMore, false);
  });

  it('never answer a page as it was before the seq the answer names', async () => {
    const pageId = await server.ts.page({ visibility: 'public' });
    const [ann, ben, cat] = await Promise.all([connect('ann'), connect('ben'), connect('cat')]);
    const first = await snapshotOf(ann, pageId);
    await ann.ok('wall:post', { pageId, clientId: 'new', body: 'after the first read' });
    const [b, c] = await Promise.all([snapshotOf(ben, pageId), snapshotOf(cat, pageId)]);
    assert.ok(b.seq > first.seq);
    assert.deepEqual(bodies(b.wall), ['after the first read']);
    assert.deepEqual(bodies(c.wall), ['after the first read']);
    // Hearts change a message and its seq: the next subscriber sees the count, and its own heart.
    await ben.ok('wall:heart', { pageId, messageId: b.wall[0]!.id, on: true });
    const [b2, c2] = await Promise.all([snapshotOf(ben, pageId), snapshotOf(cat, pageId)]);
    assert.equal(b2.wall[0]!.hearts, 1);
    assert.equal(b2.wall[0]!.hearted, true, 'ben hearted it');
    assert.equal(c2.wall[0]!.hearted, false, 'cat did not');
  });
});

describe('the handshake', () => {
  it('keeps no copy of the token on the server, only the identity read from it', async () => {
    await connect('ann');
    const sockets = [...server.ts.server.ns.sockets.values()].filter((s) => s.data.identity?.userId === 'ann');
    assert.ok(sockets.length > 0);
    for (const s of sockets) assert.equal((s.handshake.auth as Record<string, unknown>).token, undefined);
  });
});

describe('token expiry from one shared timer', () => {
  it('tells each socket at its own second, and forgets a socket that left', async () => {
    const auth = async (user: string, ttl: number) => server.ts.connect(user, { token: await server.ts.token(user, ttl) });
    // At least 2 s: a 1 s token signed at the end of a second may be expired when it arrives.
    const soon = await auth('soon', 2);
    const later = await auth('later', 3);
    const gone = await auth('gone', 2);
    const expiredAt = (c: Client) => c.waitFor('session:expired', () => true, 0, 6_000).then(() => Date.now());
    const [s, l] = [expiredAt(soon), expiredAt(later)];
    gone.close();
    const [ts, tl] = await Promise.all([s, l]);
    assert.ok(tl - ts >= 500, `the later token expired ${tl - ts} ms after the sooner`);
    assert.equal(gone.of('session:expired').length, 0);
    // Still working for the next sockets: the timer re-arms.
    const again = await auth('again', 2);
    await expiredAt(again);
  });
});
