/*
 * <care-page-settings> against the real server: the owner changes who can see the page while a
 * visitor's widgets are open, decides requests, removes, blocks and unblocks followers, removes
 * co-authors; editors see a summary, everyone else a notice.
 */
import { expect } from '@open-wc/testing';
import '../../src/index.js';
import { FollowHarness, JournalHarness, PageSettingsHarness, mount } from './harness.js';
import { followAs, otherHost, postAs, seedPage, uniquePage, waitFor } from './helpers.js';

describe('<care-page-settings>', () => {
  it('shows the owner the whole panel, an editor a summary and anyone else a polite notice', async () => {
    const page = uniquePage('ps-roles');
    await seedPage({ id: page, owners: ['olga'], editors: ['eda'], follows: ['fred'] });
    const owner = await new PageSettingsHarness(await mount('care-page-settings', { page, user: 'olga' })).ready();
    expect(owner.visibility()).to.equal('public');
    expect(owner.names('followers')).to.deep.equal(['fred']);
    expect(owner.names('editors')).to.deep.equal(['eda']);
    expect(owner.root.querySelector('form[part=invite-form]')).to.not.equal(null);

    const editor = await new PageSettingsHarness(await mount('care-page-settings', { page, user: 'eda', host: await otherHost() })).ready();
    expect(editor.root.querySelector('[part~=summary]')).to.not.equal(null);
    expect(editor.root.querySelector('input, form')).to.equal(null);
    expect(editor.text()).to.include('Anyone');
    editor.el.remove();

    const visitor = new PageSettingsHarness(await mount('care-page-settings', { page, user: 'vic', host: await otherHost() }));
    await waitFor(() => visitor.notice().includes('Only the page'), 'the polite notice');
    expect(visitor.el.care.settings.status).to.equal('idle');
  });

  it('narrows public → private while a visitor reads: their content goes live, and nothing more arrives', async () => {
    const page = uniquePage('ps-narrow');
    await seedPage({ id: page, owners: ['olga'], journal: [{ title: 'Before surgery', body: 'All is well.' }] });
    const feed = new JournalHarness(await mount('care-journal-feed', { page, user: 'vera', host: await otherHost() }));
    await waitFor(() => feed.titles().includes('Before surgery'), 'the visitor reads');
    const owner = await new PageSettingsHarness(await mount('care-page-settings', { page, user: 'olga' })).ready();

    await owner.choose('private');
    // Narrowing asks nothing: Save applies it.
    expect(owner.button('.confirm-yes')).to.equal(null);
    owner.click('.save');
    await waitFor(() => feed.el.care.state.status === 'locked' && feed.titles().length === 0, 'the visitor to lose the page');
    expect(feed.notice()).to.include('private');
    await waitFor(() => owner.visibility() === 'private' && owner.button('.save') === null, 'the panel to show it saved');

    await postAs('olga', page, 'journal', 'Nobody else may read this.', 'After surgery');
    await new Promise((r) => setTimeout(r, 400));
    expect(feed.titles()).to.deep.equal([]);
    expect(JSON.stringify(feed.el.care.state)).to.not.include('After surgery');
  });

  it('asks before widening access, and Cancel keeps the page as it was', async () => {
    const page = uniquePage('ps-widen');
    await seedPage({ id: page, visibility: 'private', owners: ['olga'], journal: [{ title: 'Quiet news', body: '...' }] });
    const feed = new JournalHarness(await mount('care-journal-feed', { page, user: 'vera', host: await otherHost() }));
    expect(feed.el.care.state.status).to.equal('locked');
    const owner = await new PageSettingsHarness(await mount('care-page-settings', { page, user: 'olga' })).ready();

    await owner.choose('public');
    owner.click('.save');
    await waitFor(() => owner.button('.confirm-yes') !== null, 'the confirmation');
    expect(owner.root.querySelector('[part~=confirm]')!.textContent).to.include('More people will be able to read');
    owner.click('.confirm-no');
    await waitFor(() => owner.button('.confirm-yes') === null, 'the confirmation to close');
    expect(owner.el.care.state.page?.visibility).to.equal('private');

    owner.click('.save');
    await waitFor(() => owner.button('.confirm-yes') !== null, 'the confirmation again');
    owner.click('.confirm-yes');
    await waitFor(() => feed.titles().includes('Quiet news'), 'the visitor to read the page now');
    expect(owner.visibility()).to.equal('public');
  });

  it('switches wall pre-moderation', async () => {
    const page = uniquePage('ps-moderation');
    await seedPage({ id: page, owners: ['olga'] });
    const owner = await new PageSettingsHarness(await mount('care-page-settings', { page, user: 'olga' })).ready();
    const box = owner.root.querySelector<HTMLInputElement>('#moderation')!;
    expect(box.checked).to.equal(false);
    box.click();
    await waitFor(() => (owner.el.care.state.page as { wallModeration?: string } | null)?.wallModeration === 'pre', 'pre-moderation');
    expect(owner.root.querySelector<HTMLInputElement>('#moderation')!.checked).to.equal(true);
  });

  it('approves and declines requests (with how often someone asked), removes, blocks and unblocks', async () => {
    const page = uniquePage('ps-people');
    await seedPage({ id: page, visibility: 'private', owners: ['olga'], follows: ['fred', 'gina'] });
    const owner = await new PageSettingsHarness(await mount('care-page-settings', { page, user: 'olga' })).ready();
    const rita = new FollowHarness(await mount('care-follow-button', { page, user: 'rita', host: await otherHost() }));

    // A request arrives live, with how often its author asked.
    rita.button()!.click();
    await waitFor(() => owner.names('requests').includes('rita'), 'the request');
    expect(owner.row('requests', 'rita')!.textContent).to.include('asked once');
    owner.act('requests', 'rita', '.primary');
    await waitFor(() => rita.button()?.getAttribute('aria-pressed') === 'true', 'rita to follow');
    await waitFor(() => owner.names('followers').includes('rita') && owner.names('requests').length === 0, 'rita among the followers');

    await followAs('dan', page);
    await waitFor(() => owner.names('requests').includes('dan'), "dan's request");
    owner.act('requests', 'dan', ':not(.primary)');
    await waitFor(() => !owner.names('requests').includes('dan'), 'the decline');
    expect(owner.names('followers')).to.not.include('dan');

    owner.act('followers', 'fred', '.remove');
    await waitFor(() => !owner.names('followers').includes('fred'), 'fred removed');

    // Blocking asks first; rita stops seeing the page at once.
    owner.act('followers', 'rita', '.block');
    await waitFor(() => owner.button('.confirm-yes', owner.row('followers', 'rita')!) !== null, 'the block confirmation');
    owner.act('followers', 'rita', '.confirm-yes');
    await waitFor(() => owner.names('blocked').includes('rita') && !owner.names('followers').includes('rita'), 'rita blocked');
    await waitFor(() => rita.el.care.state.viewer?.follow === 'blocked', 'rita told');

    owner.act('blocked', 'rita', '.unblock');
    await waitFor(() => owner.names('blocked').length === 0, 'rita unblocked');
    await waitFor(() => rita.el.care.state.viewer?.follow === 'none' && rita.button() !== null, 'rita may ask again');
    expect(owner.names('followers')).to.deep.equal(['gina']);
  });

  it('removes a co-author after asking', async () => {
    const page = uniquePage('ps-editors');
    await seedPage({ id: page, visibility: 'private', owners: ['olga'], editors: ['eda', 'ed2'] });
    const owner = await new PageSettingsHarness(await mount('care-page-settings', { page, user: 'olga' })).ready();
    const feed = new JournalHarness(await mount('care-journal-feed', { page, user: 'eda', host: await otherHost() }));
    expect(feed.composer()).to.not.equal(null);
    owner.act('editors', 'eda', '.remove');
    await waitFor(() => owner.row('editors', 'eda')?.querySelector('[part~=confirm]') != null, 'the confirmation');
    expect(owner.row('editors', 'eda')!.textContent).to.include('as a co-author');
    owner.act('editors', 'eda', '.confirm-yes');
    await waitFor(() => owner.names('editors').join() === 'ed2', 'eda removed');
    // A former editor who did not follow a private page loses it, live.
    await waitFor(() => feed.el.care.state.status === 'locked', 'eda to lose the page');
  });

  it("keeps two owners' panels in step live (settings:changed), not only the one that acted", async () => {
    const page = uniquePage('ps-two');
    await seedPage({ id: page, visibility: 'private', owners: ['olga', 'oscar'], follows: ['fred'] });
    const olga = await new PageSettingsHarness(await mount('care-page-settings', { page, user: 'olga' })).ready();
    const oscar = await new PageSettingsHarness(await mount('care-page-settings', { page, user: 'oscar', host: await otherHost() })).ready();
    expect(oscar.names('followers')).to.deep.equal(['fred']);
    olga.act('followers', 'fred', '.remove');
    await waitFor(() => oscar.names('followers').length === 0, "fred gone from oscar's panel");
    olga.createInvite({ role: 'editor', uses: 3 });
    await waitFor(() => oscar.inviteLinks().length === 1, "the new link in oscar's panel");
    expect(oscar.inviteLinks()).to.deep.equal(olga.inviteLinks());
    await olga.choose('members');
    olga.click('.save');
    // Private → members lets more people read: confirmed first.
    await waitFor(() => olga.button('.confirm-yes') !== null, 'the confirmation');
    expect(oscar.visibility()).to.equal('private');
    olga.click('.confirm-yes');
    await waitFor(() => oscar.visibility() === 'members', "oscar's panel shows members");
  });

  it('says when a declined visitor may ask again, and keeps the button disabled until then', async () => {
    const page = uniquePage('ps-again');
    await seedPage({ id: page, visibility: 'private', owners: ['olga'] });
    const owner = await new PageSettingsHarness(await mount('care-page-settings', { page, user: 'olga' })).ready();
    const rita = new FollowHarness(await mount('care-follow-button', { page, user: 'rita', host: await otherHost(), attrs: { lang: 'en-GB' } }));
    rita.button()!.click();
    await waitFor(() => owner.names('requests').includes('rita'), 'the request');
    owner.act('requests', 'rita', ':not(.primary)');
    await waitFor(() => rita.el.care.state.viewer?.follow === 'declined', 'the decline reaches rita');
    await rita.el.updateComplete;
    const at = rita.el.care.state.viewer!.askAgainAt!;
    expect(Date.parse(at)).to.be.greaterThan(Date.now() + 6 * 86_400_000);
    const year = String(new Date(at).getFullYear());
    expect(rita.notice()).to.include('You may ask again from').and.include(year);
    expect(rita.button()!.getAttribute('aria-disabled')).to.equal('true');
    // Pressing it does nothing: no call, no request.
    rita.button()!.click();
    await new Promise((r) => setTimeout(r, 300));
    expect(rita.el.care.state.viewer?.follow).to.equal('declined');
    expect(owner.names('requests')).to.deep.equal([]);
  });
});
