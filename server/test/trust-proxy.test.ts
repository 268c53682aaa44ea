/**
 * Which IP the server records (audit log) and limits (rate limits): `CARE_TRUST_PROXY` names
 * the proxies whose `X-Forwarded-For` is believed, for the socket handshake and the REST API
 * alike. End to end through real sockets and HTTP from 127.0.0.1, plus the parsing rules.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import proxyaddr from 'proxy-addr';
import { configFromEnv, trustProxyFromEnv } from '../src/config.js';
import { clientIp } from '../src/socket/handshake.js';
import { auditTrail, startServer, type TestServer } from './helpers.js';

const req = (remoteAddress: string | undefined, xff?: string) =>
  ({ socket: { remoteAddress }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as Parameters<typeof clientIp>[0];
const ipOf = (remote: string | undefined, xff: string | undefined, list: string[]) => clientIp(req(remote, xff), proxyaddr.compile(list));

describe('clientIp', () => {
  it('by default trusts X-Forwarded-For only from a proxy on the loopback interface', () => {
    const loopback = ['loopback'];
    assert.equal(ipOf('127.0.0.1', undefined, loopback), '127.0.0.1');
    assert.equal(ipOf('127.0.0.1', '203.0.113.7', loopback), '203.0.113.7');
    assert.equal(ipOf('::ffff:127.0.0.1', '1.1.1.1, 203.0.113.7', loopback), '203.0.113.7', 'the hop the trusted proxy saw');
    assert.equal(ipOf('::1', '203.0.113.7, 127.0.0.1', loopback), '203.0.113.7', 'skips further loopback proxies');
    assert.equal(ipOf('198.51.100.1', '203.0.113.7', loopback), '198.51.100.1', 'a remote client cannot choose its IP');
    assert.equal(ipOf(undefined, undefined, loopback), null);
  });

  it('trusts the configured load balancers, hop by hop, and nothing with none', () => {
    const lb = trustProxyFromEnv('10.0.0.0/8, 192.0.2.10');
    assert.equal(ipOf('10.1.2.3', '203.0.113.7', lb), '203.0.113.7', 'a load balancer in the range');
    assert.equal(ipOf('10.1.2.3', '198.51.100.9, 192.0.2.10', lb), '198.51.100.9', 'two trusted hops');
    assert.equal(ipOf('10.1.2.3', '198.51.100.9, 203.0.113.7', lb), '203.0.113.7', 'stops at the first untrusted hop: the client cannot forge past it');
    assert.equal(ipOf('127.0.0.1', '203.0.113.7', lb), '127.0.0.1', 'loopback is not trusted unless listed');
    assert.equal(ipOf('127.0.0.1', '203.0.113.7', trustProxyFromEnv('none')), '127.0.0.1');
  });

  it('reads CARE_TRUST_PROXY strictly: a typo stops the server', () => {
    assert.deepEqual(trustProxyFromEnv(undefined), ['loopback']);
    assert.deepEqual(trustProxyFromEnv(' '), ['loopback']);
    assert.deepEqual(trustProxyFromEnv('none'), []);
    assert.deepEqual(trustProxyFromEnv('loopback, uniquelocal,10.0.0.0/8'), ['loopback', 'uniquelocal', '10.0.0.0/8']);
    for (const bad of ['10.0.0.0/99', 'my-load-balancer', '10.0.0.1, nope']) {
      assert.throws(() => trustProxyFromEnv(bad), /CARE_TRUST_PROXY must be/, bad);
    }
    const paths = { distDir: '/tmp', demoDir: '/tmp' };
    assert.deepEqual(configFromEnv({ CARE_TRUST_PROXY: '10.0.0.0/8' }, paths).trustProxy, ['10.0.0.0/8']);
    assert.throws(() => configFromEnv({ CARE_TRUST_PROXY: 'lb.internal' }, paths), /CARE_TRUST_PROXY/);
  });
});

describe('the recorded IP, end to end (socket handshake and REST)', () => {
  const servers: TestServer[] = [];
  after(async () => {
    for (const ts of servers) await ts.close();
  });

  /** A private page read over a socket and exported over REST, both claiming to come from 203.0.113.7; the audit says what was believed. */
  async function recordedIps(trustProxy: string[]): Promise<{ socket: string | null; rest: string | null }> {
    const ts = await startServer({ trustProxy });
    servers.push(ts);
    const pageId = await ts.page({ visibility: 'private', owners: ['olive'] });
    const headers = { 'x-forwarded-for': '203.0.113.7' };
    const olive = await ts.connect('olive', undefined, { extraHeaders: headers });
    await olive.ok('page:subscribe', { pageId });
    assert.equal((await ts.rest('GET', `/api/pages/${pageId}/export`, { token: await ts.token('olive'), headers })).status, 200);
    const entries = (await auditTrail(ts.storage, pageId)).filter((e) => e.actorId === 'olive');
    const ipOfAction = (action: string) => entries.find((e) => e.action === action)?.ip ?? null;
    return { socket: ipOfAction('page.read'), rest: ipOfAction('page.export') };
  }

  it('default (loopback): a proxy on this machine names the client, for sockets and REST alike', async () => {
    assert.deepEqual(await recordedIps(['loopback']), { socket: '203.0.113.7', rest: '203.0.113.7' });
  });

  it('none: the header is ignored, the connecting address is recorded', async () => {
    const ips = await recordedIps([]);
    for (const ip of [ips.socket, ips.rest]) assert.match(ip ?? '', /^(::ffff:)?127\.0\.0\.1$/);
  });
});
