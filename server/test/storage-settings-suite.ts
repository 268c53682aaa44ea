/**
 * SPEC 6.1's part of the storage contract (`SettingsStorage`), against the interface only, so
 * SQLite (storage.test.ts) and PostgreSQL (storage-postgres.test.ts) run the same cases:
 * invitations (listing, revoking, every refusal of an accept, use counting under concurrent
 * accepts), editor removal, how often someone asked, and the purge of a deleted page.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { newInviteCode } from '../src/pages/invites.js';
import { pendingAudit } from '../src/storage/pending-audit.js';
import type { InviteRecord, Storage } from '../src/storage/types.js';
import { auditTrail, uniqueId } from './helpers.js';
import type { OpenStorage } from './storage-suite.js';

const HOUR = 3_600_000;

export function settingsStorageSuite(name: string, open: OpenStorage): void {
  describe(`settings storage: ${name}`, () => {
    let s: Storage;
    before(async () => {
      s = await open(10_000);
    });
    after(async () => {
      await s.close();
    });

    const page = async (visibility: 'public' | 'private' = 'private') => {
      const id = uniqueId('sst');
      await s.createPage({ id, title: 'A page', visibility, wallModeration: 'post', owners: ['pat'], editors: ['ed'] });
      return id;
    };
    const invite = async (pageId: string, o: Partial<InviteRecord> = {}): Promise<InviteRecord> => {
      const i: InviteRecord = { code: newInviteCode(), id: randomUUID(), pageId, role: 'follower', expiresAt: new Date(Date.now() + HOUR).toISOString(), maxUses: 1, uses: 0, createdBy: 'pat', createdAt: new Date().toISOString(), revokedAt: null, ...o };
      await s.createInvite(i);
      return i;
    };
    const now = () => new Date().toISOString();

    it('lists live invitations only (not revoked, not expired; used-up ones stay)', async () => {
      const id = await page();
      const a = await invite(id, { maxUses: 3 });
      const b = await invite(id, { role: 'editor' });
      await invite(id, { expiresAt: new Date(Date.now() - 1000).toISOString() });
      const c = await invite(id);
      assert.deepEqual(await s.revokeInvite(id, c.code, now()), { id: c.id, revoked: true });
      assert.deepEqual(await s.revokeInvite(id, c.code, now()), { id: c.id, revoked: false }, 'revoking twice changes nothing');
      assert.equal(await s.revokeInvite(await page(), a.code, now()), null, 'another page has no such code');
      await s.acceptInvite(id, b.code, { id: 'sam', name: 'Sam' }, now());
      // Oldest first; two made in the same millisecond may come in either order.
      const listed = (await s.settings(id)).invites;
      assert.deepEqual(
        listed.map((i) => [i.code, i.role, i.uses, i.maxUses]).sort(),
        [
          [a.code, 'follower', 0, 3],
          [b.code, 'editor', 1, 1],
        ].sort(),
      );
    });

    it('accept: each refusal, and members or followers use nothing', async () => {
      const id = await page();
      const other = await page();
      const live = await invite(id, { maxUses: 2 });
      const user = { id: 'guest', name: 'Guest' };
      assert.deepEqual(await s.acceptInvite(other, live.code, user, now()), { ok: false, reason: 'not_found' });
      const revoked = await invite(id);
      await s.revokeInvite(id, revoked.code, now());
      assert.deepEqual(await s.acceptInvite(id, revoked.code, user, now()), { ok: false, reason: 'revoked' });
      const expiresAt = new Date(Date.now() - 1000).toISOString();
      const expired = await invite(id, { expiresAt });
      assert.deepEqual(await s.acceptInvite(id, expired.code, user, now()), { ok: false, reason: 'expired', expiresAt });
      await s.setFollow(id, { id: 'troll', name: 'Troll' }, 'blocked');
      assert.deepEqual(await s.acceptInvite(id, live.code, { id: 'troll', name: 'Troll' }, now()), { ok: false, reason: 'blocked' });
      assert.deepEqual(await s.acceptInvite(id, live.code, { id: 'pat', name: 'Pat' }, now()), { ok: false, reason: 'owner' });
      const ed = await s.acceptInvite(id, live.code, { id: 'ed', name: 'Ed' }, now());
      assert.deepEqual([ed.ok, ed.ok && ed.changed], [true, false]);
      const seqBefore = (await s.getPage(id))!.seq;
      const first = await s.acceptInvite(id, live.code, user, now());
      assert.ok(first.ok && first.changed && first.role === 'follower' && first.followerCount === 1 && first.seq === seqBefore + 1, JSON.stringify(first));
      const again = await s.acceptInvite(id, live.code, user, now());
      assert.ok(again.ok && !again.changed, 'the follower has the role already');
      assert.deepEqual((await s.settings(id)).invites.map((i) => i.uses), [1], 'only the real accept counted');
      await s.acceptInvite(id, live.code, { id: 'second', name: 'Second' }, now());
      assert.deepEqual(await s.acceptInvite(id, live.code, { id: 'third', name: 'Third' }, now()), { ok: false, reason: 'used_up' });
      assert.equal((await s.getFollow(id, 'third')), null);
    });

    it('accept: an editor invitation makes a member under their name; a request or a decline becomes a follow', async () => {
      const id = await page();
      const code = (await invite(id, { role: 'editor' })).code;
      const r = await s.acceptInvite(id, code, { id: 'sam', name: 'Sam Doe' }, now());
      assert.ok(r.ok && r.changed && r.role === 'editor' && r.seq === null);
      assert.equal(await s.memberRole(id, 'sam'), 'editor');
      assert.deepEqual((await s.settings(id)).editors, [{ userId: 'ed', name: 'ed' }, { userId: 'sam', name: 'Sam Doe' }]);
      await s.setFollow(id, { id: 'asker', name: 'Asker' }, 'requested');
      await s.setFollow(id, { id: 'no', name: 'No' }, 'declined');
      const many = (await invite(id, { maxUses: 5 })).code;
      const asked = await s.acceptInvite(id, many, { id: 'asker', name: 'Asker' }, now());
      assert.ok(asked.ok && asked.followBefore === 'requested');
      await s.acceptInvite(id, many, { id: 'no', name: 'No' }, now());
      assert.deepEqual([(await s.getFollow(id, 'asker'))?.state, (await s.getFollow(id, 'no'))?.state], ['following', 'following']);
      assert.equal((await s.getPage(id))!.followerCount, 2);
      assert.deepEqual((await s.settings(id)).requests, []);
      // Someone who asked and is then invited as an editor leaves the requests.
      await s.setFollow(id, { id: 'kim', name: 'Kim' }, 'requested');
      const edCode = (await invite(id, { role: 'editor' })).code;
      const kim = await s.acceptInvite(id, edCode, { id: 'kim', name: 'Kim' }, now());
      assert.ok(kim.ok && kim.followBefore === 'requested');
      assert.equal(await s.getFollow(id, 'kim'), null);
      assert.deepEqual((await s.settings(id)).requests, []);
    });

    it('accept: of many concurrent accepts of a one-use code exactly one succeeds, and the follower count rises by one', async () => {
      for (let round = 0; round < 5; round++) {
        const id = await page();
        const { code } = await invite(id);
        const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => s.acceptInvite(id, code, { id: `racer-${i}`, name: `Racer ${i}` }, now())));
        assert.equal(outcomes.filter((o) => o.ok).length, 1, JSON.stringify(outcomes));
        assert.ok(outcomes.every((o) => o.ok || o.reason === 'used_up'));
        assert.equal((await s.getPage(id))!.followerCount, 1);
        assert.deepEqual((await s.settings(id)).invites.map((i) => i.uses), [1]);
      }
    });

    it('the change and its audit row commit together, naming the invitation; a refused accept writes none', async () => {
      const id = await page();
      const inv = await invite(id);
      const at = now();
      const record = { at, pageId: id, actorId: 'guest', actorRole: 'visitor', action: 'invite.accept', target: null, detail: null, ip: null };
      await pendingAudit.run({ record, written: false }, () => s.acceptInvite(id, inv.code, { id: 'guest', name: 'Guest' }, now()));
      await pendingAudit.run({ record: { ...record, actorId: 'late' }, written: false }, () => s.acceptInvite(id, inv.code, { id: 'late', name: 'Late' }, now()));
      const rows = (await auditTrail(s, id)).filter((r) => r.action === 'invite.accept');
      assert.deepEqual(rows.map((r) => [r.actorId, r.target]), [['guest', inv.id]]);
      assert.ok(!JSON.stringify(await auditTrail(s, id)).includes(inv.code));
    });

    it('removeEditor takes the editor role only (never an owner’s)', async () => {
      const id = await page();
      assert.equal(await s.removeEditor(id, 'pat'), false);
      assert.equal(await s.removeEditor(id, 'nobody'), false);
      assert.equal(await s.removeEditor(id, 'ed'), true);
      assert.deepEqual(await s.members(id), [{ userId: 'pat', role: 'owner' }]);
      assert.equal(await s.removeEditor(id, 'ed'), false);
    });

    it('settings: followers, blocked users and how often each requester asked (a withdrawn request still counts)', async () => {
      const id = await page();
      await s.setFollow(id, { id: 'fan', name: 'Fan' }, 'following');
      await s.setFollow(id, { id: 'troll', name: 'Troll' }, 'blocked');
      const asker = { id: 'asker', name: 'Asker' };
      await s.setFollow(id, asker, 'requested');
      await s.setFollow(id, asker, 'requested'); // a repeat is not a new request
      await s.setFollow(id, asker, 'none');
      await s.setFollow(id, asker, 'requested');
      const v = await s.settings(id);
      assert.deepEqual(v.followers.map((f) => [f.userId, f.name]), [['fan', 'Fan']]);
      assert.deepEqual(v.blocked.map((b) => [b.userId, b.name]), [['troll', 'Troll']]);
      assert.deepEqual(v.requests.map((r) => [r.userId, r.asked]), [['asker', 2]]);
      assert.deepEqual((await s.requests(id)).map((r) => r.asked), [2]);
    });

    it('deletePage purges invitations and request counts; the id used again starts clean', async () => {
      const id = await page();
      const { code } = await invite(id, { maxUses: 5 });
      await s.setFollow(id, { id: 'asker', name: 'Asker' }, 'requested');
      assert.equal(await s.deletePage(id), true);
      await s.createPage({ id, title: 'Again', visibility: 'private', wallModeration: 'post', owners: ['pat'], editors: [] });
      assert.deepEqual(await s.acceptInvite(id, code, { id: 'guest', name: 'Guest' }, now()), { ok: false, reason: 'not_found' });
      await s.setFollow(id, { id: 'asker', name: 'Asker' }, 'requested');
      assert.deepEqual((await s.settings(id)).requests.map((r) => r.asked), [1]);
    });
  });
}
