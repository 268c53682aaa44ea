import { performance } from 'node:perf_hooks';
import type { ClientEventName } from '../../../src/protocol/index.js';
import type { TokenVerifier } from '../auth/tokens.js';
import { CareFailure, toFailure } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { Actor } from '../pages/audit.js';
import { rooms } from '../pages/rooms.js';
import { InviteService } from '../pages/invites.js';
import type { NotifyChannels } from '../notify/availability.js';
import { PushHosts } from '../notify/push-hosts.js';
import { NotifyPrefsService } from '../notify/prefs.js';
import type { PageService } from '../pages/service.js';
import { PageSettingsService } from '../pages/settings.js';
import { eventScope, retryMessage, type RateLimiter } from './rate-limit.js';
import { armExpiry } from './session.js';
import type { CareSocket } from './types.js';
import { mediaUrls } from '../media/urls.js';
import { parsePayload, type Payload } from './validation.js';

type Run<E extends ClientEventName> = (payload: Payload<E>, actor: Actor, socket: CareSocket) => Promise<object | void>;
type Listener = (this: CareSocket, ...args: unknown[]) => void;

/**
 * Builds, once per server, one listener per client event, each running the call through one
 * wrapper: it checks the call's shape, refuses an expired session, validates, runs, and always
 * acknowledges, so a bad call gets a clear error and never an exception that could take the
 * process down. The listeners are shared by every socket (Socket.IO calls them with the socket
 * as `this`): per-socket closures cost ~2.4 KB of heap per connection (BENCHMARKS.md).
 * Returns the function that wires a new socket.
 */
export function createHandlers(
  service: PageService,
  verifier: TokenVerifier,
  metrics: Metrics,
  limiter?: RateLimiter,
  /** What the backend can send (SPEC 6.2); none when absent. */
  channels: NotifyChannels = { email: false, push: false, vapidPublicKey: null, pushHosts: new PushHosts() },
): (socket: CareSocket) => void {
  const listeners: [ClientEventName, Listener][] = [];
  const on = <E extends ClientEventName>(event: E, run: Run<E>) => {
    listeners.push([
      event,
      function (this: CareSocket, ...args: unknown[]) {
        const socket = this;
        const ack = args.at(-1);
        if (typeof ack !== 'function') return; // Nobody to answer; the protocol requires an ack.
        const started = performance.now();
        void (async () => {
          let result: object;
          try {
            // Counted before anything else, so a flood of garbage is limited like any other.
            const scope = limiter && eventScope(event);
            if (scope) {
              const wait = await limiter.call(scope, socket.data.identity?.userId ?? null, socket.data.ip);
              if (wait !== null) throw new CareFailure('rate_limited', retryMessage(wait));
            }
            if (args.length !== 2) throw new CareFailure('invalid', `${event} takes exactly one payload and an acknowledgement.`);
            if (socket.data.expired && event !== 'session:refresh') throw new CareFailure('unauthorized', 'Your session expired; refresh the token.');
            const payload = parsePayload(event, args[0]);
            const value = await run(payload, { identity: socket.data.identity, ip: socket.data.ip }, socket);
            result = { ok: true, ...(value ?? {}) };
          } catch (err) {
            if (!(err instanceof CareFailure)) console.error(`[care] ${event} failed:`, err);
            result = toFailure(err);
          }
          metrics.calls.inc({ event, outcome: 'ok' in result && result.ok ? 'ok' : (result as { error: { code: string } }).error.code });
          metrics.callSeconds.observe({ event }, (performance.now() - started) / 1000);
          try {
            (ack as (r: object) => void)(result);
          } catch {
            // The client went away between call and answer.
          }
        })();
      },
    ]);
  };

  on('page:subscribe', (p, actor, socket) => service.subscribe(socket, actor, p));
  on('page:unsubscribe', async (p, _actor, socket) => service.unsubscribe(socket, p.pageId));
  on('journal:post', async (p, actor) => ({ entry: await service.postJournal(actor, p) }));
  on('journal:edit', async (p, actor) => ({ entry: await service.editJournal(actor, p) }));
  on('journal:delete', (p, actor) => service.deleteJournal(actor, p));
  on('wall:post', async (p, actor) => ({ message: await service.postWall(actor, p) }));
  on('wall:heart', (p, actor) => service.heart(actor, p));
  on('wall:hide', async (p, actor) => ({ message: await service.hideWall(actor, p) }));
  on('wall:delete', (p, actor) => service.deleteWall(actor, p));
  on('wall:approve', async (p, actor) => ({ message: await service.approveWall(actor, p) }));
  on('follow:set', (p, actor, socket) => service.setFollow(socket, actor, p));
  on('follow:decide', async (p, actor) => ({ state: await service.decideFollow(actor, p) }));
  on('follow:remove', (p, actor) => service.removeFollower(actor, p));
  on('history:load', (p, actor) => service.history(actor, p));
  // SPEC 6.1. A feature switched off (CARE_FEATURES) has no listeners at all, exactly like a
  // first-wave backend: its events go unanswered.
  if (service.has('settings')) {
    const settings = new PageSettingsService(service);
    on('page:settings', async (p, actor) => ({ settings: await settings.view(actor, p) }));
    on('page:configure', async (p, actor) => ({ page: await settings.configure(actor, p) }));
    on('member:remove', (p, actor) => settings.removeEditor(actor, p));
    on('follow:unblock', (p, actor) => settings.unblock(actor, p));
  }
  if (service.has('invites')) {
    const invites = new InviteService(service);
    on('invite:create', async (p, actor) => ({ invite: await invites.create(actor, p) }));
    on('invite:revoke', (p, actor) => invites.revoke(actor, p));
    on('invite:accept', (p, actor, socket) => invites.accept(socket, actor, p));
  }
  if (service.has('notify')) {
    const notify = new NotifyPrefsService(service, channels);
    on('notify:get', (p, actor) => notify.get(actor, p));
    on('notify:set', (p, actor) => notify.set(actor, p));
    on('push:subscribe', (p, actor) => notify.subscribePush(actor, p));
    on('push:unsubscribe', (p, actor) => notify.unsubscribePush(actor, p));
  }
  // SPEC 6.3: hearts and comments on journal entries.
  const social = service.social;
  if (social) {
    on('journal:heart', (p, actor) => social.heart(actor, p));
    on('journal:comment', async (p, actor) => ({ comment: await social.comment(actor, p) }));
    on('journal:comment-delete', (p, actor) => social.delete(actor, p));
    on('journal:comment-hide', async (p, actor) => ({ comment: await social.hide(actor, p) }));
    on('journal:comment-approve', async (p, actor) => ({ comment: await social.approve(actor, p) }));
  }
  // SPEC 6.4: the planner.
  const planner = service.planner;
  if (planner) {
    on('task:create', (p, actor) => planner.create(actor, p));
    on('task:update', (p, actor) => planner.update(actor, p));
    on('task:cancel', (p, actor) => planner.cancel(actor, p));
    on('task:signup', (p, actor) => planner.signup(actor, p));
  }
  if (service.has('media') && service.media) {
    const media = service.media;
    on('media:urls', async (p, actor) => ({ media: await mediaUrls(service, media, actor, p) }));
  }
  on('session:refresh', async (p, _actor, socket) => {
    const current = socket.data.identity;
    if (!current) throw new CareFailure('invalid', 'This connection is anonymous; reconnect with the token to sign in.');
    const next = await verifier.verify(p.token);
    if (next.userId !== current.userId) throw new CareFailure('invalid', 'The token is for another user; reconnect to switch users.');
    socket.data.identity = next;
    socket.data.expired = false;
    void socket.join(rooms.user(next.userId));
    armExpiry(socket, (s) => void service.presence.expire(s));
    // The new claims may grant or take away rights: rooms follow before the answer.
    await service.identityChanged(socket);
    return { exp: next.exp };
  });

  // One catch-all listener for every socket, the same function for all: fifteen `socket.on`
  // registrations gave each socket its own fifteen-key listener table (with the shared
  // expiry timer and the token no longer kept, 13.0 → 11.6 KB of heap per subscribed socket,
  // BENCHMARKS.md). Socket.IO calls `onAny` listeners with the socket as `this` and the
  // event's name first; names of no client event are ignored, as they were without a listener.
  const byEvent = new Map<string, Listener>(listeners);
  const dispatch = function (this: CareSocket, event: unknown, ...args: unknown[]) {
    if (typeof event === 'string') byEvent.get(event)?.apply(this, args);
  };
  return (socket) => void socket.onAny(dispatch);
}
