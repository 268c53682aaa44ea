import type { NotifyPrefs } from '../../../src/protocol/index.js';
import { CareFailure } from '../errors.js';
import type { Access, PageService } from '../pages/service.js';
import type { Actor } from '../pages/audit.js';
import type { Payload } from '../socket/validation.js';
import type { NotifyChannels } from './availability.js';

/**
 * SPEC 6.2, feature `notify`: each person's choice of what they hear about a page, and their
 * browsers for Web Push. Nothing is sent without a choice: a person without a stored row has
 * everything `off`.
 *
 * Who may choose: the page's approved followers and its members (owners and editors, who also
 * choose what they hear about their own page: new requests, a daily count of new messages).
 * Anyone else is refused, so a visitor can neither learn nor set anything about a page they
 * do not follow. The choices go when the person stops following (storage, same transaction).
 *
 * Feature `planner` (SPEC 6.4): `reminders` (on unless turned off) is also answered to, and
 * set by, a reader who signed up for a task of the page without following it (a public or
 * members-only page): signing up is what brings reminders, so it is what lets one stop them.
 * Such a volunteer may change `reminders` only.
 *
 * The address comes from the token's `email` claim and from nowhere else (never the payload),
 * so a person can only ever have mail sent to the address the hospital vouches for.
 */
export class NotifyPrefsService {
  constructor(
    private readonly pages: PageService,
    private readonly channels: NotifyChannels,
  ) {}

  async get(actor: Actor, p: Payload<'notify:get'>): Promise<NotifyPrefs> {
    const a = await this.entitled(actor, p.pageId, 'see notification choices', true);
    return this.answer(a, actor);
  }

  async set(actor: Actor, p: Payload<'notify:set'>): Promise<NotifyPrefs> {
    const onlyReminders = p.email === undefined && p.push === undefined && p.owner === undefined;
    const a = await this.entitled(actor, p.pageId, 'choose notifications', onlyReminders);
    if (p.reminders !== undefined && !this.pages.has('planner')) throw new CareFailure('invalid', 'This server has no planner, so no reminders.');
    const manager = isMember(a);
    const email = actor.identity!.email;
    const wantsEmail = (p.email !== undefined && p.email !== 'off') || p.owner?.requests === 'instant' || p.owner?.messages === 'daily';
    if (wantsEmail && !this.channels.email) throw new CareFailure('invalid', 'This server does not send email.');
    if (wantsEmail && !email) throw new CareFailure('invalid', 'Your sign-in gives no email address, so no email can be sent to you.');
    if (p.push === true && !this.channels.push) throw new CareFailure('invalid', 'This server does not send browser notifications.');
    if (p.owner !== undefined && !manager) throw new CareFailure('forbidden', 'Only the page owners and co-authors choose what they hear about the page itself.');
    const userId = actor.identity!.userId;
    const at = new Date().toISOString();
    // The address first: a job expanded right after the choice finds where to send it.
    if (wantsEmail) await this.pages.storage.setNotifyAddress(userId, email!, at);
    // Modes only in the audit detail: never the address.
    const detail: Record<string, unknown> = {};
    if (p.email !== undefined) detail.email = p.email;
    if (p.push !== undefined) detail.push = p.push;
    if (p.owner !== undefined) detail.owner = { ...p.owner };
    if (p.reminders !== undefined) detail.reminders = p.reminders;
    await this.pages.audit.within(a.page.id, actor, 'notify.set', { target: userId, viewer: a.viewer, detail }, () =>
      this.pages.storage.setNotifyPrefs(
        a.page.id,
        userId,
        {
          ...(p.email !== undefined ? { email: p.email } : {}),
          ...(p.push !== undefined ? { push: p.push } : {}),
          ...(p.owner ? { owner: p.owner } : {}),
          ...(p.reminders !== undefined ? { reminders: p.reminders } : {}),
        },
        at,
      ),
    );
    return this.answer(a, actor);
  }

  /** Registers the caller's browser for Web Push (any page; the choices per page say what it gets). */
  async subscribePush(actor: Actor, p: Payload<'push:subscribe'>): Promise<void> {
    if (!actor.identity) throw new CareFailure('unauthorized', 'Sign in to turn on browser notifications.');
    if (!this.channels.push) throw new CareFailure('invalid', 'This server does not send browser notifications.');
    const { endpoint, keys } = p.subscription;
    // Only a known push service: the server POSTs to whatever is stored here (push-hosts.ts).
    const problem = this.channels.pushHosts.problem(endpoint);
    if (problem) throw new CareFailure('invalid', `subscription.endpoint ${problem}.`);
    await this.pages.storage.addPushSubscription(actor.identity.userId, { endpoint, keys }, new Date().toISOString());
  }

  /**
   * Forgets one of the caller's browsers. Answers `ok` whether or not the caller had it: an
   * endpoint that is someone else's is left alone, and the answer does not tell them so.
   */
  async unsubscribePush(actor: Actor, p: Payload<'push:unsubscribe'>): Promise<void> {
    if (!actor.identity) throw new CareFailure('unauthorized', 'Sign in to turn off browser notifications.');
    await this.pages.storage.removePushSubscription(p.endpoint, actor.identity.userId);
  }

  /**
   * The page with the caller's access, refused unless they follow it (approved) or are a
   * member; or, for `reminders` alone, a reader signed up for one of its tasks.
   */
  private async entitled(actor: Actor, pageId: string, what: string, remindersOnly: boolean): Promise<Access> {
    const a = await this.pages.access(pageId, actor.identity);
    const chooser = a.facts.identity !== null && (isMember(a) || a.facts.follow === 'following');
    const volunteer = !chooser && remindersOnly && a.facts.identity !== null && a.viewer.can.read && this.pages.has('planner') && (await this.pages.storage.volunteersOn(a.page.id, a.facts.identity.userId));
    this.pages.require(a, chooser || volunteer, what);
    return a;
  }

  private async answer(a: Access, actor: Actor): Promise<NotifyPrefs> {
    const stored = await this.pages.storage.notifyPrefs(a.page.id, actor.identity!.userId);
    const available = { email: this.channels.email && actor.identity!.email !== undefined, push: this.channels.push };
    const prefs: NotifyPrefs = { email: stored?.email ?? 'off', push: stored?.push ?? false, available };
    if (available.push && this.channels.vapidPublicKey) prefs.vapidPublicKey = this.channels.vapidPublicKey;
    if (isMember(a)) prefs.owner = stored?.owner ?? { requests: 'off', messages: 'off' };
    if (this.pages.has('planner')) prefs.reminders = stored?.reminders ?? true;
    return prefs;
  }
}

function isMember(a: Access): boolean {
  return a.facts.member !== null;
}
