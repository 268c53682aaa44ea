/**
 * The server side of the server benchmarks, run in a CHILD process (`node --expose-gc --import
 * tsx bench/servers.ts`, started by bench/server-bench.ts through `fork`) so the clients and the
 * servers never share an event loop. It answers commands over the IPC channel:
 *
 * - `floor`: a bare Socket.IO server (namespace `/floor`), no auth, no validation, no storage:
 *   `join(room, ack)`, `post(payload, ack)` broadcasts `message` to the room, `echo(payload,
 *   ack)` answers the payload, `fetch(ack)` answers a payload set with `setFetch`.
 * - `care`: the real server from server/src/app.ts on SQLite (temp file, WAL) or PostgreSQL
 *   (a fresh schema, dropped at `stop`).
 * - `page`, `seed` (wall posts through the real PageService), `edits` (one journal entry
 *   posted, then edited `n` times, through the real PageService), `mem` (gc, then memoryUsage),
 *   `heapSnapshot` (gc, then a V8 heap snapshot file, for finding what `mem` grew by),
 *   `stop` (closes everything and exits).
 * - For bench/connects.ts: `floorAt` / `careAt` (a given port, and for ours a given SQLite file
 *   and secret, so a second child can take over from a killed one), `posts` (wall posts on
 *   many pages, answering their ids and seqs), `cpu` (process.cpuUsage()).
 *
 * Everything listens on 127.0.0.1 only. The process exits by itself when its parent goes away.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { writeHeapSnapshot } from 'node:v8';
import { join } from 'node:path';
import { Server, type Namespace } from 'socket.io';
import { createCareServer, type CareServer } from '../server/src/app.js';
import { configFromEnv } from '../server/src/config.js';
import { freshPostgres } from '../server/test/pg.js';
import { answer, type IpcCommand } from './ipc-child.js';

type Msg = IpcCommand;

const send = (m: unknown) => process.send!(m);
if (!process.send) {
  console.error('bench/servers.ts runs as a child of bench/server-bench.ts (it needs an IPC channel).');
  process.exit(2);
}

const closers: (() => Promise<void>)[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'care-bench-'));
closers.push(async () => rmSync(tmp, { recursive: true, force: true }));

const cares = new Map<string, CareServer>();
let floorFetch: unknown = { ok: true };
let floorSeq = 0;

function listen(http: HttpServer): Promise<string> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(http.address() as AddressInfo).port}`));
  });
}

async function startFloor(): Promise<{ url: string }> {
  const http = createServer();
  const io = new Server(http, { serveClient: false });
  const ns: Namespace = io.of('/floor');
  ns.on('connection', (socket) => {
    socket.on('join', (room: string, ack: (r: unknown) => void) => {
      void socket.join(room);
      ack({ ok: true });
    });
    socket.on('post', (payload: { room: string }, ack: (r: unknown) => void) => {
      const seq = ++floorSeq;
      ns.to(payload.room).emit('message', { room: payload.room, seq, message: { ...payload, seq, at: new Date().toISOString() } });
      ack({ ok: true, seq });
    });
    socket.on('echo', (payload: object, ack: (r: unknown) => void) => ack({ ok: true, ...payload }));
    socket.on('fetch', (ack: (r: unknown) => void) => ack(floorFetch));
  });
  const url = await listen(http);
  closers.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
  return { url };
}

async function startCare(args: { name: string; db: 'sqlite' | 'postgres'; pgBase?: string; secret: string }): Promise<{ url: string }> {
  let db: string;
  if (args.db === 'sqlite') {
    db = `sqlite:${join(tmp, `${args.name}.db`)}`;
  } else {
    const fresh = await freshPostgres(args.pgBase!);
    closers.push(() => fresh.drop());
    db = fresh.url;
  }
  const config = configFromEnv({ CARE_DB: db, CARE_JWT_SECRET: args.secret, CARE_RATE_LIMITS: 'off', PORT: '0' }, { distDir: '', demoDir: '' });
  const server = await createCareServer(config);
  const url = await server.listen(0, '127.0.0.1');
  cares.set(args.name, server);
  // Closed first (unshift): its storage must close before a PostgreSQL schema is dropped.
  closers.unshift(async () => {
    server.http.closeAllConnections();
    await server.close();
  });
  return { url };
}

function care(name: string): CareServer {
  const s = cares.get(name);
  if (!s) throw new Error(`no care server "${name}"`);
  return s;
}

async function createPage(args: { server: string; id: string }): Promise<string> {
  await care(args.server).storage.createPage({ id: args.id, title: `Bench ${args.id}`, visibility: 'public', wallModeration: 'post', owners: ['owner'], editors: [] });
  return args.id;
}

/** `n` wall posts through the real service path (access check, storage, fan-out, audit). */
async function seed(args: { server: string; pageId: string; n: number; body: string }): Promise<number> {
  const s = care(args.server);
  let seq = 0;
  for (let i = 0; i < args.n; i++) {
    const userId = `seeder-${i % 20}`;
    const m = await s.service.postWall({ identity: { userId, name: userId, staff: null, exp: null }, ip: '127.0.0.1' }, { pageId: args.pageId, clientId: `seed-${Date.now()}-${i}`, body: `${args.body} #${i}` });
    seq = m.seq;
  }
  return seq;
}

/** One journal entry of `length` characters, then `n` edits of it (each as long). */
async function edits(args: { server: string; pageId: string; n: number; length: number }): Promise<number> {
  const s = care(args.server);
  const actor = { identity: { userId: 'owner', name: 'Owner', staff: null, exp: null }, ip: '127.0.0.1' };
  const body = (i: number) => `${i} ${'x'.repeat(args.length)}`.slice(0, args.length);
  const entry = await s.service.postJournal(actor, { pageId: args.pageId, clientId: `edits-${Date.now()}`, title: 'Update', body: body(0) });
  for (let i = 1; i <= args.n; i++) await s.service.editJournal(actor, { pageId: args.pageId, entryId: entry.id, title: 'Update', body: body(i) });
  return args.n;
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 20));

async function mem(): Promise<NodeJS.MemoryUsage & { sockets: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 4; i++) {
    gc?.();
    await tick();
  }
  let sockets = 0;
  for (const s of cares.values()) sockets += s.ns.sockets.size;
  return { ...process.memoryUsage(), sockets };
}

/** The inspector's CPU profiler, for `profileStart` / `profileStop`. */
const profiler = {
  session: null as Session | null,
  async start(): Promise<boolean> {
    this.session ??= new Session();
    this.session.connect();
    await this.post('Profiler.enable');
    await this.post('Profiler.start');
    return true;
  },
  async stop(file: string): Promise<string> {
    const { profile } = (await this.post('Profiler.stop')) as { profile: unknown };
    this.session?.disconnect();
    writeFileSync(file, JSON.stringify(profile));
    return file;
  },
  post(method: string): Promise<unknown> {
    return new Promise((resolve, reject) => this.session!.post(method, (err, value) => (err ? reject(err) : resolve(value))));
  },
};

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const c of closers) {
    try {
      await Promise.race([c(), new Promise((r) => setTimeout(r, 5_000).unref())]);
    } catch (err) {
      console.error('[bench servers] close failed:', err);
    }
  }
}

/* ------------------------------------------------ bench/connects.ts: fixed port and database */

/**
 * For the reconnect storm: a server on a given port (0: any) and, for ours, a given SQLite
 * file and secret, so that a new child started after the first was killed (SIGKILL, no clean
 * up) serves the same clients from the same data. The bare server's `join` is the same.
 */
async function floorAt(args: { port: number }): Promise<{ url: string }> {
  const http = createServer();
  const io = new Server(http, { serveClient: false });
  io.of('/floor').on('connection', (socket) => {
    socket.on('join', (room: string, ack: (r: unknown) => void) => {
      void socket.join(room);
      ack({ ok: true });
    });
  });
  const url = await listenAt(http, args.port);
  closers.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
  return { url };
}

async function careAt(args: { name: string; port: number; dbFile: string; secret: string }): Promise<{ url: string }> {
  const config = configFromEnv({ CARE_DB: `sqlite:${args.dbFile}`, CARE_JWT_SECRET: args.secret, CARE_RATE_LIMITS: 'off', PORT: '0' }, { distDir: '', demoDir: '' });
  const server = await createCareServer(config);
  const url = await server.listen(args.port, '127.0.0.1');
  cares.set(args.name, server);
  closers.unshift(async () => {
    server.http.closeAllConnections();
    await server.close();
  });
  return { url };
}

function listenAt(http: HttpServer, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', () => resolve(`http://127.0.0.1:${(http.address() as AddressInfo).port}`));
  });
}

/** `perPage` wall posts on each page, through the real service; answers each post's id and seq. */
async function posts(args: { server: string; pageIds: string[]; perPage: number; tag: string }): Promise<{ pageId: string; id: string; seq: number }[]> {
  const s = care(args.server);
  const out: { pageId: string; id: string; seq: number }[] = [];
  for (let k = 0; k < args.perPage; k++) {
    for (const pageId of args.pageIds) {
      const userId = `writer-${k % 5}`;
      const m = await s.service.postWall({ identity: { userId, name: userId, staff: null, exp: null }, ip: '127.0.0.1' }, { pageId, clientId: `${args.tag}-${pageId}-${k}`, body: `${args.tag} ${k}` });
      out.push({ pageId, id: m.id, seq: m.seq });
    }
  }
  return out;
}

const commands: Record<string, (args: any) => unknown> = {
  floor: startFloor,
  care: startCare,
  page: createPage,
  seed,
  edits,
  setFetch: (payload: unknown) => {
    floorFetch = payload;
    return true;
  },
  mem,
  /** For digging into `mem`: writes a V8 heap snapshot (after gc) and answers its path. */
  heapSnapshot: async (args: { dir?: string }) => {
    await mem();
    return writeHeapSnapshot(args?.dir ? join(args.dir, `servers-${process.pid}-${Date.now()}.heapsnapshot`) : undefined);
  },
  ping: () => true,
  /** bench/writes.ts: the process's CPU time so far (user + system, µs), for CPU per acknowledged post. */
  cpu: () => process.cpuUsage(),
  /** bench/writes.ts `--profile=<dir>`: a V8 CPU profile of just the measured load (not start-up). */
  profileStart: () => profiler.start(),
  profileStop: (args: { file: string }) => profiler.stop(args.file),
  floorAt,
  careAt,
  posts,
};

process.on('message', (m: Msg) => {
  if (m.cmd === 'stop') {
    void stop().then(() => {
      send({ id: m.id, ok: true, value: true });
      setTimeout(() => process.exit(0), 50);
    });
    return;
  }
  answer(commands, m);
});

// The parent went away (crash, Ctrl-C): clean up and leave.
process.on('disconnect', () => void stop().then(() => process.exit(0)));
send({ ready: true });
