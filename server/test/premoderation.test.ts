/**
 * Pre-moderation of the wall (`wallModeration: 'pre'`): a new message is `pending`, seen only by
 * its author and the page's moderators (owner, editors, staff) — live, in snapshots, in
 * catch-up and in history — until a moderator approves it with `wall:approve`, which releases
 * it to every reader under the page's next `seq`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WallMessageEvent, WallRemovedEvent } from '../../src/protocol/index.js';
import { auditTrail, fileServer, type Client } from './helpers.js';

const server = fileServer();
const connect = (user: string | null) => server.connect(user);


const SECRET = 'pending words only the author and moderators may see';
const isMessage = (id: string) => (e: { messageId?: string; message?: { id: string } }) => e.message?.id === id || e.messageId === id;

/** A public pre-moderated page (owner `owner`, editor `editor`, follower `follower`) and everyone subscribed to it. */
async function scene(visibility: 'public' | 'private' = 'public') {
  const pageId = await server.ts.page({ visibility, wallModeration: 'pre', followers: ['author', 'follower'] });
  const who = {
    owner: await connect('owner'),
    editor: await connect('editor'),
    staff: await connect('moderator'),
    author: await connect('author'),
    authorTab: await connect('author'),
    follower: await connect('follower'),
    visitor: await connect('visitor'),
    anonymous: await connect(null),
  };
  for (const c of Object.values(who)) await c.ok('page:subscribe', { pageId });
  return { pageId, ...who };
}

describe('pending messages', () => {
  it('reach the author (all their sockets) and moderators live; everyone else gets wall:removed under the same seq, never the text', async () => {
    const s = await scene();
    const seeing = [s.owner, s.editor, s.staff, s.author, s.authorTab];
    const notSeeing = [s.follower, s.visitor, s.anonymous];
    const marks = new Map([...seeing, ...notSeeing].map((c) => [c, c.mark()]));
    const before = (await server.ts.storage.getPage(s.pageId))!.seq;

    const posted = await s.author.ok('wall:post', { pageId: s.pageId, clientId: 'p1', body: SECRET });
    assert.equal(posted.message.pending, true);
    assert.equal(posted.message.seq, before + 1);
    assert.equal((await server.ts.storage.getWall(s.pageId, posted.message.id))?.pending, true);

    for (const c of seeing) {
      const e = await c.waitFor<WallMessageEvent>('wall:message', isMessage(posted.message.id), marks.get(c));
      assert.equal(e.seq, before + 1);
      assert.equal(e.message.pending, true);
      assert.equal(e.message.body, SECRET);
    }
    for (const c of notSeeing) {
      const e = await c.waitFor<WallRemovedEvent>('wall:removed', isMessage(posted.message.id), marks.get(c));
      assert.equal(e.seq, before + 1, 'the hole in the sequence is filled');
      await c.barrier();
      assert.equal(c.of('wall:message', marks.get(c)).length, 0);
      assert.ok(!JSON.stringify(c.received).includes(SECRET), 'the pending text never reaches a non-moderator');
    }
  });

  it('are in the snapshot, catch-up and history of the author and moderators only', async () => {
    const s = await scene();
    const since = (await server.ts.storage.getPage(s.pageId))!.seq;
    const posted = await s.author.ok('wall:post', { pageId: s.pageId, clientId: 'p2', body: SECRET });
    const id = posted.message.id;

    for (const [c, sees] of [[s.owner, true], [s.editor, true], [s.staff, true], [s.author, true], [s.follower, false], [s.visitor, false], [s.anonymous, false]] as const) {
      const snap = await c.ok('page:subscribe', { pageId: s.pageId });
      assert.ok(snap.access === 'read');
      assert.deepEqual(snap.snapshot?.wall.map((m) => [m.id, m.pending]), sees ? [[id, true]] : []);

      const caught = await c.ok('page:subscribe', { pageId: s.pageId, since });
      assert.ok(caught.access === 'read' && caught.events);
      assert.equal(caught.events.length, 1);
      const event = caught.events[0]!;
      if (sees) assert.deepEqual([event.type, event.type === 'wall:message' && event.data.message.pending], ['wall:message', true]);
      else assert.deepEqual([event.type, event.data.seq], ['wall:removed', since + 1]);

      const history = await c.ok('history:load', { pageId: s.pageId, stream: 'wall', before: since + 10, limit: 10 });
      assert.deepEqual(history.items.map((m) => m.id), sees ? [id] : []);
      if (!sees) assert.ok(!JSON.stringify([snap, caught, history]).includes(SECRET));
    }
  });

  it('a moderator\'s own message is never held; a page with post-moderation holds nothing', async () => {
    const s = await scene();
    const own = await s.editor.ok('wall:post', { pageId: s.pageId, clientId: 'p3', body: 'from the family' });
    assert.equal(own.message.pending, false);
    await s.visitor.waitFor<WallMessageEvent>('wall:message', isMessage(own.message.id));

    const postPage = await server.ts.page({ visibility: 'public', wallModeration: 'post' });
    const visitor = await connect('visitor');
    const m = await visitor.ok('wall:post', { pageId: postPage, clientId: 'p4', body: 'no waiting' });
    assert.equal(m.message.pending, false);
  });

  it('cannot be hearted while pending', async () => {
    const s = await scene();
    const posted = await s.author.ok('wall:post', { pageId: s.pageId, clientId: 'p5', body: SECRET });
    await s.follower.fails('wall:heart', { pageId: s.pageId, messageId: posted.message.id, on: true }, 'not_found');
    await s.owner.ok('wall:approve', { pageId: s.pageId, messageId: posted.message.id });
    const h = await s.follower.ok('wall:heart', { pageId: s.pageId, messageId: posted.message.id, on: true });
    assert.equal(h.hearts, 1);
  });
});

describe('wall:approve', () => {
  for (const approver of ['owner', 'editor', 'staff'] as const) {
    it(`by the ${approver}: clears pending, takes the next seq, and every reader gets the message live under it`, async () => {
      const s = await scene();
      const posted = await s.author.ok('wall:post', { pageId: s.pageId, clientId: `a-${approver}`, body: SECRET });
      const id = posted.message.id;
      const everyone = [s.owner, s.editor, s.staff, s.author, s.authorTab, s.follower, s.visitor, s.anonymous];
      // Everyone has seen the post (or its removal) before the approval.
      for (const c of everyone) await c.waitFor('wall:' + (c === s.follower || c === s.visitor || c === s.anonymous ? 'removed' : 'message'), isMessage(id));
      const marks = new Map(everyone.map((c) => [c, c.mark()]));

      const approved = await s[approver].ok('wall:approve', { pageId: s.pageId, messageId: id });
      assert.equal(approved.message.id, id);
      assert.equal(approved.message.pending, false);
      assert.equal(approved.message.body, SECRET);
      const page = await server.ts.storage.getPage(s.pageId);
      assert.equal(page!.seq, posted.message.seq + 1);
      assert.equal((await server.ts.storage.getWall(s.pageId, id))?.pending, false);

      for (const c of everyone) {
        const e = await c.waitFor<WallMessageEvent>('wall:message', isMessage(id), marks.get(c));
        assert.equal(e.seq, page!.seq);
        assert.equal(e.message.pending, false);
        assert.equal(e.message.body, SECRET);
      }
      // And in a fresh snapshot of someone who could not see it before.
      const snap = await s.visitor.ok('page:subscribe', { pageId: s.pageId });
      assert.deepEqual(snap.access === 'read' && snap.snapshot?.wall.map((m) => [m.id, m.pending]), [[id, false]]);
    });
  }

  it('is audited as wall.approve with the approver and their role', async () => {
    const s = await scene();
    const a = await s.author.ok('wall:post', { pageId: s.pageId, clientId: 'au1', body: 'one' });
    const b = await s.author.ok('wall:post', { pageId: s.pageId, clientId: 'au2', body: 'two' });
    await s.owner.ok('wall:approve', { pageId: s.pageId, messageId: a.message.id });
    await s.staff.ok('wall:approve', { pageId: s.pageId, messageId: b.message.id });
    const rows = (await auditTrail(server.ts.storage, s.pageId)).filter((r) => r.action === 'wall.approve');
    assert.deepEqual(
      rows.map((r) => [r.actorId, r.actorRole, r.target]),
      [
        ['owner', 'owner', a.message.id],
        ['moderator', 'moderator', b.message.id],
      ],
    );
  });

  it('is refused to everyone who does not moderate, and leaves the message pending and the seq unchanged', async () => {
    const s = await scene();
    const posted = await s.author.ok('wall:post', { pageId: s.pageId, clientId: 'r1', body: SECRET });
    const seq = (await server.ts.storage.getPage(s.pageId))!.seq;
    const messageId = posted.message.id;
    await s.author.fails('wall:approve', { pageId: s.pageId, messageId }, 'forbidden');
    await s.follower.fails('wall:approve', { pageId: s.pageId, messageId }, 'forbidden');
    await s.visitor.fails('wall:approve', { pageId: s.pageId, messageId }, 'forbidden');
    await s.anonymous.fails('wall:approve', { pageId: s.pageId, messageId }, 'unauthorized');
    assert.equal((await server.ts.storage.getWall(s.pageId, messageId))?.pending, true);
    assert.equal((await server.ts.storage.getPage(s.pageId))!.seq, seq);
    assert.equal((await auditTrail(server.ts.storage, s.pageId)).filter((r) => r.action === 'wall.approve').length, 0);
    await s.visitor.barrier();
    assert.ok(!JSON.stringify(s.visitor.received).includes(SECRET));
  });

  it('a non-reader of a private page is refused without learning whether the message exists', async () => {
    const s = await scene('private');
    const posted = await s.author.ok('wall:post', { pageId: s.pageId, clientId: 'r2', body: SECRET });
    assert.equal(posted.message.pending, true);
    await s.visitor.fails('wall:approve', { pageId: s.pageId, messageId: posted.message.id }, 'forbidden');
    await s.visitor.fails('wall:approve', { pageId: s.pageId, messageId: 'no-such-message' }, 'forbidden');
  });

  it('answers not_found for a message that is not pending, already approved, deleted or absent, and changes nothing', async () => {
    const s = await scene();
    const held = await s.author.ok('wall:post', { pageId: s.pageId, clientId: 'n1', body: 'held' });
    const own = await s.owner.ok('wall:post', { pageId: s.pageId, clientId: 'n2', body: 'never held' });
    await s.owner.ok('wall:approve', { pageId: s.pageId, messageId: held.message.id });
    const gone = await s.author.ok('wall:post', { pageId: s.pageId, clientId: 'n3', body: 'to delete' });
    await s.owner.ok('wall:delete', { pageId: s.pageId, messageId: gone.message.id });
    const seq = (await server.ts.storage.getPage(s.pageId))!.seq;

    for (const messageId of [held.message.id, own.message.id, gone.message.id, 'no-such-message']) {
      await s.owner.fails('wall:approve', { pageId: s.pageId, messageId }, 'not_found');
    }
    await s.owner.fails('wall:approve', { pageId: 'no-such-page', messageId: held.message.id }, 'not_found');
    assert.equal((await server.ts.storage.getPage(s.pageId))!.seq, seq);
    assert.equal((await auditTrail(server.ts.storage, s.pageId)).filter((r) => r.action === 'wall.approve').length, 1);
  });

  it('a hidden pending message stays hidden after approval (moderators, and its author marked hidden)', async () => {
    const s = await scene();
    const posted = await s.author.ok('wall:post', { pageId: s.pageId, clientId: 'h1', body: SECRET });
    await s.owner.ok('wall:hide', { pageId: s.pageId, messageId: posted.message.id, hidden: true });
    await Promise.all([s.visitor.barrier(), s.author.barrier()]);
    const mark = s.visitor.mark();
    const authorMark = s.author.mark();
    const approved = await s.owner.ok('wall:approve', { pageId: s.pageId, messageId: posted.message.id });
    assert.deepEqual([approved.message.pending, approved.message.hidden], [false, true]);
    await s.staff.waitFor<WallMessageEvent>('wall:message', (e) => e.message.id === posted.message.id && !e.message.pending);
    await s.visitor.waitFor<WallRemovedEvent>('wall:removed', isMessage(posted.message.id), mark);
    // Issue 11: the author keeps their own message, marked hidden (it used to vanish for them).
    const own = await s.author.waitFor<WallMessageEvent>('wall:message', (e) => e.message.id === posted.message.id, authorMark);
    assert.deepEqual([own.message.pending, own.message.hidden], [false, true]);
    await s.visitor.barrier();
    assert.ok(!JSON.stringify(s.visitor.received).includes(SECRET));
  });
});
