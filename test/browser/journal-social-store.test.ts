import { expect } from '@open-wc/testing';
import { PageStore, type Answer, type LiveEvent, type Payload, type StoreTransport } from '../../src/client/page-store.js';
import type { ClientEventName, JournalComment, JournalEntry } from '../../src/protocol/index.js';

/*
 * The page store's bookkeeping of hearts and comments (SPEC 6.3) with a scripted server, for
 * the orders of events a real network produces only by chance; journal-social.test.ts covers
 * the real path end to end.
 */

const comment = (seq: number, extra: Partial<JournalComment> = {}): JournalComment => ({
  id: `c${seq}`,
  pageId: 'p',
  entryId: 'e1',
  seq,
  body: `comment ${seq}`,
  author: { id: 'someone', name: 'Someone' },
  createdAt: new Date().toISOString(),
  hidden: false,
  pending: false,
  ...extra,
});

const entry = (extra: Partial<JournalEntry> = {}): JournalEntry => ({
  id: 'e1',
  pageId: 'p',
  seq: 1,
  title: 'T',
  body: 'b',
  author: { id: 'olga', name: 'Olga' },
  createdAt: new Date().toISOString(),
  editedAt: null,
  hearts: 2,
  hearted: true,
  commentsOpen: true,
  commentCount: 5,
  comments: [comment(10), comment(11), comment(12)],
  ...extra,
});

class ScriptedTransport implements StoreTransport {
  readonly userId = 'me';
  readonly calls: { event: string; payload: unknown }[] = [];
  constructor(private readonly answer: (event: string, payload: unknown) => unknown) {}
  async call<E extends ClientEventName>(event: E, payload: Payload<E>): Promise<Answer<E>> {
    this.calls.push({ event, payload });
    return this.answer(event, payload) as Answer<E>;
  }
}

const snapshot = (journal: JournalEntry[], seq = 20) => ({
  ok: true,
  access: 'read',
  page: { id: 'p', title: 'P', visibility: 'public', wallModeration: 'post', followerCount: 0, features: ['journal-social'] },
  viewer: { userId: 'me', name: 'Me', role: 'follower', staff: null, follow: 'following', can: { read: true, postJournal: false, postWall: true, moderate: false, follow: true, decide: false } },
  seq,
  snapshot: { journal, journalHasMore: false, wall: [], wallHasMore: false },
});

async function storeWith(e: JournalEntry, answer: (event: string, payload: unknown) => unknown = () => ({ ok: false, error: { code: 'invalid', message: 'no' } })) {
  const t = new ScriptedTransport((event, payload) => (event === 'page:subscribe' ? snapshot([e]) : answer(event, payload)));
  const store = new PageStore('p', t);
  await store.sync();
  let seq = 20;
  const send = (ev: Omit<LiveEvent, 'data'> & { data: Record<string, unknown> }) => store.receive({ type: ev.type, data: { pageId: 'p', seq: ++seq, ...ev.data } } as LiveEvent);
  return { store, t, send, first: () => store.state.journal[0]! };
}

describe('page store: hearts and comments on journal entries', () => {
  it('takes the snapshot\u2019s last comments and knows older ones remain', async () => {
    const { store, first } = await storeWith(entry());
    expect(first().comments!.map((c) => c.id)).to.deep.equal(['c10', 'c11', 'c12']);
    expect(store.state.commentsHasMore.has('e1')).to.equal(true);
    store.close();
  });

  it('counts hearts live, and takes `hearted` only from the viewer\u2019s own change', async () => {
    const { store, send, first } = await storeWith(entry());
    send({ type: 'journal:hearts', data: { entryId: 'e1', hearts: 3, userId: 'other', on: true } });
    expect([first().hearts, first().hearted]).to.deep.equal([3, true]);
    send({ type: 'journal:hearts', data: { entryId: 'e1', hearts: 2, userId: 'me', on: false } });
    expect([first().hearts, first().hearted]).to.deep.equal([2, false]);
    store.close();
  });

  it('adds a new comment once, replaces a changed one, and removes only what it had', async () => {
    const { store, send, first } = await storeWith(entry());
    send({ type: 'journal:comment', data: { entryId: 'e1', comment: comment(21) } });
    expect(first().commentCount).to.equal(6);
    // The same comment again (approved, or the acknowledgement then the event): replaced, not counted.
    send({ type: 'journal:comment', data: { entryId: 'e1', comment: comment(21, { body: 'edited' }) } });
    expect(first().commentCount).to.equal(6);
    expect(first().comments!.at(-1)!.body).to.equal('edited');
    // A removal of a comment this viewer never had (someone's pending one): nothing changes.
    send({ type: 'journal:comment-removed', data: { entryId: 'e1', commentId: 'c-never-seen' } });
    expect(first().commentCount).to.equal(6);
    send({ type: 'journal:comment-removed', data: { entryId: 'e1', commentId: 'c11' } });
    expect(first().commentCount).to.equal(5);
    expect(first().comments!.map((c) => c.id)).to.deep.equal(['c10', 'c12', 'c21']);
    store.close();
  });

  it('keeps its hearts and comments when a live entry (an edit) arrives without them', async () => {
    const { store, send, first } = await storeWith(entry());
    const { hearted: _h, commentCount: _n, comments: _c, ...broadcast } = entry({ title: 'Edited', commentsOpen: false });
    send({ type: 'journal:entry', data: { entry: broadcast } });
    expect(first().title).to.equal('Edited');
    expect(first().commentsOpen).to.equal(false);
    expect(first().hearted).to.equal(true);
    expect(first().commentCount).to.equal(5);
    expect(first().comments).to.have.length(3);
    store.close();
  });

  it('loads every older comment with history:load stream comments, under the ones held', async () => {
    const older = [comment(3), comment(4)];
    const { store, t, first } = await storeWith(entry(), (event, p) => {
      const { before } = p as { before: number };
      return { ok: true, stream: 'comments', entryId: 'e1', items: older.filter((c) => c.seq < before).slice(-1), hasMore: before > 4 };
    });
    const res = await store.loadComments('e1', { all: true, limit: 1 });
    expect(res.ok).to.equal(true);
    expect(first().comments!.map((c) => c.id)).to.deep.equal(['c3', 'c4', 'c10', 'c11', 'c12']);
    expect(store.state.commentsHasMore.has('e1')).to.equal(false);
    expect(t.calls.filter((c) => c.event === 'history:load').map((c) => c.payload)).to.deep.equal([
      { pageId: 'p', stream: 'comments', entryId: 'e1', before: 10, limit: 1 },
      { pageId: 'p', stream: 'comments', entryId: 'e1', before: 4, limit: 1 },
    ]);
    store.close();
  });

  it('applies an acknowledged comment and heart at once, and their later events without counting twice', async () => {
    const { store, send, first } = await storeWith(entry({ commentCount: 3 }));
    store.acknowledged({ kind: 'comment', value: comment(21, { author: { id: 'me', name: 'Me' } }) });
    store.acknowledged({ kind: 'heart', value: { entryId: 'e1', hearts: 1, on: false } });
    expect([first().commentCount, first().hearts, first().hearted]).to.deep.equal([4, 1, false]);
    send({ type: 'journal:comment', data: { entryId: 'e1', comment: comment(21, { author: { id: 'me', name: 'Me' } }) } });
    expect(first().commentCount).to.equal(4);
    store.close();
  });

  it('takes the comment count the server sends for this receiver, over its own counting', async () => {
    const { store, send, first } = await storeWith(entry());
    // A moderator hid an older comment this viewer has not loaded: only the server knows it counted.
    send({ type: 'journal:comment-removed', data: { entryId: 'e1', commentId: 'c2', commentCount: 4 } });
    expect(first().commentCount).to.equal(4);
    send({ type: 'journal:comment', data: { entryId: 'e1', comment: comment(22), commentCount: 5 } });
    expect(first().commentCount).to.equal(5);
    expect(first().comments!.map((c) => c.id)).to.deep.equal(['c10', 'c11', 'c12', 'c22']);
    store.close();
  });
});
