/**
 * One client process of the connect benchmarks (bench/connects.ts forks several, so the
 * clients are not what limits a wave of 10,000 connects). Each holds a share of the sockets
 * and answers commands over the IPC channel:
 *
 * - `prepare`: signs the JWTs of sockets `from`..`to`-1 (user `u<i>`), outside the timed wave.
 * - `open`: connects sockets `from`..`to`-1 (at most `concurrency` in flight) and, once each is
 *   connected, joins its room (bare server) or `page:subscribe`s to its page with its own real
 *   JWT (ours). Answers when every socket is in. With `reconnect` options the sockets
 *   reconnect the way the widgets do (Socket.IO's Manager with the client's schedule), and on
 *   every reconnect resubscribe as the widgets' PageStore does: with `since`, live events held
 *   back until the answer, then applied in `seq` order, older ones dropped.
 * - `expect`: the posts each page must end with (ids in `seq` order); answers when every
 *   socket holds exactly those, or at the deadline, with what was lost, duplicated or out of
 *   order, and when the last socket caught up.
 * - `rearm` (before a storm: caught up then means connected again since), `close`.
 */
import { io, type Socket } from 'socket.io-client';
import { NAMESPACE, PROTOCOL_VERSION } from '../src/protocol/index.js';
import { signDemoToken } from '../server/src/demo/token.js';
import { answer, type IpcCommand } from './ipc-child.js';

type Msg = IpcCommand;
const send = (m: unknown) => process.send!(m);
if (!process.send) {
  console.error('bench/connect-clients.ts runs as a child of bench/connects.ts (it needs an IPC channel).');
  process.exit(2);
}

interface OpenArgs {
  kind: 'floor' | 'care';
  url: string;
  from: number;
  to: number;
  pages: number;
  secret?: string;
  concurrency: number;
  /** Socket.IO Manager reconnection options; absent: no reconnection. */
  reconnect?: { reconnectionDelay: number; reconnectionDelayMax: number; randomizationFactor: number };
  timeoutMs: number;
}

interface WallEvent {
  pageId: string;
  seq: number;
  message: { id: string };
}

/** One socket and what it holds of its page, kept as the widgets' PageStore keeps it. */
class Client {
  seq = -1;
  /** Wall message ids in the order they were applied. */
  readonly applied: string[] = [];
  syncing = false;
  buffer: WallEvent[] = [];
  /** Events dropped because their seq was not above the applied one (a catch-up and the live stream overlapping). */
  overlaps = 0;
  /** Live events that skipped a seq (the PageStore would resync). */
  gaps = 0;
  resets = 0;
  connects = 0;
  /** `connects` when the current storm was armed: caught up means connected again since. */
  connectsAtArm = 0;
  failedSubscribes = 0;
  caughtUpAt = 0;

  constructor(
    readonly socket: Socket,
    readonly room: string,
    readonly kind: 'floor' | 'care',
  ) {}

  apply(e: WallEvent): void {
    if (e.seq <= this.seq) {
      this.overlaps++;
      return;
    }
    if (this.seq >= 0 && e.seq !== this.seq + 1) this.gaps++;
    this.seq = e.seq;
    this.applied.push(e.message.id);
    onChange(this);
  }
}

const clients: Client[] = [];
let expected: Map<string, string[]> | null = null;
let waiting: { resolve(): void } | null = null;
let errors = 0;

function caughtUp(c: Client): boolean {
  if (c.syncing || !c.socket.connected || c.connects <= c.connectsAtArm) return false;
  if (c.kind === 'floor') return true;
  const want = expected?.get(c.room);
  if (!want || c.applied.length < want.length) return false;
  return true;
}

let left = 0;
const done = new Set<Client>();
function onChange(c: Client): void {
  if (!expected || done.has(c) || !caughtUp(c)) return;
  done.add(c);
  c.caughtUpAt = Date.now();
  if (--left === 0) waiting?.resolve();
}

async function sync(c: Client, timeoutMs: number): Promise<void> {
  c.syncing = true;
  try {
    if (c.kind === 'floor') {
      await c.socket.timeout(timeoutMs).emitWithAck('join', c.room);
      return;
    }
    const since = c.seq >= 0 ? c.seq : undefined;
    const r = (await c.socket.timeout(timeoutMs).emitWithAck('page:subscribe', since === undefined ? { pageId: c.room } : { pageId: c.room, since })) as {
      ok: boolean;
      seq: number;
      events?: { type: string; data: WallEvent }[];
      reset?: boolean;
      snapshot?: { wall: { id: string; seq: number }[] };
    };
    if (!r.ok) {
      c.failedSubscribes++;
      return;
    }
    if (since === undefined || r.reset) {
      if (r.reset) c.resets++;
      // A snapshot: the page as it is now (newest first), then live from its seq on.
      c.applied.length = 0;
      for (const m of [...(r.snapshot?.wall ?? [])].reverse()) c.applied.push(m.id);
      c.seq = r.seq;
    } else {
      for (const e of r.events ?? []) if (e.type === 'wall:message') c.apply(e.data);
      c.seq = Math.max(c.seq, r.seq);
    }
  } catch {
    c.failedSubscribes++;
  } finally {
    c.syncing = false;
    const held = c.buffer.sort((a, b) => a.seq - b.seq);
    c.buffer = [];
    for (const e of held) c.apply(e);
    c.connects++;
    onChange(c);
  }
}

function connectOne(a: OpenArgs, i: number, token: string | null): Promise<Client> {
  const room = `p${i % a.pages}`;
  const reconnection = a.reconnect !== undefined;
  const socket = io(`${a.url}${a.kind === 'floor' ? '/floor' : NAMESPACE}`, {
    auth: a.kind === 'floor' ? {} : { protocolVersion: PROTOCOL_VERSION, token },
    transports: ['websocket'],
    forceNew: true,
    reconnection,
    ...(a.reconnect ?? {}),
    timeout: a.timeoutMs,
  });
  const c = new Client(socket, room, a.kind);
  socket.on('wall:message', (e: WallEvent) => {
    if (c.syncing) c.buffer.push(e);
    else c.apply(e);
  });
  socket.on('connect_error', () => errors++);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket ${i} did not connect within ${a.timeoutMs} ms`)), a.timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      void sync(c, a.timeoutMs).then(() => resolve(c));
      // Every later connect is a reconnect: resubscribe from what is held.
      socket.on('connect', () => void sync(c, a.timeoutMs));
    });
    if (!reconnection) socket.once('connect_error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

const tokens = new Map<number, string>();

/** Signs every socket's own JWT ahead of the wave, so signing is not part of its time. */
async function prepare(a: { from: number; to: number; secret: string }): Promise<number> {
  tokens.clear();
  for (let i = a.from; i < a.to; i++) tokens.set(i, await signDemoToken(a.secret, `u${i}`, 3600));
  return tokens.size;
}

async function open(a: OpenArgs): Promise<{ opened: number; failedSubscribes: number }> {
  let next = a.from;
  const worker = async () => {
    while (next < a.to) {
      const i = next++;
      clients.push(await connectOne(a, i, tokens.get(i) ?? null));
    }
  };
  await Promise.all(Array.from({ length: Math.min(a.concurrency, a.to - a.from) }, worker));
  return { opened: clients.length, failedSubscribes: clients.reduce((n, c) => n + c.failedSubscribes, 0) };
}

/** Waits until every socket holds exactly `posts[page]` (or the deadline) and reports. */
async function expect(a: { posts: Record<string, string[]>; deadlineMs: number }) {
  expected = new Map(Object.entries(a.posts));
  done.clear();
  left = clients.length;
  const finished = new Promise<void>((resolve) => (waiting = { resolve }));
  for (const c of clients) onChange(c);
  if (left > 0) await Promise.race([finished, new Promise((r) => setTimeout(r, a.deadlineMs))]);
  waiting = null;
  let lost = 0;
  let duplicated = 0;
  let misordered = 0;
  let exact = 0;
  for (const c of clients) {
    if (c.kind === 'floor') continue;
    const want = expected.get(c.room) ?? [];
    const have = c.applied;
    const seen = new Set(have);
    duplicated += have.length - seen.size;
    lost += want.filter((id) => !seen.has(id)).length;
    if (have.join() === want.join()) exact++;
    else if (seen.size === want.length && want.every((id) => seen.has(id))) misordered++;
  }
  const times = clients.map((c) => c.caughtUpAt).filter((t) => t > 0);
  return {
    sockets: clients.length,
    caughtUp: done.size,
    lastAt: times.length ? Math.max(...times) : 0,
    exact,
    lost,
    duplicated,
    misordered,
    overlaps: clients.reduce((n, c) => n + c.overlaps, 0),
    gaps: clients.reduce((n, c) => n + c.gaps, 0),
    resets: clients.reduce((n, c) => n + c.resets, 0),
    failedSubscribes: clients.reduce((n, c) => n + c.failedSubscribes, 0),
    connectErrors: errors,
    connected: clients.filter((c) => c.socket.connected).length,
  };
}

/** Forgets the caught-up marks, so the next `expect` measures the next storm. */
function rearm(): boolean {
  expected = null;
  done.clear();
  errors = 0;
  for (const c of clients) {
    c.caughtUpAt = 0;
    c.connectsAtArm = c.connects;
  }
  return true;
}

async function close(): Promise<boolean> {
  for (const c of clients) c.socket.disconnect();
  clients.length = 0;
  await new Promise((r) => setTimeout(r, 100));
  return true;
}

const commands: Record<string, (args: any) => unknown> = { prepare, open, expect, rearm, close, ping: () => true };

process.on('message', (m: Msg) => {
  answer(commands, m);
});
process.on('disconnect', () => process.exit(0));
send({ ready: true });
