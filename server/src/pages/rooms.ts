import type { Viewer } from '../../../src/protocol/index.js';

/**
 * Socket.IO rooms. A page's events go to the rooms of the viewers allowed to see them, so the
 * "nothing reaches a socket that may not read" rule is enforced by where a socket is, and one
 * emit reaches every node through the adapter. Which of them a socket is in is decided by
 * `roomsFor` alone (see presence.ts for the one path that applies it).
 */
export const rooms = {
  /** Sockets that may read the page. */
  read: (pageId: string) => `read:${pageId}`,
  /** Readers who may moderate: they also see hidden and pending wall messages. */
  mod: (pageId: string) => `mod:${pageId}`,
  /** Readers who may decide follow requests. */
  decide: (pageId: string) => `decide:${pageId}`,
  /**
   * Readers who may read the page's settings (SPEC 6.1: owners, admins and editors): they
   * hear `settings:changed`. Empty on a server without the `settings` feature.
   */
  settings: (pageId: string) => `settings:${pageId}`,
  /**
   * Feature `planner` (SPEC 6.4): readers who plan (`can.plan`: the page's owners and
   * editors, the family). They receive every task with its `details`, and a cancellation's note.
   */
  plan: (pageId: string) => `plan:${pageId}`,
  /** Subscribed sockets that may not read: they get the public follower count only. */
  watch: (pageId: string) => `watch:${pageId}`,
  /**
   * One signed-in reader's sockets on one page: what only they see of it (their own message
   * waiting for approval). A page room, so losing the page loses it too; never `user:`,
   * which follows a person everywhere, readable page or not.
   */
  self: (pageId: string, userId: string) => `self:${pageId}:${userId}`,
  /** Every socket of one user, for finding them when something about them changes. Carries no page data. */
  user: (userId: string) => `user:${userId}`,
};

const PAGE_ROOM_KINDS = new Set(['read', 'mod', 'decide', 'settings', 'plan', 'watch', 'self']);

/**
 * Who may read a page's settings (`page:settings`): managers (`can.manage`: owners, admins)
 * in full, editors as a summary. `can.manage` is absent without the `settings` feature: nobody.
 */
export function readsSettings(viewer: Viewer): boolean {
  if (viewer.can.manage === undefined) return false;
  return viewer.can.manage || viewer.role === 'editor';
}

/**
 * THE rule for who hears what: the rooms a viewer belongs in for one page, from their
 * capabilities (which `viewerOf` computes from identity, staff role, membership, follow
 * state and visibility). `null`, for a page that is gone or a session that expired: none.
 */
export function roomsFor(pageId: string, viewer: Viewer | null): string[] {
  if (!viewer) return [];
  if (!viewer.can.read) return [rooms.watch(pageId)];
  const want = [rooms.read(pageId)];
  if (viewer.can.moderate) want.push(rooms.mod(pageId));
  if (viewer.can.decide) want.push(rooms.decide(pageId));
  if (readsSettings(viewer)) want.push(rooms.settings(pageId));
  // `can.plan` is absent without the planner feature: nobody.
  if (viewer.can.plan) want.push(rooms.plan(pageId));
  if (viewer.userId !== null) want.push(rooms.self(pageId, viewer.userId));
  return want;
}

/** The page a room belongs to, or `null` for a room of no page (`user:`, the socket's own id). Page ids hold no `:`. */
export function pageOfRoom(room: string): string | null {
  const colon = room.indexOf(':');
  if (colon < 0 || !PAGE_ROOM_KINDS.has(room.slice(0, colon))) return null;
  const rest = room.slice(colon + 1);
  const end = rest.indexOf(':');
  return end < 0 ? rest : rest.slice(0, end);
}

/** The rooms of `pageId` among a socket's rooms. */
export function roomsOfPage(socketRooms: Iterable<string>, pageId: string): string[] {
  return [...socketRooms].filter((r) => pageOfRoom(r) === pageId);
}

/** Every page a socket is subscribed to (is in any room of). */
export function pagesOf(socketRooms: Iterable<string>): Set<string> {
  const pages = new Set<string>();
  for (const r of socketRooms) {
    const p = pageOfRoom(r);
    if (p !== null) pages.add(p);
  }
  return pages;
}
