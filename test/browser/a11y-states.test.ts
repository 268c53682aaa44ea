/*
 * axe-core on the states a visitor meets when things go wrong, in both themes: still loading
 * (a backend that cannot be reached), offline with content and an unsent post, a refused post
 * with its reason and actions, and the follow button's error. The other a11y tests cover
 * content, empty, locked and not-found.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { connectionFor } from '../../src/client/connection.js';
import '../../src/index.js';
import type { CareFollowButton, CareJournalFeed, CareMessageWall } from '../../src/index.js';
import { LIMITS } from '../../src/protocol/index.js';
import { seedPage, serverUrl, shadow, uniquePage, waitFor } from './helpers.js';

type Widget = CareJournalFeed | CareMessageWall | CareFollowButton;
const TAGS = ['care-journal-feed', 'care-message-wall', 'care-follow-button'] as const;
const text = (el: Element) => shadow(el).textContent?.replace(/\s+/g, ' ') ?? '';

async function mount(tag: (typeof TAGS)[number], page: string, host: string, user: string | null, theme: string): Promise<Widget> {
  const el = document.createElement(tag) as Widget;
  el.page = page;
  el.host = host;
  el.tokenUrl = user ? `/care-token?user=${user}` : '';
  el.theme = theme as Widget['theme'];
  return fixture<Widget>(html`${el}`);
}

/*
 * One connection per host string, with one signed-in user: a second user in the same document
 * names the same server as `localhost`. Connections close with their last widget (fixture
 * clean-up), so each test starts with fresh ones.
 */
const hostA = async () => serverUrl();
const hostB = async () => (await serverUrl()).replace('127.0.0.1', 'localhost');

describe('accessibility in trouble (axe-core)', () => {
  beforeEach(() => localStorage.removeItem('care-widgets:outbox:v1'));

  for (const theme of ['light', 'dark']) {
    it(`has no violations while a backend cannot be reached (${theme})`, async () => {
      // Port 9 (discard) on loopback: nothing listens, every attempt fails; the page never loads.
      const host = 'http://127.0.0.1:9';
      for (const tag of TAGS) {
        const el = await mount(tag, uniquePage('a11y-unreachable'), host, null, theme);
        // A host never reached is a setting to fix: the plain "cannot load" notice (SPEC 7).
        await waitFor(() => /cannot load/i.test(text(el)), `${tag} to show it cannot load`);
        await expect(el).to.be.accessible();
        el.remove();
      }
    });

    it(`has no violations offline, with content and an unsent post (${theme})`, async () => {
      const host = await hostA();
      const page = uniquePage('a11y-offline');
      await seedPage({ id: page, owners: ['olga'], journal: [{ title: 'Before', body: 'Loaded while online' }], wall: ['Hello from before'] });
      const els = await Promise.all(TAGS.map((tag) => mount(tag, page, host, 'olga', theme)));
      await waitFor(() => text(els[0]!).includes('Before') && text(els[1]!).includes('Hello from before'), 'the content');
      const connection = connectionFor(host);
      connection.socket.disconnect();
      // The first widget of the connection says "You are offline", the others "Offline".
      await waitFor(() => els.every((el) => /offline/i.test(text(el))), 'the offline notices');
      connection.post(page, 'journal', { title: 'Written offline', body: 'Waits in the outbox' });
      connection.post(page, 'wall', { body: 'Also waiting' });
      await waitFor(() => text(els[0]!).includes('Written offline') && text(els[1]!).includes('Also waiting'), 'the unsent posts');
      for (const el of els) await expect(el).to.be.accessible();
      connection.socket.connect();
      await waitFor(() => !/offline/i.test(text(els[1]!)), 'back online');
    });

    it(`has no violations with refused posts and a failed follow (${theme})`, async () => {
      const host = await hostA();
      const page = uniquePage('a11y-refused');
      await seedPage({ id: page, owners: ['olga'] });
      const [feed, wall] = await Promise.all([mount('care-journal-feed', page, host, 'olga', theme), mount('care-message-wall', page, host, 'olga', theme)]);
      const connection = connectionFor(host);
      await waitFor(() => connection.state === 'online' && shadow(wall).querySelector('textarea') !== null, 'online');
      connection.post(page, 'journal', { title: 'Too long', body: 'x'.repeat(LIMITS.journalBodyMax + 1) });
      connection.post(page, 'wall', { body: 'y'.repeat(LIMITS.wallBodyMax + 1) });
      await waitFor(() => shadow(feed).querySelector('article.pending .error-text') !== null && shadow(wall).querySelector('article.outbox.failed') !== null, 'the refused posts');
      await expect(feed).to.be.accessible();
      await expect(wall).to.be.accessible();

      const followHost = await hostB();
      const button = (await mount('care-follow-button', page, followHost, 'otto', theme)) as CareFollowButton;
      const followConnection = connectionFor(followHost);
      await waitFor(() => shadow(button).querySelector('button[part="button"]') !== null, 'the follow button');
      followConnection.socket.disconnect();
      await waitFor(() => text(button).includes('offline'), 'offline');
      shadow(button).querySelector<HTMLButtonElement>('button[part="button"]')!.click();
      await waitFor(() => shadow(button).querySelector('[part="error"]') !== null, 'the error');
      await expect(button).to.be.accessible();
      followConnection.socket.connect();
    });
  }
});
