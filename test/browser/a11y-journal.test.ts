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
      // Each feed changes the connection's user (anonymous, rita, anonymous): it signs in again,
      // briefly offline. Audit each state once it shows.
      const audit = async (page: string, user: string | null, says: string) => {
        const journal = new JournalHarness(await feed(page, user, theme));
        await waitFor(() => journal.text().includes(says) && journal.part('offline') === null, `"${says}"`);
        await expect(journal.el).to.be.accessible();
      };
      const empty = uniquePage('a11y-e');
      await seedPage({ id: empty, owners: ['olga'] });
      await audit(empty, null, en.journalEmpty);
      const locked = uniquePage('a11y-l');
      await seedPage({ id: locked, visibility: 'private', owners: ['olga'] });
      await audit(locked, 'rita', en.lockedPrivate);
      await audit('a11y-missing-page', null, en.notFound);
    });
  }
});
