/**
 * Shared computers and the outbox (issue 10, finding 11): where unsent posts wait
 * (`configure({ outbox })`: `local`, `session`, `memory`), what a sign-out does to them, and
 * `clearOutbox()`. Real Chromium storage, the real server; posts are made while the socket is
 * down so that they wait in the outbox.
 */
import { expect } from '@open-wc/testing';
import { clearOutbox, connectionFor, releaseConnection, type CareConnection } from '../../src/client/connection.js';
import { configure } from '../../src/client/settings.js';
import '../../src/components/message-wall/define.js';
import type { WallMessage } from '../../src/protocol/index.js';
import { seedPage, serverUrl, uniquePage, waitFor } from './helpers.js';
import { WallHarness, mount } from './harness.js';

const KEY = 'care-widgets:outbox:v1';
const stored = (s: Storage) => s.getItem(KEY) ?? '';

/** The connection to the test server, signed in through `tokenUrl`; every acquire is released after the test. */
let held: CareConnection[] = [];
async function signIn(tokenUrl: string, user: string | null): Promise<CareConnection> {
  const c = connectionFor(await serverUrl());
  c.acquire(tokenUrl);
  held.push(c);
  await waitFor(() => c.userId === user && c.state === 'online', `signed in as ${user}`);
  return c;
}

/** Posts to the wall while offline, so the post waits in the outbox. */
async function postOffline(c: CareConnection, page: string, body: string): Promise<string> {
  c.socket.disconnect();
  await waitFor(() => c.state === 'offline', 'offline');
  const entry = c.post(page, 'wall', { body });
  expect(entry, 'a signed-in post').to.not.equal(null);
  return entry!.clientId;
}

/** The wall as the server has it, read through a fresh subscribe. */
async function wall(c: CareConnection, page: string): Promise<string[]> {
  const store = c.store(page);
  await store.sync(true);
  await waitFor(() => store.state.status === 'ready', 'the wall');
  const bodies = (store.state.wall as WallMessage[]).map((m) => m.body);
  c.releaseStore(page);
  return bodies;
}

describe('outbox modes and sign-out', () => {
  beforeEach(() => {
    localStorage.removeItem(KEY);
    sessionStorage.removeItem(KEY);
  });
  afterEach(() => {
    for (const c of held) releaseConnection(c);
    held = [];
    configure({ outbox: undefined });
    localStorage.removeItem(KEY);
    sessionStorage.removeItem(KEY);
  });

  it('local (the default) keeps an unsent post in localStorage', async () => {
    const page = uniquePage('ob-local');
    await seedPage({ id: page, owners: ['olive'] });
    const c = await signIn('/care-token?user=ann', 'ann');
    const id = await postOffline(c, page, 'Kept on this device');
    expect(stored(localStorage)).to.include(id).and.to.include('Kept on this device');
    expect(stored(sessionStorage)).to.equal('');
  });

  it('session writes nothing to localStorage; the post waits in sessionStorage and is delivered once', async () => {
    configure({ outbox: 'session' });
    const page = uniquePage('ob-session');
    await seedPage({ id: page, owners: ['olive'] });
    const c = await signIn('/care-token?user=ann', 'ann');
    const id = await postOffline(c, page, 'Only for this tab');
    expect(stored(sessionStorage)).to.include(id);
    expect(stored(localStorage)).to.equal('');
    c.socket.connect();
    await waitFor(() => c.outbox.pending('ann').length === 0, 'delivery');
    expect(await wall(c, page)).to.deep.equal(['Only for this tab']);
    expect(stored(sessionStorage)).to.not.include(id);
    expect(stored(localStorage)).to.equal('');
  });

  it('memory writes to neither storage, and still delivers after a reconnect', async () => {
    configure({ outbox: 'memory' });
    const page = uniquePage('ob-memory');
    await seedPage({ id: page, owners: ['olive'] });
    const c = await signIn('/care-token?user=ann', 'ann');
    await postOffline(c, page, 'Nowhere but this page');
    expect(c.outbox.pending('ann').map((e) => e.body)).to.deep.equal(['Nowhere but this page']);
    expect(stored(localStorage)).to.equal('');
    expect(stored(sessionStorage)).to.equal('');
    c.socket.connect();
    await waitFor(() => c.outbox.pending('ann').length === 0, 'delivery');
    expect(await wall(c, page)).to.deep.equal(['Nowhere but this page']);
    expect(stored(localStorage)).to.equal('');
    expect(stored(sessionStorage)).to.equal('');
  });

  for (const [mode, signOut] of [
    ['session', '/care-token?status=401'],
    ['memory', '/care-token'],
  ] as const) {
    it(`${mode}: a sign-out (the token URL answers ${signOut.includes('401') ? 401 : 204}) drops the user's unsent posts at once; they are never sent`, async () => {
      configure({ outbox: mode });
      const page = uniquePage(`ob-out-${mode}`);
      await seedPage({ id: page, owners: ['olive'] });
      const c = await signIn('/care-token?user=ann', 'ann');
      const id = await postOffline(c, page, 'Typed before signing out');
      await signIn(signOut, null);
      expect(c.outbox.pending('ann')).to.deep.equal([]);
      expect(stored(sessionStorage)).to.not.include(id);
      expect(stored(localStorage)).to.equal('');
      // The same user signs in again: nothing is left to send.
      await signIn('/care-token?user=ann', 'ann');
      await new Promise((r) => setTimeout(r, 300));
      expect(await wall(c, page)).to.deep.equal([]);
    });
  }

  it('session: another user signing in drops the first user\'s unsent posts', async () => {
    configure({ outbox: 'session' });
    const page = uniquePage('ob-switch');
    await seedPage({ id: page, owners: ['olive'] });
    const c = await signIn('/care-token?user=ann', 'ann');
    const id = await postOffline(c, page, "Ann's words");
    await signIn('/care-token?user=ben', 'ben');
    expect(c.outbox.pending('ann')).to.deep.equal([]);
    expect(stored(sessionStorage)).to.not.include(id);
  });

  it('local: a sign-out keeps the posts on the device, another user never sends them, their author does, exactly once', async () => {
    const page = uniquePage('ob-local-out');
    await seedPage({ id: page, owners: ['olive'] });
    const c = await signIn('/care-token?user=ann', 'ann');
    const id = await postOffline(c, page, 'Waits for Ann');
    await signIn('/care-token?status=401', null);
    expect(stored(localStorage)).to.include(id);
    await signIn('/care-token?user=ben', 'ben');
    await new Promise((r) => setTimeout(r, 300));
    expect(stored(localStorage)).to.include(id);
    expect(await wall(c, page)).to.deep.equal([]);
    await signIn('/care-token?user=ann', 'ann');
    await waitFor(() => c.outbox.pending('ann').length === 0, 'delivery as ann');
    expect(stored(localStorage)).to.not.include(id);
    // A reconnect (a retry of anything left) changes nothing: one message.
    c.socket.disconnect();
    c.socket.connect();
    await waitFor(() => c.state === 'online', 'online again');
    expect(await wall(c, page)).to.deep.equal(['Waits for Ann']);
  });

  it('an outbox value that is none of the three is taken as memory, and named in the console', async () => {
    configure({ outbox: 'sesion' as never });
    const errors: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args.join(' '));
    try {
      const page = uniquePage('ob-typo');
      await seedPage({ id: page, owners: ['olive'] });
      const c = await signIn('/care-token?user=ann', 'ann');
      await postOffline(c, page, 'Not stored anywhere');
      expect(stored(localStorage)).to.equal('');
      expect(stored(sessionStorage)).to.equal('');
      expect(errors.join('\n')).to.include('outbox "sesion"');
    } finally {
      console.error = original;
    }
  });

  it('clearOutbox() wipes every unsent post on the device: localStorage, sessionStorage and the page', async () => {
    const page = uniquePage('ob-clear');
    await seedPage({ id: page, owners: ['olive'] });
    const c = await signIn('/care-token?user=ann', 'ann');
    // Ann's wall on the same connection shows the unsent post until it is cleared.
    const kiosk = new WallHarness(await mount('care-message-wall', { page, user: 'ann' }));
    const id = await postOffline(c, page, 'Left on a kiosk');
    await waitFor(() => kiosk.unsent().some((u) => u.text === 'Left on a kiosk'), 'the unsent post on the wall');
    // Another host's entry and a session-mode tab's entry, as other pages would leave them.
    localStorage.setItem(KEY, JSON.stringify([...JSON.parse(stored(localStorage)), { clientId: 'x', host: 'https://other.example', userId: 'ann', pageId: 'p', kind: 'wall', body: 'elsewhere', createdAt: 0, attempts: 0, state: 'waiting' }]));
    sessionStorage.setItem(KEY, '[{"clientId":"y"}]');
    let told = 0;
    c.outbox.listen(() => told++);
    clearOutbox();
    expect(localStorage.getItem(KEY)).to.equal(null);
    expect(sessionStorage.getItem(KEY)).to.equal(null);
    expect(c.outbox.pending('ann')).to.deep.equal([]);
    expect(told, 'widgets are told to re-render').to.be.greaterThan(0);
    await waitFor(() => kiosk.unsent().length === 0, 'the wall to drop the unsent post');
    c.socket.connect();
    await waitFor(() => c.state === 'online', 'online again');
    await new Promise((r) => setTimeout(r, 300));
    expect(await wall(c, page)).to.deep.equal([]);
    expect(stored(localStorage)).to.not.include(id);
  });
});
