import { createHmac } from 'node:crypto';
import { isTimeZone } from '../jobs/clock.js';
import type { NotifySettings } from './contract.js';
import { pushHostsFromEnv } from './push-hosts.js';

/**
 * The notification settings (SPEC 6.2) from the environment, checked at startup: a mistake
 * stops the server with a message naming the setting, rather than mail going nowhere.
 *
 * `linkSecret` (signs unsubscribe and open links): `CARE_NOTIFY_SECRET`, else derived from
 * `CARE_JWT_SECRET` (HMAC-SHA256 with a fixed label, so the link key is never the token key
 * itself), else, in demo mode, left empty for app.ts to derive from the demo secret. Email
 * configured with neither is a startup error.
 */
export function notifySettingsFromEnv(env: NodeJS.ProcessEnv, o: { port: number; demo: boolean }): NotifySettings {
  const smtpUrl = env.CARE_SMTP_URL?.trim() || null;
  if (smtpUrl) {
    let protocol = '';
    try {
      protocol = new URL(smtpUrl).protocol;
    } catch {
      /* reported below */
    }
    if (protocol !== 'smtp:' && protocol !== 'smtps:') throw new Error(`CARE_SMTP_URL must be an smtp:// or smtps:// URL, got "${redact(smtpUrl)}"`);
  }
  const publicUrl = (env.CARE_PUBLIC_URL?.trim() || `http://localhost:${o.port}`).replace(/\/+$/, '');
  if (!isHttpUrl(publicUrl)) throw new Error(`CARE_PUBLIC_URL must be an http(s) URL, got "${env.CARE_PUBLIC_URL}"`);
  // Without one, the link back is this backend's demo page (demo mode) or its own address.
  const pageUrl = env.CARE_PAGE_URL?.trim() || `${publicUrl}/demo/?page={pageId}`;
  if (!pageUrl.includes('{pageId}')) throw new Error(`CARE_PAGE_URL must contain {pageId} (where the page's id goes), got "${pageUrl}"`);
  if (!isHttpUrl(pageUrl.replaceAll('{pageId}', 'x'))) throw new Error(`CARE_PAGE_URL must be an http(s) URL, got "${pageUrl}"`);

  const vapidParts = [env.CARE_VAPID_PUBLIC_KEY, env.CARE_VAPID_PRIVATE_KEY, env.CARE_VAPID_SUBJECT].map((v) => v?.trim() || '');
  let vapid: NotifySettings['vapid'] = null;
  if (vapidParts.some(Boolean)) {
    const [publicKey, privateKey, subject] = vapidParts as [string, string, string];
    if (!publicKey || !privateKey || !subject) throw new Error('Web Push needs all three of CARE_VAPID_PUBLIC_KEY, CARE_VAPID_PRIVATE_KEY and CARE_VAPID_SUBJECT (or none)');
    if (!/^(mailto:|https:\/\/)/.test(subject)) throw new Error(`CARE_VAPID_SUBJECT must be a mailto: or https:// URL, got "${subject}"`);
    vapid = { publicKey, privateKey, subject };
  }
  const pushHosts = pushHostsFromEnv(env.CARE_PUSH_HOSTS);

  const detail = env.CARE_NOTIFY_DETAIL?.trim() || 'none';
  if (detail !== 'none' && detail !== 'title') throw new Error(`CARE_NOTIFY_DETAIL must be "none" (the default) or "title", got "${detail}"`);
  const digestHour = whole('CARE_DIGEST_HOUR', env.CARE_DIGEST_HOUR, 17, 0, 23, 'an hour');
  const reminderHour = whole('CARE_REMINDER_HOUR', env.CARE_REMINDER_HOUR, 10, 0, 23, 'an hour');
  const timezone = env.CARE_TIMEZONE?.trim() || 'UTC';
  if (!isTimeZone(timezone)) throw new Error(`CARE_TIMEZONE must be an IANA time zone such as "Europe/Berlin" or "America/Chicago", got "${timezone}"`);
  const perRecipientPerHour = whole('CARE_NOTIFY_RATE', env.CARE_NOTIFY_RATE, 20, 1, 10_000, 'notifications per hour');

  let linkSecret = env.CARE_NOTIFY_SECRET?.trim() || '';
  if (linkSecret && linkSecret.length < 16) throw new Error('CARE_NOTIFY_SECRET must be at least 16 characters');
  if (!linkSecret && env.CARE_JWT_SECRET) linkSecret = deriveLinkSecret(env.CARE_JWT_SECRET);
  if (!linkSecret && smtpUrl && !o.demo) throw new Error('CARE_NOTIFY_SECRET (or CARE_JWT_SECRET) is required with CARE_SMTP_URL: it signs the unsubscribe links');

  return {
    smtpUrl,
    mailFrom: env.CARE_MAIL_FROM?.trim() || 'care-widgets <no-reply@localhost>',
    pageUrl,
    publicUrl,
    vapid,
    pushHosts,
    detail,
    digestHour,
    timezone,
    reminderHour,
    perRecipientPerHour,
    linkSecret,
  };
}

/** The settings of a server configured in code (tests): no email, no push, defaults elsewhere. */
export function defaultNotifySettings(port: number): NotifySettings {
  return notifySettingsFromEnv({}, { port, demo: false });
}

/** The link key derived from the token key: knowing a link key reveals nothing about the token key. */
export function deriveLinkSecret(jwtSecret: string): string {
  return createHmac('sha256', jwtSecret).update('care-widgets notify link key v1').digest('hex');
}

function whole(name: string, raw: string | undefined, fallback: number, min: number, max: number, unit: string): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = raw.trim();
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new Error(`${name} must be a whole number from ${min} to ${max} (${unit}; default ${fallback}), got "${raw}"`);
  return Number(v);
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** An SMTP URL without its password, for an error message. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
