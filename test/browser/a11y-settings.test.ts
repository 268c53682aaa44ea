/*
 * axe-core on <care-page-settings> and the invitation and ask-again states of the other
 * widgets, in every state, light and dark, left-to-right (English) and right-to-left (Arabic).
 */
import { expect } from '@open-wc/testing';
import '../../src/index.js';
import { FollowHarness, JournalHarness, PageSettingsHarness, mount } from './harness.js';
import { arriveWithInvite, followAs, otherHost, seedPage, storeInvite, uniquePage, waitFor } from './helpers.js';

const COMBOS = [
  { theme: 'light', lang: 'en' },
  { theme: 'dark', lang: 'en' },
  { theme: 'light', lang: 'ar' },
  { theme: 'dark', lang: 'ar' },
] as const;

const later = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

describe('accessibility: <care-page-settings> and invitations (axe-core)', () => {
  afterEach(() => {
    const url = new URL(location.href);
    url.searchParams.delete('care-invite');
    history.replaceState(history.state, '', url);
  });

  for (const { theme, lang } of COMBOS) {
    const attrs = { theme, lang };
    const rtl = lang === 'ar';

    it(`has no violations in the owner's panel, full and with a confirmation open (${theme}, ${lang})`, async () => {
      const page = uniquePage('a11y-ps');
      await seedPage({ id: page, visibility: 'private', owners: ['olga'], editors: ['eda'], follows: ['fred', 'gina'] });
      await followAs('rita', page);
      await storeInvite({ pageId: page, code: `a11y-${Math.random().toString(36).slice(2)}`, expiresAt: later(48), maxUses: 3, uses: 1 });
      const owner = await new PageSettingsHarness(await mount('care-page-settings', { page, user: 'olga', attrs })).ready();
      // Block gina so the blocked list has someone.
      owner.act('followers', 'gina', '.block');
      await waitFor(() => owner.button('.confirm-yes') !== null, 'the confirmation');
      await expect(owner.el).to.be.accessible();
      owner.click('.confirm-yes');
      await waitFor(() => owner.names('blocked').includes('gina') && owner.names('requests').includes('rita') && owner.inviteLinks().length === 1, 'every list filled');
      expect(owner.root.querySelector('[part~=base]')!.getAttribute('dir')).to.equal(rtl ? 'rtl' : 'ltr');
      await expect(owner.el).to.be.accessible();
      // A pending visibility change with its Save, then the widening confirmation.
      await owner.choose('members');
      await expect(owner.el).to.be.accessible();
      owner.click('.save');
      await waitFor(() => owner.button('.confirm-yes') !== null, 'the widening confirmation');
      await expect(owner.el).to.be.accessible();
      owner.click('.confirm-no');
    });

    it(`has no violations for an editor, a visitor, while loading and with an error (${theme}, ${lang})`, async () => {
      const page = uniquePage('a11y-ps-roles');
      await seedPage({ id: page, owners: ['olga'], editors: ['eda'], follows: ['fred'] });
      const editor = await new PageSettingsHarness(await mount('care-page-settings', { page, user: 'eda', attrs })).ready();
      await expect(editor.el).to.be.accessible();
      editor.el.remove();
      const visitor = new PageSettingsHarness(await mount('care-page-settings', { page, user: 'vic', attrs }));
      await waitFor(() => visitor.root.querySelector('[part~=notice]') !== null, 'the notice');
      await expect(visitor.el).to.be.accessible();
      visitor.el.remove();
      // An action refused: its reason in an alert.
      const owner = await new PageSettingsHarness(await mount('care-page-settings', { page, user: 'olga', attrs })).ready();
      owner.act('editors', 'eda', '.remove');
      await waitFor(() => owner.button('.confirm-yes') !== null, 'the confirmation');
      // Removed elsewhere meanwhile (here: by a direct call), so this removal is refused (not_found).
      await owner.el.care.call('member:remove', { userId: 'eda' });
      owner.click('.confirm-yes');
      await waitFor(() => owner.root.querySelector('[part~=error]') !== null, 'the refusal');
      await expect(owner.el).to.be.accessible();
    });

    it(`has no violations in the invitation notices and the ask-again state (${theme}, ${lang})`, async () => {
      const page = uniquePage('a11y-inv');
      await seedPage({ id: page, visibility: 'private', owners: ['olga'], journal: [{ title: 'Hello', body: 'x' }] });
      const host = await otherHost();
      const good = `a11y-good-${Math.random().toString(36).slice(2)}`;
      await storeInvite({ pageId: page, code: good, expiresAt: later(24) });
      arriveWithInvite(good);
      const anonymous = new JournalHarness(await mount('care-journal-feed', { page, host, attrs }));
      await waitFor(() => anonymous.root.querySelector('[part~=invite-notice]') !== null, 'the sign-in hint');
      await expect(anonymous.el).to.be.accessible();
      anonymous.el.tokenUrl = '/care-token?user=ivy';
      await waitFor(() => anonymous.titles().includes('Hello') && anonymous.root.querySelector('[part~=invite-notice]') !== null, 'accepted');
      await expect(anonymous.el).to.be.accessible();
      anonymous.el.remove();

      const bad = `a11y-bad-${Math.random().toString(36).slice(2)}`;
      await storeInvite({ pageId: page, code: bad, expiresAt: later(-1) });
      arriveWithInvite(bad);
      const refused = new JournalHarness(await mount('care-journal-feed', { page, host, user: 'xena', attrs }));
      await waitFor(() => refused.root.querySelector('[part~=invite-notice][role=alert]') !== null, 'the refusal');
      await expect(refused.el).to.be.accessible();
      refused.el.remove();

      await followAs('dora', page);
      const owner = await new PageSettingsHarness(await mount('care-page-settings', { page, user: 'olga', attrs })).ready();
      await waitFor(() => owner.names('requests').includes('dora'), 'the request');
      owner.act('requests', 'dora', ':not(.primary)');
      await waitFor(() => owner.names('requests').length === 0, 'declined');
      owner.el.remove();
      const dora = new FollowHarness(await mount('care-follow-button', { page, host, user: 'dora', attrs }));
      await waitFor(() => dora.button()?.getAttribute('aria-disabled') === 'true', 'the disabled button');
      await expect(dora.el).to.be.accessible();
    });
  }
});
