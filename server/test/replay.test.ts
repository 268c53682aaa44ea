/**
 * What a catch-up (`page:subscribe` with `since`) costs: at most about a snapshot. Each item
 * appears once, in its latest state, at the `seq` of its last change; a catch-up beyond the
 * bound in replay.ts is answered with `reset` and a snapshot instead (issue 10, finding 3).
 * Ordinary catch-ups of distinct changes stay one event per change (fanout.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientEventName, SubscribeAnswer } from '../../src/protocol/index.js';
import { addDays, LIMITS, todayIn } from '../../src/protocol/index.js';
import { PageStore, type Answer, type LiveEvent, type Payload, type StoreTransport } from '../../src/client/page-store.js';
import { CATCH_UP_MAX_CHARS, CATCH_UP_MAX_EVENTS } from '../src/pages/replay.js';
import { fileServer, itemIdOf, type Client } from './helpers.js';

const server = fileServer();
const connect = (user: string | null) => server.connect(user);

/** The bytes an acknowledgement costs on the wire, near enough: its JSON. */
const bytes = (answer: unknown) => Buffer.byteLength(JSON.stringify(answer));
const seqOf = async (pageId: string) => (await server.ts.storage.getPage(pageId))!.seq;

type ReadAnswer = Extract<SubscribeAnswer, { access: 'read' }>;
async function catchUp(c: Client, pageId: string, since: number): Promise<ReadAnswer> {
  const r = await c.ok('page:subscribe', { pageId, since });
  assert.equal(r.access, 'read');
  return r as ReadAnswer;
}


describe('catch-up size', () => {
  it('after 1,000 edits of a 19 KB entry, an anonymous since: 0 answer is at most twice the snapshot', async (t) => {
    const pageId = await server.ts.page({ visibility: 'public' });
    const owner = await connect('owner');
    const body = 'x'.repeat(19_000);
    const { entry } = await owner.ok('journal:post', { pageId, clientId: 'big', title: 'Big', body });
    for (let i = 0; i < 1_000; i++) await owner.ok('journal:edit', { pageId, entryId: entry.id, title: 'Big', body: `${i} ${body}`.slice(0, 19_000) });

    const anonymous = await connect(null);
    const snapshot = await anonymous.ok('page:subscribe', { pageId });
    const caughtUp = await catchUp(anonymous, pageId, 0);
    assert.equal(caughtUp.seq, snapshot.access === 'read' && snapshot.seq);
    const ratio = bytes(caughtUp) / bytes(snapshot);
    t.diagnostic(`catch-up ${bytes(caughtUp)} bytes, snapshot ${bytes(snapshot)} bytes (${ratio.toFixed(2)}x)`);
    assert.ok(ratio <= 2, `the catch-up is ${bytes(caughtUp)} bytes, ${ratio.toFixed(1)}x the snapshot's ${bytes(snapshot)}`);
  });

  it('an item changed many times appears once, in its latest state, at the seq of its last change', async () => {
    const pageId = await server.ts.page({ visibility: 'public' });
    const owner = await connect('owner');
    const visitor = await connect('visitor');
    const editor = await connect('editor');
    const admin = await server.ts.token('admin');
    const since = await seqOf(pageId);
    const last = new Map<string, number>();
    const mark = async (key: string) => last.set(key, await seqOf(pageId));

    const a = await owner.ok('journal:post', { pageId, clientId: 'a', title: 'A0', body: 'a0' });
    const b = await owner.ok('journal:post', { pageId, clientId: 'b', title: 'B0', body: 'b0' });
    for (let i = 1; i <= 3; i++) await owner.ok('journal:edit', { pageId, entryId: a.entry.id, title: `A${i}`, body: `a${i}` });
    await mark(a.entry.id);
    const w = await visitor.ok('wall:post', { pageId, clientId: 'w', body: 'hello' });
    await owner.ok('wall:hide', { pageId, messageId: w.message.id, hidden: true });
    await visitor.fails('wall:heart', { pageId, messageId: w.message.id, on: true }, 'not_found'); // hidden: no heart, no change
    await owner.ok('wall:hide', { pageId, messageId: w.message.id, hidden: false });
    await visitor.ok('wall:heart', { pageId, messageId: w.message.id, on: true });
    await editor.ok('wall:heart', { pageId, messageId: w.message.id, on: true });
    await mark(w.message.id);
    // Edited, then removed: only the removal is left to tell.
    await owner.ok('journal:edit', { pageId, entryId: b.entry.id, title: 'B1', body: 'secret b1' });
    await owner.ok('journal:delete', { pageId, entryId: b.entry.id });
    await mark(b.entry.id);
    await visitor.ok('follow:set', { pageId, follow: true });
    const fan = await connect('fan');
    await fan.ok('follow:set', { pageId, follow: true });
    await visitor.ok('follow:set', { pageId, follow: false });
    await mark('follow:count');
    for (const title of ['Renamed once', 'Renamed twice']) assert.equal((await server.ts.rest('PATCH', `/api/pages/${pageId}`, { token: admin, body: { title } })).status, 200);
    await mark('page:updated');

    const r = await catchUp(visitor, pageId, since);
    const events = r.events!;
    assert.equal(r.reset, undefined);
    assert.equal(r.seq, await seqOf(pageId));
    assert.deepEqual(
      events.map((e) => [e.type, itemIdOf(e) ?? e.type, e.data.seq]),
      [
        ['journal:entry', a.entry.id, last.get(a.entry.id)],
        ['wall:message', w.message.id, last.get(w.message.id)],
        ['journal:removed', b.entry.id, last.get(b.entry.id)],
        ['follow:count', 'follow:count', last.get('follow:count')],
        ['page:updated', 'page:updated', last.get('page:updated')],
      ],
    );
    const [entry, message, , count, page] = events;
    assert.deepEqual(entry?.type === 'journal:entry' && [entry.data.entry.title, entry.data.entry.body], ['A3', 'a3']);
    assert.deepEqual(message?.type === 'wall:message' && [message.data.message.hidden, message.data.message.hearts, message.data.message.hearted], [false, 2, true]);
    assert.equal(count?.type === 'follow:count' && count.data.followerCount, 1);
    assert.equal(page?.type === 'page:updated' && page.data.page.title, 'Renamed twice');
    assert.ok(!JSON.stringify(events).includes('secret b1'), 'removed text is not replayed');
  });

  it('heart changes alone replay as one wall:hearts with the current count and the viewer\u2019s own heart', async () => {
    const pageId = await server.ts.page({ visibility: 'public' });
    const owner = await connect('owner');
    const visitor = await connect('visitor');
    const editor = await connect('editor');
    const w = await owner.ok('wall:post', { pageId, clientId: 'w', body: 'hearts here' });
    const since = await seqOf(pageId);
    // The visitor's own heart (from another tab, say) comes before other people's.
    await visitor.ok('wall:heart', { pageId, messageId: w.message.id, on: true });
    await editor.ok('wall:heart', { pageId, messageId: w.message.id, on: true });
    await owner.ok('wall:heart', { pageId, messageId: w.message.id, on: true });
    await owner.ok('wall:heart', { pageId, messageId: w.message.id, on: false });
    const seq = await seqOf(pageId);

    const mine = await catchUp(visitor, pageId, since);
    assert.deepEqual(mine.events, [{ type: 'wall:hearts', data: { pageId, seq, messageId: w.message.id, hearts: 2, userId: 'visitor', on: true } }]);
    // The owner's last change is an un-heart; their own state is what their catch-up carries.
    const owners = await catchUp(owner, pageId, since);
    assert.deepEqual(owners.events!.map((e) => e.type === 'wall:hearts' && [e.data.hearts, e.data.userId, e.data.on]), [[2, 'owner', false]]);
    const anonymous = await catchUp(await connect(null), pageId, since);
    assert.deepEqual(anonymous.events!.map((e) => e.type === 'wall:hearts' && [e.data.seq, e.data.hearts]), [[seq, 2]]);
  });

  it('a catch-up of more items than the count bound answers reset with a snapshot', async () => {
    const pageId = await server.ts.page({ visibility: 'public' });
    const owner = await connect('owner');
    const reader = await connect(null);
    const since = await seqOf(pageId);
    for (let i = 0; i < CATCH_UP_MAX_EVENTS; i++) await owner.ok('wall:post', { pageId, clientId: `n${i}`, body: `message ${i}` });
    // Exactly at the bound: still the events, one per message.
    const at = await catchUp(reader, pageId, since);
    assert.equal(at.reset, undefined);
    assert.equal(at.events!.length, CATCH_UP_MAX_EVENTS);

    await owner.ok('wall:post', { pageId, clientId: 'one-more', body: 'one more' });
    const over = await catchUp(reader, pageId, since);
    assert.equal(over.reset, true);
    assert.equal(over.events, undefined);
    assert.equal(over.seq, await seqOf(pageId));
    assert.equal(over.snapshot!.wall.length, LIMITS.snapshotWall);
    assert.equal(over.snapshot!.wall[0]!.body, 'one more');
    assert.equal(over.snapshot!.wallHasMore, true);
  });

  it('a catch-up whose items exceed the text bound answers reset with a snapshot', async () => {
    const pageId = await server.ts.page({ visibility: 'public' });
    const owner = await connect('owner');
    const reader = await connect(null);
    const since = await seqOf(pageId);
    const title = 't'.repeat(LIMITS.titleMax);
    const body = 'b'.repeat(LIMITS.journalBodyMax);
    // Far fewer items than the count bound, but together more text than the bound allows.
    const n = Math.floor(CATCH_UP_MAX_CHARS / (title.length + body.length));
    for (let i = 0; i < n; i++) await owner.ok('journal:post', { pageId, clientId: `j${i}`, title, body });
    const under = await catchUp(reader, pageId, since);
    assert.equal(under.reset, undefined);
    assert.equal(under.events!.length, n);

    await owner.ok('journal:post', { pageId, clientId: 'over', title, body });
    const over = await catchUp(reader, pageId, since);
    assert.equal(over.reset, true);
    assert.equal(over.events, undefined);
    assert.equal(over.snapshot!.journal.length, Math.min(n + 1, LIMITS.snapshotJournal));
    assert.ok(bytes(over) < bytes(under), 'the reset answer is smaller than the catch-up it replaces');
  });

  it('a task\'s details count against the text bound for those who receive them (SPEC 6.4): the family is reset, an anonymous reader caught up', async () => {
    const pageId = await server.ts.page({ visibility: 'public' });
    const owner = await connect('owner');
    const anonymous = await connect(null);
    const since = await seqOf(pageId);
    // Entries up to 10,000 characters below the bound (names aside), then 20 tasks: their
    // titles (4,000 characters) keep a reader below it, their details (40,000) take the family over.
    const entries = Math.floor((CATCH_UP_MAX_CHARS - 10_000) / (LIMITS.titleMax + LIMITS.journalBodyMax));
    for (let i = 0; i < entries; i++) await owner.ok('journal:post', { pageId, clientId: `e${i}`, title: 't'.repeat(LIMITS.titleMax), body: 'b'.repeat(LIMITS.journalBodyMax) });
    const date = addDays(todayIn('UTC'), 1);
    const task = { kind: 'visit' as const, title: 'v'.repeat(LIMITS.taskTitleMax), date, slots: 1, details: 'd'.repeat(LIMITS.taskDetailsMax) };
    await owner.ok('task:create', { pageId, clientId: 'tasks', task, repeat: { every: 'day', until: addDays(date, 19) } });
    const family = await catchUp(owner, pageId, since);
    assert.equal(family.reset, true, 'the family\'s catch-up would carry the details: a snapshot instead');
    assert.equal(family.snapshot!.tasks!.length, 20);
    const reader = await catchUp(anonymous, pageId, since);
    assert.ok(!reader.reset && reader.events!.filter((e) => e.type === 'task:changed').length === 20, 'the reader\'s catch-up has no details to carry');
  });
});

/** The widgets' store over a test client's socket. */
class ClientTransport implements StoreTransport {
  constructor(
    private readonly client: Client,
    readonly userId: string | null,
  ) {}
  call<E extends ClientEventName>(event: E, payload: Payload<E>): Promise<Answer<E>> {
    return this.client.call(event, payload) as Promise<Answer<E>>;
  }
}

describe('catch-up in the client store', () => {
  it('a store that caught up after many changes holds what a store that stayed live holds', async () => {
    const pageId = await server.ts.page({ visibility: 'public' });
    const owner = await connect('owner');
    const liveClient = await connect('visitor');
    const laterClient = await connect('visitor');
    const live = new PageStore(pageId, new ClientTransport(liveClient, 'visitor'));
    const later = new PageStore(pageId, new ClientTransport(laterClient, 'visitor'));
    for (const type of ['journal:entry', 'journal:removed', 'wall:message', 'wall:removed', 'wall:hearts', 'follow:count', 'page:updated'] as const) {
      liveClient.socket.on(type as 'wall:message', (data) => live.receive({ type, data } as LiveEvent));
    }
    const kept = await owner.ok('wall:post', { pageId, clientId: 'kept', body: 'from before' });
    await Promise.all([live.sync(), later.sync()]);
    // `later` misses everything from here on: its socket leaves the page.
    await laterClient.ok('page:unsubscribe', { pageId });

    const a = await owner.ok('journal:post', { pageId, clientId: 'a', title: 'A', body: 'a' });
    const b = await owner.ok('journal:post', { pageId, clientId: 'b', title: 'B', body: 'b' });
    for (let i = 0; i < 5; i++) await owner.ok('journal:edit', { pageId, entryId: a.entry.id, title: `A${i}`, body: `a${i}` });
    await owner.ok('journal:delete', { pageId, entryId: b.entry.id });
    const w = await owner.ok('wall:post', { pageId, clientId: 'w', body: 'new' });
    await liveClient.ok('wall:heart', { pageId, messageId: kept.message.id, on: true });
    await owner.ok('wall:heart', { pageId, messageId: kept.message.id, on: true });
    await owner.ok('wall:hide', { pageId, messageId: w.message.id, hidden: true });
    await owner.ok('wall:hide', { pageId, messageId: w.message.id, hidden: false });
    await owner.ok('wall:heart', { pageId, messageId: w.message.id, on: true });
    const seq = await seqOf(pageId);
    await liveClient.barrier();
    assert.equal(live.state.seq, seq);

    await later.sync();
    const { status, journal, wall, followerCount, page } = later.state;
    assert.deepEqual({ status, journal, wall, followerCount, page, seq: later.state.seq }, { status: 'ready', journal: live.state.journal, wall: live.state.wall, followerCount: live.state.followerCount, page: live.state.page, seq });
    assert.deepEqual(wall.map((m) => [m.body, m.hearts, m.hearted]), [['new', 1, false], ['from before', 2, true]]);
    live.close();
    later.close();
  });
});

describe('catch-up of a hidden message (issue 11)', () => {
  it('gives its author their own message marked hidden, and everyone else but moderators wall:removed', async () => {
    const pageId = await server.ts.page({ visibility: 'public' });
    const owner = await connect('owner');
    const author = await connect('visitor');
    const reader = await connect('other');
    const w = await author.ok('wall:post', { pageId, clientId: 'hid', body: 'words to hide' });
    const since = await seqOf(pageId);
    await owner.ok('wall:hide', { pageId, messageId: w.message.id, hidden: true });
    const own = await catchUp(author, pageId, since);
    const other = await catchUp(reader, pageId, since);
    assert.deepEqual(
      own.events?.map((e) => [e.type, e.type === 'wall:message' && e.data.message.hidden]),
      [['wall:message', true]],
    );
    assert.deepEqual(other.events?.map((e) => e.type), ['wall:removed']);
    assert.ok(!JSON.stringify(other).includes('words to hide'));
  });
});
