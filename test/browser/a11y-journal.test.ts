import { expect } from '@open-wc/testing';
import '../../src/components/journal-feed/define.js';
import { en } from '../../src/i18n/en.js';
import { seedPage, uniquePage, waitFor } from './helpers.js';
import { JournalHarness, mount } from './harness.js';

const feed = (page: string, user: string | null, theme: string) => mount('care-journal-feed', { page, user, attrs: { theme } });

describe('accessibility: <care-journal-feed> (axe-core)', () => {
  for (const theme of ['light', 'dark']) {
    it(`has no violations with content, composer and actions (${theme})`, async () => {
      const pageId = uniquePage('a11y-j');
      await seedPage({ id: pageId, owners: ['olga'], journal: [{ title: 'Hello', body: 'Some **bold** text and a [link](https://example.org).\n\n- a\n- b' }] });
      const el = await feed(pageId, 'olga', theme);
      const journal = new JournalHarness(el);
      expect(journal.composer()).to.not.equal(null);
      expect(journal.titles()).to.deep.equal(['Hello']);
      await expect(el).to.be.accessible();
    });
    it(`has no violations when empty, locked and not found (${theme})`, async () => {
      const empty = uniquePage('a11y-e');
      await seedPage({ id: empty, owners: ['olga'] });
      const emptyFeed = await feed(empty, null, theme);
      expect(new JournalHarness(emptyFeed).text()).to.include(en.journalEmpty);
      await expect(emptyFeed).to.be.accessible();
      const locked = uniquePage('a11y-l');
      await seedPage({ id: locked, visibility: 'private', owners: ['olga'] });
      const lockedFeed = await feed(locked, 'rita', theme);
      // Another user on the same connection: it signs in again, briefly offline; then the reason.
      await waitFor(() => new JournalHarness(lockedFeed).notice() === en.lockedPrivate, 'the locked notice');
      await expect(lockedFeed).to.be.accessible();
      const missing = await feed('a11y-missing-page', null, theme);
      expect(new JournalHarness(missing).notice()).to.equal(en.notFound);
      await expect(missing).to.be.accessible();
    });
  }
});
