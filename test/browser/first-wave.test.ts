/*
 * SPEC 6: a backend that speaks only the first protocol (the reference server with
 * `CARE_FEATURES=` switched off: no `page.features`, no `can.manage`, no `askAgainAt`) keeps
 * every widget working as before, and the new UI stays hidden: no settings panel, no
 * invitation accepted, no ask-again date.
 */
import { expect } from '@open-wc/testing';
import '../../src/index.js';
import { FollowHarness, JournalHarness, mount } from './harness.js';
import { arriveWithInvite, firstWaveUrl, inviteInAddressBar, waitFor } from './helpers.js';

describe('against a first-wave backend', () => {
  afterEach(() => {
    const url = new URL(location.href);
    url.searchParams.delete('care-invite');
    history.replaceState(history.state, '', url);
  });

  it('renders no settings panel, even for the owner', async () => {
    const host = await firstWaveUrl();
    // The demo seed's jane-doe: owner jane.
    const el = await mount('care-page-settings', { page: 'jane-doe', user: 'jane', host });
    expect(el.care.state.status).to.equal('ready');
    expect(el.care.has('settings')).to.equal(false);
    expect(el.care.state.viewer?.can.manage).to.equal(undefined);
    expect(el.shadowRoot!.querySelector('section, [part]')).to.equal(null);
    expect(el.care.settings.status).to.equal('idle');
    // The first-wave widgets work as ever next to it.
    const feed = new JournalHarness(await mount('care-journal-feed', { page: 'jane-doe', user: 'jane', host }));
    expect(feed.titles().length).to.be.greaterThan(0);
    expect(feed.composer()).to.not.equal(null);
  });

  it('leaves an invitation code alone: nothing is sent, nothing is said', async () => {
    const host = await firstWaveUrl();
    arriveWithInvite('some-code-from-another-backend');
    const feed = new JournalHarness(await mount('care-journal-feed', { page: 'alex-private', user: 'val', host }));
    expect(feed.el.care.state.status).to.equal('locked');
    await new Promise((r) => setTimeout(r, 300));
    expect(feed.root.querySelector('[part~=invite-notice]')).to.equal(null);
    expect(inviteInAddressBar()).to.equal(true);
    expect(feed.el.care.invite).to.equal(null);
  });

  it('shows a declined visitor the first-wave notice, without a date or a button', async () => {
    const host = await firstWaveUrl();
    const owner = new FollowHarness(await mount('care-follow-button', { page: 'alex-private', user: 'alex', host }));
    const other = host.replace('127.0.0.1', 'localhost');
    const visitor = new FollowHarness(await mount('care-follow-button', { page: 'alex-private', user: 'dee', host: other }));
    visitor.button()!.click();
    await waitFor(() => owner.root.querySelector('[data-user="dee"]') !== null, 'the request at the owner');
    owner.root.querySelector<HTMLButtonElement>('[data-user="dee"] [part=decline]')!.click();
    await waitFor(() => visitor.el.care.state.viewer?.follow === 'declined', 'the decline');
    await visitor.el.updateComplete;
    expect(visitor.el.care.state.viewer?.askAgainAt).to.equal(undefined);
    expect(visitor.notice()).to.equal('Your request to follow this page was declined.');
    expect(visitor.button()).to.equal(null);
  });
});
