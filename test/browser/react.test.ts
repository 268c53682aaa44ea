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
import { seedPage, serverUrl, uniquePage, waitFor } from './helpers.js';

let container: HTMLElement;
let root: Root;

function render(node: ReactNode): void {
  flushSync(() => root.render(node));
}

const inner = (tag: string): HTMLElement & { shadowRoot: ShadowRoot } => {
  const el = container.querySelector<HTMLElement>(tag);
  if (!el?.shadowRoot) throw new Error(`${tag} is not rendered`);
  return el as HTMLElement & { shadowRoot: ShadowRoot };
};
const titles = () => [...inner('care-journal-feed').shadowRoot.querySelectorAll('[role=feed] article h3')].map((h) => h.textContent);

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
    await waitFor(() => inner('care-message-wall').shadowRoot.textContent!.includes('Get well'), 'the wall message');
    await waitFor(() => inner('care-follow-button').shadowRoot.querySelector('button[part="button"]') !== null, 'the follow button');
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
    const wall = inner('care-message-wall') as HTMLElement & { shadowRoot: ShadowRoot; theme: string; page: string };
    expect(wall.page).to.equal(page);
    expect(wall.theme).to.equal('dark');
    await waitFor(() => wall.shadowRoot.querySelector('textarea') !== null, 'the composer');
    const ta = wall.shadowRoot.querySelector('textarea')!;
    ta.value = 'Sent through React';
    ta.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    await waitFor(() => !wall.shadowRoot.querySelector<HTMLButtonElement>('button[type="submit"]')!.disabled, 'Send to be enabled');
    wall.shadowRoot.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await waitFor(() => posted.length === 1, 'onCarePosted');
    expect(posted[0]!.kind).to.equal('wall');
    expect(posted[0]!.item.body).to.equal('Sent through React');
    expect(states).to.include('online');
  });

  it('calls onCareFollowChange when the visitor follows', async () => {
    const host = (await serverUrl()).replace('127.0.0.1', 'localhost');
    const page = uniquePage('react-follow');
    await seedPage({ id: page, owners: ['olive'] });
    const changes: CareFollowChangeDetail[] = [];
    render(createElement(CareFollowButton, { page, host, tokenUrl: '/care-token?user=cleo', onCareFollowChange: (e) => changes.push(e.detail) }));
    const button = () => inner('care-follow-button').shadowRoot.querySelector<HTMLButtonElement>('button[part="button"]');
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
    const button = () => inner('care-follow-button').shadowRoot.querySelector<HTMLButtonElement>('button[part="button"]');
    await waitFor(() => button()?.textContent?.includes('Follow') === true, 'the Follow button');
    button()!.click();
    await waitFor(() => follows.includes('following'), 'onCareFollowChange on CarePage');
    // Three widgets, one connection: every state once, not three times.
    expect(states.filter((s) => s === 'online')).to.have.length(1);
    expect(new Set(states).size).to.equal(states.length);
  });
});
