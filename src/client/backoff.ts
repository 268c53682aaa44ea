/**
 * The one retry schedule of the client: 1 s, 2 s, 4 s … up to `max`, each delay shortened by
 * up to a fifth at random, so that the widgets of many visitors whose server restarted do not
 * all come back in the same instant (a reconnect storm).
 */
export function backoff(attempt: number, max = 30_000): number {
  const delay = Math.min(max, 1_000 * 2 ** Math.min(attempt, 15));
  return delay - Math.random() * delay * 0.2;
}
