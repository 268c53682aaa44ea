/*
 * The loader (issue 12): `dist/care-widgets.js` is a small classic script that inserts the
 * chunks a page's widgets need, each once, each with its SRI hash. Every page here is an
 * iframe, so each runs the loader afresh as a webmaster's page does; which chunks a page
 * fetched is read from its Resource Timing (test/support/dist-middleware.mjs serves dist/
 * with `no-store`, so every chunk a page uses is a request of that page).
 */
import { expect } from '@open-wc/testing';
import type {} from '../../src/loader/global.js';
import { seedPage, serverUrl, uniquePage, waitFor } from './helpers.js';

interface Frame {
  win: Window & { seen?: { violations: string[]; errors: { tag: string; code: string; message: string }[] } };
  doc: Document;
  frame: HTMLIFrameElement;
  text: (tag: string) => string;
  /** The chunks this page requested, by name without the content hash (`core`, `care-journal-feed`…), in order. */
  chunks: () => string[];
  /** Connections (Engine.IO handshakes) this page opened, by host. */
  handshakes: () => string[];
}

const SETTLE_MS = 500;
const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

async function page(head: string, body: string, height = 600): Promise<Frame> {
  const frame = document.createElement('iframe');
  frame.style.cssText = `display:block;width:800px;height:${height}px;border:0`;
  frame.srcdoc = `<!doctype html><html lang="en"><head>
    <script>window.seen = { violations: [], errors: [] };
      document.addEventListener('securitypolicyviolation', (e) => seen.violations.push(e.violatedDirective + ' ' + e.blockedURI));
      document.addEventListener('care-error', (e) => seen.errors.push({ tag: e.target.localName, ...e.detail }));</script>
    ${head}</head><body>${body}</body></html>`;
  const loaded = new Promise((resolve) => (frame.onload = resolve));
  document.body.prepend(frame);
  await loaded;
  const win = frame.contentWindow as Frame['win'];
  const doc = frame.contentDocument!;
  const names = () => win.performance.getEntriesByType('resource').map((e) => e.name);
  return {
    win,
    doc,
    frame,
    text: (tag) => doc.querySelector(tag)?.shadowRoot?.textContent ?? '',
    chunks: () => names().flatMap((n) => /\/dist\/chunks\/(.+)-[\w-]{8}\.js$/.exec(n)?.[1] ?? []),
    handshakes: () => names().filter((n) => n.includes('/socket.io/') && n.includes('transport=polling') && !n.includes('sid=')).map((n) => new URL(n).host),
  };
}

const loader = (host: string, extra = '') => `<script src="/dist/care-widgets.js" data-care-host="${host}" ${extra}></script>`;

describe('the loader (dist/care-widgets.js)', () => {
  afterEach(() => document.querySelectorAll('iframe').forEach((f) => f.remove()));

  it('under a strict CSP (script-src by nonce, Trusted Types required) loads each chunk once, with integrity, crossorigin and the nonce, and defines every element', async () => {
    const host = await serverUrl();
    const id = uniquePage('loader-csp');
    await seedPage({ id, owners: ['olga'], follows: ['f1'], journal: [{ title: 'Day 1', body: 'Walking **today**' }], wall: ['Hello'] });
    // A nonce-only script-src: a chunk inserted without the loader's nonce would be refused.
    const csp = `default-src 'none'; script-src 'nonce-t3st'; connect-src 'self' ${host} ${host.replace(/^http/, 'ws')}; style-src 'none'; require-trusted-types-for 'script'; trusted-types lit-html care-widgets`;
    const { win, doc, text, chunks } = await page(
      `<meta http-equiv="Content-Security-Policy" content="${csp}">`.replace('<script>', '<script nonce="t3st">') + loader(host, 'nonce="t3st" defer'),
      `<care-page page="${id}"><care-follow-button></care-follow-button><care-journal-feed></care-journal-feed><care-message-wall></care-message-wall></care-page>`,
    );
    await waitFor(() => text('care-journal-feed').includes('Day 1') && text('care-message-wall').includes('Hello') && text('care-follow-button').includes('1'), 'the three widgets');
    expect(doc.querySelector('care-journal-feed')!.shadowRoot!.querySelector('strong')?.textContent).to.equal('today');
    for (const tag of ['care-page', 'care-follow-button', 'care-journal-feed', 'care-message-wall']) expect(win.customElements.get(tag), tag).to.not.equal(undefined);
    expect(chunks().sort()).to.deep.equal(['care-follow-button', 'care-journal-feed', 'care-message-wall', 'content', 'core']);
    const scripts = [...doc.querySelectorAll<HTMLScriptElement>('script[src*="/dist/chunks/"]')];
    expect(scripts.length).to.equal(5);
    for (const s of scripts) {
      expect(s.integrity, s.src).to.match(/^sha384-[\w+/]{64}$/);
      expect(s.crossOrigin, s.src).to.equal('anonymous');
      expect(s.nonce, s.src).to.equal('t3st');
    }
    expect(win.seen!.violations).to.deep.equal([]);
    expect(win.seen!.errors).to.deep.equal([]);
  });

  it('a page with only <care-follow-button> loads the core and its chunk, never the journal\u2019s, the wall\u2019s or the Markdown pipeline', async () => {
    const host = await serverUrl();
    const id = uniquePage('loader-follow');
    await seedPage({ id, owners: ['olga'], follows: ['f1', 'f2'] });
    const { text, chunks, win } = await page(loader(host), `<care-follow-button page="${id}"></care-follow-button>`);
    await waitFor(() => text('care-follow-button').includes('2'), 'the follower count');
    await settle();
    expect(chunks().sort()).to.deep.equal(['care-follow-button', 'core']);
    expect(win.customElements.get('care-journal-feed')).to.equal(undefined);
  });

  it('reserves a widget\u2019s space before its code arrives, and the page\u2019s own rules win', async () => {
    const { doc } = await page(
      // No loader script yet: the reservation comes with it.
      '<style>#mine { display: none }</style>',
      `<care-journal-feed id="a" page="x"></care-journal-feed><care-journal-feed id="mine" page="x"></care-journal-feed><care-follow-button id="f" page="x"></care-follow-button>`,
    );
    const box = (id: string) => doc.getElementById(id)!.getBoundingClientRect();
    expect(box('a').height).to.equal(0);
    // The lazy attribute keeps the code away, so what is measured is the loader's reservation alone.
    for (const el of doc.querySelectorAll('care-journal-feed, care-follow-button')) el.setAttribute('loading', 'lazy');
    doc.body.style.paddingTop = '5000px';
    const s = doc.createElement('script');
    s.src = '/dist/care-widgets.js';
    await new Promise((r) => {
      s.onload = r;
      doc.head.append(s);
    });
    expect(box('a').height).to.be.greaterThan(100);
    expect(box('f').height).to.be.greaterThan(40);
    expect(box('mine').height, 'a page rule hiding a widget').to.equal(0);
  });

  it('a lazy widget\u2019s code is not requested until it nears the viewport, then is; so with a lazy <care-page>', async () => {
    const host = await serverUrl();
    const id = uniquePage('loader-lazy');
    await seedPage({ id, owners: ['olga'], follows: ['f1'], journal: [{ title: 'Far below', body: 'x' }], wall: ['A wall far below'] });
    const { doc, text, chunks } = await page(
      loader(host),
      `<care-follow-button page="${id}"></care-follow-button>
       <div style="height:5000px"></div>
       <care-journal-feed loading="lazy" page="${id}"></care-journal-feed>
       <div style="height:5000px"></div>
       <care-page loading="lazy" page="${id}"><care-message-wall></care-message-wall></care-page>`,
    );
    await waitFor(() => text('care-follow-button').includes('1'), 'the eager follow button');
    await settle();
    expect(chunks().sort()).to.deep.equal(['care-follow-button', 'core']);

    doc.querySelector('care-journal-feed')!.scrollIntoView();
    await waitFor(() => text('care-journal-feed').includes('Far below'), 'the journal, once near');
    expect(chunks()).to.include.members(['care-journal-feed', 'content']);
    expect(chunks()).to.not.include('care-message-wall');

    doc.querySelector('care-message-wall')!.scrollIntoView();
    await waitFor(() => text('care-message-wall').includes('A wall far below'), 'the wall in the lazy <care-page>, once near');
    expect(chunks().sort()).to.deep.equal(['care-follow-button', 'care-journal-feed', 'care-message-wall', 'content', 'core']);
  });

  it('a lazy widget turned eager before it is near loads at once', async () => {
    const host = await serverUrl();
    const id = uniquePage('loader-lazy-eager');
    await seedPage({ id, owners: ['olga'], wall: ['Switched'] });
    const { doc, text, chunks } = await page(loader(host), `<div style="height:5000px"></div><care-message-wall loading="lazy" page="${id}"></care-message-wall>`);
    await settle();
    expect(chunks()).to.deep.equal([]);
    doc.querySelector('care-message-wall')!.setAttribute('loading', 'eager');
    await waitFor(() => text('care-message-wall').includes('Switched'), 'the wall');
  });

  it('widgets added later (a single-page app) load their code when they appear', async () => {
    const host = await serverUrl();
    const id = uniquePage('loader-later');
    await seedPage({ id, owners: ['olga'], journal: [{ title: 'Added later', body: 'x' }] });
    const { doc, text, chunks } = await page(loader(host), '<main></main>');
    await settle();
    expect(chunks(), 'nothing before a widget is on the page').to.deep.equal([]);
    const box = doc.createElement('section');
    box.innerHTML = `<div><care-journal-feed page="${id}"></care-journal-feed></div>`;
    doc.querySelector('main')!.append(box);
    await waitFor(() => text('care-journal-feed').includes('Added later'), 'the journal added later');
    expect(chunks().sort()).to.deep.equal(['care-journal-feed', 'content', 'core']);
  });

  it('loaded twice, it defines everything once and requests each chunk once; configure() before any code arrives applies', async () => {
    const host = await serverUrl();
    const id = uniquePage('loader-twice');
    await seedPage({ id, owners: ['olga'], follows: ['f1'], journal: [{ title: 'Twice', body: 'x' }], wall: ['Twice on the wall'] });
    // No data-care-host: the host comes from configure(), called before any chunk is here.
    const { win, text, chunks } = await page(
      `<script src="/dist/care-widgets.js"></script><script>window.first = CareWidgets; CareWidgets.configure({ host: ${JSON.stringify(host)} });</script><script src="/dist/care-widgets.js"></script>`,
      `<care-follow-button page="${id}"></care-follow-button><care-journal-feed page="${id}"></care-journal-feed><care-message-wall page="${id}"></care-message-wall>`,
    );
    await waitFor(() => text('care-journal-feed').includes('Twice') && text('care-message-wall').includes('Twice on the wall') && text('care-follow-button').includes('1'), 'the widgets');
    expect(win.CareWidgets).to.equal((win as unknown as { first: unknown }).first);
    expect(chunks().sort()).to.deep.equal(['care-follow-button', 'care-journal-feed', 'care-message-wall', 'content', 'core']);
    expect(win.CareWidgets!.version).to.match(/^\d+\.\d+\.\d+/);
    expect(win.CareWidgets!.connectionFor(host).state).to.equal('online');
    expect(win.seen!.errors).to.deep.equal([]);
  });

  it('CareWidgets.load() brings the core for connectionFor() on a page without widgets; clearOutbox() works before it', async () => {
    const host = await serverUrl();
    const { win, chunks } = await page(loader(host), '');
    win.localStorage.setItem('care-widgets:outbox:v1', '[]');
    win.CareWidgets!.clearOutbox();
    expect(win.localStorage.getItem('care-widgets:outbox:v1')).to.equal(null);
    const kept = win.CareWidgets!.connectionFor;
    expect(() => kept(host)).to.throw(/load\(\)/);
    await win.CareWidgets!.load();
    expect(chunks()).to.deep.equal(['core']);
    const c = win.CareWidgets!.connectionFor(host);
    expect(c).to.equal(win.CareWidgets!.connectionFor(host));
    expect(kept(host), 'a function kept from before the core arrived calls the core now').to.equal(c);
    expect(c.outbox.pending(null), 'the core\u2019s connection, with its outbox').to.deep.equal([]);
  });

  it('a chunk whose bytes do not match its hash: a visible notice and care-error on its widgets, the others unharmed', async () => {
    const host = await serverUrl();
    const id = uniquePage('loader-tampered');
    await seedPage({ id, owners: ['olga'], journal: [{ title: 'Still here', body: 'x' }] });
    const { doc, text, win } = await page(
      `<script src="/dist/care-widgets.js?tamper=care-follow-button" data-care-host="${host}"></script>`,
      `<care-follow-button page="${id}"></care-follow-button><care-journal-feed page="${id}"></care-journal-feed>`,
    );
    await waitFor(() => text('care-follow-button') !== '', 'the follow button\u2019s notice');
    const notice = doc.querySelector('care-follow-button')!.shadowRoot!.querySelector('[part=notice]')!;
    expect(notice.getAttribute('role')).to.equal('alert');
    expect(notice.textContent).to.equal('This content could not be loaded.');
    await waitFor(() => text('care-journal-feed').includes('Still here'), 'the journal');
    expect(win.seen!.errors.map((e) => [e.tag, e.code])).to.deep.equal([['care-follow-button', 'config']]);
    expect(win.seen!.errors[0]!.message).to.match(/care-follow-button.*integrity/);
  });

  it('keeps one connection per host: widgets on one host share one, a widget on another host gets its own', async () => {
    const host = await serverUrl();
    const other = host.replace('127.0.0.1', 'localhost');
    const id = uniquePage('loader-hosts');
    await seedPage({ id, owners: ['olga'], follows: ['f1'], journal: [{ title: 'Shared', body: 'x' }], wall: ['Shared wall'] });
    const { text, handshakes, win } = await page(
      loader(host),
      `<care-follow-button page="${id}"></care-follow-button><care-journal-feed page="${id}"></care-journal-feed>
       <care-message-wall page="${id}" host="${other}"></care-message-wall>`,
    );
    await waitFor(() => text('care-journal-feed').includes('Shared') && text('care-message-wall').includes('Shared wall') && text('care-follow-button').includes('1'), 'the widgets');
    await settle();
    expect(handshakes().sort()).to.deep.equal([new URL(host).host, new URL(other).host].sort());
    expect(win.CareWidgets!.connectionFor(host)).to.equal(win.CareWidgets!.connectionFor(`${host}/`));
  });
});
