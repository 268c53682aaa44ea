/**
 * SPEC 6.4: a task as an .ics file (RFC 5545), parsed back with a calendar library (ical.js):
 * one VEVENT with a stable UID, the title as SUMMARY, the wall-clock time in the hospital's
 * zone as the right UTC instant (across daylight-saving changes too), the all-day form for a
 * task without a time, and the details in DESCRIPTION only when the viewer's task carries them.
 * Then the route `GET /api/pages/:id/tasks/:taskId.ics` through the real app: the visitor's own
 * Bearer token, details only for the family and the task's volunteers, 401 / 403 / 404, audit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ICAL from 'ical.js';
import { addDays, todayIn, type Task } from '../../src/protocol/index.js';
import { taskCalendar, zonedToUtc } from '../src/planner/ics.js';
import { auditTrail, notifySettings, signToken, startServer, type TestServer } from './helpers.js';

const CHICAGO = 'America/Chicago';
const URL_BACK = 'https://care.example/notify/open?t=sealed';

function task(over: Partial<Task> = {}): Task {
  return {
    id: 'task-1',
    pageId: 'jane',
    seq: 7,
    kind: 'meal',
    title: 'Dinner for 4, no nuts; thanks',
    date: '2026-12-08',
    slots: 2,
    hasDetails: false,
    volunteers: [],
    createdBy: { id: 'owner', name: 'Olivia' },
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
    ...over,
  };
}

/** The one VEVENT of a calendar text, through ical.js. */
function parse(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text));
  const vevents = cal.getAllSubcomponents('vevent');
  assert.equal(vevents.length, 1, 'one VEVENT');
  return { cal, vevent: vevents[0]!, event: new ICAL.Event(vevents[0]!) };
}

describe('zonedToUtc', () => {
  it('converts wall-clock times in a zone with daylight saving, on both sides of each change', () => {
    const cases: [string, string, string, string][] = [
      // Chicago: CST (UTC−6) in winter, CDT (UTC−5) in summer.
      ['2026-12-08', '18:00', CHICAGO, '2026-12-09T00:00:00.000Z'],
      ['2026-07-01', '18:00', CHICAGO, '2026-07-01T23:00:00.000Z'],
      ['2026-03-08', '01:30', CHICAGO, '2026-03-08T07:30:00.000Z'],
      ['2026-03-08', '03:30', CHICAGO, '2026-03-08T08:30:00.000Z'],
      // Skipped by the spring change: read with the offset before the gap (RFC 5545).
      ['2026-03-08', '02:30', CHICAGO, '2026-03-08T08:30:00.000Z'],
      // Twice in the autumn: the first occurrence (still CDT).
      ['2026-11-01', '01:30', CHICAGO, '2026-11-01T06:30:00.000Z'],
      ['2026-11-01', '02:30', CHICAGO, '2026-11-01T08:30:00.000Z'],
      ['2026-03-29', '02:30', 'Europe/Berlin', '2026-03-29T01:30:00.000Z'],
      ['2026-06-01', '00:00', 'Asia/Kolkata', '2026-05-31T18:30:00.000Z'],
      ['2026-06-01', '23:59', 'UTC', '2026-06-01T23:59:00.000Z'],
    ];
    for (const [date, time, zone, utc] of cases) assert.equal(zonedToUtc(date, time, zone).toISOString(), utc, `${date} ${time} ${zone}`);
  });
});

describe('taskCalendar', () => {
  it('a timed task: one VEVENT, stable UID, SUMMARY, DTSTART/DTEND in UTC equal to the wall-clock time in Chicago', () => {
    const text = taskCalendar(task({ start: '18:00', end: '19:30' }), { timeZone: CHICAGO, host: 'care.example', url: URL_BACK });
    assert.match(text, /^BEGIN:VCALENDAR\r\n/);
    assert.ok(text.split('\r\n').every((l) => Buffer.byteLength(l) <= 75), 'lines folded at 75 octets');
    const { cal, vevent, event } = parse(text);
    assert.equal(cal.getFirstPropertyValue('version'), '2.0');
    assert.equal(event.uid, 'task-1@care.example');
    assert.equal(event.summary, 'Dinner for 4, no nuts; thanks', 'commas and semicolons survive the escaping');
    assert.equal(event.startDate.isDate, false);
    assert.equal(event.startDate.zone?.tzid, 'UTC', 'DTSTART is a UTC instant');
    assert.equal(event.startDate.toJSDate().toISOString(), '2026-12-09T00:00:00.000Z', '18:00 CST');
    assert.equal(event.endDate.toJSDate().toISOString(), '2026-12-09T01:30:00.000Z');
    assert.equal(event.description, URL_BACK, 'no details: the link only');
    assert.equal(vevent.getFirstPropertyValue('url'), URL_BACK);
    assert.equal(vevent.getAllProperties('attendee').length, 0);
    assert.equal(vevent.getAllProperties('organizer').length, 0);
    assert.ok(!text.includes('Olivia'), 'no one\'s name');
  });

  it('across a daylight-saving change: a task the day after the spring change is at its wall-clock time (CDT), without end one hour', () => {
    const spring = taskCalendar(task({ date: '2026-03-09', start: '09:15' }), { timeZone: CHICAGO, host: 'care.example', url: URL_BACK });
    const { event } = parse(spring);
    assert.equal(event.startDate.toJSDate().toISOString(), '2026-03-09T14:15:00.000Z', '09:15 CDT (UTC−5)');
    assert.equal(event.endDate.toJSDate().toISOString(), '2026-03-09T15:15:00.000Z', 'one hour');
    const before = parse(taskCalendar(task({ date: '2026-03-07', start: '09:15' }), { timeZone: CHICAGO, host: 'care.example', url: URL_BACK }));
    assert.equal(before.event.startDate.toJSDate().toISOString(), '2026-03-07T15:15:00.000Z', '09:15 CST (UTC−6)');
  });

  it('a task without a time is all-day: DTSTART;VALUE=DATE on its day, whatever the zone', () => {
    for (const zone of [CHICAGO, 'Pacific/Auckland', 'UTC']) {
      const text = taskCalendar(task({ title: 'Groceries' }), { timeZone: zone, host: 'care.example', url: URL_BACK });
      assert.match(text, /DTSTART;VALUE=DATE:20261208\r\n/);
      const { event } = parse(text);
      assert.equal(event.startDate.isDate, true);
      assert.equal(event.startDate.toString(), '2026-12-08');
      assert.equal(event.endDate.toString(), '2026-12-09', 'the exclusive end: one day');
    }
  });

  it('DESCRIPTION: the details when the task carries them (a volunteer, the family), never otherwise', () => {
    const details = 'Door code 4321\nAllergic to peanuts, shellfish';
    const forVolunteer = parse(taskCalendar(task({ details, hasDetails: true, start: '12:00' }), { timeZone: CHICAGO, host: 'h', url: URL_BACK }));
    assert.equal(forVolunteer.event.description, `${details}\n\n${URL_BACK}`);
    const forReader = taskCalendar(task({ hasDetails: true, start: '12:00' }), { timeZone: CHICAGO, host: 'h', url: URL_BACK });
    assert.equal(parse(forReader).event.description, URL_BACK);
    assert.ok(!forReader.includes('4321'));
  });

  it('an edited task has a later SEQUENCE than before (calendars replace their copy)', () => {
    const first = parse(taskCalendar(task(), { timeZone: CHICAGO, host: 'h', url: URL_BACK }));
    const edited = parse(taskCalendar(task({ updatedAt: '2026-12-02T10:00:00.000Z' }), { timeZone: CHICAGO, host: 'h', url: URL_BACK }));
    assert.ok(edited.event.sequence > first.event.sequence);
    assert.equal(edited.event.uid, first.event.uid);
  });
});

/** The first day after `from` whose noon has another UTC offset than the day before's: the day after a DST change. */
function dayAfterChange(from: string, timeZone: string): string {
  let d = from;
  for (let i = 0; i < 400; i++) {
    const next = addDays(d, 1);
    const offset = (day: string) => zonedToUtc(day, '12:00', timeZone).getTime() - Date.parse(`${day}T12:00:00Z`);
    if (offset(next) !== offset(d)) return next;
    d = next;
  }
  throw new Error('no daylight-saving change within 400 days');
}

describe('GET /api/pages/:id/tasks/:taskId.ics', () => {
  let ts: TestServer;
  let pageId: string;
  const DETAILS = 'Door code 4321, second floor';
  const ids: Record<'timed' | 'allDay' | 'cancelled', string> = { timed: '', allDay: '', cancelled: '' };
  let dstDay = '';

  before(async () => {
    ts = await startServer({ notify: notifySettings({ CARE_TIMEZONE: CHICAGO, CARE_PUBLIC_URL: 'https://care-api.hospital.example' }) });
    pageId = await ts.page({ visibility: 'private', title: 'Jane Doe', followers: ['volunteer', 'reader'] });
    const owner = await ts.connect('owner');
    // A date the day after the next daylight-saving change in Chicago (within a year).
    dstDay = dayAfterChange(todayIn(CHICAGO), CHICAGO);
    const draft = { kind: 'meal' as const, title: 'Dinner for 4', slots: 2, details: DETAILS };
    ids.timed = (await owner.ok('task:create', { pageId, clientId: 'ics1', task: { ...draft, date: dstDay, start: '09:15', end: '10:45' } })).task.id;
    ids.allDay = (await owner.ok('task:create', { pageId, clientId: 'ics2', task: { ...draft, title: 'Groceries', kind: 'errand', date: addDays(todayIn(CHICAGO), 2) } })).task.id;
    ids.cancelled = (await owner.ok('task:create', { pageId, clientId: 'ics3', task: { ...draft, date: addDays(todayIn(CHICAGO), 3) } })).task.id;
    await owner.ok('task:cancel', { pageId, taskId: ids.cancelled });
    owner.close();
    const v = await ts.connect('volunteer');
    await v.ok('task:signup', { pageId, taskId: ids.timed, on: true });
    v.close();
  });
  after(async () => {
    await ts.close();
  });

  const get = async (taskId: string, user: string | null, token?: string) =>
    ts.rest('GET', `/api/pages/${pageId}/tasks/${taskId}.ics`, { ...(token ?? user ? { token: token ?? (await ts.token(user!)) } : {}) });

  it('a volunteer: 200 text/calendar, an attachment, never cached; parsed back: UID, SUMMARY, DTSTART in UTC at the wall-clock time after a DST change, DESCRIPTION with the details', async () => {
    const res = await get(ids.timed, 'volunteer');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/calendar; charset=utf-8');
    assert.equal(res.headers.get('content-disposition'), `attachment; filename="task-${ids.timed}.ics"`);
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
    const { event, vevent } = parse(res.body as string);
    assert.equal(event.uid, `${ids.timed}@care-api.hospital.example`);
    assert.equal(event.summary, 'Dinner for 4');
    assert.equal(event.startDate.zone?.tzid, 'UTC');
    assert.equal(event.startDate.toJSDate().toISOString(), zonedToUtc(dstDay, '09:15', CHICAGO).toISOString());
    assert.equal(event.endDate.toJSDate().getTime() - event.startDate.toJSDate().getTime(), 90 * 60_000);
    // 09:15 in Chicago is 14:15 or 15:15 UTC, whichever side of the change.
    assert.ok(['14:15', '15:15'].includes(event.startDate.toJSDate().toISOString().slice(11, 16)));
    assert.ok(event.description.startsWith(`${DETAILS}\n\n`), 'the details, then the link');
    const link = String(vevent.getFirstPropertyValue('url'));
    assert.match(link, /^https:\/\/care-api\.hospital\.example\/notify\/open\?t=/, 'a sealed link: the page id stays out of calendars');
    assert.ok(!(res.body as string).includes(pageId));
    const audit = (await auditTrail(ts.storage, pageId)).filter((e) => e.action === 'task.ics');
    assert.ok(audit.some((e) => e.actorId === 'volunteer' && e.target === ids.timed), 'audited');
  });

  it('the family sees the details; a reader who did not sign up gets the file without them; an all-day task', async () => {
    const family = parse((await get(ids.timed, 'editor')).body as string);
    assert.ok(family.event.description.includes(DETAILS));
    const reader = await get(ids.timed, 'reader');
    assert.equal(reader.status, 200);
    assert.ok(!(reader.body as string).includes('4321'), 'no details for a non-volunteer');
    assert.ok(!parse(reader.body as string).event.description.includes('Door code'));
    const allDay = await get(ids.allDay, 'reader');
    const { event } = parse(allDay.body as string);
    assert.equal(event.startDate.isDate, true);
    assert.equal(event.startDate.toString(), addDays(todayIn(CHICAGO), 2));
  });

  it('no token 401, a forged token 401, a non-reader of the private page 403, a cancelled or unknown task 404', async () => {
    const none = await get(ids.timed, null);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    assert.equal((none.body as { error: { code: string } }).error.code, 'unauthorized');
    const forged = await signToken('not-the-server-secret-0123456789', { sub: 'volunteer', name: 'V' });
    assert.equal((await get(ids.timed, null, forged)).status, 401);
    const stranger = await get(ids.timed, 'stranger');
    assert.equal(stranger.status, 403);
    assert.ok(!JSON.stringify(stranger.body).includes('Dinner'));
    assert.equal((await get(ids.cancelled, 'volunteer')).status, 404);
    assert.equal((await get('no-such-task', 'volunteer')).status, 404);
    assert.equal((await ts.rest('GET', `/api/pages/no-such-page/tasks/${ids.timed}.ics`, { token: await ts.token('owner') })).status, 404);
  });
});
