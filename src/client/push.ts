import type { PushSubscriptionData } from '../protocol/index.js';

/**
 * Web Push in the browser (SPEC 6.2, README "Web Push"): registers the service worker the
 * hospital serves (`care-widgets/care-push-sw.js`, its URL from `pushWorkerUrl()`), subscribes
 * with the backend's VAPID key, and hands back what `push:subscribe` sends. No UI here: the
 * follow button asks, and only after a click, because browsers show the permission prompt only
 * on a user gesture and people refuse prompts that come uninvited.
 *
 * The worker gets a scope of its own, `care-widgets-push/` beside the script: a path no page
 * lives under, so it controls no page, handles no request, and never replaces a service worker
 * the hospital registered for its site (one registration per scope). Push reaches a
 * registration whatever its scope. No `Service-Worker-Allowed` header is needed: the scope is
 * below the script.
 */

const SCOPE = 'care-widgets-push/';

/** This browser can receive Web Push here: a secure context with service workers, the Push API and notifications. */
export function pushSupported(): boolean {
  return typeof window !== 'undefined' && window.isSecureContext && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** The notification permission, or `unsupported`: `denied` means the visitor (or the browser) said no; only they can undo it, in the browser's site settings. */
export function pushPermission(): NotificationPermission | 'unsupported' {
  return pushSupported() ? Notification.permission : 'unsupported';
}

/**
 * Subscribes this browser. Call it from a click (or key) handler: it asks for the permission
 * first, before anything else is awaited, while the gesture still counts. Resolves to the
 * subscription for `push:subscribe`, or `null` when push is unsupported here or the
 * permission was not granted (`pushPermission()` tells which). Rejects, with a message naming
 * the worker's URL, when the worker cannot be registered (not found, not JavaScript, another
 * origin) or the push service refuses.
 */
export async function subscribePush(workerUrl: string, vapidPublicKey: string): Promise<PushSubscriptionData | null> {
  if (!pushSupported()) return null;
  const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
  if (permission !== 'granted') return null;
  const registration = await register(workerUrl);
  const key = fromBase64Url(vapidPublicKey);
  let subscription = await registration.pushManager.getSubscription();
  // Subscribed before with another backend key (rotated VAPID keys): that one can never be pushed to.
  if (subscription && !sameBytes(subscription.options.applicationServerKey, key)) {
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  return dataOf(subscription);
}

/**
 * The current subscription, without asking anything: for sending `push:subscribe` again when
 * the browser renewed it (the worker fetches nothing, so it cannot tell the backend itself).
 */
export async function pushSubscriptionOf(workerUrl: string): Promise<PushSubscriptionData | null> {
  const subscription = await (await registrationOf(workerUrl))?.pushManager.getSubscription();
  return subscription ? dataOf(subscription) : null;
}

/**
 * Ends this browser's subscription. Resolves to its endpoint, for `push:unsubscribe`, or
 * `null` when there was none. The worker stays registered (it is idle without a subscription).
 */
export async function unsubscribePush(workerUrl: string): Promise<string | null> {
  const subscription = await (await registrationOf(workerUrl))?.pushManager.getSubscription();
  if (!subscription) return null;
  const { endpoint } = subscription;
  await subscription.unsubscribe();
  return endpoint;
}

const scopeOf = (workerUrl: string) => new URL(SCOPE, new URL(workerUrl, document.baseURI)).href;

/** Our registration only: at another scope the browser would answer with the hospital's own worker. */
async function registrationOf(workerUrl: string): Promise<ServiceWorkerRegistration | undefined> {
  if (!pushSupported()) return undefined;
  const scope = scopeOf(workerUrl);
  const registration = await navigator.serviceWorker.getRegistration(scope);
  return registration?.scope === scope ? registration : undefined;
}

/** Registers the worker (again: a no-op when unchanged) and waits until it is active, which subscribing needs. */
async function register(workerUrl: string): Promise<ServiceWorkerRegistration> {
  const url = new URL(workerUrl, document.baseURI).href;
  let registration: ServiceWorkerRegistration;
  try {
    registration = await navigator.serviceWorker.register(url, { scope: scopeOf(url) });
  } catch (err) {
    throw new Error(`care-widgets: cannot register the push worker ${url} (serve care-push-sw.js from this site's origin as JavaScript): ${(err as Error).message}`);
  }
  // `navigator.serviceWorker.ready` would wait for a worker controlling this page: ours never does.
  const worker = registration.installing ?? registration.waiting;
  if (!registration.active && worker) {
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (registration.active) resolve();
        else if (worker.state === 'redundant') reject(new Error(`care-widgets: the push worker ${url} failed to install`));
      };
      worker.addEventListener('statechange', check);
      check();
    });
  }
  return registration;
}

function dataOf(subscription: PushSubscription): PushSubscriptionData {
  const json = subscription.toJSON();
  return { endpoint: subscription.endpoint, expirationTime: json.expirationTime ?? null, keys: { p256dh: json.keys?.['p256dh'] ?? '', auth: json.keys?.['auth'] ?? '' } };
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function sameBytes(a: ArrayBuffer | null, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.length) return false;
  const view = new Uint8Array(a);
  return view.every((byte, i) => byte === b[i]);
}
