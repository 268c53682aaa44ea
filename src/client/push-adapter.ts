import type { PushSubscriptionData } from '../protocol/index.js';

/**
 * What the follow button needs of Web Push in this browser: whether it can subscribe at all
 * (the browser supports it AND the site serves the package's service worker), subscribing
 * with the backend's VAPID key, and unsubscribing. The real implementation lives in push.ts
 * (`pushSupported()`, `subscribePush(workerUrl, vapidPublicKey)`, the `pushWorker` setting);
 * until it is installed with `usePush()`, nothing is supported and the follow button offers
 * no browser notifications (email choices work without it).
 */
export interface PushAdapter {
  supported(): boolean;
  /** The browser's subscription for the backend's key, or `null` when the visitor said no. */
  subscribe(vapidPublicKey: string): Promise<PushSubscriptionData | null>;
  /** Unsubscribes this browser; its endpoint (to forget on the server), or `null` if it had none. */
  unsubscribe(): Promise<string | null>;
}

const NONE: PushAdapter = {
  supported: () => false,
  subscribe: () => Promise.resolve(null),
  unsubscribe: () => Promise.resolve(null),
};

let adapter: PushAdapter = NONE;

/** Installs the Web Push implementation (push.ts does, once the site configured its worker). */
export function usePush(a: PushAdapter | null): void {
  adapter = a ?? NONE;
}

export function pushAdapter(): PushAdapter {
  return adapter;
}
