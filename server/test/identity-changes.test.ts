/**
 * Issue 10, findings 1 and 4: rights that change under a live connection. A `session:refresh`
 * whose token carries other claims re-evaluates every room the socket is in before it is
 * acknowledged; an author who lost access no longer hears about their own message held for
 * approval. (The full before → after matrix is privacy-transitions.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PageUpdatedEvent } from '../../src/protocol/index.js';
import { fileServer, signToken, type Client, type Received } from './helpers.js';

const server = fileServer();

async function connectAs(sub: string, careRole?: 'moderator' | 'admin'): Promise<{ client: Client; token: string }> {
  const token = await signToken(server.ts.secret, { sub, name: `Name of ${sub}`, ...(careRole ? { care_role: careRole } : {}) });
  const client = await server.ts.connect(sub, { protocolVersion: 1, token });
  return { client, token };
}

/** Everything but the bare "resubscribe" notice, which carries nothing of the page. */
function beyondResubscribe(received: Received[], pageId: string): Received[] {
  return received.filter((r) => {
    const d = r.data as PageUpdatedEvent;
    return !(r.event === 'page:updated' && d.pageId === pageId && d.resubscribe === true && Object.keys(d).length === 2);
  });
}

/** Journal post, a hidden wall message, a follow request with a name: each a kind of privilege. */
async function everyKindOfChange(pageId: string, tag: string): Promise<void> {
  const owner = await server.connect('owner');
  const w = await owner.ok('wall:post', { pageId, clientId: `${tag}-w`, body: `SECRET wall ${tag}` });
  await owner.ok('wall:hide', { pageId, messageId: w.message.id, hidden: true });
  await owner.ok('journal:post', { pageId, clientId: `${tag}-j`, title: `SECRET title ${tag}`, body: 'SECRET body' });
  const asker = await server.connect(`asker-${tag}`);
  await asker.ok('follow:set', { pageId, follow: true });
  await owner.ok('page:unsubscribe', { pageId });
}

describe('session:refresh re-evaluates rooms before its acknowledgement', () => {
  it('an admin demoted by a refresh hears nothing more of a private page (the reported case)', async () => {
    const pageId = await server.ts.page({ visibility: 'private' });
    const { client: staff } = await connectAs('staffer', 'admin');
    const sub = await staff.ok('page:subscribe', { pageId });
    assert.equal(sub.access, 'read');

    const plain = await signToken(server.ts.secret, { sub: 'staffer', name: 'Name of staffer' });
    const mark = staff.mark();
    await staff.ok('session:refresh', { token: plain });
    await everyKindOfChange(pageId, 'demoted');
    await staff.barrier();

    const got = staff.after(mark);
    assert.deepEqual(beyondResubscribe(got, pageId), [], 'nothing of the page after the refresh');
    assert.ok(got.some((r) => r.event === 'page:updated'), 'told to resubscribe');
    assert.ok(!JSON.stringify(got).includes('SECRET') && !JSON.stringify(got).includes('asker-'));
    const again = await staff.ok('page:subscribe', { pageId });
    assert.equal(again.access, 'none');
  });

  it('a moderator demoted on a public page keeps reading but no longer sees hidden messages', async () => {
    const pageId = await server.ts.page({ visibility: 'public' });
    const { client: staff } = await connectAs('mod-demoted', 'moderator');
    await staff.ok('page:subscribe', { pageId });
    const plain = await signToken(server.ts.secret, { sub: 'mod-demoted' });
    await staff.ok('session:refresh', { token: plain });

    // Before it resubscribes: the stream it still has is a plain reader's.
    const mark = staff.mark();
    const owner = await server.connect('owner');
    const w = await owner.ok('wall:post', { pageId, clientId: 'm-1', body: 'SECRET soon hidden' });
    await owner.ok('wall:hide', { pageId, messageId: w.message.id, hidden: true });
    await staff.barrier();
    const hiddenSeen = staff.of<{ message: { id: string; hidden: boolean } }>('wall:message', mark).filter((e) => e.message.hidden);
    assert.deepEqual(hiddenSeen, [], 'no hidden message reaches a demoted moderator');
    assert.equal((await staff.ok('page:subscribe', { pageId })).viewer.can.moderate, false);
    assert.ok(staff.of('wall:removed', mark).length >= 1, 'the hide arrives as a removal');
  });

  it('a refresh that grants admin tells the socket to resubscribe, which then reads', async () => {
    const pageId = await server.ts.page({ visibility: 'private' });
    const { client: who } = await connectAs('promoted');
    assert.equal((await who.ok('page:subscribe', { pageId })).access, 'none');
    const mark = who.mark();
    const admin = await signToken(server.ts.secret, { sub: 'promoted', care_role: 'admin' });
    await who.ok('session:refresh', { token: admin });
    await who.barrier();
    assert.ok(who.of<PageUpdatedEvent>('page:updated', mark).some((e) => e.pageId === pageId && e.resubscribe));
    const again = await who.ok('page:subscribe', { pageId });
    assert.equal(again.access, 'read');
    assert.equal(again.viewer.can.decide, true);
  });

  it('a refresh with unchanged claims changes nothing and says nothing', async () => {
    const pageId = await server.ts.page({ visibility: 'members' });
    const { client: who, token } = await connectAs('steady');
    await who.ok('page:subscribe', { pageId });
    const mark = who.mark();
    await who.ok('session:refresh', { token });
    const owner = await server.connect('owner');
    const j = await owner.ok('journal:post', { pageId, clientId: 'steady-j', title: 'still here', body: 'x' });
    await who.waitFor<{ entry: { id: string } }>('journal:entry', (e) => e.entry.id === j.entry.id, mark);
    assert.deepEqual(who.of('page:updated', mark), []);
  });
});

describe('a message held for approval (finding 4)', () => {
  it('its author, removed as a follower, hears nothing when a moderator hides or shows it', async () => {
    const pageId = await server.ts.page({ visibility: 'private', wallModeration: 'pre', followers: ['author'] });
    const author = await server.connect('author');
    await author.ok('page:subscribe', { pageId });
    const posted = await author.ok('wall:post', { pageId, clientId: 'held-1', body: 'SECRET held' });
    assert.equal(posted.message.pending, true);

    const owner = await server.connect('owner');
    await owner.ok('follow:remove', { pageId, userId: 'author' });
    const mark = author.mark();
    await owner.ok('wall:hide', { pageId, messageId: posted.message.id, hidden: true });
    await owner.ok('wall:hide', { pageId, messageId: posted.message.id, hidden: false });
    await author.barrier();
    assert.deepEqual(beyondResubscribe(author.after(mark, pageId), pageId), []);
  });

  it('its author who still reads gets its updates, on every one of their sockets', async () => {
    const pageId = await server.ts.page({ visibility: 'public', wallModeration: 'pre' });
    const tab1 = await server.connect('writer');
    const tab2 = await server.connect('writer');
    for (const t of [tab1, tab2]) await t.ok('page:subscribe', { pageId });
    const posted = await tab1.ok('wall:post', { pageId, clientId: 'held-2', body: 'held' });
    const owner = await server.connect('owner');
    const mark = tab2.mark();
    await owner.ok('wall:approve', { pageId, messageId: posted.message.id });
    await tab2.waitFor<{ message: { id: string; pending: boolean } }>('wall:message', (e) => e.message.id === posted.message.id && !e.message.pending, mark);
  });
});
