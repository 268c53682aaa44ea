/*
 * A post whose acknowledgement was lost, deleted by a moderator before the author's outbox
 * resent it: the resend is refused (`conflict`) and the deleted post does not come back; the
 * author keeps the text, and Try again posts it as a new post, once.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../src/components/journal-feed/define.js';
import type { CareJournalFeed } from '../../src/components/journal-feed/journal-feed.js';
import type { CareErrorDetail } from '../../src/events.js';
import { seedPage, serverUrl, shadow, uniquePage, waitFor } from './helpers.js';

const OUTBOX = 'care-widgets:outbox:v1';

async function journalTitles(pageId: string): Promise<string[]> {
  const res = (await executeServerCommand('care-admin', { path: `/api/pages/${pageId}/export` })) as { body: { journal: { title: string }[] } };
  return res.body.journal.map((e) => e.title);
}

describe('a retried post that was deleted meanwhile', () => {
  beforeEach(() => localStorage.removeItem(OUTBOX));

  it('is refused, not posted again; Try again posts the text anew, once', async () => {
    const pageId = uniquePage('deleted-retry');
    await seedPage({ id: pageId, owners: ['olga'], editors: ['ed'] });
    const host = await serverUrl();
    const clientId = `lost-ack-${pageId}`;
    // The server stored it, but the ack never reached this browser; then the editor deleted it.
    const posted = (await executeServerCommand('care-post', { user: 'olga', pageId, kind: 'journal', clientId, title: 'Deleted meanwhile', body: 'x' })) as { item: { id: string } };
    await executeServerCommand('care-delete', { user: 'ed', pageId, kind: 'journal', id: posted.item.id });
    const entry = { clientId, host, userId: 'olga', pageId, kind: 'journal', title: 'Deleted meanwhile', body: 'x', createdAt: Date.now(), attempts: 1, state: 'sending' };
    localStorage.setItem(OUTBOX, JSON.stringify([entry]));

    const errors: CareErrorDetail[] = [];
    const el = await fixture<CareJournalFeed>(html`<care-journal-feed page=${pageId} host=${host} token-url="/care-token?user=olga" @care-error=${(e: CustomEvent<CareErrorDetail>) => errors.push(e.detail)}></care-journal-feed>`);
    await waitFor(() => shadow(el).querySelector('article.pending .error-text') !== null, 'the refused post');
    expect(errors.map((e) => e.code)).to.deep.equal(['conflict']);
    expect(await journalTitles(pageId)).to.deep.equal([], 'the deleted post did not come back');
    expect(shadow(el).querySelector('article.pending h3')?.textContent).to.equal('Deleted meanwhile', 'the author keeps the text');

    const tryAgain = [...shadow(el).querySelectorAll<HTMLButtonElement>('article.pending button')].find((b) => b.textContent?.trim() === 'Try again')!;
    tryAgain.click();
    await waitFor(() => shadow(el).querySelector('article.pending') === null, 'the outbox to empty');
    expect(await journalTitles(pageId)).to.deep.equal(['Deleted meanwhile'], 'posted anew, once');
    expect(localStorage.getItem(OUTBOX) ?? '').to.not.include(clientId);
  });
});
