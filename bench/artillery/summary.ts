/**
 * Reads the JSON report of one `artillery run --output` (its `aggregate`) and the server's CPU
 * time into the numbers the side-by-side table compares, then renders that table.
 */

interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface ArtilleryReport {
  aggregate: {
    counters: Record<string, number>;
    summaries: Record<string, Summary>;
    firstMetricAt: number;
    lastMetricAt: number;
    firstHistogramAt?: number;
    lastHistogramAt?: number;
  };
}

export interface RunFigures {
  /** Acknowledged `{ ok: true }` calls by event. */
  acked: { post: number; subscribe: number };
  post: Summary | null;
  subscribe: Summary | null;
  /** Acknowledged posts per second between the first and the last recorded ack. */
  postsPerSecond: number;
  /**
   * `{ ok: false }` answers by `<event>.<code>`, ack timeouts by `timeout.<event>`, calls not sent
   * on a dropped socket by `not_sent.<event>`, drops by `disconnect.<reason>`, Artillery's own `errors.*`.
   */
  errors: Record<string, number>;
  vusers: { created: number; completed: number; failed: number };
  /** `wall:message` events received by all virtual users (the fan-out of others' posts). */
  received: number;
  /** Server process CPU time (user + system) during the run, per acknowledged post. */
  cpuMsPerPost: number;
  serverCpuMs: number;
  serverRssBytes: number;
  /** The server's event-loop delay during the run (ms), see target.ts. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export function figures(report: ArtilleryReport, server: { cpuMs: number; rssBytes: number; loopDelayP99Ms?: number; loopDelayMaxMs?: number }): RunFigures {
  const { counters, summaries } = report.aggregate;
  const errors: Record<string, number> = {};
  for (const [name, n] of Object.entries(counters)) {
    if (!n) continue;
    if (name.startsWith('care.ack.error.')) errors[name.slice('care.ack.error.'.length)] = n;
    else if (name.startsWith('care.ack.timeout.')) errors[`timeout.${name.slice('care.ack.timeout.'.length)}`] = n;
    else if (name.startsWith('care.ack.not_sent.')) errors[`not_sent.${name.slice('care.ack.not_sent.'.length)}`] = n;
    else if (name.startsWith('care.socket.disconnect.')) errors[`disconnect.${name.slice('care.socket.disconnect.'.length)}`] = n;
    else if (name.startsWith('errors.')) errors[name] = n;
  }
  const posts = counters['care.ack.ok.wall_post'] ?? 0;
  const from = report.aggregate.firstHistogramAt ?? report.aggregate.firstMetricAt;
  const to = report.aggregate.lastHistogramAt ?? report.aggregate.lastMetricAt;
  return {
    acked: { post: posts, subscribe: counters['care.ack.ok.page_subscribe'] ?? 0 },
    post: summaries['care.ack.wall_post'] ?? null,
    subscribe: summaries['care.ack.page_subscribe'] ?? null,
    postsPerSecond: to > from ? posts / ((to - from) / 1000) : 0,
    errors,
    vusers: { created: counters['vusers.created'] ?? 0, completed: counters['vusers.completed'] ?? 0, failed: counters['vusers.failed'] ?? 0 },
    received: counters['care.wall_message.received'] ?? 0,
    cpuMsPerPost: posts > 0 ? server.cpuMs / posts : Number.NaN,
    serverCpuMs: server.cpuMs,
    serverRssBytes: server.rssBytes,
    loopDelayP99Ms: server.loopDelayP99Ms ?? Number.NaN,
    loopDelayMaxMs: server.loopDelayMaxMs ?? Number.NaN,
  };
}

const errorCount = (f: RunFigures) => Object.values(f.errors).reduce((a, b) => a + b, 0);

const num = (n: number, digits: number) => (Number.isFinite(n) ? n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–');
const ratio = (ours: number, base: number) => (Number.isFinite(ours) && Number.isFinite(base) && base > 0 ? `${(ours / base).toFixed(2)}×` : '–');

/** The side-by-side markdown table: reference server, bare baseline, ratio (ours / baseline). */
export function table(care: RunFigures, bare: RunFigures): string {
  /** label, reference server, baseline, decimals shown. */
  const rows: [string, number, number, number][] = [];
  const latency = (label: string, pick: (f: RunFigures) => Summary | null) => {
    for (const q of ['p50', 'p95', 'p99'] as const) rows.push([`${label} ack ${q} (ms)`, pick(care)?.[q] ?? Number.NaN, pick(bare)?.[q] ?? Number.NaN, 1]);
  };
  latency('`wall:post`', (f) => f.post);
  latency('`page:subscribe`', (f) => f.subscribe);
  rows.push(['acknowledged posts', care.acked.post, bare.acked.post, 0]);
  rows.push(['acknowledged posts per second (first to last ack)', care.postsPerSecond, bare.postsPerSecond, 0]);
  rows.push(['`wall:message` events received', care.received, bare.received, 0]);
  rows.push(['errors (refusals, timeouts, drops, connect failures)', errorCount(care), errorCount(bare), 0]);
  rows.push(['virtual users completed / created', care.vusers.completed, bare.vusers.completed, 0]);
  rows.push(['server CPU time per acknowledged post (ms; all of the run, connects included)', care.cpuMsPerPost, bare.cpuMsPerPost, 2]);
  rows.push(['server event-loop delay p99 (ms)', care.loopDelayP99Ms, bare.loopDelayP99Ms, 0]);
  rows.push(['server event-loop delay max (ms)', care.loopDelayMaxMs, bare.loopDelayMaxMs, 0]);
  rows.push(['server RSS at the end (MB)', care.serverRssBytes / 2 ** 20, bare.serverRssBytes / 2 ** 20, 0]);
  const lines = ['| measure | reference server | bare Socket.IO | ratio |', '| --- | --- | --- | --- |'];
  for (const [label, ours, base, digits] of rows) {
    const cell = (n: number, f: RunFigures) => (label.startsWith('virtual users') ? `${num(n, 0)} / ${num(f.vusers.created, 0)}` : num(n, digits));
    lines.push(`| ${label} | ${cell(ours, care)} | ${cell(base, bare)} | ${ratio(ours, base)} |`);
  }
  const errorList = (f: RunFigures) => Object.entries(f.errors).map(([k, n]) => `${k} ×${n}`).join(', ') || 'none';
  lines.push('', `Errors, reference server: ${errorList(care)}. Bare: ${errorList(bare)}.`);
  return lines.join('\n');
}
