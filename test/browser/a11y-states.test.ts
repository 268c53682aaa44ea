/*
 * axe-core on the states a visitor meets when things go wrong, in both themes: still loading
 * (a backend that cannot be reached), offline with content and an unsent post, a refused post
 * with its reason and actions, and the follow button's error. The other a11y tests cover
 * content, empty, locked and not-found.
 */
import { expect } from '@open-wc/testing';
import { connectionFor } from '../../src/client/connection.js';
import '../../src/index.js';
import { LIMITS } from '../../src/protocol/index.js';
import { serverUrl, seedPage, uniquePage, waitFor } from './helpers.js';
import { FollowHarness, JournalHarness, WIDGET_TAGS as TAGS, WallHarness, harness, mount, type WidgetTag } from './harness.js';

const text = (el: HTMLElement) => harness(el).text();
const widget = <K extends WidgetTag>(tag: K, page: string, host: string, user: string | null, theme: string, loading = false) => mount(tag, { page, host, user, attrs: { theme }, loading });

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
        const el = await widget(tag, uniquePage('a11y-unreachable'), host, null, theme, true);
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
      const els = await Promise.all([widget('care-journal-feed', page, host, 'olga', theme), widget('care-message-wall', page, host, 'olga', theme), widget('care-follow-button', page, host, 'olga', theme)]);
      const [journal, wall] = [new JournalHarness(els[0]), new WallHarness(els[1])];
      await waitFor(() => journal.titles().includes('Before') && wall.bodies().includes('Hello from before'), 'the content');
      const connection = connectionFor(host);
      connection.socket.disconnect();
      // The first widget of the connection says "You are offline", the others "Offline".
      await waitFor(() => els.every((el) => /offline/i.test(text(el))), 'the offline notices');
      connection.post(page, 'journal', { title: 'Written offline', body: 'Waits in the outbox' });
      connection.post(page, 'wall', { body: 'Also waiting' });
      const waiting = (h: JournalHarness | WallHarness, body: string) => h.unsent().some((u) => u.text === body && !u.failed);
      await waitFor(() => waiting(journal, 'Written offline') && waiting(wall, 'Also waiting'), 'the unsent posts');
      for (const el of els) await expect(el).to.be.accessible();
      connection.socket.connect();
      await waitFor(() => !/offline/i.test(wall.text()), 'back online');
    });

    it(`has no violations with refused posts and a failed follow (${theme})`, async () => {
      const host = await hostA();
      const page = uniquePage('a11y-refused');
      await seedPage({ id: page, owners: ['olga'] });
      const [feed, wall] = await Promise.all([widget('care-journal-feed', page, host, 'olga', theme), widget('care-message-wall', page, host, 'olga', theme)]);
      const [journal, messages] = [new JournalHarness(feed), new WallHarness(wall)];
      const connection = connectionFor(host);
      await waitFor(() => connection.state === 'online' && messages.textarea() !== null, 'online');
      connection.post(page, 'journal', { title: 'Too long', body: 'x'.repeat(LIMITS.journalBodyMax + 1) });
      connection.post(page, 'wall', { body: 'y'.repeat(LIMITS.wallBodyMax + 1) });
      const refused = (h: JournalHarness | WallHarness, body: string) => h.unsent().some((u) => u.text === body && u.failed);
      await waitFor(() => refused(journal, 'Too long') && refused(messages, 'y'.repeat(LIMITS.wallBodyMax + 1)), 'the refused posts');
      await expect(feed).to.be.accessible();
      await expect(wall).to.be.accessible();

      const followHost = await hostB();
      const button = await widget('care-follow-button', page, followHost, 'otto', theme);
      const follow = new FollowHarness(button);
      const followConnection = connectionFor(followHost);
      await waitFor(() => follow.button() !== null, 'the follow button');
      followConnection.socket.disconnect();
      await waitFor(() => text(button).includes('offline'), 'offline');
      follow.button()!.click();
      await waitFor(() => follow.error() !== null, 'the error');
      await expect(button).to.be.accessible();
      followConnection.socket.connect();
    });
  }
});
