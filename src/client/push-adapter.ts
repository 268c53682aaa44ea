import type { PushSubscriptionData } from '../protocol/index.js';
import { pushSupported, subscribePush, unsubscribePush } from './push.js';
import { pushWorkerUrl } from './settings.js';

/**
 * What the follow button needs of Web Push in this browser: whether it can subscribe at all
 * (the browser supports it AND the site serves the package's service worker), subscribing
 * with the backend's VAPID key, and unsubscribing. The browser's own (push.ts, with the
 * site's `pushWorker` setting) unless `usePush()` installed another: without the setting, or
 * in a browser without Web Push, the follow button offers no browser notifications (email
 * choices work without it).
 */
export interface PushAdapter {
  supported(): boolean;
  /** The browser's subscription for the backend's key, or `null` when the visitor said no. */
  subscribe(vapidPublicKey: string): Promise<PushSubscriptionData | null>;
  /** Unsubscribes this browser; its endpoint (to forget on the server), or `null` if it had none. */
  unsubscribe(): Promise<string | null>;
}

/** This browser's Web Push through the service worker the site serves (`pushWorker`). */
const BROWSER: PushAdapter = {
  supported: () => pushWorkerUrl() !== null && pushSupported(),
  // Asks for permission inside the caller's click (push.ts asks before its first await).
  subscribe: (key) => {
    const worker = pushWorkerUrl();
    return worker ? subscribePush(worker, key) : Promise.resolve(null);
  },
  unsubscribe: () => {
    const worker = pushWorkerUrl();
    return worker ? unsubscribePush(worker) : Promise.resolve(null);
  },
};

let adapter: PushAdapter = BROWSER;

/** Replaces this browser's Web Push (tests, or an app with its own service worker); `null` restores it. */
export function usePush(a: PushAdapter | null): void {
  adapter = a ?? BROWSER;
}

export function pushAdapter(): PushAdapter {
  return adapter;
}
