import { FollowHarness, mount } from './harness.js';
import { expect, fixtureCleanup } from '@open-wc/testing';
import '../../src/components/follow-button/define.js';
import type { CareFollowButton } from '../../src/components/follow-button/define.js';
import { connectionFor } from '../../src/client/connection.js';
import type { CareErrorDetail, CareFollowChangeDetail } from '../../src/events.js';
import { seedPage, serverUrl, uniquePage, waitFor } from './helpers.js';

/*
 * Every widget in one document shares ONE connection per host. To be a second user in the
 * same document, a widget names the same server under another host string (localhost vs
 * 127.0.0.1), so it gets its own connection and its own token.
 */
async function hosts(): Promise<{ a: string; b: string }> {
  const a = await serverUrl();
  return { a, b: a.replace('127.0.0.1', 'localhost') };
}

const follow = (el: CareFollowButton) => new FollowHarness(el);
const shadow = (el: CareFollowButton) => follow(el).root;
const part = (el: CareFollowButton, name: string) => follow(el).part(name);
const mainButton = (el: CareFollowButton) => follow(el).button();
/** The button's visible label, without decorative (aria-hidden) glyphs. */
function buttonText(el: CareFollowButton): string | null {
  const button = mainButton(el);
  if (!button) return null;
  const copy = button.cloneNode(true) as HTMLElement;
  for (const hidden of copy.querySelectorAll('[aria-hidden="true"]')) hidden.remove();
  return copy.textContent!.replace(/\s+/g, ' ').trim();
}
const countText = (el: CareFollowButton) => follow(el).count();
const text = (el: CareFollowButton) => follow(el).text();
const announced = (el: CareFollowButton) => follow(el).announced();
const requestItems = (el: CareFollowButton) => follow(el).parts('request');
const requestButton = (el: CareFollowButton, userId: string, name: 'approve' | 'decline') =>
  requestItems(el).find((r) => r.dataset.user === userId)?.querySelector<HTMLButtonElement>(`button[part~="${name}"]`) ?? null;

function recordChanges(el: HTMLElement): CareFollowChangeDetail[] {
  const seen: CareFollowChangeDetail[] = [];
  el.addEventListener('care-follow-change', (e) => seen.push(e.detail));
  return seen;
}

/** A follow button, returned after its first render (tests wait for the state they need, and see every change). */
async function widget(page: string, host: string, user: string | null, extra: { signInUrl?: string; theme?: string; lang?: string } = {}): Promise<CareFollowButton> {
  const attrs: Record<string, string> = { theme: extra.theme ?? 'auto' };
  if (extra.signInUrl) attrs['sign-in-url'] = extra.signInUrl;
  if (extra.lang) attrs.lang = extra.lang;
  return mount('care-follow-button', { page, host, user, attrs, loading: true });
}

/** A private page with an owner widget (host b) and a requester widget (host a) who has asked to follow. */
async function pendingRequest(prefix: string) {
  const { a, b } = await hosts();
  const page = uniquePage(prefix);
  await seedPage({ id: page, title: 'Secret Title', visibility: 'private', owners: ['olive'], journal: [{ title: 'Secret entry', body: 'Not for visitors' }] });
  const requester = await widget(page, a, 'rita');
  const owner = await widget(page, b, 'olive');
  await waitFor(() => buttonText(requester) === 'Request access', 'the requester to see "Request access"');
  await waitFor(() => countText(owner) === '0 followers', 'the owner widget to load');
  const requesterChanges = recordChanges(requester);
  mainButton(requester)!.click();
  await waitFor(() => text(requester).includes('Request sent'), 'the request to be sent');
  await waitFor(() => requestButton(owner, 'rita', 'approve') !== null, 'the request to reach the owner live');
  return { page, requester, owner, requesterChanges };
}

describe('<care-follow-button>', () => {
  afterEach(() => fixtureCleanup());

  it('is defined once, with its tag typed', () => {
    expect(customElements.get('care-follow-button')).to.exist;
    const el = document.createElement('care-follow-button');
    expect(el.signInUrl).to.equal('');
  });

  it('lets a visitor follow and unfollow a public page; the count updates live in another client', async () => {
    const { a, b } = await hosts();
    const page = uniquePage('follow-public');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'], follows: ['f1', 'f2'] });
    const mine = await widget(page, a, 'vera');
    const other = await widget(page, b, 'walt');
    const mineChanges = recordChanges(mine);
    const otherChanges = recordChanges(other);

    await waitFor(() => buttonText(mine) === 'Follow' && countText(mine) === '2 followers', 'the visitor widget to load');
    await waitFor(() => buttonText(other) === 'Follow' && countText(other) === '2 followers', 'the second widget to load');
    expect(mainButton(mine)!.getAttribute('aria-pressed')).to.equal('false');
    expect(mainButton(mine)!.getAttribute('aria-describedby')).to.equal('count');
    expect(mineChanges).to.deep.equal([]);

    mainButton(mine)!.click();
    await waitFor(() => buttonText(mine) === 'Following' && countText(mine) === '3 followers', 'the follow to apply');
    expect(mainButton(mine)!.getAttribute('aria-pressed')).to.equal('true');
    await waitFor(() => mineChanges.length > 0, 'care-follow-change');
    expect(mineChanges).to.deep.equal([{ state: 'following', followerCount: 3 }]);
    await waitFor(() => countText(other) === '3 followers', 'the count to update live in the other client');
    await waitFor(() => otherChanges.length > 0, 'care-follow-change in the other client');
    expect(otherChanges).to.deep.equal([{ state: 'none', followerCount: 3 }]);
    expect(buttonText(other)).to.equal('Follow');

    mainButton(mine)!.click();
    await waitFor(() => buttonText(mine) === 'Follow' && countText(mine) === '2 followers', 'the unfollow to apply');
    expect(mainButton(mine)!.getAttribute('aria-pressed')).to.equal('false');
    await waitFor(() => mineChanges.length === 2, 'the second care-follow-change');
    expect(mineChanges[1]).to.deep.equal({ state: 'none', followerCount: 2 });
    await waitFor(() => countText(other) === '2 followers', 'the live count to go back');
  });

  it('keeps focus on the button and is keyboard operable across state changes', async () => {
    const { a } = await hosts();
    const page = uniquePage('follow-focus');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'] });
    const el = await widget(page, a, 'kim');
    await waitFor(() => buttonText(el) === 'Follow', 'the widget to load');
    const button = mainButton(el)!;
    button.focus();
    expect(shadow(el).activeElement).to.equal(button);
    // A native <button>: Enter and Space activate it; the click is what they dispatch.
    button.click();
    await waitFor(() => buttonText(el) === 'Following', 'following');
    expect(mainButton(el) === button, 'the same button').to.equal(true);
    // With the notify feature the choice of notifications opens, focus in it (SPEC 6.2;
    // follow-notify.test.ts); Escape puts focus back on the button.
    await waitFor(() => shadow(el).activeElement?.id === 'notify-panel', 'focus in the notifications panel');
    shadow(el).activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    await waitFor(() => shadow(el).activeElement === button, 'focus back on the button');
    expect(mainButton(el) === button).to.equal(true);
  });

  it('shows a private page\'s non-follower "Request access" and no content; the owner sees the request live; approval unlocks live', async () => {
    const { requester, owner, requesterChanges } = await pendingRequest('follow-approve');

    // The requester learns nothing about the page but the public count.
    expect(text(requester)).not.to.include('Secret');
    expect(buttonText(requester)).to.equal('Cancel request');
    expect(mainButton(requester)!.hasAttribute('aria-pressed')).to.equal(false);
    await waitFor(() => requesterChanges.length > 0, 'care-follow-change for the request');
    expect(requesterChanges[0]).to.deep.equal({ state: 'requested', followerCount: 0 });

    // The owner can't follow their own page, but sees the count and the pending request.
    expect(mainButton(owner)).to.equal(null);
    expect(countText(owner)).to.equal('0 followers');
    expect(requestItems(owner)).to.have.length(1);
    expect(requestItems(owner)[0]!.textContent).to.include('rita');
    expect(part(owner, 'requests')!.textContent).to.include('Follow requests');

    await waitFor(() => announced(owner).includes('Follow requests: rita'), 'the new request to be announced politely');

    const approve = requestButton(owner, 'rita', 'approve')!;
    approve.focus();
    approve.click();
    await waitFor(() => buttonText(requester) === 'Following', 'the requester to be following live, without reload');
    await waitFor(() => announced(requester).includes('Following'), 'the approval to be announced politely');
    expect(mainButton(requester)!.getAttribute('aria-pressed')).to.equal('true');
    await waitFor(() => countText(requester) === '1 follower', 'the requester count');
    await waitFor(() => countText(owner) === '1 follower' && requestItems(owner).length === 0, 'the owner panel to clear');
    // Focus does not fall to the document when the decided request leaves the list.
    await waitFor(() => shadow(owner).activeElement?.id === 'count', 'focus to move to the count');
    await waitFor(() => requesterChanges.some((c) => c.state === 'following'), 'care-follow-change for the approval');
    expect(requesterChanges.at(-1)).to.deep.equal({ state: 'following', followerCount: 1 });
  });

  it('shows a declined requester a polite declined state', async () => {
    const { requester, owner, requesterChanges } = await pendingRequest('follow-decline');
    requestButton(owner, 'rita', 'decline')!.click();
    await waitFor(() => text(requester).includes('was declined'), 'the declined notice');
    // The reference server has the settings feature (SPEC 6.1): the button stays, disabled
    // until the owner's cool-down ends (first-wave-backend behaviour: first-wave.test.ts).
    expect(mainButton(requester)?.getAttribute('aria-disabled')).to.equal('true');
    expect(text(requester)).to.include('You may ask again from');
    expect(text(requester)).not.to.include('Secret');
    await waitFor(() => requestItems(owner).length === 0, 'the owner panel to clear');
    expect(countText(owner)).to.equal('0 followers');
    await waitFor(() => requesterChanges.some((c) => c.state === 'declined'), 'care-follow-change for the decline');
    expect(requesterChanges.at(-1)).to.deep.equal({ state: 'declined', followerCount: 0 });
  });

  it('lets a requester withdraw; the owner panel drops it live', async () => {
    const { requester, owner } = await pendingRequest('follow-withdraw');
    mainButton(requester)!.click();
    await waitFor(() => buttonText(requester) === 'Request access', 'the request to be withdrawn');
    await waitFor(() => requestItems(owner).length === 0, 'the owner panel to drop the request');
  });

  it('invites a signed-out visitor to sign in, with a link to sign-in-url', async () => {
    const { a } = await hosts();
    const page = uniquePage('follow-anon');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'], follows: ['f1'] });
    const el = await widget(page, a, null, { signInUrl: '/login?next=%2Fjane' });
    await waitFor(() => countText(el) === '1 follower', 'the signed-out widget to load');
    const link = part(el, 'sign-in');
    expect(link?.localName).to.equal('a');
    expect(link!.textContent!.trim()).to.equal('Sign in to follow');
    expect(link!.getAttribute('href')).to.equal('/login?next=%2Fjane');
    expect(mainButton(el)).to.equal(null);
  });

  it('shows the sign-in invitation as plain text without sign-in-url, and never links a javascript: URL', async () => {
    const { a } = await hosts();
    const page = uniquePage('follow-anon-text');
    await seedPage({ id: page, visibility: 'private', owners: ['olive'] });
    const el = await widget(page, a, null);
    await waitFor(() => countText(el) === '0 followers', 'the signed-out widget to load');
    expect(shadow(el).querySelector('a')).to.equal(null);
    expect(part(el, 'sign-in')!.textContent!.trim()).to.equal('Sign in to follow');
    expect(mainButton(el)).to.equal(null);

    el.signInUrl = 'javascript:alert(1)';
    await el.updateComplete;
    expect(shadow(el).querySelector('a')).to.equal(null);
  });

  it('shows an editor the count but no follow button', async () => {
    const { a } = await hosts();
    const page = uniquePage('follow-editor');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'], editors: ['ed'], follows: ['f1', 'f2'] });
    const el = await widget(page, a, 'ed');
    await waitFor(() => countText(el) === '2 followers', 'the editor widget to load');
    expect(mainButton(el)).to.equal(null);
    expect(part(el, 'requests')).to.equal(null);
    expect(part(el, 'sign-in')).to.equal(null);
  });

  it('reports a failed action with care-error and a visible reason, then works again', async () => {
    const { a } = await hosts();
    const page = uniquePage('follow-offline');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'] });
    const el = await widget(page, a, 'otto');
    await waitFor(() => buttonText(el) === 'Follow', 'the widget to load');
    const errors: CareErrorDetail[] = [];
    el.addEventListener('care-error', (e) => errors.push(e.detail));
    const connection = connectionFor(a);
    connection.socket.disconnect();
    await waitFor(() => text(el).includes('You are offline'), 'the offline banner');
    mainButton(el)!.click();
    await waitFor(() => errors.length === 1, 'care-error');
    expect(errors[0]!.code).to.equal('unavailable');
    expect(follow(el).error()).to.not.equal(null);
    expect(part(el, 'error')!.getAttribute('role')).to.equal('alert');
    expect(buttonText(el)).to.equal('Follow');

    connection.socket.connect();
    await waitFor(() => !text(el).includes('You are offline'), 'back online');
    mainButton(el)!.click();
    await waitFor(() => buttonText(el) === 'Following', 'the follow to apply after reconnecting');
    expect(follow(el).error()).to.equal(null);
  });

  it('speaks Spanish with lang="es" and lays out right-to-left for an RTL language', async () => {
    const { a } = await hosts();
    const page = uniquePage('follow-i18n');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'], follows: ['f1', 'f2'] });
    const el = await widget(page, a, 'lola', { lang: 'es' });
    await waitFor(() => buttonText(el) === 'Seguir', 'Spanish strings');
    expect(countText(el)).to.include('seguidores');
    expect(follow(el).dir()).to.equal('ltr');
    el.lang = 'ar';
    await el.updateComplete;
    expect(follow(el).dir()).to.equal('rtl');
  });

  it('has no axe violations in its states, light and dark', async () => {
    const { a, b } = await hosts();
    const page = uniquePage('follow-axe');
    await seedPage({ id: page, visibility: 'private', owners: ['olive'] });
    for (const theme of ['light', 'dark']) {
      const anon = await widget(uniquePage('follow-axe-anon'), a, null, { theme });
      await waitFor(() => countText(anon) !== null || text(anon).includes('does not exist'), 'loaded');
      await expect(anon).to.be.accessible();
      anon.remove();
    }
    const requester = await widget(page, a, 'rita', { theme: 'dark' });
    const owner = await widget(page, b, 'olive', { theme: 'light' });
    await waitFor(() => buttonText(requester) === 'Request access', 'request access');
    await expect(requester).to.be.accessible();
    mainButton(requester)!.click();
    await waitFor(() => requestButton(owner, 'rita', 'approve') !== null, 'the request in the owner panel');
    await expect(requester).to.be.accessible();
    await expect(owner).to.be.accessible();
    owner.theme = 'dark';
    await owner.updateComplete;
    await expect(owner).to.be.accessible();
    requestButton(owner, 'rita', 'approve')!.click();
    await waitFor(() => buttonText(requester) === 'Following', 'following');
    await expect(requester).to.be.accessible();
  });
});
