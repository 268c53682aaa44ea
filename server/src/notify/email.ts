import { createHash } from 'node:crypto';
import nodemailer, { type NodemailerError, type SendMailOptions } from 'nodemailer';
import type { Channel, DeliveryJob, EmailPayload, NotifyMessage, NotifySettings, SendOutcome } from './contract.js';
import type { NotifyLinks } from './links.js';
import { notifyText, type NotifyText } from './messages.js';

/**
 * What the email channel needs of a nodemailer transporter: a pooled SMTP one
 * (`smtpTransport`), or demo mode's local mailbox (mailbox.ts).
 */
export interface MailTransport {
  sendMail(mail: SendMailOptions): Promise<unknown>;
  close(): void;
}

export interface SmtpOptions {
  /** Connections kept open to the relay (default 2: the queue sends a few at a time). */
  maxConnections?: number;
  /** Opening the TCP connection (default 10 s). */
  connectionTimeoutMs?: number;
  /** Waiting for the server's greeting (default 10 s). */
  greetingTimeoutMs?: number;
  /** Silence on an open connection, e.g. a reply that never comes (default 30 s). */
  socketTimeoutMs?: number;
}

/**
 * The transporter for `CARE_SMTP_URL` (`smtp://user:pass@host:587`, `smtps://…:465`): pooled,
 * with timeouts so a relay that hangs turns into a retry instead of a stuck job. One attempt of
 * the queue is one SMTP transaction (`maxRequeues: 0`): nodemailer would otherwise resend on a
 * fresh connection by itself when one closes mid-message, behind the queue's back.
 */
export function smtpTransport(url: string, o: SmtpOptions = {}): MailTransport {
  return nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: o.maxConnections ?? 2,
    maxRequeues: 0,
    connectionTimeout: o.connectionTimeoutMs ?? 10_000,
    greetingTimeout: o.greetingTimeoutMs ?? 10_000,
    socketTimeout: o.socketTimeoutMs ?? 30_000,
    // Nothing of a message is ever read from disk or fetched: we build every byte ourselves.
    disableFileAccess: true,
    disableUrlAccess: true,
    // nodemailer's logger would print addresses and SMTP replies; the queue logs outcomes only.
    logger: false,
    debug: false,
  });
}

/**
 * Email (SPEC 6.2): one message per job, PHI-free unless the hospital opted in
 * (`CARE_NOTIFY_DETAIL=title`), with a plain-text and an HTML part, the link to the page
 * through `/notify/open`, and RFC 8058 one-click unsubscribe.
 *
 * The Message-ID is derived from the job's idempotency key, so the one message a retry might
 * repeat (the relay accepted it, the process died before the job was marked done) carries the
 * same id as the first: mail systems and people can recognise it as the same message.
 *
 * Never logs: addresses, subjects and SMTP replies (which often quote the address) stay out of
 * logs and out of the outcome's `reason`, which names only the SMTP code and command.
 */
export class EmailChannel implements Channel<EmailPayload> {
  readonly kind = 'email' as const;

  /**
   * One attempt's deadline, however the relay stalls (a trickle of replies resets every socket
   * timeout). Shorter than the queue's claim on an email job (2 minutes), so an attempt never
   * outlives its claim and another node never sends the same job alongside.
   */
  private readonly attemptTimeoutMs: number;

  constructor(
    private readonly transport: MailTransport,
    private readonly settings: Pick<NotifySettings, 'mailFrom' | 'detail'>,
    private readonly links: NotifyLinks,
    o: { attemptTimeoutMs?: number } = {},
  ) {
    this.attemptTimeoutMs = o.attemptTimeoutMs ?? 60_000;
  }

  async send(job: DeliveryJob<EmailPayload>): Promise<SendOutcome> {
    let mail: SendMailOptions;
    try {
      mail = composeEmail(job, this.settings, this.links);
    } catch {
      return { ok: false, retry: false, reason: 'email could not be composed' };
    }
    try {
      await this.transport.sendMail({ ...mail, signal: AbortSignal.timeout(this.attemptTimeoutMs) });
      return { ok: true };
    } catch (err) {
      return smtpOutcome(err as NodemailerError);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/** The whole message for one job (exported for the demo mailbox and tests). */
export function composeEmail(job: DeliveryJob<EmailPayload>, settings: Pick<NotifySettings, 'mailFrom' | 'detail'>, links: NotifyLinks): SendMailOptions {
  const { to, userId } = job.payload;
  // Belt and braces: whatever the queue put in the payload, no title without the opt-in.
  const message = settings.detail === 'title' ? job.payload.message : withoutTitles(job.payload.message);
  const text = notifyText(message);
  // The digest unsubscribes from every page's emails; a reminder from the page's reminders;
  // the others from that page's emails.
  const unsubscribe =
    message.type === 'digest' ? links.unsubscribe(userId, null) : message.type === 'reminder' ? links.unsubscribe(userId, message.pageId, 'reminders') : links.unsubscribe(userId, message.pageId);
  const pages = message.type === 'digest' ? message.pages.map((p) => p.pageId) : [message.pageId];
  // Several pages in a digest: each listed with its own link, no single button.
  const open = pages.length === 1 ? links.open(pages[0]!) : null;
  const items = (text.items ?? []).map((i) => ({ text: i.text, url: links.open(i.pageId) }));
  const why = REASON[message.type];
  const stop = message.type === 'reminder' ? 'Stop these reminders' : 'Stop these emails';
  return {
    from: settings.mailFrom,
    to,
    subject: text.subject,
    text: plainText(text, open, items, why, stop, unsubscribe),
    html: htmlBody(text, open, items, why, stop, unsubscribe),
    messageId: `<${createHash('sha256').update(job.key).digest('hex')}@${mailDomain(settings.mailFrom)}>`,
    headers: {
      'List-Unsubscribe': `<${unsubscribe}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      // RFC 3834: a machine wrote this; auto-responders (out-of-office) stay quiet.
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
    },
    // Everything is built here; nothing is read from files or URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

const REASON: Record<NotifyMessage['type'], string> = {
  journal: 'You get this email because you asked for an email about each update on a page you follow.',
  request: 'You get this email because you asked to hear about follow requests for your page.',
  digest: 'You get this email because you asked for a daily summary of the pages you follow.',
  reminder: 'You get this email because you signed up to help, and reminders are on for this page.',
};

function withoutTitles(m: NotifyMessage): NotifyMessage {
  if (m.type === 'digest') return { type: 'digest', date: m.date, pages: m.pages.map(({ title: _title, ...p }) => p) };
  const { title: _title, ...rest } = m;
  return rest;
}

type Item = { text: string; url: string };

function plainText(t: NotifyText, open: string | null, items: Item[], why: string, stop: string, unsubscribe: string): string {
  const [first, ...rest] = t.lines;
  const out = [first ?? ''];
  for (const i of items) out.push(`${i.text}\n${i.url}`);
  out.push(...rest);
  if (open) out.push(`${t.action}: ${open}`);
  out.push(`-- \n${why}\n${stop}: ${unsubscribe}`);
  return `${out.join('\n\n')}\n`;
}

/**
 * A single-column, table-free layout most mail clients render alike: inline styles (clients
 * drop `<style>`), system fonts, 16 px text, contrast above 7:1 for the text and the button,
 * a real link for the button (so it works with images and CSS off), and `lang` set.
 */
function htmlBody(t: NotifyText, open: string | null, items: Item[], why: string, stop: string, unsubscribe: string): string {
  const [first, ...rest] = t.lines;
  const p = (s: string) => `<p style="margin:0 0 16px">${escapeHtml(s)}</p>`;
  const list = items.length
    ? `<ul style="margin:0 0 16px;padding-left:20px">${items.map((i) => `<li style="margin:0 0 8px"><a href="${escapeHtml(i.url)}" style="color:#1d4ed8">${escapeHtml(i.text)}</a></li>`).join('')}</ul>`
    : '';
  const button = open
    ? `<p style="margin:24px 0"><a href="${escapeHtml(open)}" style="display:inline-block;padding:12px 20px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:600">${escapeHtml(t.action)}</a></p>`
    : '';
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(t.subject)}</title></head>`,
    '<body style="margin:0;padding:0;background:#f3f4f6">',
    `<div role="article" aria-label="${escapeHtml(t.subject)}" lang="en" style="max-width:560px;margin:0 auto;padding:24px;background:#ffffff;color:#111827;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;font-size:16px;line-height:1.5">`,
    p(first ?? ''),
    list,
    ...rest.map(p),
    button,
    '<hr style="border:0;border-top:1px solid #d1d5db;margin:24px 0">',
    `<p style="margin:0;font-size:14px;color:#374151">${escapeHtml(why)} <a href="${escapeHtml(unsubscribe)}" style="color:#1d4ed8">${escapeHtml(stop)}</a>.</p>`,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The domain of `CARE_MAIL_FROM` (`"Care" <updates@hospital.example>` → `hospital.example`). */
function mailDomain(from: string): string {
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from.trim());
  return m?.[1]?.toLowerCase() ?? 'care-widgets';
}

/**
 * How a failed send ends. A permanent (5xx) refusal of the recipient or of the message
 * (`RCPT TO`, `DATA`) will not change on a retry: given up at once. Everything else is
 * retried with the queue's backoff: 4xx (greylisting, a full mailbox, a busy relay), a network
 * failure or timeout, and also a 5xx to `MAIL FROM` or a failed login, which are this server's
 * configuration (wrong sender, wrong password) rather than the recipient's, and will succeed
 * once it is fixed. The reason holds the code and command only, never the reply text.
 */
export function smtpOutcome(err: NodemailerError | undefined): SendOutcome {
  const code = err?.responseCode;
  const command = err?.command ?? '';
  if (typeof code === 'number') {
    const reason = `smtp ${code}${command ? ` ${command}` : ''}`;
    const recipientOrMessage = command === 'RCPT TO' || command === 'DATA' || err?.code === 'EMESSAGE';
    return { ok: false, retry: !(err?.permanent === true && recipientOrMessage), reason };
  }
  // EABORT: the attempt's deadline. Like a timeout, it does not prove the relay did not take
  // the message; the same Message-ID marks a second copy as the same message.
  return { ok: false, retry: true, reason: `smtp ${err?.code === 'EABORT' ? 'deadline' : (err?.code ?? 'error')}` };
}
