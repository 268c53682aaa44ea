/**
 * The conformance kit (conformance/) against the reference server: every rule passes, and a
 * deliberately broken set-up fails, so the kit can tell the difference. The CLI is run too,
 * as a hospital would run it, with a token URL served by a tiny HTTP server.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { RULES, runChecks, type CheckResult } from '../../conformance/checks.mjs';
import { signDemoToken } from '../src/demo/token.js';
import { notifySettings, startServer, type TestServer } from './helpers.js';

const CLI = fileURLToPath(new URL('../../conformance/cli.mjs', import.meta.url));
const run = promisify(execFile);

const failures = (results: CheckResult[]) => results.filter((r) => !r.pass).map((r) => `${r.rule}: ${r.detail}`);

describe('conformance kit', () => {
  let ts: TestServer;
  let pageId: string;

  before(async () => {
    ts = await startServer();
    pageId = await ts.page({ visibility: 'public', wallModeration: 'post', owners: ['owner'] });
  });
  after(async () => {
    await ts.close();
  });

  it('passes every rule against the reference server', async () => {
    const results = await runChecks({ url: ts.url, page: pageId, owner: 'owner', manager: 'owner', tokenFor: (user) => ts.token(user), timeoutMs: 3000 });
    assert.deepEqual(failures(results), []);
    assert.deepEqual(results.filter((r) => r.skipped).map((r) => r.rule), [], 'with a manager, every feature rule runs');
    assert.deepEqual(results.map((r) => r.rule), RULES.map(([rule]) => rule), 'every rule ran, in order');
    // It cleans up after itself: its messages are deleted again.
    const sub = await (await ts.connect(null)).ok('page:subscribe', { pageId });
    assert.ok(sub.access === 'read' && sub.snapshot);
    assert.deepEqual(sub.snapshot.wall, []);
    assert.deepEqual(sub.snapshot.journal, [], 'the entry of social.comments is deleted again');
    // ... and leaves no follower or live invitation behind.
    const owner = await ts.connect('owner');
    const settings = await owner.ok('page:settings', { pageId });
    assert.deepEqual([settings.settings.followers, settings.settings.invites], [[], []]);
    // ... and no task in the planner: the one of planner.tasks is cancelled again.
    assert.deepEqual(sub.snapshot.tasks, []);
    owner.close();
  });

  it('without a manager, the rules that need one are skipped (a pass), the others run', async () => {
    const results = await runChecks({ url: ts.url, page: pageId, tokenFor: (user) => ts.token(user), timeoutMs: 3000 });
    assert.deepEqual(failures(results), []);
    assert.deepEqual(results.filter((r) => r.skipped).map((r) => r.rule), ['settings.view', 'invites.accept', 'social.comments', 'planner.tasks']);
  });

  it('against a first-wave backend (CARE_FEATURES empty) the feature rules are skipped cleanly, and everything else passes', async () => {
    const old = await startServer({ features: [] });
    try {
      const id = await old.page({ visibility: 'public', owners: ['owner'] });
      const results = await runChecks({ url: old.url, page: id, manager: 'owner', tokenFor: (user) => old.token(user), timeoutMs: 3000 });
      assert.deepEqual(failures(results), []);
      assert.deepEqual(results.filter((r) => r.skipped).map((r) => r.rule), ['settings.refused', 'settings.view', 'invites.refused', 'invites.accept', 'notify.refused', 'notify.prefs', 'media.refused', 'social.refused', 'social.comments', 'planner.refused', 'planner.tasks']);
      assert.match(results.find((r) => r.rule === 'features.list')!.detail, /first-wave/);
    } finally {
      await old.close();
    }
  });

  it('notify.prefs takes the email branch the backend announces: refused without email, stored with it', async () => {
    const plain = await runChecks({ url: ts.url, page: pageId, tokenFor: (user) => ts.token(user), timeoutMs: 3000 });
    assert.match(plain.find((r) => r.rule === 'notify.prefs')!.detail, /not available/);
    const mail = await startServer({ notify: notifySettings({ CARE_VAPID_PUBLIC_KEY: '', CARE_VAPID_PRIVATE_KEY: '', CARE_VAPID_SUBJECT: '' }) });
    try {
      const id = await mail.page({ visibility: 'public', owners: ['owner'] });
      const results = await runChecks({ url: mail.url, page: id, tokenFor: (user) => mail.token(user), timeoutMs: 3000 });
      assert.deepEqual(failures(results), []);
      assert.equal(results.find((r) => r.rule === 'notify.prefs')!.detail, 'daily stored');
    } finally {
      await mail.close();
    }
  });

  it('fails the settings rules when a visitor could manage (a backend that announces settings but checks nobody)', async () => {
    // The page's owner plays the visitor: the kit must notice that "a" may manage.
    const results = await runChecks({ url: ts.url, page: pageId, tokenFor: (user) => ts.token(user.endsWith('-a') ? 'owner' : user), timeoutMs: 1500 });
    const failed = results.filter((r) => !r.pass).map((r) => r.rule);
    assert.ok(failed.includes('settings.refused') && failed.includes('invites.refused') && failed.includes('planner.refused'), `failed: ${failed.join(', ')}`);
  });

  it('fails when tokens come from another secret (signed-in rules)', async () => {
    const results = await runChecks({ url: ts.url, page: pageId, tokenFor: (user) => signDemoToken('not-the-server-secret-0123456789abcdef', user), timeoutMs: 1500 });
    const failed = results.filter((r) => !r.pass).map((r) => r.rule);
    assert.ok(failed.includes('handshake.signed-in'), `expected handshake.signed-in to fail, failed: ${failed.join(', ')}`);
    assert.ok(failed.includes('wall.post-live'));
    // The rules that need no token still pass.
    for (const rule of ['handshake.anonymous', 'handshake.forged-token', 'handshake.protocol-version', 'subscribe.not-found']) {
      assert.ok(!failed.includes(rule), `${rule} should pass without tokens`);
    }
  });

  it('fails when the page does not exist', async () => {
    const results = await runChecks({ url: ts.url, page: 'no-such-page-for-conformance', tokenFor: (user) => ts.token(user), timeoutMs: 1500 });
    const failed = results.filter((r) => !r.pass).map((r) => r.rule);
    assert.ok(failed.includes('subscribe.snapshot'), `failed: ${failed.join(', ')}`);
  });

  it('fails on a private page (the kit needs a public one)', async () => {
    const priv = await ts.page({ visibility: 'private' });
    const results = await runChecks({ url: ts.url, page: priv, tokenFor: (user) => ts.token(user), timeoutMs: 1500 });
    assert.ok(results.some((r) => r.rule === 'subscribe.snapshot' && !r.pass));
  });

  describe('the CLI', () => {
    let tokenServer: Server;
    let tokenUrl: string;

    before(async () => {
      tokenServer = createServer((req, res) => {
        const user = new URL(req.url ?? '/', 'http://x').searchParams.get('user');
        if (!user) {
          res.writeHead(204).end();
          return;
        }
        void ts.token(user).then((token) => {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
        });
      });
      await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
      tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;
    });
    after(async () => {
      tokenServer.closeAllConnections();
      await new Promise((resolve) => tokenServer.close(resolve));
    });

    it('prints PASS for every rule and exits 0', async () => {
      const { stdout } = await run(process.execPath, [CLI, '--url', ts.url, '--token-url', tokenUrl, '--page', pageId, '--owner', 'owner', '--manager', 'owner']);
      for (const [rule] of RULES) assert.match(stdout, new RegExp(`PASS ${rule.replace('.', '\\.')}`));
      assert.match(stdout, new RegExp(`${RULES.length}/${RULES.length} rules passed`));
    });

    it('prints FAIL and exits 1 when a rule fails', async () => {
      await assert.rejects(run(process.execPath, [CLI, '--url', ts.url, '--token-url', tokenUrl, '--page', 'no-such-page-for-conformance', '--timeout', '1500']), (err: Error & { code?: number; stdout?: string }) => {
        assert.equal(err.code, 1);
        assert.match(err.stdout ?? '', /FAIL subscribe\.snapshot/);
        return true;
      });
    });

    it('--help exits 0, a missing option exits 2', async () => {
      const { stdout } = await run(process.execPath, [CLI, '--help']);
      assert.match(stdout, /--token-url/);
      await assert.rejects(run(process.execPath, [CLI, '--url', ts.url]), (err: Error & { code?: number }) => err.code === 2);
    });
  });
});
