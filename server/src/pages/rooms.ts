/**
 * Socket.IO rooms. A page's events go to the rooms of the viewers allowed to see them, so the
 * "nothing reaches a socket that may not read" rule is enforced by where a socket is, and one
 * emit reaches every node through the adapter.
 */
export const rooms = {
  /** Sockets that may read the page. */
  read: (pageId: string) => `read:${pageId}`,
  /** Readers who may moderate: they also see hidden and pending wall messages. */
  mod: (pageId: string) => `mod:${pageId}`,
  /** Readers who may decide follow requests. */
  decide: (pageId: string) => `decide:${pageId}`,
  /** Subscribed sockets that may not read: they get the public follower count only. */
  watch: (pageId: string) => `watch:${pageId}`,
  /** Every socket of one user, for answers that concern them (approvals, removals). */
  user: (userId: string) => `user:${userId}`,
};

export const pageRooms = (pageId: string) => [rooms.read(pageId), rooms.mod(pageId), rooms.decide(pageId), rooms.watch(pageId)];
