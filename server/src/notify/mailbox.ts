import { createHash } from 'node:crypto';
import express, { type Router } from 'express';
import nodemailer, { type SendMailOptions, type StreamSentMessageInfo } from 'nodemailer';
import type { MailTransport } from './email.js';
import { escapeHtml } from './email.js';

/** One message the demo "sent". */
export interface MailboxMessage {
  at: string;
  to: string;
  subject: string;
  /** The text part, as composed. */
  text: string;
  /** The whole RFC 5322 message, headers included, exactly as it would have gone to a relay. */
  raw: string;
}

/**
 * Demo mode's mailbox (`CARE_DEMO=1` without `CARE_SMTP_URL`): the email channel sends through
 * nodemailer's stream transport, which builds the complete message (the same bytes an SMTP
 * relay would get) and hands it back instead of sending it; the last `keep` messages stay in
 * memory and `GET /demo/mailbox` shows them (`/demo/mailbox.json` as JSON). Nothing leaves the
 * machine. Mount the router only in demo mode.
 *
 * In app.ts: `const mailbox = demoMailbox(); app.use(mailbox.router);` and hand
 * `mailbox.transport` to the `EmailChannel`.
 */
export function demoMailbox(keep = 50): { transport: MailTransport; router: Router; messages: () => MailboxMessage[] } {
  const stream = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const kept: MailboxMessage[] = [];
  const transport: MailTransport = {
    async sendMail(mail: SendMailOptions) {
      const info: StreamSentMessageInfo = await stream.sendMail(mail);
      kept.push({
        at: new Date().toISOString(),
        to: String(mail.to ?? ''),
        subject: String(mail.subject ?? ''),
        text: String(mail.text ?? ''),
        raw: Buffer.isBuffer(info.message) ? info.message.toString('utf8') : '',
      });
      if (kept.length > keep) kept.splice(0, kept.length - keep);
      return info;
    },
    close: () => stream.close(),
  };

  const router = express.Router();
  router.use('/demo/mailbox', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    res.set('Referrer-Policy', 'no-referrer');
    res.set('Content-Security-Policy', CSP);
    next();
  });
  router.get('/demo/mailbox.json', (_req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json({ messages: [...kept].reverse() });
  });
  router.get('/demo/mailbox', (_req, res) => {
    res.type('html').send(mailboxPage([...kept].reverse(), keep));
  });
  return { transport, router, messages: () => [...kept] };
}

const STYLE = [
  'body{margin:0;background:#f3f4f6;color:#111827;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}',
  'main{max-width:60rem;margin:0 auto;padding:1.5rem}',
  'article{background:#fff;border-radius:.5rem;padding:1rem 1.5rem;margin:0 0 1.5rem}',
  'h2{font-size:1.125rem;margin:0 0 .25rem}',
  'pre{white-space:pre-wrap;word-break:break-all;background:#f9fafb;border:1px solid #d1d5db;padding:.75rem;font-size:.875rem}',
  'a{color:#1d4ed8}',
  'a:focus-visible,summary:focus-visible{outline:3px solid #111827;outline-offset:2px}',
].join('');
const CSP = ["default-src 'none'", `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`, "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"].join('; ');

function mailboxPage(messages: MailboxMessage[], keep: number): string {
  const body = messages.length
    ? messages
        .map(
          (m, i) => `<article aria-labelledby="m${i}">
<h2 id="m${i}">${escapeHtml(m.subject)}</h2>
<p>To ${escapeHtml(m.to)}, <time datetime="${escapeHtml(m.at)}">${escapeHtml(m.at.replace('T', ' ').slice(0, 19))} UTC</time></p>
<pre>${linkify(escapeHtml(m.text))}</pre>
<details><summary>Raw message (headers and both parts)</summary><pre>${escapeHtml(m.raw)}</pre></details>
</article>`,
        )
        .join('\n')
    : '<p>No emails yet. Choose “Email me each update” on a page you follow, then post a journal entry on it.</p>';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>Demo mailbox</title><style>${STYLE}</style></head>
<body><main>
<h1>Demo mailbox</h1>
<p>In demo mode, emails are not sent: the last ${keep} are kept here, newest first, exactly as they would reach a mail server. <a href="/demo/mailbox">Refresh</a></p>
${body}
</main></body></html>
`;
}

/** The open and unsubscribe links in the (already escaped) text, made clickable. */
function linkify(escaped: string): string {
  return escaped.replace(/https?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}">${url}</a>`);
}
