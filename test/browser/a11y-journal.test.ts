import { expect, fixture, html } from '@open-wc/testing';
import '../../src/components/journal-feed/define.js';
import type { CareJournalFeed } from '../../src/components/journal-feed/journal-feed.js';
import { seedPage, serverUrl, shadow, uniquePage, waitFor } from './helpers.js';

async function mount(pageId: string, user: string | null, theme: string): Promise<CareJournalFeed> {
  const el = await fixture<CareJournalFeed>(html`<care-journal-feed page=${pageId} host=${await serverUrl()} theme=${theme} token-url=${user ? `/care-token?user=${user}` : ''}></care-journal-feed>`);
  await waitFor(() => el.care.state.status !== 'loading', 'load');
  await el.updateComplete;
  return el;
}

describe('accessibility: <care-journal-feed> (axe-core)', () => {
  for (const theme of ['light', 'dark']) {
    it(`has no violations with content, composer and actions (${theme})`, async () => {
      const pageId = uniquePage('a11y-j');
      await seedPage({ id: pageId, owners: ['olga'], journal: [{ title: 'Hello', body: 'Some **bold** text and a [link](https://example.org).\n\n- a\n- b' }] });
      const el = await mount(pageId, 'olga', theme);
      expect(shadow(el).querySelector('form[part=composer]')).to.not.equal(null);
      await expect(el).to.be.accessible();
    });
    it(`has no violations when empty, locked and not found (${theme})`, async () => {
      const empty = uniquePage('a11y-e');
      await seedPage({ id: empty, owners: ['olga'] });
      await expect(await mount(empty, null, theme)).to.be.accessible();
      const locked = uniquePage('a11y-l');
      await seedPage({ id: locked, visibility: 'private', owners: ['olga'] });
      await expect(await mount(locked, 'rita', theme)).to.be.accessible();
      await expect(await mount('a11y-missing-page', null, theme)).to.be.accessible();
    });
  }
});
