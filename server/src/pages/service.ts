import type {
  FollowState,
  HistoryAnswer,
  JournalEntry,
  PageSettings,
  PageSnapshot,
  SubscribeAnswer,
  Viewer,
  WallMessage,
} from '../../../src/protocol/index.js';
import { LIMITS } from '../../../src/protocol/index.js';
import { viewerOf, type AccessFacts } from '../access.js';
import type { Identity } from '../auth/identity.js';
import { CareFailure } from '../errors.js';
import type { Payload } from '../socket/validation.js';
import type { CareNamespace, CareSocket } from '../socket/types.js';
import type { FollowRecord, MemberRole, PageRecord, Storage, WallView } from '../storage/types.js';
import { Audit, type Actor } from './audit.js';
import { Fanout } from './fanout.js';
import { replay } from './replay.js';
import { pageRooms, rooms } from './rooms.js';
import { wallVisible } from './visibility.js';

/**
 * What happened, for out-of-band notifications (the signed webhook): ids and counts only,
 * never titles, bodies, names or messages. Sent after the change committed.
 */
export type PageNotification =
  | { type: 'journal.posted'; pageId: string; entryId: string; seq: number; followerCount: number }
  | { type: 'follow.requested'; pageId: string; userId: string; pendingCount: number }
  | { type: 'follow.approved'; pageId: string; userId: string; followerCount: number };

/** Receives notifications; must return at once and never throw (delivery is its own business). */
export interface Notifier {
  notify(n: PageNotification): void;
}

interface Access {
  page: PageRecord;
  facts: AccessFacts;
  viewer: Viewer;
}

/**
 * The page domain: every socket call and admin action after validation. Each method follows
 * one path: load the page and the caller's access, check it, change storage, record the audit
 * entry, fan out.
 */
export class PageService {
  readonly fanout: Fanout;
  readonly audit: Audit;

  constructor(
    readonly storage: Storage,
    private readonly ns: CareNamespace,
    private readonly notifier: Notifier | null = null,
  ) {
    this.fanout = new Fanout(ns);
    this.audit = new Audit(storage);
  }

  /**
   * Hands a notification to the notifier without delaying or failing the caller: `build` may
   * read storage (counts) in the background, and its errors are logged, never thrown.
   */
  private notify(build: () => PageNotification | Promise<PageNotification>): void {
    const notifier = this.notifier;
    if (!notifier) return;
    void (async () => notifier.notify(await build()))().catch((err: unknown) => console.error('[care] notification failed:', err));
  }

  /* ------------------------------------------------------------------------------ access */

  async access(pageId: string, identity: Identity | null): Promise<Access> {
    const found = await this.storage.pageAccess(pageId, identity?.userId ?? null);
    if (!found) throw new CareFailure('not_found', `No page "${pageId}".`);
    return accessOf(found.page, identity, found.member, found.follow);
  }

  private async accessTo(page: PageRecord, identity: Identity | null): Promise<Access> {
    const [member, follow] = identity
      ? await Promise.all([this.storage.memberRole(page.id, identity.userId), this.storage.getFollow(page.id, identity.userId)])
      : [null, null];
    return accessOf(page, identity, member, follow?.state ?? null);
  }

  /** Throws the right refusal: `unauthorized` asks an anonymous visitor to sign in. */
  private require(a: Access, allowed: boolean, what: string): void {
    if (allowed) return;
    if (!a.facts.identity) throw new CareFailure('unauthorized', `Sign in to ${what}.`);
    throw new CareFailure('forbidden', `You may not ${what} on this page.`);
  }

  private wallView(a: Access): WallView {
    return { moderator: a.viewer.can.moderate, userId: a.viewer.userId };
  }

  /* --------------------------------------------------------------------------- subscribe */

  async subscribe(socket: CareSocket, actor: Actor, p: Payload<'page:subscribe'>): Promise<SubscribeAnswer> {
    const a = await this.access(p.pageId, actor.identity);
    const { page, viewer } = a;
    this.placeInRooms(socket, page.id, viewer);
    if (!viewer.can.read) {
      return { access: 'none', page: { id: page.id, visibility: page.visibility, followerCount: page.followerCount }, viewer };
    }
    if (page.visibility !== 'public') {
      try {
        await this.audit.record(page.id, actor, 'page.read', { viewer, detail: { since: p.since ?? null } });
      } catch (err) {
        this.leavePage(socket, page.id);
        throw err;
      }
    }
    const info = pageInfo(page);
    if (p.since !== undefined) {
      const changes = await this.storage.changesSince(page.id, p.since);
      // `null` events: the catch-up would cost more than a snapshot (replay.ts), so reset.
      const events = changes && (await replay(this.storage, page.id, info, changes, this.wallView(a)));
      if (changes && events) return { access: 'read', page: info, viewer, seq: changes.at(-1)?.seq ?? p.since, events };
      return { access: 'read', page: info, viewer, seq: page.seq, reset: true, snapshot: await this.snapshot(a) };
    }
    return { access: 'read', page: info, viewer, seq: page.seq, snapshot: await this.snapshot(a) };
  }

  unsubscribe(socket: CareSocket, pageId: string): void {
    this.leavePage(socket, pageId);
  }

  /** Joins exactly the rooms this viewer may be in. Joining happens before any read, so no live change falls between the answer and the stream. */
  private placeInRooms(socket: CareSocket, pageId: string, viewer: Viewer): void {
    const want = new Set<string>();
    if (viewer.can.read) {
      want.add(rooms.read(pageId));
      if (viewer.can.moderate) want.add(rooms.mod(pageId));
      if (viewer.can.decide) want.add(rooms.decide(pageId));
    } else {
      want.add(rooms.watch(pageId));
    }
    for (const room of pageRooms(pageId)) {
      if (want.has(room)) void socket.join(room);
      else void socket.leave(room);
    }
  }

  private leavePage(socket: { leave(room: string): unknown }, pageId: string): void {
    for (const room of pageRooms(pageId)) void socket.leave(room);
  }

  private async snapshot(a: Access): Promise<PageSnapshot> {
    const view = this.wallView(a);
    const [journal, wall, requests] = await Promise.all([
      this.storage.journalPage(a.page.id, null, LIMITS.snapshotJournal),
      this.storage.wallPage(a.page.id, null, LIMITS.snapshotWall, view),
      a.viewer.can.decide ? this.storage.requests(a.page.id) : Promise.resolve(undefined),
    ]);
    const snap: PageSnapshot = {
      journal: journal.items,
      journalHasMore: journal.hasMore,
      wall: await this.withHearted(a, wall.items),
      wallHasMore: wall.hasMore,
    };
    if (requests) snap.requests = requests;
    return snap;
  }

  private async withHearted(a: Access, items: WallMessage[]): Promise<WallMessage[]> {
    const userId = a.viewer.userId;
    const hearted = userId ? await this.storage.heartedBy(a.page.id, userId, items.map((m) => m.id)) : new Set<string>();
    return items.map((m) => ({ ...m, hearted: hearted.has(m.id) }));
  }

  async history(actor: Actor, p: Payload<'history:load'>): Promise<HistoryAnswer> {
    const a = await this.access(p.pageId, actor.identity);
    this.require(a, a.viewer.can.read, 'read this page');
    if (a.page.visibility !== 'public') await this.audit.record(a.page.id, actor, 'page.read', { viewer: a.viewer, detail: { stream: p.stream, before: p.before } });
    if (p.stream === 'journal') {
      const page = await this.storage.journalPage(a.page.id, p.before, p.limit);
      return { stream: 'journal', items: page.items, hasMore: page.hasMore };
    }
    const page = await this.storage.wallPage(a.page.id, p.before, p.limit, this.wallView(a));
    return { stream: 'wall', items: await this.withHearted(a, page.items), hasMore: page.hasMore };
  }

  /* ----------------------------------------------------------------------------- journal */

  async postJournal(actor: Actor, p: Payload<'journal:post'>): Promise<JournalEntry> {
    const a = await this.access(p.pageId, actor.identity);
    this.require(a, a.viewer.can.postJournal, 'post journal updates');
    const author = authorOf(actor.identity!);
    const { entry, seq, created } = await this.audit.within(a.page.id, actor, 'journal.post', { viewer: a.viewer }, () =>
      this.storage.postJournal(a.page.id, author, p.clientId, p.title.trim(), p.body),
    );
    if (created) {
      this.fanout.journalEntry(entry, seq);
      this.notify(() => ({ type: 'journal.posted', pageId: entry.pageId, entryId: entry.id, seq, followerCount: a.page.followerCount }));
    }
    return entry;
  }

  async editJournal(actor: Actor, p: Payload<'journal:edit'>): Promise<JournalEntry> {
    const a = await this.access(p.pageId, actor.identity);
    this.require(a, a.viewer.can.postJournal, 'edit journal updates');
    const r = await this.audit.within(a.page.id, actor, 'journal.edit', { target: p.entryId, viewer: a.viewer }, () => this.storage.editJournal(a.page.id, p.entryId, p.title.trim(), p.body));
    if (!r) throw new CareFailure('not_found', 'No such journal entry.');
    this.fanout.journalEntry(r.value, r.seq);
    return r.value;
  }

  async deleteJournal(actor: Actor, p: Payload<'journal:delete'>): Promise<void> {
    const a = await this.access(p.pageId, actor.identity);
    this.require(a, a.viewer.can.postJournal || a.viewer.can.moderate, 'delete journal updates');
    const seq = await this.audit.within(a.page.id, actor, 'journal.delete', { target: p.entryId, viewer: a.viewer }, () => this.storage.deleteJournal(a.page.id, p.entryId));
    if (seq === null) throw new CareFailure('not_found', 'No such journal entry.');
    this.fanout.journalRemoved(a.page.id, p.entryId, seq);
  }

  /* -------------------------------------------------------------------------------- wall */

  async postWall(actor: Actor, p: Payload<'wall:post'>): Promise<WallMessage> {
    const a = await this.access(p.pageId, actor.identity);
    this.require(a, a.viewer.can.postWall, 'write on the wall');
    const pending = a.page.wallModeration === 'pre' && !a.viewer.can.moderate;
    const { message, seq, created } = await this.audit.within(a.page.id, actor, 'wall.post', { viewer: a.viewer, detail: pending ? { pending } : undefined }, () =>
      this.storage.postWall(a.page.id, authorOf(actor.identity!), p.clientId, p.body, pending),
    );
    if (created) {
      this.fanout.wallMessage(message, seq);
    }
    return { ...message, hearted: false };
  }

  async heart(actor: Actor, p: Payload<'wall:heart'>): Promise<{ hearts: number; on: boolean }> {
    const a = await this.access(p.pageId, actor.identity);
    this.require(a, a.viewer.can.read && a.viewer.userId !== null, 'send hearts');
    const message = await this.storage.getWall(a.page.id, p.messageId);
    // Hearts go to messages everyone sees; a hidden or pending one is as good as absent.
    if (!message || message.hidden || message.pending) throw new CareFailure('not_found', 'No such message.');
    const r = await this.audit.within(a.page.id, actor, p.on ? 'wall.heart' : 'wall.unheart', { target: p.messageId, viewer: a.viewer }, () =>
      this.storage.setHeart(a.page.id, p.messageId, a.viewer.userId!, p.on),
    );
    if (!r) throw new CareFailure('not_found', 'No such message.');
    if (r.seq !== null) {
      this.fanout.wallHearts(a.page.id, p.messageId, r.hearts, a.viewer.userId!, p.on, r.seq);
    }
    return { hearts: r.hearts, on: p.on };
  }

  async hideWall(actor: Actor, p: Payload<'wall:hide'>): Promise<WallMessage> {
    const a = await this.access(p.pageId, actor.identity);
    this.require(a, a.viewer.can.moderate, 'moderate the wall');
    const r = await this.audit.within(a.page.id, actor, p.hidden ? 'wall.hide' : 'wall.unhide', { target: p.messageId, viewer: a.viewer }, () =>
      this.storage.setWallFlags(a.page.id, p.messageId, { hidden: p.hidden }),
    );
    if (!r) throw new CareFailure('not_found', 'No such message.');
    this.fanout.wallMessage(r.value, r.seq);
    return r.value;
  }

  /**
   * Releases a message held by pre-moderation: clears `pending` under the page's next `seq`
   * and fans it out, so every reader who may see it now gets it (the author and moderators
   * get the update of a message they already had). Only a pending message can be approved.
   */
  async approveWall(actor: Actor, p: Payload<'wall:approve'>): Promise<WallMessage> {
    const a = await this.access(p.pageId, actor.identity);
    this.require(a, a.viewer.can.moderate, 'moderate the wall');
    const message = await this.storage.getWall(a.page.id, p.messageId);
    if (!message || !message.pending) throw new CareFailure('not_found', 'No message waiting for approval.');
    const r = await this.audit.within(a.page.id, actor, 'wall.approve', { target: p.messageId, viewer: a.viewer }, () => this.storage.setWallFlags(a.page.id, p.messageId, { pending: false }));
    if (!r) throw new CareFailure('not_found', 'No message waiting for approval.');
    this.fanout.wallMessage(r.value, r.seq);
    return r.value;
  }

  async deleteWall(actor: Actor, p: Payload<'wall:delete'>): Promise<void> {
    const a = await this.access(p.pageId, actor.identity);
    const message = await this.storage.getWall(a.page.id, p.messageId);
    const own = message !== null && message.author.id === a.viewer.userId && a.viewer.can.read;
    this.require(a, a.viewer.can.moderate || own, 'delete this message');
    if (!message || (!a.viewer.can.moderate && !wallVisible(message, this.wallView(a)))) throw new CareFailure('not_found', 'No such message.');
    const seq = await this.audit.within(a.page.id, actor, 'wall.delete', { target: p.messageId, viewer: a.viewer }, () => this.storage.deleteWall(a.page.id, p.messageId));
    if (seq === null) throw new CareFailure('not_found', 'No such message.');
    this.fanout.wallRemoved(a.page.id, p.messageId, seq);
  }

  /* ----------------------------------------------------------------------------- follows */

  async setFollow(socket: CareSocket | null, actor: Actor, p: Payload<'follow:set'>): Promise<{ state: FollowState; followerCount: number }> {
    const a = await this.access(p.pageId, actor.identity);
    this.require(a, a.viewer.can.follow, 'follow');
    const user = authorOf(actor.identity!);
    const current = a.facts.follow;
    let next: FollowState;
    if (p.follow) next = current === 'following' ? 'following' : a.page.visibility === 'private' ? 'requested' : 'following';
    else next = 'none';
    if (next === current) return { state: current, followerCount: a.page.followerCount };

    const action = next === 'requested' ? 'follow.request' : next === 'none' ? 'follow.remove' : 'follow.add';
    const r = await this.audit.within(a.page.id, actor, action, { target: user.id, viewer: a.viewer }, () => this.storage.setFollow(a.page.id, user, next), true);
    // An unfollower of a private page leaves its rooms before the change is announced.
    await this.resync(a.page.id, [user.id], socket?.id);
    if (r.seq !== null) this.fanout.followCount(a.page.id, r.followerCount, r.seq);
    const request = { userId: user.id, name: user.name, at: new Date().toISOString() };
    if (next === 'requested') {
      this.fanout.followRequest(a.page.id, request, 'requested');
      this.notify(async () => ({ type: 'follow.requested', pageId: a.page.id, userId: user.id, pendingCount: (await this.storage.requests(a.page.id)).length }));
    }
    if (current === 'requested' && next === 'none') this.fanout.followRequest(a.page.id, request, 'withdrawn');
    return { state: next, followerCount: r.followerCount };
  }

  async decideFollow(actor: Actor, p: Payload<'follow:decide'>): Promise<FollowState> {
    const a = await this.access(p.pageId, actor.identity);
    this.require(a, a.viewer.can.decide, 'decide follow requests');
    const f = await this.storage.getFollow(a.page.id, p.userId);
    if (!f || f.state !== 'requested') throw new CareFailure('not_found', 'No pending request from that user.');
    const next: FollowState = p.approve ? 'following' : 'declined';
    const r = await this.audit.within(a.page.id, actor, p.approve ? 'follow.approve' : 'follow.decline', { target: p.userId, viewer: a.viewer }, () => this.storage.setFollow(a.page.id, { id: f.userId, name: f.name }, next), true);
    if (r.seq !== null) this.fanout.followCount(a.page.id, r.followerCount, r.seq);
    this.fanout.followRequest(a.page.id, { userId: f.userId, name: f.name, at: f.createdAt }, p.approve ? 'approved' : 'declined');
    if (p.approve) this.notify(() => ({ type: 'follow.approved', pageId: a.page.id, userId: f.userId, followerCount: r.followerCount }));
    await this.resync(a.page.id, [p.userId]);
    return next;
  }

  async removeFollower(actor: Actor, p: Payload<'follow:remove'>): Promise<void> {
    const a = await this.access(p.pageId, actor.identity);
    this.require(a, a.viewer.can.moderate, 'remove followers');
    if (await this.storage.memberRole(a.page.id, p.userId)) throw new CareFailure('forbidden', 'Owners and editors cannot be removed as followers.');
    const f = await this.storage.getFollow(a.page.id, p.userId);
    if (!f && !p.block) throw new CareFailure('not_found', 'That user does not follow this page.');
    const r = await this.audit.within(a.page.id, actor, p.block ? 'follow.block' : 'follow.remove', { target: p.userId, viewer: a.viewer }, () => this.storage.setFollow(a.page.id, { id: p.userId, name: f?.name ?? p.userId }, p.block ? 'blocked' : 'none'), true);
    // Cut the user's live stream before answering, so nothing reaches them after the ack.
    await this.resync(a.page.id, [p.userId]);
    if (r.seq !== null) this.fanout.followCount(a.page.id, r.followerCount, r.seq);
    if (f?.state === 'requested') this.fanout.followRequest(a.page.id, { userId: f.userId, name: f.name, at: f.createdAt }, 'declined');
  }

  /* ------------------------------------------------------------------------- page admin */

  /** `viewer` is the caller's page role when they act as a member (the owner), for the audit log. */
  async updatePage(actor: Actor, pageId: string, settings: PageSettings, viewer?: Viewer): Promise<PageRecord> {
    const before = await this.storage.getPage(pageId);
    if (!before) throw new CareFailure('not_found', `No page "${pageId}".`);
    const r = await this.storage.updatePage(pageId, settings);
    if (!r) throw new CareFailure('not_found', `No page "${pageId}".`);
    // Take access away first, then tell the remaining readers what changed.
    await this.resync(pageId);
    this.fanout.pageUpdated(pageInfo(r.value), r.seq);
    await this.audit.record(pageId, actor, 'page.update', { viewer, detail: { ...settings, visibilityBefore: before.visibility } });
    return r.value;
  }

  async setMembers(actor: Actor, pageId: string, members: { owners?: string[]; editors?: string[] }, viewer?: Viewer): Promise<void> {
    await this.storage.setMembers(pageId, members);
    await this.resync(pageId);
    await this.audit.record(pageId, actor, 'page.members', { viewer, detail: members });
  }

  async deletePage(actor: Actor, pageId: string, viewer?: Viewer): Promise<void> {
    if (!(await this.storage.deletePage(pageId))) throw new CareFailure('not_found', `No page "${pageId}".`);
    await this.audit.record(pageId, actor, 'page.delete', { viewer });
    for (const room of pageRooms(pageId)) {
      this.ns.to(room).emit('page:updated', { pageId, resubscribe: true });
      this.ns.in(room).socketsLeave(room);
    }
  }

  /**
   * Re-checks the access of the page's subscribed sockets (all, or those of some users)
   * after a rule changed: sockets that lost a right leave its rooms at once and are told to
   * resubscribe; sockets that gained one are told to resubscribe. Works across nodes through
   * the adapter's `fetchSockets()`.
   */
  async resync(pageId: string, userIds?: string[], exceptSocketId?: string): Promise<void> {
    const page = await this.storage.getPage(pageId);
    const source = userIds ? userIds.map((u) => rooms.user(u)) : [rooms.read(pageId), rooms.watch(pageId)];
    const sockets = await this.ns.in(source).fetchSockets();
    const cache = new Map<string, Viewer | null>();
    for (const s of sockets) {
      const inRead = s.rooms.has(rooms.read(pageId));
      const inWatch = s.rooms.has(rooms.watch(pageId));
      if (!inRead && !inWatch) continue;
      const identity = s.data.expired ? null : s.data.identity;
      const key = identity?.userId ?? '';
      if (!cache.has(key)) cache.set(key, page ? (await this.accessTo(page, identity)).viewer : null);
      const viewer = cache.get(key)!;
      const want = viewer === null ? [] : viewer.can.read ? [rooms.read(pageId), viewer.can.moderate && rooms.mod(pageId), viewer.can.decide && rooms.decide(pageId)].filter((r): r is string => !!r) : [rooms.watch(pageId)];
      const have = pageRooms(pageId).filter((r) => s.rooms.has(r));
      const lost = have.filter((r) => !want.includes(r));
      const changed = lost.length > 0 || want.some((r) => !have.includes(r));
      for (const room of lost) s.leave(room);
      if (changed || (userIds && s.id !== exceptSocketId)) s.emit('page:updated', { pageId, resubscribe: true });
    }
  }

  /** For the admin API: the capabilities of a caller on a page, without socket state. */
  async viewerOn(pageId: string, identity: Identity | null): Promise<Viewer> {
    return (await this.access(pageId, identity)).viewer;
  }
}

export function pageInfo(p: PageRecord) {
  return { id: p.id, title: p.title, visibility: p.visibility, wallModeration: p.wallModeration, followerCount: p.followerCount };
}

function accessOf(page: PageRecord, identity: Identity | null, member: MemberRole | null, follow: FollowRecord['state'] | null): Access {
  const facts: AccessFacts = { identity, visibility: page.visibility, member, follow: follow ?? 'none' };
  return { page, facts, viewer: viewerOf(facts) };
}

function authorOf(identity: Identity) {
  return { id: identity.userId, name: identity.name };
}

