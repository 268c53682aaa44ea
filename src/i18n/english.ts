/**
 * English counts, plurals, relative and exact times written by hand, exactly as `Intl` writes
 * them (test/browser/i18n-english.test.ts compares them over a range of values).
 *
 * Why (issue 12): the first `Intl.RelativeTimeFormat`, `Intl.NumberFormat` or
 * `Intl.DateTimeFormat` of a page loads ICU locale data, 50–140 ms in Chromium, 150–700 ms at
 * 4× CPU throttle: each alone is a long task on the patient's page, and a first render used to
 * build all three. English is the demo's language and most visitors'; for the tags below the
 * widgets build no `Intl` object at all. Every other language uses `Intl` as before (time.ts,
 * index.ts), and any value these functions do not cover returns `null`, so the caller uses it
 * too.
 */

/** Tags whose numbers, plural categories and relative times are the same as `en` in `Intl`. */
const SAME_AS_EN = new Set(['en', 'en-US', 'en-GB', 'en-CA', 'en-AU']);
/** Tags whose `{ dateStyle: 'full', timeStyle: 'short' }` is `en`'s (en-GB and others order the date differently). */
const EXACT_AS_EN = new Set(['en', 'en-US']);

/** `1,234,567` for a safe integer; `null` for another tag or a fraction. */
export function englishCount(n: number, tag: string): string | null {
  if (!SAME_AS_EN.has(tag) || !Number.isSafeInteger(n)) return null;
  const digits = String(Math.abs(n));
  let out = '';
  for (let i = digits.length; i > 0; i -= 3) out = digits.slice(Math.max(0, i - 3), i) + (out ? `,${out}` : '');
  return n < 0 ? `-${out}` : out;
}

/** English has two cardinal categories for integers: 1 (and -1) is `one`, every other is `other`. */
export function englishPlural(n: number, tag: string): 'one' | 'other' | null {
  return SAME_AS_EN.has(tag) && Number.isSafeInteger(n) ? (Math.abs(n) === 1 ? 'one' : 'other') : null;
}

type Unit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

/** The words `numeric: 'auto'` uses for -1, 0 and 1 of a unit, where it has any. */
const NAMED: Partial<Record<Unit, [string, string, string]>> = {
  second: ['1 second ago', 'now', 'in 1 second'],
  minute: ['1 minute ago', 'this minute', 'in 1 minute'],
  hour: ['1 hour ago', 'this hour', 'in 1 hour'],
  day: ['yesterday', 'today', 'tomorrow'],
  week: ['last week', 'this week', 'next week'],
  month: ['last month', 'this month', 'next month'],
  year: ['last year', 'this year', 'next year'],
};

/** `Intl.RelativeTimeFormat(tag, { numeric: 'auto' }).format(value, unit)` for integers. */
export function englishRelative(value: number, unit: Unit, tag: string): string | null {
  const count = englishCount(Math.abs(value), tag);
  if (count === null) return null;
  if (value >= -1 && value <= 1) return NAMED[unit]![value + 1]!;
  const units = `${count} ${unit}s`;
  return value < 0 ? `${units} ago` : `in ${units}`;
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** `Intl.DateTimeFormat(tag, { dateStyle: 'full', timeStyle: 'short' })` in local time: "Tuesday, December 1, 2026 at 8:43 PM". */
export function englishExact(date: Date, tag: string): string | null {
  const year = date.getFullYear();
  if (!EXACT_AS_EN.has(tag) || !(year >= 1000 && year <= 9999)) return null;
  const h = date.getHours();
  const minutes = String(date.getMinutes()).padStart(2, '0');
  return `${DAYS[date.getDay()]}, ${MONTHS[date.getMonth()]} ${date.getDate()}, ${year} at ${h % 12 || 12}:${minutes} ${h < 12 ? 'AM' : 'PM'}`;
}
