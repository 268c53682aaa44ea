/**
 * The push services Web Push may go to (`CARE_PUSH_HOSTS`, notify/push-hosts.ts): the public
 * ones by default, suffixes matched on a dot boundary, and no port, user name or IP address,
 * in any of the spellings a URL parser accepts. The socket (`push:subscribe`, notify-prefs)
 * and the channel at send (notify-push) use this same check.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_PUSH_HOSTS, PushHosts, pushHostsFromEnv } from '../src/notify/push-hosts.js';

describe('push hosts', () => {
  const production = new PushHosts();

  it('the browsers’ public push services are known by default, with their subdomains', () => {
    for (const endpoint of [
      'https://fcm.googleapis.com/fcm/send/dXk2:APA91bH-x_y',
      'https://updates.push.services.mozilla.com/wpush/v2/gAAAAABm-x_y',
      'https://web.push.apple.com/QGuQyavXutnMH2ZrHjOhyTB',
      'https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB%2bx%3d',
    ]) {
      assert.equal(production.problem(endpoint), null, endpoint);
    }
    assert.deepEqual(pushHostsFromEnv(undefined), [...DEFAULT_PUSH_HOSTS]);
  });

  it('other hosts are refused, on a dot boundary', () => {
    for (const [endpoint, host] of [
      ['https://evilnotify.windows.com/w', 'evilnotify.windows.com'],
      ['https://notify.windows.com.attacker.example/w', 'notify.windows.com.attacker.example'],
      ['https://metadata.google.internal/computeMetadata/v1/', 'metadata.google.internal'],
      ['https://localhost/admin', 'localhost'],
      ['https://googleapis.com/fcm/send/x', 'googleapis.com'],
      ['https://fcm.googleapis.com./fcm/send/x', 'fcm.googleapis.com.'],
      ['https://attacker.example/#@fcm.googleapis.com/', 'attacker.example'],
    ]) {
      assert.equal(production.problem(endpoint!), `${host} is not a known push service`, endpoint);
    }
  });

  it('refuses IP addresses in every spelling, ports, user names, and URLs two parsers could read differently', () => {
    const cases: [string, RegExp][] = [
      ['https://10.0.0.7/admin', /not by IP address/],
      ['https://169.254.169.254/latest/meta-data/', /not by IP address/],
      ['https://127.1/x', /not by IP address/],
      ['https://0x7f.1/x', /not by IP address/],
      ['https://2130706433/x', /not by IP address/],
      ['https://[::1]/x', /not by IP address/],
      ['https://[::ffff:a00:7]/x', /not by IP address/],
      ['https://fcm.googleapis.com:8443/fcm/send/x', /must not name a port \(8443\)/],
      ['https://fcm.googleapis.com:443/fcm/send/x', /must not name a port \(443\)/],
      ['https://user:pw@fcm.googleapis.com/fcm/send/x', /user name or password/],
      ['https://fcm.googleapis.com%2f@10.0.0.7/x', /user name or password/],
      // The WHATWG parser reads a backslash as a slash; other parsers may not.
      ['https://fcm.googleapis.com\\@10.0.0.7/x', /not a normalized URL/],
      ['https://FCM.googleapis.com/fcm/send/x', /not a normalized URL/],
      ['https:fcm.googleapis.com/fcm/send/x', /not a normalized URL/],
      ['http://fcm.googleapis.com/fcm/send/x', /must be an https:\/\/ URL/],
      ['fcm.googleapis.com/fcm/send/x', /must be an https:\/\/ URL/],
    ];
    for (const [endpoint, why] of cases) assert.match(production.problem(endpoint) ?? 'allowed', why, endpoint);
  });

  it('a list of the operator’s own: suffixes, and a port only where an entry names it', () => {
    const own = new PushHosts(pushHostsFromEnv('*.push.intranet.example, selfhosted.example:8443'));
    assert.equal(own.problem('https://push.intranet.example/s/1'), null);
    assert.equal(own.problem('https://eu-1.push.intranet.example/s/1'), null, 'a subdomain');
    assert.equal(own.problem('https://selfhosted.example:8443/s/1'), null, 'the port its entry names');
    assert.equal(own.problem('https://selfhosted.example/s/1'), 'selfhosted.example is known only with a port');
    assert.equal(own.problem('https://selfhosted.example:9000/s/1'), 'must not name a port (9000)');
    assert.equal(own.problem('https://push.intranet.example:8443/s/1'), 'must not name a port (8443)');
    assert.equal(own.problem('https://fcm.googleapis.com/fcm/send/x'), 'fcm.googleapis.com is not a known push service', 'the list replaces the defaults');
  });

  it('refuses entries that are no host name', () => {
    for (const [entry, why] of [
      ['10.0.0.7', /is an IP address/],
      ['127.1', /is an IP address/],
      ['https://fcm.googleapis.com', /is not a host name/],
      ['fcm.googleapis.com/fcm', /is not a host name/],
      ['push .example', /is not a host name/],
      ['push.example:0', /no valid port/],
      ['push.example:70000', /no valid port/],
      ['push.example:443', /leave out :443/],
    ] as const) {
      assert.throws(() => pushHostsFromEnv(entry), (err: Error) => err.message.startsWith('CARE_PUSH_HOSTS: ') && why.test(err.message), entry);
    }
  });
});
