import type { Viewer } from '../../../src/protocol/index.js';
import type { Identity } from '../auth/identity.js';
import type { CareNamespace, CareSocket, SocketData } from '../socket/types.js';
import { pagesOf, rooms, roomsFor, roomsOfPage } from './rooms.js';

/** What presence needs of a socket; a local `CareSocket` and a `RemoteSocket` (another node's) both fit. */
export interface RoomMember {
  readonly id: string;
  readonly rooms: ReadonlySet<string>;
  readonly data: Partial<SocketData>;
  join(room: string): unknown;
  leave(room: string): unknown;
  emit(event: 'page:updated', data: { pageId: string; resubscribe: true }): unknown;
}

/** A viewer's rights on a page from storage; `null` when the page does not exist. */
export type ViewerLookup = (pageId: string, identity: Identity | null) => Promise<Viewer | null>;

/**
 * Who re-evaluates, and whom they tell: `changed` tells sockets whose rooms changed to
 * resubscribe; `all` tells every socket looked at (the subject of a follow decision, whose
 * follow state changed even when their rooms did not); `none` tells nobody (expiry, which
 * has its own `session:expired`).
 */
export type Notify = 'changed' | 'all' | 'none';

/** Which sockets a re-evaluation covers. */
export type Scope =
  /** Every subscribed socket of a page, or only those of some users (on every node). */
  | { pageId: string; userIds?: string[] }
  /** Every page one local socket is subscribed to (its identity changed). */
  | { socket: CareSocket };

/** The identity a socket's rights are computed from now; an expired session has none at all. */
export function currentIdentity(s: { data: Partial<SocketData> }): Identity | null | 'expired' {
  if (s.data.expired) return 'expired';
  return s.data.identity ?? null;
}

/**
 * The one owner of "who hears what". `roomsFor` (rooms.ts) says which rooms a viewer belongs
 * in; this class is the only code that makes a socket join or leave a page's rooms:
 * `place` on subscribe, `reevaluate` after anything that can change an input of the rule
 * (identity and staff role through `session:refresh`, membership, follow decisions, removal,
 * block, visibility, page deletion, expiry). Every such caller awaits `reevaluate` before it
 * acknowledges, so a socket that lost a right has left the room before anyone hears "done".
 *
 * Lost rooms are left at once; gained rooms are joined when the socket resubscribes (it is
 * told to), because a reader must start from a snapshot, not from the middle of a stream.
 */
export class Presence {
  constructor(
    private readonly ns: CareNamespace,
    private readonly lookup: ViewerLookup,
  ) {}

  /** Subscribe: exactly the rooms `viewer` belongs in, and none other of the page. */
  place(socket: RoomMember, pageId: string, viewer: Viewer | null): void {
    const want = roomsFor(pageId, viewer);
    for (const room of roomsOfPage(socket.rooms, pageId)) if (!want.includes(room)) void socket.leave(room);
    for (const room of want) void socket.join(room);
  }

  /** Unsubscribe. */
  leave(socket: RoomMember, pageId: string): void {
    this.place(socket, pageId, null);
  }

  /**
   * Recomputes the rooms of every socket in `scope` from storage and the socket's current
   * identity, leaves the rooms each lost, and tells them (see `Notify`). Works across nodes:
   * page scopes find sockets through the adapter's `fetchSockets()`.
   */
  async reevaluate(scope: Scope, notify: Notify = 'changed', exceptSocketId?: string): Promise<void> {
    let targets: { socket: RoomMember; pages: string[] }[];
    if ('socket' in scope) {
      targets = [{ socket: scope.socket, pages: [...pagesOf(scope.socket.rooms)] }];
    } else {
      const { pageId, userIds } = scope;
      const source = userIds ? userIds.map((u) => rooms.user(u)) : [rooms.read(pageId), rooms.watch(pageId)];
      const sockets = await this.ns.in(source).fetchSockets();
      targets = sockets.map((socket) => ({ socket, pages: roomsOfPage(socket.rooms, pageId).length > 0 ? [pageId] : [] }));
    }
    // One lookup per (page, identity): a page with many readers is one query per kind of reader.
    const viewers = new Map<string, Promise<Viewer | null>>();
    const viewerOf = (pageId: string, who: Identity | null | 'expired') => {
      if (who === 'expired') return Promise.resolve(null);
      const key = `${pageId}\n${who ? `${who.userId}\n${who.staff ?? ''}` : ''}`;
      let v = viewers.get(key);
      if (!v) viewers.set(key, (v = this.lookup(pageId, who)));
      return v;
    };
    await Promise.all(
      targets.flatMap(({ socket, pages }) =>
        pages.map(async (pageId) => {
          const viewer = await viewerOf(pageId, currentIdentity(socket));
          const want = roomsFor(pageId, viewer);
          const have = roomsOfPage(socket.rooms, pageId);
          const lost = have.filter((r) => !want.includes(r));
          const changed = lost.length > 0 || want.some((r) => !have.includes(r));
          for (const room of lost) void socket.leave(room);
          const tell = notify === 'all' ? socket.id !== exceptSocketId : notify === 'changed' && changed;
          if (tell) void socket.emit('page:updated', { pageId, resubscribe: true });
        }),
      ),
    );
  }

  /**
   * A socket's token expired: it leaves every page (and its user room) and hears
   * `session:expired`; `session:refresh` brings it back, and the client then resubscribes.
   */
  async expire(socket: CareSocket): Promise<void> {
    socket.data.expired = true;
    await this.reevaluate({ socket }, 'none');
    if (socket.data.identity) void socket.leave(rooms.user(socket.data.identity.userId));
    socket.emit('session:expired', { code: 'unauthorized', message: 'Your session expired; sign in again to keep reading.' });
  }
}
