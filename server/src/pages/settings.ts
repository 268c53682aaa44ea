import type { PageInfo, PageSettingsView } from '../../../src/protocol/index.js';
import { CareFailure } from '../errors.js';
import type { Payload } from '../socket/validation.js';
import type { Actor } from './audit.js';
import { readsSettings } from './rooms.js';
import type { PageService } from './service.js';

/**
 * SPEC 6.1, feature `settings`: the page's own settings panel (`<care-page-settings>`).
 * Managers (`can.manage`: the page's owners and staff admins) see and change everything;
 * editors read a summary without invitations and blocked users; everyone else is refused.
 * Each change follows the service's one path: access, storage (the change and its audit
 * entry in one transaction), re-evaluation of who hears what, then fan-out.
 */
export class PageSettingsService {
  constructor(private readonly pages: PageService) {}

  async view(actor: Actor, p: Payload<'page:settings'>): Promise<PageSettingsView> {
    const a = await this.pages.access(p.pageId, actor.identity);
    this.pages.require(a, readsSettings(a.viewer), 'see the settings of this page');
    const full = a.viewer.can.manage === true;
    const s = await this.pages.storage.settings(a.page.id);
    // Who follows a patient is as private as the page: reading the list is audited like a read.
    await this.pages.audit.record(a.page.id, actor, 'settings.read', { viewer: a.viewer, detail: { full } });
    return {
      visibility: a.page.visibility,
      wallModeration: a.page.wallModeration,
      followers: s.followers,
      requests: s.requests,
      editors: s.editors,
      // Editors read a summary: who is blocked, and the invitation codes, are the managers' alone.
      blocked: full ? s.blocked : [],
      invites: full ? s.invites : [],
    };
  }

  /**
   * Visibility and wall moderation. Widening access is confirmed in the widget; the server
   * applies what it is told. Viewers who lose access have left the page's rooms (and been
   * told to resubscribe) before the answer; the readers left get `page:updated` in `seq` order.
   */
  async configure(actor: Actor, p: Payload<'page:configure'>): Promise<PageInfo> {
    const a = await this.pages.access(p.pageId, actor.identity);
    this.pages.require(a, a.viewer.can.manage === true, 'change the settings of this page');
    const settings = { ...(p.visibility ? { visibility: p.visibility } : {}), ...(p.wallModeration ? { wallModeration: p.wallModeration } : {}) };
    const page = await this.pages.changeSettings(actor, a.viewer, a.page.id, settings);
    return this.pages.info(page);
  }

  /**
   * Takes an editor's role away. They keep their follow state: a former editor who also
   * followed the page still follows it; one who did not is a plain visitor (and loses a
   * private page). Owners are the admin's business (`PATCH /api/pages/:id {owners}`).
   */
  async removeEditor(actor: Actor, p: Payload<'member:remove'>): Promise<void> {
    const a = await this.pages.access(p.pageId, actor.identity);
    this.pages.require(a, a.viewer.can.manage === true, 'remove editors');
    const role = await this.pages.storage.memberRole(a.page.id, p.userId);
    if (role === 'owner') throw new CareFailure('forbidden', 'An owner cannot be removed here; ask the hospital.');
    const removed = await this.pages.audit.within(a.page.id, actor, 'member.remove', { target: p.userId, viewer: a.viewer, detail: { role: 'editor' } }, () => this.pages.storage.removeEditor(a.page.id, p.userId));
    if (!removed) throw new CareFailure('not_found', 'That user is not an editor of this page.');
    // Their sockets lose the editor's rooms before the answer.
    await this.pages.resync(a.page.id, [p.userId]);
    this.pages.fanout.settingsChanged(a.page.id);
  }

  /**
   * Lets a blocked user back: they become a plain visitor (who may ask to follow again), not a
   * follower. Managers only: blocking is moderation (editors and staff too), undoing it is
   * the patient's decision.
   */
  async unblock(actor: Actor, p: Payload<'follow:unblock'>): Promise<void> {
    const a = await this.pages.access(p.pageId, actor.identity);
    this.pages.require(a, a.viewer.can.manage === true, 'unblock people');
    const f = await this.pages.storage.getFollow(a.page.id, p.userId);
    if (f?.state !== 'blocked') throw new CareFailure('not_found', 'That user is not blocked on this page.');
    await this.pages.audit.within(a.page.id, actor, 'follow.unblock', { target: p.userId, viewer: a.viewer }, () => this.pages.storage.setFollow(a.page.id, { id: f.userId, name: f.name }, 'none'), true);
    // Their open sockets may read again (a public page): told to resubscribe.
    await this.pages.resync(a.page.id, [p.userId]);
    this.pages.fanout.settingsChanged(a.page.id);
  }
}
