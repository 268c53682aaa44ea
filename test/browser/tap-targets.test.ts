/**
 * Tap targets on a phone (issue 11): at a 375 px wide viewport every button and link part of
 * the three widgets is at least 44 × 44 CSS px (WCAG 2.5.5, Apple's and Google's minimum), and
 * a follow request's Approve and Decline sit side by side. Links inside a message's text are
 * inline in a sentence, which WCAG exempts; they are not checked.
 */
import { expect, fixture, fixtureCleanup, html } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import '../../src/components/follow-button/define.js';
import '../../src/components/journal-feed/define.js';
import '../../src/components/message-wall/define.js';
import { postAs, seedPage, serverUrl, uniquePage, waitFor } from './helpers.js';

const MIN = 44;

/** Every visible button and link in the widget, with its box. */
function targets(el: Element): { what: string; width: number; height: number }[] {
  return [...el.shadowRoot!.querySelectorAll<HTMLElement>('button, a[href]')]
    .filter((t) => !t.closest('.body, .visually-hidden') && t.getClientRects().length > 0)
    .map((t) => {
      const r = t.getBoundingClientRect();
      return { what: `${el.localName} ${t.getAttribute('part') ?? t.localName} "${t.textContent!.trim()}"`, width: Math.round(r.width * 10) / 10, height: Math.round(r.height * 10) / 10 };
    });
}

function expectBig(el: Element, at_least: number): void {
  const all = targets(el);
  expect(all.length, `${el.localName} targets`).to.be.at.least(at_least);
  expect(all.filter((t) => t.width < MIN || t.height < MIN)).to.deep.equal([]);
}

describe('tap targets at 375 px', () => {
  before(() => setViewport({ width: 375, height: 800 }));
  after(() => setViewport({ width: 800, height: 600 }));
  afterEach(() => fixtureCleanup());

  it('the owner\'s journal, wall and request panel: every button at least 44 × 44, Approve and Decline on one line', async () => {
    const a = await serverUrl();
    const b = a.replace('127.0.0.1', 'localhost');
    const page = uniquePage('tap');
    await seedPage({ id: page, visibility: 'private', owners: ['olive'], journal: [{ title: 'Day 1', body: 'Hello' }], wall: ['Be strong'] });
    const requester = await fixture(html`<care-follow-button page=${page} host=${a} token-url="/care-token?user=rita-with-a-rather-long-name"></care-follow-button>`);
    await waitFor(() => (requester.shadowRoot?.textContent ?? '').includes('Request access'), 'Request access');
    expectBig(requester, 1);
    requester.shadowRoot!.querySelector<HTMLButtonElement>('button[part="button"]')!.click();
    await waitFor(() => (requester.shadowRoot?.textContent ?? '').includes('Request sent'), 'the request');

    const box = await fixture(html`<div>
      <care-follow-button page=${page} host=${b} token-url="/care-token?user=olive"></care-follow-button>
      <care-journal-feed page=${page} host=${b} token-url="/care-token?user=olive"></care-journal-feed>
      <care-message-wall page=${page} host=${b} token-url="/care-token?user=olive"></care-message-wall>
    </div>`);
    await postAs('olive', page, 'wall', 'From the owner');
    const [follow, journal, wall] = ['care-follow-button', 'care-journal-feed', 'care-message-wall'].map((t) => box.querySelector(t)!);
    await waitFor(() => follow!.shadowRoot?.querySelector('[part~="decline"]') != null, 'the request panel');
    await waitFor(() => (journal!.shadowRoot?.textContent ?? '').includes('Day 1'), 'the journal');
    await waitFor(() => (wall!.shadowRoot?.textContent ?? '').includes('From the owner'), 'the wall');

    expectBig(follow!, 2);
    expectBig(journal!, 3);
    expectBig(wall!, 5);
    const approve = follow!.shadowRoot!.querySelector('[part~="approve"]')!.getBoundingClientRect();
    const decline = follow!.shadowRoot!.querySelector('[part~="decline"]')!.getBoundingClientRect();
    expect(Math.round(decline.top), 'Decline on the line of Approve').to.equal(Math.round(approve.top));
    expect(decline.left).to.be.greaterThan(approve.right - 1);
  });

  it('a signed-out visitor\'s "Sign in to follow" link is at least 44 × 44', async () => {
    const a = await serverUrl();
    const page = uniquePage('tap-anon');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'] });
    const el = await fixture(html`<care-follow-button page=${page} host=${a} sign-in-url="/sign-in"></care-follow-button>`);
    await waitFor(() => el.shadowRoot?.querySelector('a[part="sign-in"]') != null, 'the sign-in link');
    expectBig(el, 1);
  });
});
