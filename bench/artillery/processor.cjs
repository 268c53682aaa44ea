/**
 * The processor of scenario.yml: what a virtual user does that YAML cannot say. Artillery's
 * socketio-v3 engine connects the socket (its `connect` step, with the `auth` this file puts in
 * the context); these functions sign the user in, and time the acknowledgement of every call
 * themselves, because that engine reports no latency Artillery 2 records (it emits a legacy
 * `response` event that Artillery 2 drops). Each ack's latency goes into a custom histogram:
 *
 * - `care.ack.page_subscribe`, `care.ack.wall_post` (ms, successful acks only);
 * - counters `care.ack.ok.<event>`, `care.ack.error.<event>.<code>` (`{ ok: false }` answers, by
 *   SPEC error code), `care.ack.timeout.<event>` (no answer within ACK_TIMEOUT_MS),
 *   `care.ack.not_sent.<event>` (the socket had been disconnected: the call is counted and
 *   skipped at once, so a dropped user ends in seconds instead of timing out post by post);
 * - counter `care.socket.disconnect.<reason>`: a socket dropped before its user was done
 *   (Socket.IO's reason, e.g. `ping timeout` or `transport close`);
 * - Artillery's own `errors.<message>` for a user whose socket never connected (see guardConnect);
 * - counter `care.wall_message.received`: `wall:message` events this user's socket got (others'
 *   posts fanned out to the page), added up when the user leaves.
 *
 * The same file runs against the reference server and the bare baseline (bench/artillery/
 * bare-server.ts); the baseline ignores the token. CommonJS because Artillery `require`s it;
 * no dependencies, so nothing beyond Artillery has to be installed.
 *
 * Functions take (context, events, done) as Artillery calls them; `context.sockets[NAMESPACE]`
 * is the engine's socket for the namespace (artillery-engine-socketio-v3 1.2.0 keeps it there).
 */
'use strict';

const { createHmac, randomUUID } = require('node:crypto');

/** Of src/protocol/version.ts (scenario.yml repeats both); server/test/load-scenario.test.ts keeps them equal. */
const NAMESPACE = '/care';
const PROTOCOL_VERSION = 1;
/** A virtual user's token lifetime: a user lives seconds, a run minutes; the server refuses more than CARE_MAX_TOKEN_TTL. */
const TOKEN_TTL_SECONDS = 15 * 60;
const ACK_TIMEOUT_MS = 10_000;
/** Beyond socket.io-client's own open timeout (20 s): the namespace join must be done by then. */
const CONNECT_TIMEOUT_MS = 30_000;
/** A wall message of a typical length (~140 characters), as in bench/server-bench.ts. */
const BODY = 'Thinking of you today. The whole team sends their love and we are all hoping the new treatment goes well — see you soon!';

const base64url = (value) => Buffer.from(value).toString('base64url');

/** An HS256 JWT as a host site would sign it for its signed-in visitor (SPEC section 3). */
function signToken(secret, claims) {
  const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

/**
 * A fresh signed-in visitor on one of the scenario's pages: sets `token` (the engine's
 * `connect` step sends it, with scenario.yml's `protocolVersion`, as the handshake `auth`)
 * and `pageId`.
 * `context.vars.pages` (from the run's variables) is how many pages to spread users over.
 */
function signIn(context, events, done) {
  const secret = process.env.CARE_ARTILLERY_SECRET;
  if (!secret) return done(new Error('CARE_ARTILLERY_SECRET is not set (bench/artillery/run.ts sets it)'));
  const userId = `vu-${randomUUID()}`;
  const now = Math.floor(Date.now() / 1000);
  context.vars.userId = userId;
  context.vars.token = signToken(secret, { sub: userId, name: `Visitor ${userId.slice(3, 11)}`, iat: now, exp: now + TOKEN_TTL_SECONDS });
  const pages = Math.max(1, Math.floor(Number(context.vars.pages) || 1));
  context.vars.pageId = `load-${Math.floor(Math.random() * pages)}`;
  context.vars.posted = 0;
  guardConnect(context);
  return done();
}

/**
 * The engine's `connect` step waits for `connect` or `connect_error` and nothing else, but a
 * socket whose connection closes before the namespace answers (the server closes a session
 * that has not joined within its connect timeout, 10 s here, which an overloaded server can
 * miss) gets only `disconnect`: with reconnection off, that user would wait forever and the
 * run would never end. So when the engine puts the socket into `context.sockets`, this
 * watches it, and if it closes or has not connected within CONNECT_TIMEOUT_MS, hands the
 * engine's own `connect_error` listener an error: Artillery counts it in `errors.*` and ends
 * that user, as for any refused connection.
 */
function guardConnect(context) {
  const sockets = {};
  context.sockets = new Proxy(sockets, {
    set(target, namespace, socket) {
      target[namespace] = socket;
      if (namespace === NAMESPACE && socket && typeof socket.once === 'function') watch(socket);
      return true;
    },
  });
  function watch(socket) {
    let settled = false;
    const fail = (message) => {
      if (settled || socket.connected) return;
      settled = true;
      clearTimeout(timer);
      // The engine registered these with `once`: they expect to be called on the socket.
      for (const listener of socket.listeners('connect_error')) listener.call(socket, new Error(message));
    };
    const timer = setTimeout(() => fail(`no connection within ${CONNECT_TIMEOUT_MS / 1000} s`), CONNECT_TIMEOUT_MS);
    socket.once('connect', () => {
      settled = true;
      clearTimeout(timer);
    });
    socket.once('disconnect', (reason) => fail(`closed before connecting (${reason})`));
  }
}

/**
 * Emits `event` with `payload` on the user's socket and records the acknowledgement: its
 * latency in `care.ack.<name>` when `{ ok: true }`, otherwise an error or timeout counter.
 * Never fails the user: one refused post should not end a scenario that measures the rest.
 */
function timedCall(context, events, event, payload, done) {
  const socket = context.sockets && context.sockets[NAMESPACE];
  if (!socket) return done(new Error(`no socket on ${NAMESPACE}: the scenario must "connect" with namespace ${NAMESPACE} first`));
  const name = event.replace(':', '_');
  if (!socket.connected) {
    events.emit('counter', `care.ack.not_sent.${name}`, 1);
    return done(null, null);
  }
  const started = process.hrtime.bigint();
  socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (err, answer) => {
    if (err) {
      events.emit('counter', `care.ack.timeout.${name}`, 1);
    } else if (answer && answer.ok === true) {
      events.emit('histogram', `care.ack.${name}`, Number(process.hrtime.bigint() - started) / 1e6);
      events.emit('counter', `care.ack.ok.${name}`, 1);
    } else {
      const code = (answer && answer.error && answer.error.code) || 'malformed';
      events.emit('counter', `care.ack.error.${name}.${code}`, 1);
    }
    return done(null, answer);
  });
}

/**
 * `page:subscribe {pageId}`; from then on counts the page's `wall:message` events, and a drop
 * of the socket before the user is done (reconnection is off: a dropped user stays dropped).
 */
function subscribe(context, events, done) {
  const socket = context.sockets && context.sockets[NAMESPACE];
  if (socket && !context.vars.listening) {
    context.vars.listening = true;
    context.vars.received = 0;
    socket.on('wall:message', () => {
      context.vars.received++;
    });
    socket.on('disconnect', (reason) => {
      // The engine's own close after the last step is not a drop.
      if (reason !== 'io client disconnect') events.emit('counter', `care.socket.disconnect.${reason}`, 1);
    });
  }
  return timedCall(context, events, 'page:subscribe', { pageId: context.vars.pageId }, () => done());
}

/** `wall:post` on the user's page, with a fresh idempotency key (`clientId`). */
function post(context, events, done) {
  const n = ++context.vars.posted;
  const clientId = `${context.vars.userId}-${n}`.slice(-64);
  return timedCall(context, events, 'wall:post', { pageId: context.vars.pageId, clientId, body: `${BODY} #${n}` }, () => done());
}

/** The last step: adds up what the socket received (one counter update per user, not per message). */
function signOff(context, events, done) {
  events.emit('counter', 'care.wall_message.received', context.vars.received || 0);
  return done();
}

module.exports = { signIn, subscribe, post, signOff, signToken, NAMESPACE, PROTOCOL_VERSION };
