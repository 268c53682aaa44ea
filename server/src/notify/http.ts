import { createHash } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { escapeHtml } from './email.js';
import type { NotifyLinks } from './links.js';

/** What the unsubscribe route needs of the storage (`Storage.unsubscribeEmail` / `unsubscribeReminders`). */
export interface EmailUnsubscriber {
  /** Email `off` (and owner requests/messages `off`) for the page, or every page when `pageId` is null; audited. Rows changed. */
  unsubscribeEmail(userId: string, pageId: string | null, at: string): Promise<number>;
  /** Planner reminders `off` for the page (SPEC 6.4); audited. Whether it changed anything. */
  unsubscribeReminders(userId: string, pageId: string, at: string): Promise<boolean>;
}

/**
 * The two links of every notification email (links.ts), answered by this backend:
 *
 * - `GET /notify/unsubscribe?t=` shows a page with one button and changes nothing: mail
 *   scanners and link previewers fetch every link in a message, and must not unsubscribe
 *   anyone. The button POSTs the same URL.
 * - `POST /notify/unsubscribe?t=` unsubscribes: RFC 8058 one-click (the mail client's own POST,
 *   body `List-Unsubscribe=One-Click`, answered in plain text) or the page's button (answered
 *   with a page). The sealed token is the authority, so any POST with a valid one counts,
 *   whatever its body's type (RFC 8058 allows `multipart/form-data` too). Idempotent: a second
 *   POST answers the same.
 * - `GET /notify/open?t=` redirects (302) to the hospital's page (`CARE_PAGE_URL`).
 *
 * No cookies, nothing cached (`no-store`), no referrer (the token stays out of the hospital's
 * logs), and a Content-Security-Policy that allows nothing but the page's one stylesheet (by
 * its hash) and the form posting back here. The pages name neither the page nor the person.
 *
 * Mount it before any Origin check: a mail client's POST carries no Origin, and the page's own
 * form carries this backend's, which `CARE_ALLOWED_ORIGINS` (the hospital's sites) need not list.
 */
export function notifyRouter(links: NotifyLinks, store: EmailUnsubscriber, now: () => Date = () => new Date()): Router {
  const router = express.Router();
  router.use('/notify', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    res.set('Referrer-Policy', 'no-referrer');
    res.set('Content-Security-Policy', CSP);
    res.set('X-Content-Type-Options', 'nosniff');
    next();
  });

  router.get('/notify/unsubscribe', (req, res) => {
    const claims = links.readUnsubscribe(req.query.t);
    if (!claims) return void page(res, 400, BAD_LINK);
    const what = stopped(claims);
    page(res, 200, {
      heading: claims.channel === 'reminders' ? 'Stop these reminders?' : 'Stop these emails?',
      paragraphs: [`You will get no more ${what}. You can choose again on the page itself at any time.`],
      // Posts back to this very URL (its `?t=`), resolved against the page's own address.
      form: { action: `?t=${encodeURIComponent(String(req.query.t))}`, button: claims.channel === 'reminders' ? 'Stop reminders' : 'Stop emails' },
    });
  });

  router.post('/notify/unsubscribe', express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 10 }), async (req, res) => {
    const claims = links.readUnsubscribe(req.query.t);
    const fromForm = (req.body as Record<string, unknown> | undefined)?.confirm === 'yes';
    if (!claims) {
      if (fromForm) return void page(res, 400, BAD_LINK);
      return void res.status(400).type('text/plain').send('This unsubscribe link is not valid.\n');
    }
    try {
      if (claims.channel === 'reminders') await store.unsubscribeReminders(claims.userId, claims.pageId!, now().toISOString());
      else await store.unsubscribeEmail(claims.userId, claims.pageId, now().toISOString());
    } catch (err) {
      // No ids in the log: an error name is enough to look for the cause.
      console.error('[care] unsubscribe failed:', err instanceof Error ? err.name : 'error');
      if (fromForm) return void page(res, 503, UNAVAILABLE);
      return void res.status(503).type('text/plain').send('Please try again later.\n');
    }
    const what = stopped(claims);
    if (!fromForm) return void res.status(200).type('text/plain').send(`Unsubscribed: you will get no more ${what}.\n`);
    page(res, 200, {
      heading: 'You are unsubscribed',
      paragraphs: [`You will get no more ${what}.`, 'You can choose again on the page itself at any time.'],
    });
  });

  router.get('/notify/open', (req, res) => {
    const pageId = links.readOpen(req.query.t);
    if (!pageId) return void page(res, 400, BAD_LINK);
    res.redirect(302, links.pageUrl(pageId));
  });

  // A body too large or malformed: the same plain refusal, never Express's HTML error page.
  router.use('/notify', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const status = (err as { status?: number }).status;
    res.status(typeof status === 'number' && status >= 400 && status < 500 ? status : 500).type('text/plain').send('Bad request.\n');
  });
  return router;
}

/** What a link stops, in words that name neither the page nor the person. */
function stopped(claims: { pageId: string | null; channel: 'email' | 'reminders' }): string {
  if (claims.channel === 'reminders') return 'reminders about the help you signed up for on this page';
  return `emails about ${claims.pageId === null ? 'any page you follow' : 'this page'}`;
}

interface PageContent {
  heading: string;
  paragraphs: string[];
  form?: { action: string; button: string };
}

const BAD_LINK: PageContent = {
  heading: 'This link does not work',
  paragraphs: [
    'The link may have been cut short or changed when it was copied. Open it again from the email, or change your email choices on the page itself.',
  ],
};
const UNAVAILABLE: PageContent = {
  heading: 'Something went wrong',
  paragraphs: ['Nothing was changed. Please try again in a few minutes.'],
};

/** The pages' one stylesheet, allowed by its hash: no inline style attributes, no other source. */
export const PAGE_STYLE = [
  'body{margin:0;background:#f3f4f6;color:#111827;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}',
  'main{max-width:32rem;margin:3rem auto;padding:1.5rem;background:#fff;border-radius:.5rem}',
  'h1{font-size:1.5rem;margin:0 0 1rem}',
  'button{font:inherit;font-weight:600;padding:.75rem 1.25rem;border:0;border-radius:.375rem;background:#1d4ed8;color:#fff;cursor:pointer}',
  'button:hover{background:#1e40af}',
  'button:focus-visible{outline:3px solid #111827;outline-offset:3px}',
  '@media (forced-colors:active){button{border:2px solid ButtonText}}',
].join('');
export const PAGE_STYLE_HASH = `'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`;
const CSP = ["default-src 'none'", `style-src ${PAGE_STYLE_HASH}`, "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'"].join('; ');

function page(res: Response, status: number, c: PageContent): void {
  const form = c.form
    ? `<form method="post" action="${escapeHtml(c.form.action)}"><input type="hidden" name="confirm" value="yes"><button type="submit">${escapeHtml(c.form.button)}</button></form>`
    : '';
  res
    .status(status)
    .type('html')
    .send(
      [
        '<!doctype html>',
        '<html lang="en">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        `<meta name="robots" content="noindex"><title>${escapeHtml(c.heading)}</title><style>${PAGE_STYLE}</style></head>`,
        `<body><main><h1>${escapeHtml(c.heading)}</h1>`,
        ...c.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
        form,
        '</main></body></html>',
        '',
      ].join('\n'),
    );
}
