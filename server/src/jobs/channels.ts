import type { Config } from '../config.js';
import type { Metrics } from '../metrics.js';
import type { NotifySettings } from '../notify/contract.js';
import type { JobsStorage } from '../storage/jobs-storage.js';
import { DEFAULT_WEBHOOK_DELIVERY, WebhookChannel } from '../webhook.js';
import { JobRunner, webhookTuning, type Channels } from './runner.js';

/**
 * The channels this node sends through, from its configuration: the one place a channel is
 * added (one line each). `extra` (tests, embedders) adds or replaces channels.
 */
export function notifyChannels(config: Config, settings: NotifySettings, extra: Channels = {}): Channels {
  const webhookDelivery = { ...DEFAULT_WEBHOOK_DELIVERY, ...config.webhookDelivery };
  void settings; // email (settings.smtpUrl) and push (settings.vapid) are added here.
  return {
    webhook: config.webhookUrl ? new WebhookChannel({ url: config.webhookUrl, secret: config.webhookSecret ?? '', timeoutMs: webhookDelivery.timeoutMs }) : null,
    email: null,
    push: null,
    ...extra,
  };
}

/** The node's job runner over the storage, with the webhook's tuning from `webhookDelivery`. */
export function createJobRunner(storage: JobsStorage, config: Config, settings: NotifySettings, channels: Channels, metrics?: Metrics): JobRunner {
  const webhookDelivery = { ...DEFAULT_WEBHOOK_DELIVERY, ...config.webhookDelivery };
  return new JobRunner(storage, {
    channels,
    settings,
    metrics,
    clock: config.clock,
    webhookMaxQueue: webhookDelivery.maxQueue,
    tuning: { ...config.jobTuning, webhook: { ...webhookTuning(webhookDelivery), ...config.jobTuning?.webhook } },
  });
}
