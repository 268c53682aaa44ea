import { expect, fixture, html } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../src/components/journal-feed/define.js';
import '../../src/components/care-page/define.js';
import type { CareJournalFeed } from '../../src/components/journal-feed/journal-feed.js';
import { connectionFor } from '../../src/client/connection.js';
import { postAs, seedLongPage, seedPage, serverUrl, settled, shadow, uniquePage, waitFor } from './helpers.js';
import { JournalHarness, mount, mountCarePage } from './harness.js';
import { XSS_VECTORS, assertInert } from './xss.js';

const journal = (el: CareJournalFeed) => new JournalHarness(el);
const titles = (el: CareJournalFeed) => journal(el).titles();

const feed = (page: string, user: string | null, host?: string) => mount('care-journal-feed', { page, user, host });

/** The same server under another host string: a separate connection, as another browser would have. */
async function otherHost(): Promise<string> {
  return (await serverUrl()).replace('127.0.0.1', 'localhost');
}

async function exportPage(pageId: string): Promise<{ journal: { title: string; clientId?: string }[] }> {
  const res = (await executeServerCommand('care-admin', { path: `/api/pages/${pageId}/export` })) as { status: number; body: { journal: { title: string }[] } };
  expect(res.status).to.equal(200);
  return res.body;
}

describe('<care-journal-feed>', () => {
  it('shows entries newest first in a feed, with a composer only for owners and editors', async () => {
    const pageId = uniquePage('feed');
    await seedPage({ id: pageId, owners: ['olga'], editors: ['ed'], journal: [{ title: 'One', body: 'a' }, { title: 'Two', body: 'b' }] });
    const visitor = await feed(pageId, 'vic');
    expect(titles(visitor)).to.deep.equal(['Two', 'One']);
    expect(journal(visitor).composer()).to.equal(null);
    const articles = shadow(visitor).querySelectorAll('[role=feed] article');
    expect(articles[0]!.getAttribute('aria-posinset')).to.equal('1');
    expect(articles[0]!.getAttribute('aria-setsize')).to.equal('2');
    visitor.remove();

    const editor = await feed(pageId, 'ed');
    expect(journal(editor).composer()).to.not.equal(null);
  });

  it('posts from the composer, fires care-posted, and another viewer sees it live once', async () => {
    const pageId = uniquePage('feed-post');
    await seedPage({ id: pageId, owners: ['olga'] });
    const owner = await feed(pageId, 'olga');
    const reader = await feed(pageId, 'rita', await otherHost());
    const posted = new Promise<CustomEvent>((r) => owner.addEventListener('care-posted', (e) => r(e), { once: true }));
    new JournalHarness(owner).post('Good news', 'Home **tomorrow**!');
    const ev = await posted;
    expect(ev.detail.kind).to.equal('journal');
    expect(ev.detail.item.title).to.equal('Good news');
    await waitFor(() => titles(reader).includes('Good news'), 'live entry in the other viewer');
    expect(titles(reader)).to.deep.equal(['Good news']);
    expect(shadow(reader).querySelector('[role=feed] strong')!.textContent).to.equal('tomorrow');
    // The live region announces it once, politely.
    await waitFor(() => journal(reader).announced().includes('1 new update'), 'announcement');
  });

  it('lets editors edit and delete, live for readers', async () => {
    const pageId = uniquePage('feed-edit');
    await seedPage({ id: pageId, owners: ['olga'], journal: [{ title: 'Draft', body: 'x' }] });
    const owner = await feed(pageId, 'olga');
    const reader = await feed(pageId, 'rita', await otherHost());
    const editBtn = [...shadow(owner).querySelectorAll('button')].find((b) => b.textContent === 'Edit')!;
    editBtn.click();
    await settled(owner);
    const form = shadow(owner).querySelector<HTMLFormElement>('form[aria-label=Edit]')!;
    form.querySelector<HTMLInputElement>('input[name=title]')!.value = 'Final';
    form.requestSubmit();
    await waitFor(() => titles(reader).includes('Final'), 'edit to reach the reader');
    await waitFor(() => shadow(reader).textContent!.includes('edited'), 'edited mark');
    await waitFor(() => titles(owner).includes('Final'), 'the editor to leave edit mode');
    [...shadow(owner).querySelectorAll('button')].find((b) => b.textContent === 'Delete')!.click();
    await settled(owner);
    [...shadow(owner).querySelectorAll<HTMLButtonElement>('button.primary')].find((b) => b.textContent === 'Delete')!.click();
    await waitFor(() => titles(reader).length === 0, 'delete to reach the reader');
  });

  it('catches up after a dropped connection: every entry once, in order', async () => {
    const pageId = uniquePage('feed-drop');
    await seedPage({ id: pageId, owners: ['olga'], journal: [{ title: 'E0', body: 'x' }] });
    const reader = await feed(pageId, 'rita', await otherHost());
    const conn = connectionFor(await otherHost());
    conn.socket.io.engine.close(); // a dropped transport, as on a flaky network
    for (let i = 1; i <= 8; i++) await postAs('olga', pageId, 'journal', `body ${i}`, `E${i}`);
    await waitFor(() => titles(reader).length === 9, 'catch-up', 15000);
    expect(titles(reader)).to.deep.equal(['E8', 'E7', 'E6', 'E5', 'E4', 'E3', 'E2', 'E1', 'E0']);
  });

  it('keeps a post made offline as pending and delivers it exactly once after reconnecting', async () => {
    const pageId = uniquePage('feed-offline');
    await seedPage({ id: pageId, owners: ['olga'] });
    const owner = await feed(pageId, 'olga');
    const conn = connectionFor(await serverUrl());
    conn.socket.disconnect();
    await waitFor(() => conn.state === 'offline', 'offline');
    await settled(owner);
    expect(journal(owner).text()).to.include('You are offline');
    journal(owner).post('Written offline', 'Queued');
    await waitFor(() => journal(owner).unsent().length > 0, 'pending entry');
    expect(journal(owner).unsent().map((u) => [u.text, u.failed])).to.deep.equal([['Written offline', false]]);
    expect(journal(owner).unsent()[0]!.article.textContent).to.include('Sending');
    // It survives a reload: it is in localStorage.
    expect(localStorage.getItem('care-widgets:outbox:v1')).to.include('Written offline');
    conn.socket.connect();
    await waitFor(() => titles(owner).includes('Written offline') && journal(owner).unsent().length === 0, 'delivery');
    const data = await exportPage(pageId);
    expect(data.journal.filter((e) => e.title === 'Written offline')).to.have.length(1);
  });

  it('delivers a post left in the outbox by an earlier page view (reload), once', async () => {
    const pageId = uniquePage('feed-reload');
    await seedPage({ id: pageId, owners: ['olga'] });
    const host = await serverUrl();
    const entry = { clientId: `reload-${pageId}`, host, userId: 'olga', pageId, kind: 'journal', title: 'From before the reload', body: 'x', createdAt: Date.now(), attempts: 1, state: 'sending' };
    const existing = JSON.parse(localStorage.getItem('care-widgets:outbox:v1') ?? '[]') as unknown[];
    localStorage.setItem('care-widgets:outbox:v1', JSON.stringify([...existing, entry]));
    // The server already has it (the ack was lost in the reload): the retry must not duplicate.
    await executeServerCommand('care-post', { user: 'olga', pageId, kind: 'journal', clientId: entry.clientId, title: entry.title, body: 'x' });
    // No connection to this host is open between tests, so the widget's new one reads the outbox as a reloaded page would.
    await feed(pageId, 'olga');
    await waitFor(() => !(localStorage.getItem('care-widgets:outbox:v1') ?? '').includes(entry.clientId), 'outbox drained');
    const data = await exportPage(pageId);
    expect(data.journal.filter((e) => e.title === 'From before the reload')).to.have.length(1);
  });

  it('shows the not-found and locked states', async () => {
    const missing = await feed('no-such-page-here', 'rita');
    expect(shadow(missing).textContent).to.include('does not exist');
    const pageId = uniquePage('feed-private');
    await seedPage({ id: pageId, visibility: 'private', owners: ['olga'], journal: [{ title: 'Secret', body: 'hidden' }] });
    const stranger = await feed(pageId, 'rita');
    expect(shadow(stranger).textContent).to.include('This page is private');
    expect(shadow(stranger).textContent).to.not.include('Secret');
  });

  it('speaks Spanish with lang="es" (own or inherited) and lays out right-to-left for Arabic', async () => {
    const pageId = uniquePage('feed-i18n');
    await seedPage({ id: pageId, owners: ['olga'] });
    const es = await feed(pageId, null);
    es.lang = 'es';
    await settled(es);
    expect(journal(es).heading()).to.equal('Diario de cuidados');
    const inherited = await mount('care-journal-feed', { page: pageId, parent: await fixture(html`<div lang="es-MX"></div>`) });
    await settled(inherited);
    expect(journal(inherited).heading()).to.equal('Diario de cuidados');
    es.lang = 'ar';
    await settled(es);
    expect(journal(es).dir()).to.equal('rtl');
  });

  it('inherits page, host and token-url from <care-page>', async () => {
    const pageId = uniquePage('feed-carepage');
    await seedPage({ id: pageId, owners: ['olga'], journal: [{ title: 'Inherited', body: 'x' }] });
    const wrap = await mountCarePage({ page: pageId, user: 'olga' });
    const el = await mount('care-journal-feed', { host: null, parent: wrap });
    expect(['page', 'host', 'token-url'].map((name) => el.getAttribute(name) ?? ''), 'no settings of its own').to.deep.equal(['', '', '']);
    await waitFor(() => titles(el).includes('Inherited'), 'inherited settings');
    expect(journal(el).composer()).to.not.equal(null);
  });

  it('renders hostile bodies as inert text', async () => {
    const pageId = uniquePage('feed-xss');
    await seedPage({ id: pageId, owners: ['olga'], journal: XSS_VECTORS.map((v, i) => ({ title: `<img src=x onerror=window.__xss++> ${i}`, body: v })) });
    window.__xss = 0;
    const el = await feed(pageId, null);
    await waitFor(() => titles(el).length === XSS_VECTORS.length, 'all entries');
    for (const body of shadow(el).querySelectorAll('[part=entry-body]')) assertInert(body, 'feed body');
    expect(shadow(el).querySelector('img, script, iframe, svg')).to.equal(null);
    await new Promise((r) => setTimeout(r, 100));
    expect(window.__xss).to.equal(0);
  });

  it('keeps only the entries near the viewport in the DOM with 10,000 entries', async () => {
    const pageId = uniquePage('feed-long');
    await seedLongPage(pageId, 10_000);
    const el = await feed(pageId, null);
    while (el.care.state.journalHasMore) {
      const res = await el.care.loadOlder('journal', 100);
      expect(res.ok).to.equal(true);
    }
    await settled(el);
    expect(el.care.state.journal.length).to.equal(10_000);
    const rendered = shadow(el).querySelectorAll('[role=feed] article').length;
    expect(rendered).to.be.greaterThan(0);
    expect(rendered).to.be.lessThan(100);
    expect(titles(el)[0]).to.equal('Update 10000');
    // Scrolling far down renders the entries there instead.
    const feedEl = shadow(el).querySelector('[role=feed]')!;
    window.scrollTo(0, feedEl.getBoundingClientRect().height / 2);
    await waitFor(() => !titles(el).includes('Update 10000'), 'window to move');
    expect(shadow(el).querySelectorAll('[role=feed] article').length).to.be.lessThan(100);
    window.scrollTo(0, 0);
  });
});
