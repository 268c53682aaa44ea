import type { TaskRepeat } from './model.js';

/*
 * Calendar dates of the planner (SPEC 6.4), shared by the widget and the server. A task's
 * date is a wall-clock day in the hospital's time zone, written `YYYY-MM-DD`: arithmetic on
 * it is done on UTC midnights, where every day has 24 hours, so no daylight-saving change can
 * move a task to another day.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DAY_MS = 86_400_000;

/** A real calendar day (`2026-02-30` is not), between years 2000 and 9999. */
export function isCalendarDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 2000 || mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

/** `HH:MM`, 00:00–23:59. */
export function isClockTime(s: string): boolean {
  return TIME.test(s);
}

/** The UTC midnight of a `YYYY-MM-DD` day (milliseconds). */
export function dayMs(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

/** `YYYY-MM-DD` of a UTC midnight (or any time that day, UTC). */
export function dateOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return dateOf(dayMs(date) + days * DAY_MS);
}

/** Whole days from `a` to `b` (negative when `b` is earlier). */
export function daysBetween(a: string, b: string): number {
  return Math.round((dayMs(b) - dayMs(a)) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday, as `Date.getUTCDay`. */
export function weekdayOf(date: string): number {
  return new Date(dayMs(date)).getUTCDay();
}

/** Today's date in an IANA time zone (the hospital's `CARE_TIMEZONE`), at `now`. */
export function todayIn(timeZone: string, now: number = Date.now()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(now));
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/**
 * The dates of a repeating task: `first`, then every day, weekday (Monday–Friday) or week
 * until `repeat.until` inclusive, at most `max` of them. A weekday series starting on a
 * weekend day starts with that day, as the family asked for it.
 */
export function occurrences(first: string, repeat: TaskRepeat | undefined, max: number): string[] {
  const out = [first];
  if (!repeat) return out;
  const step = repeat.every === 'week' ? 7 : 1;
  for (let d = addDays(first, step); d <= repeat.until && out.length < max; d = addDays(d, step)) {
    if (repeat.every === 'weekday' && (weekdayOf(d) === 0 || weekdayOf(d) === 6)) continue;
    out.push(d);
  }
  return out;
}
