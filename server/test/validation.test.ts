/**
 * Bad input: a table of malformed payloads for every client event. Each answers `invalid`
 * or `too_large`, changes nothing, and the server serves the next good request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addDays, CLIENT_EVENTS, LIMITS, todayIn, type ClientEventName, type ErrorCode } from '../../src/protocol/index.js';
import { SERVER_FEATURES } from '../src/pages/features.js';
import { callWithin, expectFailure, notifySettings, startServer, type Client, type TestServer } from './helpers.js';

let ts: TestServer;
let owner: Client;
let visitor: Client;
let pageId: string;
let entryId: string;
let messageId: string;
let pendingId: string;
let commentId: string;
let pendingCommentId: string;
let visitorToken: string;
let revokeCode: string;
let acceptCode: string;
let taskId: string;
/** SPEC 6.4: task dates relative to the hospital's today (the test server's zone is UTC). */
const inDays = (n: number) => addDays(todayIn('UTC'), n);

before(async () => {
  // With SMTP and VAPID set, so every notify and push call has a valid form (nothing is sent).
  ts = await startServer({ notify: notifySettings() });
  owner = await ts.connect('owner');
  visitor = await ts.connect('visitor');
  pageId = await ts.page({ visibility: 'private', followers: ['follower', 'visitor'] });
  entryId = (await ts.storage.postJournal(pageId, { id: 'owner', name: 'Owner' }, 'v-j', 'Entry', 'Body')).entry.id;
  messageId = (await ts.storage.postWall(pageId, { id: 'follower', name: 'F' }, 'v-w', 'Message', false)).message.id;
  pendingId = (await ts.storage.postWall(pageId, { id: 'follower', name: 'F' }, 'v-p', 'Pending message', true)).message.id;
  commentId = (await ts.storage.postComment(pageId, entryId, { id: 'follower', name: 'F' }, 'v-c', 'Comment', false)).comment.id;
  pendingCommentId = (await ts.storage.postComment(pageId, entryId, { id: 'follower', name: 'F' }, 'v-pc', 'Pending comment', true)).comment.id;
  await ts.storage.setFollow(pageId, { id: 'requester', name: 'R' }, 'requested');
  visitorToken = await ts.token('visitor');
  await ts.storage.setFollow(pageId, { id: 'blocked-user', name: 'B' }, 'blocked');
  revokeCode = (await owner.ok('invite:create', { pageId, role: 'follower', expiresInHours: 24, maxUses: 1 })).invite.code;
  acceptCode = (await owner.ok('invite:create', { pageId, role: 'follower', expiresInHours: 24, maxUses: 5 })).invite.code;
  // SPEC 6.4: a task from 10:00 to 12:00 in three days.
  const draft = { kind: 'meal' as const, title: 'Dinner', date: inDays(3), start: '10:00', end: '12:00', slots: 2, details: 'Door code 1234' };
  taskId = (await ts.storage.planner.createTasks(pageId, { id: 'owner', name: 'Owner' }, 'v-t', draft, [draft.date], null)).tasks[0]!.id;
});
after(async () => {
  await ts.close();
});

/** A valid payload per event, and who sends it (someone allowed to, so only the shape can fail). */
const valid: Record<ClientEventName, () => { as: () => Client; payload: Record<string, unknown> }> = {
  'page:subscribe': () => ({ as: () => owner, payload: { pageId, since: 0 } }),
  'page:unsubscribe': () => ({ as: () => owner, payload: { pageId } }),
  'journal:post': () => ({ as: () => owner, payload: { pageId, clientId: 'valid-post', title: 'Title', body: 'Body' } }),
  'journal:edit': () => ({ as: () => owner, payload: { pageId, entryId, title: 'Title', body: 'Body' } }),
  'journal:delete': () => ({ as: () => owner, payload: { pageId, entryId } }),
  'wall:post': () => ({ as: () => owner, payload: { pageId, clientId: 'valid-wall', body: 'Body' } }),
  'wall:heart': () => ({ as: () => owner, payload: { pageId, messageId, on: true } }),
  'wall:hide': () => ({ as: () => owner, payload: { pageId, messageId, hidden: true } }),
  'wall:delete': () => ({ as: () => owner, payload: { pageId, messageId } }),
  'wall:approve': () => ({ as: () => owner, payload: { pageId, messageId: pendingId } }),
  'follow:set': () => ({ as: () => visitor, payload: { pageId, follow: false } }),
  'follow:decide': () => ({ as: () => owner, payload: { pageId, userId: 'requester', approve: true } }),
  'follow:remove': () => ({ as: () => owner, payload: { pageId, userId: 'follower', block: false } }),
  'history:load': () => ({ as: () => owner, payload: { pageId, stream: 'journal', before: 100, limit: 5 } }),
  'session:refresh': () => ({ as: () => visitor, payload: { token: visitorToken } }),
  'page:settings': () => ({ as: () => owner, payload: { pageId } }),
  // Either field alone is a valid call; without the other, a missing one leaves nothing to change.
  'page:configure': () => ({ as: () => owner, payload: { pageId, wallModeration: 'post' } }),
  'member:remove': () => ({ as: () => owner, payload: { pageId, userId: 'editor' } }),
  'follow:unblock': () => ({ as: () => owner, payload: { pageId, userId: 'blocked-user' } }),
  'invite:create': () => ({ as: () => owner, payload: { pageId, role: 'editor', expiresInHours: 1, maxUses: 1 } }),
  'invite:revoke': () => ({ as: () => owner, payload: { pageId, code: revokeCode } }),
  // The visitor follows already: accepting is valid and changes nothing (the bad cases' state check).
  'invite:accept': () => ({ as: () => visitor, payload: { pageId, code: acceptCode } }),
  // SPEC 6.2: the visitor follows the page, so may choose.
  'notify:get': () => ({ as: () => visitor, payload: { pageId } }),
  'notify:set': () => ({ as: () => visitor, payload: { pageId, email: 'daily' } }),
  'push:subscribe': () => ({ as: () => visitor, payload: { subscription: pushSubscription() } }),
  'push:unsubscribe': () => ({ as: () => visitor, payload: { endpoint: pushSubscription().endpoint } }),
  // SPEC 6.3.
  'journal:heart': () => ({ as: () => owner, payload: { pageId, entryId, on: true } }),
  'journal:comment': () => ({ as: () => visitor, payload: { pageId, entryId, clientId: 'valid-comment', body: 'Body' } }),
  'journal:comment-delete': () => ({ as: () => owner, payload: { pageId, commentId } }),
  'journal:comment-hide': () => ({ as: () => owner, payload: { pageId, commentId, hidden: true } }),
  'journal:comment-approve': () => ({ as: () => owner, payload: { pageId, commentId: pendingCommentId } }),
  'media:urls': () => ({ as: () => owner, payload: { pageId, entryId } }),
  // SPEC 6.4: the visitor follows the page, so may sign up.
  'task:create': () => ({ as: () => owner, payload: { pageId, clientId: 'valid-task', task: { kind: 'ride', title: 'Ride', date: inDays(5), start: '09:00', end: '10:30', slots: 1, details: 'Clinic' } } }),
  'task:update': () => ({ as: () => owner, payload: { pageId, taskId, slots: 3 } }),
  'task:cancel': () => ({ as: () => owner, payload: { pageId, taskId } }),
  'task:signup': () => ({ as: () => visitor, payload: { pageId, taskId, on: true } }),
};
/** The events this server answers: a feature's events are tested once the server has it (`media:urls` comes with `media`). */
const EVENTS = CLIENT_EVENTS.filter((e) => e !== 'media:urls' || (SERVER_FEATURES as readonly string[]).includes('media'));
/** A browser's subscription as `PushSubscription.toJSON()` gives it (keys base64url). */
const pushSubscription = () => ({ endpoint: 'https://push.example/send/abc', expirationTime: null, keys: { p256dh: `B${'p'.repeat(86)}`, auth: 'a'.repeat(22) } });
const OPTIONAL = new Set(['since', 'block']);
const STRING_KEYS = new Set(['pageId', 'clientId', 'title', 'body', 'entryId', 'messageId', 'commentId', 'taskId', 'userId', 'stream', 'token', 'code', 'role', 'visibility', 'wallModeration', 'email', 'endpoint']);

interface BadCase {
  name: string;
  /** The call's arguments before the acknowledgement. */
  args: () => unknown[];
  code: ErrorCode;
  /** What the message must say, where its wording matters to an integrator fixing the call. */
  message?: RegExp;
}

const long = (n: number) => 'x'.repeat(n);

function casesFor(event: ClientEventName): BadCase[] {
  const base = () => valid[event]().payload;
  const keys = Object.keys(base());
  const with_ = (patch: Record<string, unknown>) => () => [{ ...base(), ...patch }];
  const cases: BadCase[] = [
    { name: 'a string payload', args: () => ['hello'], code: 'invalid' },
    { name: 'a number payload', args: () => [42], code: 'invalid' },
    { name: 'a boolean payload', args: () => [true], code: 'invalid' },
    { name: 'a null payload', args: () => [null], code: 'invalid' },
    { name: 'an array payload', args: () => [[base()]], code: 'invalid' },
    { name: 'an empty object', args: () => [{}], code: 'invalid' },
    { name: 'no payload, only the ack', args: () => [], code: 'invalid' },
    { name: 'an extra argument', args: () => [base(), 'extra'], code: 'invalid' },
    { name: 'an unknown key', args: with_({ isAdmin: true }), code: 'invalid' },
    { name: '__proto__ key (JSON text)', args: () => [JSON.parse(JSON.stringify(base()).replace(/^\{/, '{"__proto__":{"polluted":true},'))], code: 'invalid' },
    { name: 'constructor key (JSON text)', args: () => [JSON.parse(JSON.stringify(base()).replace(/^\{/, '{"constructor":{"prototype":{"polluted":true}},'))], code: 'invalid' },
    { name: 'prototype key', args: with_({ prototype: { polluted: true } }), code: 'invalid' },
  ];
  // The table is built before the fixtures exist: values are read when a case runs.
  const wrongType = (value: unknown) => (typeof value === 'string' ? 42 : typeof value === 'number' ? String(value) : 'true');
  for (const key of keys) {
    if (!OPTIONAL.has(key)) {
      cases.push({ name: `missing ${key}`, args: () => { const p = base(); delete p[key]; return [p]; }, code: 'invalid' });
    }
    cases.push({ name: `${key} of the wrong type`, args: () => [{ ...base(), [key]: wrongType(base()[key]) }], code: 'invalid' });
    cases.push({ name: `${key} as an object`, args: with_({ [key]: { toString: 'x' } }), code: 'invalid' });
    cases.push({ name: `${key} null`, args: with_({ [key]: null }), code: 'invalid' });
    if (STRING_KEYS.has(key)) cases.push({ name: `${key} empty`, args: with_({ [key]: '' }), code: 'invalid' });
  }
  if (keys.includes('pageId')) {
    cases.push({ name: 'pageId with a path', args: with_({ pageId: '../etc/passwd' }), code: 'invalid' });
    cases.push({ name: 'pageId too long', args: with_({ pageId: long(129) }), code: 'invalid' });
  }
  if (keys.includes('title')) {
    cases.push({ name: 'title over 200 characters', args: with_({ title: long(LIMITS.titleMax + 1) }), code: 'too_large' });
    cases.push({ name: 'title of only white space', args: with_({ title: '  \n\t ' }), code: 'invalid' });
  }
  if (keys.includes('body')) {
    const max = event === 'wall:post' ? LIMITS.wallBodyMax : event === 'journal:comment' ? LIMITS.commentBodyMax : LIMITS.journalBodyMax;
    cases.push({ name: `body over ${max} characters`, args: with_({ body: long(max + 1) }), code: 'too_large' });
    cases.push({ name: 'body of only white space', args: with_({ body: '   ' }), code: 'invalid' });
  }
  if (keys.includes('clientId')) {
    cases.push({ name: 'clientId over 64 characters', args: with_({ clientId: long(LIMITS.clientIdMax + 1) }), code: 'too_large' });
    cases.push({ name: 'clientId with spaces', args: with_({ clientId: 'a b' }), code: 'invalid' });
  }
  for (const key of ['entryId', 'messageId', 'commentId', 'taskId', 'userId'] as const) {
    if (keys.includes(key)) cases.push({ name: `${key} over 128 characters`, args: with_({ [key]: long(LIMITS.idMax + 1) }), code: 'too_large' });
  }
  if (event === 'page:subscribe') {
    cases.push({ name: 'negative since', args: with_({ since: -1 }), code: 'invalid' });
    cases.push({ name: 'non-integer since', args: with_({ since: 1.5 }), code: 'invalid' });
    cases.push({ name: 'NaN since (null on the wire)', args: with_({ since: Number.NaN }), code: 'invalid' });
    cases.push({ name: 'since beyond a safe integer', args: with_({ since: 2 ** 60 }), code: 'invalid' });
  }
  if (event === 'history:load') {
    cases.push({ name: 'negative before', args: with_({ before: -5 }), code: 'invalid' });
    cases.push({ name: 'non-integer before', args: with_({ before: 2.5 }), code: 'invalid' });
    cases.push({ name: 'limit 0', args: with_({ limit: 0 }), code: 'invalid' });
    cases.push({ name: 'limit over the maximum', args: with_({ limit: LIMITS.historyLimitMax + 1 }), code: 'invalid' });
    cases.push({ name: 'non-integer limit', args: with_({ limit: 1.5 }), code: 'invalid' });
    cases.push({ name: 'unknown stream', args: with_({ stream: 'secrets' }), code: 'invalid' });
    cases.push({ name: 'stream comments without entryId', args: with_({ stream: 'comments' }), code: 'invalid', message: /^entryId: entryId is required with stream "comments"/ });
    cases.push({ name: 'entryId with stream journal', args: () => [{ ...base(), entryId }], code: 'invalid' });
    cases.push({ name: 'stream comments of no such entry', args: with_({ stream: 'comments', entryId: 'no-such-entry' }), code: 'not_found' });
  }
  if (event === 'journal:edit') {
    cases.push({ name: 'comments as a string', args: with_({ comments: 'false' }), code: 'invalid' });
  }
  if (keys.includes('code')) {
    cases.push({ name: 'code under 16 characters', args: with_({ code: 'abcDEF0123456_-' }), code: 'invalid' });
    cases.push({ name: 'code over 64 characters', args: with_({ code: long(65) }), code: 'too_large' });
    cases.push({ name: 'code with padding', args: () => [{ ...base(), code: `${String(base().code)}==` }], code: 'invalid' });
    cases.push({ name: 'code in base64 (+ and /)', args: with_({ code: 'abcd+efgh/ijklmnopqrstu' }), code: 'invalid' });
  }
  if (event === 'invite:create') {
    cases.push({ name: 'unknown role', args: with_({ role: 'owner' }), code: 'invalid' });
    for (const [key, bad] of [['expiresInHours', 0], ['expiresInHours', 721], ['expiresInHours', 1.5], ['maxUses', 0], ['maxUses', 101], ['maxUses', -1]] as const) {
      cases.push({ name: `${key} ${bad}`, args: with_({ [key]: bad }), code: 'invalid' });
    }
  }
  if (event === 'page:configure') {
    cases.push({ name: 'neither visibility nor wallModeration', args: () => [{ pageId }], code: 'invalid' });
    cases.push({ name: 'unknown visibility', args: with_({ visibility: 'secret' }), code: 'invalid' });
    cases.push({ name: 'unknown wallModeration', args: with_({ wallModeration: 'none' }), code: 'invalid' });
    cases.push({ name: 'a title (REST only)', args: with_({ title: 'New title' }), code: 'invalid' });
  }
  if (event === 'notify:set') {
    cases.push({ name: 'nothing to change (pageId only)', args: () => [{ pageId }], code: 'invalid' });
    cases.push({ name: 'unknown email mode', args: with_({ email: 'weekly' }), code: 'invalid' });
    cases.push({ name: 'push as a string', args: with_({ push: 'true' }), code: 'invalid' });
    cases.push({ name: 'owner with an unknown key', args: with_({ owner: { requests: 'instant', everything: 'instant' } }), code: 'invalid' });
    cases.push({ name: 'owner requests daily (instant or off only)', args: with_({ owner: { requests: 'daily' } }), code: 'invalid' });
    cases.push({ name: 'owner messages instant (daily or off only)', args: with_({ owner: { messages: 'instant' } }), code: 'invalid' });
    cases.push({ name: 'an address in the payload (only the token gives one)', args: with_({ address: 'someone@example.org' }), code: 'invalid' });
  }
  if (event === 'push:subscribe') {
    const sub = (patch: Record<string, unknown>) => () => [{ subscription: { ...pushSubscription(), ...patch } }];
    const keys = (patch: Record<string, unknown>) => sub({ keys: { ...pushSubscription().keys, ...patch } });
    const notHttps = /^subscription\.endpoint: must be an https:\/\/ URL/;
    cases.push({ name: 'a plain-HTTP endpoint', args: sub({ endpoint: 'http://push.example/send/abc' }), code: 'invalid', message: notHttps });
    cases.push({ name: 'an endpoint that is no URL', args: sub({ endpoint: 'push.example' }), code: 'invalid', message: notHttps });
    cases.push({ name: 'a javascript: endpoint', args: sub({ endpoint: 'javascript:alert(1)' }), code: 'invalid', message: notHttps });
    cases.push({ name: 'an endpoint over 2048 characters', args: sub({ endpoint: `https://push.example/${long(2040)}` }), code: 'too_large', message: /^subscription\.endpoint is longer than 2048 characters\.$/ });
    cases.push({ name: 'an endpoint on no known push service', args: sub({ endpoint: 'https://intranet.example/admin' }), code: 'invalid', message: /^subscription\.endpoint intranet\.example is not a known push service\.$/ });
    cases.push({ name: 'an endpoint at an IP address', args: sub({ endpoint: 'https://10.0.0.7/admin' }), code: 'invalid', message: /^subscription\.endpoint must name its push service by host name, not by IP address\.$/ });
    cases.push({ name: 'no keys', args: () => [{ subscription: { endpoint: pushSubscription().endpoint } }], code: 'invalid' });
    cases.push({ name: 'no auth key', args: sub({ keys: { p256dh: pushSubscription().keys.p256dh } }), code: 'invalid' });
    cases.push({ name: 'a p256dh key too short', args: keys({ p256dh: 'B123' }), code: 'invalid', message: /^subscription\.keys\.p256dh: must be the browser's P-256 public key/ });
    cases.push({ name: 'a p256dh key too long', args: keys({ p256dh: `B${'p'.repeat(120)}` }), code: 'invalid', message: /^subscription\.keys\.p256dh: must be the browser's P-256 public key/ });
    cases.push({ name: 'an auth key not base64url', args: keys({ auth: 'a+b/'.repeat(6) }), code: 'invalid', message: /^subscription\.keys\.auth: must be the browser's auth secret/ });
    cases.push({ name: 'an unknown key in the subscription', args: sub({ userId: 'someone-else' }), code: 'invalid' });
    cases.push({ name: 'expirationTime as a string', args: sub({ expirationTime: 'soon' }), code: 'invalid' });
  }
  if (event === 'push:unsubscribe') {
    cases.push({ name: 'endpoint over 2048 characters', args: with_({ endpoint: long(2049) }), code: 'too_large', message: /^endpoint is longer than 2048 characters\.$/ });
  }
  if (event === 'task:create') {
    const task = (patch: Record<string, unknown>) => () => {
      const p = base() as { task: Record<string, unknown> };
      return [{ ...p, task: { ...p.task, ...patch } }];
    };
    const repeat = (r: unknown) => () => [{ ...base(), repeat: r }];
    cases.push({ name: 'a date that does not exist (2026-02-30)', args: task({ date: '2026-02-30' }), code: 'invalid', message: /^task\.date: must be a date written YYYY-MM-DD/ });
    cases.push({ name: 'a date written otherwise (5/12/2026)', args: task({ date: '5/12/2026' }), code: 'invalid' });
    cases.push({ name: 'a date in the past (yesterday in the hospital)', args: task({ date: inDays(-1) }), code: 'invalid', message: /^task\.date: .* is in the past/ });
    cases.push({ name: 'a date more than 730 days ahead', args: task({ date: inDays(LIMITS.taskDaysAheadMax + 1) }), code: 'invalid' });
    cases.push({ name: 'end before start', args: task({ start: '10:00', end: '09:59' }), code: 'invalid', message: /^task\.end: end needs a start and must be after it/ });
    cases.push({ name: 'end equal to start', args: task({ start: '10:00', end: '10:00' }), code: 'invalid' });
    cases.push({ name: 'end without start', args: () => { const p = base() as { task: Record<string, unknown> }; const { start: _s, ...t } = p.task; return [{ ...p, task: t }]; }, code: 'invalid' });
    cases.push({ name: 'a time 24:00', args: task({ start: '24:00', end: undefined }), code: 'invalid' });
    cases.push({ name: 'slots 0', args: task({ slots: 0 }), code: 'invalid' });
    cases.push({ name: 'slots 21', args: task({ slots: LIMITS.taskSlotsMax + 1 }), code: 'invalid' });
    cases.push({ name: 'slots 1.5', args: task({ slots: 1.5 }), code: 'invalid' });
    cases.push({ name: 'an unknown kind', args: task({ kind: 'party' }), code: 'invalid' });
    cases.push({ name: 'a title over 200 characters', args: task({ title: long(LIMITS.taskTitleMax + 1) }), code: 'too_large' });
    cases.push({ name: 'a title of only white space', args: task({ title: '   ' }), code: 'invalid' });
    cases.push({ name: 'details over 2,000 characters', args: task({ details: long(LIMITS.taskDetailsMax + 1) }), code: 'too_large' });
    cases.push({ name: 'an unknown key in the task', args: task({ volunteers: [{ id: 'x', name: 'X' }] }), code: 'invalid' });
    cases.push({ name: 'repeat every month', args: repeat({ every: 'month', until: inDays(30) }), code: 'invalid' });
    cases.push({ name: 'repeat until before the date', args: repeat({ every: 'day', until: inDays(4) }), code: 'invalid' });
    cases.push({ name: 'repeat until 181 days after the date', args: repeat({ every: 'week', until: inDays(5 + LIMITS.taskRepeatDaysMax + 1) }), code: 'invalid' });
    cases.push({ name: 'repeat with an unknown key', args: repeat({ every: 'day', until: inDays(9), count: 3 }), code: 'invalid' });
  }
  if (event === 'task:update') {
    cases.push({ name: 'nothing to change', args: () => [{ pageId, taskId }], code: 'invalid' });
    cases.push({ name: 'a date that does not exist (2026-02-30)', args: with_({ date: '2026-02-30' }), code: 'invalid' });
    cases.push({ name: 'a date in the past', args: with_({ date: inDays(-1) }), code: 'invalid' });
    cases.push({ name: 'end before start (both given)', args: with_({ start: '11:00', end: '10:00' }), code: 'invalid' });
    cases.push({ name: 'end before the stored start', args: with_({ end: '09:00' }), code: 'invalid', message: /^end: end needs a start/ });
    cases.push({ name: 'start after the stored end', args: with_({ start: '12:30' }), code: 'invalid' });
    cases.push({ name: 'slots 0', args: with_({ slots: 0 }), code: 'invalid' });
    cases.push({ name: 'slots 21', args: with_({ slots: LIMITS.taskSlotsMax + 1 }), code: 'invalid' });
    cases.push({ name: 'a title over 200 characters', args: with_({ title: long(LIMITS.taskTitleMax + 1) }), code: 'too_large' });
    cases.push({ name: 'details over 2,000 characters', args: with_({ details: long(LIMITS.taskDetailsMax + 1) }), code: 'too_large' });
    cases.push({ name: 'volunteers (not the family\'s to set)', args: with_({ volunteers: [] }), code: 'invalid' });
    cases.push({ name: 'no such task', args: with_({ taskId: 'no-such-task' }), code: 'not_found' });
  }
  if (event === 'task:cancel') {
    cases.push({ name: 'a note over 500 characters', args: with_({ note: long(LIMITS.cancelNoteMax + 1) }), code: 'too_large' });
    cases.push({ name: 'no such task', args: with_({ taskId: 'no-such-task' }), code: 'not_found' });
  }
  if (event === 'task:signup') {
    cases.push({ name: 'on as a string', args: with_({ on: 'yes' }), code: 'invalid' });
    cases.push({ name: 'no such task', args: with_({ taskId: 'no-such-task' }), code: 'not_found' });
  }
  if (event === 'history:load') {
    cases.push({ name: 'stream tasks with an entryId', args: () => [{ ...base(), stream: 'tasks', entryId }], code: 'invalid' });
  }
  if (event === 'session:refresh') {
    cases.push({ name: 'token over 8192 characters', args: with_({ token: long(8193) }), code: 'too_large' });
  }
  return cases;
}

/** Everything that a bad call must not change. */
async function state() {
  const page = await ts.storage.getPage(pageId);
  const exported = await ts.storage.exportPage(pageId);
  // SPEC 6.2's rows too: a refused choice or browser registration stores nothing.
  const notify = await Promise.all([ts.db.selectFrom('notify_prefs').selectAll().execute(), ts.db.selectFrom('notify_users').selectAll().execute(), ts.db.selectFrom('push_subscriptions').selectAll().execute()]);
  return { seq: page!.seq, data: JSON.stringify({ ...exported, page: { ...exported!.page, updatedAt: null } }), notify: JSON.stringify(notify) };
}

describe('malformed payloads', () => {
  for (const event of EVENTS) {
    describe(event, () => {
      for (const c of casesFor(event)) {
        it(`${c.name} → ${c.code}`, async () => {
          const client = valid[event]().as();
          const beforeState = await state();
          const failure = expectFailure(await client.raw(event, ...c.args()), c.code, `${event} with ${c.name}`);
          if (c.message) assert.match(failure.error.message, c.message);
          assert.deepEqual(await state(), beforeState, 'a refused call changes nothing');
          // The server still serves a good request on the same connection.
          const good = await client.call('history:load', { pageId, stream: 'wall', before: 1_000, limit: 1 });
          assert.equal(good.ok, true);
          assert.equal(client.socket.connected, true);
        });
      }
    });
  }

  it('every base payload of the table is itself valid (so each case fails for its one defect)', async () => {
    // Run last, in an order where each call still finds what it needs.
    const order: ClientEventName[] = [
      ...['page:subscribe', 'page:unsubscribe', 'history:load', 'session:refresh', 'page:settings', 'page:configure', 'invite:create', 'invite:revoke', 'invite:accept', 'notify:get', 'notify:set', 'push:subscribe', 'push:unsubscribe', 'follow:unblock', 'member:remove', 'journal:post', 'journal:edit'] as const,
      ...(EVENTS.includes('media:urls') ? (['media:urls'] as const) : []),
      ...['journal:heart', 'journal:comment', 'journal:comment-hide', 'journal:comment-approve', 'journal:comment-delete', 'wall:post', 'wall:heart', 'wall:hide', 'wall:approve'] as const,
      // The visitor signs up while they still follow; the task is cancelled last.
      ...['task:create', 'task:update', 'task:signup', 'task:cancel'] as const,
      // The visitor comments (above) before unfollowing here.
      ...['follow:set', 'follow:decide', 'follow:remove', 'wall:delete', 'journal:delete'] as const,
    ];
    assert.deepEqual([...order].sort(), [...EVENTS].sort());
    for (const event of order) {
      const { as, payload } = valid[event]();
      const r = (await as().raw(event, payload)) as { ok: boolean };
      assert.equal(r.ok, true, `${event} ${JSON.stringify(payload)} → ${JSON.stringify(r)}`);
    }
  });
});

describe('limits are inclusive', () => {
  it('a title of exactly 200 and bodies of exactly 20,000 / 2,000 characters are accepted', async () => {
    const id = await ts.page({ visibility: 'public' });
    const j = await owner.ok('journal:post', { pageId: id, clientId: 'max-j', title: long(LIMITS.titleMax), body: long(LIMITS.journalBodyMax) });
    assert.equal(j.entry.body.length, LIMITS.journalBodyMax);
    const w = await owner.ok('wall:post', { pageId: id, clientId: 'max-w', body: long(LIMITS.wallBodyMax) });
    assert.equal(w.message.body.length, LIMITS.wallBodyMax);
    // Limits count characters (code points), not UTF-16 units: 20,000 four-byte characters
    // are accepted and fit in one frame; one more is too large.
    const flowers = await owner.ok('journal:post', { pageId: id, clientId: 'emoji', title: 't', body: '\u{1F490}'.repeat(LIMITS.journalBodyMax) });
    assert.equal([...flowers.entry.body].length, LIMITS.journalBodyMax);
    await owner.fails('journal:post', { pageId: id, clientId: 'emoji-2', title: 't', body: '\u{1F490}'.repeat(LIMITS.journalBodyMax + 1) }, 'too_large');
  });
});

describe('calls without an acknowledgement and oversized frames', () => {
  it('a call without an ack is ignored and changes nothing; the next call is served', async () => {
    const before = await state();
    const untyped = owner.socket as unknown as { emit: (...a: unknown[]) => void };
    untyped.emit('journal:post', { pageId, clientId: 'no-ack', title: 'No ack', body: 'x' });
    untyped.emit('wall:post', 'garbage');
    untyped.emit('page:subscribe');
    const good = await owner.call('history:load', { pageId, stream: 'journal', before: 1_000, limit: 100 });
    assert.equal(good.ok, true);
    assert.deepEqual(await state(), before);
  });

  it('an unknown event is ignored and the connection keeps working', async () => {
    await assert.rejects(callWithin(300, owner.socket, 'admin:drop-tables', {}), 'an unknown event gets no answer');
    assert.equal((await owner.call('page:unsubscribe', { pageId: 'x' })).ok, true);
  });

  it('a frame over the message size limit drops only that connection', async () => {
    const big = await ts.connect('owner');
    const gone = new Promise<string>((resolve) => big.socket.once('disconnect', (reason) => resolve(reason)));
    big.socket.emit('journal:post', { pageId, clientId: 'huge', title: 't', body: long(300_000) }, () => assert.fail('no answer to an oversized frame'));
    await gone;
    assert.equal((await owner.call('history:load', { pageId, stream: 'journal', before: 1_000, limit: 1 })).ok, true);
    const fresh = await ts.connect('visitor');
    assert.equal((await fresh.call('page:subscribe', { pageId })).ok, true);
    fresh.close();
    assert.equal((await ts.rest('GET', '/healthz')).status, 200);
  });
});
