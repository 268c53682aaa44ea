/**
 * The shared contract of notifications (SPEC 6.2, issue 14): what the durable job queue
 * (server/src/jobs/) hands to each channel (email.ts, push.ts, the webhook), and what a
 * notification says. Nothing here may carry health information: a message names a page only
 * by id (used for the signed link and the unsubscribe, never shown), counts, and, only when
 * the hospital opted in with `CARE_NOTIFY_DETAIL=title`, the page's title.
 */

/** What happened, as a recipient hears it. */
export type NotifyMessage =
  /** A new journal entry on a page the recipient follows (`instant` email, push). */
  | { type: 'journal'; pageId: string; title?: string }
  /** Someone asks to follow a page the recipient owns (owner's `requests: 'instant'`). */
  | { type: 'request'; pageId: string; title?: string }
  /**
   * The daily digest (`daily` email; owners' `messages: 'daily'`): counts per page, pages
   * in no particular order. `title` only with the opt-in.
   */
  | { type: 'digest'; date: string; pages: DigestPage[] }
  /**
   * Feature `planner` (SPEC 6.4): the recipient signed up for a task on the page tomorrow.
   * `date` is that day, never shown (the words say "tomorrow"): it lets the runner check
   * before the send that the sign-up still stands. No task title, kind, time or details.
   */
  | { type: 'reminder'; pageId: string; date: string; title?: string };

export interface DigestPage {
  pageId: string;
  title?: string;
  /** New journal entries (for a follower with `email: 'daily'`). */
  entries: number;
  /** New wall messages (owners with `messages: 'daily'`); 0 for others. */
  messages: number;
  /** Follow requests waiting (owners); 0 for others. */
  requests: number;
}

/** One delivery job's payload, per channel. */
export interface EmailPayload {
  /** The address, from the recipient's token `email` claim when they chose (notify_users). */
  to: string;
  userId: string;
  message: NotifyMessage;
}
export interface PushPayload {
  userId: string;
  /** One job per subscription, so a retry never reaches a browser that already got it. */
  endpoint: string;
  message: NotifyMessage;
}
/** The webhook's JSON body, exactly as signed and sent (webhook.ts). */
export type WebhookPayload = string;

export type ChannelKind = 'email' | 'push' | 'webhook';

/** A delivery as a channel sees it. `key` is the idempotency key: one delivery per key, ever. */
export interface DeliveryJob<P> {
  id: string;
  key: string;
  pageId: string | null;
  recipient: string | null;
  payload: P;
  /** Attempts made before this one. */
  attempts: number;
}

/**
 * How an attempt ended. `retry: false` gives up at once (a permanent refusal: a 5xx SMTP
 * reply to the recipient, a push endpoint answering 404/410, which `gone` also marks so
 * the subscription is removed).
 */
export type SendOutcome = { ok: true } | { ok: false; retry: boolean; reason: string; gone?: boolean };

/** A way out: email, push or the webhook. Never throws; every failure is an outcome. */
export interface Channel<P> {
  readonly kind: ChannelKind;
  send(job: DeliveryJob<P>): Promise<SendOutcome>;
  close?(): Promise<void>;
}

/** The notification settings (config.ts reads them from the environment). */
export interface NotifySettings {
  /** `CARE_SMTP_URL` (`smtp://` / `smtps://`); null: no email (demo mode uses its local mailbox). */
  smtpUrl: string | null;
  /** `CARE_MAIL_FROM`, e.g. `"Care updates" <updates@hospital.example>`. */
  mailFrom: string;
  /** `CARE_PAGE_URL`: the hospital's page, with `{pageId}`. */
  pageUrl: string;
  /** `CARE_PUBLIC_URL`: this backend's public URL (unsubscribe and open links). */
  publicUrl: string;
  /** `CARE_VAPID_PUBLIC_KEY` / `CARE_VAPID_PRIVATE_KEY` / `CARE_VAPID_SUBJECT`; null: no push. */
  vapid: { publicKey: string; privateKey: string; subject: string } | null;
  /**
   * `CARE_PUSH_HOSTS`: the push services' host suffixes Web Push may go to (push-hosts.ts);
   * unset: the browsers' public push services (`DEFAULT_PUSH_HOSTS`).
   */
  pushHosts?: string[];
  /** `CARE_NOTIFY_DETAIL`: `none` (default) or `title`, the hospital's documented HIPAA decision. */
  detail: 'none' | 'title';
  /** `CARE_DIGEST_HOUR` (0–23, default 17) in `CARE_TIMEZONE` (IANA, default `UTC`). */
  digestHour: number;
  timezone: string;
  /** `CARE_REMINDER_HOUR` (0–23, default 10) in `CARE_TIMEZONE`: planner reminders for the next day go out. */
  reminderHour: number;
  /** `CARE_NOTIFY_RATE`: emails (and pushes) per recipient per hour at most, default 20; more wait. */
  perRecipientPerHour: number;
  /** Signs unsubscribe and open links: `CARE_NOTIFY_SECRET`, else derived from `CARE_JWT_SECRET`. */
  linkSecret: string;
  /**
   * Earlier link secrets, still accepted when opening a link (never used to make one), so the
   * secret can rotate without breaking the unsubscribe links in emails already sent.
   */
  previousLinkSecrets?: string[];
}
