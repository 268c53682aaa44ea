/**
 * Live delivery and catch-up: readers get each change once with the page's next seq,
 * non-readers get nothing of it, a resubscribe with `since` replays what was missed, each item
 * once in its current state (or `reset` with a snapshot when the gap is older than what is
 * kept; the size bounds are in replay.test.ts), and retried posts have one effect.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JournalEntryEvent, PageEvent, WallHeartsEvent, WallMessageEvent, WallRemovedEvent } from '../../src/protocol/index.js';
import { PAGE_EVENTS, fileServer, itemIdOf, startServer, type Client } from './helpers.js';

const server = fileServer();
const connect = (user: string | null) => server.connect(user);


const onPage = (pageId: string) => (e: { pageId: string }) => e.pageId === pageId;

describe('live fan-out', () => {
  it('two subscribers: the other one receives the post with seq = previous seq + 1', async () => {
    const pageId = await server.ts.page({ visibility: 'public' });
    const owner = await connect('owner');
    const reader = await connect('visitor');
    const s1 = await owner.ok('page:subscribe', { pageId });
    const s2 = await reader.ok('page:subscribe', { pageId });
    assert.equal(s1.access, 'read');
    assert.equal(s2.access, 'read');
    const before = s2.access === 'read' ? s2.seq : -1;

    const posted = await owner.ok('journal:post', { pageId, clientId: 'live-1', title: 'Hello', body: 'World' });
    const got = await reader.waitFor<JournalEntryEvent>('journal:entry', onPage(pageId));
    assert.equal(got.seq, before + 1);
    assert.equal(got.entry.id, posted.entry.id);
    assert.equal(got.entry.title, 'Hello');
    assert.equal(got.entry.seq, got.seq);

    // The next change of any kind continues the sequence, for every reader.
    const w = await reader.ok('wall:post', { pageId, clientId: 'live-2', body: 'Hang in there' });
    const [a, b] = await Promise.all([
      owner.waitFor<WallMessageEvent>('wall:message', onPage(pageId)),
      reader.waitFor<WallMessageEvent>('wall:message', onPage(pageId)),
    ]);
    assert.equal(a.seq, before + 2);
    assert.equal(b.seq, before + 2);
    assert.equal(a.message.id, w.message.id);
    await reader.ok('wall:heart', { pageId, messageId: w.message.id, on: true });
    const h = await owner.waitFor<WallHeartsEvent>('wall:hearts', onPage(pageId));
    assert.deepEqual([h.seq, h.hearts, h.userId, h.on], [before + 3, 1, 'visitor', true]);
    await reader.barrier();
    assert.equal(reader.of('journal:entry').length, 1, 'exactly one event per change');
  });

  it('every reader sees one gap-free sequence across journal, wall, hearts, follows and settings', async () => {
    const pageId = await server.ts.page({ visibility: 'members' });
    const owner = await connect('owner');
    const reader = await connect('follower2');
    const sub = await reader.ok('page:subscribe', { pageId });
    const start = sub.access === 'read' ? sub.seq : -1;
    const mark = reader.mark();
    const j = await owner.ok('journal:post', { pageId, clientId: 'g1', title: 't', body: 'b' });
    await owner.ok('journal:edit', { pageId, entryId: j.entry.id, title: 't2', body: 'b2' });
    const w = await owner.ok('wall:post', { pageId, clientId: 'g2', body: 'w' });
    await reader.ok('wall:heart', { pageId, messageId: w.message.id, on: true });
    await owner.ok('wall:hide', { pageId, messageId: w.message.id, hidden: true });
    await owner.ok('wall:delete', { pageId, messageId: w.message.id });
    await reader.ok('follow:set', { pageId, follow: true });
    await owner.ok('journal:delete', { pageId, entryId: j.entry.id });
    const admin = await server.ts.token('admin');
    assert.equal((await server.ts.rest('PATCH', `/api/pages/${pageId}`, { token: admin, body: { title: 'Renamed' } })).status, 200);
    await reader.waitFor('page:updated', (e: { pageId: string; page?: unknown }) => e.pageId === pageId && !!e.page, mark);
    const seqs = reader.after(mark, pageId).map((r) => (r.data as { seq?: number }).seq);
    assert.deepEqual(seqs, Array.from({ length: 9 }, (_, i) => start + 1 + i));
    assert.deepEqual(
      reader.after(mark, pageId).map((r) => r.event),
      ['journal:entry', 'journal:entry', 'wall:message', 'wall:hearts', 'wall:removed', 'wall:removed', 'follow:count', 'journal:removed', 'page:updated'],
    );
  });

  it('a non-follower on a private page receives nothing of it; readers do', async () => {
    const pageId = await server.ts.page({ visibility: 'private', followers: ['follower'] });
    const owner = await connect('owner');
    const follower = await connect('follower');
    const outsider = await connect('visitor');
    const anonymous = await connect(null);
    await follower.ok('page:subscribe', { pageId });
    assert.equal((await outsider.ok('page:subscribe', { pageId })).access, 'none');
    assert.equal((await anonymous.ok('page:subscribe', { pageId })).access, 'none');
    const marks = [outsider.mark(), anonymous.mark()] as const;

    const j = await owner.ok('journal:post', { pageId, clientId: 'p1', title: 'Private SECRET', body: 'text' });
    const w = await follower.ok('wall:post', { pageId, clientId: 'p2', body: 'Private wall SECRET' });
    await follower.ok('wall:heart', { pageId, messageId: w.message.id, on: true });
    await owner.ok('journal:edit', { pageId, entryId: j.entry.id, title: 'Edited SECRET', body: 'x' });
    await owner.ok('wall:hide', { pageId, messageId: w.message.id, hidden: true });
    await owner.ok('journal:delete', { pageId, entryId: j.entry.id });
    await follower.waitFor('journal:removed', onPage(pageId));
    assert.equal(follower.after(0, pageId).length, 6);

    await outsider.barrier();
    await anonymous.barrier();
    assert.deepEqual(outsider.after(marks[0], pageId), []);
    assert.deepEqual(anonymous.after(marks[1], pageId), []);
    assert.ok(!JSON.stringify(outsider.received).includes('SECRET'));
    assert.ok(!JSON.stringify(anonymous.received).includes('SECRET'));
  });

  it('non-readers get only the public follower count, without seq', async () => {
    const pageId = await server.ts.page({ visibility: 'private', followers: ['follower'] });
    const owner = await connect('owner');
    const outsider = await connect('visitor');
    const joiner = await connect('joiner');
    assert.equal((await outsider.ok('page:subscribe', { pageId })).access, 'none');
    const mark = outsider.mark();
    await joiner.ok('follow:set', { pageId, follow: true });
    await owner.ok('follow:decide', { pageId, userId: 'joiner', approve: true });
    const count = await outsider.waitFor<{ pageId: string; seq?: number; followerCount: number }>('follow:count', onPage(pageId), mark);
    assert.deepEqual(count, { pageId, followerCount: 2 });
    await outsider.barrier();
    assert.deepEqual(outsider.after(mark, pageId).map((r) => r.event), ['follow:count']);
  });

  it('hidden messages reach moderators and their author only; others get wall:removed under the same seq', async () => {
    const pageId = await server.ts.page({ visibility: 'public' });
    const owner = await connect('owner');
    const moderator = await connect('moderator');
    const author = await connect('visitor');
    const reader = await connect('other');
    for (const c of [owner, moderator, author, reader]) await c.ok('page:subscribe', { pageId });
    const w = await author.ok('wall:post', { pageId, clientId: 'h1', body: 'rude words' });
    await Promise.all([moderator.barrier(), reader.barrier()]);
    const mark = { mod: moderator.mark(), author: author.mark(), reader: reader.mark() };
    const hidden = await owner.ok('wall:hide', { pageId, messageId: w.message.id, hidden: true });
    assert.equal(hidden.message.hidden, true);
    const modSaw = await moderator.waitFor<WallMessageEvent>('wall:message', (e) => e.message.id === w.message.id && e.message.hidden, mark.mod);
    const readerSaw = await reader.waitFor<WallRemovedEvent>('wall:removed', (e) => e.messageId === w.message.id, mark.reader);
    // Issue 11: the author sees their own message, marked hidden, instead of it vanishing.
    const authorSaw = await author.waitFor<WallMessageEvent>('wall:message', (e) => e.message.id === w.message.id && e.message.hidden, mark.author);
    assert.equal(readerSaw.seq, modSaw.seq);
    assert.equal(authorSaw.seq, modSaw.seq);
    await Promise.all([reader.barrier(), author.barrier()]);
    assert.ok(!JSON.stringify(reader.after(mark.reader)).includes('rude words'));
    assert.ok(!author.after(mark.author).some((e) => e.event === 'wall:removed'), 'no wall:removed for the author');
    // The snapshot and history agree: hidden for readers, present for moderators and the author.
    const r = await reader.ok('page:subscribe', { pageId });
    const a = await author.ok('page:subscribe', { pageId });
    const m = await moderator.ok('page:subscribe', { pageId });
    assert.deepEqual(r.access === 'read' && r.snapshot?.wall.map((x) => x.id), []);
    assert.deepEqual(a.access === 'read' && a.snapshot?.wall.map((x) => [x.id, x.hidden]), [[w.message.id, true]]);
    assert.deepEqual(m.access === 'read' && m.snapshot?.wall.map((x) => x.id), [w.message.id]);
    const rh = await reader.ok('history:load', { pageId, stream: 'wall', before: 1000, limit: 10 });
    const ah = await author.ok('history:load', { pageId, stream: 'wall', before: 1000, limit: 10 });
    assert.deepEqual(rh.items, []);
    assert.deepEqual(ah.items.map((x) => x.id), [w.message.id]);
    assert.ok(!JSON.stringify(reader.after(mark.reader)).includes('rude words'), 'the reader never got the text after it was hidden');
  });

  it('pre-moderated walls: a pending message reaches its author and moderators only', async () => {
    const pageId = await server.ts.page({ visibility: 'public', wallModeration: 'pre' });
    const owner = await connect('owner');
    const author = await connect('visitor');
    const other = await connect('other');
    for (const c of [owner, author, other]) await c.ok('page:subscribe', { pageId });
    const mark = other.mark();
    const posted = await author.ok('wall:post', { pageId, clientId: 'pm1', body: 'pending words' });
    assert.equal(posted.message.pending, true);
    const ownerSaw = await owner.waitFor<WallMessageEvent>('wall:message', (e) => e.message.id === posted.message.id);
    assert.equal(ownerSaw.message.pending, true);
    await author.waitFor<WallMessageEvent>('wall:message', (e) => e.message.id === posted.message.id);
    const removed = await other.waitFor<WallRemovedEvent>('wall:removed', (e) => e.messageId === posted.message.id, mark);
    assert.equal(removed.seq, ownerSaw.seq);
    await other.barrier();
    assert.ok(!JSON.stringify(other.received).includes('pending words'));
  });
});

describe('catch-up', () => {
  it('disconnect, 50 changes, resubscribe with since: exactly those 50, in order', async () => {
    const pageId = await server.ts.page({ visibility: 'private', followers: ['follower'] });
    const owner = await connect('owner');
    let reader = await connect('follower');
    await owner.ok('journal:post', { pageId, clientId: 'pre', title: 'before', body: 'before' });
    const sub = await reader.ok('page:subscribe', { pageId });
    assert.equal(sub.access, 'read');
    const since = sub.access === 'read' ? sub.seq : -1;
    reader.close();

    const expected: { type: string; id: string }[] = [];
    for (let i = 0; i < 50; i++) {
      if (i % 5 === 4) {
        const w = await owner.ok('wall:post', { pageId, clientId: `cw${i}`, body: `wall ${i}` });
        expected.push({ type: 'wall:message', id: w.message.id });
      } else {
        const j = await owner.ok('journal:post', { pageId, clientId: `cj${i}`, title: `entry ${i}`, body: `body ${i}` });
        expected.push({ type: 'journal:entry', id: j.entry.id });
      }
    }

    reader = await connect('follower');
    const again = await reader.ok('page:subscribe', { pageId, since });
    assert.equal(again.access, 'read');
    if (again.access !== 'read') return;
    assert.equal(again.reset, undefined);
    assert.equal(again.snapshot, undefined);
    const events = again.events!;
    assert.equal(events.length, 50);
    assert.deepEqual(events.map((e) => e.data.seq), Array.from({ length: 50 }, (_, i) => since + 1 + i));
    assert.deepEqual(events.map((e) => ({ type: e.type, id: itemIdOf(e) })), expected);
    assert.equal(again.seq, since + 50);
    const first = events[0]!;
    assert.equal(first.type === 'journal:entry' && first.data.entry.title, 'entry 0');

    // And the live stream continues right after.
    await owner.ok('journal:post', { pageId, clientId: 'after', title: 'after', body: 'after' });
    const live = await reader.waitFor<JournalEntryEvent>('journal:entry', onPage(pageId));
    assert.equal(live.seq, since + 51);
  });

  it('since = the latest seq answers no events; deleted and edited items replay once, in their current state', async () => {
    const pageId = await server.ts.page({ visibility: 'public' });
    const owner = await connect('owner');
    const sub = await owner.ok('page:subscribe', { pageId });
    const since = sub.access === 'read' ? sub.seq : -1;
    const none = await owner.ok('page:subscribe', { pageId, since });
    assert.deepEqual(none.access === 'read' && none.events, []);

    const a = await owner.ok('journal:post', { pageId, clientId: 'a', title: 'A', body: 'A' });
    const b = await owner.ok('journal:post', { pageId, clientId: 'b', title: 'B', body: 'B' });
    await owner.ok('journal:edit', { pageId, entryId: b.entry.id, title: 'B2', body: 'B2' });
    await owner.ok('journal:delete', { pageId, entryId: a.entry.id });
    const r = await owner.ok('page:subscribe', { pageId, since });
    assert.equal(r.access, 'read');
    if (r.access !== 'read') return;
    // One event per item, at the seq of its last change (replay.ts); the seqs skip the rest.
    assert.deepEqual(
      r.events!.map((e) => [e.type, e.data.seq, itemIdOf(e)]),
      [
        ['journal:entry', since + 3, b.entry.id],
        ['journal:removed', since + 4, a.entry.id],
      ],
    );
    assert.equal(r.seq, since + 4);
    assert.ok(!JSON.stringify(r.events).includes('"A"'), 'deleted text is not replayed');
  });

  it('a since older than the retention → reset: true with a fresh snapshot', async () => {
    const small = await startServer({ changeRetention: 5 });
    try {
      const pageId = await small.page({ visibility: 'public' });
      const owner = await small.connect('owner');
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) ids.push((await owner.ok('journal:post', { pageId, clientId: `r${i}`, title: `t${i}`, body: 'b' })).entry.id);
      const old = await owner.ok('page:subscribe', { pageId, since: 1 });
      assert.equal(old.access, 'read');
      if (old.access !== 'read') return;
      assert.equal(old.reset, true);
      assert.equal(old.events, undefined);
      assert.equal(old.seq, 10);
      assert.deepEqual(old.snapshot!.journal.map((e) => e.id), ids.slice().reverse());
      // A recent since is still replayed.
      const recent = await owner.ok('page:subscribe', { pageId, since: 7 });
      assert.deepEqual(recent.access === 'read' && recent.events!.map((e) => e.data.seq), [8, 9, 10]);
      // A since from the future (another database, a bug) also gets a reset.
      const future = await owner.ok('page:subscribe', { pageId, since: 999 });
      assert.equal(future.access === 'read' && future.reset, true);
    } finally {
      await small.close();
    }
  });

  it('a retried post with the same clientId has one effect: same id, one item, one event', async () => {
    const pageId = await server.ts.page({ visibility: 'public' });
    const owner = await connect('owner');
    const reader = await connect('visitor');
    await reader.ok('page:subscribe', { pageId });
    const seq0 = (await server.ts.storage.getPage(pageId))!.seq;
    const p = { pageId, clientId: 'retry-me', title: 'Once', body: 'only once' };
    const [first, second] = await Promise.all([owner.ok('journal:post', p), owner.ok('journal:post', p)]);
    const third = await owner.ok('journal:post', p);
    assert.equal(second.entry.id, first.entry.id);
    assert.equal(third.entry.id, first.entry.id);
    const wp = { pageId, clientId: 'retry-wall', body: 'one message' };
    const w1 = await reader.ok('wall:post', wp);
    const w2 = await reader.ok('wall:post', wp);
    assert.equal(w2.message.id, w1.message.id);

    assert.equal((await server.ts.storage.journalPage(pageId, null, 100)).items.length, 1);
    assert.equal((await server.ts.storage.wallPage(pageId, null, 100, { moderator: true, userId: null })).items.length, 1);
    assert.equal((await server.ts.storage.getPage(pageId))!.seq, seq0 + 2);
    await reader.barrier();
    assert.equal(reader.of('journal:entry').length, 1);
    assert.equal(reader.of('wall:message').length, 1);
    // The same clientId from another author is another post.
    const other = await connect('editor');
    const o = await other.ok('journal:post', p);
    assert.notEqual(o.entry.id, first.entry.id);
  });

  it('a late retry of a post a moderator deleted is refused with conflict: the deleted post does not come back', async () => {
    const pageId = await server.ts.page({ visibility: 'public' });
    const owner = await connect('owner');
    const author = await connect('visitor');
    const reader = await connect('follower');
    await reader.ok('page:subscribe', { pageId });
    // The author's post is stored, but say its acknowledgement was lost: the outbox keeps it.
    const p = { pageId, clientId: 'lost-ack', body: 'something the owner removes' };
    const posted = await author.ok('wall:post', p);
    await owner.ok('wall:delete', { pageId, messageId: posted.message.id });
    const seq = (await server.ts.storage.getPage(pageId))!.seq;
    const mark = reader.mark();
    // The outbox retries with the same clientId when the author is back online.
    await author.fails('wall:post', p, 'conflict');
    const jp = { pageId, clientId: 'lost-ack-j', title: 'Update', body: 'removed later' };
    const entry = await owner.ok('journal:post', jp);
    await owner.ok('journal:delete', { pageId, entryId: entry.entry.id });
    await owner.fails('journal:post', jp, 'conflict');
    await reader.barrier();
    assert.deepEqual(reader.after(mark, pageId).map((e) => e.event), ['journal:entry', 'journal:removed'], 'the refused retries send nothing');
    assert.equal((await server.ts.storage.getPage(pageId))!.seq, seq + 2);
    assert.equal((await server.ts.storage.wallPage(pageId, null, 100, { moderator: true, userId: null })).items.length, 0);
    // A new post (a new clientId) with the same words is a new post, as ever.
    await author.ok('wall:post', { ...p, clientId: 'new-one' });
  });

  it('live events and replay agree for changes to distinct items (an ordinary gap is replayed exactly)', async () => {
    const pageId = await server.ts.page({ visibility: 'public' });
    const owner = await connect('owner');
    const live = await connect('visitor');
    const earlier = await owner.ok('wall:post', { pageId, clientId: 'x0', body: 'earlier' });
    const sub = await live.ok('page:subscribe', { pageId });
    const since = sub.access === 'read' ? sub.seq : -1;
    const mark = live.mark();
    await owner.ok('wall:post', { pageId, clientId: 'x1', body: 'm' });
    await live.ok('wall:heart', { pageId, messageId: earlier.message.id, on: true });
    await owner.ok('journal:post', { pageId, clientId: 'x2', title: 't', body: 'b' });
    await live.waitFor('journal:entry', onPage(pageId), mark);
    const liveEvents = live.after(mark, pageId).filter((r) => (PAGE_EVENTS as readonly string[]).includes(r.event));
    const replayed = await live.ok('page:subscribe', { pageId, since });
    assert.equal(replayed.access, 'read');
    if (replayed.access !== 'read') return;
    assert.deepEqual(
      replayed.events!.map((e) => [e.type, e.data.seq, itemIdOf(e)]),
      liveEvents.map((r) => [r.event, (r.data as { seq: number }).seq, itemIdOf({ type: r.event, data: r.data } as PageEvent)]),
    );
    assert.equal(replayed.events!.length, 3);
  });
});

