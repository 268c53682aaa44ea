/*
 * Invitation links end to end: the owner creates one in <care-page-settings>, a visitor who
 * arrives with `?care-invite=<code>` and signs in is let in (once per page, whatever the number
 * of widgets), and the code leaves the address bar; revoked, expired and used-up codes are
 * said plainly. A second connection (another host string, another signed-in user) stands for
 * the invitee's browser.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/index.js';
import type { CareJournalFeed } from '../../src/index.js';
import { JournalHarness, PageSettingsHarness, WallHarness, mount } from './harness.js';
import { arriveWithInvite, inviteInAddressBar, otherHost, seedPage, storeInvite, uniquePage, waitFor } from './helpers.js';

const codeOf = (link: string) => new URL(link).searchParams.get('care-invite')!;

describe('invitations', () => {
  afterEach(() => {
    const url = new URL(location.href);
    url.searchParams.delete('care-invite');
    history.replaceState(history.state, '', url);
  });

  it('lets a second visitor in by a link the owner created, once signed in, and clears the address bar', async () => {
    const page = uniquePage('inv-follow');
    await seedPage({ id: page, visibility: 'private', owners: ['olga'], journal: [{ title: 'For the family', body: 'Only for people Olga lets in.' }] });
    const owner = await new PageSettingsHarness(await mount('care-page-settings', { page, user: 'olga' })).ready();
    owner.createInvite({ role: 'follower', days: 1, uses: 2 });
    await waitFor(() => owner.inviteLinks().length === 1, 'the new link');
    const link = owner.inviteLinks()[0]!;
    expect(link).to.match(/[?&]care-invite=[\w-]{22,}/);
    // The link is this page's address with the code: no fragment, no second code.
    expect(new URL(link).pathname).to.equal(location.pathname);
    expect(owner.text()).to.include('2 uses left');

    arriveWithInvite(codeOf(link));
    // Signed out first: nothing is sent, the visitor is asked to sign in, the code stays.
    const host = await otherHost();
    const feed = new JournalHarness(await mount('care-journal-feed', { page, host }));
    const wall = new WallHarness(await mount('care-message-wall', { page, host }));
    await waitFor(() => feed.root.textContent!.includes('Sign in to accept'), 'the sign-in hint');
    expect(wall.root.textContent).to.not.include('Sign in to accept');
    expect(inviteInAddressBar()).to.equal(true);

    // Signing in (both widgets, as a host page's sign-in would) accepts it, once.
    feed.el.tokenUrl = '/care-token?user=ivy';
    wall.el.tokenUrl = '/care-token?user=ivy';
    await waitFor(() => feed.titles().includes('For the family'), 'the invitee reads the page');
    expect(inviteInAddressBar()).to.equal(false);
    await waitFor(() => feed.root.textContent!.includes('you now follow this page'), 'the accepted notice');
    await waitFor(() => owner.names('followers').includes('ivy'), 'ivy among the followers');
    await waitFor(() => owner.text().includes('1 use left'), 'one use counted, not two');
  });

  it('makes a co-author who can post journal entries', async () => {
    const page = uniquePage('inv-editor');
    await seedPage({ id: page, visibility: 'private', owners: ['olga'] });
    const owner = await new PageSettingsHarness(await mount('care-page-settings', { page, user: 'olga' })).ready();
    owner.createInvite({ role: 'editor', uses: 1 });
    await waitFor(() => owner.inviteLinks().length === 1, 'the new link');
    expect(owner.text()).to.include('Co-author');
    arriveWithInvite(codeOf(owner.inviteLinks()[0]!));

    const feed = new JournalHarness(await mount('care-journal-feed', { page, user: 'eve', host: await otherHost() }));
    await waitFor(() => feed.composer() !== null, 'the composer for the new co-author');
    expect(feed.root.textContent).to.include('you can now post updates');
    await waitFor(() => owner.names('editors').includes('eve'), 'eve among the co-authors');
    feed.post('From the new co-author', 'Hello from Eve.');
    const ownerFeed = new JournalHarness(await mount('care-journal-feed', { page, user: 'olga' }));
    await waitFor(() => ownerFeed.titles().includes('From the new co-author'), "the owner sees eve's entry");
  });

  for (const kind of ['revoked', 'expired', 'used up'] as const) {
    it(`says plainly that a ${kind} code no longer works, and fires care-error`, async () => {
      const page = uniquePage('inv-bad');
      await seedPage({ id: page, visibility: 'private', owners: ['olga'] });
      const code = `bad-${kind.replace(' ', '-')}-${Math.random().toString(36).slice(2)}`;
      if (kind === 'revoked') {
        // Revoked in the panel, as the owner would.
        const owner = await new PageSettingsHarness(await mount('care-page-settings', { page, user: 'olga' })).ready();
        await storeInvite({ pageId: page, code, expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
        owner.el.care.refreshSettings();
        await waitFor(() => owner.row('invites', code) !== null, 'the invitation in the panel');
        owner.act('invites', code, '.revoke');
        await waitFor(() => owner.button('.confirm-yes', owner.row('invites', code)!) !== null, 'the confirmation');
        owner.act('invites', code, '.confirm-yes');
        await waitFor(() => owner.row('invites', code) === null, 'the invitation gone from the list');
      } else if (kind === 'expired') {
        await storeInvite({ pageId: page, code, expiresAt: new Date(Date.now() - 60_000).toISOString() });
      } else {
        await storeInvite({ pageId: page, code, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), maxUses: 1, uses: 1 });
      }
      arriveWithInvite(code);
      const errors: string[] = [];
      const listener = (e: Event) => errors.push((e as CustomEvent<{ code: string }>).detail.code);
      document.addEventListener('care-error', listener);
      try {
        const el = await fixture<CareJournalFeed>(html`<care-journal-feed page=${page} host=${await otherHost()} token-url="/care-token?user=xena"></care-journal-feed>`);
        const feed = new JournalHarness(el);
        await waitFor(() => feed.root.textContent!.includes('This invitation link no longer works'), 'the plain notice');
        expect(feed.root.querySelector('[part~=invite-notice]')!.getAttribute('role')).to.equal('alert');
        expect(el.care.state.status).to.equal('locked');
        expect(errors.length).to.equal(1);
        expect(['forbidden', 'conflict']).to.include(errors[0]);
        // A code that will never work leaves the address bar too.
        expect(inviteInAddressBar()).to.equal(false);
      } finally {
        document.removeEventListener('care-error', listener);
      }
    });
  }

  it("is not spent by the owner's own visit, and a code of another page is refused", async () => {
    const page = uniquePage('inv-own');
    const other = uniquePage('inv-other');
    await seedPage({ id: page, visibility: 'private', owners: ['olga'] });
    await seedPage({ id: other, visibility: 'private', owners: ['otto'] });
    const code = `own-${Math.random().toString(36).slice(2)}`;
    await storeInvite({ pageId: page, code, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), maxUses: 1 });
    arriveWithInvite(code);
    const owner = await new PageSettingsHarness(await mount('care-page-settings', { page, user: 'olga' })).ready();
    await new Promise((r) => setTimeout(r, 300));
    expect(inviteInAddressBar()).to.equal(true);
    expect(owner.row('invites', code)!.textContent).to.include('1 use left');

    const feed = new JournalHarness(await mount('care-journal-feed', { page: other, user: 'xena', host: await otherHost() }));
    await waitFor(() => feed.root.textContent!.includes('This invitation link no longer works'), 'the refusal on the other page');
  });
});
