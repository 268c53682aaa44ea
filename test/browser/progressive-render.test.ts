/*
 * Issue 12: long lists render a time slice at a time, from the top (progressive.ts). What a
 * visitor and a screen reader get must not change: at every moment the widget shows a prefix
 * of its list (the first screen first, nothing out of order or missing in between), says
 * `aria-busy` while the rest is coming, keeps the nodes it already showed, ends with every item,
 * and announces nothing for items that were already there, then a live one exactly once.
 * Behaviour only: how many slices a machine needs is not asserted.
 */
import { expect } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import '../../src/index.js';
import type { CareJournalFeed, CareMessageWall } from '../../src/index.js';
import { mount } from './harness.js';
import { postAs, seedPage, shadow, uniquePage, waitFor } from './helpers.js';

interface Snapshot {
  /** `data-id`s of the items in the DOM, in order. */
  shown: string[];
  /** The ids of the list in the widget's state at that moment. */
  state: string[];
  busy: string | null;
}

/**
 * Records, after every DOM change in the widget, what it shows against what it has, and every
 * text its polite live region says.
 */
function watch(el: HTMLElement, items: string, list: string, ids: () => string[]) {
  const snapshots: Snapshot[] = [];
  const said: string[] = [];
  const root = shadow(el);
  const take = () => {
    const shown = [...root.querySelectorAll<HTMLElement>(items)].map((a) => a.dataset.id!);
    if (shown.length) snapshots.push({ shown, state: ids(), busy: root.querySelector(list)?.getAttribute('aria-busy') ?? null });
    const live = root.querySelector('section > [role=status][aria-live=polite]')?.textContent?.trim() ?? '';
    if (live && said.at(-1) !== live) said.push(live);
  };
  const observer = new MutationObserver(take);
  observer.observe(root, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['aria-busy'] });
  take();
  return { snapshots, said, stop: () => observer.disconnect() };
}

/** Every snapshot shows a prefix of the list it had, and is busy exactly while it shows less. */
function expectPrefixes(snapshots: Snapshot[]): void {
  for (const s of snapshots) {
    expect(s.shown, 'items shown in order from the top').to.deep.equal(s.state.slice(0, s.shown.length));
    expect(s.busy, `aria-busy with ${s.shown.length} of ${s.state.length} shown`).to.equal(String(s.shown.length < s.state.length));
  }
}

/** A body with some of everything the Markdown renderer makes, so each item costs something. */
const body = (i: number) => `Message **${i}** with *emphasis*, a [link](https://example.org/${i}) and https://example.com/${i}.\n\n- one\n- two\n\n${'Words and more words. '.repeat(8)}`;

describe('progressive rendering of long lists (issue 12)', () => {
  before(() => setViewport({ width: 375, height: 500 }));
  afterEach(() => document.querySelectorAll('care-message-wall, care-journal-feed').forEach((e) => e.remove()));

  it('a wall of 200 messages shows its first screen first, then every message in order, and announces only the live one, once', async () => {
    const page = uniquePage('progressive-wall');
    await seedPage({ id: page, owners: ['olga'], follows: ['fran'], wall: Array.from({ length: 200 }, (_, i) => body(i)) });
    // `loading`: mount resolves before the page's answer, so the recorder sees the first render.
    const wall: CareMessageWall = await mount('care-message-wall', { page, loading: true });
    const rec = watch(wall, 'article.message[data-id]', 'ul.messages', () => wall.care.state.wall.map((m) => m.id));
    await waitFor(() => wall.care.state.status === 'ready', 'the wall to load');
    await wall.updateComplete;
    const first = shadow(wall).querySelector<HTMLElement>('article.message[data-id]')!;
    expect(first.dataset.id).to.equal(wall.care.state.wall[0]!.id);

    while (wall.care.state.wallHasMore) {
      const res = await wall.care.loadOlder('wall', 100);
      expect(res.ok).to.equal(true);
      await wall.updateComplete;
    }
    const ids = wall.care.state.wall.map((m) => m.id);
    expect(ids).to.have.length(200);
    expect([...shadow(wall).querySelectorAll<HTMLElement>('article.message[data-id]')].map((a) => a.dataset.id)).to.deep.equal(ids);
    expect(shadow(wall).querySelector('ul.messages')!.getAttribute('aria-busy')).to.equal('false');
    // The first message's node was kept through every slice (no re-creation, no flash).
    expect(shadow(wall).querySelector('article.message[data-id]')).to.equal(first);
    expectPrefixes(rec.snapshots);
    expect(rec.said, 'nothing announced for messages that were already there').to.deep.equal([]);

    await postAs('fran', page, 'wall', 'A live message');
    await waitFor(() => wall.care.state.wall.length === 201, 'the live message');
    await wall.updateComplete;
    await waitFor(() => rec.said.length > 0, 'the announcement');
    await new Promise((r) => setTimeout(r, 300));
    rec.stop();
    expect(rec.said).to.deep.equal(['1 new message']);
    expect(shadow(wall).querySelector<HTMLElement>('article.message[data-id]')!.dataset.id).to.equal(wall.care.state.wall[0]!.id);
    console.log(`[progressive] wall: ${new Set(rec.snapshots.map((s) => s.shown.length)).size} distinct rendered counts on the way to 201`);
  });

  it('a journal answer of 20 long entries renders from the top, keeps positions in the set, and ends complete and not busy', async () => {
    const page = uniquePage('progressive-journal');
    await seedPage({ id: page, owners: ['olga'], journal: Array.from({ length: 25 }, (_, i) => ({ title: `Entry ${i}`, body: body(i) })) });
    const feed: CareJournalFeed = await mount('care-journal-feed', { page, loading: true });
    const rec = watch(feed, '[role=feed] article[data-id]', '[role=feed]', () => feed.care.state.journal.map((e) => e.id));
    await waitFor(() => feed.care.state.status === 'ready', 'the journal to load');
    await feed.updateComplete;
    rec.stop();
    const articles = [...shadow(feed).querySelectorAll<HTMLElement>('[role=feed] article[data-id]')];
    expect(articles.map((a) => a.dataset.id)).to.deep.equal(feed.care.state.journal.map((e) => e.id));
    expect(articles).to.have.length(20);
    expect(articles.map((a) => a.getAttribute('aria-posinset'))).to.deep.equal(articles.map((_, i) => String(i + 1)));
    expect(shadow(feed).querySelector('[role=feed]')!.getAttribute('aria-busy')).to.equal('false');
    expectPrefixes(rec.snapshots);
    expect(rec.said).to.deep.equal([]);
    // Each entry's Markdown is there, sanitized as before.
    expect(articles[0]!.querySelector('[part=entry-body] a')!.getAttribute('rel')).to.equal('noopener noreferrer nofollow ugc');
  });
});
