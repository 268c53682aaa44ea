/**
 * Protocol fuzzing (issue 4): thousands of random and malformed payloads, thrown with
 * fast-check at every client event from an owner, a follower, a signed-in visitor and an
 * anonymous socket. The server must
 *  - answer every call that has an acknowledgement, with a well-formed result;
 *  - never answer `ok: true` to a payload its own schema refuses (valid-looking payloads may
 *    legitimately succeed), nor fail with `unavailable` (an unexpected exception);
 *  - never pollute `Object.prototype`, never drop a socket, keep `/healthz` at 200;
 *  - still serve well-formed requests afterwards.
 *
 * The seed is fixed and printed; `CARE_FUZZ_SEED=<n>` replays another, `CARE_FUZZ_SCALE=<x>`
 * multiplies the number of runs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { z } from 'zod';
import { CLIENT_EVENTS, ERROR_CODES, LIMITS, type ClientEventName, type JournalEntryEvent } from '../../src/protocol/index.js';
import { schemas } from '../src/socket/validation.js';
import { call, startServer, type Client, type TestServer } from './helpers.js';

const SEED = Number(process.env.CARE_FUZZ_SEED ?? 20_260_604);
const SCALE = Number(process.env.CARE_FUZZ_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
/** Calls sent at once in each run (on one socket, or spread over all of them). */
const BATCH = 6;
const MARKER = 'careFuzzPolluted';

let ts: TestServer;
let roles: { name: string; client: Client }[];
const pages: Record<'pub' | 'mem' | 'priv', string> = { pub: '', mem: '', priv: '' };
const entryIds: string[] = [];
const messageIds: string[] = [];
const prototypeKeys = {
  object: Object.getOwnPropertyNames(Object.prototype).sort(),
  array: Object.getOwnPropertyNames(Array.prototype).sort(),
  function: Object.getOwnPropertyNames(Function.prototype).sort(),
};
let totalCalls = 0;
const answered = new Map<string, number>();

before(async () => {
  console.log(`# fuzz seed ${SEED} (replay with CARE_FUZZ_SEED=${SEED})`);
  ts = await startServer(); // testConfig: rate limits off, so they never interfere.
  pages.pub = await ts.page({ visibility: 'public', followers: ['follower'] });
  pages.mem = await ts.page({ visibility: 'members', followers: ['follower'] });
  pages.priv = await ts.page({ visibility: 'private', followers: ['follower'], wallModeration: 'pre' });
  const owner = { userId: 'owner', name: 'Owner', staff: null, exp: null };
  for (const pageId of Object.values(pages)) {
    const actor = { identity: owner, ip: null };
    entryIds.push((await ts.server.service.postJournal(actor, { pageId, clientId: 'seed-j', title: 'Seed', body: 'Seed entry' })).id);
    messageIds.push((await ts.server.service.postWall(actor, { pageId, clientId: 'seed-w', body: 'Seed message' })).id);
  }
  roles = [
    { name: 'owner', client: await ts.connect('owner') },
    { name: 'follower', client: await ts.connect('follower') },
    { name: 'visitor', client: await ts.connect('visitor') },
    { name: 'anonymous', client: await ts.connect(null) },
  ];
  for (const { client } of roles) for (const pageId of Object.values(pages)) await client.call('page:subscribe', { pageId });
});

after(async () => {
  console.log(`# fuzz: ${totalCalls} calls; answers ${JSON.stringify(Object.fromEntries([...answered].sort()))}`);
  await ts?.close();
});

/* ------------------------------------------------------------------------- arbitraries */

const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'then', 'toJSON'];
const key = fc.oneof(fc.constantFrom(...DANGEROUS_KEYS), fc.string({ maxLength: 12 }));

/** An object with these entries as OWN properties, `__proto__` included (as JSON.parse makes them). */
function own(entries: [string, unknown][]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

/** A prototype-pollution attempt: `{"__proto__": {marker: true}}` and friends. */
const pollution = fc.constantFrom(
  own([['__proto__', { [MARKER]: true }]]),
  own([['constructor', { prototype: { [MARKER]: true } }]]),
  own([['pageId', 'x'], ['__proto__', own([['__proto__', { [MARKER]: true }]])]]),
  JSON.parse(`{"__proto__": {"${MARKER}": true}, "pageId": "${'p'}"}`) as Record<string, unknown>,
);

const jsonAnything = fc.oneof(
  fc.jsonValue(),
  fc.anything({ maxDepth: 3, key }),
  fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }).map((d) => own(Object.entries(d))),
  pollution,
);

const huge = (n: number) => fc.constantFrom('x', 'ü', '\u{1F600}', ' ', '\n').map((c) => c.repeat(Math.ceil(n / c.length)));
/** Values of the wrong type, or of the right type with absurd contents. */
const wrongValue = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, -0.5, 1.5, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 1e308, '', ' ', '\n\t ', '0', 'null', [], {}, { $gt: '' }, ['a'], '../../etc/passwd', '<script>alert(1)</script>', "' OR 1=1 --", '\u0000', '\ud800'),
  fc.integer({ min: -1_000_000, max: -1 }),
  fc.double({ noNaN: false }),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  huge(LIMITS.titleMax + 1),
  huge(LIMITS.wallBodyMax + 1),
  fc.integer({ min: LIMITS.journalBodyMax + 1, max: 30_000 }).chain((n) => huge(n)),
  fc.jsonValue({ maxDepth: 2 }),
);

/* ------------------------------------------- valid payloads, built from the server's schemas */

type Shape = Record<string, z.ZodType>;
const shapeOf = (event: ClientEventName): Shape | null => (schemas as unknown as Record<string, { shape?: Shape } | undefined>)[event]?.shape ?? null;

/** Candidate values by field name; each is filtered through the field's own schema. */
function candidates(field: string): unknown[] {
  const ids = ['no-such-id', 'x', ...entryIds, ...messageIds];
  const users = ['owner', 'follower', 'visitor', 'editor', 'nobody', 'x'];
  const byName: Record<string, unknown[]> = {
    pageId: [...Object.values(pages), 'no-such-page', 'a'],
    entryId: ids,
    messageId: ids,
    userId: users,
    clientId: ['c1', 'client-2', 'A_b-3'],
    title: ['Hello', ' spaced ', '**bold**', 'x'.repeat(LIMITS.titleMax)],
    body: ['Body', 'line\nline', '[link](javascript:alert(1))', '<img src=x onerror=alert(1)>', 'x'.repeat(LIMITS.wallBodyMax)],
    token: ['not-a-jwt', 'a.b.c'],
    stream: ['journal', 'wall'],
    since: [undefined, 0, 1, 5, 1_000_000],
    before: [0, 1, 3, 100, Number.MAX_SAFE_INTEGER],
    limit: [1, 10, LIMITS.historyLimitMax],
    // SPEC 6.1.
    visibility: [undefined, 'public', 'members', 'private'],
    wallModeration: [undefined, 'post', 'pre'],
    code: ['AAAAAAAAAAAAAAAAAAAAAA', 'no-such-invitation-code-0123456789'],
    expiresInHours: [1, 24, 720],
    maxUses: [1, 5, 100],
  };
  return byName[field] ?? [true, false, undefined, 'x', 'value', 1, 0, 10, 'journal', 'wall', ...users, ...ids];
}

/** A generator of payloads the schema accepts, or `null` when it cannot make one for some field. */
function validPayload(event: ClientEventName): fc.Arbitrary<Record<string, unknown>> | null {
  const shape = shapeOf(event);
  if (!shape) return null;
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [field, schema] of Object.entries(shape)) {
    const ok = candidates(field).filter((v) => schema.safeParse(v).success);
    if (ok.length === 0) return null;
    fields[field] = fc.constantFrom(...ok);
  }
  return fc.record(fields).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));
}

/** A valid payload with one or two things broken. */
function mutated(event: ClientEventName): fc.Arbitrary<unknown> {
  const base = validPayload(event);
  if (!base) return jsonAnything;
  const mutation = fc.oneof(
    // One field of the wrong type or with absurd contents.
    fc.tuple(fc.nat(), wrongValue).map(([i, v]) => (p: Record<string, unknown>) => {
      const keys = Object.keys(p);
      if (keys.length === 0) return p;
      return { ...p, [keys[i % keys.length]!]: v };
    }),
    // A field missing.
    fc.nat().map((i) => (p: Record<string, unknown>) => {
      const keys = Object.keys(p);
      const drop = keys[i % Math.max(1, keys.length)];
      return Object.fromEntries(Object.entries(p).filter(([k]) => k !== drop));
    }),
    // An extra key, dangerous ones included.
    fc.tuple(key, fc.jsonValue({ maxDepth: 1 })).map(([k, v]) => (p: Record<string, unknown>) => own([...Object.entries(p), [k, v]])),
    // The payload wrapped, or replaced by one of its values.
    fc.constantFrom(
      (p: Record<string, unknown>) => [p],
      (p: Record<string, unknown>) => Object.values(p)[0],
      (p: Record<string, unknown>) => JSON.stringify(p),
      (p: Record<string, unknown>) => ({ payload: p }),
    ),
  );
  return fc.tuple(base, fc.array(mutation, { minLength: 1, maxLength: 2 })).map(([p, ms]) => ms.reduce<unknown>((acc, m) => (typeof acc === 'object' && acc !== null && !Array.isArray(acc) ? m(acc as Record<string, unknown>) : acc), p));
}

const anyEvent = fc.constantFrom(...CLIENT_EVENTS);
const anyRole = fc.nat({ max: 3 });

/* ---------------------------------------------------------------------------- the oracle */

/** What the server receives: Socket.IO sends JSON, so `undefined` becomes `null` and so on. */
const wire = (args: unknown[]): unknown[] => JSON.parse(JSON.stringify(args)) as unknown[];

function validOnWire(event: ClientEventName, args: unknown[]): boolean {
  if (args.length !== 1) return false;
  const schema = (schemas as Record<string, z.ZodType | undefined>)[event];
  assert.ok(schema, `the server has a schema for ${event}`);
  const [payload] = wire(args);
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return false;
  return schema.safeParse(payload).success;
}

interface Case {
  role: number;
  event: ClientEventName;
  args: unknown[];
}

/** Sends one call and checks its answer against the properties. */
async function check({ role, event, args }: Case): Promise<void> {
  const { name, client } = roles[role]!;
  const what = `${name} ${event}(${JSON.stringify(args).slice(0, 300)})`;
  const answer = (await call(client.socket, event, ...args)) as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  totalCalls++;
  assert.equal(typeof answer, 'object', `${what}: an object answer`);
  assert.ok(answer !== null, `${what}: an object answer`);
  const outcome = answer.ok === true ? 'ok' : String(answer.error?.code);
  answered.set(outcome, (answered.get(outcome) ?? 0) + 1);
  if (answer.ok === true) {
    assert.ok(validOnWire(event, args), `${what}: answered ok to a payload the schema refuses: ${JSON.stringify(answer).slice(0, 300)}`);
  } else {
    assert.equal(answer.ok, false, `${what}: ok is a boolean`);
    assert.ok(ERROR_CODES.includes(answer.error?.code as never), `${what}: a known error code, got ${JSON.stringify(answer.error)}`);
    assert.notEqual(answer.error?.code, 'unavailable', `${what}: the server threw instead of refusing`);
    assert.equal(typeof answer.error?.message, 'string');
    assert.ok((answer.error!.message as string).length > 0);
  }
  assert.equal((Object.prototype as Record<string, unknown>)[MARKER], undefined, `${what}: Object.prototype polluted`);
}

const cases = (payload: (event: ClientEventName) => fc.Arbitrary<unknown[]>) =>
  fc.array(
    fc.tuple(anyRole, anyEvent).chain(([role, event]) => payload(event).map((args): Case => ({ role, event, args }))),
    { minLength: BATCH, maxLength: BATCH },
  );

async function runBatch(batch: Case[]): Promise<void> {
  await Promise.all(batch.map(check));
}

/* -------------------------------------------------------------------------------- tests */

describe('protocol fuzzing', () => {
  it('survives arbitrary JSON values, objects with hostile keys and pollution attempts', async () => {
    await fc.assert(fc.asyncProperty(cases(() => jsonAnything.map((p) => [p])), runBatch), { seed: SEED, numRuns: runs(400) });
  });

  it('survives valid payloads with wrong types, missing or extra fields, huge strings and negative numbers', async () => {
    await fc.assert(fc.asyncProperty(cases((event) => mutated(event).map((p) => [p])), runBatch), { seed: SEED + 1, numRuns: runs(600) });
  });

  it('answers valid-looking payloads without crashing (any of them may succeed)', async () => {
    await fc.assert(
      fc.asyncProperty(
        cases((event) => (validPayload(event) ?? jsonAnything).map((p) => [p])),
        runBatch,
      ),
      { seed: SEED + 2, numRuns: runs(150) },
    );
  });

  it('refuses the wrong number of arguments', async () => {
    const arity = fc.oneof(fc.constant([] as unknown[]), fc.array(jsonAnything, { minLength: 2, maxLength: 4 }));
    await fc.assert(fc.asyncProperty(cases(() => arity), runBatch), { seed: SEED + 3, numRuns: runs(80) });
  });

  it('ignores calls without an acknowledgement', async () => {
    await fc.assert(
      fc.asyncProperty(fc.tuple(anyRole, anyEvent, fc.array(jsonAnything, { maxLength: 3 })), async ([role, event, args]) => {
        const { client } = roles[role]!;
        (client.socket as unknown as { emit(ev: string, ...a: unknown[]): void }).emit(event, ...args);
        await client.barrier();
        totalCalls++;
      }),
      { seed: SEED + 4, numRuns: runs(200) },
    );
  });

  it('afterwards: alive, unpolluted, every socket connected, well-formed requests work', async () => {
    assert.ok(totalCalls >= runs(5_000) && totalCalls >= 1_000, `thousands of calls were made (${totalCalls})`);
    const health = await ts.rest('GET', '/healthz');
    assert.equal(health.status, 200);
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeKeys.object);
    assert.deepEqual(Object.getOwnPropertyNames(Array.prototype).sort(), prototypeKeys.array);
    assert.deepEqual(Object.getOwnPropertyNames(Function.prototype).sort(), prototypeKeys.function);
    assert.equal(({} as Record<string, unknown>)[MARKER], undefined);
    for (const { name, client } of roles) assert.equal(client.socket.connected, true, `${name} is still connected`);

    const [owner, follower, visitor, anonymous] = roles.map((r) => r.client) as [Client, Client, Client, Client];
    const pageId = await ts.page({ visibility: 'public', followers: ['follower'] });
    for (const c of [owner, follower, visitor, anonymous]) await c.ok('page:subscribe', { pageId });
    const mark = follower.mark();
    const entry = await owner.ok('journal:post', { pageId, clientId: 'after-fuzz', title: 'Still fine', body: 'After the storm.' });
    await follower.waitFor<JournalEntryEvent>('journal:entry', (e) => e.entry.id === entry.entry.id, mark);
    const wall = await visitor.ok('wall:post', { pageId, clientId: 'after-fuzz', body: 'Thinking of you' });
    await follower.ok('wall:heart', { pageId, messageId: wall.message.id, on: true });
    const history = await anonymous.ok('history:load', { pageId, stream: 'wall', before: Number.MAX_SAFE_INTEGER, limit: 5 });
    assert.deepEqual(history.items.map((m) => m.id), [wall.message.id]);
    await anonymous.fails('wall:post', { pageId, clientId: 'anon', body: 'no' }, 'unauthorized');
  });
});
