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
import { FollowHarness, JournalHarness, WallHarness, harness, mount } from './harness.js';

const MIN = 44;

/** Every visible button and link in the widget, with its box. */
function targets(el: HTMLElement): { what: string; width: number; height: number }[] {
  return [...harness(el).root.querySelectorAll<HTMLElement>('button, a[href]')]
    .filter((t) => !t.closest('.body, .visually-hidden') && t.getClientRects().length > 0)
    .map((t) => {
      const r = t.getBoundingClientRect();
      return { what: `${el.localName} ${t.getAttribute('part') ?? t.localName} "${t.textContent!.trim()}"`, width: Math.round(r.width * 10) / 10, height: Math.round(r.height * 10) / 10 };
    });
}

function expectBig(el: HTMLElement, at_least: number): void {
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
    const requester = await mount('care-follow-button', { page, host: a, user: 'rita-with-a-rather-long-name' });
    const asking = new FollowHarness(requester);
    await waitFor(() => asking.text().includes('Request access'), 'Request access');
    expectBig(requester, 1);
    asking.button()!.click();
    await waitFor(() => asking.text().includes('Request sent'), 'the request');

    const box = await fixture<HTMLDivElement>(html`<div></div>`);
    const owner = { page, host: b, user: 'olive', parent: box };
    const [follow, journal, wall] = await Promise.all([mount('care-follow-button', owner), mount('care-journal-feed', owner), mount('care-message-wall', owner)]);
    await postAs('olive', page, 'wall', 'From the owner');
    const panel = new FollowHarness(follow);
    await waitFor(() => panel.part('decline') !== null, 'the request panel');
    await waitFor(() => new JournalHarness(journal).titles().includes('Day 1'), 'the journal');
    await waitFor(() => new WallHarness(wall).bodies().includes('From the owner'), 'the wall');

    expectBig(follow, 2);
    expectBig(journal, 3);
    expectBig(wall, 5);
    const approve = panel.part('approve')!.getBoundingClientRect();
    const decline = panel.part('decline')!.getBoundingClientRect();
    expect(Math.round(decline.top), 'Decline on the line of Approve').to.equal(Math.round(approve.top));
    expect(decline.left).to.be.greaterThan(approve.right - 1);
  });

  it('a signed-out visitor\'s "Sign in to follow" link is at least 44 × 44', async () => {
    const a = await serverUrl();
    const page = uniquePage('tap-anon');
    await seedPage({ id: page, visibility: 'public', owners: ['olive'] });
    const el = await mount('care-follow-button', { page, host: a, attrs: { 'sign-in-url': '/sign-in' } });
    await waitFor(() => new FollowHarness(el).part('sign-in')?.localName === 'a', 'the sign-in link');
    expectBig(el, 1);
  });
});
