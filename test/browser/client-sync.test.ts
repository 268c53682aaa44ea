import { expect, fixture, html } from '@open-wc/testing';
import '../../src/components/journal-feed/define.js';
import { connectionFor, releaseConnection } from '../../src/client/connection.js';
import { PageStore, type Answer, type LiveEvent, type Payload, type StoreTransport } from '../../src/client/page-store.js';
import { configure } from '../../src/client/settings.js';
import type { ClientEventName, JournalEntry } from '../../src/protocol/index.js';
import { postAs, seedPage, serverUrl, uniquePage, waitFor } from './helpers.js';
import { JournalHarness, mount } from './harness.js';

const entry = (seq: number): JournalEntry => ({ id: `e${seq}`, pageId: 'p', seq, title: `T${seq}`, body: 'b', author: { id: 'a', name: 'A' }, createdAt: new Date().toISOString(), editedAt: null });
const live = (seq: number): LiveEvent => ({ type: 'journal:entry', data: { pageId: 'p', seq, entry: entry(seq) } });

/**
 * A scripted transport, to drive the store's ordering rules with events in an order a real
 * network produces only by chance (the end-to-end tests cover the real path).
 */
class ScriptedTransport implements StoreTransport {
  readonly userId = null;
  readonly calls: { event: string; payload: unknown }[] = [];
  constructor(private readonly answer: (event: string, payload: unknown) => unknown) {}
  async call<E extends ClientEventName>(event: E, payload: Payload<E>): Promise<Answer<E>> {
    this.calls.push({ event, payload });
    return this.answer(event, payload) as Answer<E>;
  }
}

const ready = (seq: number, since?: number) => ({
  ok: true,
  access: 'read',
  page: { id: 'p', title: 'P', visibility: 'public', wallModeration: 'post', followerCount: 0 },
  viewer: { userId: null, name: null, role: 'visitor', staff: null, follow: 'none', can: { read: true, postJournal: false, postWall: false, moderate: false, follow: false, decide: false } },
  seq,
  ...(since === undefined ? { snapshot: { journal: [], journalHasMore: false, wall: [], wallHasMore: false } } : { events: Array.from({ length: seq - since }, (_, i) => ({ type: 'journal:entry', data: live(since + i + 1).data })) }),
});

describe('page store ordering', () => {
  it('applies out-of-order events in seq order and drops duplicates', async () => {
    const t = new ScriptedTransport(() => ready(0));
    const store = new PageStore('p', t);
    await store.sync();
    store.receive(live(2));
    expect(store.state.journal).to.have.length(0); // 1 is missing: 2 waits
    store.receive(live(1));
    store.receive(live(1));
    expect(store.state.seq).to.equal(2);
    expect(store.state.journal.map((e) => e.seq)).to.deep.equal([2, 1]);
    store.close();
  });

  it('asks for what is missing with since when a hole does not fill', async () => {
    let head = 0;
    const t = new ScriptedTransport((_e, p) => ready(head, (p as { since?: number }).since));
    const store = new PageStore('p', t);
    await store.sync();
    head = 3;
    store.receive(live(3)); // 1 and 2 never arrive live
    await waitFor(() => store.state.seq === 3, 'gap fill', 3000);
    expect(t.calls.at(-1)).to.deep.equal({ event: 'page:subscribe', payload: { pageId: 'p', since: 0 } });
    expect(store.state.journal.map((e) => e.seq)).to.deep.equal([3, 2, 1]);
    store.close();
  });

  it('buffers events that arrive while a subscribe is in flight', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const t = new ScriptedTransport(() => (calls++ === 0 ? ready(0) : gate.then(() => ready(1, 0))));
    const store = new PageStore('p', t);
    await store.sync(); // a snapshot at seq 0
    const pending = store.sync(); // catches up with since=0; its answer is held back
    store.receive(live(2));
    release();
    await pending;
    expect(store.state.journal.map((e) => e.seq)).to.deep.equal([2, 1]);
    store.close();
  });
});

describe('settings and session', () => {
  it('takes the host from CareWidgets.configure() when no attribute or <care-page> names one', async () => {
    const pageId = uniquePage('configure');
    await seedPage({ id: pageId, owners: ['olga'], journal: [{ title: 'Configured', body: 'x' }] });
    configure({ host: await serverUrl() });
    try {
      const el = await mount('care-journal-feed', { page: pageId, host: null });
      expect(el.getAttribute('host') ?? '', 'no host of its own').to.equal('');
      await waitFor(() => new JournalHarness(el).titles().includes('Configured'), 'configured host');
    } finally {
      configure({ host: undefined });
    }
  });

  it('fires care-connection-change and resumes with a fresh token when the old one expires', async () => {
    const pageId = uniquePage('refresh');
    await seedPage({ id: pageId, visibility: 'members', owners: ['olga'] });
    const states: string[] = [];
    const wrap = await fixture<HTMLDivElement>(html`<div></div>`);
    wrap.addEventListener('care-connection-change', (e) => states.push(e.detail.state));
    // The token expires before the widget's scheduled refresh.
    const el = await mount('care-journal-feed', { page: pageId, tokenUrl: '/care-token?user=rita&ttl=2', parent: wrap });
    await waitFor(() => el.care.state.status === 'ready', 'members page readable when signed in');
    expect(states).to.include('online');
    await new Promise((r) => setTimeout(r, 3000)); // the token is now expired on the server
    await postAs('olga', pageId, 'journal', 'after expiry', 'After expiry');
    await waitFor(() => new JournalHarness(el).titles().includes('After expiry'), 'catch-up after session refresh', 10000);
    wrap.remove();
  });

  it('releases the connection when the last widget leaves', async () => {
    const url = await serverUrl();
    const c = connectionFor(url);
    c.acquire(null);
    await waitFor(() => c.state === 'online', 'online');
    releaseConnection(c);
    expect(c.socket.connected).to.equal(false);
  });
});
