import type { Channels } from '../jobs/runner.js';
import type { NotifySettings } from './contract.js';
import { PushHosts } from './push-hosts.js';

/** Which channels this backend can deliver at all (before a viewer's own address counts). */
export interface NotifyChannels {
  /** Email: an email channel exists (`CARE_SMTP_URL`, or demo mode's local mailbox, `/demo/mailbox`). */
  email: boolean;
  /** Web Push: a push channel exists (the three `CARE_VAPID_*`). */
  push: boolean;
  /** `CARE_VAPID_PUBLIC_KEY`, for the browser's `PushManager.subscribe`, when push is available. */
  vapidPublicKey: string | null;
  /** The push services `push:subscribe` accepts endpoints on: the push channel's own list. */
  pushHosts: PushHosts;
}

/**
 * The one place that decides what `notify:get`'s `available` says about the backend: the
 * channels the node actually built (jobs/channels.ts), so the socket API never offers a
 * choice nothing would deliver.
 */
export function channelAvailability(channels: Channels, settings: Pick<NotifySettings, 'vapid' | 'pushHosts'>): NotifyChannels {
  const push = Boolean(channels.push);
  return { email: Boolean(channels.email), push, vapidPublicKey: push ? (settings.vapid?.publicKey ?? null) : null, pushHosts: new PushHosts(settings.pushHosts) };
}
