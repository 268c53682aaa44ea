import { WallHarness, buttonIn, mount as mountWidget } from './harness.js';
import { expect, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { connectionFor } from '../../src/client/connection.js';
import '../../src/components/message-wall/define.js';
import type { CareMessageWall } from '../../src/components/message-wall/define.js';
import { stringsFor } from '../../src/i18n/index.js';
import es from '../../src/i18n/locales/es.js';
import { LIMITS } from '../../src/protocol/index.js';
import { postAs, seedPage, serverUrl, uniquePage, waitFor } from './helpers.js';

const esStrings = stringsFor('es', es);

/*
 * Every widget in one document shares one connection per host, and a connection has one
 * signed-in user. To show two users side by side, the second wall talks to the same server
 * under another host name (`localhost` instead of `127.0.0.1`): another connection key.
 */

interface Mount {
  page: string;
  host: string;
  user?: string;
  lang?: string;
  theme?: 'light' | 'dark' | 'auto';
}

async function mount({ page, host, user, lang = 'en', theme = 'light' }: Mount): Promise<CareMessageWall> {
  const el = await mountWidget('care-message-wall', { page, host, user, attrs: { lang, theme } });
  await waitFor(() => ['ready', 'locked'].includes(status(el)), `wall for ${user ?? 'anonymous'} to load`);
  return el;
}

/** The widget's page status, as its store has it. */
const status = (el: CareMessageWall): string => el.care.state.status;

const wall = (el: CareMessageWall) => new WallHarness(el);
const root = (el: CareMessageWall): ShadowRoot => wall(el).root;
const $ = <T extends Element = HTMLElement>(el: CareMessageWall, sel: string): T | null => root(el).querySelector<T>(sel);
const $$ = <T extends Element = HTMLElement>(el: CareMessageWall, sel: string): T[] => [...root(el).querySelectorAll<T>(sel)];
const textarea = (el: CareMessageWall) => wall(el).textarea();
const sendButton = (el: CareMessageWall) => wall(el).part<HTMLButtonElement>('send-button');
const counter = (el: CareMessageWall) => wall(el).part('counter')?.textContent?.trim() ?? '';
/** Delivered messages (not the outbox), newest first. */
const messages = (el: CareMessageWall) => $$(el, 'article.message:not(.outbox)');
const outbox = (el: CareMessageWall) => wall(el).unsent().map((u) => u.article);
const bodies = (el: CareMessageWall) => wall(el).bodies();
const article = (el: CareMessageWall, body: string) => messages(el).find((a) => a.querySelector('.body')?.textContent?.trim() === body) ?? null;
const button = (scope: Element | null, text: string) => (scope ? buttonIn(scope, text) : null);
/** What has focus inside the widget, as `tag.class` (no DOM nodes in assertions: failures stay readable). */
const focused = (el: CareMessageWall): string => {
  const a = root(el).activeElement;
  return a ? `${a.localName}${[...a.classList].map((c) => `.${c}`).join('')}` : 'nothing';
};
const announced = (el: CareMessageWall) => wall(el).announced();

/** Presence checks that never hand a DOM node to chai (failures stay small and readable). */
const absent = (node: Element | null | undefined, what: string) => expect(node ? node.outerHTML.slice(0, 200) : null, `${what} should be absent`).to.equal(null);
const present = (node: Element | null | undefined, what: string) => expect(node != null, `${what} should be present`).to.equal(true);

/** Types, as a person would (no send). */
function type(el: CareMessageWall, text: string): void {
  wall(el).type(text);
}

async function hosts(): Promise<[string, string]> {
  const url = await serverUrl();
  return [url, url.replace('127.0.0.1', 'localhost')];
}

describe('<care-message-wall>', () => {
  beforeEach(() => localStorage.removeItem('care-widgets:outbox:v1'));

  it('shows a message sent in one wall live in another user\'s wall, once, and fires care-posted', async () => {
    const [h1, h2] = await hosts();
    const page = uniquePage('wall-live');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'] });
    const ann = await mount({ page, host: h1, user: 'ann' });
    const ben = await mount({ page, host: h2, user: 'ben' });
    expect($(ann, '.notice.empty')?.textContent).to.contain('No messages yet');
    present(textarea(ann), "ann's composer");
    present(textarea(ben), "ben's composer");

    const posted = oneEvent(ann, 'care-posted');
    await new WallHarness(ann).post('Thinking of you **always**');
    const ev = await posted;
    expect(ev.detail.kind).to.equal('wall');
    expect(ev.detail.item.body).to.equal('Thinking of you **always**');

    await waitFor(() => bodies(ben).includes('Thinking of you always'), 'the message in the other wall');
    const theirs = article(ben, 'Thinking of you always')!;
    expect(theirs.querySelector('.body strong')?.textContent).to.equal('always');
    expect(theirs.querySelector('.author')?.textContent).to.equal('ann');
    expect(theirs.querySelector('time')?.getAttribute('datetime')).to.equal(ev.detail.item.createdAt);

    await waitFor(() => outbox(ann).length === 0 && messages(ann).length === 1, 'the sender to show it once');
    expect(bodies(ann)).to.deep.equal(['Thinking of you always']);
    expect(textarea(ann)!.value).to.equal('');
    // Authors may delete their own message; only moderators hide.
    present(button(article(ann, 'Thinking of you always'), 'Delete'), 'Delete on own message');
    absent(button(article(ann, 'Thinking of you always'), 'Hide'), 'Hide for a non-moderator');
    absent(button(article(ben, 'Thinking of you always'), 'Delete'), "Delete on someone else's message");

    // A second message goes on top: newest first, in both walls.
    await postAs('cara', page, 'wall', 'Second one');
    await waitFor(() => bodies(ben).length === 2 && bodies(ann).length === 2, 'the second message');
    expect(bodies(ben)).to.deep.equal(['Second one', 'Thinking of you always']);
    expect(bodies(ann)).to.deep.equal(['Second one', 'Thinking of you always']);
  });

  it('sends with Ctrl+Enter from the keyboard, and keeps focus in the composer', async () => {
    const [h1] = await hosts();
    const page = uniquePage('wall-keys');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'] });
    const el = await mount({ page, host: h1, user: 'kim' });
    textarea(el)!.focus();
    await sendKeys({ type: 'Hi from the keyboard' });
    await el.updateComplete;
    expect(sendButton(el)!.disabled).to.equal(false);
    await sendKeys({ down: 'Control' });
    await sendKeys({ press: 'Enter' });
    await sendKeys({ up: 'Control' });
    await waitFor(() => bodies(el).includes('Hi from the keyboard'), 'the keyboard message');
    expect(textarea(el)!.value).to.equal('');
    expect(focused(el)).to.equal('textarea');
  });

  it('shows a message written offline as "Sending…" and delivers it once on reconnect', async () => {
    const [h1, h2] = await hosts();
    const page = uniquePage('wall-offline');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'] });
    const ann = await mount({ page, host: h1, user: 'ann' });
    const ben = await mount({ page, host: h2, user: 'ben' });
    const socket = connectionFor(h1).socket;
    socket.disconnect();
    await waitFor(() => $(ann, '[part~="offline"]') !== null, 'the offline banner');

    type(ann, 'Written in a tunnel');
    await ann.updateComplete;
    sendButton(ann)!.click();
    await waitFor(() => outbox(ann).length === 1, 'the unsent message');
    expect(outbox(ann)[0]!.querySelector('.badge')?.textContent?.trim()).to.equal('Sending\u2026');
    expect(outbox(ann)[0]!.querySelector('.body')?.textContent?.trim()).to.equal('Written in a tunnel');
    expect(bodies(ben)).to.deep.equal([]);

    socket.connect();
    await waitFor(() => outbox(ann).length === 0 && bodies(ann).length === 1, 'delivery after reconnect');
    await waitFor(() => bodies(ben).length === 1, 'the message at the other user');
    expect(bodies(ann)).to.deep.equal(['Written in a tunnel']);
    expect(bodies(ben)).to.deep.equal(['Written in a tunnel']);
  });

  it('updates hearts live: the count for everyone, aria-pressed for the one who hearted', async () => {
    const [h1, h2] = await hosts();
    const page = uniquePage('wall-hearts');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'], wall: ['Get well soon'] });
    const ann = await mount({ page, host: h1, user: 'ann' });
    const ben = await mount({ page, host: h2, user: 'ben' });
    const heartOf = (el: CareMessageWall) => article(el, 'Get well soon')!.querySelector<HTMLButtonElement>('button.heart')!;
    const countOf = (el: CareMessageWall) => article(el, 'Get well soon')!.querySelector('.heart-count')!.textContent!.trim();

    expect(heartOf(ann).getAttribute('aria-pressed')).to.equal('false');
    expect(heartOf(ann).getAttribute('aria-label')).to.equal('Send a heart to \u2068Seeder\u2069\u2019s message');
    expect(countOf(ann)).to.equal('0 hearts');

    heartOf(ann).click();
    await waitFor(() => countOf(ann) === '1 heart' && heartOf(ann).getAttribute('aria-pressed') === 'true', 'own heart');
    await waitFor(() => countOf(ben) === '1 heart', 'the heart to reach the other wall');
    expect(heartOf(ben).getAttribute('aria-pressed')).to.equal('false');

    heartOf(ben).click();
    await waitFor(() => countOf(ann) === '2 hearts' && countOf(ben) === '2 hearts', 'two hearts in both walls');
    expect(heartOf(ben).getAttribute('aria-pressed')).to.equal('true');
    expect(heartOf(ann).getAttribute('aria-pressed')).to.equal('true');

    heartOf(ann).click();
    await waitFor(() => countOf(ann) === '1 heart' && countOf(ben) === '1 heart', 'the heart taken back everywhere');
    expect(heartOf(ann).getAttribute('aria-pressed')).to.equal('false');
    expect(heartOf(ben).getAttribute('aria-pressed')).to.equal('true');
  });

  it('keeps a heart clicked offline (the last click wins), sends it on reconnect, and shows no error', async () => {
    const [h1, h2] = await hosts();
    const page = uniquePage('wall-heart-offline');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'], wall: ['Get well soon'] });
    const ann = await mount({ page, host: h1, user: 'ann' });
    const ben = await mount({ page, host: h2, user: 'ben' });
    const heartOf = (el: CareMessageWall) => article(el, 'Get well soon')!.querySelector<HTMLButtonElement>('button.heart')!;
    const countOf = (el: CareMessageWall) => article(el, 'Get well soon')!.querySelector('.heart-count')!.textContent!.trim();
    const errorOf = (el: CareMessageWall) => article(el, 'Get well soon')!.querySelector('[role="alert"]')?.textContent ?? '';
    const conn = connectionFor(h1);
    conn.socket.disconnect();
    await waitFor(() => conn.state === 'offline', 'offline');

    // Three clicks offline: on, off, on. The last one is what the server gets.
    for (const pressed of ['true', 'false', 'true']) {
      await waitFor(() => heartOf(ann).getAttribute('aria-disabled') !== 'true', 'the heart button to be free');
      heartOf(ann).click();
      await waitFor(() => heartOf(ann).getAttribute('aria-pressed') === pressed, `aria-pressed ${pressed}`);
    }
    expect(countOf(ann)).to.equal('1 heart');
    expect(errorOf(ann)).to.equal('');
    expect(countOf(ben)).to.equal('0 hearts');

    conn.socket.connect();
    await waitFor(() => countOf(ben) === '1 heart', 'the heart to reach the server and the other wall');
    await waitFor(() => countOf(ann) === '1 heart' && heartOf(ann).getAttribute('aria-pressed') === 'true', 'own heart after reconnecting');
    expect(errorOf(ann)).to.equal('');
    expect(heartOf(ben).getAttribute('aria-pressed')).to.equal('false');
  });

  it('shows the author their own message a moderator hid, marked "Hidden by a moderator", without a heart button', async () => {
    const [h1, h2] = await hosts();
    const page = uniquePage('wall-hidden-own');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'] });
    await postAs('ann', page, 'wall', 'My own words');
    const owner = await mount({ page, host: h1, user: 'olive' });
    const ann = await mount({ page, host: h2, user: 'ann' });
    await waitFor(() => article(owner, 'My own words') !== null && article(ann, 'My own words') !== null, 'the message in both walls');
    button(article(owner, 'My own words'), 'Hide')!.click();
    await waitFor(() => article(ann, 'My own words')?.querySelector('.badge') != null, 'the label at the author');
    expect(article(ann, 'My own words')!.querySelector('.badge')!.textContent!.trim()).to.equal('Hidden by a moderator');
    expect(article(owner, 'My own words')!.querySelector('.badge')?.textContent?.trim()).to.equal('Hidden from visitors');
    absent(article(ann, 'My own words')!.querySelector('button.heart'), 'a heart button on a hidden message');
    present(button(article(ann, 'My own words'), 'Delete'), 'Delete for the author');
    // After a reload too (snapshot, not only the live event).
    ann.remove();
    const again = await mount({ page, host: h2, user: 'ann' });
    expect(article(again, 'My own words')?.querySelector('.badge')?.textContent?.trim()).to.equal('Hidden by a moderator');
  });

  it('shows the composer only to those allowed: none (sign-in hint, no heart button) for anonymous, one for a signed-in visitor', async () => {
    const [h1, h2] = await hosts();
    const page = uniquePage('wall-anon');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'], wall: ['Hello'] });
    const anon = await mount({ page, host: h1 });
    const visitor = await mount({ page, host: h2, user: 'val' });

    absent(textarea(anon), 'a composer for anonymous');
    expect($(anon, '.write-hint')?.textContent?.trim()).to.equal('Sign in to leave a message.');
    expect(bodies(anon)).to.deep.equal(['Hello']);
    absent(article(anon, 'Hello')!.querySelector('button'), 'any button for anonymous');
    expect(article(anon, 'Hello')!.querySelector('.heart-count')?.textContent?.trim()).to.equal('0 hearts');

    present(textarea(visitor), "the visitor's composer");
    absent($(visitor, '.write-hint'), 'a write hint for the visitor');
    expect(root(visitor).querySelector(`label[for="${textarea(visitor)!.id}"]`)?.textContent?.trim()).to.equal('Your message');
    present(article(visitor, 'Hello')!.querySelector('button.heart'), "the visitor's heart button");
    // Neither moderates.
    absent(button(article(visitor, 'Hello'), 'Hide'), 'Hide for a visitor');
    absent(button(article(visitor, 'Hello'), 'Delete'), "Delete on someone else's message");
  });

  it('on a private page: a follower reads and writes; a non-follower gets the locked notice and no content', async () => {
    const [h1, h2] = await hosts();
    const page = uniquePage('wall-private');
    await seedPage({ id: page, visibility: 'private', owners: ['olive'], follows: ['fay'], wall: ['Private words'] });
    const fay = await mount({ page, host: h1, user: 'fay' });
    const nick = await mount({ page, host: h2, user: 'nick' });

    present(textarea(fay), "the follower's composer");
    expect(bodies(fay)).to.deep.equal(['Private words']);

    expect(status(nick)).to.equal('locked');
    expect($(nick, '.notice')?.textContent?.trim()).to.equal('This page is private. Only people the patient approves can read it.');
    absent(textarea(nick), 'a composer on a locked page');
    absent($(nick, '.messages'), 'a message list on a locked page');
    expect(root(nick).textContent).not.to.contain('Private words');
  });

  it('invites signing in on a members-only page, and tells staff who do not follow to follow before writing', async () => {
    const [h1, h2] = await hosts();
    const members = uniquePage('wall-members');
    await seedPage({ id: members, visibility: 'members', owners: ['olive'], wall: ['Members only'] });
    const anon = await mount({ page: members, host: h1 });
    expect(status(anon)).to.equal('locked');
    expect($(anon, '.notice')?.textContent?.trim()).to.equal('Please sign in to read this page.');
    expect(root(anon).textContent).not.to.contain('Members only');

    const priv = uniquePage('wall-staff');
    await seedPage({ id: priv, visibility: 'private', owners: ['olive'], wall: ['For the family'] });
    const staff = await mount({ page: priv, host: h2, user: 'moderator' });
    absent(textarea(staff), 'a composer for staff who do not follow');
    expect($(staff, '.write-hint')?.textContent?.trim()).to.equal('Follow this page to leave a message.');
    present(button(article(staff, 'For the family'), 'Hide'), 'Hide for staff');
  });

  it('lets the owner hide, show and delete (with a keyboard-accessible confirm step), live for visitors', async () => {
    const [h1, h2] = await hosts();
    const page = uniquePage('wall-moderate');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'], wall: ['Be strong', 'Spam here'] });
    const owner = await mount({ page, host: h1, user: 'olive' });
    const visitor = await mount({ page, host: h2, user: 'vic' });
    expect(bodies(visitor)).to.deep.equal(['Spam here', 'Be strong']);
    present(button(article(owner, 'Spam here'), 'Hide'), 'Hide for the owner');
    present(button(article(owner, 'Spam here'), 'Delete'), 'Delete for the owner');
    absent(button(article(visitor, 'Spam here'), 'Hide'), 'Hide for a visitor');

    // Hide: gone for the visitor, labelled for the owner.
    button(article(owner, 'Spam here'), 'Hide')!.click();
    await waitFor(() => !bodies(visitor).includes('Spam here'), 'the hidden message to leave the visitor\'s wall');
    await waitFor(() => button(article(owner, 'Spam here'), 'Show') !== null, 'the owner\'s Show button');
    expect(article(owner, 'Spam here')!.querySelector('.badge')?.textContent?.trim()).to.equal('Hidden from visitors');
    absent(article(owner, 'Spam here')!.querySelector('button.heart'), 'a heart button on a hidden message');

    // Show: back for the visitor, in its place, and not announced as new.
    button(article(owner, 'Spam here'), 'Show')!.click();
    await waitFor(() => bodies(visitor).includes('Spam here'), 'the message back in the visitor\'s wall');
    expect(bodies(visitor)).to.deep.equal(['Spam here', 'Be strong']);
    await new Promise((r) => requestAnimationFrame(r));
    expect(announced(visitor)).to.equal('');

    // Delete asks first; Escape backs out and returns focus to Delete.
    button(article(owner, 'Be strong'), 'Delete')!.click();
    await waitFor(() => root(owner).activeElement?.classList.contains('confirm-delete') === true, 'focus on the confirm button');
    const group = article(owner, 'Be strong')!.querySelector('[role="group"]')!;
    expect(root(owner).getElementById(group.getAttribute('aria-labelledby')!)?.textContent).to.equal('Delete this for everyone?');
    await sendKeys({ press: 'Escape' });
    await waitFor(() => focused(owner) === 'button.delete', 'focus back on Delete');
    absent(article(owner, 'Be strong')!.querySelector('[role="group"]'), 'the confirm group');
    expect(bodies(visitor)).to.include('Be strong');

    // Confirm with the keyboard.
    await sendKeys({ press: 'Enter' });
    await waitFor(() => root(owner).activeElement?.classList.contains('confirm-delete') === true, 'focus on the confirm button again');
    await sendKeys({ press: 'Enter' });
    await waitFor(() => !bodies(owner).includes('Be strong') && !bodies(visitor).includes('Be strong'), 'the deletion in both walls');
    // Focus does not fall out of the widget with the deleted message.
    await waitFor(() => focused(owner) === 'ul.messages', 'focus on the list');
    expect(bodies(owner)).to.deep.equal(['Spam here']);
  });

  it('counts characters against the limit, announces the count politely, and disables Send when empty or too long', async () => {
    const [h1] = await hosts();
    const page = uniquePage('wall-count');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'] });
    const el = await mount({ page, host: h1, user: 'cam' });
    const ta = textarea(el)!;
    const counterEl = $(el, '#counter')!;
    expect(ta.getAttribute('aria-describedby')).to.equal(counterEl.id);
    expect(counter(el)).to.equal('2,000 characters left');
    expect(sendButton(el)!.disabled).to.equal(true);

    type(el, 'Hello there');
    await el.updateComplete;
    expect(counter(el)).to.equal(`${(LIMITS.wallBodyMax - 11).toLocaleString('en')} characters left`);
    expect(sendButton(el)!.disabled).to.equal(false);
    const politely = $(el, 'form [role="status"]')!;
    expect(politely.getAttribute('aria-live')).to.equal('polite');
    await waitFor(() => politely.textContent!.trim() === '1,989 characters left', 'the count to be announced');

    type(el, '   \n  ');
    await el.updateComplete;
    expect(sendButton(el)!.disabled).to.equal(true);

    type(el, 'x'.repeat(LIMITS.wallBodyMax));
    await el.updateComplete;
    expect(counter(el)).to.equal('0 characters left');
    expect(sendButton(el)!.disabled).to.equal(false);
    expect(ta.getAttribute('aria-invalid')).to.equal('false');

    type(el, 'x'.repeat(LIMITS.wallBodyMax + 1));
    await el.updateComplete;
    expect(counter(el)).to.equal('1 character over the limit');
    expect(sendButton(el)!.disabled).to.equal(true);
    expect(ta.getAttribute('aria-invalid')).to.equal('true');
    // Ctrl+Enter does not send it either, and the text stays.
    ta.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true, composed: true }));
    await el.updateComplete;
    expect(outbox(el)).to.have.length(0);
    expect(ta.value).to.have.length(LIMITS.wallBodyMax + 1);
  });

  it('keeps the text of a refused post, with the reason, Try again, Edit and Discard', async () => {
    const [h1] = await hosts();
    const page = uniquePage('wall-refused');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'] });
    const el = await mount({ page, host: h1, user: 'rae' });
    const tooLong = 'y'.repeat(LIMITS.wallBodyMax + 1);
    const errored = oneEvent(el, 'care-error');
    // Straight into the shared outbox, as a stale tab or another integration could.
    connectionFor(h1).post(page, 'wall', { body: tooLong });
    const err = await errored;
    expect(err.detail.code).to.equal('too_large');

    await waitFor(() => outbox(el).some((a) => a.classList.contains('failed')), 'the refused post to show');
    const failed = outbox(el)[0]!;
    expect(failed.querySelector('.body')?.textContent).to.equal(tooLong);
    expect(failed.querySelector('.badge')?.textContent).to.match(/^Not sent: .*2000/);
    present(button(failed, 'Try again'), 'Try again');
    present(button(failed, 'Discard'), 'Discard');

    // Try again is refused again; the text is still there.
    const again = oneEvent(el, 'care-error');
    button(failed, 'Try again')!.click();
    expect((await again).detail.code).to.equal('too_large');
    await el.updateComplete;
    await waitFor(() => outbox(el).length === 1 && outbox(el)[0]!.classList.contains('failed') && button(outbox(el)[0]!, 'Edit') !== null, 'the second refusal');
    expect(outbox(el)[0]!.querySelector('.body')?.textContent).to.equal(tooLong);

    // Edit moves it back into the composer, where it can be fixed.
    button(outbox(el)[0]!, 'Edit')!.click();
    await waitFor(() => outbox(el).length === 0, 'the entry to leave the outbox');
    expect(textarea(el)!.value).to.equal(tooLong);
    expect(focused(el)).to.equal('textarea');
    expect(sendButton(el)!.disabled).to.equal(true);

    // Discard removes one for good.
    connectionFor(h1).post(page, 'wall', { body: tooLong });
    await waitFor(() => outbox(el)[0]?.classList.contains('failed') === true, 'another refused post');
    button(outbox(el)[0]!, 'Discard')!.click();
    await waitFor(() => outbox(el).length === 0, 'the discarded entry to go');
    expect(messages(el)).to.have.length(0);
  });

  it('keeps a refused post visible even when the page is locked for this viewer', async () => {
    const [h1] = await hosts();
    const page = uniquePage('wall-locked');
    await seedPage({ id: page, visibility: 'private', owners: ['olive'], wall: ['Secret'] });
    const el = await mount({ page, host: h1, user: 'lou' });
    expect(status(el)).to.equal('locked');
    connectionFor(h1).post(page, 'wall', { body: 'Please let me in' });
    await waitFor(() => outbox(el)[0]?.classList.contains('failed') === true, 'the refused post');
    expect(outbox(el)[0]!.querySelector('.body')?.textContent?.trim()).to.equal('Please let me in');
    expect(outbox(el)[0]!.querySelector('.badge')?.textContent).to.contain('Not sent');
    expect(root(el).textContent).not.to.contain('Secret');
    expect($(el, '.notice')?.textContent?.trim()).to.equal('This page is private. Only people the patient approves can read it.');
  });

  it('labels pre-moderated messages as waiting for approval, for the author and the owner only', async () => {
    const [h1, h2] = await hosts();
    const page = uniquePage('wall-pre');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'], wallModeration: 'pre' });
    const owner = await mount({ page, host: h1, user: 'olive' });
    const author = await mount({ page, host: h2, user: 'pat' });
    type(author, 'Waiting my turn');
    await author.updateComplete;
    sendButton(author)!.click();
    await waitFor(() => article(author, 'Waiting my turn') !== null, 'the author\'s own pending message');
    expect(article(author, 'Waiting my turn')!.querySelector('.badge')?.textContent?.trim()).to.equal('Waiting for approval');
    absent(article(author, 'Waiting my turn')!.querySelector('button.heart'), 'a heart button on a pending message');
    await waitFor(() => article(owner, 'Waiting my turn') !== null, 'the pending message at the owner');
    expect(article(owner, 'Waiting my turn')!.querySelector('.badge')?.textContent?.trim()).to.equal('Waiting for approval');
    await postAs('other', page, 'wall', 'Also waiting');
    await waitFor(() => article(owner, 'Also waiting') !== null, 'the second pending message at the owner');
    absent(article(author, 'Also waiting'), "someone else's pending message");
    absent(article(author, 'Waiting my turn')!.querySelector('button.approve'), 'an Approve button for the author');

    // The owner approves someone else's message: the author of the first, who never saw it, gets it live.
    button(article(owner, 'Also waiting'), 'Approve')!.click();
    await waitFor(() => article(author, 'Also waiting') !== null, 'the approved message at another visitor');
    await waitFor(() => !article(owner, 'Also waiting')!.querySelector('.badge'), 'the owner\'s badge to go');
    absent(article(author, 'Also waiting')!.querySelector('.badge'), 'a badge on an approved message');
  });

  it('lets a moderator block an author after a confirm step: the author stops receiving the page', async () => {
    const [h1, h2] = await hosts();
    const page = uniquePage('wall-block');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'] });
    const owner = await mount({ page, host: h1, user: 'olive' });
    const troll = await mount({ page, host: h2, user: 'troll' });
    type(troll, 'Unkind words');
    await troll.updateComplete;
    sendButton(troll)!.click();
    await waitFor(() => article(owner, 'Unkind words') !== null, 'the message at the owner');
    absent(article(owner, 'Unkind words')!.querySelector('button.approve'), 'Approve on a published message');
    article(owner, 'Unkind words')!.querySelector<HTMLButtonElement>('button.block')!.click();
    await owner.updateComplete;
    const confirm = article(owner, 'Unkind words')!.querySelector<HTMLButtonElement>('button.confirm-block');
    expect(article(owner, 'Unkind words')!.textContent).to.include('Block \u2068troll\u2069 from this page?');
    confirm!.click();
    await waitFor(() => troll.care.state.status === 'locked', 'the blocked author to lose the page');
    await waitFor(() => wall(troll).text().includes('You cannot view this page'), 'the blocked notice');
    await postAs('olive', page, 'wall', 'After the block');
    await waitFor(() => article(owner, 'After the block') !== null, 'the next message at the owner');
    absent(article(troll, 'After the block'), 'a message reaching the blocked author');
  });

  it('announces messages that arrive live once, and not the first load or older pages', async () => {
    const [h1] = await hosts();
    const page = uniquePage('wall-older');
    const seeded = Array.from({ length: LIMITS.snapshotWall + 5 }, (_, i) => `Message ${i + 1}`);
    await seedPage({ id: page, visibility: 'public', owners: ['olive'], wall: seeded });
    const el = await mount({ page, host: h1, user: 'ann' });
    expect(messages(el)).to.have.length(LIMITS.snapshotWall);
    expect(bodies(el)[0]).to.equal(`Message ${seeded.length}`);
    await new Promise((r) => requestAnimationFrame(r));
    expect(announced(el)).to.equal('');

    button($(el, 'section'), 'Load older')!.focus();
    await sendKeys({ press: 'Enter' });
    await waitFor(() => messages(el).length === seeded.length, 'older messages');
    // The button is gone with the last page; focus stays in the widget, on the list.
    await waitFor(() => focused(el) === 'ul.messages', 'focus on the list');
    expect(bodies(el).at(-1)).to.equal('Message 1');
    absent(button($(el, 'section'), 'Load older'), 'Load older after the last page');
    await new Promise((r) => requestAnimationFrame(r));
    expect(announced(el)).to.equal('');

    await postAs('zed', page, 'wall', 'Fresh news');
    await waitFor(() => announced(el) === '1 new message', 'the live announcement');
    expect(bodies(el)[0]).to.equal('Fresh news');
  });

  it('follows the language: Spanish strings, and right-to-left layout for an RTL language', async () => {
    const [h1, h2] = await hosts();
    const page = uniquePage('wall-i18n');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'] });
    const es = await mount({ page, host: h1, user: 'eva', lang: 'es' });
    expect($(es, 'h2')?.textContent).to.equal(esStrings.wall);
    expect(counter(es)).to.equal(esStrings.charsLeft(LIMITS.wallBodyMax));
    expect($(es, 'section')?.getAttribute('dir')).to.equal('ltr');
    const ar = await mount({ page, host: h2, lang: 'ar' });
    expect($(ar, 'section')?.getAttribute('dir')).to.equal('rtl');
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`passes axe with composer, hearts and moderation (${theme})`, async () => {
      const [h1, h2] = await hosts();
      const page = uniquePage(`wall-axe-${theme}`);
      await seedPage({ id: page, visibility: 'public', owners: ['olive'], wall: ['One **bold** word', 'Two'] });
      const owner = await mount({ page, host: h1, user: 'olive', theme });
      button(article(owner, 'Two'), 'Hide')!.click();
      await waitFor(() => button(article(owner, 'Two'), 'Show') !== null, 'the hidden state');
      button(article(owner, 'One bold word'), 'Delete')!.click();
      await waitFor(() => article(owner, 'One bold word')!.querySelector('.confirm-delete') !== null, 'the confirm step');
      await expect(owner).to.be.accessible();
      const anon = await mount({ page, host: h2, theme });
      await expect(anon).to.be.accessible();
    });
  }
});
