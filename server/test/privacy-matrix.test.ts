/**
 * The privacy matrix (issue 4): every role × every visibility × every client event that
 * touches a page. The expectations below are written from SPEC section 3, not computed by the
 * server's own rules, so the two are checked against each other.
 *
 * Each cell gets a fresh page (a journal entry, a wall message, a message held for approval,
 * a pending follow request, a follower, a blocked user), with three observer sockets
 * subscribed to it: another socket of the owner, another of a follower, and a signed-in
 * watcher (who may not read a private page). An allowed call must succeed; a denied one must
 * be refused with `unauthorized` (anonymous) or `forbidden`, change nothing in storage, and
 * after a barrier round trip NO socket (observers, actor, every other role) has received
 * anything new. At the end, every event each socket received during the whole run is
 * checked: nothing carrying a page's content, title or `seq` ever reached a socket that may
 * not read that page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLIENT_EVENTS, type ClientEventName, type Visibility } from '../../src/protocol/index.js';
import { barrierAll, expectFailure, pageRowCounts, startServer, type Client, type Received, type TestServer } from './helpers.js';

type Role = 'owner' | 'editor' | 'follower' | 'visitor' | 'anonymous' | 'blocked' | 'moderator';
const ROLES: Role[] = ['owner', 'editor', 'follower', 'visitor', 'anonymous', 'blocked', 'moderator'];
const VISIBILITIES: Visibility[] = ['public', 'members', 'private'];
/** The user id each role connects as (`moderator` is staff through its token). */
const USER: Record<Role, string | null> = { owner: 'owner', editor: 'editor', follower: 'follower', visitor: 'visitor', anonymous: null, blocked: 'blocked', moderator: 'moderator' };

/* --------------------------------------------------------------- SPEC section 3, as a table */

const isMember = (r: Role) => r === 'owner' || r === 'editor';
const isModerator = (r: Role) => isMember(r) || r === 'moderator';
const signedIn = (r: Role) => r !== 'anonymous';

/** Who reads: public anyone, members any signed-in visitor, private owner/editors/followers/staff; a blocked user nothing. */
function reads(r: Role, v: Visibility): boolean {
  if (r === 'blocked') return false;
  if (isModerator(r) || r === 'follower') return true;
  if (v === 'public') return true;
  if (v === 'members') return signedIn(r);
  return false;
}

interface Fixture {
  pageId: string;
  entryId: string;
  messageId: string;
  pendingId: string;
  secret: string;
}

interface Action {
  name: string;
  event: ClientEventName;
  payload(f: Fixture): Record<string, unknown>;
  allowed(r: Role, v: Visibility): boolean;
  /** Whether an allowed call is a change that takes the page's next `seq`. */
  changes: boolean | ((r: Role, v: Visibility) => boolean);
}

const ACTIONS: Action[] = [
  { name: 'page:subscribe', event: 'page:subscribe', payload: (f) => ({ pageId: f.pageId }), allowed: () => true, changes: false },
  { name: 'page:subscribe since 0', event: 'page:subscribe', payload: (f) => ({ pageId: f.pageId, since: 0 }), allowed: () => true, changes: false },
  { name: 'page:unsubscribe', event: 'page:unsubscribe', payload: (f) => ({ pageId: f.pageId }), allowed: () => true, changes: false },
  { name: 'history:load journal', event: 'history:load', payload: (f) => ({ pageId: f.pageId, stream: 'journal', before: Number.MAX_SAFE_INTEGER, limit: 50 }), allowed: reads, changes: false },
  { name: 'history:load wall', event: 'history:load', payload: (f) => ({ pageId: f.pageId, stream: 'wall', before: Number.MAX_SAFE_INTEGER, limit: 50 }), allowed: reads, changes: false },
  { name: 'journal:post', event: 'journal:post', payload: (f) => ({ pageId: f.pageId, clientId: 'matrix-j', title: `${f.secret}posted-title`, body: `${f.secret}posted-body` }), allowed: isMember, changes: true },
  { name: 'journal:edit', event: 'journal:edit', payload: (f) => ({ pageId: f.pageId, entryId: f.entryId, title: `${f.secret}edited`, body: `${f.secret}edited-body` }), allowed: isMember, changes: true },
  { name: 'journal:delete', event: 'journal:delete', payload: (f) => ({ pageId: f.pageId, entryId: f.entryId }), allowed: isModerator, changes: true },
  {
    name: 'wall:post',
    event: 'wall:post',
    payload: (f) => ({ pageId: f.pageId, clientId: 'matrix-w', body: `${f.secret}posted-wall` }),
    allowed: (r, v) => reads(r, v) && signedIn(r) && (isMember(r) || r === 'follower' || v !== 'private'),
    changes: true,
  },
  { name: 'wall:heart', event: 'wall:heart', payload: (f) => ({ pageId: f.pageId, messageId: f.messageId, on: true }), allowed: (r, v) => reads(r, v) && signedIn(r), changes: true },
  { name: 'wall:hide', event: 'wall:hide', payload: (f) => ({ pageId: f.pageId, messageId: f.messageId, hidden: true }), allowed: isModerator, changes: true },
  { name: 'wall:delete (someone else’s)', event: 'wall:delete', payload: (f) => ({ pageId: f.pageId, messageId: f.messageId }), allowed: isModerator, changes: true },
  { name: 'wall:approve', event: 'wall:approve', payload: (f) => ({ pageId: f.pageId, messageId: f.pendingId }), allowed: isModerator, changes: true },
  // Following is for signed-in visitors who are not members; the follower already follows (no
  // change), and on a private page it is a request (no change to the page until approved).
  { name: 'follow:set', event: 'follow:set', payload: (f) => ({ pageId: f.pageId, follow: true }), allowed: (r) => signedIn(r) && r !== 'blocked' && !isMember(r), changes: (r, v) => r !== 'follower' && v !== 'private' },
  { name: 'follow:set false', event: 'follow:set', payload: (f) => ({ pageId: f.pageId, follow: false }), allowed: (r) => signedIn(r) && r !== 'blocked' && !isMember(r), changes: (r) => r === 'follower' },
  { name: 'follow:decide', event: 'follow:decide', payload: (f) => ({ pageId: f.pageId, userId: 'requester', approve: true }), allowed: (r) => r === 'owner', changes: true },
  { name: 'follow:remove', event: 'follow:remove', payload: (f) => ({ pageId: f.pageId, userId: 'extra' }), allowed: isModerator, changes: true },
  { name: 'follow:remove + block', event: 'follow:remove', payload: (f) => ({ pageId: f.pageId, userId: 'extra', block: true }), allowed: isModerator, changes: true },
];

/* ------------------------------------------------------------------------------- set-up */

let ts: TestServer;
const actors = {} as Record<Role, Client>;
let observers: { name: string; role: Role; client: Client }[];
/** Every socket, with the role whose reading rights it has. */
let everyone: { name: string; role: Role; client: Client }[];
/** Per page: its visibility, its content marker, and whether its held message was released. */
const pages = new Map<string, { visibility: Visibility; secret: string; held: string; released: boolean }>();
let cell = 0;

before(async () => {
  ts = await startServer();
  for (const role of ROLES) actors[role] = await ts.connect(USER[role]);
  observers = [
    { name: 'observer owner', role: 'owner', client: await ts.connect('owner') },
    { name: 'observer follower', role: 'follower', client: await ts.connect('follower') },
    // A signed-in visitor: reads public and members pages, not private ones.
    { name: 'observer watcher', role: 'visitor', client: await ts.connect('watcher') },
  ];
  everyone = [...ROLES.map((role) => ({ name: role, role, client: actors[role] })), ...observers];
});

after(async () => {
  await ts?.close();
});

async function fixture(visibility: Visibility): Promise<Fixture> {
  const n = ++cell;
  const secret = `SECRET-${n}-`;
  const held = `HELD-${n}-`;
  const pageId = await ts.page({ title: `${secret}title`, visibility, owners: ['owner'], editors: ['editor'], followers: ['follower', 'extra'] });
  const s = ts.storage;
  const [, , { entry }, { message }, { message: pending }] = await Promise.all([
    s.setFollow(pageId, { id: 'blocked', name: 'Blocked' }, 'blocked'),
    s.setFollow(pageId, { id: 'requester', name: 'Requester' }, 'requested'),
    s.postJournal(pageId, { id: 'owner', name: 'Owner' }, 'seed-j', `${secret}journal-title`, `${secret}journal-body`),
    s.postWall(pageId, { id: 'extra', name: 'Extra' }, 'seed-w', `${secret}wall-body`, false),
    s.postWall(pageId, { id: 'extra', name: 'Extra' }, 'seed-p', `${secret}${held}held-body`, true),
  ]);
  pages.set(pageId, { visibility, secret, held, released: false });
  return { pageId, entryId: entry.id, messageId: message.id, pendingId: pending.id, secret };
}

const seqOf = async (pageId: string) => (await ts.storage.getPage(pageId))!.seq;

/* ------------------------------------------------------------------------------ the matrix */

describe('privacy matrix', () => {
  it('covers every client event that touches a page', () => {
    const covered = new Set(ACTIONS.map((a) => a.event));
    const missing = CLIENT_EVENTS.filter((e) => e !== 'session:refresh' && !covered.has(e));
    assert.deepEqual(missing, [], 'add an action (and its SPEC expectation) for these events');
  });

  for (const visibility of VISIBILITIES) {
    describe(visibility, () => {
      for (const action of ACTIONS) {
        for (const role of ROLES) {
          const allowed = action.allowed(role, visibility);
          it(`${role} ${action.name}: ${allowed ? 'allowed' : 'refused'}`, async () => {
            const f = await fixture(visibility);
            const actor = actors[role];
            const subscribers = [...observers.map((o) => o.client), ...(action.event === 'page:subscribe' ? [] : [actor])];
            await Promise.all(subscribers.map((c) => c.ok('page:subscribe', { pageId: f.pageId })));
            await barrierAll(everyone.map((e) => e.client));
            const marks = everyone.map((e) => e.client.mark());
            const rowsBefore = await pageRowCounts(ts.db, f.pageId);
            const seqBefore = await seqOf(f.pageId);

            const answer = (await actor.raw(action.event, action.payload(f))) as { ok: boolean; access?: string; [k: string]: unknown };
            // Answers are held to the same rule as events: no content for a non-reader, and a held
            // message only for moderators.
            const said = JSON.stringify(answer);
            if (!reads(role, visibility)) assert.ok(!said.includes(f.secret), `content of the page in the answer: ${said.slice(0, 200)}`);
            if (!isModerator(role)) assert.ok(!said.includes(pages.get(f.pageId)!.held), 'a held message in the answer');
            else if (action.name === 'history:load wall') assert.ok(said.includes(pages.get(f.pageId)!.held), 'moderators do see held messages');

            if (action.event === 'page:subscribe') {
              // Always answered; what it carries depends on the right to read.
              assert.equal(answer.ok, true, JSON.stringify(answer));
              if (reads(role, visibility)) {
                assert.equal(answer.access, 'read');
              } else {
                assert.equal(answer.access, 'none');
                assert.deepEqual(Object.keys(answer.page as object).sort(), ['followerCount', 'id', 'visibility'], 'a teaser only');
                assert.ok(!JSON.stringify(answer).includes(f.secret), 'no content in the answer');
                assert.ok(!('seq' in answer) && !('snapshot' in answer) && !('events' in answer));
              }
              return;
            }
            if (allowed) {
              assert.equal(answer.ok, true, `${role} ${action.name} on a ${visibility} page should succeed: ${JSON.stringify(answer)}`);
              if (action.event === 'wall:approve') pages.get(f.pageId)!.released = true;
              const changes = typeof action.changes === 'function' ? action.changes(role, visibility) : action.changes;
              if (changes) assert.ok((await seqOf(f.pageId)) > seqBefore, 'the change took a seq');
              else assert.equal(await seqOf(f.pageId), seqBefore, 'nothing changed');
              return;
            }
            expectFailure(answer, signedIn(role) ? 'forbidden' : 'unauthorized', `${role} ${action.name} on a ${visibility} page`);
            assert.ok(!JSON.stringify(answer).includes(f.secret), 'the refusal carries no content');
            // No trace: nothing stored, no seq taken, nothing sent to anyone.
            assert.equal(await seqOf(f.pageId), seqBefore, 'a refused call takes no seq');
            assert.deepEqual(await pageRowCounts(ts.db, f.pageId), rowsBefore, 'a refused call stores nothing');
            await barrierAll(everyone.map((e) => e.client));
            everyone.forEach((e, i) => assert.deepEqual(e.client.after(marks[i]!), [], `${e.name} received something after a refused ${action.name}`));
          });
        }
      }
    });
  }

  it('no socket ever received content, a title or a seq of a page it may not read', () => {
    assert.ok(pages.size >= ROLES.length * VISIBILITIES.length * ACTIONS.length, 'the matrix ran');
    const leaks: string[] = [];
    let checked = 0;
    let content = 0;
    for (const { name, role, client } of everyone) {
      for (const r of client.received) {
        checked++;
        const text = JSON.stringify(r.data);
        if (text.includes('SECRET-')) content++;
        const d = (r.data ?? {}) as { pageId?: string; seq?: number; message?: { hidden?: boolean; pending?: boolean } };
        for (const [pageId, p] of pages) {
          const readable = reads(role, p.visibility);
          const about = d.pageId === pageId;
          if (!readable && about && !bare(r)) leaks.push(`${name} got ${r.event} of a ${p.visibility} page it may not read: ${text.slice(0, 200)}`);
          if (!readable && text.includes(p.secret)) leaks.push(`${name} got content of a ${p.visibility} page it may not read in ${r.event}`);
          // A message held for approval reaches moderators (and its author) only, until released.
          if (!isModerator(role) && !p.released && text.includes(p.held)) leaks.push(`${name} got a held message in ${r.event}`);
        }
        if (r.event === 'follow:request' && role !== 'owner') leaks.push(`${name} got a follow request`);
        if (r.event === 'wall:message' && !isModerator(role) && (d.message?.hidden || d.message?.pending)) leaks.push(`${name} got a hidden or held message`);
      }
    }
    // The check has something to look at: readers did receive pages' content live.
    assert.ok(checked > 200 && content > 100, `events were recorded (${checked}, ${content} with content)`);
    assert.deepEqual(leaks, []);
  });
});

/** What a socket that may not read a page may still get: the public count, or "resubscribe". */
function bare(r: Received): boolean {
  const keys = Object.keys(r.data as object).sort().join();
  if (r.event === 'follow:count') return keys === 'followerCount,pageId';
  if (r.event === 'page:updated') return keys === 'pageId,resubscribe';
  return false;
}
