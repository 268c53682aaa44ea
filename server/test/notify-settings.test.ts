/**
 * The notification settings from the environment (SPEC 6.2): defaults, and a clear startup
 * error for each mistake an operator can make.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configFromEnv } from '../src/config.js';
import { deriveLinkSecret, notifySettingsFromEnv } from '../src/notify/settings.js';

const paths = { distDir: 'd', demoDir: 'x' };
const read = (env: NodeJS.ProcessEnv, demo = false) => notifySettingsFromEnv(env, { port: 8080, demo });

describe('notification settings', () => {
  it('defaults: no email, no push, PHI-free, 17:00 UTC, 20 per hour, this server as the public URL', () => {
    const s = configFromEnv({ PORT: '9090', CARE_JWT_SECRET: 'a-jwt-secret-of-some-length' }, paths).notify!;
    assert.deepEqual(
      { ...s, linkSecret: s.linkSecret.length },
      {
        smtpUrl: null,
        mailFrom: 'care-widgets <no-reply@localhost>',
        pageUrl: 'http://localhost:9090/demo/?page={pageId}',
        publicUrl: 'http://localhost:9090',
        vapid: null,
        pushHosts: ['fcm.googleapis.com', 'updates.push.services.mozilla.com', 'push.services.mozilla.com', 'web.push.apple.com', 'notify.windows.com'],
        detail: 'none',
        digestHour: 17,
        timezone: 'UTC',
        reminderHour: 10,
        perRecipientPerHour: 20,
        linkSecret: 64,
      },
    );
    assert.equal(s.linkSecret, deriveLinkSecret('a-jwt-secret-of-some-length'));
    assert.notEqual(s.linkSecret, 'a-jwt-secret-of-some-length', 'derived, never the token key itself');
  });

  it('reads every setting', () => {
    const s = read({
      CARE_SMTP_URL: 'smtps://user:pw@mail.example:465',
      CARE_MAIL_FROM: '"Care" <care@hospital.example>',
      CARE_PAGE_URL: 'https://hospital.example/care/{pageId}',
      CARE_PUBLIC_URL: 'https://care-api.hospital.example/',
      CARE_VAPID_PUBLIC_KEY: 'pub',
      CARE_VAPID_PRIVATE_KEY: 'priv',
      CARE_VAPID_SUBJECT: 'mailto:it@hospital.example',
      CARE_PUSH_HOSTS: ' Push.Intranet.Example , *.notify.windows.com,selfhosted.example:8443',
      CARE_NOTIFY_DETAIL: 'title',
      CARE_DIGEST_HOUR: '7',
      CARE_REMINDER_HOUR: '0',
      CARE_TIMEZONE: 'Europe/Berlin',
      CARE_NOTIFY_RATE: '5',
      CARE_NOTIFY_SECRET: 'a-link-secret-0123456789',
    });
    assert.deepEqual(s, {
      smtpUrl: 'smtps://user:pw@mail.example:465',
      mailFrom: '"Care" <care@hospital.example>',
      pageUrl: 'https://hospital.example/care/{pageId}',
      publicUrl: 'https://care-api.hospital.example',
      vapid: { publicKey: 'pub', privateKey: 'priv', subject: 'mailto:it@hospital.example' },
      pushHosts: ['push.intranet.example', 'notify.windows.com', 'selfhosted.example:8443'],
      detail: 'title',
      digestHour: 7,
      timezone: 'Europe/Berlin',
      reminderHour: 0,
      perRecipientPerHour: 5,
      linkSecret: 'a-link-secret-0123456789',
    });
  });

  it('stops the server with a message naming the setting', () => {
    const secret = { CARE_NOTIFY_SECRET: 'a-link-secret-0123456789' };
    assert.throws(() => read({ CARE_DIGEST_HOUR: '24' }), /CARE_DIGEST_HOUR must be a whole number from 0 to 23/);
    assert.throws(() => read({ CARE_DIGEST_HOUR: '7pm' }), /CARE_DIGEST_HOUR/);
    assert.throws(() => read({ CARE_REMINDER_HOUR: '-1' }), /CARE_REMINDER_HOUR must be a whole number from 0 to 23/);
    assert.throws(() => read({ CARE_TIMEZONE: 'Mars/Olympus_Mons' }), /CARE_TIMEZONE must be an IANA time zone/);
    assert.throws(() => read({ ...secret, CARE_SMTP_URL: 'https://mail.example' }), /CARE_SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/);
    assert.throws(() => read({ ...secret, CARE_SMTP_URL: 'smtp//user:hunter2@x' }), (err: Error) => /CARE_SMTP_URL/.test(err.message));
    assert.throws(() => read({ CARE_SMTP_URL: 'ftp://user:hunter2@mail.example' }), (err: Error) => !err.message.includes('hunter2'), 'no password in the message');
    assert.throws(() => read({ CARE_PAGE_URL: 'https://hospital.example/care' }), /CARE_PAGE_URL must contain \{pageId\}/);
    assert.throws(() => read({ CARE_PAGE_URL: 'javascript:alert({pageId})' }), /CARE_PAGE_URL must be an http\(s\) URL/);
    assert.throws(() => read({ CARE_PUBLIC_URL: 'care.example' }), /CARE_PUBLIC_URL must be an http\(s\) URL/);
    assert.throws(() => read({ CARE_VAPID_PUBLIC_KEY: 'pub', CARE_VAPID_PRIVATE_KEY: 'priv' }), /all three of CARE_VAPID_PUBLIC_KEY, CARE_VAPID_PRIVATE_KEY and CARE_VAPID_SUBJECT/);
    assert.throws(() => read({ CARE_VAPID_PUBLIC_KEY: 'p', CARE_VAPID_PRIVATE_KEY: 'q', CARE_VAPID_SUBJECT: 'it@hospital' }), /CARE_VAPID_SUBJECT must be a mailto: or https:\/\/ URL/);
    assert.throws(() => read({ CARE_PUSH_HOSTS: 'fcm.googleapis.com,10.0.0.7' }), /CARE_PUSH_HOSTS: "10.0.0.7" is an IP address/);
    assert.throws(() => read({ CARE_PUSH_HOSTS: 'https://fcm.googleapis.com/' }), /CARE_PUSH_HOSTS: "https:\/\/fcm.googleapis.com\/" is not a host name/);
    assert.equal(read({ CARE_PUSH_HOSTS: ' , ' }).pushHosts?.length, 5, 'blank: the public push services');
    assert.throws(() => read({ CARE_NOTIFY_DETAIL: 'full' }), /CARE_NOTIFY_DETAIL must be "none" \(the default\) or "title"/);
    assert.throws(() => read({ CARE_NOTIFY_RATE: '0' }), /CARE_NOTIFY_RATE/);
    assert.throws(() => read({ CARE_NOTIFY_SECRET: 'short' }), /CARE_NOTIFY_SECRET must be at least 16/);
    assert.throws(() => read({ CARE_SMTP_URL: 'smtp://mail.example' }), /CARE_NOTIFY_SECRET \(or CARE_JWT_SECRET\) is required with CARE_SMTP_URL/);
    // With the JWT secret, or in demo mode (app.ts derives it from the demo secret), email needs no more.
    assert.equal(read({ CARE_SMTP_URL: 'smtp://mail.example', CARE_JWT_SECRET: 'jwt-secret-xxxxxxxxxxxx' }).smtpUrl, 'smtp://mail.example');
    assert.equal(read({ CARE_SMTP_URL: 'smtp://mail.example' }, true).linkSecret, '');
    assert.throws(() => configFromEnv({ CARE_TIMEZONE: 'Nowhere/Here' }, paths), /CARE_TIMEZONE/);
  });
});
