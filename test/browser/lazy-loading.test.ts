import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../src/components/journal-feed/define.js';
import '../../src/components/message-wall/define.js';
import '../../src/components/follow-button/define.js';
import '../../src/components/care-page/define.js';
import type { CareElement } from '../../src/components/base/care-element.js';
import type { ConnectionState } from '../../src/client/connection.js';
import { seedPage, serverUrl, uniquePage } from './helpers.js';

/*
 * loading="lazy": a widget far below the fold opens no socket, fetches no token and sends no
 * page:subscribe until it comes within 600px of the viewport.
 *
 * What "did not connect" is checked against, each observable from outside the widget:
 *  - the widget's controller holds no connection, and no care-connection-change fired;
 *  - no request for its token URL reached the network (Resource Timing; every test uses a
 *    token URL with a unique `probe` parameter that the test server ignores);
 *  - server side: the pages are `members` pages, where the reference server writes a
 *    `page.read` entry to the audit log for every subscribe of a signed-in reader; the test
 *    reads that log through the admin API;
 *  - the page's content is not rendered.
 * The "eager" test puts a widget in the same place and sees all of these happen, so the
 * lazy checks can fail.
 */

/** Far enough below an 800×600 viewport to be well outside the 600px margin. */
const SPACER = 5000;
/**
 * "Nothing happened" cannot be waited for, only given time: an eager widget in this suite
 * fetches its token and subscribes in well under 500 ms (the eager test waits for exactly
 * these signals), so after 500 ms of nothing a lazy widget is taken to be holding back.
 */
const SETTLE_MS = 500;

type Widget = CareElement & HTMLElement;

interface Audit {
  entries: { action: string; actorId: string | null }[];
}

async function readsBy(pageId: string, user: string): Promise<number> {
  const res = (await executeServerCommand('care-admin', { path: `/api/pages/${pageId}/audit` })) as { status: number; body: Audit };
  expect(res.status).to.equal(200);
  return res.body.entries.filter((e) => e.action === 'page.read' && e.actorId === user).length;
}

const tokenFetched = (probe: string) => performance.getEntriesByType('resource').some((e) => e.name.includes(`probe=${probe}`));
const text = (el: Element) => el.shadowRoot?.textContent ?? '';
const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

function recordStates(el: HTMLElement): ConnectionState[] {
  const seen: ConnectionState[] = [];
  el.addEventListener('care-connection-change', (e) => seen.push(e.detail.state));
  return seen;
}

/** A members page with one journal entry and one wall message, readable by `lena`. */
async function membersPage(prefix: string): Promise<string> {
  const id = uniquePage(prefix);
  await seedPage({ id, visibility: 'members', owners: ['olga'], journal: [{ title: 'Far below', body: 'An update' }], wall: ['A message far below'] });
  return id;
}

function probeUrl(user = 'lena'): { probe: string; tokenUrl: string } {
  const probe = Math.random().toString(36).slice(2);
  return { probe, tokenUrl: `/care-token?user=${user}&probe=${probe}` };
}

async function assertNotConnected(el: Widget, states: ConnectionState[], probe: string, pageId: string, content: string): Promise<void> {
  // Booleans, not the objects: chai would try to print a whole live connection on failure.
  expect(el.care.binding !== null, 'bound to a connection and a page store').to.equal(false);
  expect(states, 'care-connection-change events').to.deep.equal([]);
  expect(tokenFetched(probe), 'a token request').to.equal(false);
  expect(await readsBy(pageId, 'lena'), 'page.read entries in the audit log').to.equal(0);
  expect(text(el)).not.to.include(content);
}

async function assertLoaded(el: Widget, states: ConnectionState[], probe: string, pageId: string, content: string): Promise<void> {
  await waitUntil(() => text(el).includes(content), `the page's content (${content})`, { timeout: 8000 });
  expect(states).to.include('online');
  expect(tokenFetched(probe), 'a token request').to.equal(true);
  expect(await readsBy(pageId, 'lena'), 'page.read entries in the audit log').to.be.greaterThan(0);
}

const offscreen = (el: Element) => el.getBoundingClientRect().top > window.innerHeight + 600;

describe('loading="lazy"', () => {
  beforeEach(() => {
    performance.setResourceTimingBufferSize(10_000);
    performance.clearResourceTimings();
    window.scrollTo(0, 0);
  });
  afterEach(() => {
    fixtureCleanup();
    window.scrollTo(0, 0);
  });

  it('is eager by default, reflects lazy, and documents both', async () => {
    const el = document.createElement('care-journal-feed');
    expect(el.loading).to.equal('eager');
    el.loading = 'lazy';
    document.body.append(el);
    await el.updateComplete;
    expect(el.getAttribute('loading')).to.equal('lazy');
    el.remove();
    // The default is not written back as an attribute (so a <care-page loading> can apply).
    const plain = document.createElement('care-message-wall');
    document.body.append(plain);
    await plain.updateComplete;
    expect(plain.hasAttribute('loading')).to.equal(false);
    plain.remove();
  });

  it('an eager widget below the fold connects and renders at once (the control)', async () => {
    const url = await serverUrl();
    const pageId = await membersPage('lazy-eager');
    const { probe, tokenUrl } = probeUrl();
    const box = await fixture<HTMLDivElement>(html`<div>
      <div style="height: ${SPACER}px"></div>
      <care-journal-feed page=${pageId} host=${url} token-url=${tokenUrl}></care-journal-feed>
    </div>`);
    const el = box.querySelector('care-journal-feed')!;
    const states = recordStates(el);
    expect(offscreen(el)).to.equal(true);
    await assertLoaded(el, states, probe, pageId, 'Far below');
    expect(offscreen(el)).to.equal(true);
  });

  it('a lazy journal feed below the fold does not connect until scrolled near; then it loads and stays loaded', async () => {
    const url = await serverUrl();
    const pageId = await membersPage('lazy-journal');
    const { probe, tokenUrl } = probeUrl();
    const box = await fixture<HTMLDivElement>(html`<div>
      <div style="height: ${SPACER}px"></div>
      <care-journal-feed loading="lazy" page=${pageId} host=${url} token-url=${tokenUrl}></care-journal-feed>
    </div>`);
    const el = box.querySelector('care-journal-feed')!;
    const states = recordStates(el);
    expect(offscreen(el)).to.equal(true);
    await settle();
    await assertNotConnected(el, states, probe, pageId, 'Far below');

    el.scrollIntoView();
    await assertLoaded(el, states, probe, pageId, 'Far below');

    // Scrolled away again, it stays connected and live.
    window.scrollTo(0, 0);
    await settle();
    expect(el.care.binding !== null, 'still connected').to.equal(true);
    expect(states.at(-1)).to.equal('online');
  });

  it('switching a waiting widget from lazy to eager connects it at once, off-screen (property and attribute)', async () => {
    const url = await serverUrl();
    const pageId = await membersPage('lazy-switch');
    const wallProbe = probeUrl();
    const followProbe = probeUrl();
    const box = await fixture<HTMLDivElement>(html`<div>
      <div style="height: ${SPACER}px"></div>
      <care-message-wall loading="lazy" page=${pageId} host=${url} token-url=${wallProbe.tokenUrl}></care-message-wall>
      <care-follow-button loading="lazy" page=${pageId} host=${url} token-url=${followProbe.tokenUrl}></care-follow-button>
    </div>`);
    const wall = box.querySelector('care-message-wall')!;
    const follow = box.querySelector('care-follow-button')!;
    const wallStates = recordStates(wall);
    const followStates = recordStates(follow);
    await settle();
    await assertNotConnected(wall, wallStates, wallProbe.probe, pageId, 'A message far below');
    expect(follow.care.binding !== null, 'a connection for the follow button').to.equal(false);
    expect(followStates).to.deep.equal([]);
    expect(tokenFetched(followProbe.probe)).to.equal(false);

    wall.loading = 'eager';
    await assertLoaded(wall, wallStates, wallProbe.probe, pageId, 'A message far below');
    expect(wall.getAttribute('loading')).to.equal('eager');
    expect(offscreen(wall)).to.equal(true);

    follow.removeAttribute('loading');
    expect(follow.loading).to.equal('eager');
    // Both widgets share one connection (and so one visitor): the follow button shows the count.
    await waitUntil(() => follow.care.binding !== null && /follower/.test(text(follow)), 'the follow button to load', { timeout: 8000 });
    expect(offscreen(follow)).to.equal(true);
  });

  it('follows <care-page loading="lazy"> unless the widget has its own loading attribute', async () => {
    const url = await serverUrl();
    const pageId = await membersPage('lazy-care-page');
    const { probe, tokenUrl } = probeUrl();
    // Another user on another connection, so its audit entries are not lena's.
    const own = probeUrl('mo');
    const box = await fixture<HTMLDivElement>(html`<div>
      <div style="height: ${SPACER}px"></div>
      <care-page loading="lazy" page=${pageId} host=${url} token-url=${tokenUrl}>
        <care-journal-feed></care-journal-feed>
      </care-page>
      <care-page loading="lazy" page=${pageId} host=${url.replace('127.0.0.1', 'localhost')} token-url=${own.tokenUrl}>
        <care-message-wall loading="eager"></care-message-wall>
      </care-page>
    </div>`);
    const inherited = box.querySelector('care-journal-feed')!;
    const eager = box.querySelector('care-message-wall')!;
    const states = recordStates(inherited);
    // Its own loading="eager" wins over the wrapper's lazy: it loads while off-screen.
    await waitUntil(() => text(eager).includes('A message far below'), 'the eager widget inside a lazy <care-page>', { timeout: 8000 });
    expect(tokenFetched(own.probe)).to.equal(true);

    await settle();
    await assertNotConnected(inherited, states, probe, pageId, 'Far below');

    // The wrapper turning eager (a live attribute change) connects the widget inside.
    box.querySelector('care-page')!.setAttribute('loading', 'eager');
    await assertLoaded(inherited, states, probe, pageId, 'Far below');
    expect(offscreen(inherited)).to.equal(true);
  });

  it('stops watching when removed while waiting, watches again when put back, and stops once near', async () => {
    // A spy, not a stand-in: the real IntersectionObserver, recording which were disconnected.
    const Real = window.IntersectionObserver;
    const observers: { disconnected: boolean }[] = [];
    window.IntersectionObserver = class extends Real {
      #record = { disconnected: false };
      constructor(cb: IntersectionObserverCallback, options?: IntersectionObserverInit) {
        super(cb, options);
        observers.push(this.#record);
      }
      override disconnect(): void {
        this.#record.disconnected = true;
        super.disconnect();
      }
    };
    try {
      const url = await serverUrl();
      const pageId = await membersPage('lazy-removed');
      const { probe, tokenUrl } = probeUrl();
      const box = await fixture<HTMLDivElement>(html`<div>
        <div style="height: ${SPACER}px"></div>
        <care-journal-feed loading="lazy" page=${pageId} host=${url} token-url=${tokenUrl}></care-journal-feed>
      </div>`);
      const el = box.querySelector('care-journal-feed')!;
      const states = recordStates(el);
      expect(observers).to.deep.equal([{ disconnected: false }]);

      el.remove();
      expect(observers).to.deep.equal([{ disconnected: true }]);

      box.append(el);
      await el.updateComplete;
      expect(observers).to.deep.equal([{ disconnected: true }, { disconnected: false }]);
      await settle();
      await assertNotConnected(el, states, probe, pageId, 'Far below');

      el.scrollIntoView();
      await assertLoaded(el, states, probe, pageId, 'Far below');
      expect(observers).to.deep.equal([{ disconnected: true }, { disconnected: true }]);
    } finally {
      window.IntersectionObserver = Real;
    }
  });
});
