import { createECDH, createHmac } from 'node:crypto';
import { Agent } from 'node:https';
import webPush from 'web-push';
import type { Channel, DeliveryJob, NotifyMessage, NotifySettings, PushPayload, SendOutcome } from './contract.js';
import { notifyText } from './messages.js';
import { PushHosts } from './push-hosts.js';

/**
 * Web Push (SPEC 6.2, issue 14): one notification to one browser subscription, VAPID-signed
 * (RFC 8292) and encrypted to the browser's keys (RFC 8291, `aes128gcm`) by `web-push`.
 *
 * What the push service (Google, Mozilla, Apple, Microsoft) sees: the endpoint, a `TTL`, an
 * `Urgency`, a `Topic` that is an opaque hash unique to the subscription, and ciphertext. What
 * the browser decrypts (`care-push-sw.js` shows it): `{title, body, url, tag}` from
 * `notifyText()`, PHI-free unless the hospital opted in with `CARE_NOTIFY_DETAIL=title`; `url`
 * the signed open link (links.ts), `tag` an opaque per-page hash so that several updates on
 * one page replace each other on the screen instead of piling up. The page id never travels
 * in clear.
 *
 * Nothing here logs: the outcome's `reason` names the push service's status or the network
 * error, never the endpoint's path (a bearer capability: whoever has it and the keys can push)
 * or the payload.
 */

/** The decrypted payload, as the service worker reads it. */
export interface PushMessage {
  title: string;
  body: string;
  url: string;
  tag: string;
  /** The hospital's icon, only when configured. */
  icon?: string;
}

/** A stored subscription (push_subscriptions), as `Storage.pushSubscription` answers. */
export interface StoredPushSubscription {
  userId: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** What the channel needs of the storage: `Pick<Storage, 'pushSubscription' | 'removePushSubscription'>`. */
export interface PushSubscriptionStore {
  pushSubscription(endpoint: string): Promise<StoredPushSubscription | null>;
  /** Removes it, only if it (still) belongs to `userId` when given. */
  removePushSubscription(endpoint: string, userId?: string): Promise<boolean>;
}

export type VapidSettings = NonNullable<NotifySettings['vapid']>;

export interface PushTuning {
  /** How long a push service keeps a message for a browser that is offline: a day, then it is stale. */
  ttlSeconds: number;
  /** Per attempt: the socket's idle timeout. */
  timeoutMs: number;
  /** An icon URL for the notification (the hospital's logo); none by default. */
  icon?: string;
  /**
   * The HTTPS agent (a private CA, a proxy's agent). Default: one of the channel's own,
   * keep-alive, closed by `close()`.
   */
  agent?: Agent;
  /** The push services it sends to (`CARE_PUSH_HOSTS`, push-hosts.ts); default the browsers' public ones. */
  hosts?: readonly string[];
}

export const DEFAULT_PUSH_TUNING: PushTuning = { ttlSeconds: 24 * 60 * 60, timeoutMs: 10_000 };

/** Checks the VAPID settings at start-up; throws a message an operator can act on. */
export function checkVapidSettings(vapid: VapidSettings): void {
  try {
    // Validates the subject (mailto: or https:) and both keys' encoding and length.
    webPush.getVapidHeaders('https://push.invalid', vapid.subject, vapid.publicKey, vapid.privateKey, 'aes128gcm');
  } catch (err) {
    throw new Error(`CARE_VAPID_PUBLIC_KEY / CARE_VAPID_PRIVATE_KEY / CARE_VAPID_SUBJECT: ${(err as Error).message} (make a key pair with \`npx web-push generate-vapid-keys\`)`);
  }
  // A public key of another pair signs nothing wrong here but every push service refuses it (403).
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(vapid.privateKey, 'base64url'));
  if (ecdh.getPublicKey('base64url') !== vapid.publicKey.replace(/=+$/, '')) {
    throw new Error('CARE_VAPID_PUBLIC_KEY is not the public key of CARE_VAPID_PRIVATE_KEY (keep the pair `npx web-push generate-vapid-keys` printed together)');
  }
}

export class PushChannel implements Channel<PushPayload> {
  readonly kind = 'push' as const;
  private readonly tuning: PushTuning;
  private readonly agent: Agent;
  private readonly ownAgent: boolean;
  /** Keys the opaque tags and topics: derived from the VAPID private key, so no setting of its own. */
  private readonly tagKey: Buffer;
  private readonly hosts: PushHosts;

  constructor(
    private readonly vapid: VapidSettings,
    private readonly subscriptions: PushSubscriptionStore,
    /** The signed link back (links.ts): to the hospital's page, where sign-in decides what is shown. */
    private readonly openUrl: (m: NotifyMessage) => string,
    tuning: Partial<PushTuning> = {},
  ) {
    checkVapidSettings(vapid);
    this.tuning = { ...DEFAULT_PUSH_TUNING, ...tuning };
    this.ownAgent = !tuning.agent;
    this.agent = tuning.agent ?? new Agent({ keepAlive: true, maxSockets: 16 });
    this.tagKey = createHmac('sha256', Buffer.from(vapid.privateKey, 'base64url')).update('care-widgets push tag').digest();
    this.hosts = new PushHosts(tuning.hosts);
  }

  async send(job: DeliveryJob<PushPayload>): Promise<SendOutcome> {
    const { endpoint, userId, message } = job.payload;
    let sub: StoredPushSubscription | null;
    try {
      sub = await this.subscriptions.pushSubscription(endpoint);
    } catch {
      return { ok: false, retry: true, reason: 'storage unavailable' };
    }
    // Unsubscribed since the job was queued, or the browser now belongs to someone else
    // (signed out, another person subscribed it): nothing to send, nothing to retry.
    if (!sub || sub.userId !== userId) return { ok: true };

    // Checked again at every send, not only at push:subscribe: CARE_PUSH_HOSTS may have been
    // narrowed since, and a row may predate the check. Never to anything but a push service
    // (server-side request forgery): the subscription goes, like one its service forgot.
    const problem = this.hosts.problem(sub.endpoint);
    if (problem) return this.gone(sub, `endpoint ${problem}`);

    // Keys no payload can be encrypted to (validation checked their form, not that p256dh is
    // a point on the curve): it can never work, so it goes like a subscription the service forgot.
    if (!usableKeys(sub.keys)) return this.gone(sub, 'subscription keys unusable');

    const tag = this.tag(message);
    const payload: PushMessage = { ...notifyText(message).push, url: this.openUrl(message), tag, ...(this.tuning.icon ? { icon: this.tuning.icon } : {}) };
    const service = serviceOf(endpoint);
    try {
      await webPush.sendNotification({ endpoint: sub.endpoint, keys: sub.keys }, JSON.stringify(payload), {
        vapidDetails: this.vapid,
        TTL: this.tuning.ttlSeconds,
        urgency: 'normal',
        // Seen by the push service: unique to this subscription and page, so it tells the
        // service which queued messages replace each other, and nothing about who follows what.
        topic: this.hash(`${endpoint}\n${tag}`, 32),
        timeout: this.tuning.timeoutMs,
        agent: this.agent,
        contentEncoding: 'aes128gcm',
      });
      return { ok: true };
    } catch (err) {
      const status = (err as { statusCode?: unknown }).statusCode;
      if (typeof status === 'number') return this.refused(sub, status, service);
      // No answer: refused connection, reset, TLS failure, DNS, the socket's timeout.
      const code = (err as { code?: unknown }).code;
      const why = typeof code === 'string' ? code : (err as Error).message === 'Socket timeout' ? 'timeout' : 'error';
      return { ok: false, retry: true, reason: `push service ${service} unreachable: ${why}` };
    }
  }

  async close(): Promise<void> {
    if (this.ownAgent) this.agent.destroy();
  }

  /** RFC 8030: 404/410 the subscription is gone for good; 429/5xx try again later; other 4xx give up. */
  private async refused(sub: StoredPushSubscription, status: number, service: string): Promise<SendOutcome> {
    if (status >= 200 && status < 300) return { ok: true };
    if (status === 404 || status === 410) return this.gone(sub, `push service ${service} answered ${status}`);
    if (status === 429 || status >= 500) return { ok: false, retry: true, reason: `push service ${service} answered ${status}` };
    // 400 malformed, 401/403 VAPID refused (our keys: an operator's problem, not the browser's), 413 too large.
    return { ok: false, retry: false, reason: `push service ${service} answered ${status}` };
  }

  private async gone(sub: StoredPushSubscription, reason: string): Promise<SendOutcome> {
    try {
      await this.subscriptions.removePushSubscription(sub.endpoint, sub.userId);
    } catch {
      // The next attempt meets the same answer and removes it then.
      return { ok: false, retry: true, reason: `${reason}; removing the subscription failed` };
    }
    return { ok: false, retry: false, gone: true, reason };
  }

  /** The notification's tag: one per (kind, page), so a page's updates replace each other on screen. */
  private tag(m: NotifyMessage): string {
    return this.hash(m.type === 'digest' ? 'digest' : `${m.type}\n${m.pageId}`, 22);
  }

  private hash(text: string, length: number): string {
    return createHmac('sha256', this.tagKey).update(text).digest('base64url').slice(0, length);
  }
}

/** A P-256 public point and a 16-byte auth secret, as a browser makes them (RFC 8291). */
function usableKeys(keys: { p256dh: string; auth: string }): boolean {
  try {
    const point = Buffer.from(keys.p256dh, 'base64url');
    if (point.length !== 65 || point[0] !== 4 || Buffer.from(keys.auth, 'base64url').length !== 16) return false;
    // Throws unless the point is on the curve.
    const probe = createECDH('prime256v1');
    probe.generateKeys();
    probe.computeSecret(point);
    return true;
  } catch {
    return false;
  }
}

/** The push service's host, for reasons and logs: the rest of the endpoint is the capability. */
function serviceOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return 'unknown';
  }
}
