/**
 * Two real server processes sharing PostgreSQL (DATABASE_URL) and Redis (REDIS_URL): a reader
 * on node A receives, in order and once, what a writer on node B posts; node A is SIGKILLed
 * mid-stream, the reader reconnects to node B and catches up with no gap and no duplicate;
 * nothing acknowledged before the kill is lost. The reader uses the widgets' own PageStore.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import { PageStore, type Answer, type LiveEvent, type Payload, type StoreTransport } from '../../src/client/page-store.js';
import type { ClientEventName, ClientToServerEvents, ServerToClientEvents } from '../../src/protocol/index.js';
import { signDemoToken } from '../src/demo/token.js';
import { freshPostgres } from './pg.js';

const DATABASE_URL = process.env.DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL;
const serverDir = fileURLToPath(new URL('../', import.meta.url));
const secret = randomBytes(16).toString('hex');

type CareClient = Socket<ServerToClientEvents, ClientToServerEvents>;

interface Node {
  proc: ChildProcess;
  url: string;
}

/** Starts `src/main.ts` as its own process and resolves with the URL it prints. */
function startNode(db: string): Promise<Node> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: serverDir,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CARE_DB: db, REDIS_URL, CARE_JWT_SECRET: secret, CARE_DEMO: '', CARE_RATE_WRITES: '1000/10', CARE_RATE_READS: '8/60' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`node did not start: ${out}`)), 30_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /server on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]!.replace('localhost', '127.0.0.1') });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    proc.on('exit', (code) => reject(new Error(`node exited (${code}): ${out}`)));
  });
}

async function connect(url: string, user: string): Promise<CareClient> {
  const socket: CareClient = io(`${url}/care`, { auth: { token: await signDemoToken(secret, user), protocolVersion: 1 }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/** The widgets' store over a socket that can be swapped for one on another node. */
class SwitchableTransport implements StoreTransport {
  readonly userId = 'reader';
  constructor(public socket: CareClient) {}
  async call<E extends ClientEventName>(event: E, payload: Payload<E>): Promise<Answer<E>> {
    if (!this.socket.connected) return { ok: false, error: { code: 'unavailable', message: 'offline' } } as Answer<E>;
    try {
      const timed = this.socket.timeout(5_000) as unknown as { emitWithAck(ev: E, p: Payload<E>): Promise<Answer<E>> };
      return await timed.emitWithAck(event, payload);
    } catch {
      return { ok: false, error: { code: 'unavailable', message: 'timeout' } } as Answer<E>;
    }
  }
}

function feed(store: PageStore, socket: CareClient): void {
  for (const type of ['journal:entry', 'journal:removed', 'wall:message', 'wall:removed', 'wall:hearts', 'follow:count', 'page:updated'] as const) {
    socket.on(type as 'wall:message', (data) => store.receive({ type, data } as LiveEvent));
  }
}

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('two nodes on PostgreSQL and Redis', { skip: DATABASE_URL && REDIS_URL ? false : 'DATABASE_URL and REDIS_URL are not both set' }, () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let a: Node;
  let b: Node;
  const sockets: CareClient[] = [];

  before(async () => {
    db = await freshPostgres(DATABASE_URL!);
    a = await startNode(db.url); // first alone: it runs the migrations
    b = await startNode(db.url);
    const admin = await signDemoToken(secret, 'admin');
    const res = await fetch(`${a.url}/api/pages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'multi', title: 'Multi', visibility: 'public', owners: ['owner'] }),
    });
    assert.equal(res.status, 201);
  });

  after(async () => {
    for (const s of sockets) s.disconnect();
    for (const n of [a, b]) n?.proc.kill('SIGKILL');
    await db?.drop();
  });

  it('delivers across nodes in order, and survives SIGKILL of the reader\'s node with no gap, duplicate or loss', async () => {
    const readerSocket = await connect(a.url, 'reader');
    const writer = await connect(b.url, 'writer');
    sockets.push(readerSocket, writer);
    const transport = new SwitchableTransport(readerSocket);
    const store = new PageStore('multi', transport);
    feed(store, readerSocket);
    const seen: number[] = [];
    store.listen(() => {
      for (const m of store.state.wall) if (!seen.includes(m.seq)) seen.push(m.seq);
    });
    await store.sync();
    assert.equal(store.state.status, 'ready');

    const acked: { id: string; seq: number }[] = [];
    const TOTAL = 60;
    const KILL_AT = 20;
    let killed = false;
    for (let i = 0; i < TOTAL; i++) {
      const res = (await writer.emitWithAck('wall:post', { pageId: 'multi', clientId: `m-${i}`, body: `message ${i}` })) as { ok: boolean; message: { id: string; seq: number } };
      assert.equal(res.ok, true, `post ${i}: ${JSON.stringify(res)}`);
      acked.push({ id: res.message.id, seq: res.message.seq });
      if (i === KILL_AT - 1) {
        // Everything so far arrives live on node A, in order, once.
        await until(() => store.state.wall.length === KILL_AT, 'live delivery across nodes');
        assert.deepEqual(store.state.wall.map((m) => m.body).reverse(), acked.map((_, j) => `message ${j}`));
        a.proc.kill('SIGKILL');
        killed = true;
        await until(() => !readerSocket.connected, 'the reader to notice node A died');
      }
      if (killed && i === KILL_AT + 10) {
        // Reconnect to node B and catch up with `since`, as the widgets do on reconnect.
        const next = await connect(b.url, 'reader');
        sockets.push(next);
        transport.socket = next;
        feed(store, next);
        await store.sync();
      }
    }
    await until(() => store.state.wall.length === TOTAL, 'catch-up and live delivery on node B');
    const got = store.state.wall.map((m) => m.id).reverse();
    assert.deepEqual(got, acked.map((m) => m.id), 'every acknowledged post once, in order');
    assert.equal(new Set(got).size, TOTAL);
    assert.equal(store.state.seq, acked.at(-1)!.seq);

    // Nothing acknowledged is lost on the server either.
    const admin = await signDemoToken(secret, 'admin');
    const exported = (await (await fetch(`${b.url}/api/pages/multi/export`, { headers: { authorization: `Bearer ${admin}` } })).json()) as { wall: { id: string }[] };
    assert.deepEqual(exported.wall.map((m) => m.id), acked.map((m) => m.id));
    store.close();
  });

  it('shares rate-limit counters between the nodes through Redis', async () => {
    // 8 subscribes a minute per user (set above): 4 on node B and 4 more on node A use the
    // budget up; the 9th is refused on either node. Counted per node, neither would refuse.
    const onB = await connect(b.url, 'counter');
    sockets.push(onB);
    for (let i = 0; i < 4; i++) assert.equal(((await onB.emitWithAck('page:subscribe', { pageId: 'multi' })) as { ok: boolean }).ok, true);
    const alive = a.proc.exitCode === null && a.proc.signalCode === null ? a : await startNode(db.url);
    const onA = await connect(alive.url, 'counter');
    sockets.push(onA);
    if (alive !== a) a = alive;
    for (let i = 0; i < 4; i++) assert.equal(((await onA.emitWithAck('page:subscribe', { pageId: 'multi' })) as { ok: boolean }).ok, true);
    const refused = (await onB.emitWithAck('page:subscribe', { pageId: 'multi' })) as { ok: boolean; error?: { code: string } };
    assert.equal(refused.ok, false);
    assert.equal(refused.error?.code, 'rate_limited');
  });
});
