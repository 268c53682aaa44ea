/*
 * The React wrappers (`care-widgets/react`) rendered by real React 19 (react-dom/client) in
 * Chromium against the real server. React is CommonJS-only; the react-esm test plugin serves
 * its production build as one ES module (see test/support/react-esm-plugin.mjs).
 */
import { expect } from '@open-wc/testing';
import { createElement, type ReactNode } from 'react';
import { flushSync } from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';
import { CareFollowButton, CareJournalFeed, CareMessageWall, CarePage } from '../../src/react/index.js';
import type { CareConnectionChangeDetail, CareFollowChangeDetail, CarePostedDetail } from '../../src/events.js';
import type { CareFollowButton as FollowElement, CareJournalFeed as JournalElement, CareMessageWall as WallElement } from '../../src/index.js';
import { seedPage, serverUrl, uniquePage, waitFor } from './helpers.js';
import { FollowHarness, JournalHarness, WallHarness } from './harness.js';

let container: HTMLElement;
let root: Root;

function render(node: ReactNode): void {
  flushSync(() => root.render(node));
}

type Inner = { 'care-journal-feed': JournalElement; 'care-message-wall': WallElement; 'care-follow-button': FollowElement };
/** The widget element a wrapper rendered (React mounts them; the harnesses read them). */
const inner = <K extends keyof Inner>(tag: K): Inner[K] => {
  const el = container.querySelector(tag);
  if (!el?.shadowRoot) throw new Error(`${tag} is not rendered`);
  return el as Inner[K];
};
const journal = () => new JournalHarness(inner('care-journal-feed'));
const wall = () => new WallHarness(inner('care-message-wall'));
const follow = () => new FollowHarness(inner('care-follow-button'));
const titles = () => journal().titles();

describe('React wrappers (care-widgets/react)', () => {
  beforeEach(() => {
    localStorage.removeItem('care-widgets:outbox:v1');
    container = document.createElement('div');
    document.body.append(container);
    root = createRoot(container);
  });

  afterEach(() => {
    flushSync(() => root.unmount());
    container.remove();
  });

  it('renders the three widgets inside <CarePage>, which hands them page, host and tokenUrl', async () => {
    const host = await serverUrl();
    const page = uniquePage('react-page');
    await seedPage({ id: page, owners: ['olive'], journal: [{ title: 'From React', body: 'Hello' }], wall: ['Get well'] });
    render(
      createElement(CarePage, { page, host, tokenUrl: '/care-token?user=ann' }, [
        createElement(CareJournalFeed, { key: 'j' }),
        createElement(CareMessageWall, { key: 'w' }),
        createElement(CareFollowButton, { key: 'f' }),
      ]),
    );
    const carePage = container.querySelector('care-page')!;
    // Props arrive as properties, which <care-page> reflects for its children.
    expect(carePage.getAttribute('page')).to.equal(page);
    expect(carePage.getAttribute('token-url')).to.equal('/care-token?user=ann');
    await waitFor(() => titles().includes('From React'), 'the journal entry');
    await waitFor(() => wall().bodies().includes('Get well'), 'the wall message');
    await waitFor(() => follow().button() !== null, 'the follow button');
  });

  it('sets props as element properties and calls onCarePosted / onCareConnectionChange with typed details', async () => {
    const host = await serverUrl();
    const page = uniquePage('react-wall');
    await seedPage({ id: page, owners: ['olive'] });
    const posted: CarePostedDetail[] = [];
    const states: CareConnectionChangeDetail['state'][] = [];
    render(
      createElement(CareMessageWall, {
        page,
        host,
        tokenUrl: '/care-token?user=ben',
        theme: 'dark',
        onCarePosted: (e) => posted.push(e.detail),
        onCareConnectionChange: (e) => states.push(e.detail.state),
      }),
    );
    const el = inner('care-message-wall');
    expect(el.page).to.equal(page);
    expect(el.theme).to.equal('dark');
    const messages = wall();
    await waitFor(() => messages.textarea() !== null, 'the composer');
    messages.type('Sent through React');
    await waitFor(() => !messages.part<HTMLButtonElement>('send-button')!.disabled, 'Send to be enabled');
    messages.part<HTMLButtonElement>('send-button')!.click();
    await waitFor(() => posted.length === 1, 'onCarePosted');
    expect(posted[0]!.kind).to.equal('wall');
    expect((posted[0]!.item as { body?: string }).body).to.equal('Sent through React');
    expect(states).to.include('online');
  });

  it('calls onCareFollowChange when the visitor follows', async () => {
    const host = (await serverUrl()).replace('127.0.0.1', 'localhost');
    const page = uniquePage('react-follow');
    await seedPage({ id: page, owners: ['olive'] });
    const changes: CareFollowChangeDetail[] = [];
    render(createElement(CareFollowButton, { page, host, tokenUrl: '/care-token?user=cleo', onCareFollowChange: (e) => changes.push(e.detail) }));
    const button = () => follow().button();
    await waitFor(() => button()?.textContent?.includes('Follow') === true, 'the Follow button');
    button()!.click();
    await waitFor(() => changes.some((c) => c.state === 'following'), 'onCareFollowChange');
    expect(changes.find((c) => c.state === 'following')!.followerCount).to.equal(1);
  });

  it('follows prop changes on re-render: a new page shows that page, a new callback replaces the old one', async () => {
    const host = await serverUrl();
    const [first, second] = [uniquePage('react-a'), uniquePage('react-b')];
    await seedPage({ id: first, owners: ['olive'], journal: [{ title: 'Page A', body: 'a' }] });
    await seedPage({ id: second, owners: ['olive'], journal: [{ title: 'Page B', body: 'b' }] });
    const calls: string[] = [];
    render(createElement(CareJournalFeed, { page: first, host, onCareConnectionChange: () => calls.push('old') }));
    await waitFor(() => titles().includes('Page A'), 'page A');
    const el = inner('care-journal-feed');
    render(createElement(CareJournalFeed, { page: second, host, onCareConnectionChange: () => calls.push('new') }));
    expect(inner('care-journal-feed')).to.equal(el, 'React keeps the same element');
    await waitFor(() => titles().includes('Page B') && !titles().includes('Page A'), 'page B instead of A');
    calls.length = 0;
    el.dispatchEvent(new CustomEvent('care-connection-change', { detail: { state: 'offline' }, bubbles: true, composed: true }));
    expect(calls).to.deep.equal(['new']);
    flushSync(() => root.unmount());
    expect(container.querySelector('care-journal-feed')).to.equal(null);
    root = createRoot(container);
  });

  it('hears the widgets\' events on <CarePage>: the shared connection\'s state once per change, each widget\'s posts', async () => {
    // A host no other test uses, so this connection starts fresh with these widgets.
    const host = (await serverUrl()).replace('127.0.0.1', 'localhost');
    const page = uniquePage('react-page-events');
    await seedPage({ id: page, owners: ['olive'], journal: [{ title: 'Day 1', body: 'Hello' }] });
    const states: string[] = [];
    const follows: string[] = [];
    render(
      createElement(
        CarePage,
        { page, host, tokenUrl: '/care-token?user=cleo', onCareConnectionChange: (e) => states.push(e.detail.state), onCareFollowChange: (e) => follows.push(e.detail.state) },
        [createElement(CareJournalFeed, { key: 'j' }), createElement(CareMessageWall, { key: 'w' }), createElement(CareFollowButton, { key: 'f' })],
      ),
    );
    await waitFor(() => titles().includes('Day 1') && states.includes('online'), 'online');
    await waitFor(() => follow().button()?.textContent?.includes('Follow') === true, 'the Follow button');
    follow().button()!.click();
    await waitFor(() => follows.includes('following'), 'onCareFollowChange on CarePage');
    // Three widgets, one connection: every state once, not three times.
    expect(states.filter((s) => s === 'online')).to.have.length(1);
    expect(new Set(states).size).to.equal(states.length);
  });
});
