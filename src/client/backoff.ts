/**
 * The one retry schedule of the client: 1 s, 2 s, 4 s … up to `max`, each delay shortened by
 * up to a fifth at random, so that the widgets of many visitors whose server restarted do not
 * all come back in the same instant (a reconnect storm).
 */
export function backoff(attempt: number, max = 30_000): number {
  const delay = Math.min(max, 1_000 * 2 ** Math.min(attempt, 15));
  return delay - Math.random() * delay * 0.2;
}

/**
 * How the connection comes back after it dropped (the server restarted, the network went):
 * Socket.IO's own reconnection, with these Manager options. Its delay for attempt `n` is
 * `reconnectionDelay · 2ⁿ`, moved at random by up to `randomizationFactor` of itself either
 * way, and capped at `reconnectionDelayMax`.
 *
 * Socket.IO's defaults move each delay by ±50 %: every visitor of a server that went down
 * makes its first attempt within the same second (0.5–1.5 s after the drop). With full jitter
 * (factor 1) the first attempt falls anywhere in 0–2 s, the second in 0–4 s, so a restarting
 * server meets a spread crowd; the scale and the 5 s cap stay Socket.IO's, because a longer
 * cap (a 2.5 s base and 10 s cap were measured) left the last visitors waiting longer without
 * the server getting through the crowd any sooner. Measured in `npm run bench`
 * (bench/connects.ts, the reconnect storm; BENCHMARKS.md).
 */
export const RECONNECT = {
  reconnectionDelay: 1_000,
  reconnectionDelayMax: 5_000,
  randomizationFactor: 1,
} as const;

/**
 * The delay before retrying after the server closed the connection itself or refused the
 * handshake (Socket.IO does not retry those on its own): full jitter over `windowMs`, so a
 * server that sent everyone away at once does not get everyone back at once.
 */
export function jittered(windowMs: number): number {
  return Math.random() * windowMs;
}
