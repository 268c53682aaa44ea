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
 * `reconnectionDelay · 2ⁿ`, moved by up to `randomizationFactor` of itself either way, and
 * capped at `reconnectionDelayMax`.
 *
 * Measured in `npm run bench` (bench/connects.ts, the reconnect storm: 10,000 subscribed
 * sockets whose server is killed and restarted): Socket.IO's defaults (1 s ± 50 %, so every
 * first attempt within 0.5–1.5 s, then 2 s ± 50 %, capped at 5 s) send the whole crowd at a
 * restarting server in one second; with full jitter (randomizationFactor 1) over a wider first
 * window the same crowd arrives spread out. See BENCHMARKS.md for the numbers behind the choice.
 */
export const RECONNECT = {
  reconnectionDelay: 2_500,
  reconnectionDelayMax: 10_000,
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
