import type { CareSocket } from './types.js';

/** setTimeout's longest delay; a later second is waited for in steps. */
const MAX_DELAY = 2_147_483_647;

/*
 * Sockets by the second their token expires, and one timer for the earliest of those seconds.
 * A timer per socket (as before) held a Timeout and a closure for every signed-in connection;
 * a bucket holds a map entry (memory per socket, BENCHMARKS.md).
 */
const buckets = new Map<number, Map<CareSocket, (s: CareSocket) => void>>();
/** The second each armed socket's bucket is. */
const armedAt = new WeakMap<CareSocket, number>();
let timer: NodeJS.Timeout | undefined;
let timerAt = Infinity;

function schedule(): void {
  let next = Infinity;
  for (const second of buckets.keys()) if (second < next) next = second;
  if (next === timerAt) return;
  clearTimeout(timer);
  timerAt = next;
  if (next === Infinity) return;
  timer = setTimeout(fire, Math.max(0, Math.min(next * 1000 - Date.now(), MAX_DELAY)));
  timer.unref();
}

function fire(): void {
  timerAt = Infinity;
  const now = Date.now();
  for (const [second, sockets] of buckets) {
    if (second * 1000 > now) continue;
    buckets.delete(second);
    for (const [socket, onExpire] of sockets) {
      armedAt.delete(socket);
      onExpire(socket);
    }
  }
  schedule();
}

/**
 * Schedules the moment a socket's token expires; `onExpire` (Presence.expire) then takes
 * it out of every room and tells it `session:expired`, and every call but
 * `session:refresh` answers `unauthorized`. Arming again (a refreshed token) replaces it.
 */
export function armExpiry(socket: CareSocket, onExpire: (s: CareSocket) => void): void {
  disarmExpiry(socket);
  const exp = socket.data.identity?.exp;
  if (!exp) return;
  let bucket = buckets.get(exp);
  if (!bucket) buckets.set(exp, (bucket = new Map()));
  bucket.set(socket, onExpire);
  armedAt.set(socket, exp);
  if (exp < timerAt) schedule();
}

export function disarmExpiry(socket: CareSocket): void {
  const second = armedAt.get(socket);
  if (second === undefined) return;
  armedAt.delete(socket);
  const bucket = buckets.get(second);
  bucket?.delete(socket);
  if (bucket?.size === 0) {
    buckets.delete(second);
    if (second === timerAt) schedule();
  }
}
