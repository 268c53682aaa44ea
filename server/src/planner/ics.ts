import ical, { ICalCalendarMethod } from 'ical-generator';
import { addDays, dayMs, type Task } from '../../../src/protocol/index.js';

/**
 * A planner task as an iCalendar file (RFC 5545, SPEC 6.4: "add to my calendar"): one VEVENT
 * per file, built from the task exactly as the viewer receives it, so `details` reach the
 * file only when they reached the viewer (the family and the task's volunteers).
 *
 * - `UID` `<taskId>@<host>`: stable, so importing the file again (after an edit) updates the
 *   event instead of adding a second one.
 * - A task without `start` is all-day: `DTSTART;VALUE=DATE` (and the next day as the exclusive
 *   `DTEND`). With `start`, the task's wall-clock time in the hospital's zone is converted to
 *   UTC instants (`…Z`), which every calendar shows correctly in the viewer's own zone; no
 *   VTIMEZONE is needed. Without `end`: one hour.
 * - `DESCRIPTION`: the details (when the task carries them), then the link back to the page.
 * - Nothing else: no organizer, no attendees (no one's email address travels in the file).
 */
export interface TaskCalendarOptions {
  /** The hospital's IANA zone (`CARE_TIMEZONE`): the zone of the task's date and times. */
  timeZone: string;
  /** The host part of the UID (this backend's public host name). */
  host: string;
  /** The link back to the page (a signed open link, or the hospital's page URL). */
  url: string;
  /** DTSTAMP; default now. */
  now?: Date;
}

const HOUR_MS = 3_600_000;

export function taskCalendar(task: Task, o: TaskCalendarOptions): string {
  const cal = ical({ prodId: { company: 'care-widgets', product: 'planner', language: 'EN' }, method: ICalCalendarMethod.PUBLISH });
  const details = task.details?.trim() ? task.details : null;
  const description = details ? `${details}\n\n${o.url}` : o.url;
  // Each edit moves `updatedAt` on: a later SEQUENCE lets a calendar replace its older copy.
  const sequence = Math.max(0, Math.floor((Date.parse(task.updatedAt) - Date.parse(task.createdAt)) / 1000)) || 0;
  const base = { id: `${task.id}@${o.host}`, sequence, summary: task.title, description, url: o.url, stamp: o.now ?? new Date() };
  if (task.start === undefined) {
    // UTC midnights with no calendar zone: ical-generator writes the date part as is.
    cal.createEvent({ ...base, allDay: true, start: new Date(dayMs(task.date)), end: new Date(dayMs(addDays(task.date, 1))) });
  } else {
    const start = zonedToUtc(task.date, task.start, o.timeZone);
    const end = task.end !== undefined ? zonedToUtc(task.date, task.end, o.timeZone) : new Date(start.getTime() + HOUR_MS);
    cal.createEvent({ ...base, start, end });
  }
  return cal.toString();
}

/**
 * The UTC instant of a wall-clock `date` (`YYYY-MM-DD`) and `time` (`HH:MM`) in an IANA zone,
 * by Intl (which knows the zone's daylight-saving rules). Across a change, as RFC 5545 §3.3.5
 * reads a local time: a time skipped by the spring change (02:30 on the night clocks jump from
 * 02:00 to 03:00) is read with the offset before the gap (so 03:30 after it); a time that
 * happens twice in the autumn is its first occurrence.
 */
export function zonedToUtc(date: string, time: string, timeZone: string): Date {
  const [h, m] = time.split(':').map(Number) as [number, number];
  // The wall clock read as if it were UTC; the real instant is that minus the zone's offset.
  const wall = dayMs(date) + h * HOUR_MS + m * 60_000;
  const first = wall - offsetAt(wall, timeZone);
  const second = wall - offsetAt(first, timeZone);
  const valid = [first, second].filter((t) => localMs(t, timeZone) === wall);
  if (valid.length > 0) return new Date(Math.min(...valid));
  // In a gap: the offset in force just before it, which the earlier candidate has.
  return new Date(wall - offsetAt(Math.min(first, second), timeZone));
}

/** The zone's offset from UTC at instant `ms` (milliseconds; negative west of Greenwich). */
function offsetAt(ms: number, timeZone: string): number {
  return localMs(ms, timeZone) - Math.floor(ms / 60_000) * 60_000;
}

/** The wall clock in `timeZone` at instant `ms`, as milliseconds of the same reading in UTC (to the minute). */
function localMs(ms: number, timeZone: string): number {
  const parts = formatter(timeZone).formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'));
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}
