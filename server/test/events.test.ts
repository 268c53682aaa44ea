/**
 * Every protocol event against every role and visibility: the allowed case succeeds and does
 * what it says, each denied case answers `unauthorized` (anonymous) or `forbidden` (signed
 * in, no right) and changes nothing, a missing page or item answers `not_found`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClientEventName, ErrorCode, Visibility, WallMessage } from '../../src/protocol/index.js';
import { expectFailure, startServer, type Client, type Payload, type TestServer } from './helpers.js';
import { SERVER_FEATURES } from '../src/pages/features.js';

const ROLES = ['owner', 'editor', 'follower', 'visitor', 'moderator', 'admin', 'anonymous'] as const;
type Role = (typeof ROLES)[number];
const VISIBILITIES: Visibility[] = ['public', 'members', 'private'];

/** Whether a role may read a page of a visibility (SPEC section 3). */
const reads = (r: Role, v: Visibility) => (r === 'anonymous' ? v === 'public' : r === 'visitor' ? v !== 'private' : true);
const denial = (r: Role): ErrorCode => (r === 'anonymous' ? 'unauthorized' : 'forbidden');

interface Fixture {
  pageId: string;
  entryId: string;
  messageId: string;
  seq: number;
}

/** What a case should do: `true` succeeds, a code fails with it. */
type Outcome = true | ErrorCode;

interface EventCase<E extends ClientEventName> {
  event: E;
  payload(fx: Fixture): Payload<E>;
  outcome(r: Role, v: Visibility): Outcome;
  /** Extra checks of an allowed call's answer and effect. */
  check?(answer: Record<string, unknown>, fx: Fixture, r: Role, v: Visibility): Promise<void> | void;
  /** Whether an allowed call bumps the page's seq (default: yes). */
  changes?(r: Role, v: Visibility): boolean;
}

let ts: TestServer;
const clients = {} as Record<Role, Client>;

before(async () => {
  ts = await startServer();
  for (const r of ROLES) clients[r] = await ts.connect(r === 'anonymous' ? null : r);
});
after(async () => {
  await ts.close();
});

async function fixture(v: Visibility): Promise<Fixture> {
  const pageId = await ts.page({ visibility: v, followers: ['follower'] });
  const { entry } = await ts.storage.postJournal(pageId, { id: 'owner', name: 'Owner' }, 'fx-journal', 'Fixture title SECRET-J', 'Fixture body SECRET-J');
  const { message } = await ts.storage.postWall(pageId, { id: 'follower', name: 'Follower' }, 'fx-wall', 'Fixture message SECRET-W', false);
  if (v === 'private') await ts.storage.setFollow(pageId, { id: 'requester', name: 'Requester' }, 'requested');
  const page = await ts.storage.getPage(pageId);
  return { pageId, entryId: entry.id, messageId: message.id, seq: page!.seq };
}

const oneOf = (...roles: Role[]) => (r: Role): Outcome => (roles.includes(r) ? true : denial(r));

const cases: EventCase<ClientEventName>[] = [
  {
    event: 'journal:post',
    payload: (fx) => ({ pageId: fx.pageId, clientId: 'post-1', title: 'New title', body: 'New body' }),
    outcome: oneOf('owner', 'editor'),
    async check(a, fx, r) {
      const entry = a.entry as { id: string; title: string; author: { id: string }; seq: number };
      assert.equal(entry.title, 'New title');
      assert.equal(entry.author.id, r);
      assert.equal(entry.seq, fx.seq + 1);
      assert.ok(await ts.storage.getJournal(fx.pageId, entry.id));
    },
  },
  {
    event: 'journal:edit',
    payload: (fx) => ({ pageId: fx.pageId, entryId: fx.entryId, title: 'Edited title', body: 'Edited body' }),
    outcome: oneOf('owner', 'editor'),
    async check(a, fx) {
      const entry = a.entry as { id: string; title: string; editedAt: string | null };
      assert.equal(entry.id, fx.entryId);
      assert.equal(entry.title, 'Edited title');
      assert.notEqual(entry.editedAt, null);
      assert.equal((await ts.storage.getJournal(fx.pageId, fx.entryId))?.body, 'Edited body');
    },
  },
  {
    event: 'journal:delete',
    payload: (fx) => ({ pageId: fx.pageId, entryId: fx.entryId }),
    outcome: oneOf('owner', 'editor', 'moderator', 'admin'),
    async check(_a, fx) {
      assert.equal(await ts.storage.getJournal(fx.pageId, fx.entryId), null);
    },
  },
  {
    event: 'wall:post',
    payload: (fx) => ({ pageId: fx.pageId, clientId: 'wall-1', body: 'Get well soon' }),
    // Followers and members always; any signed-in visitor (staff too) only on public/members pages.
    outcome: (r, v) => (r === 'anonymous' ? 'unauthorized' : ['owner', 'editor', 'follower'].includes(r) || v !== 'private' ? true : 'forbidden'),
    async check(a, fx, r) {
      const m = a.message as { id: string; body: string; author: { id: string }; hidden: boolean; pending: boolean };
      assert.equal(m.body, 'Get well soon');
      assert.equal(m.author.id, r);
      assert.equal(m.hidden, false);
      assert.equal(m.pending, false);
      assert.ok(await ts.storage.getWall(fx.pageId, m.id));
    },
  },
  {
    event: 'wall:heart',
    payload: (fx) => ({ pageId: fx.pageId, messageId: fx.messageId, on: true }),
    outcome: (r, v) => (r === 'anonymous' ? 'unauthorized' : reads(r, v) ? true : 'forbidden'),
    async check(a, fx) {
      assert.deepEqual({ hearts: a.hearts, on: a.on }, { hearts: 1, on: true });
      assert.equal((await ts.storage.getWall(fx.pageId, fx.messageId))?.hearts, 1);
    },
  },
  {
    event: 'wall:hide',
    payload: (fx) => ({ pageId: fx.pageId, messageId: fx.messageId, hidden: true }),
    outcome: oneOf('owner', 'editor', 'moderator', 'admin'),
    async check(a, fx) {
      assert.equal((a.message as { hidden: boolean }).hidden, true);
      assert.equal((await ts.storage.getWall(fx.pageId, fx.messageId))?.hidden, true);
    },
  },
  {
    event: 'wall:delete',
    // The fixture message is the follower's own: they may delete it, other non-moderators not.
    payload: (fx) => ({ pageId: fx.pageId, messageId: fx.messageId }),
    outcome: oneOf('owner', 'editor', 'moderator', 'admin', 'follower'),
    async check(_a, fx) {
      assert.equal(await ts.storage.getWall(fx.pageId, fx.messageId), null);
    },
  },
  {
    event: 'follow:set',
    payload: (fx) => ({ pageId: fx.pageId, follow: true }),
    outcome: (r) => (r === 'anonymous' ? 'unauthorized' : r === 'owner' || r === 'editor' ? 'forbidden' : true),
    changes: (r, v) => r !== 'follower' && v !== 'private',
    async check(a, fx, r, v) {
      const expected = r === 'follower' ? 'following' : v === 'private' ? 'requested' : 'following';
      assert.equal(a.state, expected);
      assert.equal((await ts.storage.getFollow(fx.pageId, r))?.state, expected);
      assert.equal(a.followerCount, expected === 'following' && r !== 'follower' ? 2 : 1);
    },
  },
  {
    event: 'follow:decide',
    payload: (fx) => ({ pageId: fx.pageId, userId: 'requester', approve: true }),
    // Only private pages have the fixture's pending request.
    outcome: (r, v) => (r === 'anonymous' ? 'unauthorized' : r === 'owner' || r === 'admin' ? (v === 'private' ? true : 'not_found') : 'forbidden'),
    async check(a, fx) {
      assert.equal(a.state, 'following');
      assert.equal((await ts.storage.getFollow(fx.pageId, 'requester'))?.state, 'following');
    },
  },
  {
    event: 'follow:remove',
    payload: (fx) => ({ pageId: fx.pageId, userId: 'follower' }),
    outcome: oneOf('owner', 'editor', 'moderator', 'admin'),
    async check(_a, fx) {
      assert.equal(await ts.storage.getFollow(fx.pageId, 'follower'), null);
      assert.equal((await ts.storage.getPage(fx.pageId))?.followerCount, 0);
    },
  },
  {
    event: 'history:load',
    payload: (fx) => ({ pageId: fx.pageId, stream: 'journal', before: fx.seq + 1, limit: 10 }),
    outcome: (r, v) => (reads(r, v) ? true : denial(r)),
    changes: () => false,
    check(a, fx) {
      assert.equal(a.stream, 'journal');
      assert.deepEqual((a.items as { id: string }[]).map((i) => i.id), [fx.entryId]);
      assert.equal(a.hasMore, false);
    },
  },
] as EventCase<ClientEventName>[];

for (const c of cases) {
  describe(c.event, () => {
    for (const v of VISIBILITIES) {
      for (const r of ROLES) {
        const outcome = c.outcome(r, v);
        it(`${r} on a ${v} page → ${outcome === true ? 'ok' : outcome}`, async () => {
          const fx = await fixture(v);
          const answer = await clients[r].call(c.event, c.payload(fx));
          const seqAfter = (await ts.storage.getPage(fx.pageId))!.seq;
          if (outcome === true) {
            assert.equal(answer.ok, true, `expected ok, got ${JSON.stringify(answer)}`);
            await c.check?.(answer as Record<string, unknown>, fx, r, v);
            const changes = c.changes?.(r, v) ?? true;
            assert.equal(seqAfter, changes ? fx.seq + 1 : fx.seq, 'an allowed change takes exactly the next seq');
          } else {
            expectFailure(answer, outcome, `${c.event} by ${r}`);
            assert.equal(seqAfter, fx.seq, 'a refused call changes nothing');
            // The fixture's items are untouched.
            const entry = await ts.storage.getJournal(fx.pageId, fx.entryId);
            assert.equal(entry?.title, 'Fixture title SECRET-J');
            const message = await ts.storage.getWall(fx.pageId, fx.messageId);
            assert.deepEqual([message?.hidden, message?.hearts], [false, 0]);
            assert.equal((await ts.storage.getFollow(fx.pageId, 'follower'))?.state, 'following');
          }
        });
      }
    }

    it('missing page → not_found, for anonymous and signed-in callers', async () => {
      const fx = await fixture('public');
      const payload = { ...c.payload(fx), pageId: 'no-such-page' } as Payload<typeof c.event>;
      for (const r of ['anonymous', 'visitor', 'admin'] as Role[]) await clients[r].fails(c.event, payload, 'not_found');
    });
  });
}

describe('page:subscribe', () => {
  for (const v of VISIBILITIES) {
    for (const r of ROLES) {
      const canRead = reads(r, v);
      it(`${r} on a ${v} page → ${canRead ? "access 'read' with a snapshot" : "access 'none', no content"}`, async () => {
        const fx = await fixture(v);
        const a = await clients[r].ok('page:subscribe', { pageId: fx.pageId });
        const expectedRole = r === 'owner' || r === 'editor' || r === 'follower' ? r : 'visitor';
        assert.equal(a.viewer.role, expectedRole);
        assert.equal(a.viewer.staff, r === 'moderator' || r === 'admin' ? r : null);
        assert.equal(a.viewer.userId, r === 'anonymous' ? null : r);
        assert.equal(a.viewer.can.read, canRead);
        if (canRead) {
          assert.equal(a.access, 'read');
          if (a.access !== 'read') return;
          assert.equal(a.page.title, `Title of ${fx.pageId}`);
          assert.equal(a.seq, fx.seq);
          assert.deepEqual(a.snapshot?.journal.map((e) => e.id), [fx.entryId]);
          assert.deepEqual(a.snapshot?.wall.map((m) => m.id), [fx.messageId]);
          // Pending follow requests only for those who decide them.
          const decides = r === 'owner' || r === 'admin';
          assert.equal(a.snapshot?.requests !== undefined, decides);
          if (decides && v === 'private') assert.deepEqual(a.snapshot?.requests?.map((q) => q.userId), ['requester']);
        } else {
          assert.equal(a.access, 'none');
          // A teaser: the server-wide feature list, nothing of the page but its id, visibility and public count.
          assert.deepEqual(Object.keys(a.page).sort(), ['features', 'followerCount', 'id', 'visibility']);
          assert.deepEqual(a.page.features, [...SERVER_FEATURES]);
          assert.deepEqual(a.page, { id: fx.pageId, visibility: v, followerCount: 1, features: [...SERVER_FEATURES] });
          const text = JSON.stringify(a);
          for (const secret of ['Title of', 'SECRET-J', 'SECRET-W', 'requester']) assert.ok(!text.includes(secret), `the answer leaks "${secret}": ${text}`);
          assert.ok(!('snapshot' in a) && !('events' in a) && !('seq' in a));
        }
        await clients[r].ok('page:unsubscribe', { pageId: fx.pageId });
      });
    }
  }

  it('missing page → not_found', async () => {
    await clients.visitor.fails('page:subscribe', { pageId: 'no-such-page' }, 'not_found');
    await clients.anonymous.fails('page:subscribe', { pageId: 'no-such-page' }, 'not_found');
  });

  it('non-readers stay out of the page: a later post reaches readers only', async () => {
    const fx = await fixture('private');
    await clients.visitor.ok('page:subscribe', { pageId: fx.pageId });
    await clients.anonymous.ok('page:subscribe', { pageId: fx.pageId });
    await clients.follower.ok('page:subscribe', { pageId: fx.pageId });
    const marks = { visitor: clients.visitor.mark(), anonymous: clients.anonymous.mark() };
    await clients.owner.ok('journal:post', { pageId: fx.pageId, clientId: 'after-sub', title: 'Later SECRET', body: 'text' });
    await clients.follower.waitFor('journal:entry', (e: { pageId: string }) => e.pageId === fx.pageId);
    await clients.visitor.barrier();
    await clients.anonymous.barrier();
    assert.deepEqual(clients.visitor.after(marks.visitor, fx.pageId), []);
    assert.deepEqual(clients.anonymous.after(marks.anonymous, fx.pageId), []);
  });
});

describe('page:unsubscribe', () => {
  it('stops the live stream of that page', async () => {
    const fx = await fixture('public');
    await clients.visitor.ok('page:subscribe', { pageId: fx.pageId });
    await clients.follower.ok('page:subscribe', { pageId: fx.pageId });
    await clients.owner.ok('journal:post', { pageId: fx.pageId, clientId: 'u1', title: 'one', body: 'one' });
    await clients.visitor.waitFor('journal:entry', (e: { pageId: string }) => e.pageId === fx.pageId);

    await clients.visitor.ok('page:unsubscribe', { pageId: fx.pageId });
    const mark = clients.visitor.mark();
    const fMark = clients.follower.mark();
    await clients.owner.ok('journal:post', { pageId: fx.pageId, clientId: 'u2', title: 'two', body: 'two' });
    await clients.follower.waitFor('journal:entry', (e: { pageId: string }) => e.pageId === fx.pageId, fMark);
    await clients.visitor.barrier();
    assert.deepEqual(clients.visitor.after(mark, fx.pageId), []);
  });

  it('is idempotent and answers ok for any page id, signed in or not', async () => {
    // Leaving is always allowed: a page that was deleted can still be left.
    await clients.anonymous.ok('page:unsubscribe', { pageId: 'no-such-page' });
    await clients.visitor.ok('page:unsubscribe', { pageId: 'no-such-page' });
    await clients.visitor.ok('page:unsubscribe', { pageId: 'no-such-page' });
  });
});

describe('missing items', () => {
  it('edit, delete, heart, hide of an unknown item and follow changes of unknown users → not_found', async () => {
    const fx = await fixture('private');
    const o = clients.owner;
    await o.fails('journal:edit', { pageId: fx.pageId, entryId: 'nope', title: 't', body: 'b' }, 'not_found');
    await o.fails('journal:delete', { pageId: fx.pageId, entryId: 'nope' }, 'not_found');
    await o.fails('wall:heart', { pageId: fx.pageId, messageId: 'nope', on: true }, 'not_found');
    await o.fails('wall:hide', { pageId: fx.pageId, messageId: 'nope', hidden: true }, 'not_found');
    await o.fails('wall:delete', { pageId: fx.pageId, messageId: 'nope' }, 'not_found');
    await o.fails('follow:decide', { pageId: fx.pageId, userId: 'stranger', approve: true }, 'not_found');
    await o.fails('follow:remove', { pageId: fx.pageId, userId: 'stranger' }, 'not_found');
    // An item of another page is not reachable through this one.
    const other = await fixture('public');
    await o.fails('journal:delete', { pageId: fx.pageId, entryId: other.entryId }, 'not_found');
    await o.fails('wall:delete', { pageId: fx.pageId, messageId: other.messageId }, 'not_found');
    assert.equal((await ts.storage.getPage(fx.pageId))!.seq, fx.seq);
    assert.ok(await ts.storage.getJournal(other.pageId, other.entryId));
  });

  it('owners and editors cannot be removed as followers', async () => {
    const fx = await fixture('public');
    await clients.moderator.fails('follow:remove', { pageId: fx.pageId, userId: 'owner' }, 'forbidden');
    await clients.owner.fails('follow:remove', { pageId: fx.pageId, userId: 'editor', block: true }, 'forbidden');
  });
});

describe('blocked users', () => {
  it('a blocked visitor loses the public page: no read, no wall, no follow, no hearts', async () => {
    const fx = await fixture('public');
    await clients.owner.ok('follow:remove', { pageId: fx.pageId, userId: 'visitor', block: true });
    const v = clients.visitor;
    const sub = await v.ok('page:subscribe', { pageId: fx.pageId });
    assert.equal(sub.access, 'none');
    assert.equal(sub.viewer.follow, 'blocked');
    await v.fails('wall:post', { pageId: fx.pageId, clientId: 'b1', body: 'let me in' }, 'forbidden');
    await v.fails('follow:set', { pageId: fx.pageId, follow: true }, 'forbidden');
    await v.fails('wall:heart', { pageId: fx.pageId, messageId: fx.messageId, on: true }, 'forbidden');
    await v.fails('history:load', { pageId: fx.pageId, stream: 'wall', before: 100, limit: 5 }, 'forbidden');
    await v.ok('page:unsubscribe', { pageId: fx.pageId });
  });
});

describe('wall rules beyond roles', () => {
  it('hearts toggle per user and never count twice', async () => {
    const fx = await fixture('public');
    const p = { pageId: fx.pageId, messageId: fx.messageId };
    assert.equal((await clients.visitor.ok('wall:heart', { ...p, on: true })).hearts, 1);
    assert.equal((await clients.visitor.ok('wall:heart', { ...p, on: true })).hearts, 1);
    assert.equal((await clients.editor.ok('wall:heart', { ...p, on: true })).hearts, 2);
    assert.equal((await clients.visitor.ok('wall:heart', { ...p, on: false })).hearts, 1);
    assert.equal((await clients.visitor.ok('wall:heart', { ...p, on: false })).hearts, 1);
    // Two real changes and one removal: three seqs.
    assert.equal((await ts.storage.getPage(fx.pageId))!.seq, fx.seq + 3);
  });

  it('a hidden message cannot be hearted, and is not found by non-moderators but its author', async () => {
    const fx = await fixture('public');
    await clients.owner.ok('wall:hide', { pageId: fx.pageId, messageId: fx.messageId, hidden: true });
    await clients.visitor.fails('wall:heart', { pageId: fx.pageId, messageId: fx.messageId, on: true }, 'not_found');
    const h = await clients.visitor.ok('history:load', { pageId: fx.pageId, stream: 'wall', before: 1000, limit: 10 });
    assert.deepEqual(h.items, []);
    // Issue 11: its author sees it, marked hidden, and may still delete their own message.
    const own = await clients.follower.ok('history:load', { pageId: fx.pageId, stream: 'wall', before: 1000, limit: 10 });
    assert.deepEqual(own.items.map((m) => [m.id, (m as WallMessage).hidden]), [[fx.messageId, true]]);
    await clients.follower.fails('wall:heart', { pageId: fx.pageId, messageId: fx.messageId, on: true }, 'not_found');
    const hm = await clients.moderator.ok('history:load', { pageId: fx.pageId, stream: 'wall', before: 1000, limit: 10 });
    assert.deepEqual(hm.items.map((m) => m.id), [fx.messageId]);
    await clients.follower.ok('wall:delete', { pageId: fx.pageId, messageId: fx.messageId });
  });

  it('a visitor may not delete somebody else\u2019s message, but may delete their own', async () => {
    const fx = await fixture('public');
    const mine = await clients.visitor.ok('wall:post', { pageId: fx.pageId, clientId: 'own', body: 'mine' });
    await clients.visitor.fails('wall:delete', { pageId: fx.pageId, messageId: fx.messageId }, 'forbidden');
    await clients.follower.fails('wall:delete', { pageId: fx.pageId, messageId: mine.message.id }, 'forbidden');
    await clients.visitor.ok('wall:delete', { pageId: fx.pageId, messageId: mine.message.id });
    assert.equal(await ts.storage.getWall(fx.pageId, mine.message.id), null);
  });
});

describe('follow flows', () => {
  it('public: follow and unfollow at once, with the follower count', async () => {
    const fx = await fixture('public');
    const on = await clients.visitor.ok('follow:set', { pageId: fx.pageId, follow: true });
    assert.deepEqual([on.state, on.followerCount], ['following', 2]);
    const off = await clients.visitor.ok('follow:set', { pageId: fx.pageId, follow: false });
    assert.deepEqual([off.state, off.followerCount], ['none', 1]);
    assert.equal(await ts.storage.getFollow(fx.pageId, 'visitor'), null);
  });

  it('private: a request the owner approves makes the visitor a reader; a declined one does not', async () => {
    const fx = await fixture('private');
    await clients.owner.ok('page:subscribe', { pageId: fx.pageId });
    const ownerMark = clients.owner.mark();
    const req = await clients.visitor.ok('follow:set', { pageId: fx.pageId, follow: true });
    assert.deepEqual([req.state, req.followerCount], ['requested', 1]);
    const ev = await clients.owner.waitFor<{ request: { userId: string }; state: string }>('follow:request', (e) => e.request.userId === 'visitor', ownerMark);
    assert.equal(ev.state, 'requested');
    // Not a reader while the request waits.
    assert.equal((await clients.visitor.ok('page:subscribe', { pageId: fx.pageId })).access, 'none');
    // An editor may moderate but not decide.
    await clients.editor.fails('follow:decide', { pageId: fx.pageId, userId: 'visitor', approve: true }, 'forbidden');
    const vMark = clients.visitor.mark();
    assert.equal((await clients.owner.ok('follow:decide', { pageId: fx.pageId, userId: 'visitor', approve: true })).state, 'following');
    await clients.visitor.waitFor('page:updated', (e: { pageId: string; resubscribe?: boolean }) => e.pageId === fx.pageId && e.resubscribe === true, vMark);
    const sub = await clients.visitor.ok('page:subscribe', { pageId: fx.pageId });
    assert.equal(sub.access, 'read');
    assert.equal(sub.viewer.role, 'follower');

    // An admin may decide too; a declined visitor stays out.
    const stranger = await ts.connect('stranger');
    try {
      await stranger.ok('follow:set', { pageId: fx.pageId, follow: true });
      assert.equal((await clients.admin.ok('follow:decide', { pageId: fx.pageId, userId: 'stranger', approve: false })).state, 'declined');
      assert.equal((await stranger.ok('page:subscribe', { pageId: fx.pageId })).access, 'none');
      // Deciding twice finds no pending request.
      await clients.owner.fails('follow:decide', { pageId: fx.pageId, userId: 'stranger', approve: true }, 'not_found');
    } finally {
      stranger.close();
    }
    await clients.visitor.ok('page:unsubscribe', { pageId: fx.pageId });
    await clients.owner.ok('page:unsubscribe', { pageId: fx.pageId });
  });

  it('a withdrawn request reaches the owner as withdrawn', async () => {
    const fx = await fixture('private');
    await clients.owner.ok('page:subscribe', { pageId: fx.pageId });
    const mark = clients.owner.mark();
    await clients.visitor.ok('follow:set', { pageId: fx.pageId, follow: true });
    assert.equal((await clients.visitor.ok('follow:set', { pageId: fx.pageId, follow: false })).state, 'none');
    await clients.owner.waitFor('follow:request', (e: { state: string; request: { userId: string } }) => e.state === 'withdrawn' && e.request.userId === 'visitor', mark);
    assert.equal(await ts.storage.getFollow(fx.pageId, 'visitor'), null);
    await clients.owner.ok('page:unsubscribe', { pageId: fx.pageId });
  });
});

describe('history:load', () => {
  it('pages backwards by seq with hasMore', async () => {
    const pageId = await ts.page({ visibility: 'members' });
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) seqs.push((await clients.owner.ok('journal:post', { pageId, clientId: `h${i}`, title: `t${i}`, body: 'b' })).entry.seq);
    const first = await clients.visitor.ok('history:load', { pageId, stream: 'journal', before: seqs[4]! + 1, limit: 2 });
    assert.equal(first.stream, 'journal');
    assert.deepEqual(first.items.map((e) => e.seq), [seqs[4], seqs[3]]);
    assert.equal(first.hasMore, true);
    const last = await clients.visitor.ok('history:load', { pageId, stream: 'journal', before: seqs[1]!, limit: 2 });
    assert.deepEqual(last.items.map((e) => e.seq), [seqs[0]]);
    assert.equal(last.hasMore, false);
  });
});

describe('session:refresh', () => {
  it('signed in: a fresh token of the same user is accepted', async () => {
    const token = await ts.token('visitor', 600);
    const a = await clients.visitor.ok('session:refresh', { token });
    assert.equal(typeof a.exp, 'number');
    assert.ok(a.exp! > Date.now() / 1000 + 500);
  });

  it('a token of another user → invalid; an unverifiable one → unauthorized; anonymous → invalid', async () => {
    await clients.visitor.fails('session:refresh', { token: await ts.token('owner') }, 'invalid');
    await clients.visitor.fails('session:refresh', { token: 'not.a.jwt' }, 'unauthorized');
    // An anonymous connection has nobody to refresh: it reconnects with a token to sign in.
    await clients.anonymous.fails('session:refresh', { token: await ts.token('visitor') }, 'invalid');
    // Still the same user, still working.
    const fx = await fixture('members');
    assert.equal((await clients.visitor.ok('page:subscribe', { pageId: fx.pageId })).viewer.userId, 'visitor');
    await clients.visitor.ok('page:unsubscribe', { pageId: fx.pageId });
  });
});
