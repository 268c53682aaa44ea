/**
 * Several widgets on one shared connection (issue 11): they say "offline" once, and
 * `care-connection-change` (bubbling and composed, SPEC section 2) reaches a `document`
 * listener once per change of the connection, from the connection's first widget; when that
 * widget leaves, the next one leads. Two hosts are two connections, each with its own events.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { connectionFor } from '../../src/client/connection.js';
import '../../src/components/follow-button/define.js';
import '../../src/components/journal-feed/define.js';
import '../../src/components/message-wall/define.js';
import { seedPage, serverUrl, uniquePage, waitFor } from './helpers.js';

const TAGS = ['care-follow-button', 'care-journal-feed', 'care-message-wall'] as const;
const text = (el: Element) => el.shadowRoot?.textContent ?? '';
const offlineNotices = (el: Element) => [...(el.shadowRoot?.querySelectorAll('[part~="offline"]') ?? [])];

describe('widgets sharing one connection', () => {
  it('show one full offline banner (one status region), the others a short "Offline"; one care-connection-change per change reaches document', async () => {
    const host = (await serverUrl()).replace('127.0.0.1', 'localhost');
    const page = uniquePage('shared-conn');
    await seedPage({ id: page, owners: ['olga'], journal: [{ title: 'Day 1', body: 'Hello' }], wall: ['Hi'] });
    const box = await fixture(html`<div>
      <care-follow-button page=${page} host=${host}></care-follow-button>
      <care-journal-feed page=${page} host=${host}></care-journal-feed>
      <care-message-wall page=${page} host=${host}></care-message-wall>
    </div>`);
    const els = TAGS.map((t) => box.querySelector(t)!);
    const conn = connectionFor(host);
    await waitFor(() => conn.state === 'online' && text(els[1]!).includes('Day 1') && text(els[2]!).includes('Hi'), 'loaded');

    const atDocument: string[] = [];
    const targets = new Set<EventTarget | null>();
    const atWidgets = new Map<string, string[]>(TAGS.map((t) => [t, []]));
    const onDocument = (e: Event) => {
      atDocument.push((e as CustomEvent<{ state: string }>).detail.state);
      targets.add(e.target);
    };
    document.addEventListener('care-connection-change', onDocument);
    for (const el of els) el.addEventListener('care-connection-change', (e) => atWidgets.get(el.localName)!.push(e.detail.state));
    try {
      conn.socket.disconnect();
      await waitFor(() => els.every((el) => offlineNotices(el).length === 1), 'an offline notice in each widget');
      const notices = els.map((el) => offlineNotices(el)[0]!);
      expect(notices.map((n) => n.textContent!.trim())).to.deep.equal(['You are offline. We will reconnect and catch up automatically.', 'Offline', 'Offline']);
      expect(notices.map((n) => n.getAttribute('role'))).to.deep.equal(['status', null, null]);

      conn.socket.connect();
      await waitFor(() => conn.state === 'online' && els.every((el) => offlineNotices(el).length === 0), 'back online');
      await new Promise((r) => setTimeout(r, 50));
      expect(atDocument).to.deep.equal(['offline', 'online']);
      expect([...targets]).to.deep.equal([els[0]], 'fired by the first widget, the one with the banner');
      expect(atWidgets.get('care-follow-button')).to.deep.equal(['offline', 'online']);
      expect(atWidgets.get('care-journal-feed')).to.deep.equal([]);
      expect(atWidgets.get('care-message-wall')).to.deep.equal([]);
      for (const el of els) expect((el as HTMLElement & { connectionState: string }).connectionState, el.localName).to.equal('online');

      // The leader leaves: the journal, bound next, leads and fires from now on.
      els[0]!.remove();
      atDocument.length = 0;
      targets.clear();
      conn.socket.disconnect();
      await waitFor(() => atDocument.length === 1, 'one offline event');
      expect((els[1] as HTMLElement & { connectionState: string }).connectionState).to.equal('offline');
      conn.socket.connect();
      await waitFor(() => conn.state === 'online' && atDocument.length === 2, 'one online event');
      await new Promise((r) => setTimeout(r, 50));
      expect(atDocument).to.deep.equal(['offline', 'online']);
      expect([...targets]).to.deep.equal([els[1]]);
      expect(offlineNotices(els[1]!)).to.have.length(0);
    } finally {
      document.removeEventListener('care-connection-change', onDocument);
    }
  });

  it('fire once per connection: two hosts, two events for one change each', async () => {
    const url = await serverUrl();
    // Two spellings of the same server are two hosts, so two connections.
    const hosts = [url.replace('127.0.0.1', 'localhost'), url.replace('localhost', '127.0.0.1')];
    expect(hosts[0]).not.to.equal(hosts[1]);
    const page = uniquePage('two-hosts');
    await seedPage({ id: page, owners: ['olga'], journal: [{ title: 'Day 1', body: 'Hello' }] });
    const box = await fixture(html`<div>
      <care-journal-feed page=${page} host=${hosts[0]}></care-journal-feed>
      <care-message-wall page=${page} host=${hosts[0]}></care-message-wall>
      <care-journal-feed page=${page} host=${hosts[1]}></care-journal-feed>
      <care-follow-button page=${page} host=${hosts[1]}></care-follow-button>
    </div>`);
    const conns = hosts.map((h) => connectionFor(h));
    expect(conns[0]).not.to.equal(conns[1]);
    await waitFor(() => conns.every((c) => c.state === 'online'), 'both online');
    const seen: [EventTarget | null, string][] = [];
    const onDocument = (e: Event) => seen.push([e.target, (e as CustomEvent<{ state: string }>).detail.state]);
    document.addEventListener('care-connection-change', onDocument);
    try {
      const els = [...box.children];
      conns[1]!.socket.disconnect();
      await waitFor(() => seen.length >= 1, 'an event');
      await new Promise((r) => setTimeout(r, 100));
      expect(seen).to.deep.equal([[els[2], 'offline']]);
      conns[1]!.socket.connect();
      await waitFor(() => conns[1]!.state === 'online' && seen.length >= 2, 'online again');
      await new Promise((r) => setTimeout(r, 100));
      expect(seen).to.deep.equal([[els[2], 'offline'], [els[2], 'online']]);
    } finally {
      document.removeEventListener('care-connection-change', onDocument);
    }
  });
});
