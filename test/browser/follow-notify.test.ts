/*
 * The follow button's notification choices (SPEC 6.2, feature `notify`), against the real
 * server: the panel offered right after following, each choice saved at once and what the
 * server then holds, by mouse and by keyboard alone, axe-clean, and hidden where it does not
 * apply (a backend without `notify`, anonymous visitors, visitors who do not follow). The
 * test server runs in demo mode, whose local mailbox makes email available; its tokens carry
 * an `email` claim unless the token URL says `email=0`.
 */
import { expect, fixture, fixtureCleanup, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/index.js';
import type { CareFollowButton } from '../../src/index.js';
import { FollowHarness, mount } from './harness.js';
import { firstWaveUrl, otherHost, seedPage, serverUrl, storedNotifyPrefs, uniquePage, waitFor } from './helpers.js';

const follow = async (h: FollowHarness) => {
  await waitFor(() => h.button()?.getAttribute('aria-pressed') === 'false', 'the Follow button');
  h.button()!.click();
  await waitFor(() => h.button()?.getAttribute('aria-pressed') === 'true', 'following');
};
const panelReady = (h: FollowHarness) => waitFor(() => h.emailChoice() !== null || h.notifyPanel()?.querySelector('[part~=notify-note].notice') != null, 'the choices');
const active = (el: CareFollowButton) => el.shadowRoot!.activeElement as HTMLElement | null;

describe('<care-follow-button> notification choices', () => {
  afterEach(() => fixtureCleanup());

  it('opens right after following with focus in it; a choice is saved at once, and another connection (and the server) agree', async () => {
    const page = uniquePage('notify-flow');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'] });
    const h = new FollowHarness(await mount('care-follow-button', { page, user: 'nora' }));
    expect(h.notifyButton() === null, 'not offered before following').to.equal(true);
    await follow(h);
    await waitFor(() => h.notifyPanel() !== null, 'the panel to open');
    await panelReady(h);
    expect(active(h.el)?.id).to.equal('notify-panel');
    expect(h.notifyButton()!.getAttribute('aria-expanded')).to.equal('true');
    expect(h.emailChoice(), 'off until chosen').to.equal('off');
    expect(h.text()).to.include('Email me each update').and.include('Email me a daily digest').and.include('No emails');

    h.chooseEmail('daily');
    await waitFor(() => h.notifyStatus() === 'Saved.', 'saved');
    expect((await storedNotifyPrefs(page, 'nora'))?.email).to.equal('daily');
    // The same person on another connection (another host string) reads the same choice.
    const other = new FollowHarness(await mount('care-follow-button', { page, user: 'nora', host: await otherHost() }));
    await waitFor(() => other.notifyButton() !== null, 'the other widget’s Notifications button');
    other.notifyButton()!.click();
    await panelReady(other);
    expect(other.emailChoice()).to.equal('daily');

    h.chooseEmail('off');
    await waitFor(async () => (await storedNotifyPrefs(page, 'nora'))?.email === 'off', 'off stored');
    expect(h.emailChoice()).to.equal('off');

    // Unfollowing takes the choices (and the button) away.
    h.button()!.click();
    await waitFor(() => h.button()?.textContent?.trim() === 'Follow' && h.notifyButton() === null && h.notifyPanel() === null, 'the panel gone after unfollowing');
    expect(await storedNotifyPrefs(page, 'nora')).to.equal(null);
  });

  it('works by keyboard alone: Tab to the button, Space to follow, arrows in the choices, Escape back', async () => {
    const page = uniquePage('notify-kb');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'] });
    const wrap = await fixture<HTMLDivElement>(html`<div>
      <button id="before">before</button>
      <care-follow-button page=${page} host=${await serverUrl()} token-url="/care-token?user=kai"></care-follow-button>
    </div>`);
    const el = wrap.querySelector('care-follow-button')!;
    const h = new FollowHarness(el);
    await waitFor(() => h.button()?.textContent?.trim() === 'Follow', 'the Follow button');
    wrap.querySelector<HTMLButtonElement>('#before')!.focus();
    await sendKeys({ press: 'Tab' });
    expect(active(el)?.getAttribute('part')).to.equal('button');
    await sendKeys({ press: 'Space' });
    await waitFor(() => active(el)?.id === 'notify-panel', 'focus in the panel after following');
    await panelReady(h);
    // Into the radio group: one stop, the checked choice.
    await sendKeys({ press: 'Tab' });
    expect((active(el) as HTMLInputElement).value).to.equal('off');
    await sendKeys({ press: 'ArrowUp' });
    await waitFor(() => h.emailChoice() === 'daily', 'daily by arrow key');
    await sendKeys({ press: 'ArrowUp' });
    await waitFor(() => h.emailChoice() === 'instant', 'instant by arrow key');
    await waitFor(async () => (await storedNotifyPrefs(page, 'kai'))?.email === 'instant', 'the last choice stored');
    await sendKeys({ press: 'Escape' });
    await waitFor(() => h.notifyPanel() === null, 'closed by Escape');
    expect(active(el)?.getAttribute('part'), 'focus back on the follow button').to.equal('button');
    // Later, through the Notifications button: Enter opens, Escape returns to it.
    await sendKeys({ press: 'Tab' });
    expect(active(el)?.getAttribute('part')).to.equal('notify-button');
    await sendKeys({ press: 'Enter' });
    await waitFor(() => active(el)?.id === 'notify-panel', 'focus in the panel');
    await panelReady(h);
    expect(h.emailChoice()).to.equal('instant');
    await sendKeys({ press: 'Escape' });
    await waitFor(() => h.notifyPanel() === null && active(el)?.getAttribute('part') === 'notify-button', 'back on the Notifications button');
  });

  it('owners choose what they hear about their own page', async () => {
    const page = uniquePage('notify-owner');
    await seedPage({ id: page, visibility: 'private', owners: ['olive'] });
    const h = new FollowHarness(await mount('care-follow-button', { page, user: 'olive' }));
    await waitFor(() => h.notifyButton() !== null, 'the owner’s Notifications button');
    h.notifyButton()!.click();
    await panelReady(h);
    const requests = h.root.querySelector<HTMLInputElement>('input[name=notify-requests]')!;
    expect(h.text()).to.include('Email me each new follow request').and.include('A daily count of new messages');
    requests.click();
    await waitFor(async () => (await storedNotifyPrefs(page, 'olive'))?.owner.requests === 'instant', 'stored');
    expect(requests.checked).to.equal(true);
  });

  it('without an address in the token: a polite note instead of the email choices', async () => {
    const page = uniquePage('notify-noemail');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'], follows: ['pia'] });
    const h = new FollowHarness(await mount('care-follow-button', { page, tokenUrl: '/care-token?user=pia&email=0' }));
    await waitFor(() => h.notifyButton() !== null, 'the Notifications button');
    h.notifyButton()!.click();
    await panelReady(h);
    expect(h.emailChoice()).to.equal(null);
    expect(h.root.querySelectorAll('input[type=radio]').length).to.equal(0);
    expect(h.text()).to.include('Email updates are not available for your account here.');
  });

  it('is not offered on a backend without notify, to anonymous visitors, or to visitors who do not follow', async () => {
    const page = uniquePage('notify-hidden');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'], follows: ['fay'] });
    // One connection per host carries one person: each case on its own, the widget removed after.
    const offered = async (opts: Parameters<typeof mount>[1]) => {
      const h = new FollowHarness(await mount('care-follow-button', opts));
      await waitFor(() => h.el.care.state.status === 'ready', 'the page');
      await h.el.updateComplete;
      const shown = h.notifyButton() !== null;
      h.el.remove();
      return shown;
    };
    expect(await offered({ page, user: 'fay' }), 'a follower (the control)').to.equal(true);
    expect(await offered({ page }), 'anonymous').to.equal(false);
    expect(await offered({ page, user: 'vic', host: await otherHost() }), 'a visitor who does not follow').to.equal(false);
    // A follower on a first-wave backend (every SPEC 6 feature off).
    const first = new FollowHarness(await mount('care-follow-button', { page: 'jane-doe', user: 'friend', host: await firstWaveUrl() }));
    await waitFor(() => first.button()?.getAttribute('aria-pressed') === 'true', 'the demo follower following');
    expect(first.notifyButton() === null, 'no Notifications button on a first-wave backend').to.equal(true);
  });

  for (const { theme, lang } of [
    { theme: 'light', lang: 'en' },
    { theme: 'dark', lang: 'en' },
    { theme: 'light', lang: 'ar' },
    { theme: 'dark', lang: 'ar' },
  ] as const) {
    it(`has no axe violations with the panel open: a follower, an owner, without email (${theme}, ${lang})`, async () => {
      const page = uniquePage('notify-axe');
      await seedPage({ id: page, visibility: 'public', owners: ['olive'], follows: ['pia'] });
      const attrs = { theme, lang };
      const open = async (h: FollowHarness) => {
        await waitFor(() => h.notifyButton() !== null, 'the Notifications button');
        h.notifyButton()!.click();
        await panelReady(h);
        await expect(h.el).to.be.accessible();
        h.el.remove();
      };
      const fan = new FollowHarness(await mount('care-follow-button', { page, user: 'nora', attrs }));
      await follow(fan);
      await panelReady(fan);
      await expect(fan.el).to.be.accessible();
      fan.chooseEmail('daily');
      await waitFor(() => fan.notifyStatus() !== null, 'the outcome');
      await expect(fan.el).to.be.accessible();
      fan.el.remove();
      await open(new FollowHarness(await mount('care-follow-button', { page, user: 'olive', attrs })));
      await open(new FollowHarness(await mount('care-follow-button', { page, tokenUrl: '/care-token?user=pia&email=0', attrs })));
    });
  }
});
