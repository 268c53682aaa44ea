import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics, one registry per server instance so tests can run several. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  /** Reads the queue when /metrics is scraped (the job runner sets it): the queue is the cluster's, in the database. */
  let queuedSource: (() => Promise<Partial<Record<string, number>>>) | null = null;
  const notificationsQueued = new Gauge({
    name: 'care_notifications_queued',
    help: 'Jobs waiting in the shared queue (this cluster), by channel: email, push, webhook, and cause (changes not yet expanded into deliveries)',
    labelNames: ['channel'],
    registers: [registry],
    async collect() {
      if (!queuedSource) return;
      const queued = await queuedSource().catch(() => null);
      if (!queued) return;
      this.reset();
      for (const channel of ['cause', 'webhook', 'email', 'push']) this.set({ channel }, queued[channel] ?? 0);
    },
  });
  return {
    registry,
    sockets: new Gauge({ name: 'care_connected_sockets', help: 'Connected sockets on this node', registers: [registry] }),
    handshakesRefused: new Counter({ name: 'care_handshakes_refused_total', help: 'Refused socket handshakes', labelNames: ['code'], registers: [registry] }),
    calls: new Counter({ name: 'care_calls_total', help: 'Client calls by event and outcome', labelNames: ['event', 'outcome'], registers: [registry] }),
    callSeconds: new Histogram({
      name: 'care_call_duration_seconds',
      help: 'Time from a client call to its acknowledgement',
      labelNames: ['event'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    webhookDeliveries: new Counter({
      name: 'care_webhook_deliveries_total',
      help: 'Webhook notifications by outcome: delivered, retried (an attempt failed, another follows), failed (gave up), dropped (queue full)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    notifications: new Counter({
      name: 'care_notifications_total',
      help: 'Notification deliveries by channel (email, push, webhook) and outcome: sent, failed (gave up), retried (an attempt failed, another follows), deferred (the recipient\'s hourly limit, postponed), skipped (the recipient\'s choice changed since it was queued: not sent)',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    }),
    notificationsQueued,
    /** Where `care_notifications_queued` reads the queue from (jobs/runner.ts). */
    setQueuedSource(source: () => Promise<Partial<Record<string, number>>>) {
      queuedSource = source;
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
