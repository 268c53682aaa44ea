/**
 * `care-push-sw.js`: the service worker that shows care-widgets' Web Push notifications
 * (SPEC 6.2, README "Web Push"). The hospital serves this file from its own origin, the
 * origin of the pages with the widgets; the widgets register it with a scope of its own
 * (`care-widgets-push/` beside it), so it controls no page and never replaces the hospital's
 * own service worker.
 *
 * All it does: on `push`, show the notification the backend sent (title, body, tag; an icon
 * only when the backend gives one); on a click, focus a window already at the link or open
 * it. It fetches nothing, caches nothing, intercepts no request (no `fetch` handler), and
 * keeps nothing. The payload is PHI-free unless the hospital opted in
 * (`CARE_NOTIFY_DETAIL=title`); the link leads to the hospital's page, where sign-in decides
 * what is shown. A classic script with no imports: the build writes it to
 * `dist/care-push-sw.js` as is, readable, for the hospital's review.
 */
export {};

/** What the backend sends (server/src/notify/push.ts), decrypted by the browser. */
interface CarePush {
  title: string;
  body: string;
  url?: string;
  tag: string;
  icon?: string;
}

// The service worker's own types (the WebWorker lib cannot share a program with the DOM lib).
interface ExtendableEvent extends Event {
  waitUntil(done: Promise<unknown>): void;
}
interface PushEvent extends ExtendableEvent {
  readonly data: { text(): string } | null;
}
interface NotificationEvent extends ExtendableEvent {
  readonly notification: { readonly data: unknown; close(): void };
}
interface WindowClient {
  readonly url: string;
  focus(): Promise<unknown>;
}
interface ShowOptions {
  body: string;
  tag: string;
  /** A new update on the same page replaces the old notification and alerts again. */
  renotify: boolean;
  icon?: string;
  data: { url?: string };
}
interface WorkerScope {
  readonly registration: { showNotification(title: string, options: ShowOptions): Promise<void> };
  readonly clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<readonly WindowClient[]>;
    openWindow(url: string): Promise<unknown>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'push', listener: (event: PushEvent) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: NotificationEvent) => void): void;
}

const scope = self as unknown as WorkerScope;

/** Shown for a push this version cannot read (a newer backend): the browser requires one anyway. */
const FALLBACK: CarePush = { title: 'New notification', body: '', tag: 'care-widgets' };

// A new version of this file takes over at once instead of waiting for every tab to close.
scope.addEventListener('install', (event) => event.waitUntil(scope.skipWaiting()));

scope.addEventListener('push', (event) => {
  const push = read(event.data) ?? FALLBACK;
  event.waitUntil(
    scope.registration.showNotification(push.title, {
      body: push.body,
      tag: push.tag,
      renotify: true,
      ...(push.icon ? { icon: push.icon } : {}),
      data: push.url ? { url: push.url } : {},
    }),
  );
});

scope.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data as { url?: unknown } | null)?.url;
  if (typeof url === 'string') event.waitUntil(focusOrOpen(url));
});

/** The payload, if it is ours: strings where strings belong, links that are http(s) only. */
function read(data: { text(): string } | null): CarePush | null {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(data?.text() ?? '') as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { title, body, url, tag, icon } = value;
  if (typeof title !== 'string' || typeof body !== 'string' || typeof tag !== 'string') return null;
  const push: CarePush = { title, body, tag };
  const link = web(url);
  if (link) push.url = link;
  const image = web(icon);
  if (image) push.icon = image;
  return push;
}

/** An absolute http(s) URL, else nothing: no `javascript:` or `data:` link from a payload. */
function web(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** A window already at the link comes to the front; else the link opens in a new one. */
async function focusOrOpen(url: string): Promise<void> {
  const windows = await scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((w) => w.url === url);
  if (open) await open.focus();
  else await scope.clients.openWindow(url);
}
