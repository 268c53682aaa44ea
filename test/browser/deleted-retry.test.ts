/*
 * A post whose acknowledgement was lost, deleted by a moderator before the author's outbox
 * resent it: the resend is refused (`conflict`) and the deleted post does not come back; the
 * author keeps the text, and Try again posts it as a new post, once.
 */
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../src/components/journal-feed/define.js';
import type { CareErrorDetail } from '../../src/events.js';
import { seedPage, serverUrl, uniquePage, waitFor } from './helpers.js';
import { JournalHarness, mount } from './harness.js';

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
    const journal = new JournalHarness(await mount('care-journal-feed', { page: pageId, host, user: 'olga', loading: true, on: { 'care-error': (e) => errors.push(e.detail) } }));
    await waitFor(() => journal.unsent().some((u) => u.failed), 'the refused post');
    expect(errors.map((e) => e.code)).to.deep.equal(['conflict']);
    expect(await journalTitles(pageId)).to.deep.equal([], 'the deleted post did not come back');
    expect(journal.unsent().map((u) => u.text)).to.deep.equal(['Deleted meanwhile'], 'the author keeps the text');
    expect(journal.titles()).to.deep.equal([], 'the refused post is not shown as delivered');

    journal.buttonNamed('Try again', journal.unsent()[0]!.article)!.click();
    await waitFor(() => journal.unsent().length === 0, 'the outbox to empty');
    expect(await journalTitles(pageId)).to.deep.equal(['Deleted meanwhile'], 'posted anew, once');
    expect(localStorage.getItem(OUTBOX) ?? '').to.not.include(clientId);
  });
});
