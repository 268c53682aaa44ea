/**
 * SPEC 6.2's part of the storage contract (`NotifyStorage`), against the interface only, so
 * SQLite (storage.test.ts) and PostgreSQL (storage-postgres.test.ts) run the same cases:
 * choices per (page, person), `off` until chosen; the choices going in the transaction that
 * ends the person's right to hear about the page; one-click unsubscribe and its audit row;
 * addresses; push subscriptions (owner, the cap, removal).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import type { Database } from '../src/storage/schema.js';
import { MAX_PUSH_SUBSCRIPTIONS } from '../src/storage/notify-prefs.js';
import { pendingAudit } from '../src/storage/pending-audit.js';
import type { AuditRecord, Storage } from '../src/storage/types.js';
import { auditTrail, uniqueId } from './helpers.js';
import type { OpenStorage } from './storage-suite.js';

const OFF = { email: 'off', push: false, owner: { requests: 'off', messages: 'off' }, reminders: true };

export function notifyStorageSuite(name: string, open: OpenStorage): void {
  describe(`notify storage: ${name}`, () => {
    let s: Storage;
    before(async () => {
      s = await open(10_000);
    });
    after(async () => {
      await s.close();
    });

    const now = () => new Date().toISOString();
    const page = async (followers: string[] = ['fan'], owners = ['pat']) => {
      const id = uniqueId('nst');
      await s.createPage({ id, title: 'A page', visibility: 'public', wallModeration: 'post', owners, editors: ['ed'] });
      for (const f of followers) await s.setFollow(id, { id: f, name: f }, 'following');
      return id;
    };
    const sub = (n: number | string) => ({ endpoint: `https://push.example/${n}`, keys: { p256dh: `B${'p'.repeat(86)}`, auth: `a${'u'.repeat(21)}` } });

    it('nothing is stored until chosen; a change sets only its fields', async () => {
      const id = await page();
      assert.equal(await s.notifyPrefs(id, 'fan'), null);
      await s.setNotifyPrefs(id, 'fan', { email: 'daily' }, now());
      assert.deepEqual(await s.notifyPrefs(id, 'fan'), { ...OFF, email: 'daily' });
      await s.setNotifyPrefs(id, 'fan', { push: true }, now());
      assert.deepEqual(await s.notifyPrefs(id, 'fan'), { ...OFF, email: 'daily', push: true });
      await s.setNotifyPrefs(id, 'pat', { owner: { requests: 'instant' } }, now());
      await s.setNotifyPrefs(id, 'pat', { owner: { messages: 'daily' } }, now());
      assert.deepEqual(await s.notifyPrefs(id, 'pat'), { ...OFF, owner: { requests: 'instant', messages: 'daily' } });
      // Per page: another page of the same person is untouched.
      assert.equal(await s.notifyPrefs(await page(), 'fan'), null);
    });

    it('planner reminders: on until turned off; turned off they outlast unfollowing, the other choices do not', async () => {
      const id = await page();
      await s.setNotifyPrefs(id, 'fan', { email: 'instant', reminders: false }, now());
      assert.deepEqual(await s.notifyPrefs(id, 'fan'), { ...OFF, email: 'instant', reminders: false });
      await s.setFollow(id, { id: 'fan', name: 'fan' }, 'none');
      assert.deepEqual(await s.notifyPrefs(id, 'fan'), { ...OFF, reminders: false }, 'email is reset, the reminders choice kept');
      await s.setNotifyPrefs(id, 'fan', { reminders: true }, now());
      await s.setFollow(id, { id: 'fan', name: 'fan' }, 'following');
      await s.setFollow(id, { id: 'fan', name: 'fan' }, 'none');
      assert.equal(await s.notifyPrefs(id, 'fan'), null, 'a row with nothing off goes');
    });

    it('a change is audited in its own transaction with the caller’s pending row', async () => {
      const id = await page();
      const record: AuditRecord = { at: now(), pageId: id, actorId: 'fan', actorRole: 'follower', action: 'notify.set', target: null, detail: { email: 'instant' }, ip: null };
      await pendingAudit.run({ record, written: false }, () => s.setNotifyPrefs(id, 'fan', { email: 'instant' }, now()));
      const rows = (await auditTrail(s, id)).filter((r) => r.action === 'notify.set');
      assert.deepEqual(rows.map((r) => [r.actorId, r.target, r.detail]), [['fan', 'fan', { email: 'instant' }]]);
    });

    it('the choices go with the follow: unfollowing, removal and a block delete them; coming back is off', async () => {
      const id = await page(['a', 'b', 'c']);
      for (const u of ['a', 'b', 'c']) await s.setNotifyPrefs(id, u, { email: 'instant', push: true }, now());
      await s.setFollow(id, { id: 'a', name: 'a' }, 'none');
      await s.setFollow(id, { id: 'b', name: 'b' }, 'blocked');
      assert.equal(await s.notifyPrefs(id, 'a'), null);
      assert.equal(await s.notifyPrefs(id, 'b'), null);
      assert.deepEqual(await s.notifyPrefs(id, 'c'), { ...OFF, email: 'instant', push: true }, 'the others keep theirs');
      await s.setFollow(id, { id: 'a', name: 'a' }, 'following');
      assert.equal(await s.notifyPrefs(id, 'a'), null, 'back: off until chosen again');
    });

    it('members keep their choices without following; a removed editor who does not follow loses them', async () => {
      const id = await page([]);
      await s.setNotifyPrefs(id, 'pat', { owner: { requests: 'instant' } }, now());
      await s.setNotifyPrefs(id, 'ed', { email: 'daily' }, now());
      // Unfollowing does not touch a member's (an owner cannot follow; an editor may have followed).
      await s.setFollow(id, { id: 'pat', name: 'pat' }, 'none');
      assert.notEqual(await s.notifyPrefs(id, 'pat'), null);
      assert.equal(await s.removeEditor(id, 'ed'), true);
      assert.equal(await s.notifyPrefs(id, 'ed'), null);

      // An editor who also follows keeps them when the role goes.
      await s.setMembers(id, { editors: ['ed2'] });
      await s.setFollow(id, { id: 'ed2', name: 'ed2' }, 'following');
      await s.setNotifyPrefs(id, 'ed2', { email: 'instant' }, now());
      await s.removeEditor(id, 'ed2');
      assert.deepEqual(await s.notifyPrefs(id, 'ed2'), { ...OFF, email: 'instant' });

      // Members replaced over REST: the former owner (no follower) loses theirs.
      await s.setMembers(id, { owners: ['new-owner'] });
      assert.equal(await s.notifyPrefs(id, 'pat'), null);
      assert.notEqual(await s.notifyPrefs(id, 'ed2'), null, 'a follower keeps theirs');
    });

    it('a deleted page takes its choices with it', async () => {
      const id = await page();
      await s.setNotifyPrefs(id, 'fan', { email: 'daily' }, now());
      await s.deletePage(id);
      assert.equal(await s.notifyPrefs(id, 'fan'), null);
    });

    it('one-click unsubscribe: one page, or every page; audited without the address; push stays', async () => {
      // People of their own: every page of theirs is one of these three.
      const fan = uniqueId('fan');
      const pat = uniqueId('pat');
      const [p1, p2, p3] = [await page([fan], [pat]), await page([fan], [pat]), await page([fan], [pat])];
      await s.setNotifyAddress(fan, 'fan@example.org', now());
      await s.setNotifyPrefs(p1, fan, { email: 'instant', push: true }, now());
      await s.setNotifyPrefs(p2, fan, { email: 'daily' }, now());
      await s.setNotifyPrefs(p3, fan, { push: true }, now());
      await s.setNotifyPrefs(p1, pat, { email: 'daily', owner: { requests: 'instant', messages: 'daily' } }, now());

      assert.equal(await s.unsubscribeEmail(fan, p1, now()), 1);
      assert.deepEqual(await s.notifyPrefs(p1, fan), { ...OFF, push: true });
      assert.equal((await s.notifyPrefs(p2, fan))?.email, 'daily', 'another page is untouched');
      assert.equal(await s.unsubscribeEmail(fan, p1, now()), 0, 'again: nothing to change');

      assert.equal(await s.unsubscribeEmail(pat, null, now()), 1);
      assert.deepEqual(await s.notifyPrefs(p1, pat), OFF, 'an owner’s emails stop too');
      assert.equal(await s.unsubscribeEmail(fan, null, now()), 1, 'p2 (p3 never had email)');
      assert.equal((await s.notifyPrefs(p2, fan))?.email, 'off');

      const rows = [...(await auditTrail(s, p1)), ...(await auditTrail(s, p2))].filter((r) => r.action === 'notify.unsubscribe');
      assert.deepEqual(rows.map((r) => [r.pageId, r.actorId, r.actorRole]).sort(), [[p1, fan, 'follower'], [p1, pat, 'owner'], [p2, fan, 'follower']].sort());
      assert.ok(!JSON.stringify(rows).includes('@'), 'no address in the audit log');
      assert.deepEqual((await auditTrail(s, p3)).filter((r) => r.action === 'notify.unsubscribe'), []);
    });

    it('addresses are kept per person and replaced', async () => {
      const db = (s as unknown as { db: Kysely<Database> }).db;
      const address = async () => (await db.selectFrom('notify_users').select('email').where('user_id', '=', 'addr').execute()).map((r) => r.email);
      await s.setNotifyAddress('addr', 'one@example.org', now());
      assert.deepEqual(await address(), ['one@example.org']);
      await s.setNotifyAddress('addr', 'two@example.org', now());
      assert.deepEqual(await address(), ['two@example.org']);
      await s.setNotifyAddress('addr', null, now());
      assert.deepEqual(await address(), [null]);
    });

    it('push subscriptions: stored, moved to whoever registered the browser last, removed by their owner only', async () => {
      const u = uniqueId('pu');
      const v = uniqueId('pv');
      await s.addPushSubscription(u, sub(`${u}-1`), now());
      assert.deepEqual(await s.pushSubscription(`https://push.example/${u}-1`), { userId: u, ...sub(`${u}-1`) });
      // The same browser, now signed in as someone else.
      await s.addPushSubscription(v, sub(`${u}-1`), now());
      assert.equal((await s.pushSubscription(`https://push.example/${u}-1`))?.userId, v);
      assert.equal(await s.removePushSubscription(`https://push.example/${u}-1`, u), false, 'not theirs any more');
      assert.equal(await s.removePushSubscription(`https://push.example/${u}-1`, v), true);
      assert.equal(await s.pushSubscription(`https://push.example/${u}-1`), null);
      // Without a user: a push service's 404/410.
      await s.addPushSubscription(u, sub(`${u}-2`), now());
      assert.equal(await s.removePushSubscription(`https://push.example/${u}-2`), true);
      assert.equal(await s.removePushSubscription(`https://push.example/${u}-2`), false);
    });

    it(`at most ${MAX_PUSH_SUBSCRIPTIONS} browsers per person: the oldest goes`, async () => {
      const u = uniqueId('pc');
      const t0 = Date.now();
      for (let i = 0; i <= MAX_PUSH_SUBSCRIPTIONS; i++) await s.addPushSubscription(u, sub(`${u}-${i}`), new Date(t0 + i * 1000).toISOString());
      assert.equal(await s.pushSubscription(`https://push.example/${u}-0`), null, 'the oldest was dropped');
      for (let i = 1; i <= MAX_PUSH_SUBSCRIPTIONS; i++) assert.equal((await s.pushSubscription(`https://push.example/${u}-${i}`))?.userId, u);
    });
  });
}
