import { addDays, dayMs, weekdayOf } from '../../protocol/index.js';

/*
 * The planner's dates and times in the visitor's language (SPEC 6.4). A task's date and times
 * are wall-clock values in the hospital's time zone: they are formatted as what they are, a
 * calendar day and a time of day, by giving Intl a UTC instant and `timeZone: 'UTC'`, so the
 * visitor's own zone never moves a task to another day or hour.
 */

const cache = new Map<string, Intl.DateTimeFormat>();

/** One formatter per language and options (building one costs far more than using it). */
function fmt(lang: string, key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const id = `${lang}\n${key}`;
  let f = cache.get(id);
  if (!f) cache.set(id, (f = new Intl.DateTimeFormat(lang, { ...options, timeZone: options.timeZone ?? 'UTC' })));
  return f;
}

const timeMs = (hhmm: string) => Date.UTC(2000, 0, 1, Number(hhmm.slice(0, 2)), Number(hhmm.slice(3, 5)));

/** "Tue, Dec 8" / "Di., 8. Dez.": a day heading of the upcoming view. */
export function dayHeading(date: string, lang: string): string {
  return fmt(lang, 'day', { weekday: 'short', day: 'numeric', month: 'short' }).format(dayMs(date));
}

/** "Tuesday, December 8, 2026": a day in full, for labels. */
export function dayFull(date: string, lang: string): string {
  return fmt(lang, 'full', { dateStyle: 'full' }).format(dayMs(date));
}

/** "December 2026": the month view's title; `month` is `YYYY-MM`. */
export function monthTitle(month: string, lang: string): string {
  return fmt(lang, 'month', { month: 'long', year: 'numeric' }).format(dayMs(`${month}-01`));
}

/** A day's number in the language's digits. */
export function dayNumber(date: string, lang: string): string {
  return fmt(lang, 'num', { day: 'numeric' }).format(dayMs(date));
}

/** The weekday names, short and long, for weekday 0 (Sunday) … 6. */
export function weekdayName(weekday: number, lang: string, width: 'short' | 'long'): string {
  // 2023-01-01 was a Sunday.
  return fmt(lang, `wd-${width}`, { weekday: width }).format(Date.UTC(2023, 0, 1 + weekday));
}

/** "6:00 PM" / "18:00": a time of day. */
export function clock(hhmm: string, lang: string): string {
  return fmt(lang, 'time', { hour: 'numeric', minute: '2-digit' }).format(timeMs(hhmm));
}

/** "6:00 – 7:30 PM": a time window, as the language writes a range. */
export function clockRange(start: string, end: string, lang: string): string {
  const f = fmt(lang, 'time', { hour: 'numeric', minute: '2-digit' });
  return typeof f.formatRange === 'function' ? f.formatRange(timeMs(start), timeMs(end)) : `${f.format(timeMs(start))} \u2013 ${f.format(timeMs(end))}`;
}

/** The visitor's own IANA time zone. */
export function visitorZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** A time zone's name in the language ("Eastern Time"), else its id. */
export function zoneName(zone: string, lang: string): string {
  try {
    const parts = fmt(lang, `zone-${zone}`, { timeZone: zone, timeZoneName: 'longGeneric' }).formatToParts(Date.now());
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? zone;
  } catch {
    return zone;
  }
}

/** The first day of the week in the language's region (0 Sunday … 6 Saturday); Monday when unknown. */
export function weekStart(lang: string): number {
  try {
    const l = new Intl.Locale(lang) as Intl.Locale & { getWeekInfo?: () => { firstDay: number }; weekInfo?: { firstDay: number } };
    const first = l.getWeekInfo?.().firstDay ?? l.weekInfo?.firstDay;
    return first === undefined ? 1 : first % 7;
  } catch {
    return 1;
  }
}

/** The first day of the week that holds `date`. */
export function startOfWeek(date: string, first: number): string {
  return addDays(date, -((weekdayOf(date) - first + 7) % 7));
}

/**
 * A month's grid: weeks of seven days starting on `first`, each day `YYYY-MM-DD`, or `null`
 * for a cell before the 1st or after the last day.
 */
export function monthWeeks(month: string, first: number): (string | null)[][] {
  const start = `${month}-01`;
  const weeks: (string | null)[][] = [];
  for (let d = startOfWeek(start, first); d.slice(0, 7) <= month; d = addDays(d, 7)) {
    weeks.push(Array.from({ length: 7 }, (_, i) => {
      const day = addDays(d, i);
      return day.slice(0, 7) === month ? day : null;
    }));
  }
  return weeks;
}

/** `YYYY-MM` of the month `n` months after `month`. */
export function addMonths(month: string, n: number): string {
  const [y, m] = [Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1 + n];
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
}
