import type { Namespace, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../src/protocol/index.js';
import type { Identity } from '../auth/identity.js';

/** Per-socket state. Plain data, so other nodes can read it through `fetchSockets()`. */
export interface SocketData {
  identity: Identity | null;
  /** Set when the token expired: private data stops until `session:refresh`. */
  expired: boolean;
  ip: string | null;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type InterServerEvents = {};
export type CareNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type CareSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
