import { sql, type ExpressionBuilder, type Kysely, type Transaction } from 'kysely';
import type { EmailMode, OwnerNotify, PushSubscriptionData } from '../../../src/protocol/index.js';
import type { Database } from './schema.js';
import type { AuditRecord } from './types.js';

type Db = Kysely<Database> | Transaction<Database>;

/** One person's stored choices for one page (SPEC 6.2); no row means all `off` (and reminders on). */
export interface StoredNotifyPrefs {
  email: EmailMode;
  push: boolean;
  owner: OwnerNotify;
  /** SPEC 6.4: planner reminders for the tasks they signed up for (on unless turned off). */
  reminders: boolean;
}

export interface NotifyPrefsChange {
  email?: EmailMode;
  push?: boolean;
  owner?: Partial<OwnerNotify>;
  reminders?: boolean;
}

export interface StoredPushSubscription {
  userId: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** How many browsers one person may register for Web Push; a new one beyond it drops the oldest. */
export const MAX_PUSH_SUBSCRIPTIONS = 10;

/**
 * SPEC 6.2's storage: who chose what about which page, where to email them, and the browsers
 * they registered for Web Push. Part of `Storage` (SqlStorage delegates here); kept apart so
 * the page storage reads as before.
 *
 * A choice lives only while its person may hear about the page: the row goes, in the same
 * transaction, when they stop following, are removed or blocked, or stop being a member
 * (`dropUnlessEntitled`, called by the page storage). Coming back starts from `off` again.
 */
export class NotifyPrefsStore {
  constructor(
    private readonly db: Kysely<Database>,
    /** Writes the caller's pending audit row (`Audit.within`) in the transaction, if any. */
    private readonly auditIn: (trx: Db, target: string | null) => Promise<void>,
    /** Writes an audit row of this storage's own (one-click unsubscribe has no socket caller). */
    private readonly insertAudit: (trx: Db, record: AuditRecord) => Promise<void>,
  ) {}

  async notifyPrefs(pageId: string, userId: string): Promise<StoredNotifyPrefs | null> {
    const r = await this.db.selectFrom('notify_prefs').selectAll().where('page_id', '=', pageId).where('user_id', '=', userId).executeTakeFirst();
    return r
      ? {
          email: r.email as EmailMode,
          push: Number(r.push) === 1,
          owner: { requests: r.requests as OwnerNotify['requests'], messages: r.messages as OwnerNotify['messages'] },
          reminders: Number(r.reminders) === 1,
        }
      : null;
  }

  /** Changes the given fields (the others keep their value, `off` for a new row); audited with the caller's pending row. */
  async setNotifyPrefs(pageId: string, userId: string, change: NotifyPrefsChange, at: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const patch: { email?: string; push?: number; requests?: string; messages?: string; reminders?: number } = {};
      if (change.email !== undefined) patch.email = change.email;
      if (change.push !== undefined) patch.push = change.push ? 1 : 0;
      if (change.reminders !== undefined) patch.reminders = change.reminders ? 1 : 0;
      if (change.owner?.requests !== undefined) patch.requests = change.owner.requests;
      if (change.owner?.messages !== undefined) patch.messages = change.owner.messages;
      await trx
        .insertInto('notify_prefs')
        .values({ page_id: pageId, user_id: userId, email: 'off', push: 0, requests: 'off', messages: 'off', ...patch, updated_at: at })
        .onConflict((oc) => oc.columns(['page_id', 'user_id']).doUpdateSet({ ...patch, updated_at: at }))
        .execute();
      await this.auditIn(trx, userId);
    });
  }

  /** The address email goes to (the token's `email` claim when the person chose email); `null` forgets it. */
  async setNotifyAddress(userId: string, email: string | null, at: string): Promise<void> {
    await this.db
      .insertInto('notify_users')
      .values({ user_id: userId, email, updated_at: at })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ email, updated_at: at }))
      .execute();
  }

  /**
   * One-click unsubscribe (RFC 8058): email `off`, and an owner's emails too, for one page or
   * (`pageId` null) every page. Push stays as chosen: it is another channel, switched off in
   * the browser. One audit row per page changed (`notify.unsubscribe`, never the address).
   */
  async unsubscribeEmail(userId: string, pageId: string | null, at: string): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      let q = trx
        .updateTable('notify_prefs')
        .set({ email: 'off', requests: 'off', messages: 'off', updated_at: at })
        .where('user_id', '=', userId)
        .where((eb) => eb.or([eb('email', '!=', 'off'), eb('requests', '!=', 'off'), eb('messages', '!=', 'off')]));
      if (pageId !== null) q = q.where('page_id', '=', pageId);
      const changed = await q.returning('page_id').execute();
      for (const { page_id } of changed) {
        const member = await trx.selectFrom('page_members').select('role').where('page_id', '=', page_id).where('user_id', '=', userId).executeTakeFirst();
        await this.insertAudit(trx, {
          at,
          pageId: page_id,
          actorId: userId,
          actorRole: member?.role ?? 'follower',
          action: 'notify.unsubscribe',
          target: userId,
          detail: { via: 'link' },
          ip: null,
        });
      }
      return changed.length;
    });
  }

  /**
   * A planner reminder's one-click unsubscribe (SPEC 6.4): the page's reminders off (a row
   * made for it if the person had none: a volunteer need not follow a public page). Audited
   * `notify.unsubscribe` with `what: 'reminders'` when it changed something.
   */
  async unsubscribeReminders(userId: string, pageId: string, at: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const page = await trx.selectFrom('pages').select('id').where('id', '=', pageId).executeTakeFirst();
      if (!page) return false;
      const before = await trx.selectFrom('notify_prefs').select('reminders').where('page_id', '=', pageId).where('user_id', '=', userId).executeTakeFirst();
      if (before && Number(before.reminders) === 0) return false;
      await trx
        .insertInto('notify_prefs')
        .values({ page_id: pageId, user_id: userId, email: 'off', push: 0, requests: 'off', messages: 'off', reminders: 0, updated_at: at })
        .onConflict((oc) => oc.columns(['page_id', 'user_id']).doUpdateSet({ reminders: 0, updated_at: at }))
        .execute();
      const member = await trx.selectFrom('page_members').select('role').where('page_id', '=', pageId).where('user_id', '=', userId).executeTakeFirst();
      const follow = await trx.selectFrom('follows').select('state').where('page_id', '=', pageId).where('user_id', '=', userId).executeTakeFirst();
      await this.insertAudit(trx, {
        at,
        pageId,
        actorId: userId,
        actorRole: member?.role ?? (follow?.state === 'following' ? 'follower' : 'visitor'),
        action: 'notify.unsubscribe',
        target: userId,
        detail: { via: 'link', what: 'reminders' },
        ip: null,
      });
      return true;
    });
  }

  async volunteersOn(pageId: string, userId: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('task_volunteers as v')
      .innerJoin('tasks as t', 't.id', 'v.task_id')
      .select('v.task_id')
      .where('v.page_id', '=', pageId)
      .where('v.user_id', '=', userId)
      .where('t.cancelled_at', 'is', null)
      .limit(1)
      .executeTakeFirst();
    return r !== undefined;
  }

  /**
   * Registers a browser (the endpoint is the browser's: registered by another person before,
   * it is theirs no longer). Keeps the person's newest `MAX_PUSH_SUBSCRIPTIONS`.
   */
  async addPushSubscription(userId: string, s: PushSubscriptionData, at: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('push_subscriptions')
        .values({ endpoint: s.endpoint, user_id: userId, p256dh: s.keys.p256dh, auth: s.keys.auth, created_at: at })
        .onConflict((oc) => oc.column('endpoint').doUpdateSet({ user_id: userId, p256dh: s.keys.p256dh, auth: s.keys.auth, created_at: at }))
        .execute();
      const kept = await trx
        .selectFrom('push_subscriptions')
        .select('endpoint')
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .orderBy('endpoint')
        .limit(MAX_PUSH_SUBSCRIPTIONS)
        .execute();
      await trx
        .deleteFrom('push_subscriptions')
        .where('user_id', '=', userId)
        .where(
          'endpoint',
          'not in',
          kept.map((k) => k.endpoint),
        )
        .execute();
    });
  }

  /** Removes a subscription (only `userId`'s, when given); whether one was removed. */
  async removePushSubscription(endpoint: string, userId?: string): Promise<boolean> {
    let q = this.db.deleteFrom('push_subscriptions').where('endpoint', '=', endpoint);
    if (userId !== undefined) q = q.where('user_id', '=', userId);
    const r = await q.executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async pushSubscription(endpoint: string): Promise<StoredPushSubscription | null> {
    const r = await this.db.selectFrom('push_subscriptions').selectAll().where('endpoint', '=', endpoint).executeTakeFirst();
    return r ? { userId: r.user_id, endpoint: r.endpoint, keys: { p256dh: r.p256dh, auth: r.auth } } : null;
  }

  /**
   * Inside a change's transaction: drops the choices on `pageId` of those of `userIds` who no
   * longer follow it (approved) and are no member of it (`null`: everyone's on the page). Called
   * after the follow or membership changed, so what is read is the new state.
   *
   * A planner reminders choice turned off (SPEC 6.4) is kept, the rest of the row reset to
   * `off`: a volunteer may still read a public page without following it, and their "no
   * reminders" must not turn back on because they stopped following.
   */
  static async dropUnlessEntitled(trx: Db, pageId: string, userIds: readonly string[] | null): Promise<void> {
    if (userIds?.length === 0) return;
    let reset = trx.updateTable('notify_prefs').set({ email: 'off', push: 0, requests: 'off', messages: 'off' }).where('page_id', '=', pageId).where('reminders', '=', 0);
    let drop = trx.deleteFrom('notify_prefs').where('page_id', '=', pageId).where('reminders', '!=', 0);
    if (userIds) {
      reset = reset.where('user_id', 'in', userIds);
      drop = drop.where('user_id', 'in', userIds);
    }
    await reset.where(notFollowing).where(notMember).execute();
    await drop.where(notFollowing).where(notMember).execute();
  }
}

/** No approved follow of the row's page by the row's person. */
const notFollowing = ({ not, exists, selectFrom }: ExpressionBuilder<Database, 'notify_prefs'>) =>
  not(
    exists(
      selectFrom('follows')
        .select(sql<number>`1`.as('one'))
        .whereRef('follows.page_id', '=', 'notify_prefs.page_id')
        .whereRef('follows.user_id', '=', 'notify_prefs.user_id')
        .where('follows.state', '=', 'following'),
    ),
  );

/** The row's person is no member of its page. */
const notMember = ({ not, exists, selectFrom }: ExpressionBuilder<Database, 'notify_prefs'>) =>
  not(
    exists(
      selectFrom('page_members')
        .select(sql<number>`1`.as('one'))
        .whereRef('page_members.page_id', '=', 'notify_prefs.page_id')
        .whereRef('page_members.user_id', '=', 'notify_prefs.user_id'),
    ),
  );
