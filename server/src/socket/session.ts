import type { CareSocket } from './types.js';

const timers = new WeakMap<CareSocket, NodeJS.Timeout>();
/** setTimeout's longest delay; a longer-lived token is re-armed when it fires. */
const MAX_DELAY = 2_147_483_647;

/**
 * Schedules the moment a socket's token expires; `onExpire` (Presence.expire) then takes
 * it out of every room and tells it `session:expired`, and every call but
 * `session:refresh` answers `unauthorized`.
 */
export function armExpiry(socket: CareSocket, onExpire: (s: CareSocket) => void): void {
  clearTimeout(timers.get(socket));
  const exp = socket.data.identity?.exp;
  if (!exp) return;
  const delay = exp * 1000 - Date.now();
  const timer = setTimeout(() => {
    if (exp * 1000 > Date.now()) armExpiry(socket, onExpire);
    else onExpire(socket);
  }, Math.max(0, Math.min(delay, MAX_DELAY)));
  timer.unref();
  timers.set(socket, timer);
}

export function disarmExpiry(socket: CareSocket): void {
  clearTimeout(timers.get(socket));
  timers.delete(socket);
}
