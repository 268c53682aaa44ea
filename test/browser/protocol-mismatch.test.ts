import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import '../../src/components/journal-feed/define.js';
import '../../src/components/message-wall/define.js';
import '../../src/components/follow-button/define.js';
import { connectionFor } from '../../src/client/connection.js';
import type { ConnectionState } from '../../src/client/connection.js';
import type { CareErrorDetail } from '../../src/events.js';
import { en } from '../../src/i18n/en.js';
import { PROTOCOL_VERSION } from '../../src/protocol/index.js';
import { seedPage, serverUrl, uniquePage } from './helpers.js';
import { JournalHarness, mount, type Listeners } from './harness.js';

/*
 * A server that speaks another protocol version refuses the handshake: connect_error with
 * data.code "unsupported_protocol" (server/src/socket/handshake.ts; server/test/auth.test.ts
 * checks the server side). Every widget on that connection then fires care-error once.
 *
 * How the test gets a real refusal: the reference server speaks version 1 and so does this
 * client, and the server has no setting for its version. Rather than a second server built
 * for the test or a test-only hook in the client, the test makes this client claim another
 * version through public API: `CareConnection.socket` is the Socket.IO socket, and Socket.IO's
 * `socket.auth` is what the handshake sends. It is replaced on the shared connection before
 * any widget opens it. The refusal, its message and everything that follows are the real
 * server's and the real client's; nothing is mocked.
 */

/** "Nothing more happened" can only be given time: 500 ms, to see that care-error is not repeated. */
const SETTLE_MS = 500;
const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

/** What a widget fires, from before it joins the document (`mount()`'s `on`). */
function record(): { errors: CareErrorDetail[]; states: ConnectionState[]; on: Listeners } {
  const errors: CareErrorDetail[] = [];
  const states: ConnectionState[] = [];
  return { errors, states, on: { 'care-error': (e) => errors.push(e.detail), 'care-connection-change': (e) => states.push(e.detail.state) } };
}

describe('a server that speaks another protocol version', () => {
  const consoleError = console.error;
  let logged: string[] = [];
  beforeEach(() => {
    logged = [];
    console.error = (...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
      consoleError.apply(console, args);
    };
  });
  afterEach(() => {
    console.error = consoleError;
    fixtureCleanup();
  });

  it('makes every widget on the refused connection fire care-error once, unsupported_protocol, and still logs it', async () => {
    const url = await serverUrl();
    const pageId = uniquePage('protocol');
    await seedPage({ id: pageId, visibility: 'public', owners: ['olga'], journal: [{ title: 'Readable', body: 'x' }] });
    const claimed = PROTOCOL_VERSION + 1;
    connectionFor(url).socket.auth = { protocolVersion: claimed };

    const box = await fixture<HTMLDivElement>(html`<div></div>`);
    const a = record();
    const b = record();
    const [feed, wall] = await Promise.all([
      mount('care-journal-feed', { page: pageId, host: url, parent: box, loading: true, on: a.on }),
      mount('care-message-wall', { page: pageId, host: url, parent: box, loading: true, on: b.on }),
    ]);
    const journal = new JournalHarness(feed);
    await waitUntil(() => a.errors.length > 0 && b.errors.length > 0, 'care-error from both widgets', { timeout: 8000 });
    await settle();

    const expected = { code: 'unsupported_protocol', message: `This server speaks care-widgets protocol ${PROTOCOL_VERSION}, the client ${claimed}.` };
    expect(a.errors).to.deep.equal([expected]);
    expect(b.errors).to.deep.equal([expected]);
    // The connection's state is told once, by its first widget; every widget can read it.
    expect(a.states.at(-1)).to.equal('unauthorized');
    expect(b.states).to.deep.equal([]);
    expect(wall.connectionState).to.equal('unauthorized');
    expect(logged.filter((l) => l.includes('[care-widgets]') && l.includes(expected.message))).to.have.length(1);
    // The notice says what is wrong (the site's versions), not "sign in again".
    expect(journal.notice()).to.equal(en.versionMismatch);
    expect(journal.part('notice')?.getAttribute('role')).to.equal('alert');
    expect(journal.text()).not.to.include('Readable');

    // A widget that joins the refused connection later hears about it too, once.
    const c = record();
    await mount('care-follow-button', { page: pageId, host: url, parent: box, loading: true, on: c.on });
    await waitUntil(() => c.errors.length > 0, 'care-error for the late widget', { timeout: 8000 });
    await settle();
    expect(c.errors).to.deep.equal([expected]);
    expect(a.errors).to.have.length(1);
    expect(b.errors).to.have.length(1);
  });

  it('the control: the same server under another host string, with the real version, fires no care-error', async () => {
    const url = await serverUrl();
    const other = url.replace('127.0.0.1', 'localhost');
    const pageId = uniquePage('protocol-ok');
    await seedPage({ id: pageId, visibility: 'public', owners: ['olga'], journal: [{ title: 'Readable', body: 'x' }] });
    const a = record();
    const journal = new JournalHarness(await mount('care-journal-feed', { page: pageId, host: other, loading: true, on: a.on }));
    await waitUntil(() => journal.titles().includes('Readable'), 'the feed to load', { timeout: 8000 });
    await settle();
    expect(a.errors).to.deep.equal([]);
    expect(logged.filter((l) => l.includes('[care-widgets]'))).to.deep.equal([]);
  });
});
