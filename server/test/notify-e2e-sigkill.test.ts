/**
 * SIGKILL the sender mid-queue, email (SPEC 6.2 "survives a kill"): the server runs as its own
 * process (`src/main.ts`, SQLite file, `CARE_SMTP_URL` at a real `smtp-server`). N followers
 * chose "each update". A first entry's emails all go out (and are marked sent); then the SMTP
 * server holds the second entry's messages after their DATA, and the test kills the server
 * with SIGKILL while they are held. A held message was never accepted (no 250 reply): the
 * SMTP server drops it, as a real one does when the client vanishes mid-transaction. The
 * server starts again on the same database: every follower gets each entry's email exactly
 * once, counted by recipient and Message-ID, the held ones sent again once the dead process's
 * claims run out. No sleeps: each step waits for the state it needs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION } from '../../src/protocol/index.js';
import { signDemoToken } from '../src/demo/token.js';
import { signToken } from './helpers.js';
import { duplicates, messagesTo, metricValue, person, type Person } from './notify-e2e-helpers.js';
import { until } from './notify-helpers.js';
import { rawHeader, startSmtp } from './smtp.js';
import { startServerProcess } from './server-process.js';

const jwtSecret = 'notify-e2e-sigkill-secret-0123456789';

const startProcess = (dbFile: string, smtpUrl: string) =>
  startServerProcess(
    {
      CARE_DB: `sqlite:${dbFile}`,
      CARE_JWT_SECRET: jwtSecret,
      CARE_WEBHOOK_URL: '',
      CARE_SMTP_URL: smtpUrl,
      CARE_MAIL_FROM: '"Care updates" <updates@hospital.example>',
      CARE_NOTIFY_RATE: '10000',
      CARE_RATE_WRITES: '1000/10',
      // A restarted node re-sends the held emails once their claim ends: 8 s, not 2 minutes.
      CARE_TEST_JOB_TUNING: JSON.stringify({ email: { leaseMs: 8_000 } }),
    },
    'test/fixtures/main-tuned.ts',
  );

async function connect(url: string, p: Person): Promise<Socket> {
  const token = await signToken(jwtSecret, { sub: p.id, name: p.name, email: p.email });
  const s = io(`${url}/care`, { auth: { token, protocolVersion: PROTOCOL_VERSION }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('connect_error', reject);
  });
  return s;
}

async function ok(s: Socket, event: string, payload: unknown): Promise<Record<string, unknown>> {
  const r = (await s.timeout(10_000).emitWithAck(event, payload)) as Record<string, unknown>;
  assert.equal(r.ok, true, `${event}: ${JSON.stringify(r)}`);
  return r;
}

describe('SIGKILL the sender mid-queue: email', () => {
  const cleanup: (() => unknown)[] = [];
  after(async () => {
    for (const fn of cleanup.reverse()) await fn();
  });

  it('after a restart every follower gets each entry’s email exactly once; the held ones are sent again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'care-e2e-sigkill-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const smtp = await startSmtp();
    cleanup.push(() => smtp.close());
    const dbFile = join(dir, 'care.db');

    const first = await startProcess(dbFile, smtp.url);
    cleanup.push(() => first.proc.kill('SIGKILL'));
    const pageId = 'qzpage-sigkill-rosalind-8812';
    const created = await fetch(`${first.url}/api/pages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await signDemoToken(jwtSecret, 'admin')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: pageId, title: 'Rosalind Pemberton-Oduya', visibility: 'public', owners: ['owner-k'], editors: [] }),
    });
    assert.equal(created.status, 201);

    const N = 12;
    const followers = Array.from({ length: N }, (_, i) => person(`kfan-${i}`, `Follower ${i}`));
    for (const f of followers) {
      const s = await connect(first.url, f);
      assert.equal((await ok(s, 'follow:set', { pageId, follow: true })).state, 'following');
      assert.equal((await ok(s, 'notify:set', { pageId, email: 'instant' })).email, 'instant');
      s.disconnect();
    }
    const owner = await connect(first.url, person('owner-k', 'Owner K'));
    cleanup.push(() => owner.disconnect());

    // Entry 1: every email accepted AND marked sent (nothing in the at-least-once window).
    await ok(owner, 'journal:post', { pageId, clientId: 'k1', title: 'First', body: 'One' });
    await until(async () => (await metricValue(first.url, 'care_notifications_total', { channel: 'email', outcome: 'sent' })) === N, 'entry 1’s emails sent', 30_000);
    assert.equal(smtp.messages.length, N);

    // Entry 2: the SMTP server holds each message after its DATA; kill while held.
    smtp.hold();
    await ok(owner, 'journal:post', { pageId, clientId: 'k2', title: 'Second', body: 'Two' });
    await smtp.waitHeld(1, 30_000);
    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));
    owner.disconnect();
    const held = smtp.heldMessages();
    // The client is gone without the 250: the held messages are not accepted.
    smtp.release({ accept: false });
    assert.ok(held.length >= 1);
    assert.equal(smtp.messages.length, N, 'nothing of entry 2 was accepted before the kill');

    const second = await startProcess(dbFile, smtp.url);
    cleanup.push(() => second.proc.kill('SIGKILL'));
    // The held jobs wait for the dead process's claim on them to run out (email: 2 minutes).
    await until(() => smtp.messages.length >= 2 * N, `every email (${smtp.messages.length} of ${2 * N})`, 200_000);
    await until(async () => (await metricValue(second.url, 'care_notifications_queued', { channel: 'email' })) === 0, 'the queue empty', 30_000);
    console.log(`# held at the kill: ${held.length}; SMTP transactions: ${smtp.dataCount()}; accepted: ${smtp.messages.length}`);

    assert.equal(smtp.messages.length, 2 * N, 'exactly two emails per follower');
    assert.deepEqual(duplicates(smtp.messages), [], 'no (recipient, Message-ID) twice');
    for (const f of followers) {
      const mine = messagesTo(smtp, f.email);
      assert.equal(mine.length, 2, `${f.id}: one email per entry`);
      assert.equal(new Set(mine.map((m) => rawHeader(m, 'Message-ID'))).size, 2);
    }
    for (const h of held) {
      const again = smtp.messages.filter((m) => m.to.join() === h.to.join() && rawHeader(m, 'Message-ID') === rawHeader(h, 'Message-ID'));
      assert.equal(again.length, 1, 'a held message is sent again, once, with the same Message-ID');
    }
  });
});
