import type {
  Feature,
  FollowState,
  HistoryAnswer,
  JournalEntry,
  PageSettings,
  PageSnapshot,
  SubscribeAnswer,
  Viewer,
  WallMessage,
  PageInfo,
} from '../../../src/protocol/index.js';
import { LIMITS } from '../../../src/protocol/index.js';
import { viewerOf, type AccessFacts } from '../access.js';
import type { Identity } from '../auth/identity.js';
import { CareFailure } from '../errors.js';
import type { Payload } from '../socket/validation.js';
import type { CareNamespace, CareSocket } from '../socket/types.js';
import type { FollowRecord, MemberRole, NewPage, PageRecord, Storage, WallView } from '../storage/types.js';
import { Audit, type Actor } from './audit.js';
import { forEveryone, withoutSocial, withSocial } from './entry-social.js';
import { Fanout } from './fanout.js';
import { SERVER_FEATURES } from './features.js';
import { JournalSocialService } from './journal-social.js';
import { PlannerService } from './planner.js';
import { replay } from './replay.js';
import { SnapshotReads } from './snapshot-reads.js';
import { currentIdentity, Presence } from './presence.js';
import { roomsFor } from './rooms.js';
import { wallVisible } from './visibility.js';
import type { MediaFanout } from '../media/fanout.js';
import { urlViewerOf, type MediaService } from '../media/service.js';

/**
 * The job queue, as the service sees it: a hint that a change committed a notification cause
 * (jobs/causes.ts) so this node looks at once rather than at its next poll. The cause itself
 * is written in the change's transaction; nothing is sent from here.
 */
export interface JobWaker {
  poke(): void;
}

/** A page as the admin API shows it: its settings and members, never its internal lifetime id. */
export type AdminPage = Omit<PageRecord, 'uid'> & { members: { userId: string; role: MemberRole }[] };

export interface ServiceOptions {
  /** See Config.requestCooldownHours. */
  requestCooldownHours: number;
  /** See Config.auditReadWindowSeconds. */
  auditReadWindowSeconds: number;
  /** See Config.features; all of SERVER_FEATURES when absent. */
  features?: Feature[];
  /** The hospital's IANA time zone (`CARE_TIMEZONE`): the planner's dates and "today" (default UTC). */
  timeZone?: string;
  /** The planner's clock (milliseconds since the epoch; Config.clock): tests move "today". */
  clock?: () => number;
}

export interface Access {
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
  readonly presence: Presence;
  /** The SPEC 6 features announced in `page.features` and served. */
  readonly features: Feature[];
  private readonly snapshots: SnapshotReads;
  /** SPEC 6.3 photos (media/), set by app.ts when the server has the `media` feature. */
  media: MediaService | null = null;
  /** SPEC 6.3's hearts and comments on entries; `null` without the `journal-social` feature. */
  readonly social: JournalSocialService | null;
  /** SPEC 6.4's planner; `null` without the `planner` feature. */
  readonly planner: PlannerService | null;

  constructor(
    readonly storage: Storage,
    ns: CareNamespace,
    private readonly jobs: JobWaker | null = null,
    private readonly options: ServiceOptions = { requestCooldownHours: 168, auditReadWindowSeconds: 0 },
  ) {
    this.features = [...(options.features ?? SERVER_FEATURES)];
    this.fanout = new Fanout(ns);
    this.audit = new Audit(storage, options.auditReadWindowSeconds * 1000);
    this.snapshots = new SnapshotReads(storage);
    this.social = this.has('journal-social') ? new JournalSocialService(this) : null;
    this.planner = this.has('planner') ? new PlannerService(this, options.timeZone ?? 'UTC', options.clock) : null;
    this.presence = new Presence(ns, async (pageId, identity) => (await this.findAccess(pageId, identity))?.viewer ?? null);
  }

  has(feature: Feature): boolean {
    return this.features.includes(feature);
  }

  /** Turns photos on: entries leave the server with their photos, URLs made for each reader. */
  useMedia(media: MediaService, fanout: MediaFanout): void {
    this.media = media;
    this.fanout.entryOut = (entry, seq) => fanout.journalEntry(entry, seq);
  }

  /** Entries on their way to `a`'s viewer, with `media` signed for them (feature `media`). */
  private withMedia(a: Access, entries: JournalEntry[]): Promise<JournalEntry[]> {
    return this.media ? this.media.withMedia(a.page.id, urlViewerOf(a.viewer), entries) : Promise.resolve(entries);
  }

  /** Photos named in a post or an edit need the `media` feature. */
  private mediaService(): MediaService {
    if (!this.media) throw new CareFailure('invalid', 'This server does not take photos (no "media" feature).');
    return this.media;
  }

  /** What every reader learns about the page, with the features this server serves. */
  info(page: PageRecord): PageInfo {
    const info = pageInfo(page, this.features);
    if (this.planner) info.timeZone = this.planner.timeZone;
    return info;
  }

  /* ------------------------------------------------------------------------------ access */

  async access(pageId: string, identity: Identity | null): Promise<Access> {
    const a = await this.findAccess(pageId, identity);
    if (!a) throw new CareFailure('not_found', `No page "${pageId}".`);
    return a;
  }

  /** A page with the caller's access to it, in one read; `null` when there is no such page. */
  private async findAccess(pageId: string, identity: Identity | null): Promise<Access | null> {
    const found = await this.storage.pageAccess(pageId, identity?.userId ?? null);
    return found && accessOf(found.page, identity, found.member, found.follow, this.has('settings'), this.planner !== null);
  }

  /** Throws the right refusal: `unauthorized` asks an anonymous visitor to sign in. */
  require(a: Access, allowed: boolean, what: string): void {
    if (allowed) return;
    if (!a.facts.identity) throw new CareFailure('unauthorized', `Sign in to ${what}.`);
    throw new CareFailure('forbidden', `You may not ${what} on this page.`);
  }

  /** What of the wall (and of entries' comments, SPEC 6.3) the viewer sees. */
  wallView(a: Access): WallView {
    return { moderator: a.viewer.can.moderate, userId: a.viewer.userId };
  }

  /* --------------------------------------------------------------------------- subscribe */

  async subscribe(socket: CareSocket, actor: Actor, p: Payload<'page:subscribe'>): Promise<SubscribeAnswer> {
    const a = await this.placeChecked(socket, p.pageId);
    const { page } = a;
    const viewer = await this.withAskAgain(a);
    if (!viewer.can.read) {
      const teaser = { id: page.id, visibility: page.visibility, followerCount: page.followerCount };
      return { access: 'none', page: this.features.length > 0 ? { ...teaser, features: [...this.features] } : teaser, viewer };
    }
    if (page.visibility !== 'public') {
      try {
        await this.audit.read(page, actor, viewer, { since: p.since ?? null });
      } catch (err) {
        this.presence.leave(socket, page.id);
        throw err;
      }
    }
    const info = this.info(page);
    if (p.since !== undefined) {
      // Shared with the page's other subscribers at this seq and since (snapshot-reads.ts).
      const changes = await this.snapshots.changesSince(page, p.since);
      // `null` events: the catch-up would cost more than a snapshot (replay.ts), so reset.
      const planner = this.planner && { plan: viewer.can.plan === true };
      const events = changes && (await replay(this.snapshots.replayReads(page), page.id, info, changes, this.wallView(a), this.social !== null, planner));
      const withPhotos = events && this.media ? await this.media.eventsWithMedia(page.id, urlViewerOf(viewer), events) : events;
      if (changes && withPhotos) return { access: 'read', page: info, viewer, seq: changes.at(-1)?.seq ?? p.since, events: withPhotos };
      return { access: 'read', page: info, viewer, seq: page.seq, reset: true, snapshot: await this.snapshot(a) };
    }
    return { access: 'read', page: info, viewer, seq: page.seq, snapshot: await this.snapshot(a) };
  }

  /**
   * With the `settings` feature, a declined viewer learns when they may ask again
   * (`viewer.askAgainAt`; `null` once they may).
   */
  private async withAskAgain(a: Access): Promise<Viewer> {
    if (!this.has('settings') || a.viewer.follow !== 'declined' || a.viewer.userId === null) return a.viewer;
    const f = await this.storage.getFollow(a.page.id, a.viewer.userId);
    return { ...a.viewer, askAgainAt: f?.state === 'declined' ? this.askAgainAt(f.updatedAt) : null };
  }

  /** When a visitor declined at `declinedAt` may ask again, or `null` when they may now. */
  askAgainAt(declinedAt: string): string | null {
    const until = Date.parse(declinedAt) + this.options.requestCooldownHours * 3_600_000;
    return Date.now() < until ? new Date(until).toISOString() : null;
  }

  unsubscribe(socket: CareSocket, pageId: string): void {
    this.presence.leave(socket, pageId);
  }

  /**
   * Joins the page's rooms for the socket's current rights, then reads them once more and
   * corrects the rooms until two reads agree. Joining happens before any data is read, so no
   * live change falls between the answer and the stream; the second read closes the race
   * with a concurrent re-evaluation (a removal, a refresh on this socket) that looked for the
   * socket before it joined: either that one saw the socket in the room, or this read sees
   * its committed change.
   */
  private async placeChecked(socket: CareSocket, pageId: string): Promise<Access> {
    let a = await this.accessNow(socket, pageId);
    for (let round = 0; round < 5; round++) {
      this.presence.place(socket, a.page.id, a.viewer);
      const again = await this.accessNow(socket, pageId);
      if (sameRooms(a, again)) return again;
      a = again;
    }
    // Still moving after five rounds: hold nothing rather than something stale.
    this.presence.leave(socket, pageId);
    throw new CareFailure('unavailable', 'This page is changing; try again.');
  }

  /** Access for the socket's identity as it is now (not as it was when the call began). */
  private accessNow(socket: CareSocket, pageId: string): Promise<Access> {
    const who = currentIdentity(socket);
    if (who === 'expired') throw new CareFailure('unauthorized', 'Your session expired; refresh the token.');
    return this.access(pageId, who);
  }

  /**
   * `session:refresh` swapped in a new token: its claims (the staff role) may differ, so every
   * page the socket is subscribed to is re-evaluated before the refresh is acknowledged.
   */
  async identityChanged(socket: CareSocket): Promise<void> {
    await this.presence.reevaluate({ socket });
  }

  private async snapshot(a: Access): Promise<PageSnapshot> {
    const view = this.wallView(a);
    // Shared by the page's subscribers at this seq (snapshot-reads.ts): a wave of subscribes is one read.
    const [journal, wall, requests] = await Promise.all([
      this.snapshots.journal(a.page),
      this.snapshots.wall(a.page, view),
      a.viewer.can.decide ? this.storage.requests(a.page.id) : Promise.resolve(undefined),
    ]);
    const snap: PageSnapshot = {
      journal: await this.withMedia(a, await this.entriesFor(a, journal.items, this.snapshots.socialReads(a.page))),
      journalHasMore: journal.hasMore,
      wall: await this.withHearted(a, wall.items),
      wallHasMore: wall.hasMore,
    };
    if (requests) snap.requests = requests;
    if (this.planner) Object.assign(snap, await this.planner.snapshot(a, (from) => this.snapshots.tasks(a.page, from)));
    return snap;
  }

  private async withHearted(a: Access, items: WallMessage[]): Promise<WallMessage[]> {
    const userId = a.viewer.userId;
    // A message nobody hearted is not hearted by this viewer: only the others are looked up.
    const ids = items.filter((m) => m.hearts > 0).map((m) => m.id);
    const hearted = userId && ids.length > 0 ? await this.storage.heartedBy(a.page.id, userId, ids) : new Set<string>();
    return items.map((m) => ({ ...m, hearted: hearted.has(m.id) }));
  }

  /** Entries as this viewer receives them: with their hearts and comments (SPEC 6.3), or without any of it when the feature is off. */
  private entriesFor(a: Access, entries: JournalEntry[], reads: Pick<Storage, 'journalHeartedBy' | 'commentSummaries'> = this.storage): Promise<JournalEntry[]> {
    if (!this.social) return Promise.resolve(entries.map(withoutSocial));
    return withSocial(reads, a.page.id, this.wallView(a), entries);
  }

  /** An entry for every reader (a live event), or its first-wave shape. */
  private broadcast(entry: JournalEntry): JournalEntry {
    return this.social ? forEveryone(entry) : withoutSocial(entry);
  }

  async history(actor: Actor, p: Payload<'history:load'>): Promise<HistoryAnswer> {
    const a = await this.access(p.pageId, actor.identity);
    this.require(a, a.viewer.can.read, 'read this page');
    if (a.page.visibility !== 'public') await this.audit.read(a.page, actor, a.viewer, { stream: p.stream, before: p.before });
    // `seq` is a 32-bit integer column (PostgreSQL refuses a larger bound): any `before` beyond it means "from the newest".
    p = { ...p, before: Math.min(p.before, SEQ_MAX) };
    if (p.stream === 'comments') {
      if (!this.social || p.entryId === undefined) throw new CareFailure('invalid', 'stream: this server has no comments.');
      return this.social.history(a, { ...p, entryId: p.entryId });
    }
    if (p.stream === 'tasks') {
      if (!this.planner) throw new CareFailure('invalid', 'stream: this server has no planner.');
      return this.planner.history(a, p);
    }
    if (p.stream === 'journal') {
      const page = await this.storage.journalPage(a.page.id, p.before, p.limit);
      return { stream: 'journal', items: await this.withMedia(a, await this.entriesFor(a, page.items)), hasMore: page.hasMore };
    }
    const page = await this.storage.wallPage(a.page.id, p.before, p.limit, this.wallView(a));
    return { stream: 'wall', items: await this.withHearted(a, page.items), hasMore: page.hasMore };
  }

  /* ----------------------------------------------------------------------------- journal */

  async postJournal(actor: Actor, p: Payload<'journal:post'>): Promise<JournalEntry> {
    const a = await this.access(p.pageId, actor.identity);
    this.require(a, a.viewer.can.postJournal, 'post journal updates');
    const author = authorOf(actor.identity!);
    // Claimed for this post before it is written: the entry and its photos appear in one commit.
    if (p.media?.length) await this.mediaService().claim(a.page.id, { authorId: author.id, clientId: p.clientId }, p.media);
    const { entry, seq, created } = await this.audit.within(a.page.id, actor, 'journal.post', { viewer: a.viewer, cause: 'journal.posted' }, () =>
      this.storage.postJournal(a.page.id, author, p.clientId, p.title.trim(), p.body),
    );
    // A new entry has no hearts or comments, the same for every reader.
    const fresh = this.social ? { ...entry, hearted: false, commentCount: 0, comments: [] } : withoutSocial(entry);
    if (created) {
      this.fanout.journalEntry(fresh, seq);
      this.jobs?.poke();
    }
    // A retry answers the original as it is now; either way with its photos for the poster.
    return (await this.withMedia(a, [created ? fresh : (await this.entriesFor(a, [entry]))[0]!]))[0]!;
  }

  async editJournal(actor: Actor, p: Payload<'journal:edit'>): Promise<JournalEntry> {
    const a = await this.access(p.pageId, actor.identity);
    this.require(a, a.viewer.can.postJournal, 'edit journal updates');
    if (p.comments !== undefined) await this.checkCommentsSwitch(a, p.entryId, p.comments);
    // The photos change first; the edit's `seq` then announces text and photos together.
    if (p.media) await this.mediaService().replace(a.page.id, p.entryId, p.media);
    const detail = p.comments === undefined ? undefined : { comments: p.comments };
    const r = await this.audit.within(a.page.id, actor, 'journal.edit', { target: p.entryId, viewer: a.viewer, detail }, () =>
      this.storage.editJournal(a.page.id, p.entryId, p.title.trim(), p.body, p.comments),
    );
    if (!r) throw new CareFailure('not_found', 'No such journal entry.');
    this.fanout.journalEntry(this.broadcast(r.value), r.seq);
    return (await this.withMedia(a, await this.entriesFor(a, [r.value])))[0]!;
  }

  /**
   * SPEC 6.3: the entry's author opens and closes its comments. Another editor's edit may
   * carry the current state along (a client sends what it shows), but not change it.
   */
  private async checkCommentsSwitch(a: Access, entryId: string, open: boolean): Promise<void> {
    if (!this.social) throw new CareFailure('invalid', 'comments: this server has no comments.');
    const entry = await this.storage.getJournal(a.page.id, entryId);
    if (!entry) throw new CareFailure('not_found', 'No such journal entry.');
    if (entry.commentsOpen !== open && entry.author.id !== a.viewer.userId) throw new CareFailure('forbidden', 'Only the author of this update may open or close its comments.');
  }

  async deleteJournal(actor: Actor, p: Payload<'journal:delete'>): Promise<void> {
    const a = await this.access(p.pageId, actor.identity);
    this.require(a, a.viewer.can.postJournal || a.viewer.can.moderate, 'delete journal updates');
    // Photo files (CARE_MEDIA_DIR) go after the commit that deleted their rows.
    const files = (await this.media?.filesOf(a.page.id, p.entryId)) ?? [];
    const seq = await this.audit.within(a.page.id, actor, 'journal.delete', { target: p.entryId, viewer: a.viewer }, () => this.storage.deleteJournal(a.page.id, p.entryId));
    if (seq === null) throw new CareFailure('not_found', 'No such journal entry.');
    await this.media?.deleteFiles(files);
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
    if (next === 'requested' && current === 'declined') await this.coolDown(a.page.id, user.id);

    const action = next === 'requested' ? 'follow.request' : next === 'none' ? 'follow.remove' : 'follow.add';
    const cause = next === 'requested' ? ('follow.requested' as const) : undefined;
    const r = await this.audit.within(a.page.id, actor, action, { target: user.id, viewer: a.viewer, cause }, () => this.storage.setFollow(a.page.id, user, next), true);
    // An unfollower of a private page leaves its rooms before the change is announced.
    await this.resync(a.page.id, [user.id], socket?.id);
    if (r.seq !== null) this.fanout.followCount(a.page.id, r.followerCount, r.seq);
    const request = { userId: user.id, name: user.name, at: new Date().toISOString() };
    if (next === 'requested') {
      this.fanout.followRequest(a.page.id, request, 'requested');
      this.jobs?.poke();
    }
    if (current === 'requested' && next === 'none') this.fanout.followRequest(a.page.id, request, 'withdrawn');
    this.fanout.settingsChanged(a.page.id);
    return { state: next, followerCount: r.followerCount };
  }

  /**
   * A declined visitor asks again only after the cool-down: each request puts their name in
   * front of the patient, live, and queues a notification and an audit row, so without it a
   * refusal could be answered with a flood.
   */
  private async coolDown(pageId: string, userId: string): Promise<void> {
    const declined = await this.storage.getFollow(pageId, userId);
    if (!declined || declined.state !== 'declined') return;
    const until = this.askAgainAt(declined.updatedAt);
    if (until !== null) {
      throw new CareFailure('rate_limited', `The page owner declined your request; you may ask again after ${until.slice(0, 16).replace('T', ' ')} UTC.`);
    }
  }

  async decideFollow(actor: Actor, p: Payload<'follow:decide'>): Promise<FollowState> {
    const a = await this.access(p.pageId, actor.identity);
    this.require(a, a.viewer.can.decide, 'decide follow requests');
    const f = await this.storage.getFollow(a.page.id, p.userId);
    if (!f || f.state !== 'requested') throw new CareFailure('not_found', 'No pending request from that user.');
    const next: FollowState = p.approve ? 'following' : 'declined';
    const r = await this.audit.within(
      a.page.id,
      actor,
      p.approve ? 'follow.approve' : 'follow.decline',
      { target: p.userId, viewer: a.viewer, cause: p.approve ? 'follow.approved' : undefined },
      () => this.storage.setFollow(a.page.id, { id: f.userId, name: f.name }, next),
      true,
    );
    if (r.seq !== null) this.fanout.followCount(a.page.id, r.followerCount, r.seq);
    this.fanout.followRequest(a.page.id, { userId: f.userId, name: f.name, at: f.createdAt }, p.approve ? 'approved' : 'declined');
    if (p.approve) this.jobs?.poke();
    await this.resync(a.page.id, [p.userId]);
    this.fanout.settingsChanged(a.page.id);
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
    this.fanout.settingsChanged(a.page.id);
  }

  /* ------------------------------------------------------------------- page admin (REST) */

  /** Admins only: staff of the hospital, by their token's `care_role`. */
  private requireAdmin(identity: Identity): void {
    if (identity.staff !== 'admin') throw new CareFailure('forbidden', 'This needs a token with care_role "admin".');
  }

  /**
   * Admins, or the page's owner (the patient's right of access). Returns the owner's viewer
   * (their page role goes into the audit log), or `undefined` for an admin.
   */
  private async requireAdminOrOwner(identity: Identity, pageId: string): Promise<Viewer | undefined> {
    if (identity.staff === 'admin') return undefined;
    const { viewer } = await this.access(pageId, identity);
    if (viewer.role !== 'owner') throw new CareFailure('forbidden', 'Only an admin or the page owner may do this.');
    return viewer;
  }

  private async loadPage(pageId: string): Promise<PageRecord> {
    const page = await this.storage.getPage(pageId);
    if (!page) throw new CareFailure('not_found', `No page "${pageId}".`);
    return page;
  }

  private async adminView(page: PageRecord): Promise<AdminPage> {
    const { uid: _internal, ...visible } = page;
    return { ...visible, members: await this.storage.members(page.id) };
  }

  async createPage(actor: Actor & { identity: Identity }, p: NewPage): Promise<AdminPage> {
    this.requireAdmin(actor.identity);
    const detail = { visibility: p.visibility, wallModeration: p.wallModeration, owners: p.owners, editors: p.editors };
    const page = await this.audit.within(p.id, actor, 'page.create', { target: null, detail }, () => this.storage.createPage(p), true);
    return this.adminView(page);
  }

  async readPage(actor: Actor & { identity: Identity }, pageId: string): Promise<AdminPage> {
    const viewer = await this.requireAdminOrOwner(actor.identity, pageId);
    const page = await this.loadPage(pageId);
    await this.audit.record(page.id, actor, 'admin.read', { viewer });
    return this.adminView(page);
  }

  /**
   * `PATCH /api/pages/:id`: members and settings, each change with its audit entry in its
   * own transaction; then the page's sockets are re-evaluated before the answer. `owners` is
   * an admin's decision: an owner can neither hand the page away nor lock out a co-owner.
   */
  async patchPage(actor: Actor & { identity: Identity }, pageId: string, patch: PageSettings & { owners?: string[]; editors?: string[] }): Promise<AdminPage> {
    const viewer = await this.requireAdminOrOwner(actor.identity, pageId);
    const { owners, editors, ...settings } = patch;
    if (owners && viewer) throw new CareFailure('forbidden', 'Only an admin may change the owners of a page.');
    await this.loadPage(pageId);
    if (owners || editors) {
      const members = { ...(owners ? { owners } : {}), ...(editors ? { editors } : {}) };
      await this.audit.within(pageId, actor, 'page.members', { viewer, detail: members }, () => this.storage.setMembers(pageId, members), true);
    }
    const page = await this.changeSettings(actor, viewer, pageId, settings);
    if (owners || editors) this.fanout.settingsChanged(pageId);
    return this.adminView(page);
  }

  /**
   * The one path for a page's settings, shared by `PATCH /api/pages/:id` and
   * `page:configure`: the change and its audit entry in one transaction, then every socket of
   * the page re-evaluated (a viewer who lost access has left the page's rooms before the
   * caller answers), then `page:updated` to the readers that remain. With no setting given it
   * only re-evaluates (members changed).
   */
  async changeSettings(actor: Actor, viewer: Viewer | undefined, pageId: string, settings: PageSettings): Promise<PageRecord> {
    let page = await this.loadPage(pageId);
    let seq: number | null = null;
    if (Object.keys(settings).length > 0) {
      // Which settings changed and the visibility before and after: never the title, which is
      // free text (often the patient's name) and has no place in an audit detail.
      const detail: Record<string, unknown> = { changed: Object.keys(settings) };
      if (settings.visibility) Object.assign(detail, { visibility: settings.visibility, visibilityBefore: page.visibility });
      if (settings.wallModeration) detail.wallModeration = settings.wallModeration;
      const r = await this.audit.within(pageId, actor, 'page.update', { target: null, viewer, detail }, () => this.storage.updatePage(pageId, settings));
      if (!r) throw new CareFailure('not_found', `No page "${pageId}".`);
      page = r.value;
      seq = r.seq;
    }
    // Take access away first, then tell the remaining readers what changed.
    await this.resync(pageId);
    if (seq !== null) {
      this.fanout.pageUpdated(this.info(page), seq);
      // The settings view shows visibility and wall moderation (not the title).
      if (settings.visibility || settings.wallModeration) this.fanout.settingsChanged(pageId);
    }
    return page;
  }

  async deletePage(actor: Actor & { identity: Identity }, pageId: string): Promise<void> {
    const viewer = await this.requireAdminOrOwner(actor.identity, pageId);
    const files = (await this.media?.filesOf(pageId)) ?? [];
    const deleted = await this.audit.within(pageId, actor, 'page.delete', { target: null, viewer }, () => this.storage.deletePage(pageId));
    if (!deleted) throw new CareFailure('not_found', `No page "${pageId}".`);
    await this.media?.deleteFiles(files);
    // The page is gone, so every socket's rooms for it are none; each is told to resubscribe.
    await this.resync(pageId);
  }

  async exportPage(actor: Actor & { identity: Identity }, pageId: string): Promise<object> {
    const viewer = await this.requireAdminOrOwner(actor.identity, pageId);
    const data = await this.storage.exportPage(pageId);
    if (!data) throw new CareFailure('not_found', `No page "${pageId}".`);
    await this.audit.record(pageId, actor, 'page.export', { viewer });
    const { uid: _internal, ...page } = data.page;
    return { exportedAt: new Date().toISOString(), ...data, page };
  }

  /**
   * One page's audit trail, a page at a time: this page's lifetime only, so a page id used
   * again never shows its new owner the previous patient's trail. An admin asking for an id
   * with no page (deleted) gets the trails of every earlier page of that id, each row naming
   * its `lifetime`. Reading it is audited too.
   */
  async pageAudit(actor: Actor & { identity: Identity }, pageId: string, after: number | undefined, limit: number): Promise<object> {
    const viewer = await this.requireAdminOrOwner(actor.identity, pageId);
    const page = await this.storage.getPage(pageId);
    if (!page && viewer) throw new CareFailure('not_found', `No page "${pageId}".`);
    const { entries, next } = await this.storage.audit(page ? { lifetime: page.uid, after, limit } : { pageId, after, limit });
    await this.audit.record(pageId, actor, 'audit.read', { viewer });
    return { pageId, entries: page ? entries.map(({ lifetime: _internal, ...e }) => e) : entries, next };
  }

  /**
   * Admins: the whole log, every page and lifetime (deleted pages' included), for the
   * hospital's own records (a SIEM, an archive). `lifetime` tells apart two pages that had
   * the same id. Each page of it read is itself audited (as `audit.export`, on page `*`).
   */
  async auditLog(actor: Actor & { identity: Identity }, after: number | undefined, limit: number): Promise<object> {
    this.requireAdmin(actor.identity);
    const { entries, next } = await this.storage.audit({ after, limit });
    await this.audit.record('*', actor, 'audit.export', { detail: { after: after ?? null, count: entries.length } });
    return { entries, next };
  }

  /**
   * After a rule changed: the page's subscribed sockets (all, or those of some users) are
   * re-evaluated through the one path (presence.ts). `exceptSocketId`: with `userIds`, every
   * socket of those users is told to resubscribe (their follow state changed) except this one,
   * which gets the answer to its own call instead.
   */
  async resync(pageId: string, userIds?: string[], exceptSocketId?: string): Promise<void> {
    await this.presence.reevaluate({ pageId, userIds }, userIds ? 'all' : 'changed', exceptSocketId);
  }
}

/** The largest `seq` a page can reach (an `integer` column in both dialects). */
const SEQ_MAX = 2_147_483_647;

/** A page as its readers see it; `features` only when the server has any (a first-wave backend sends none). */
export function pageInfo(p: PageRecord, features: readonly Feature[] = []): PageInfo {
  const info: PageInfo = { id: p.id, title: p.title, visibility: p.visibility, wallModeration: p.wallModeration, followerCount: p.followerCount };
  if (features.length > 0) info.features = [...features];
  return info;
}

/**
 * `settings`: the server has the feature, so `can.manage` is set (owners and admins, as `decide`).
 * `planner` (SPEC 6.4): `can.plan` for the family (the page's owners and editors: staff are not
 * family), `can.volunteer` for every signed-in reader.
 */
function accessOf(page: PageRecord, identity: Identity | null, member: MemberRole | null, follow: FollowRecord['state'] | null, settings: boolean, planner = false): Access {
  const facts: AccessFacts = { identity, visibility: page.visibility, member, follow: follow ?? 'none' };
  const viewer = viewerOf(facts);
  if (settings) viewer.can.manage = viewer.can.decide;
  if (planner) {
    viewer.can.plan = viewer.can.read && identity !== null && member !== null;
    viewer.can.volunteer = viewer.can.read && identity !== null;
  }
  return { page, facts, viewer };
}

function sameRooms(a: Access, b: Access): boolean {
  return a.page.id === b.page.id && roomsFor(a.page.id, a.viewer).join() === roomsFor(b.page.id, b.viewer).join();
}

function authorOf(identity: Identity) {
  return { id: identity.userId, name: identity.name };
}

