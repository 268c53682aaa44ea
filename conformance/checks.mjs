/**
 * care-widgets protocol conformance checks (protocol version 1).
 *
 * Plain ESM JavaScript, no build step. Runs against ANY backend that claims to speak the
 * care-widgets wire protocol (docs/protocol.md), using only what the public contract
 * guarantees:
 *   - a page that is `public` and on which any signed-in visitor may write on the wall;
 *   - a way to get a valid token for an arbitrary user id (`tokenFor(userId)`).
 *
 *   import { runChecks } from 'care-widgets/conformance/checks.mjs';
 *   const results = await runChecks({ url, page, tokenFor: async (user) => token });
 *   // → [{ rule, pass, detail }]
 *
 * The checks post a handful of wall messages as throw-away users (`conformance-…`) and
 * delete them again at the end (authors may delete their own messages).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';

export const PROTOCOL_VERSION = 1;
export const NAMESPACE = '/care';
export const ERROR_CODES = ['unauthorized', 'forbidden', 'not_found', 'invalid', 'too_large', 'rate_limited', 'conflict', 'unavailable'];
export const WALL_BODY_MAX = 2000;

/** Every rule, in the order it runs, with what it checks. */
export const RULES = [
  ['handshake.anonymous', 'a handshake with { protocolVersion: 1 } and no token connects (anonymous visitor)'],
  ['handshake.forged-token', 'a token with a bad signature is refused: connect_error data.code "unauthorized"'],
  ['handshake.protocol-version', 'a wrong protocolVersion is refused: connect_error data.code "unsupported_protocol"'],
  ['handshake.signed-in', 'a handshake with a token from the token source connects'],
  ['ack.invalid', 'malformed payloads answer { ok: false, error: { code: "invalid", message } }'],
  ['wall.too-large', 'a wall body over 2,000 characters answers "too_large"'],
  ['subscribe.not-found', 'page:subscribe to a missing page answers "not_found"'],
  ['subscribe.snapshot', 'page:subscribe to the public page answers { ok, access: "read", seq, snapshot }'],
  ['wall.post-live', 'a signed-in wall:post is acknowledged with the message and arrives live at another subscriber with seq = previous + 1'],
  ['wall.idempotent', 'a retried wall:post with the same clientId returns the same message, never a duplicate'],
  ['wall.deleted-retry', 'a retried wall:post whose message was deleted in between answers "conflict" and posts nothing'],
  ['subscribe.since', 'resubscribing with since = last seq returns every missed post, in increasing seq order, up to the answer\'s seq'],
  ['write.anonymous-unauthorized', 'anonymous writes (wall:post, journal:post, follow:set) answer "unauthorized"'],
  // Second wave (SPEC 6): each rule runs only when the page announces its feature in
  // `page.features`, and is reported as skipped (a pass) otherwise; rules marked "manager"
  // also need the `manager` option (a user who may manage the page, e.g. its owner).
  ['features.list', 'page.features, when present, is a list of known feature names (absent: a first-wave backend)'],
  ['settings.refused', '[settings] a signed-in visitor has can.manage false and gets "forbidden" on page:settings, page:configure, member:remove, follow:unblock; anonymous "unauthorized"'],
  ['settings.view', '[settings, manager] the manager has can.manage true and page:settings answers { visibility, wallModeration, followers, requests, editors, blocked, invites }'],
  ['invites.refused', '[invites] a visitor\'s invite:create and invite:revoke answer "forbidden"; an unknown code "not_found"; an anonymous invite:accept "unauthorized"'],
  ['invites.accept', '[invites, manager] a one-use follower code (≥ 128 bits, base64url) lets one visitor follow ({ ok, role }), answers the next "conflict", the manager hears settings:changed, and a revoked code answers "forbidden"'],
  ['notify.refused', '[notify] anonymous notify:get, notify:set and push:subscribe answer "unauthorized"; a signed-in visitor who does not follow gets "forbidden" on notify:get and notify:set'],
  ['notify.prefs', '[notify] a new follower\'s notify:get answers { email: "off", push: false, available: { email, push } } (nothing until chosen); notify:set stores a choice the next notify:get returns (email "daily" when available.email, else it answers "invalid"); after unfollowing, notify:get answers "forbidden"'],
  ['media.refused', '[media] POST /api/pages/:id/media answers 401 without a token and 403 { error: { code: "forbidden" } } to a visitor who is no owner or editor; media:urls for an unknown entry answers "not_found"; a GET /media/… URL with a forged signature answers 403 or 404 and no image'],
  ['social.refused', '[journal-social] anonymous journal:heart and journal:comment answer "unauthorized"; history:load stream "comments" without entryId answers "invalid"'],
  ['social.comments', '[journal-social, manager] on an entry the manager posts: a visitor\'s heart and comment arrive live at another subscriber (journal:hearts, journal:comment with seq); a retried comment returns the same one; history:load stream "comments" lists it; its author deletes it (journal:comment-removed); the entry is deleted again'],
  ['planner.refused', '[planner] anonymous task:signup answers "unauthorized"; a visitor\'s task:create, task:update, task:cancel "forbidden"; task:signup on an unknown task "not_found"; malformed task payloads "invalid"; the snapshot has a tasks array and history:load stream "tasks" answers { stream: "tasks", items, hasMore }'],
  ['planner.tasks', '[planner, manager] the manager creates a one-person task with details; another subscriber receives task:changed live without details, and again (a later seq, still without) after the manager\'s task:update; a volunteer signs up and gets the details in the answer; a second one answers "conflict"; the first withdraws; the manager cancels it (task:removed live), and a catch-up from before it replays task:removed; no frame to the non-volunteer carries the details'],
  ['ack.shape', 'every acknowledgement has a boolean ok; every failure an error with a known code and a message'],
];

/** A rule that does not apply to this backend (its feature is not announced). */
class Skip extends Error {}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const isObj = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSeq = (v) => Number.isSafeInteger(v) && v >= 0;
const short = (v) => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 300 ? `${s.slice(0, 300)}…` : s;
};

/**
 * A calendar day `days` after today in the page's time zone (`page.timeZone`, the hospital's;
 * UTC when the page does not say), written `YYYY-MM-DD` as the planner's task dates are.
 */
function calendarDay(timeZone, days) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: timeZone || 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date());
  const get = (type) => Number(parts.find((p) => p.type === type)?.value);
  return new Date(Date.UTC(get('year'), get('month') - 1, get('day') + days)).toISOString().slice(0, 10);
}

/** An HS256 JWT signed with a random secret: well-formed, but no backend can verify it. */
export function forgedToken(sub = 'conformance-forger') {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, name: 'Forger', iat: now, exp: now + 600 })}`;
  const sig = createHmac('sha256', randomBytes(32)).update(head).digest('base64url');
  return `${head}.${sig}`;
}

/**
 * Runs every rule. Options:
 * - `url`: the backend's base URL (`https://care.example.org`); the namespace is added.
 * - `tokenFor(userId)`: resolves with a valid token for that user id.
 * - `page`: id of a public page on which signed-in visitors may write on the wall.
 * - `manager` (optional): a user id that may manage the page (its owner, say): the feature
 *   rules marked "manager" act as them (read the settings, create and revoke invitations);
 *   without it they are skipped.
 * - `namespace` (default `/care`), `timeoutMs` (per ack or event, default 5000),
 *   `transports` (default `['websocket']`), `log(line)` for progress.
 */
export async function runChecks(opts) {
  const { url, tokenFor, page } = opts;
  if (!url) throw new Error('runChecks: `url` is required');
  if (typeof tokenFor !== 'function') throw new Error('runChecks: `tokenFor(userId)` is required');
  if (!page) throw new Error('runChecks: `page` (a public page id) is required');
  const namespace = opts.namespace ?? NAMESPACE;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const transports = opts.transports ?? ['websocket'];
  const log = opts.log ?? (() => {});
  const base = url.replace(/\/+$/, '');
  const run = randomBytes(4).toString('hex');
  const users = { a: `conformance-${run}-a`, b: `conformance-${run}-b`, c: `conformance-${run}-c`, d: `conformance-${run}-d`, e: `conformance-${run}-e`, f: `conformance-${run}-f`, g: `conformance-${run}-g` };

  const results = [];
  const acks = [];
  const sockets = new Set();
  const cleanup = []; // message ids posted by user a
  const state = {};

  const record = (rule, pass, detail, skipped = false) => {
    results.push(skipped ? { rule, pass, detail, skipped } : { rule, pass, detail });
    log(`${skipped ? 'SKIP' : pass ? 'PASS' : 'FAIL'} ${rule}${detail ? ` (${detail})` : ''}`);
  };

  /* -------------------------------------------------------------------------- helpers */

  const open = (auth) => {
    const socket = io(`${base}${namespace}`, { auth, transports, forceNew: true, reconnection: false, timeout: timeoutMs });
    sockets.add(socket);
    const received = [];
    socket.onAny((event, data) => received.push({ event, data }));
    return { socket, received };
  };

  /** Resolves `{ connected: true, client }` or `{ connected: false, error }`. */
  const attempt = (auth) =>
    new Promise((resolve) => {
      const client = open(auth);
      const timer = setTimeout(() => resolve({ connected: false, error: new Error('no answer to the handshake') }), timeoutMs);
      client.socket.once('connect', () => {
        clearTimeout(timer);
        resolve({ connected: true, client });
      });
      client.socket.once('connect_error', (error) => {
        clearTimeout(timer);
        client.socket.disconnect();
        resolve({ connected: false, error });
      });
    });

  const connect = async (userId) => {
    const auth = { protocolVersion: PROTOCOL_VERSION };
    if (userId) auth.token = await tokenFor(userId);
    const r = await attempt(auth);
    if (!r.connected) throw new Error(`connecting as ${userId ?? 'anonymous'} failed: ${r.error?.message} ${short(r.error?.data)}`);
    return r.client;
  };

  /** A call with an acknowledgement; every answer is kept for the ack.shape rule. */
  const call = async (client, event, ...args) => {
    let answer;
    try {
      answer = await client.socket.timeout(timeoutMs).emitWithAck(event, ...args);
    } catch {
      throw new Error(`${event}: no acknowledgement within ${timeoutMs} ms`);
    }
    acks.push({ event, answer });
    return answer;
  };

  const failsWith = (answer, code) => isObj(answer) && answer.ok === false && isObj(answer.error) && answer.error.code === code;

  /** The next event `name` matching `pred` (already received or still to come). */
  const waitFor = (client, name, pred = () => true, ms = timeoutMs) => {
    const found = client.received.find((r) => r.event === name && pred(r.data));
    if (found) return Promise.resolve(found.data);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        client.socket.offAny(listener);
        reject(new Error(`no ${name} within ${ms} ms`));
      }, ms);
      const listener = (event, data) => {
        if (event !== name || !pred(data)) return;
        clearTimeout(timer);
        client.socket.offAny(listener);
        resolve(data);
      };
      client.socket.onAny(listener);
    });
  };

  /** The highest seq of this page a client has seen, from its subscribe answer and live events. */
  const lastSeq = (client, from) => {
    let seq = from;
    for (const r of client.received) if (isObj(r.data) && r.data.pageId === page && isSeq(r.data.seq)) seq = Math.max(seq, r.data.seq);
    return seq;
  };

  const check = async (rule, fn) => {
    try {
      const detail = await fn();
      record(rule, true, detail ?? '');
    } catch (err) {
      if (err instanceof Skip) record(rule, true, err.message, true);
      else record(rule, false, err instanceof Error ? err.message : String(err));
    }
  };
  /** A feature rule: skipped (a pass) unless the page announces `feature` (and, if asked, a manager was given). */
  const feature = (name, { manager = false } = {}) => {
    if (!Array.isArray(state.features)) throw new Error('skipped: needs the page\'s features, which subscribe.snapshot did not produce');
    if (!state.features.includes(name)) throw new Skip(`the backend does not announce "${name}"`);
    if (manager && !opts.manager) throw new Skip('needs the manager option (a user who may manage the page)');
  };
  const expect = (cond, message) => {
    if (!cond) throw new Error(message);
  };
  const needs = (...keys) => {
    for (const k of keys) if (!state[k]) throw new Error(`skipped: needs ${k}, which an earlier rule did not produce`);
  };

  /* ---------------------------------------------------------------------------- rules */

  try {
    await check('handshake.anonymous', async () => {
      const r = await attempt({ protocolVersion: PROTOCOL_VERSION });
      expect(r.connected, `refused: ${r.error?.message} ${short(r.error?.data)}`);
      state.anon = r.client;
      return 'connected without a token';
    });

    await check('handshake.forged-token', async () => {
      const r = await attempt({ protocolVersion: PROTOCOL_VERSION, token: forgedToken(users.a) });
      expect(!r.connected, 'a token signed with an unknown key was accepted');
      const code = r.error?.data?.code;
      expect(code === 'unauthorized', `connect_error data.code is ${short(code)}, expected "unauthorized" (${r.error?.message})`);
      return 'refused with unauthorized';
    });

    await check('handshake.protocol-version', async () => {
      const r = await attempt({ protocolVersion: PROTOCOL_VERSION + 998 });
      expect(!r.connected, `protocolVersion ${PROTOCOL_VERSION + 998} was accepted`);
      const code = r.error?.data?.code;
      expect(code === 'unsupported_protocol', `connect_error data.code is ${short(code)}, expected "unsupported_protocol"`);
      const v = r.error?.data?.protocolVersion;
      return `refused with unsupported_protocol${v !== undefined ? ` (server speaks ${short(v)})` : ''}`;
    });

    await check('handshake.signed-in', async () => {
      state.a = await connect(users.a);
      state.b = await connect(users.b);
      return `connected as ${users.a} and ${users.b}`;
    });

    await check('ack.invalid', async () => {
      const client = state.a ?? state.anon;
      expect(client, 'skipped: no connection');
      const cases = [
        ['page:subscribe', { pageId: 42 }, 'pageId is a number'],
        ['page:subscribe', { pageId: page, since: -1 }, 'since is negative'],
        ['page:subscribe', { pageId: page, since: 'yesterday' }, 'since is a string'],
        ['page:subscribe', 'not-an-object', 'payload is a string'],
        ['wall:post', { pageId: page, body: 'no clientId' }, 'clientId is missing'],
        ['wall:post', { pageId: page, clientId: randomUUID(), body: '   ' }, 'body is blank'],
        ['wall:post', { pageId: page, clientId: randomUUID(), body: 'hi', extra: true }, 'unknown key'],
        ['history:load', { pageId: page, stream: 'nope', before: 1, limit: 10 }, 'unknown stream'],
        // Stored as U+FFFD by any UTF-8 database: what was acknowledged would not be what others read.
        ['wall:post', { pageId: page, clientId: randomUUID(), body: 'lone \uD800 surrogate' }, 'body has a lone surrogate'],
      ];
      const wrong = [];
      for (const [event, payload, why] of cases) {
        const answer = await call(client, event, payload);
        if (answer?.ok && answer.message?.id) cleanup.push(answer.message.id);
        if (!failsWith(answer, 'invalid')) wrong.push(`${event} (${why}) answered ${short(answer)}`);
      }
      expect(wrong.length === 0, wrong.join('; '));
      return `${cases.length} malformed payloads answered invalid`;
    });

    await check('wall.too-large', async () => {
      needs('a');
      const answer = await call(state.a, 'wall:post', { pageId: page, clientId: randomUUID(), body: 'x'.repeat(WALL_BODY_MAX + 1) });
      if (answer?.ok && answer.message?.id) cleanup.push(answer.message.id);
      expect(failsWith(answer, 'too_large'), `a ${WALL_BODY_MAX + 1}-character body answered ${short(answer)}`);
      return `${WALL_BODY_MAX + 1} characters refused`;
    });

    await check('subscribe.not-found', async () => {
      const client = state.a ?? state.anon;
      expect(client, 'skipped: no connection');
      const missing = `conformance-missing-${run}`;
      const answer = await call(client, 'page:subscribe', { pageId: missing });
      expect(failsWith(answer, 'not_found'), `page:subscribe { pageId: "${missing}" } answered ${short(answer)}`);
      return 'not_found';
    });

    await check('subscribe.snapshot', async () => {
      needs('a', 'b');
      const answers = [];
      for (const [name, client] of [['anonymous', state.anon], [users.a, state.a], [users.b, state.b]]) {
        if (!client) continue;
        const answer = await call(client, 'page:subscribe', { pageId: page });
        expect(answer?.ok === true, `${name}: page:subscribe answered ${short(answer)}`);
        expect(answer.access === 'read', `${name}: access is ${short(answer.access)}, expected "read" (is "${page}" public?)`);
        expect(isSeq(answer.seq), `${name}: seq is ${short(answer.seq)}, expected an integer >= 0`);
        expect(isObj(answer.snapshot), `${name}: no snapshot in ${short(answer)}`);
        expect(Array.isArray(answer.snapshot.journal) && Array.isArray(answer.snapshot.wall), `${name}: snapshot lacks journal/wall arrays`);
        expect(isObj(answer.page) && answer.page.id === page, `${name}: page.id is ${short(answer.page?.id)}`);
        expect(isObj(answer.viewer) && isObj(answer.viewer.can), `${name}: no viewer capabilities`);
        answers.push([name, answer]);
      }
      const bAnswer = answers.find(([n]) => n === users.b)[1];
      const aAnswer = answers.find(([n]) => n === users.a)[1];
      state.features = aAnswer.page.features ?? [];
      state.aCan = aAnswer.viewer.can;
      state.aSnapshot = aAnswer.snapshot;
      state.timeZone = aAnswer.page.timeZone;
      expect(aAnswer.viewer.can.postWall === true, `${users.a} may not post on the wall (viewer.can.postWall false): the page must let signed-in visitors write`);
      state.bSeq = bAnswer.seq;
      state.subscribed = true;
      return `seq ${bAnswer.seq}, ${bAnswer.snapshot.wall.length} wall messages, ${bAnswer.snapshot.journal.length} journal entries`;
    });

    await check('wall.post-live', async () => {
      needs('subscribed');
      const before = lastSeq(state.b, state.bSeq);
      const clientId = randomUUID();
      const body = `Conformance check ${run}: get well soon!`;
      const live = waitFor(state.b, 'wall:message', (d) => isObj(d) && d.message?.body === body);
      const answer = await call(state.a, 'wall:post', { pageId: page, clientId, body });
      expect(answer?.ok === true, `wall:post answered ${short(answer)}`);
      const m = answer.message;
      expect(isObj(m) && typeof m.id === 'string' && m.id.length > 0, `the ack has no message with an id: ${short(answer)}`);
      cleanup.push(m.id);
      expect(m.body === body, `message.body is ${short(m.body)}`);
      expect(isObj(m.author) && m.author.id === users.a, `message.author is ${short(m.author)}, expected id ${users.a}`);
      expect(isSeq(m.seq), `message.seq is ${short(m.seq)}`);
      const event = await live.catch((err) => {
        throw new Error(`${users.b} did not receive it live: ${err.message}`);
      });
      expect(event.pageId === page, `event pageId is ${short(event.pageId)}`);
      expect(event.message.id === m.id, `live message id ${short(event.message.id)} differs from the ack's ${m.id}`);
      expect(event.seq === before + 1, `live seq is ${short(event.seq)}, expected ${before + 1} (previous seq ${before})`);
      state.posted = { id: m.id, clientId, body, seq: event.seq };
      return `message ${m.id} at seq ${event.seq}`;
    });

    await check('wall.idempotent', async () => {
      needs('posted');
      const { id, clientId, body } = state.posted;
      const mark = state.b.received.length;
      const answer = await call(state.a, 'wall:post', { pageId: page, clientId, body });
      expect(answer?.ok === true, `the retry answered ${short(answer)}`);
      expect(answer.message?.id === id, `the retry returned message ${short(answer.message?.id)}, the original is ${id}`);
      // A duplicate would be fanned out like the original; give it time to arrive.
      await sleep(Math.min(1000, timeoutMs));
      const dup = state.b.received.slice(mark).find((r) => r.event === 'wall:message' && r.data?.message?.body === body);
      expect(!dup, `a second wall:message for the retried post arrived: ${short(dup?.data)}`);
      return `same id ${id}, no second event`;
    });

    await check('wall.deleted-retry', async () => {
      expect(state.a && state.b, 'skipped: no signed-in connections');
      const clientId = randomUUID();
      const body = `Conformance check ${run}: deleted, then retried`;
      const first = await call(state.a, 'wall:post', { pageId: page, clientId, body });
      expect(first?.ok === true, `wall:post answered ${short(first)}`);
      const removed = await call(state.a, 'wall:delete', { pageId: page, messageId: first.message.id });
      expect(removed?.ok === true, `the author's wall:delete answered ${short(removed)}`);
      const mark = state.b.received.length;
      // The author's outbox never got the first acknowledgement, say, and resends the post.
      const retry = await call(state.a, 'wall:post', { pageId: page, clientId, body });
      if (retry?.ok && retry.message?.id) cleanup.push(retry.message.id);
      expect(failsWith(retry, 'conflict'), `the retry answered ${short(retry)}: the deleted message must not come back`);
      await sleep(Math.min(1000, timeoutMs));
      const back = state.b.received.slice(mark).find((r) => r.event === 'wall:message' && r.data?.message?.body === body);
      expect(!back, `the deleted message arrived again: ${short(back?.data)}`);
      return 'conflict, nothing posted';
    });

    await check('subscribe.since', async () => {
      needs('posted');
      const since = lastSeq(state.b, state.bSeq);
      state.b.socket.disconnect();
      const ids = [];
      for (let i = 1; i <= 3; i++) {
        const answer = await call(state.a, 'wall:post', { pageId: page, clientId: randomUUID(), body: `Conformance check ${run}: missed message ${i}` });
        expect(answer?.ok === true, `wall:post ${i} answered ${short(answer)}`);
        ids.push(answer.message.id);
        cleanup.push(answer.message.id);
      }
      state.b = await connect(users.b);
      const answer = await call(state.b, 'page:subscribe', { pageId: page, since });
      expect(answer?.ok === true, `page:subscribe { since: ${since} } answered ${short(answer)}`);
      expect(!answer.reset && !answer.snapshot, `answered a ${answer.reset ? 'reset' : 'snapshot'} for a gap of 3 changes`);
      expect(Array.isArray(answer.events), `no events array in ${short(answer)}`);
      const seqs = answer.events.map((e) => e?.data?.seq);
      expect(seqs.length >= 3, `${seqs.length} events, expected at least the 3 missed posts`);
      // A server may coalesce a catch-up (one event per changed item, at its last change's
      // seq: docs/protocol.md section 6), so the seqs need not be contiguous; they must be
      // after `since`, increasing, and end at the answer's seq.
      seqs.forEach((s, i) => expect(Number.isInteger(s) && s > (i === 0 ? since : seqs[i - 1]), `event seqs ${short(seqs)} are not increasing after ${since}`));
      expect(answer.seq === seqs.at(-1), `answer seq ${short(answer.seq)}, expected the last event's ${short(seqs.at(-1))}`);
      for (const e of answer.events) expect(e.data.pageId === page, `an event of another page: ${short(e)}`);
      const posted = answer.events.filter((e) => e.type === 'wall:message' && ids.includes(e.data.message?.id)).map((e) => e.data.message.id);
      expect(short(posted) === short(ids), `the missed posts replayed as ${short(posted)}, expected ${short(ids)} in order`);
      state.bSeq = answer.seq;
      return `${seqs.length} events, seq ${seqs[0]}..${answer.seq}`;
    });

    await check('write.anonymous-unauthorized', async () => {
      expect(state.anon, 'skipped: no anonymous connection');
      const writes = [
        ['wall:post', { pageId: page, clientId: randomUUID(), body: 'anonymous hello' }],
        ['journal:post', { pageId: page, clientId: randomUUID(), title: 'Anonymous', body: 'anonymous entry' }],
        ['follow:set', { pageId: page, follow: true }],
      ];
      if (state.posted) writes.push(['wall:heart', { pageId: page, messageId: state.posted.id, on: true }]);
      const wrong = [];
      for (const [event, payload] of writes) {
        const answer = await call(state.anon, event, payload);
        if (answer?.ok && answer.message?.id) cleanup.push(answer.message.id);
        if (!failsWith(answer, 'unauthorized')) wrong.push(`${event} answered ${short(answer)}`);
      }
      expect(wrong.length === 0, wrong.join('; '));
      return `${writes.map((w) => w[0]).join(', ')} refused`;
    });

    /* ------------------------------------------------------- second wave (SPEC 6) */

    await check('features.list', async () => {
      needs('subscribed');
      const known = ['settings', 'invites', 'notify', 'journal-social', 'media', 'planner'];
      expect(state.features.every((f) => known.includes(f)), `page.features ${short(state.features)} has names outside ${short(known)}`);
      expect(new Set(state.features).size === state.features.length, `page.features ${short(state.features)} repeats a name`);
      return state.features.length ? state.features.join(', ') : 'none (a first-wave backend)';
    });

    await check('settings.refused', async () => {
      feature('settings');
      needs('a');
      expect(state.aCan.manage === false, `a visitor's viewer.can.manage is ${short(state.aCan.manage)}, expected false`);
      const calls = [
        ['page:settings', { pageId: page }],
        ['page:configure', { pageId: page, visibility: 'private' }],
        ['member:remove', { pageId: page, userId: users.b }],
        ['follow:unblock', { pageId: page, userId: users.b }],
      ];
      const wrong = [];
      for (const [event, payload] of calls) {
        const answer = await call(state.a, event, payload);
        if (!failsWith(answer, 'forbidden')) wrong.push(`${users.a}: ${event} answered ${short(answer)}`);
        if (state.anon) {
          const anon = await call(state.anon, event, payload);
          if (!failsWith(anon, 'unauthorized')) wrong.push(`anonymous: ${event} answered ${short(anon)}`);
        }
      }
      expect(wrong.length === 0, wrong.join('; '));
      return `${calls.length} calls refused`;
    });

    await check('settings.view', async () => {
      feature('settings', { manager: true });
      state.m = await connect(opts.manager);
      const sub = await call(state.m, 'page:subscribe', { pageId: page });
      expect(sub?.ok === true && sub.viewer?.can?.manage === true, `the manager's subscribe answered can.manage ${short(sub?.viewer?.can?.manage)}: ${short(sub?.error ?? '')}`);
      const answer = await call(state.m, 'page:settings', { pageId: page });
      expect(answer?.ok === true && isObj(answer.settings), `page:settings answered ${short(answer)}`);
      const s = answer.settings;
      expect(s.visibility === sub.page.visibility && s.wallModeration === sub.page.wallModeration, `visibility/wallModeration ${short([s.visibility, s.wallModeration])} differ from the page's`);
      for (const k of ['followers', 'requests', 'editors', 'blocked', 'invites']) expect(Array.isArray(s[k]), `settings.${k} is ${short(s[k])}, expected an array`);
      return `${s.followers.length} followers, ${s.editors.length} editors, ${s.invites.length} invitations`;
    });

    await check('invites.refused', async () => {
      feature('invites');
      needs('a');
      const fakeCode = randomBytes(24).toString('base64url');
      const checks = [
        [state.a, 'invite:create', { pageId: page, role: 'follower', expiresInHours: 1, maxUses: 1 }, 'forbidden'],
        [state.a, 'invite:revoke', { pageId: page, code: fakeCode }, 'forbidden'],
        [state.a, 'invite:accept', { pageId: page, code: fakeCode }, 'not_found'],
      ];
      if (state.anon) checks.push([state.anon, 'invite:accept', { pageId: page, code: fakeCode }, 'unauthorized']);
      const wrong = [];
      for (const [client, event, payload, code] of checks) {
        const answer = await call(client, event, payload);
        if (!failsWith(answer, code)) wrong.push(`${event} answered ${short(answer)}, expected ${code}`);
      }
      expect(wrong.length === 0, wrong.join('; '));
      return `${checks.length} calls refused`;
    });

    await check('invites.accept', async () => {
      feature('invites', { manager: true });
      state.m ??= await connect(opts.manager);
      await call(state.m, 'page:subscribe', { pageId: page });
      const created = await call(state.m, 'invite:create', { pageId: page, role: 'follower', expiresInHours: 1, maxUses: 1 });
      expect(created?.ok === true && isObj(created.invite), `invite:create answered ${short(created)}`);
      const { code } = created.invite;
      state.inviteCode = code;
      expect(typeof code === 'string' && /^[A-Za-z0-9_-]{22,}$/.test(code), `the code ${short(code?.length)} characters long is not base64url of at least 128 bits`);
      expect(created.invite.role === 'follower' && created.invite.maxUses === 1 && created.invite.uses === 0, `invite ${short({ ...created.invite, code: '…' })}`);
      const c = await connect(users.c);
      const d = await connect(users.d);
      state.joined = c;
      const mark = state.m.received.length;
      const accepted = await call(c, 'invite:accept', { pageId: page, code });
      expect(accepted?.ok === true && accepted.role === 'follower', `invite:accept answered ${short(accepted)}`);
      await waitFor({ ...state.m, received: state.m.received.slice(mark) }, 'settings:changed', (e) => isObj(e) && e.pageId === page).catch(() => {
        throw new Error('the manager heard no settings:changed after the accept');
      });
      const second = await call(d, 'invite:accept', { pageId: page, code });
      expect(failsWith(second, 'conflict'), `a second accept of a one-use code answered ${short(second)}`);
      const revoked = await call(state.m, 'invite:revoke', { pageId: page, code });
      expect(revoked?.ok === true, `invite:revoke answered ${short(revoked)}`);
      const again = await call(state.m, 'invite:create', { pageId: page, role: 'follower', expiresInHours: 1, maxUses: 5 });
      expect(again?.ok === true, `invite:create answered ${short(again)}`);
      await call(state.m, 'invite:revoke', { pageId: page, code: again.invite.code });
      const late = await call(d, 'invite:accept', { pageId: page, code: again.invite.code });
      expect(failsWith(late, 'forbidden'), `accepting a revoked code answered ${short(late)}`);
      return 'one use, conflict, forbidden after revoking';
    });

    await check('notify.refused', async () => {
      feature('notify');
      needs('a');
      const subscription = { endpoint: `https://push.example.invalid/conformance-${run}`, keys: { p256dh: `B${'A'.repeat(86)}`, auth: 'A'.repeat(22) } };
      const checks = [
        [state.a, 'notify:get', { pageId: page }, 'forbidden'],
        [state.a, 'notify:set', { pageId: page, email: 'off' }, 'forbidden'],
      ];
      if (state.anon) {
        checks.push([state.anon, 'notify:get', { pageId: page }, 'unauthorized']);
        checks.push([state.anon, 'notify:set', { pageId: page, email: 'off' }, 'unauthorized']);
        checks.push([state.anon, 'push:subscribe', { subscription }, 'unauthorized']);
      }
      const wrong = [];
      for (const [client, event, payload, code] of checks) {
        const answer = await call(client, event, payload);
        if (!failsWith(answer, code)) wrong.push(`${event} answered ${short(answer)}, expected ${code}`);
      }
      expect(wrong.length === 0, wrong.join('; '));
      return `${checks.length} calls refused`;
    });

    await check('notify.prefs', async () => {
      feature('notify');
      const e = (state.follower = await connect(users.e));
      const followed = await call(e, 'follow:set', { pageId: page, follow: true });
      expect(followed?.ok === true && followed.state === 'following', `follow:set answered ${short(followed)}`);
      const first = await call(e, 'notify:get', { pageId: page });
      expect(first?.ok === true, `notify:get answered ${short(first)}`);
      expect(first.email === 'off' && first.push === false, `a new follower's choices are ${short({ email: first.email, push: first.push })}, expected off until chosen`);
      expect(isObj(first.available) && typeof first.available.email === 'boolean' && typeof first.available.push === 'boolean', `available is ${short(first.available)}`);
      let said;
      if (first.available.email) {
        const set = await call(e, 'notify:set', { pageId: page, email: 'daily' });
        expect(set?.ok === true && set.email === 'daily', `notify:set { email: "daily" } answered ${short(set)}`);
        const again = await call(e, 'notify:get', { pageId: page });
        expect(again?.ok === true && again.email === 'daily', `notify:get after choosing daily answered ${short(again)}`);
        said = 'daily stored';
      } else {
        const refused = await call(e, 'notify:set', { pageId: page, email: 'daily' });
        expect(failsWith(refused, 'invalid'), `notify:set { email: "daily" } without email available answered ${short(refused)}`);
        const off = await call(e, 'notify:set', { pageId: page, email: 'off' });
        expect(off?.ok === true && off.email === 'off', `notify:set { email: "off" } answered ${short(off)}`);
        said = 'email not available: refused invalid';
      }
      const left = await call(e, 'follow:set', { pageId: page, follow: false });
      expect(left?.ok === true, `follow:set false answered ${short(left)}`);
      const after = await call(e, 'notify:get', { pageId: page });
      expect(failsWith(after, 'forbidden'), `notify:get after unfollowing answered ${short(after)}`);
      return said;
    });

    await check('media.refused', async () => {
      feature('media');
      needs('a');
      const endpoint = `${base}/api/pages/${encodeURIComponent(page)}/media`;
      const form = () => {
        const f = new FormData();
        // A 1 × 1 PNG: a real image, so only the caller's rights can refuse it.
        f.append('file', new Blob([Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==', 'base64')], { type: 'image/png' }), 'pixel.png');
        return f;
      };
      const anon = await fetch(endpoint, { method: 'POST', body: form() });
      expect(anon.status === 401, `an upload without a token answered ${anon.status}`);
      const visitor = await fetch(endpoint, { method: 'POST', headers: { authorization: `Bearer ${await tokenFor(users.a)}` }, body: form() });
      const body = await visitor.json().catch(() => null);
      expect(visitor.status === 403 && body?.error?.code === 'forbidden', `a visitor's upload answered ${visitor.status} ${short(body)}`);
      const urls = await call(state.a, 'media:urls', { pageId: page, entryId: `conformance-no-such-entry-${run}` });
      expect(failsWith(urls, 'not_found'), `media:urls for an unknown entry answered ${short(urls)}`);
      const forged = await fetch(`${base}/media/${encodeURIComponent(page)}/conformance-${run}/display?v=YW5vbjo&e=9999999999&s=forged`);
      expect((forged.status === 403 || forged.status === 404) && !(forged.headers.get('content-type') ?? '').startsWith('image/'), `a forged image URL answered ${forged.status} ${forged.headers.get('content-type')}`);
      return 'uploads refused, forged URL refused';
    });

    await check('social.refused', async () => {
      feature('journal-social');
      expect(state.anon, 'skipped: no anonymous connection');
      needs('a');
      const entryId = `conformance-${run}-entry`;
      const checks = [
        [state.anon, 'journal:heart', { pageId: page, entryId, on: true }, 'unauthorized'],
        [state.anon, 'journal:comment', { pageId: page, entryId, clientId: randomUUID(), body: 'anonymous comment' }, 'unauthorized'],
        [state.a, 'history:load', { pageId: page, stream: 'comments', before: 1, limit: 10 }, 'invalid'],
      ];
      const wrong = [];
      for (const [client, event, payload, code] of checks) {
        const answer = await call(client, event, payload);
        if (!failsWith(answer, code)) wrong.push(`${event} answered ${short(answer)}, expected ${code}`);
      }
      expect(wrong.length === 0, wrong.join('; '));
      return `${checks.length} calls refused`;
    });

    await check('social.comments', async () => {
      feature('journal-social', { manager: true });
      needs('a', 'b');
      state.m ??= await connect(opts.manager);
      await call(state.m, 'page:subscribe', { pageId: page });
      await call(state.b, 'page:subscribe', { pageId: page });
      const posted = await call(state.m, 'journal:post', { pageId: page, clientId: randomUUID(), title: `Conformance ${run}`, body: 'An update to answer.' });
      expect(posted?.ok === true && isObj(posted.entry), `the manager's journal:post answered ${short(posted)}`);
      const entryId = (state.entry = posted.entry.id);
      expect(posted.entry.commentsOpen !== false, 'a new entry has its comments closed');
      const hearts = waitFor(state.b, 'journal:hearts', (d) => isObj(d) && d.entryId === entryId);
      const heart = await call(state.a, 'journal:heart', { pageId: page, entryId, on: true });
      expect(heart?.ok === true && heart.hearts === 1 && heart.on === true, `journal:heart answered ${short(heart)}`);
      const h = await hearts.catch(() => {
        throw new Error('no journal:hearts reached the other subscriber');
      });
      expect(isSeq(h.seq) && h.hearts === 1, `journal:hearts ${short(h)}`);
      const clientId = randomUUID();
      const body = `Conformance check ${run}: thinking of you`;
      const live = waitFor(state.b, 'journal:comment', (d) => isObj(d) && d.comment?.body === body);
      const first = await call(state.a, 'journal:comment', { pageId: page, entryId, clientId, body });
      expect(first?.ok === true && isObj(first.comment) && first.comment.entryId === entryId && first.comment.body === body, `journal:comment answered ${short(first)}`);
      const e = await live.catch(() => {
        throw new Error('the comment did not reach the other subscriber live');
      });
      expect(isSeq(e.seq) && e.seq > h.seq && e.entryId === entryId && e.comment.id === first.comment.id, `journal:comment event ${short(e)}`);
      const retry = await call(state.a, 'journal:comment', { pageId: page, entryId, clientId, body });
      expect(retry?.ok === true && retry.comment?.id === first.comment.id, `the retry answered ${short(retry)}, expected the original ${first.comment.id}`);
      const history = await call(state.b, 'history:load', { pageId: page, stream: 'comments', entryId, before: Number.MAX_SAFE_INTEGER, limit: 10 });
      expect(history?.ok === true && history.stream === 'comments' && Array.isArray(history.items) && history.items.some((c) => c.id === first.comment.id), `history:load comments answered ${short(history)}`);
      const removedLive = waitFor(state.b, 'journal:comment-removed', (d) => isObj(d) && d.commentId === first.comment.id);
      const removed = await call(state.a, 'journal:comment-delete', { pageId: page, commentId: first.comment.id });
      expect(removed?.ok === true, `the author's journal:comment-delete answered ${short(removed)}`);
      await removedLive.catch(() => {
        throw new Error('no journal:comment-removed reached the other subscriber');
      });
      return `heart, comment at seq ${e.seq}, retry, history, delete`;
    });

    await check('planner.refused', async () => {
      feature('planner');
      expect(state.anon, 'skipped: no anonymous connection');
      needs('a');
      const snapshot = state.aSnapshot;
      expect(isObj(snapshot) && Array.isArray(snapshot.tasks), `the snapshot's tasks is ${short(snapshot?.tasks)}, expected an array`);
      expect(typeof snapshot.tasksHasMore === 'boolean', `the snapshot's tasksHasMore is ${short(snapshot.tasksHasMore)}, expected a boolean`);
      const date = calendarDay(state.timeZone, 1);
      const draft = { kind: 'errand', title: 'Conformance check', date, slots: 1 };
      const taskId = `conformance-${run}-no-such-task`;
      const checks = [
        [state.anon, 'task:signup', { pageId: page, taskId, on: true }, 'unauthorized'],
        [state.a, 'task:create', { pageId: page, clientId: randomUUID(), task: draft }, 'forbidden'],
        [state.a, 'task:update', { pageId: page, taskId, title: 'Changed' }, 'forbidden'],
        [state.a, 'task:cancel', { pageId: page, taskId }, 'forbidden'],
        [state.a, 'task:signup', { pageId: page, taskId, on: true }, 'not_found'],
        [state.a, 'task:create', { pageId: page, clientId: randomUUID(), task: { ...draft, date: '2026-02-30' } }, 'invalid'],
        [state.a, 'task:create', { pageId: page, clientId: randomUUID(), task: { ...draft, slots: 0 } }, 'invalid'],
        [state.a, 'task:create', { pageId: page, clientId: randomUUID(), task: { ...draft, start: '18:00', end: '17:00' } }, 'invalid'],
        [state.a, 'task:create', { pageId: page, clientId: randomUUID(), task: { ...draft, kind: 'party' } }, 'invalid'],
        [state.a, 'task:create', { pageId: page, clientId: randomUUID(), task: draft, extra: true }, 'invalid'],
        [state.a, 'task:signup', { pageId: page, taskId }, 'invalid'],
        [state.a, 'task:update', { pageId: page, taskId }, 'invalid'],
      ];
      const wrong = [];
      for (const [client, event, payload, code] of checks) {
        const answer = await call(client, event, payload);
        if (!failsWith(answer, code)) wrong.push(`${event} ${short(payload)} answered ${short(answer)}, expected ${code}`);
      }
      const history = await call(state.a, 'history:load', { pageId: page, stream: 'tasks', before: Number.MAX_SAFE_INTEGER, limit: 10 });
      if (!(history?.ok === true && history.stream === 'tasks' && Array.isArray(history.items) && typeof history.hasMore === 'boolean')) wrong.push(`history:load stream "tasks" answered ${short(history)}`);
      expect(wrong.length === 0, wrong.join('; '));
      return `${checks.length} calls refused, ${snapshot.tasks.length} tasks in the snapshot`;
    });

    await check('planner.tasks', async () => {
      feature('planner', { manager: true });
      needs('b');
      state.m ??= await connect(opts.manager);
      const sub = await call(state.m, 'page:subscribe', { pageId: page });
      expect(sub?.ok === true && sub.viewer?.can?.plan === true, `the manager's subscribe answered can.plan ${short(sub?.viewer?.can?.plan)}: ${short(sub?.error ?? '')}`);
      const watching = await call(state.b, 'page:subscribe', { pageId: page });
      expect(watching?.ok === true && watching.viewer?.can?.plan === false && watching.viewer?.can?.volunteer === true, `${users.b}'s capabilities are ${short(watching?.viewer?.can)}, expected plan false, volunteer true`);
      const since = watching.seq;
      const mark = state.b.received.length;
      // Unique text, so it can be looked for in every frame the non-volunteer receives.
      const marker = `Conformance details ${run} ${randomBytes(6).toString('hex')}`;
      const draft = { kind: 'errand', title: `Conformance task ${run}`, date: calendarDay(sub.page.timeZone, 1), slots: 1, details: marker };
      const live = waitFor(state.b, 'task:changed', (d) => isObj(d) && d.task?.title === draft.title);
      const created = await call(state.m, 'task:create', { pageId: page, clientId: randomUUID(), task: draft });
      expect(created?.ok === true && isObj(created.task) && Array.isArray(created.tasks), `the manager's task:create answered ${short(created)}`);
      const task = created.task;
      state.task = task.id;
      expect(task.details === marker && task.hasDetails === true && task.slots === 1 && task.date === draft.date && Array.isArray(task.volunteers) && task.volunteers.length === 0, `the created task is ${short(task)}`);
      const seen = await live.catch(() => {
        throw new Error('no task:changed reached the other subscriber');
      });
      expect(isSeq(seen.seq) && seen.pageId === page && seen.task.id === task.id, `task:changed ${short(seen)}`);
      expect(!Object.hasOwn(seen.task, 'details') && seen.task.hasDetails === true, `the non-volunteer's task:changed has details: ${short(seen.task)}`);
      // The family edits it: the change reaches the subscriber live, still without the details.
      const title = `${draft.title} (changed)`;
      const edited = waitFor(state.b, 'task:changed', (d) => isObj(d) && d.task?.id === task.id && d.task.title === title);
      const updated = await call(state.m, 'task:update', { pageId: page, taskId: task.id, title, start: '10:00', end: '11:00' });
      expect(updated?.ok === true && updated.task?.title === title && updated.task.start === '10:00' && updated.task.end === '11:00' && updated.task.details === marker, `the manager's task:update answered ${short(updated)}`);
      const change = await edited.catch(() => {
        throw new Error('the task:update did not reach the other subscriber live');
      });
      expect(change.seq > seen.seq && !Object.hasOwn(change.task, 'details'), `task:changed after the update ${short(change)}: expected a later seq and no details`);

      const f = await connect(users.f);
      const g = await connect(users.g);
      const signedUp = waitFor(state.b, 'task:changed', (d) => isObj(d) && d.task?.id === task.id && d.task.volunteers?.length === 1);
      const mine = await call(f, 'task:signup', { pageId: page, taskId: task.id, on: true });
      expect(mine?.ok === true && mine.task?.details === marker, `the volunteer's task:signup answered ${short(mine)}, expected the task with its details`);
      expect(mine.task.volunteers.length === 1 && mine.task.volunteers[0].id === users.f, `volunteers are ${short(mine.task.volunteers)}`);
      const full = await signedUp.catch(() => {
        throw new Error('the sign-up did not reach the other subscriber live');
      });
      expect(!Object.hasOwn(full.task, 'details'), `the non-volunteer's task:changed after the sign-up has details: ${short(full.task)}`);
      const late = await call(g, 'task:signup', { pageId: page, taskId: task.id, on: true });
      expect(failsWith(late, 'conflict'), `a sign-up for the taken last spot answered ${short(late)}, expected conflict`);
      const left = await call(f, 'task:signup', { pageId: page, taskId: task.id, on: false });
      expect(left?.ok === true && left.task?.volunteers?.length === 0 && !Object.hasOwn(left.task, 'details'), `withdrawing answered ${short(left)}, expected no volunteers and no details`);

      const removed = waitFor(state.b, 'task:removed', (d) => isObj(d) && d.taskId === task.id);
      const cancelled = await call(state.m, 'task:cancel', { pageId: page, taskId: task.id, note: `Conformance note ${marker}` });
      expect(cancelled?.ok === true, `the manager's task:cancel answered ${short(cancelled)}`);
      state.task = null;
      const gone = await removed.catch(() => {
        throw new Error('no task:removed reached the other subscriber');
      });
      expect(isSeq(gone.seq) && gone.seq > full.seq, `task:removed seq ${short(gone.seq)} is not after the sign-up's ${full.seq}`);

      const caught = await call(state.b, 'page:subscribe', { pageId: page, since });
      expect(caught?.ok === true && Array.isArray(caught.events), `page:subscribe { since: ${since} } answered ${short(caught)}`);
      const events = caught.events.filter((e) => e?.data?.taskId === task.id || e?.data?.task?.id === task.id);
      expect(events.at(-1)?.type === 'task:removed', `the catch-up replays the task as ${short(events.map((e) => e.type))}, expected it to end with task:removed`);
      const leaked = state.b.received.slice(mark).find((r) => JSON.stringify(r.data ?? null).includes(marker)) ?? (JSON.stringify(caught).includes(marker) ? { event: 'the catch-up answer' } : null);
      expect(!leaked, `the details reached the non-volunteer in ${leaked?.event}`);
      f.socket.disconnect();
      g.socket.disconnect();
      return `task at seq ${seen.seq}, sign-up, conflict, withdraw, cancelled at seq ${gone.seq}, replayed`;
    });
  } finally {
    // The task of planner.tasks is cancelled (if the rule stopped half-way).
    if (state.task && state.m?.socket.connected) await call(state.m, 'task:cancel', { pageId: page, taskId: state.task }).catch(() => {});
    // The journal entry of social.comments goes again (its comments and hearts with it).
    if (state.entry && state.m?.socket.connected) await call(state.m, 'journal:delete', { pageId: page, entryId: state.entry }).catch(() => {});
    // The follower of notify.prefs follows no more (if a rule stopped half-way).
    if (state.follower?.socket.connected) await call(state.follower, 'follow:set', { pageId: page, follow: false }).catch(() => {});
    // The visitor who joined by invitation follows no more; the invitation is revoked.
    if (state.joined?.socket.connected) await call(state.joined, 'follow:set', { pageId: page, follow: false }).catch(() => {});
    if (state.inviteCode && state.m?.socket.connected) await call(state.m, 'invite:revoke', { pageId: page, code: state.inviteCode }).catch(() => {});
    // Leave the page as we found it: authors may delete their own messages.
    if (state.a?.socket.connected) {
      for (const messageId of cleanup) {
        try {
          await call(state.a, 'wall:delete', { pageId: page, messageId });
        } catch {
          // best effort
        }
      }
    }
    await check('ack.shape', async () => {
      expect(acks.length > 0, 'no acknowledgement was received at all');
      const wrong = [];
      for (const { event, answer } of acks) {
        if (!isObj(answer) || typeof answer.ok !== 'boolean') wrong.push(`${event}: ${short(answer)}`);
        else if (answer.ok === false) {
          const e = answer.error;
          if (!isObj(e) || !ERROR_CODES.includes(e.code) || typeof e.message !== 'string' || e.message.length === 0) wrong.push(`${event}: bad error ${short(e)}`);
        }
      }
      expect(wrong.length === 0, wrong.slice(0, 5).join('; '));
      return `${acks.length} acknowledgements`;
    });
    for (const s of sockets) s.disconnect();
  }
  return results;
}
