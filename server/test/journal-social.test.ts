/**
 * SPEC 6.3, feature `journal-social`, on the server: hearts and comments on journal entries.
 * Hearts: one per visitor, live, in snapshots and catch-up. Comments: the wall's rules (who
 * may write, pre-moderation, hide, approve, author delete, block, idempotent `clientId`),
 * live with the receiver's `commentCount`, in snapshots (last 3), catch-up and history
 * (`stream: 'comments'`); the entry's author closes and opens them; they go with their entry
 * and their page.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JournalCommentEvent, JournalCommentRemovedEvent, JournalEntry, JournalHeartsEvent, JournalEntryEvent } from '../../src/protocol/index.js';
import { LIMITS } from '../../src/protocol/index.js';
import { auditTrail, fileServer, startServer, type Client } from './helpers.js';

const server = fileServer();
const connect = (user: string | null) => server.connect(user);
const SECRET = 'held words only the author and moderators may see';

/** A page (owner `owner`, editor `editor`, followers `author`, `follower`) with one entry by the owner, and sockets subscribed. */
async function scene(opts: { visibility?: 'public' | 'private'; wallModeration?: 'post' | 'pre' } = {}) {
  const pageId = await server.ts.page({ visibility: opts.visibility ?? 'public', wallModeration: opts.wallModeration ?? 'post', followers: ['author', 'follower'] });
  const entry = (await server.ts.storage.postJournal(pageId, { id: 'owner', name: 'Owner' }, 'e1', 'Update', 'Body')).entry;
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
  return { pageId, entryId: entry.id, ...who };
}

const seqOf = async (pageId: string) => (await server.ts.storage.getPage(pageId))!.seq;
const entryIn = (answer: { access: string; snapshot?: { journal: JournalEntry[] } }, id: string) => answer.snapshot?.journal.find((e) => e.id === id);
const isComment = (id: string) => (e: { comment?: { id: string }; commentId?: string }) => e.comment?.id === id || e.commentId === id;

describe('hearts on entries', () => {
  it('one per visitor, live to every reader with the count under the next seq; toggled off; anonymous may not', async () => {
    const s = await scene();
    const before = await seqOf(s.pageId);
    const mark = s.visitor.mark();
    const on = await s.follower.ok('journal:heart', { pageId: s.pageId, entryId: s.entryId, on: true });
    assert.deepEqual([on.hearts, on.on], [1, true]);
    const e = await s.visitor.waitFor<JournalHeartsEvent>('journal:hearts', (d) => d.entryId === s.entryId, mark);
    assert.deepEqual([e.seq, e.hearts, e.userId, e.on], [before + 1, 1, 'follower', true]);

    // Again: nothing changes, no seq taken, nothing sent.
    assert.equal((await s.follower.ok('journal:heart', { pageId: s.pageId, entryId: s.entryId, on: true })).hearts, 1);
    assert.equal(await seqOf(s.pageId), before + 1);
    await s.owner.ok('journal:heart', { pageId: s.pageId, entryId: s.entryId, on: true });
    const off = await s.follower.ok('journal:heart', { pageId: s.pageId, entryId: s.entryId, on: false });
    assert.deepEqual([off.hearts, off.on], [1, false]);
    await s.anonymous.fails('journal:heart', { pageId: s.pageId, entryId: s.entryId, on: true }, 'unauthorized');
    await s.follower.fails('journal:heart', { pageId: s.pageId, entryId: 'no-such-entry', on: true }, 'not_found');

    const snap = (c: Client) => c.ok('page:subscribe', { pageId: s.pageId });
    const mine = entryIn(await snap(s.owner), s.entryId)!;
    assert.deepEqual([mine.hearts, mine.hearted], [1, true]);
    const theirs = entryIn(await snap(s.follower), s.entryId)!;
    assert.deepEqual([theirs.hearts, theirs.hearted, theirs.commentsOpen], [1, false, true]);
    const rows = (await auditTrail(server.ts.storage, s.pageId)).filter((r) => r.action.startsWith('journal.') && r.action.includes('heart'));
    assert.deepEqual(rows.map((r) => [r.action, r.actorId, r.target]), [
      ['journal.heart', 'follower', s.entryId],
      ['journal.heart', 'owner', s.entryId],
      ['journal.unheart', 'follower', s.entryId],
    ]);
  });

  it('a catch-up gives the current count and the viewer\'s own heart', async () => {
    const s = await scene();
    const since = await seqOf(s.pageId);
    await s.owner.ok('journal:heart', { pageId: s.pageId, entryId: s.entryId, on: true });
    await s.follower.ok('journal:heart', { pageId: s.pageId, entryId: s.entryId, on: true });
    for (const [c, on] of [[s.follower, true], [s.visitor, false]] as const) {
      const r = await c.ok('page:subscribe', { pageId: s.pageId, since });
      assert.ok(r.access === 'read' && r.events);
      assert.deepEqual(r.events.map((e) => e.type), ['journal:hearts']);
      const h = r.events[0]!.data as JournalHeartsEvent;
      assert.deepEqual([h.seq, h.hearts, h.on], [since + 2, 2, on]);
    }
  });
});

describe('comments', () => {
  it('arrive live at every reader with their commentCount, are acknowledged with the comment, and a retry returns the original once', async () => {
    const s = await scene();
    const before = await seqOf(s.pageId);
    const marks = [s.owner, s.visitor, s.anonymous, s.authorTab].map((c) => [c, c.mark()] as const);
    const { comment } = await s.author.ok('journal:comment', { pageId: s.pageId, entryId: s.entryId, clientId: 'c1', body: 'Thinking of you' });
    assert.deepEqual([comment.entryId, comment.seq, comment.body, comment.author.id, comment.hidden, comment.pending], [s.entryId, before + 1, 'Thinking of you', 'author', false, false]);
    for (const [c, mark] of marks) {
      const e = await c.waitFor<JournalCommentEvent>('journal:comment', isComment(comment.id), mark);
      assert.deepEqual([e.seq, e.entryId, e.commentCount, e.comment.body], [before + 1, s.entryId, 1, 'Thinking of you']);
    }
    const retry = await s.author.ok('journal:comment', { pageId: s.pageId, entryId: s.entryId, clientId: 'c1', body: 'Thinking of you' });
    assert.equal(retry.comment.id, comment.id);
    assert.equal(await seqOf(s.pageId), before + 1, 'a retry takes no seq');
    await s.visitor.barrier();
    assert.equal(s.visitor.of('journal:comment').length, 1, 'and is not sent again');

    // Deleted by its author; a late retry is refused, not posted again.
    await s.author.ok('journal:comment-delete', { pageId: s.pageId, commentId: comment.id });
    const gone = await s.visitor.waitFor<JournalCommentRemovedEvent>('journal:comment-removed', isComment(comment.id));
    assert.deepEqual([gone.seq, gone.entryId, gone.commentCount], [before + 2, s.entryId, 0]);
    await s.author.fails('journal:comment', { pageId: s.pageId, entryId: s.entryId, clientId: 'c1', body: 'Thinking of you' }, 'conflict');
  });

  it('follow the wall\'s rules for writing: anonymous, non-readers and blocked users may not; bodies over 2,000 characters are too large', async () => {
    const s = await scene({ visibility: 'private' });
    const p = { pageId: s.pageId, entryId: s.entryId, body: 'hello' };
    await s.anonymous.fails('journal:comment', { ...p, clientId: 'a' }, 'unauthorized');
    await s.visitor.fails('journal:comment', { ...p, clientId: 'v' }, 'forbidden');
    await s.follower.ok('journal:comment', { ...p, clientId: 'f' });
    await s.owner.ok('follow:remove', { pageId: s.pageId, userId: 'follower', block: true });
    await s.follower.fails('journal:comment', { ...p, clientId: 'f2' }, 'forbidden');
    await s.author.fails('journal:comment', { ...p, clientId: 'long', body: 'x'.repeat(LIMITS.commentBodyMax + 1) }, 'too_large');
    await s.author.ok('journal:comment', { ...p, clientId: 'max', body: 'x'.repeat(LIMITS.commentBodyMax) });
    await s.author.fails('journal:comment', { ...p, entryId: 'no-such-entry', clientId: 'none' }, 'not_found');
    // The blocked follower's live stream was cut: nothing of the page reaches them.
    const mark = s.follower.mark();
    await s.author.ok('journal:comment', { ...p, clientId: 'after-block', body: SECRET });
    await s.owner.barrier();
    await s.follower.barrier();
    assert.ok(!JSON.stringify(s.follower.after(mark)).includes(SECRET));
  });

  it('under pre-moderation: held for the author (all tabs) and moderators; the others get comment-removed under the same seq; approval releases it', async () => {
    const s = await scene({ wallModeration: 'pre' });
    const seeing = [s.owner, s.editor, s.staff, s.author, s.authorTab];
    const notSeeing = [s.follower, s.visitor, s.anonymous];
    const marks = new Map([...seeing, ...notSeeing].map((c) => [c, c.mark()]));
    const before = await seqOf(s.pageId);
    const { comment } = await s.author.ok('journal:comment', { pageId: s.pageId, entryId: s.entryId, clientId: 'p1', body: SECRET });
    assert.equal(comment.pending, true);
    for (const c of seeing) {
      const e = await c.waitFor<JournalCommentEvent>('journal:comment', isComment(comment.id), marks.get(c));
      assert.deepEqual([e.seq, e.comment.pending, e.commentCount], [before + 1, true, 1]);
    }
    for (const c of notSeeing) {
      const e = await c.waitFor<JournalCommentRemovedEvent>('journal:comment-removed', isComment(comment.id), marks.get(c));
      assert.deepEqual([e.seq, e.commentCount], [before + 1, 0]);
      await c.barrier();
      assert.ok(!JSON.stringify(c.received).includes(SECRET));
    }
    // A moderator's own comment is never held.
    assert.equal((await s.editor.ok('journal:comment', { pageId: s.pageId, entryId: s.entryId, clientId: 'e1', body: 'from the family' })).comment.pending, false);

    // Snapshot, catch-up and history: the held comment for the author and moderators only, with counts to match.
    for (const [c, sees] of [[s.owner, true], [s.staff, true], [s.author, true], [s.follower, false], [s.anonymous, false]] as const) {
      const snap = await c.ok('page:subscribe', { pageId: s.pageId });
      const e = entryIn(snap, s.entryId)!;
      assert.deepEqual([e.commentCount, e.comments!.map((x) => x.body)], sees ? [2, [SECRET, 'from the family']] : [1, ['from the family']]);
      const caught = await c.ok('page:subscribe', { pageId: s.pageId, since: before });
      assert.ok(caught.access === 'read' && caught.events);
      assert.deepEqual(caught.events.map((x) => x.type), [sees ? 'journal:comment' : 'journal:comment-removed', 'journal:comment']);
      const history = await c.ok('history:load', { pageId: s.pageId, stream: 'comments', entryId: s.entryId, before: Number.MAX_SAFE_INTEGER, limit: 10 });
      assert.ok(history.stream === 'comments');
      assert.deepEqual(history.items.map((x) => x.body), sees ? [SECRET, 'from the family'] : ['from the family']);
      if (!sees) assert.ok(!JSON.stringify([snap, caught, history]).includes(SECRET));
    }

    await s.author.fails('journal:comment-approve', { pageId: s.pageId, commentId: comment.id }, 'forbidden');
    await s.anonymous.fails('journal:comment-approve', { pageId: s.pageId, commentId: comment.id }, 'unauthorized');
    const mark = s.visitor.mark();
    const approved = await s.editor.ok('journal:comment-approve', { pageId: s.pageId, commentId: comment.id });
    assert.equal(approved.comment.pending, false);
    const live = await s.visitor.waitFor<JournalCommentEvent>('journal:comment', isComment(comment.id), mark);
    assert.deepEqual([live.comment.body, live.commentCount], [SECRET, 2]);
    await s.owner.fails('journal:comment-approve', { pageId: s.pageId, commentId: comment.id }, 'not_found');
    const rows = (await auditTrail(server.ts.storage, s.pageId)).filter((r) => r.action.startsWith('comment.'));
    assert.deepEqual(rows.map((r) => [r.action, r.actorId, r.target]), [
      ['comment.post', 'author', comment.id],
      ['comment.post', 'editor', rows[1]!.target],
      ['comment.approve', 'editor', comment.id],
    ]);
    assert.deepEqual(rows[0]!.detail, { entryId: s.entryId, pending: true });
    assert.ok(!JSON.stringify(rows).includes(SECRET), 'no comment text in the audit log');
  });

  it('hidden by a moderator: gone for readers, kept (marked) for its author and moderators; only its author or a moderator deletes', async () => {
    const s = await scene();
    const { comment } = await s.author.ok('journal:comment', { pageId: s.pageId, entryId: s.entryId, clientId: 'h1', body: SECRET });
    await s.follower.waitFor('journal:comment', isComment(comment.id));
    await s.follower.fails('journal:comment-hide', { pageId: s.pageId, commentId: comment.id, hidden: true }, 'forbidden');
    const marks = new Map([s.follower, s.author, s.staff].map((c) => [c, c.mark()]));
    const hidden = await s.owner.ok('journal:comment-hide', { pageId: s.pageId, commentId: comment.id, hidden: true });
    assert.equal(hidden.comment.hidden, true);
    assert.equal((await s.follower.waitFor<JournalCommentRemovedEvent>('journal:comment-removed', isComment(comment.id), marks.get(s.follower))).commentCount, 0);
    const own = await s.author.waitFor<JournalCommentEvent>('journal:comment', isComment(comment.id), marks.get(s.author));
    assert.deepEqual([own.comment.hidden, own.commentCount], [true, 1]);
    assert.equal((await s.staff.waitFor<JournalCommentEvent>('journal:comment', isComment(comment.id), marks.get(s.staff))).commentCount, 1);

    // Someone else's comment: not theirs to delete (and a hidden one is as good as absent to them).
    await s.follower.fails('journal:comment-delete', { pageId: s.pageId, commentId: comment.id }, 'forbidden');
    const other = await s.follower.ok('journal:comment', { pageId: s.pageId, entryId: s.entryId, clientId: 'f1', body: 'hello' });
    await s.author.fails('journal:comment-delete', { pageId: s.pageId, commentId: other.comment.id }, 'forbidden');
    await s.staff.ok('journal:comment-delete', { pageId: s.pageId, commentId: other.comment.id });
    await s.author.ok('journal:comment-delete', { pageId: s.pageId, commentId: comment.id });
    // As on the wall: a non-moderator learns nothing about a comment that is not theirs (any more).
    await s.author.fails('journal:comment-delete', { pageId: s.pageId, commentId: comment.id }, 'forbidden');
    await s.owner.fails('journal:comment-delete', { pageId: s.pageId, commentId: comment.id }, 'not_found');
  });

  it('a snapshot carries the last 3 visible comments oldest first and the count; history pages through the older ones', async () => {
    const s = await scene();
    for (let i = 1; i <= 7; i++) await s.follower.ok('journal:comment', { pageId: s.pageId, entryId: s.entryId, clientId: `n${i}`, body: `c${i}` });
    const snap = await s.visitor.ok('page:subscribe', { pageId: s.pageId });
    const e = entryIn(snap, s.entryId)!;
    assert.equal(e.commentCount, 7);
    assert.deepEqual(e.comments!.map((c) => c.body), ['c5', 'c6', 'c7']);
    const older = await s.visitor.ok('history:load', { pageId: s.pageId, stream: 'comments', entryId: s.entryId, before: e.comments![0]!.seq, limit: 3 });
    assert.ok(older.stream === 'comments');
    assert.deepEqual([older.entryId, older.items.map((c) => c.body), older.hasMore], [s.entryId, ['c2', 'c3', 'c4'], true]);
    const oldest = await s.visitor.ok('history:load', { pageId: s.pageId, stream: 'comments', entryId: s.entryId, before: older.items[0]!.seq, limit: 3 });
    assert.ok(oldest.stream === 'comments');
    assert.deepEqual([oldest.items.map((c) => c.body), oldest.hasMore], [['c1'], false]);
    // Journal history carries the same decoration.
    const journal = await s.visitor.ok('history:load', { pageId: s.pageId, stream: 'journal', before: Number.MAX_SAFE_INTEGER, limit: 5 });
    assert.ok(journal.stream === 'journal');
    assert.deepEqual(journal.items[0]!.comments!.map((c) => c.body), ['c5', 'c6', 'c7']);
    await s.visitor.fails('history:load', { pageId: s.pageId, stream: 'comments', entryId: 'no-such-entry', before: 100, limit: 3 }, 'not_found');
  });

  it('a catch-up replays comments; an entry changed after its comments comes whole, with them', async () => {
    const s = await scene();
    const since = await seqOf(s.pageId);
    const fresh = await s.owner.ok('journal:post', { pageId: s.pageId, clientId: 'new', title: 'New', body: 'b' });
    const { comment } = await s.follower.ok('journal:comment', { pageId: s.pageId, entryId: fresh.entry.id, clientId: 'k1', body: 'first' });
    await s.owner.ok('journal:edit', { pageId: s.pageId, entryId: fresh.entry.id, title: 'New, edited', body: 'b' });
    const r = await s.visitor.ok('page:subscribe', { pageId: s.pageId, since });
    assert.ok(r.access === 'read' && r.events);
    assert.deepEqual(r.events.map((e) => e.type), ['journal:comment', 'journal:entry']);
    const entry = (r.events[1]!.data as JournalEntryEvent).entry;
    assert.deepEqual([entry.title, entry.commentCount, entry.comments!.map((c) => c.id), entry.hearted], ['New, edited', 1, [comment.id], false]);
  });

  it('the entry\'s author closes and opens comments through journal:edit; nobody else may; closed entries refuse comments', async () => {
    const s = await scene();
    const p = { pageId: s.pageId, entryId: s.entryId, title: 'Update', body: 'Body' };
    await s.editor.fails('journal:edit', { ...p, comments: false }, 'forbidden');
    // Another editor's edit may carry the current state along.
    await s.editor.ok('journal:edit', { ...p, comments: true });
    await s.visitor.barrier();
    const mark = s.visitor.mark();
    const closed = await s.owner.ok('journal:edit', { ...p, comments: false });
    assert.equal(closed.entry.commentsOpen, false);
    const live = await s.visitor.waitFor<JournalEntryEvent>('journal:entry', (e) => e.entry.id === s.entryId, mark);
    assert.equal(live.entry.commentsOpen, false);
    assert.equal('commentCount' in live.entry || 'hearted' in live.entry || 'comments' in live.entry, false, 'a broadcast carries nothing per viewer');
    await s.follower.fails('journal:comment', { pageId: s.pageId, entryId: s.entryId, clientId: 'x', body: 'hi' }, 'forbidden');
    await s.owner.ok('journal:edit', { ...p, comments: true });
    await s.follower.ok('journal:comment', { pageId: s.pageId, entryId: s.entryId, clientId: 'x', body: 'hi' });
    const rows = (await auditTrail(server.ts.storage, s.pageId)).filter((r) => r.action === 'journal.edit');
    assert.deepEqual(rows.map((r) => [r.actorId, r.detail]), [['editor', { comments: true }], ['owner', { comments: false }], ['owner', { comments: true }]]);
  });

  it('go with their entry and with their page', async () => {
    const s = await scene();
    await s.follower.ok('journal:comment', { pageId: s.pageId, entryId: s.entryId, clientId: 'd1', body: 'bye' });
    await s.follower.ok('journal:heart', { pageId: s.pageId, entryId: s.entryId, on: true });
    const count = async (table: 'journal_comments' | 'journal_hearts') => (await server.ts.db.selectFrom(table).select('page_id').where('page_id', '=', s.pageId).execute()).length;
    assert.deepEqual([await count('journal_comments'), await count('journal_hearts')], [1, 1]);
    const exported = await server.ts.storage.exportPage(s.pageId);
    assert.deepEqual([exported!.comments.length, exported!.journalHearts.length], [1, 1]);
    await s.owner.ok('journal:delete', { pageId: s.pageId, entryId: s.entryId });
    assert.deepEqual([await count('journal_comments'), await count('journal_hearts')], [0, 0]);

    const other = await scene();
    await other.follower.ok('journal:comment', { pageId: other.pageId, entryId: other.entryId, clientId: 'd2', body: 'bye' });
    await other.follower.ok('journal:heart', { pageId: other.pageId, entryId: other.entryId, on: true });
    assert.ok(await server.ts.storage.deletePage(other.pageId));
    const left = await server.ts.db.selectFrom('journal_comments').select('id').where('page_id', '=', other.pageId).execute();
    assert.deepEqual(left, []);
  });
});

describe('without the feature (a first-wave backend)', () => {
  it('entries carry none of it, and the events go unanswered', async () => {
    const old = await startServer({ features: [] });
    try {
      const pageId = await old.page({ visibility: 'public' });
      const owner = await server.connect('owner', old);
      const posted = await owner.ok('journal:post', { pageId, clientId: 'p', title: 't', body: 'b' });
      for (const key of ['hearts', 'hearted', 'commentsOpen', 'commentCount', 'comments']) assert.equal(key in posted.entry, false, key);
      const snap = await owner.ok('page:subscribe', { pageId });
      assert.equal('hearts' in entryIn(snap, posted.entry.id)!, false);
      await assert.rejects(owner.raw('journal:heart', { pageId, entryId: posted.entry.id, on: true }));
      await owner.fails('journal:edit', { pageId, entryId: posted.entry.id, title: 't', body: 'b', comments: false }, 'invalid');
      await owner.fails('history:load', { pageId, stream: 'comments', entryId: posted.entry.id, before: 100, limit: 5 }, 'invalid');
    } finally {
      await old.close();
    }
  });
});
