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
import { addDays, CLIENT_EVENTS, todayIn, type ClientEventName, type ErrorCode, type Visibility } from '../../src/protocol/index.js';
import sharp from 'sharp';
import { SERVER_FEATURES } from '../src/pages/features.js';
import { newInviteCode } from '../src/pages/invites.js';
import { barrierAll, expectFailure, notifySettings, pageRowCounts, startServer, type Client, type Received, type TestServer } from './helpers.js';

type Role = 'owner' | 'editor' | 'follower' | 'visitor' | 'anonymous' | 'blocked' | 'moderator' | 'admin';
const ROLES: Role[] = ['owner', 'editor', 'follower', 'visitor', 'anonymous', 'blocked', 'moderator', 'admin'];
const VISIBILITIES: Visibility[] = ['public', 'members', 'private'];
/** The user id each role connects as (`moderator` is staff through its token). */
const USER: Record<Role, string | null> = { owner: 'owner', editor: 'editor', follower: 'follower', visitor: 'visitor', anonymous: null, blocked: 'blocked', moderator: 'moderator', admin: 'admin' };

/* --------------------------------------------------------------- SPEC section 3, as a table */

const isMember = (r: Role) => r === 'owner' || r === 'editor';
const isModerator = (r: Role) => isMember(r) || r === 'moderator' || r === 'admin';
/** SPEC 6.1: the settings panel belongs to the owner (and admins, who run pages for the hospital). */
const manages = (r: Role) => r === 'owner' || r === 'admin';
/** ... and editors read a summary of it. */
const readsSettings = (r: Role) => manages(r) || r === 'editor';
/** Who decides follow requests: the owner and staff admins. */
const decides = manages;
const signedIn = (r: Role) => r !== 'anonymous';
/** SPEC 6.2: who hears about a page, so may choose how: its approved followers and its members (not staff as such). */
const hearsAbout = (r: Role) => isMember(r) || r === 'follower';

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
  /** SPEC 6.3: a visible comment by `extra` on the entry, and one held for approval. */
  commentId: string;
  heldCommentId: string;
  secret: string;
  /** A follower invitation of the page (5 uses). */
  code: string;
  /** SPEC 6.3: an uploaded photo not yet in any entry (the seeded entry has another, alt text marked secret). */
  mediaId: string;
  /** SPEC 6.4: a task whose details (marked `taskSecret`) are for the family and its one volunteer, `extra`. */
  taskId: string;
  taskSecret: string;
}

interface Action {
  name: string;
  event: ClientEventName;
  payload(f: Fixture): Record<string, unknown>;
  allowed(r: Role, v: Visibility): boolean;
  /** Whether an allowed call is a change that takes the page's next `seq`. */
  changes: boolean | ((r: Role, v: Visibility) => boolean);
  /** A refusal's code for a signed-in caller, when it is not `forbidden`. */
  refusal?: (r: Role) => ErrorCode;
  /** An allowed call changes the page's visibility to this (the leak scan then holds the page to it). */
  makes?: Visibility;
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
  { name: 'follow:decide', event: 'follow:decide', payload: (f) => ({ pageId: f.pageId, userId: 'requester', approve: true }), allowed: decides, changes: true },
  { name: 'follow:remove', event: 'follow:remove', payload: (f) => ({ pageId: f.pageId, userId: 'extra' }), allowed: isModerator, changes: true },
  { name: 'follow:remove + block', event: 'follow:remove', payload: (f) => ({ pageId: f.pageId, userId: 'extra', block: true }), allowed: isModerator, changes: true },
  // SPEC 6.1 (features settings, invites).
  { name: 'page:settings', event: 'page:settings', payload: (f) => ({ pageId: f.pageId }), allowed: readsSettings, changes: false },
  { name: 'page:configure wallModeration', event: 'page:configure', payload: (f) => ({ pageId: f.pageId, wallModeration: 'pre' }), allowed: manages, changes: true },
  { name: 'page:configure private', event: 'page:configure', payload: (f) => ({ pageId: f.pageId, visibility: 'private' }), allowed: manages, changes: true, makes: 'private' },
  { name: 'member:remove', event: 'member:remove', payload: (f) => ({ pageId: f.pageId, userId: 'editor' }), allowed: manages, changes: false },
  { name: 'follow:unblock', event: 'follow:unblock', payload: (f) => ({ pageId: f.pageId, userId: 'blocked' }), allowed: manages, changes: false },
  { name: 'invite:create', event: 'invite:create', payload: (f) => ({ pageId: f.pageId, role: 'editor', expiresInHours: 24, maxUses: 1 }), allowed: manages, changes: false },
  { name: 'invite:revoke', event: 'invite:revoke', payload: (f) => ({ pageId: f.pageId, code: f.code }), allowed: manages, changes: false },
  {
    name: 'invite:accept',
    event: 'invite:accept',
    payload: (f) => ({ pageId: f.pageId, code: f.code }),
    // Any signed-in person but a blocked one (the block stands) and the owner (nothing to join).
    allowed: (r) => signedIn(r) && r !== 'blocked' && r !== 'owner',
    // Members and followers have the role already: nothing changes; the others now follow.
    changes: (r) => r === 'visitor' || r === 'moderator' || r === 'admin',
    refusal: (r) => (r === 'owner' ? 'conflict' : 'forbidden'),
  },
  // SPEC 6.2 (feature notify): choices belong to the page's followers and members, whatever its
  // visibility; browsers are registered per person, not per page.
  { name: 'notify:get', event: 'notify:get', payload: (f) => ({ pageId: f.pageId }), allowed: hearsAbout, changes: false },
  { name: 'notify:set', event: 'notify:set', payload: (f) => ({ pageId: f.pageId, email: 'daily', push: true }), allowed: hearsAbout, changes: false },
  { name: 'notify:set owner', event: 'notify:set', payload: (f) => ({ pageId: f.pageId, owner: { requests: 'instant' } }), allowed: isMember, changes: false },
  { name: 'push:subscribe', event: 'push:subscribe', payload: (f) => ({ subscription: { endpoint: `https://push.example/${f.secret}`, keys: { p256dh: `B${'p'.repeat(86)}`, auth: 'a'.repeat(22) } } }), allowed: signedIn, changes: false },
  { name: 'push:unsubscribe', event: 'push:unsubscribe', payload: (f) => ({ endpoint: `https://push.example/${f.secret}` }), allowed: signedIn, changes: false },
  // SPEC 6.3 (feature media): the seeded entry has a photo whose alt text is the page's secret;
  // its URLs go to readers only, made for each of them.
  { name: 'media:urls', event: 'media:urls', payload: (f) => ({ pageId: f.pageId, entryId: f.entryId }), allowed: reads, changes: false },
  {
    name: 'journal:post with a photo',
    event: 'journal:post',
    payload: (f) => ({ pageId: f.pageId, clientId: 'matrix-jm', title: `${f.secret}photo-title`, body: `${f.secret}photo-body`, media: [{ id: f.mediaId, alt: `${f.secret}photo-alt` }] }),
    allowed: isMember,
    changes: true,
  },
  {
    name: 'journal:edit photos',
    event: 'journal:edit',
    payload: (f) => ({ pageId: f.pageId, entryId: f.entryId, title: `${f.secret}edited`, body: `${f.secret}edited-body`, media: [{ id: f.mediaId, alt: `${f.secret}new-alt` }] }),
    allowed: isMember,
    changes: true,
  },
  // SPEC 6.3 (feature journal-social): hearts as on the wall; comments by the wall's rules.
  { name: 'journal:heart', event: 'journal:heart', payload: (f) => ({ pageId: f.pageId, entryId: f.entryId, on: true }), allowed: (r, v) => reads(r, v) && signedIn(r), changes: true },
  {
    name: 'journal:comment',
    event: 'journal:comment',
    payload: (f) => ({ pageId: f.pageId, entryId: f.entryId, clientId: 'matrix-c', body: `${f.secret}posted-comment` }),
    allowed: (r, v) => reads(r, v) && signedIn(r) && (isMember(r) || r === 'follower' || v !== 'private'),
    changes: true,
  },
  { name: 'journal:comment-delete (someone else’s)', event: 'journal:comment-delete', payload: (f) => ({ pageId: f.pageId, commentId: f.commentId }), allowed: isModerator, changes: true },
  { name: 'journal:comment-hide', event: 'journal:comment-hide', payload: (f) => ({ pageId: f.pageId, commentId: f.commentId, hidden: true }), allowed: isModerator, changes: true },
  { name: 'journal:comment-approve', event: 'journal:comment-approve', payload: (f) => ({ pageId: f.pageId, commentId: f.heldCommentId }), allowed: isModerator, changes: true },
  { name: 'history:load comments', event: 'history:load', payload: (f) => ({ pageId: f.pageId, stream: 'comments', entryId: f.entryId, before: Number.MAX_SAFE_INTEGER, limit: 50 }), allowed: reads, changes: false },
  // The entry is the owner's: only its author opens and closes its comments.
  { name: 'journal:edit comments', event: 'journal:edit', payload: (f) => ({ pageId: f.pageId, entryId: f.entryId, title: `${f.secret}t`, body: `${f.secret}b`, comments: false }), allowed: (r) => r === 'owner', changes: true },
  // SPEC 6.4 (feature planner): the family plans (owners, editors; staff are not family); every
  // signed-in reader may sign up. Details and a cancellation's note carry the task secret, which
  // only the family and the task's volunteers may ever receive (checked at the end).
  {
    name: 'task:create',
    event: 'task:create',
    payload: (f) => ({ pageId: f.pageId, clientId: 'matrix-t', task: { kind: 'meal', title: `${f.secret}task`, date: addDays(todayIn('UTC'), 3), slots: 2, details: `${f.secret}${f.taskSecret}new-details` } }),
    allowed: isMember,
    changes: true,
  },
  { name: 'task:update', event: 'task:update', payload: (f) => ({ pageId: f.pageId, taskId: f.taskId, title: `${f.secret}task-edited`, details: `${f.secret}${f.taskSecret}edited` }), allowed: isMember, changes: true },
  { name: 'task:cancel', event: 'task:cancel', payload: (f) => ({ pageId: f.pageId, taskId: f.taskId, note: `${f.secret}${f.taskSecret}note` }), allowed: isMember, changes: true },
  { name: 'task:signup', event: 'task:signup', payload: (f) => ({ pageId: f.pageId, taskId: f.taskId, on: true }), allowed: (r, v) => reads(r, v) && signedIn(r), changes: true },
  // Withdrawing from a task one never signed up for changes nothing.
  { name: 'task:signup false', event: 'task:signup', payload: (f) => ({ pageId: f.pageId, taskId: f.taskId, on: false }), allowed: (r, v) => reads(r, v) && signedIn(r), changes: false },
  { name: 'history:load tasks', event: 'history:load', payload: (f) => ({ pageId: f.pageId, stream: 'tasks', before: Number.MAX_SAFE_INTEGER, limit: 50 }), allowed: reads, changes: false },
];

/* ------------------------------------------------------------------------------- set-up */

let ts: TestServer;
const actors = {} as Record<Role, Client>;
let observers: { name: string; role: Role; user: string | null; client: Client }[];
/** Every socket, with the role whose reading rights it has, and its user. */
let everyone: { name: string; role: Role; user: string | null; client: Client }[];
/**
 * Per page: its visibility, its content marker, and whether its held message was released;
 * SPEC 6.4: its task's details marker and who signed up for the task (the only non-family
 * users who may receive it).
 */
const pages = new Map<string, { visibility: Visibility; secret: string; held: string; released: boolean; heldComment: string; commentReleased: boolean; taskSecret: string; volunteers: Set<string> }>();
let cell = 0;
/** A small PNG, uploaded into every fixture page (through the media service: no HTTP needed here). */
let photo: Buffer;

before(async () => {
  // Email and push available, so an allowed choice succeeds (nothing is sent here).
  ts = await startServer({ notify: notifySettings() });
  photo = await sharp({ create: { width: 8, height: 6, channels: 3, background: '#888' } }).png().toBuffer();
  for (const role of ROLES) actors[role] = await ts.connect(USER[role]);
  observers = [
    { name: 'observer owner', role: 'owner', user: 'owner', client: await ts.connect('owner') },
    { name: 'observer follower', role: 'follower', user: 'follower', client: await ts.connect('follower') },
    // A signed-in visitor: reads public and members pages, not private ones.
    { name: 'observer watcher', role: 'visitor', user: 'watcher', client: await ts.connect('watcher') },
  ];
  everyone = [...ROLES.map((role) => ({ name: role, role, user: USER[role], client: actors[role] })), ...observers];
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
  const code = newInviteCode();
  const at = new Date().toISOString();
  await s.createInvite({ code, id: `invite-${n}`, pageId, role: 'follower', expiresAt: new Date(Date.now() + 3_600_000).toISOString(), maxUses: 5, uses: 0, createdBy: 'owner', createdAt: at, revokedAt: null });
  const [, , { entry }, { message }, { message: pending }] = await Promise.all([
    s.setFollow(pageId, { id: 'blocked', name: 'Blocked' }, 'blocked'),
    s.setFollow(pageId, { id: 'requester', name: 'Requester' }, 'requested'),
    s.postJournal(pageId, { id: 'owner', name: 'Owner' }, 'seed-j', `${secret}journal-title`, `${secret}journal-body`),
    s.postWall(pageId, { id: 'extra', name: 'Extra' }, 'seed-w', `${secret}wall-body`, false),
    s.postWall(pageId, { id: 'extra', name: 'Extra' }, 'seed-p', `${secret}${held}held-body`, true),
  ]);
  const { comment } = await s.postComment(pageId, entry.id, { id: 'extra', name: 'Extra' }, 'seed-c', `${secret}comment-body`, false);
  const { comment: heldComment } = await s.postComment(pageId, entry.id, { id: 'extra', name: 'Extra' }, 'seed-hc', `${secret}HELDC-${n}-held-comment`, true);
  // SPEC 6.4: a task `extra` signed up for.
  const taskSecret = `TASKDETAILS-${n}-`;
  const taskDraft = { kind: 'ride' as const, title: `${secret}task-title`, date: addDays(todayIn('UTC'), 2), slots: 3, details: `${secret}${taskSecret}details` };
  const task = (await s.planner.createTasks(pageId, { id: 'owner', name: 'Owner' }, 'seed-t', taskDraft, [taskDraft.date], null)).tasks[0]!;
  await s.planner.signupTask(pageId, task.id, { id: 'extra', name: 'Extra' }, true);
  pages.set(pageId, { visibility, secret, held, released: false, heldComment: `HELDC-${n}-`, commentReleased: false, taskSecret, volunteers: new Set(['extra']) });
  // The seeded entry ('seed-j' of the owner) holds one photo; another waits to be posted.
  const media = ts.server.media!;
  const [seeded, spare] = await Promise.all([media.ingest(pageId, 'owner', photo), media.ingest(pageId, 'owner', photo)]);
  await media.claim(pageId, { authorId: 'owner', clientId: 'seed-j' }, [{ id: seeded.id, alt: `${secret}alt` }]);
  return { pageId, entryId: entry.id, messageId: message.id, pendingId: pending.id, commentId: comment.id, heldCommentId: heldComment.id, secret, code, mediaId: spare.id, taskId: task.id, taskSecret };
}

const seqOf = async (pageId: string) => (await ts.storage.getPage(pageId))!.seq;

/* ------------------------------------------------------------------------------ the matrix */

describe('privacy matrix', () => {
  it('covers every client event that touches a page', () => {
    const covered = new Set(ACTIONS.map((a) => a.event));
    // `media:urls` comes with the `media` feature (its rows with it, from the media server's branch).
    const served = CLIENT_EVENTS.filter((e) => e !== 'media:urls' || (SERVER_FEATURES as readonly string[]).includes('media'));
    const missing = served.filter((e) => e !== 'session:refresh' && !covered.has(e));
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
            if (!isModerator(role)) assert.ok(!said.includes(pages.get(f.pageId)!.held) && !said.includes(pages.get(f.pageId)!.heldComment), 'a held message or comment in the answer');
            // A task's details: in the answer to the family, and to whoever just signed up.
            const volunteering = action.name === 'task:signup' && allowed;
            if (!isMember(role) && !volunteering) assert.ok(!said.includes(f.taskSecret), `a task's details in the answer: ${said.slice(0, 200)}`);
            else if (action.name === 'history:load tasks' || volunteering) assert.ok(said.includes(f.taskSecret), 'the family and the volunteer do see the details');
            else if (action.name === 'history:load wall') assert.ok(said.includes(pages.get(f.pageId)!.held), 'moderators do see held messages');
            else if (action.name === 'history:load comments') assert.ok(said.includes(pages.get(f.pageId)!.heldComment), 'moderators do see held comments');

            if (action.event === 'page:subscribe') {
              // Always answered; what it carries depends on the right to read.
              assert.equal(answer.ok, true, JSON.stringify(answer));
              if (reads(role, visibility)) {
                assert.equal(answer.access, 'read');
              } else {
                assert.equal(answer.access, 'none');
                assert.deepEqual(Object.keys(answer.page as object).sort(), ['features', 'followerCount', 'id', 'visibility'], 'a teaser only (and the server-wide features)');
                assert.ok(!JSON.stringify(answer).includes(f.secret), 'no content in the answer');
                assert.ok(!('seq' in answer) && !('snapshot' in answer) && !('events' in answer));
              }
              return;
            }
            if (allowed) {
              assert.equal(answer.ok, true, `${role} ${action.name} on a ${visibility} page should succeed: ${JSON.stringify(answer)}`);
              if (action.event === 'wall:approve') pages.get(f.pageId)!.released = true;
              if (action.event === 'journal:comment-approve') pages.get(f.pageId)!.commentReleased = true;
              if (action.makes) pages.get(f.pageId)!.visibility = action.makes;
              if (volunteering) pages.get(f.pageId)!.volunteers.add(USER[role]!);
              const changes = typeof action.changes === 'function' ? action.changes(role, visibility) : action.changes;
              if (changes) assert.ok((await seqOf(f.pageId)) > seqBefore, 'the change took a seq');
              else assert.equal(await seqOf(f.pageId), seqBefore, 'nothing changed');
              return;
            }
            expectFailure(answer, signedIn(role) ? (action.refusal?.(role) ?? 'forbidden') : 'unauthorized', `${role} ${action.name} on a ${visibility} page`);
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
    let taskEvents = 0;
    for (const { name, role, user, client } of everyone) {
      for (const r of client.received) {
        checked++;
        const text = JSON.stringify(r.data);
        if (text.includes('SECRET-')) content++;
        const d = (r.data ?? {}) as { pageId?: string; seq?: number; message?: { hidden?: boolean; pending?: boolean }; comment?: { hidden?: boolean; pending?: boolean } };
        for (const [pageId, p] of pages) {
          const readable = reads(role, p.visibility);
          const about = d.pageId === pageId;
          if (!readable && about && !bare(r)) leaks.push(`${name} got ${r.event} of a ${p.visibility} page it may not read: ${text.slice(0, 200)}`);
          if (!readable && text.includes(p.secret)) leaks.push(`${name} got content of a ${p.visibility} page it may not read in ${r.event}`);
          // A message held for approval reaches moderators (and its author) only, until released.
          if (!isModerator(role) && !p.released && text.includes(p.held)) leaks.push(`${name} got a held message in ${r.event}`);
          if (!isModerator(role) && !p.commentReleased && text.includes(p.heldComment)) leaks.push(`${name} got a held comment in ${r.event}`);
          // SPEC 6.4: a task's details and a cancellation's note: the family and the task's volunteers only.
          if (!isMember(role) && !(user !== null && p.volunteers.has(user)) && text.includes(p.taskSecret)) leaks.push(`${name} got a task's details or note in ${r.event}`);
        }
        if (r.event === 'follow:request' && !decides(role)) leaks.push(`${name} got a follow request`);
        if (r.event === 'settings:changed' && !readsSettings(role)) leaks.push(`${name} got settings:changed`);
        if (r.event === 'settings:changed' && Object.keys(d).join() !== 'pageId') leaks.push(`settings:changed carries more than the page id: ${text}`);
        if (r.event === 'wall:message' && !isModerator(role) && (d.message?.hidden || d.message?.pending)) leaks.push(`${name} got a hidden or held message`);
        if (r.event === 'journal:comment' && !isModerator(role) && (d.comment?.hidden || d.comment?.pending)) leaks.push(`${name} got a hidden or held comment`);
        if (r.event === 'task:changed' || r.event === 'task:removed') taskEvents++;
      }
    }
    // The check has something to look at: readers did receive pages' content live.
    assert.ok(checked > 200 && content > 100, `events were recorded (${checked}, ${content} with content)`);
    assert.ok(taskEvents > 50, `task events were recorded (${taskEvents})`);
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
