import type { NotifySettings } from './contract.js';

/** Which channels this backend can deliver at all (before a viewer's own address counts). */
export interface NotifyChannels {
  /** Email: SMTP configured (`CARE_SMTP_URL`), or demo mode's local mailbox (`/demo/mailbox`). */
  email: boolean;
  /** Web Push: VAPID keys configured. */
  push: boolean;
  /** `CARE_VAPID_PUBLIC_KEY`, for the browser's `PushManager.subscribe`, when push is available. */
  vapidPublicKey: string | null;
}

/**
 * The one place that decides what `notify:get`'s `available` says about the backend. It reads
 * the notification settings (config.ts, `Config.notify`) and nothing else, so the socket API
 * and the senders agree on what can be sent.
 */
export function notifyChannels(settings: Pick<NotifySettings, 'smtpUrl' | 'vapid'> | null | undefined, demo: boolean): NotifyChannels {
  const vapid = settings?.vapid ?? null;
  return { email: Boolean(settings?.smtpUrl) || demo, push: vapid !== null, vapidPublicKey: vapid?.publicKey ?? null };
}

/**
 * The settings of SPEC 6.2 that the preferences need, from the environment: `CARE_SMTP_URL`
 * and the three `CARE_VAPID_*` (all three, or none). The job queue's own reading of the other
 * settings (sender, page URL, digest hour, …) fills the rest; the defaults here are those.
 */
export function notifySettingsFromEnv(env: NodeJS.ProcessEnv): NotifySettings {
  const smtpUrl = env.CARE_SMTP_URL?.trim() || null;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) throw new Error(`CARE_SMTP_URL must be an smtp:// or smtps:// URL, got "${smtpUrl.replace(/\/\/[^@/]*@/, '//…@')}"`);
  const vapidKeys = [env.CARE_VAPID_PUBLIC_KEY, env.CARE_VAPID_PRIVATE_KEY, env.CARE_VAPID_SUBJECT].map((v) => v?.trim() || null);
  const given = vapidKeys.filter((v) => v !== null).length;
  if (given !== 0 && given !== 3) throw new Error('Set all three of CARE_VAPID_PUBLIC_KEY, CARE_VAPID_PRIVATE_KEY and CARE_VAPID_SUBJECT for Web Push, or none.');
  const [publicKey, privateKey, subject] = vapidKeys as [string, string, string];
  return {
    smtpUrl,
    mailFrom: env.CARE_MAIL_FROM?.trim() || 'care-widgets <no-reply@localhost>',
    pageUrl: env.CARE_PAGE_URL?.trim() || '',
    publicUrl: env.CARE_PUBLIC_URL?.trim() || '',
    vapid: given === 3 ? { publicKey, privateKey, subject } : null,
    detail: env.CARE_NOTIFY_DETAIL === 'title' ? 'title' : 'none',
    digestHour: 17,
    timezone: env.CARE_TIMEZONE?.trim() || 'UTC',
    perRecipientPerHour: 20,
    linkSecret: env.CARE_NOTIFY_SECRET || env.CARE_JWT_SECRET || '',
  };
}
