import { z } from 'zod';
import { daysBetween, isCalendarDate, isClockTime, LIMITS, TASK_KINDS, type ClientEventName, type ClientToServerEvents } from '../../../src/protocol/index.js';
import { CareFailure } from '../errors.js';
import { isWellFormed, NOT_WELL_FORMED } from '../unicode.js';

/** A page id, wherever one arrives: socket payloads and the admin API's `:id`. */
export const pageId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'must be a page id');
const itemId = z.string().min(1).max(LIMITS.idMax).regex(/^[A-Za-z0-9_.:-]+$/, 'must be an id');
/** No lone surrogates: they would be stored as U+FFFD, not as acknowledged (see unicode.ts). For socket and REST text alike. */
export const wellFormed = <T extends z.ZodString>(s: T) => s.refine(isWellFormed, NOT_WELL_FORMED);
/** A user id, wherever one arrives: socket payloads and the admin API's member lists. */
export const userId = wellFormed(z.string().min(1).max(LIMITS.idMax));
const clientId = z.string().min(1).max(LIMITS.clientIdMax).regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, _ or -');
/** Text must say something; its length limit is checked on the text as sent. */
const text = (max: number) => wellFormed(z.string().max(max)).refine((s) => s.trim().length > 0, 'must not be empty');
/**
 * Photos of a post or an edit (SPEC 6.3): at most `mediaPerEntry`, each an uploaded id once,
 * with alt text (1–300 characters, trimmed; required: every photo is described).
 */
const mediaRefs = z
  .array(z.strictObject({ id: itemId, alt: wellFormed(z.string().trim().min(1, 'must describe the photo (alt text)').max(LIMITS.altMax)) }))
  .max(LIMITS.mediaPerEntry)
  .refine((refs) => new Set(refs.map((r) => r.id)).size === refs.length, 'must name each photo once');
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/*
 * SPEC 6.4, the planner. Dates are calendar days (`YYYY-MM-DD`) and times wall-clock `HH:MM`
 * in the hospital's zone; whether a date is too far in the past or future depends on the
 * hospital's today, which the planner service checks.
 */
const calendarDate = z.string().refine(isCalendarDate, 'must be a date written YYYY-MM-DD');
const clockTime = z.string().refine(isClockTime, 'must be a time written HH:MM (00:00–23:59)');
const taskKind = z.enum(TASK_KINDS as [string, ...string[]]) as z.ZodType<(typeof TASK_KINDS)[number]>;
const slots = z.number().int().min(1).max(LIMITS.taskSlotsMax);
const taskDetails = wellFormed(z.string().max(LIMITS.taskDetailsMax));
const endAfterStart = (t: { start?: string | null; end?: string | null }) => t.end == null || (t.start != null && t.end > t.start);
const END_AFTER_START = 'end needs a start and must be after it';
const taskDraft = z
  .strictObject({ kind: taskKind, title: text(LIMITS.taskTitleMax), date: calendarDate, start: clockTime.optional(), end: clockTime.optional(), slots, details: taskDetails.optional() })
  .refine(endAfterStart, { message: END_AFTER_START, path: ['end'] });
const taskRepeat = z.strictObject({ every: z.enum(['day', 'weekday', 'week']), until: calendarDate });
/** Far longer than any push service's endpoint (a few hundred characters at most). */
const PUSH_ENDPOINT_MAX = 2048;

function isHttpsUrl(s: string): boolean {
  try {
    return new URL(s).protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * One strict schema per client event. `strictObject` refuses unknown keys, which covers the
 * prototype-pollution keys `__proto__`, `constructor` and `prototype` that `JSON.parse`
 * turns into ordinary own properties.
 */
export const schemas = {
  'page:subscribe': z.strictObject({ pageId, since: seq.optional() }),
  'page:unsubscribe': z.strictObject({ pageId }),
  'journal:post': z.strictObject({ pageId, clientId, title: text(LIMITS.titleMax), body: text(LIMITS.journalBodyMax), media: mediaRefs.optional() }),
  'journal:edit': z.strictObject({ pageId, entryId: itemId, title: text(LIMITS.titleMax), body: text(LIMITS.journalBodyMax), media: mediaRefs.optional(), comments: z.boolean().optional() }),
  'journal:delete': z.strictObject({ pageId, entryId: itemId }),
  'wall:post': z.strictObject({ pageId, clientId, body: text(LIMITS.wallBodyMax) }),
  'wall:heart': z.strictObject({ pageId, messageId: itemId, on: z.boolean() }),
  'wall:hide': z.strictObject({ pageId, messageId: itemId, hidden: z.boolean() }),
  'wall:delete': z.strictObject({ pageId, messageId: itemId }),
  'wall:approve': z.strictObject({ pageId, messageId: itemId }),
  'follow:set': z.strictObject({ pageId, follow: z.boolean() }),
  'follow:decide': z.strictObject({ pageId, userId, approve: z.boolean() }),
  'follow:remove': z.strictObject({ pageId, userId, block: z.boolean().optional() }),
  // `entryId` names the entry whose comments `stream: 'comments'` pages through, and only then.
  'history:load': z
    .strictObject({ pageId, stream: z.enum(['journal', 'wall', 'comments', 'tasks']), entryId: itemId.optional(), before: seq, limit: z.number().int().min(1).max(LIMITS.historyLimitMax) })
    .refine((p) => (p.stream === 'comments') === (p.entryId !== undefined), { message: 'entryId is required with stream "comments", and only with it', path: ['entryId'] }),
  'session:refresh': z.strictObject({ token: z.string().min(1).max(8192) }),
  'page:settings': z.strictObject({ pageId }),
  'page:configure': z
    .strictObject({ pageId, visibility: z.enum(['public', 'members', 'private']).optional(), wallModeration: z.enum(['post', 'pre']).optional() })
    .refine((p) => p.visibility !== undefined || p.wallModeration !== undefined, 'must change visibility or wallModeration'),
  'member:remove': z.strictObject({ pageId, userId }),
  'follow:unblock': z.strictObject({ pageId, userId }),
  'invite:create': z.strictObject({
    pageId,
    role: z.enum(['follower', 'editor']),
    expiresInHours: z.number().int().min(1).max(720),
    maxUses: z.number().int().min(1).max(100),
  }),
  // Codes are base64url; the length bound keeps a forged giant string out of the lookup.
  'invite:revoke': z.strictObject({ pageId, code: z.string().min(16).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be an invitation code') }),
  'invite:accept': z.strictObject({ pageId, code: z.string().min(16).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be an invitation code') }),
  'notify:get': z.strictObject({ pageId }),
  'notify:set': z
    .strictObject({
      pageId,
      email: z.enum(['off', 'instant', 'daily']).optional(),
      push: z.boolean().optional(),
      owner: z.strictObject({ requests: z.enum(['off', 'instant']).optional(), messages: z.enum(['off', 'daily']).optional() }).optional(),
      reminders: z.boolean().optional(),
    })
    .refine((p) => p.email !== undefined || p.push !== undefined || p.owner !== undefined || p.reminders !== undefined, 'must change email, push, owner or reminders'),
  // `PushSubscription.toJSON()`: a push service's URL (https only: RFC 8030 push services; which
  // services, the handler checks against CARE_PUSH_HOSTS) and the browser's keys, base64url.
  'push:subscribe': z.strictObject({
    subscription: z.strictObject({
      endpoint: z.string().max(PUSH_ENDPOINT_MAX).refine(isHttpsUrl, "must be an https:// URL (the browser's PushSubscription.endpoint)"),
      expirationTime: z.number().nullable().optional(),
      keys: z.strictObject({
        // 65 bytes (an uncompressed P-256 point) and 16 bytes (RFC 8291), padded or not.
        p256dh: z.string().regex(/^[A-Za-z0-9_-]{87}=?$/, "must be the browser's P-256 public key: 87 base64url characters (65 bytes)"),
        auth: z.string().regex(/^[A-Za-z0-9_-]{22}(?:==)?$/, "must be the browser's auth secret: 22 base64url characters (16 bytes)"),
      }),
    }),
  }),
  'push:unsubscribe': z.strictObject({ endpoint: z.string().min(1).max(PUSH_ENDPOINT_MAX) }),
  // SPEC 6.3, feature `journal-social`: hearts and comments on journal entries.
  'journal:heart': z.strictObject({ pageId, entryId: itemId, on: z.boolean() }),
  'journal:comment': z.strictObject({ pageId, entryId: itemId, clientId, body: text(LIMITS.commentBodyMax) }),
  'journal:comment-delete': z.strictObject({ pageId, commentId: itemId }),
  'journal:comment-hide': z.strictObject({ pageId, commentId: itemId, hidden: z.boolean() }),
  'journal:comment-approve': z.strictObject({ pageId, commentId: itemId }),
  // Feature `media`: fresh signed URLs for an entry's photos.
  'media:urls': z.strictObject({ pageId, entryId: itemId }),
  // SPEC 6.4, feature `planner`.
  'task:create': z
    .strictObject({ pageId, clientId, task: taskDraft, repeat: taskRepeat.optional() })
    .refine((p) => p.repeat === undefined || p.repeat.until > p.task.date, { message: 'until must be after the task date', path: ['repeat', 'until'] })
    .refine((p) => p.repeat === undefined || daysBetween(p.task.date, p.repeat.until) <= LIMITS.taskRepeatDaysMax, {
      message: `until must be at most ${LIMITS.taskRepeatDaysMax} days after the task date`,
      path: ['repeat', 'until'],
    }),
  'task:update': z
    .strictObject({
      pageId,
      taskId: itemId,
      kind: taskKind.optional(),
      title: text(LIMITS.taskTitleMax).optional(),
      date: calendarDate.optional(),
      start: clockTime.nullable().optional(),
      end: clockTime.nullable().optional(),
      slots: slots.optional(),
      details: taskDetails.optional(),
    })
    .refine((p) => Object.keys(p).some((k) => k !== 'pageId' && k !== 'taskId'), 'must change at least one field')
    // Only when both come: an end alone is checked against the stored start by the service.
    .refine((p) => p.start === undefined || p.end === undefined || endAfterStart(p), { message: END_AFTER_START, path: ['end'] }),
  'task:cancel': z.strictObject({ pageId, taskId: itemId, note: wellFormed(z.string().max(LIMITS.cancelNoteMax)).optional() }),
  'task:signup': z.strictObject({ pageId, taskId: itemId, on: z.boolean() }),
} satisfies Record<ClientEventName, z.ZodType>;

export type Payload<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[0];

/**
 * Parses one payload; over-long text is `too_large`, anything else malformed is `invalid`,
 * with a message that names the field so an integrator can fix their call.
 */
export function parsePayload<E extends ClientEventName>(event: E, raw: unknown): Payload<E> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CareFailure('invalid', `${event} takes an object payload.`);
  }
  const result = schemas[event].safeParse(raw);
  if (result.success) return result.data as Payload<E>;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.') || 'payload';
  if (issue.code === 'too_big' && issue.origin === 'string') {
    throw new CareFailure('too_large', `${field} is longer than ${String(issue.maximum)} characters.`);
  }
  if (issue.code === 'unrecognized_keys') {
    throw new CareFailure('invalid', `${event} does not take ${issue.keys.map((k) => `"${k}"`).join(', ')}.`);
  }
  throw new CareFailure('invalid', `${field}: ${issue.message}`);
}
