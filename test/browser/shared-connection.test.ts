/**
 * Several widgets on one shared connection (issue 11): they say "offline" once. Each widget
 * still fires `care-connection-change`, bubbling and composed as SPEC section 2 says, so a
 * `document` listener hears it once per widget, each with its widget as the target.
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
  it('show one full offline banner (one status region), the others a short "Offline"; every widget’s care-connection-change bubbles to document', async () => {
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
      expect(atDocument).to.deep.equal(['offline', 'offline', 'offline', 'online', 'online', 'online']);
      expect(targets.size).to.equal(3);
      for (const t of TAGS) expect(atWidgets.get(t), t).to.deep.equal(['offline', 'online']);
    } finally {
      document.removeEventListener('care-connection-change', onDocument);
    }
  });
});
