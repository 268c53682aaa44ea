/**
 * The baseline of the Artillery load test: a bare Socket.IO server that speaks the two events
 * of the scenario on the same namespace, so one scenario file runs unchanged against both
 * servers. Like the `floor` of bench/servers.ts it does only what Socket.IO itself must:
 * no token check, no validation, no storage, no access rules, no audit.
 *
 * - `page:subscribe {pageId}` joins the page's room and answers `{ ok: true, access, seq }`
 *   (no snapshot: the floor's subscribe is the join alone).
 * - `wall:post {pageId, clientId, body}` broadcasts `wall:message` to the room, shaped like the
 *   reference server's event, and answers `{ ok: true, message }`.
 *
 * Listens on 127.0.0.1 only.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { NAMESPACE } from '../../src/protocol/index.js';

type Ack = (answer: unknown) => void;

export interface BareServer {
  url: string;
  close(): Promise<void>;
}

export async function startBareServer(): Promise<BareServer> {
  const http = createServer();
  const io = new Server(http, { serveClient: false });
  const ns = io.of(NAMESPACE);
  // One counter for all pages: seq only has to increase, as on the floor.
  let seq = 0;
  ns.on('connection', (socket) => {
    socket.on('page:subscribe', (p: { pageId: string }, ack: Ack) => {
      void socket.join(`page:${p.pageId}`);
      ack({ ok: true, access: 'read', seq });
    });
    socket.on('wall:post', (p: { pageId: string; clientId: string; body: string }, ack: Ack) => {
      const message = { id: p.clientId, seq: ++seq, body: p.body, createdAt: new Date().toISOString() };
      ns.to(`page:${p.pageId}`).emit('wall:message', { pageId: p.pageId, seq: message.seq, message });
      ack({ ok: true, message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        io.close(() => resolve());
      }),
  };
}
