import type { Config } from '../config.js';
import type { Metrics } from '../metrics.js';
import type { NotifyMessage, NotifySettings } from '../notify/contract.js';
import { EmailChannel, smtpTransport, type MailTransport } from '../notify/email.js';
import type { NotifyLinks } from '../notify/links.js';
import { PushChannel, type PushSubscriptionStore } from '../notify/push.js';
import { SERVER_FEATURES } from '../pages/features.js';
import { DEFAULT_WEBHOOK_DELIVERY, WebhookChannel } from '../webhook.js';
import { JobRunner, webhookTuning, type Channels, type JobRunnerStore } from './runner.js';

/**
 * The channels this node sends through, from its configuration: the one place a channel is
 * added (one line each). `extra` (tests, embedders) adds or replaces channels.
 */
export function notifyChannels(
  config: Config,
  settings: NotifySettings,
  parts: { links: NotifyLinks | null; subscriptions: PushSubscriptionStore; mailbox: MailTransport | null },
  extra: Channels = {},
): Channels {
  const webhookDelivery = { ...DEFAULT_WEBHOOK_DELIVERY, ...config.webhookDelivery };
  // SMTP when configured; in demo mode without it, the local mailbox (`/demo/mailbox`).
  const mail = settings.smtpUrl ? smtpTransport(settings.smtpUrl) : parts.mailbox;
  // Email and push carry signed links: without a link secret (settings.ts refuses SMTP
  // without one outside demo mode) neither is built.
  const links = parts.links;
  return {
    webhook: config.webhookUrl ? new WebhookChannel({ url: config.webhookUrl, secret: config.webhookSecret ?? '', timeoutMs: webhookDelivery.timeoutMs }) : null,
    email: mail && links ? new EmailChannel(mail, settings, links) : null,
    push: settings.vapid && links ? new PushChannel(settings.vapid, parts.subscriptions, openUrl(links), { hosts: settings.pushHosts }) : null,
    ...extra,
  };
}

/** The signed link back for a message: its page (a digest's first page). */
export const openUrl =
  (links: NotifyLinks) =>
  (m: NotifyMessage): string =>
    m.type === 'digest' ? (m.pages[0] ? links.open(m.pages[0].pageId) : links.pageUrl('')) : links.open(m.pageId);

/** The node's job runner over the storage, with the webhook's tuning from `webhookDelivery`. */
export function createJobRunner(storage: JobRunnerStore, config: Config, settings: NotifySettings, channels: Channels, metrics?: Metrics): JobRunner {
  const webhookDelivery = { ...DEFAULT_WEBHOOK_DELIVERY, ...config.webhookDelivery };
  return new JobRunner(storage, {
    channels,
    settings,
    metrics,
    // No planner (CARE_FEATURES), no reminders, whatever tasks the database still holds.
    reminders: (config.features ?? SERVER_FEATURES).includes('planner'),
    clock: config.clock,
    webhookMaxQueue: webhookDelivery.maxQueue,
    tuning: { ...config.jobTuning, webhook: { ...webhookTuning(webhookDelivery), ...config.jobTuning?.webhook } },
  });
}
