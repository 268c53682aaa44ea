import type { NotifyMessage } from './contract.js';

/**
 * The words of every notification (SPEC 6.2): PHI-free by default. No patient name, page
 * title, author, text or photo, in any subject, body or push payload; a title only when the
 * hospital set `CARE_NOTIFY_DETAIL=title` (then `message.title` is present). The link back
 * (built by the channel) leads to the hospital's page, where sign-in decides what is shown.
 */
export interface NotifyText {
  subject: string;
  /** Plain-text paragraphs (the email's text part; the HTML part escapes and wraps them). */
  lines: string[];
  /** The button / link label. */
  action: string;
  /** Web Push: a notification's title and body. */
  push: { title: string; body: string };
  /**
   * The digest's pages, each to be shown with its own link after the first line, when there
   * are several or a title to show; absent otherwise.
   */
  items?: { pageId: string; text: string }[];
}

export function notifyText(m: NotifyMessage): NotifyText {
  switch (m.type) {
    case 'journal': {
      const where = m.title ? `“${m.title}”` : 'a page you follow';
      return {
        subject: m.title ? `New update on ${where}` : 'There is a new update on a page you follow',
        lines: [`There is a new update on ${where}.`, 'Sign in to read it.'],
        action: 'Read the update',
        push: { title: 'New update', body: `There is a new update on ${where}.` },
      };
    }
    case 'request': {
      const where = m.title ? `“${m.title}”` : 'your page';
      return {
        subject: `Someone asks to follow ${where}`,
        lines: [`Someone asks to follow ${where}.`, 'Sign in to decide who may follow it.'],
        action: 'See the request',
        push: { title: 'New follow request', body: `Someone asks to follow ${where}.` },
      };
    }
    case 'reminder': {
      // Nothing about the task: its title, kind, time or place may say what the illness is.
      const where = m.title ? ` on “${m.title}”` : '';
      return {
        subject: 'Reminder: you signed up to help tomorrow',
        lines: [`You signed up to help tomorrow${where}.`, 'Sign in to see the details.'],
        action: 'See what you signed up for',
        push: { title: 'Reminder', body: `You signed up to help tomorrow${where}.` },
      };
    }
    case 'digest': {
      const entries = sum(m.pages, 'entries');
      const messages = sum(m.pages, 'messages');
      const requests = sum(m.pages, 'requests');
      const items = m.pages.map((p) => {
        const parts = [count(p.entries, 'new update'), count(p.messages, 'new message'), count(p.requests, 'follow request')].filter(Boolean);
        // Counts of messages and requests reach only a page's owners.
        const name = p.title ? `“${p.title}”` : p.messages || p.requests ? 'Your page' : 'A page you follow';
        return { pageId: p.pageId, text: `${name}: ${parts.join(', ')}.` };
      });
      const summary = [count(entries, 'new update'), count(messages, 'new message'), count(requests, 'follow request')].filter(Boolean).join(', ') || 'nothing new';
      const listed = m.pages.length > 1 || m.pages[0]?.title !== undefined;
      return {
        subject: `Your daily summary: ${summary}`,
        lines: [`Since yesterday: ${summary}.`, 'Sign in to read them.'],
        action: m.pages.length > 1 ? 'Open the pages' : 'Open the page',
        push: { title: 'Your daily summary', body: `${summary}.` },
        ...(listed ? { items } : {}),
      };
    }
  }
}

const sum = <K extends 'entries' | 'messages' | 'requests'>(pages: Record<K, number>[], k: K) => pages.reduce((n, p) => n + p[k], 0);
const count = (n: number, what: string) => (n === 0 ? '' : `${n} ${what}${n === 1 ? '' : 's'}`);
