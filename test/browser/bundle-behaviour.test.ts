import { expect } from '@open-wc/testing';
import type {} from '../../src/loader/global.js';
import { LIMITS } from '../../src/protocol/index.js';
import { postAs, seedLongPage, seedPage, serverUrl, uniquePage, waitFor } from './helpers.js';

/*
 * The other widget suites test the source modules. The script-tag bundle is minified with
 * the widgets' internal member names renamed (terser.config.mjs), so this suite drives the
 * built dist/care-widgets.js through the paths that use those members: composing, posting,
 * hearts, moderation, live announcements, refusals, "load older", following.
 */

function loadBundle(host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = '/dist/care-widgets.js';
    s.dataset.careHost = host;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error('could not load the bundle'));
    document.head.append(s);
  });
}

function place<T extends HTMLElement>(markup: string): T {
  const box = document.createElement('div');
  box.innerHTML = markup;
  document.body.append(box);
  return box.firstElementChild as T;
}

const $ = (el: Element, selector: string) => el.shadowRoot?.querySelector<HTMLElement>(selector) ?? null;
const $$ = (el: Element, selector: string) => [...(el.shadowRoot?.querySelectorAll<HTMLElement>(selector) ?? [])];
const text = (el: Element) => el.shadowRoot?.textContent?.replace(/\s+/g, ' ') ?? '';
const button = (scope: Element | null, label: string) => (scope ? ([...scope.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent?.trim() === label) ?? null) : null);
const events = <D>(el: Element, type: string): D[] => {
  const seen: D[] = [];
  el.addEventListener(type, (e) => seen.push((e as CustomEvent<D>).detail));
  return seen;
};

describe('dist/care-widgets.js (minified) behaves like the source', () => {
  let host = '';
  before(async () => {
    host = await serverUrl();
    await loadBundle(host);
    localStorage.removeItem('care-widgets:outbox:v1');
  });

  it('message wall: composer, care-posted, live announcement, hearts, hide, delete, refused post as care-error', async () => {
    const page = uniquePage('bundle-wall');
    await seedPage({ id: page, visibility: 'public', owners: ['olga'] });
    const wall = place(`<care-message-wall page="${page}" token-url="/care-token?user=olga"></care-message-wall>`);
    const posted = events<{ kind: string; item: { body: string } }>(wall, 'care-posted');
    const errors = events<{ code: string }>(wall, 'care-error');
    await waitFor(() => $(wall, 'textarea') !== null, 'the composer');
    expect($(wall, '#counter')!.textContent!.trim()).to.equal(`${LIMITS.wallBodyMax.toLocaleString('en')} characters left`);

    const ta = $(wall, 'textarea') as HTMLTextAreaElement;
    ta.value = 'From the bundle';
    ta.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    await waitFor(() => $(wall, '#counter')!.textContent!.trim() === `${(LIMITS.wallBodyMax - 15).toLocaleString('en')} characters left`, 'the counter');
    expect(ta.getAttribute('aria-invalid')).to.equal('false');
    (button(wall.shadowRoot!.querySelector('form'), 'Send') as HTMLButtonElement).click();
    await waitFor(() => posted.length === 1, 'care-posted');
    expect(posted[0]!.kind).to.equal('wall');
    expect(posted[0]!.item.body).to.equal('From the bundle');

    await postAs('cara', page, 'wall', 'Live from cara');
    await waitFor(() => text(wall).includes('Live from cara'), 'the live message');
    await waitFor(() => $(wall, 'section > [role="status"]')?.textContent === '1 new message', 'the live announcement');

    const article = (body: string) => $$(wall, 'article.message').find((a) => a.querySelector('.body')?.textContent?.trim() === body) ?? null;
    const heart = () => article('Live from cara')!.querySelector<HTMLButtonElement>('button.heart')!;
    expect(heart().getAttribute('aria-pressed')).to.equal('false');
    heart().click();
    await waitFor(() => heart().getAttribute('aria-pressed') === 'true' && article('Live from cara')!.querySelector('.heart-count')!.textContent!.trim() === '1 heart', 'the heart');

    button(article('Live from cara'), 'Hide')!.click();
    await waitFor(() => article('Live from cara')?.querySelector('.badge')?.textContent === 'Hidden from visitors', 'the hidden badge');

    button(article('From the bundle'), 'Delete')!.click();
    await waitFor(() => button(article('From the bundle'), 'Delete')?.classList.contains('confirm-delete') === true, 'the confirm step');
    button(article('From the bundle'), 'Delete')!.click();
    await waitFor(() => article('From the bundle') === null, 'the deleted message to go');

    // A post the server refuses: reported once as care-error, kept with its reason.
    window.CareWidgets!.connectionFor(host).post(page, 'wall', { body: 'z'.repeat(LIMITS.wallBodyMax + 1) });
    await waitFor(() => errors.length === 1, 'care-error');
    expect(errors[0]!.code).to.equal('too_large');
    await waitFor(() => $(wall, 'article.outbox.failed .badge')?.textContent?.startsWith('Not sent:') === true, 'the refused post');
    button($(wall, 'article.outbox.failed'), 'Discard')!.click();
    await waitFor(() => $(wall, 'article.outbox') === null, 'the discarded post');
    wall.parentElement!.remove();
  });

  it('journal feed: owner posts, edits and deletes; "load older" fetches more; locked notice for a private page', async () => {
    const page = uniquePage('bundle-journal');
    await seedLongPage(page, 25, ['olga']);
    const feed = place(`<care-journal-feed page="${page}" token-url="/care-token?user=olga"></care-journal-feed>`);
    const posted = events<{ kind: string }>(feed, 'care-posted');
    await waitFor(() => $$(feed, 'article[data-id]').length === 20, 'the first 20 entries');
    button(feed.shadowRoot!.querySelector('.more'), 'Load older')!.click();
    await waitFor(() => $$(feed, 'article[data-id]').length === 25 && $(feed, '.more') === null, 'the older entries');

    const form = $(feed, 'form[part=composer]') as HTMLFormElement;
    (form.querySelector('#new-title') as HTMLInputElement).value = 'Bundle update';
    (form.querySelector('#new-body') as HTMLTextAreaElement).value = 'Doing **well**';
    form.requestSubmit();
    await waitFor(() => posted.length === 1 && posted[0]!.kind === 'journal', 'care-posted');
    const entry = () => $$(feed, 'article[data-id]').find((a) => a.querySelector('h3')?.textContent === 'Bundle update' || a.querySelector('h3')?.textContent === 'Edited update') ?? null;
    await waitFor(() => entry()?.querySelector('strong')?.textContent === 'well', 'the new entry');

    button(entry(), 'Edit')!.click();
    await waitFor(() => $(feed, '#edit-title') !== null, 'the editor');
    ($(feed, '#edit-title') as HTMLInputElement).value = 'Edited update';
    ($(feed, '#edit-title') as HTMLInputElement).form!.requestSubmit();
    await waitFor(() => entry()?.querySelector('h3')?.textContent === 'Edited update' && text(feed).includes('edited'), 'the edit');

    button(entry(), 'Delete')!.click();
    await waitFor(() => text(feed).includes('Delete this for everyone?'), 'the confirm step');
    button(entry()!.querySelector('[role=group]'), 'Delete')!.click();
    await waitFor(() => entry() === null, 'the deleted entry to go');
    feed.parentElement!.remove();

    const secret = uniquePage('bundle-private');
    await seedPage({ id: secret, visibility: 'private', owners: ['olga'] });
    const locked = place(`<care-journal-feed page="${secret}"></care-journal-feed>`);
    await waitFor(() => text(locked).includes('This page is private'), 'the locked notice');
    locked.parentElement!.remove();
  });

  it('follow button: follow, care-follow-change, the owner sees the request panel on a private page', async () => {
    const page = uniquePage('bundle-follow');
    await seedPage({ id: page, visibility: 'public', owners: ['olga'], follows: ['f1'] });
    // Another host string for the same server: a second connection, so a second user.
    const other = host.replace('127.0.0.1', 'localhost');
    const follow = place(`<care-follow-button page="${page}" host="${other}" token-url="/care-token?user=vic"></care-follow-button>`);
    const changes = events<{ state: string; followerCount: number }>(follow, 'care-follow-change');
    await waitFor(() => $(follow, 'button[part=button]')?.textContent?.trim() === 'Follow', 'the follow button');
    $(follow, 'button[part=button]')!.click();
    await waitFor(() => changes.length === 1, 'care-follow-change');
    expect(changes[0]).to.deep.equal({ state: 'following', followerCount: 2 });
    expect($(follow, 'button[part=button]')!.getAttribute('aria-pressed')).to.equal('true');
    follow.parentElement!.remove();

    const secret = uniquePage('bundle-follow-private');
    await seedPage({ id: secret, visibility: 'private', owners: ['olga'] });
    const owner = place(`<care-follow-button page="${secret}" token-url="/care-token?user=olga"></care-follow-button>`);
    const asker = place(`<care-follow-button page="${secret}" host="${other}" token-url="/care-token?user=vic"></care-follow-button>`);
    await waitFor(() => $(asker, 'button[part=button]')?.textContent?.trim() === 'Request access', 'Request access');
    $(asker, 'button[part=button]')!.click();
    await waitFor(() => text(asker).includes('Request sent'), 'the request to be sent');
    await waitFor(() => $(owner, '[part=request][data-user="vic"]') !== null, 'the request in the owner panel');
    expect($(owner, '.requests-title')!.textContent).to.equal('Follow requests (1)');
    $(owner, '[part=request][data-user="vic"] button[part=approve]')!.click();
    // "Following" comes with a decorative check mark (aria-hidden).
    await waitFor(() => $(asker, 'button[part=button] span:not([aria-hidden])')?.textContent === 'Following', 'the approval to arrive live');
    expect($(asker, 'button[part=button]')!.getAttribute('aria-pressed')).to.equal('true');
    owner.parentElement!.remove();
    asker.parentElement!.remove();
  });
});
