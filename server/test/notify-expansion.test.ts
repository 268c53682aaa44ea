/**
 * A cause is expanded into deliveries by the job runner, in one transaction with marking it
 * done, for the people who may STILL read the page then: a follower who chose "each update"
 * gets one email job per entry (and one push job per browser subscription); a person who
 * unfollowed, was removed or blocked, is still pending, or wrote the entry gets none. Owners
 * who chose requests "instant" hear of follow requests. Messages are PHI-free unless the
 * hospital chose `title`. Channels are recording doubles of our own `Channel` interface.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EmailPayload, PushPayload } from '../src/notify/contract.js';
import { defaultNotifySettings } from '../src/notify/settings.js';
import { startServer, type TestServer } from './helpers.js';
import { address, choose, drained, jobsOf, RecordingChannel, subscribe } from './notify-helpers.js';

async function serverWith(detail: 'none' | 'title' = 'none') {
  const email = new RecordingChannel<EmailPayload>('email');
  const push = new RecordingChannel<PushPayload>('push');
  const ts = await startServer({ channels: { email, push }, notify: { ...defaultNotifySettings(0), detail, perRecipientPerHour: 1000 } });
  return { ts, email, push };
}

const TITLE = 'Jane SECRET-TITLE';

async function post(ts: TestServer, pageId: string, clientId: string) {
  const owner = await ts.connect('owner');
  const r = await owner.ok('journal:post', { pageId, clientId, title: 'SECRET-ENTRY chemo', body: 'SECRET-BODY' });
  owner.close();
  return r.entry;
}

describe('expansion: who hears of a journal entry', () => {
  it('followers who chose "each update": one email per entry, one push per subscription; nobody who may not read now, nor the author', async () => {
    const { ts, email, push } = await serverWith();
    try {
      const pageId = await ts.page({ visibility: 'private', title: TITLE, followers: ['instant', 'pusher', 'unfollower', 'removed', 'blocked', 'noaddress', 'daily', 'off'] });
      const db = ts.db;
      // Everyone below chose email 'instant' (and has an address) unless said otherwise.
      for (const u of ['instant', 'unfollower', 'removed', 'blocked', 'pending', 'owner', 'editor', 'stranger']) {
        await choose(db, pageId, u, { email: 'instant' });
        await address(db, u, `${u}@example.org`);
      }
      await choose(db, pageId, 'noaddress', { email: 'instant' });
      await choose(db, pageId, 'daily', { email: 'daily' });
      await address(db, 'daily', 'daily@example.org');
      await choose(db, pageId, 'pusher', { push: true });
      await subscribe(db, 'pusher', 'https://push.example/one');
      await subscribe(db, 'pusher', 'https://push.example/two');
      await subscribe(db, 'instant', 'https://push.example/instant-but-push-off');

      // Those who lose the right to read, through the server's own paths.
      const owner = await ts.connect('owner');
      const unfollower = await ts.connect('unfollower');
      const pending = await ts.connect('pending');
      await unfollower.ok('follow:set', { pageId, follow: false });
      await pending.ok('follow:set', { pageId, follow: true });
      await owner.ok('follow:remove', { pageId, userId: 'removed' });
      await owner.ok('follow:remove', { pageId, userId: 'blocked', block: true });
      for (const c of [owner, unfollower, pending]) c.close();

      const e1 = await post(ts, pageId, 'e1');
      const e2 = await post(ts, pageId, 'e2');
      await drained(db, Date.now, pageId);

      const emails = email.sent.map((j) => [j.payload.userId, j.payload.to, j.key]).sort();
      assert.deepEqual(
        emails,
        [
          ['editor', 'editor@example.org', `email:journal.posted:${e1.id}:editor`],
          ['editor', 'editor@example.org', `email:journal.posted:${e2.id}:editor`],
          ['instant', 'instant@example.org', `email:journal.posted:${e1.id}:instant`],
          ['instant', 'instant@example.org', `email:journal.posted:${e2.id}:instant`],
        ].sort(),
        'the follower and the editor (a member), once per entry; not the author (owner), nor unfollowed, removed, blocked, pending, no address, daily',
      );
      assert.deepEqual(
        push.sent.map((j) => [j.payload.userId, j.payload.endpoint]).sort(),
        [
          ['pusher', 'https://push.example/one'],
          ['pusher', 'https://push.example/one'],
          ['pusher', 'https://push.example/two'],
          ['pusher', 'https://push.example/two'],
        ],
      );
      assert.equal(new Set(push.sent.map((j) => j.key)).size, 4, 'one push job per (entry, subscription)');
      for (const j of [...email.sent, ...push.sent]) {
        assert.deepEqual(j.payload.message, { type: 'journal', pageId }, 'PHI-free: the page id only');
        assert.equal(j.pageId, pageId);
        assert.equal(j.recipient, j.payload.userId);
      }
      const everything = JSON.stringify(await jobsOf(db));
      for (const secret of ['SECRET', 'chemo']) assert.ok(!everything.includes(secret), `"${secret}" in the job queue`);
      // Every delivery audited: who, how, what kind; no address, no content.
      const trail = (await ts.storage.audit({ pageId, limit: 1000 })).entries.filter((e) => e.action === 'notify.sent');
      assert.equal(trail.length, 8);
      for (const row of trail) {
        assert.ok(['email', 'push'].includes(String(row.detail?.channel)));
        assert.deepEqual(Object.keys(row.detail!).sort(), ['channel', 'type']);
        assert.equal(row.detail!.type, 'journal');
        assert.equal(row.actorRole, 'system');
      }
      assert.ok(!JSON.stringify(trail).includes('@example.org'), 'no address in the audit log');
    } finally {
      await ts.close();
    }
  });

  it('CARE_NOTIFY_DETAIL=title: the title goes in the message (the hospital\'s choice); a public page\'s follower hears too', async () => {
    const { ts, email } = await serverWith('title');
    try {
      const pageId = await ts.page({ visibility: 'public', title: TITLE, followers: ['fan'] });
      await choose(ts.db, pageId, 'fan', { email: 'instant' });
      await address(ts.db, 'fan', 'fan@example.org');
      await post(ts, pageId, 't1');
      await drained(ts.db, Date.now, pageId);
      assert.deepEqual(
        email.sent.map((j) => j.payload.message),
        [{ type: 'journal', pageId, title: TITLE }],
      );
    } finally {
      await ts.close();
    }
  });

  it('a follow request: owners and editors who chose requests "instant" hear of it, PHI-free; an approval tells nobody but the webhook', async () => {
    const { ts, email, push } = await serverWith();
    try {
      const pageId = await ts.page({ visibility: 'private', title: TITLE });
      await choose(ts.db, pageId, 'owner', { requests: 'instant', push: true });
      await address(ts.db, 'owner', 'owner@example.org');
      await subscribe(ts.db, 'owner', 'https://push.example/owner');
      await choose(ts.db, pageId, 'editor', { requests: 'off', email: 'instant' });
      await address(ts.db, 'editor', 'editor@example.org');
      const asker = await ts.connect('asker');
      const owner = await ts.connect('owner');
      await asker.ok('follow:set', { pageId, follow: true });
      await owner.ok('follow:decide', { pageId, userId: 'asker', approve: true });
      asker.close();
      owner.close();
      await drained(ts.db, Date.now, pageId);
      assert.deepEqual(
        email.sent.map((j) => [j.payload.to, j.payload.message]),
        [['owner@example.org', { type: 'request', pageId }]],
      );
      assert.deepEqual(
        push.sent.map((j) => [j.payload.endpoint, j.payload.message]),
        [['https://push.example/owner', { type: 'request', pageId }]],
      );
    } finally {
      await ts.close();
    }
  });

  it('a cause expanded twice (a node whose lease ran out) queues nothing twice: the keys', async () => {
    const { ts, email } = await serverWith();
    try {
      const pageId = await ts.page({ followers: ['fan'] });
      await choose(ts.db, pageId, 'fan', { email: 'instant' });
      await address(ts.db, 'fan', 'fan@example.org');
      const entry = await post(ts, pageId, 'x1');
      await drained(ts.db, Date.now, pageId);
      // The same cause once more, as a second node would see it after the first's lease.
      const [cause] = await jobsOf(ts.db, { pageId, kind: 'cause' });
      await ts.db.updateTable('jobs').set({ state: 'queued', finished_at: null, claimed_until: null }).where('id', '=', cause!.id).execute();
      ts.server.jobs.poke();
      await drained(ts.db, Date.now, pageId);
      assert.equal((await jobsOf(ts.db, { pageId, kind: 'email' })).length, 1);
      assert.deepEqual(email.sent.map((j) => j.key), [`email:journal.posted:${entry.id}:fan`]);
    } finally {
      await ts.close();
    }
  });

  it('a deleted page: its queued notifications are purged with it, and none is sent after', async () => {
    // An email channel that keeps failing (retried much later): its jobs stay queued.
    const email = new RecordingChannel<EmailPayload>('email', () => ({ ok: false, retry: true, reason: 'try later' }));
    const ts = await startServer({ channels: { email }, jobTuning: { email: { retryBaseMs: 3_600_000 } } });
    try {
      const pageId = await ts.page({ followers: ['a', 'b'] });
      for (const u of ['a', 'b']) {
        await choose(ts.db, pageId, u, { email: 'instant' });
        await address(ts.db, u, `${u}@example.org`);
      }
      await post(ts, pageId, 'd1');
      await post(ts, pageId, 'd2');
      await drained(ts.db, Date.now, pageId);
      assert.equal((await jobsOf(ts.db, { pageId, kind: 'email', state: 'queued' })).length, 4, 'four deliveries waiting for a retry');
      const res = await ts.rest('DELETE', `/api/pages/${pageId}`, { token: await ts.token('owner') });
      assert.equal(res.status, 204);
      assert.deepEqual(await jobsOf(ts.db, { pageId, state: 'queued' }), []);
    } finally {
      await ts.close();
    }
  });
});
