/**
 * Revocation: when a viewer loses the right to read (removed, blocked, the page turned
 * private, removed as editor, the page deleted), nothing of the page reaches their socket
 * after the change was acknowledged.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { JournalEntryEvent, PageUpdatedEvent } from '../../src/protocol/index.js';
import { fileServer, type Client, type Received } from './helpers.js';

let adminToken: string;
const server = fileServer();
const connect = (user: string | null) => server.connect(user);

before(async () => {
  await server.start();
  adminToken = await server.ts.token('admin');
});

/**
 * What a cut-off socket may still get: the bare "resubscribe" notice (it carries nothing of
 * the page). Anything else of the page after the cut is a leak.
 */
function assertCutOff(received: Received[], pageId: string) {
  const leaks = received.filter((r) => {
    const d = r.data as PageUpdatedEvent;
    if (r.event === 'page:updated' && d.pageId === pageId && d.resubscribe === true && Object.keys(d).sort().join() === 'pageId,resubscribe') return false;
    return true;
  });
  assert.deepEqual(leaks, [], 'nothing of the page after the cut');
}

/** Several kinds of change, then waits until a reader that keeps access saw the last one. */
async function activity(owner: Client, witness: Client, pageId: string, tag: string) {
  const mark = witness.mark();
  const w = await owner.ok('wall:post', { pageId, clientId: `${tag}-w`, body: `wall ${tag} SECRET` });
  await owner.ok('wall:heart', { pageId, messageId: w.message.id, on: true });
  await owner.ok('wall:hide', { pageId, messageId: w.message.id, hidden: true });
  const j = await owner.ok('journal:post', { pageId, clientId: `${tag}-j`, title: `journal ${tag} SECRET`, body: 'x' });
  await witness.waitFor<JournalEntryEvent>('journal:entry', (e) => e.entry.id === j.entry.id, mark);
}

describe('follow:remove and block', () => {
  it('a removed follower of a private page gets nothing after the removal ack', async () => {
    const pageId = await server.ts.page({ visibility: 'private', followers: ['follower', 'witness'] });
    const owner = await connect('owner');
    const follower = await connect('follower');
    const witness = await connect('witness');
    await follower.ok('page:subscribe', { pageId });
    await witness.ok('page:subscribe', { pageId });
    await owner.ok('journal:post', { pageId, clientId: 'r0', title: 'before', body: 'x' });
    await follower.waitFor('journal:entry', (e: { pageId: string }) => e.pageId === pageId);

    await owner.ok('follow:remove', { pageId, userId: 'follower' });
    const mark = follower.mark();
    await activity(owner, witness, pageId, 'after-remove');
    await follower.barrier();
    assertCutOff(follower.after(mark), pageId);

    // Resubscribing does not bring it back.
    const again = await follower.ok('page:subscribe', { pageId });
    assert.equal(again.access, 'none');
    await follower.fails('history:load', { pageId, stream: 'journal', before: 1000, limit: 10 }, 'forbidden');
    const mark2 = follower.mark();
    await activity(owner, witness, pageId, 'after-resubscribe');
    await follower.barrier();
    // As a non-reader it may get the public follower count (no seq), nothing else.
    const got = follower.after(mark2, pageId).filter((r) => !(r.event === 'follow:count' && (r.data as { seq?: number }).seq === undefined));
    assert.deepEqual(got, []);
    assert.ok(!JSON.stringify(follower.after(mark)).includes('SECRET'));
  });

  it('a blocked visitor of a public page gets nothing after the block ack, on all their sockets', async () => {
    const pageId = await server.ts.page({ visibility: 'public' });
    const owner = await connect('owner');
    const tab1 = await connect('troll');
    const tab2 = await connect('troll');
    const witness = await connect(null);
    for (const c of [tab1, tab2, witness]) await c.ok('page:subscribe', { pageId });
    await tab1.ok('wall:post', { pageId, clientId: 't1', body: 'hello' });

    await owner.ok('follow:remove', { pageId, userId: 'troll', block: true });
    const marks = [tab1.mark(), tab2.mark()];
    await activity(owner, witness, pageId, 'after-block');
    await tab1.barrier();
    await tab2.barrier();
    assertCutOff(tab1.after(marks[0]!), pageId);
    assertCutOff(tab2.after(marks[1]!), pageId);
    assert.equal((await tab1.ok('page:subscribe', { pageId })).access, 'none');
    // An anonymous visitor still reads the public page (the witness got everything).
    assert.ok(witness.of('wall:message').length >= 2);
  });

  it('a moderator (staff) may remove and block, and the cut is the same', async () => {
    const pageId = await server.ts.page({ visibility: 'private', followers: ['follower', 'witness'] });
    const moderator = await connect('moderator');
    const owner = await connect('owner');
    const follower = await connect('follower');
    const witness = await connect('witness');
    await follower.ok('page:subscribe', { pageId });
    await witness.ok('page:subscribe', { pageId });
    await moderator.ok('follow:remove', { pageId, userId: 'follower', block: true });
    assert.equal((await server.ts.storage.getFollow(pageId, 'follower'))?.state, 'blocked');
    const mark = follower.mark();
    await activity(owner, witness, pageId, 'mod-block');
    await follower.barrier();
    assertCutOff(follower.after(mark), pageId);
    // A blocked user cannot ask again.
    await follower.fails('follow:set', { pageId, follow: true }, 'forbidden');
  });
});

describe('unfollowing', () => {
  it('a follower who unfollows a private page stops receiving it on every socket', async () => {
    const pageId = await server.ts.page({ visibility: 'private', followers: ['follower', 'witness'] });
    const owner = await connect('owner');
    const tab1 = await connect('follower');
    const tab2 = await connect('follower');
    const witness = await connect('witness');
    for (const c of [tab1, tab2, witness]) await c.ok('page:subscribe', { pageId });
    const r = await tab1.ok('follow:set', { pageId, follow: false });
    assert.equal(r.state, 'none');
    const unfollowSeq = (await server.ts.storage.getPage(pageId))!.seq;
    const marks = [tab1.mark(), tab2.mark()];
    await activity(owner, witness, pageId, 'after-unfollow');
    await tab1.barrier();
    await tab2.barrier();
    assertCutOff(tab1.after(marks[0]!), pageId);
    assertCutOff(tab2.after(marks[1]!), pageId);
    // Not even the change that ended their access reaches them as a page event (with seq).
    await witness.waitFor('follow:count', (e: { seq?: number }) => e.seq === unfollowSeq);
    for (const tab of [tab1, tab2]) assert.deepEqual(tab.of<{ seq?: number }>('follow:count').filter((e) => e.seq !== undefined && e.seq >= unfollowSeq), []);
  });
});

describe('page settings and membership changes via admin REST', () => {
  it('PATCH visibility public → private cuts a non-follower\u2019s stream; followers keep theirs', async () => {
    const pageId = await server.ts.page({ visibility: 'public', followers: ['follower'] });
    const owner = await connect('owner');
    const visitor = await connect('visitor');
    const anonymous = await connect(null);
    const follower = await connect('follower');
    for (const c of [visitor, anonymous, follower]) await c.ok('page:subscribe', { pageId });

    const fMark = follower.mark();
    const res = await server.ts.rest('PATCH', `/api/pages/${pageId}`, { token: adminToken, body: { visibility: 'private', title: 'Now private SECRET' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.visibility, 'private');
    const marks = [visitor.mark(), anonymous.mark()] as const;

    const upd = await follower.waitFor<PageUpdatedEvent>('page:updated', (e) => e.pageId === pageId && !!e.page, fMark);
    assert.equal(upd.page?.visibility, 'private');
    await activity(owner, follower, pageId, 'after-private');
    await visitor.barrier();
    await anonymous.barrier();
    assertCutOff(visitor.after(marks[0]), pageId);
    assertCutOff(anonymous.after(marks[1]), pageId);
    // The new title never reached them, not even in the settings update.
    assert.ok(!JSON.stringify(visitor.received).includes('SECRET'));
    assert.ok(!JSON.stringify(anonymous.received).includes('SECRET'));
    assert.equal((await visitor.ok('page:subscribe', { pageId })).access, 'none');
  });

  it('PATCH visibility members → private, and private → public lets everyone in again', async () => {
    const pageId = await server.ts.page({ visibility: 'members' });
    const owner = await connect('owner');
    const visitor = await connect('visitor');
    await visitor.ok('page:subscribe', { pageId });
    assert.equal((await server.ts.rest('PATCH', `/api/pages/${pageId}`, { token: adminToken, body: { visibility: 'private' } })).status, 200);
    const mark = visitor.mark();
    await owner.ok('page:subscribe', { pageId });
    await activity(owner, owner, pageId, 'members-private');
    await visitor.barrier();
    assertCutOff(visitor.after(mark), pageId);

    assert.equal((await visitor.ok('page:subscribe', { pageId })).access, 'none');
    const vMark = visitor.mark();
    assert.equal((await server.ts.rest('PATCH', `/api/pages/${pageId}`, { token: adminToken, body: { visibility: 'public' } })).status, 200);
    // A socket that gained access is told to resubscribe.
    await visitor.waitFor<PageUpdatedEvent>('page:updated', (e) => e.pageId === pageId && e.resubscribe === true, vMark);
    assert.equal((await visitor.ok('page:subscribe', { pageId })).access, 'read');
  });

  it('an editor removed via PATCH editors loses a private page at once', async () => {
    const pageId = await server.ts.page({ visibility: 'private', editors: ['editor'], followers: ['witness'] });
    const owner = await connect('owner');
    const editor = await connect('editor');
    const witness = await connect('witness');
    await editor.ok('page:subscribe', { pageId });
    await witness.ok('page:subscribe', { pageId });
    const res = await server.ts.rest('PATCH', `/api/pages/${pageId}`, { token: adminToken, body: { editors: [] } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.members, [{ userId: 'owner', role: 'owner' }]);
    const mark = editor.mark();
    await activity(owner, witness, pageId, 'after-demote');
    await editor.barrier();
    assertCutOff(editor.after(mark), pageId);
    await editor.fails('journal:post', { pageId, clientId: 'nope', title: 't', body: 'b' }, 'forbidden');
  });

  it('DELETE of a page cuts every subscriber, also from a new page of the same id', async () => {
    const pageId = await server.ts.page({ visibility: 'public' });
    const reader = await connect('visitor');
    await reader.ok('page:subscribe', { pageId });
    const mark = reader.mark();
    assert.equal((await server.ts.rest('DELETE', `/api/pages/${pageId}`, { token: adminToken })).status, 204);
    await reader.waitFor<PageUpdatedEvent>('page:updated', (e) => e.pageId === pageId && e.resubscribe === true, mark);
    await reader.fails('page:subscribe', { pageId }, 'not_found');

    await server.ts.page({ id: pageId, visibility: 'public' });
    const owner = await connect('owner');
    const witness = await connect(null);
    await witness.ok('page:subscribe', { pageId });
    const mark2 = reader.mark();
    await activity(owner, witness, pageId, 'recreated');
    await reader.barrier();
    assertCutOff(reader.after(mark2), pageId);
  });
});
