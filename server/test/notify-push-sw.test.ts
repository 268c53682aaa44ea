/**
 * The Web Push service worker the package ships (`dist/care-push-sw.js`, README "Web Push"),
 * run as the classic script it is in a fresh V8 context whose `self` has what a service
 * worker's global scope offers it (`registration.showNotification`, `clients`), and nothing
 * to fetch with. A browser test would need a push service; the logic is this file's own.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Script, createContext } from 'node:vm';
import { before, describe, it } from 'node:test';
import type { PushMessage } from '../src/notify/push.js';

const FILE = fileURLToPath(new URL('../../dist/care-push-sw.js', import.meta.url));

interface Shown {
  title: string;
  options: { body: string; tag: string; renotify: boolean; icon?: string | undefined; data: { url?: string | undefined } };
}

/** A service worker global scope with one registration and the windows given. */
function worker(windowUrls: string[] = []) {
  const listeners = new Map<string, (event: unknown) => void>();
  const shown: Shown[] = [];
  const opened: string[] = [];
  const focused: string[] = [];
  // Objects made inside the context have its prototypes: copied out as plain data to compare.
  const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
  const self = {
    registration: {
      showNotification: async (title: string, options: Shown['options']) => void shown.push({ title, options: plain(options) }),
    },
    clients: {
      matchAll: async (o: { type: string; includeUncontrolled: boolean }) => {
        // Our worker controls no page (its own scope), so only uncontrolled windows are found.
        assert.deepEqual(plain(o), { type: 'window', includeUncontrolled: true });
        return windowUrls.map((url) => ({ url, focus: async () => void focused.push(url) }));
      },
      openWindow: async (url: string) => void opened.push(url),
    },
    skipWaiting: async () => undefined,
    addEventListener: (type: string, listener: (event: unknown) => void) => {
      assert.ok(!listeners.has(type), `one ${type} listener`);
      listeners.set(type, listener);
    },
  };
  // A fresh context: the language's own globals, `self` and `URL` (a worker has it too). No fetch, no importScripts.
  const context = createContext({ self, URL });
  new Script(readFileSync(FILE, 'utf8'), { filename: 'care-push-sw.js' }).runInContext(context);

  /** Dispatches an event; resolves once every promise given to `waitUntil` settled. */
  async function dispatch(type: string, fields: Record<string, unknown>): Promise<void> {
    const listener = listeners.get(type);
    assert.ok(listener, `a ${type} listener`);
    const waits: Promise<unknown>[] = [];
    listener({ type, ...fields, waitUntil: (p: Promise<unknown>) => waits.push(p) });
    await Promise.all(waits);
  }
  const push = (data: unknown) => dispatch('push', { data: data === null ? null : { text: () => (typeof data === 'string' ? data : JSON.stringify(data)) } });
  async function click(n: Shown): Promise<{ closed: boolean }> {
    const state = { closed: false };
    await dispatch('notificationclick', { notification: { data: n.options.data, close: () => (state.closed = true) } });
    return state;
  }
  return { listeners, shown, opened, focused, push, click, dispatch };
}

const PAYLOAD: PushMessage = {
  title: 'New update',
  body: 'There is a new update on a page you follow.',
  url: 'https://care.hospital.example/notify/open?t=abc',
  tag: 'Zq3xV1bq0mYc4p9T2a8rLw',
};

describe('care-push-sw.js: shows the push, opens its link, fetches nothing', () => {
  before(() => assert.ok(existsSync(FILE), 'run the build first (npm test does)'));

  it('is a classic script that listens to install, push and notificationclick only, and has no way to fetch', () => {
    const w = worker();
    assert.deepEqual([...w.listeners.keys()].sort(), ['install', 'notificationclick', 'push']);
    const code = readFileSync(FILE, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    for (const api of ['fetch', 'importScripts', 'XMLHttpRequest', 'caches', 'indexedDB', 'WebSocket', 'sendBeacon', 'postMessage', 'import(']) assert.ok(!code.includes(api), `uses ${api}`);
  });

  it('shows the title and body with the tag, the link kept for the click, no icon unless given', async () => {
    const w = worker();
    await w.push(PAYLOAD);
    const shown: Shown[] = [{ title: PAYLOAD.title, options: { body: PAYLOAD.body, tag: PAYLOAD.tag, renotify: true, data: { url: PAYLOAD.url } } }];
    assert.deepEqual(w.shown, shown);
    await w.push({ ...PAYLOAD, icon: 'https://hospital.example/logo-192.png' });
    assert.equal(w.shown[1]?.options.icon, 'https://hospital.example/logo-192.png');
  });

  it('a click closes the notification and opens the link in a new window', async () => {
    const w = worker(['https://hospital.example/other']);
    await w.push(PAYLOAD);
    const state = await w.click(w.shown[0]!);
    assert.equal(state.closed, true);
    assert.deepEqual(w.opened, [PAYLOAD.url]);
    assert.deepEqual(w.focused, []);
  });

  it('a click focuses a window already at the link instead of opening another', async () => {
    const w = worker([PAYLOAD.url]);
    await w.push(PAYLOAD);
    await w.click(w.shown[0]!);
    assert.deepEqual(w.focused, [PAYLOAD.url]);
    assert.deepEqual(w.opened, []);
  });

  it('a link or icon that is not http(s) is dropped: the click only closes', async () => {
    const w = worker();
    await w.push({ ...PAYLOAD, url: 'javascript:alert(1)', icon: 'data:image/png;base64,AAAA' });
    assert.deepEqual(w.shown[0]?.options, { body: PAYLOAD.body, tag: PAYLOAD.tag, renotify: true, data: {} });
    const state = await w.click(w.shown[0]!);
    assert.equal(state.closed, true);
    assert.deepEqual(w.opened, []);
  });

  it('a push it cannot read still shows a neutral notification (the browser requires one), with no link', async () => {
    const w = worker();
    await w.push('not json');
    await w.push(null);
    await w.push({ title: 7, body: 'x', tag: 't' });
    assert.equal(w.shown.length, 3);
    for (const n of w.shown) assert.deepEqual(n, { title: 'New notification', options: { body: '', tag: 'care-widgets', renotify: true, data: {} } });
  });
});
