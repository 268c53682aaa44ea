/**
 * SPEC 6.4, feature `planner`, on the server: tasks the family posts and readers sign up for.
 * Details reach the family and the task's volunteers only (every frame of every socket
 * scanned); repeating tasks; the last spot; dates in the hospital's zone on the server's
 * clock; live, snapshot, catch-up and `history:load {stream: 'tasks'}` agree; audit rows hold
 * no free text; export and purge; the feature switched off.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { PageEvent, SubscribeAnswer, Task, TaskChangedEvent, TaskRemovedEvent } from '../../src/protocol/index.js';
import { addDays, LIMITS, todayIn, weekdayOf } from '../../src/protocol/index.js';
import { notifySettings } from './helpers.js';
import { auditTrail, callWithin, fileServer, startServer, type Client } from './helpers.js';

/** The hospital: far from UTC, so its today is not the server's. */
const ZONE = 'Pacific/Kiritimati';
/** The server's clock, moved by tests (Config.clock). */
let now = Date.now();
const server = fileServer({ notify: notifySettings({ CARE_TIMEZONE: ZONE }), clock: () => now });
const connect = (user: string | null) => server.connect(user);
const today = () => todayIn(ZONE, now);
const inDays = (n: number) => addDays(today(), n);
const marker = (what: string) => `${what}-${randomBytes(6).toString('hex')}`;

const seqOf = async (pageId: string) => (await server.ts.storage.getPage(pageId))!.seq;
type Read = Extract<SubscribeAnswer, { access: 'read' }>;
const subscribe = async (c: Client, pageId: string, since?: number) => (await c.ok('page:subscribe', { pageId, ...(since === undefined ? {} : { since }) })) as unknown as Read;
const draft = (over: Partial<Task> = {}) => ({ kind: 'meal' as const, title: 'Dinner for 4', date: inDays(2), start: '18:00', end: '19:00', slots: 2, details: 'Door code 4711', ...over });

/** A public page (owner, editor; followers `vol`, `vol2`, `follower`) with sockets subscribed. */
async function scene(visibility: 'public' | 'private' = 'public') {
  const pageId = await server.ts.page({ visibility, followers: ['vol', 'vol2', 'follower'] });
  const who = {
    owner: await connect('owner'),
    editor: await connect('editor'),
    vol: await connect('vol'),
    vol2: await connect('vol2'),
    follower: await connect('follower'),
    staff: await connect('moderator'),
    anonymous: await connect(null),
  };
  for (const c of Object.values(who)) await subscribe(c, pageId);
  return { pageId, ...who };
}

describe('planner: the family plans', () => {
  it('task:create: one task:changed to every reader under the next seq; answer {task, tasks}; a retry answers the same and announces nothing', async () => {
    const s = await scene();
    const before = await seqOf(s.pageId);
    const mark = s.follower.mark();
    const r = await s.owner.ok('task:create', { pageId: s.pageId, clientId: 'c1', task: draft({ title: '  Dinner for 4 ' }) });
    assert.deepEqual(r.tasks, [r.task]);
    const t = r.task;
    assert.deepEqual([t.seq, t.title, t.kind, t.date, t.start, t.end, t.slots, t.details, t.hasDetails, t.volunteers, t.createdBy.id], [before + 1, 'Dinner for 4', 'meal', inDays(2), '18:00', '19:00', 2, 'Door code 4711', true, [], 'owner']);
    assert.equal(t.seriesId, undefined, 'a single task has no series');
    const e = await s.follower.waitFor<TaskChangedEvent>('task:changed', (d) => d.task.id === t.id, mark);
    assert.equal(e.seq, before + 1);
    assert.ok(!('details' in e.task) && e.task.hasDetails, 'a reader learns there are details, not what they are');
    const again = await s.owner.ok('task:create', { pageId: s.pageId, clientId: 'c1', task: draft({ title: 'Something else' }) });
    assert.deepEqual(again.task, t);
    assert.equal(await seqOf(s.pageId), before + 1, 'a retry takes no seq');
    await s.follower.barrier();
    assert.equal(s.follower.of('task:changed', mark).length, 1, 'a retry announces nothing');
  });

  it('who may: the family plans (owner, editor); a follower, staff or anonymous may not; every signed-in reader may sign up', async () => {
    const s = await scene();
    const { task } = await s.editor.ok('task:create', { pageId: s.pageId, clientId: 'e1', task: draft() });
    assert.equal(task.createdBy.id, 'editor');
    await s.follower.fails('task:create', { pageId: s.pageId, clientId: 'f1', task: draft() }, 'forbidden');
    await s.staff.fails('task:update', { pageId: s.pageId, taskId: task.id, title: 'x' }, 'forbidden');
    await s.anonymous.fails('task:cancel', { pageId: s.pageId, taskId: task.id }, 'unauthorized');
    await s.anonymous.fails('task:signup', { pageId: s.pageId, taskId: task.id, on: true }, 'unauthorized');
    const answer = await subscribe(s.vol, s.pageId);
    assert.deepEqual([answer.viewer.can.plan, answer.viewer.can.volunteer], [false, true]);
    assert.deepEqual([(await subscribe(s.owner, s.pageId)).viewer.can.plan, (await subscribe(s.staff, s.pageId)).viewer.can.plan], [true, false]);
    assert.equal((await subscribe(s.anonymous, s.pageId)).viewer.can.volunteer, false);
    assert.equal(answer.page.timeZone, ZONE, 'readers learn the hospital\'s zone');
  });

  it('task:update merges with the stored task; slots never below the people signed up; start: null makes an any-time task', async () => {
    const s = await scene();
    const { task } = await s.owner.ok('task:create', { pageId: s.pageId, clientId: 'u1', task: draft({ slots: 2 }) });
    await s.vol.ok('task:signup', { pageId: s.pageId, taskId: task.id, on: true });
    await s.vol2.ok('task:signup', { pageId: s.pageId, taskId: task.id, on: true });
    const f = await s.owner.fails('task:update', { pageId: s.pageId, taskId: task.id, slots: 1 }, 'conflict');
    assert.match(f.error.message, /2 people have signed up/);
    await s.owner.fails('task:update', { pageId: s.pageId, taskId: task.id, end: '17:00' }, 'invalid');
    const mark = s.vol.mark();
    const up = await s.owner.ok('task:update', { pageId: s.pageId, taskId: task.id, slots: 3, title: 'Dinner for 5', start: null });
    assert.deepEqual([up.task.slots, up.task.title, up.task.start, up.task.end, up.task.volunteers.map((v) => v.id)], [3, 'Dinner for 5', undefined, undefined, ['vol', 'vol2']]);
    const live = await s.vol.waitFor<TaskChangedEvent>('task:changed', (d) => d.task.id === task.id, mark);
    assert.equal(live.task.title, 'Dinner for 5');
    const timed = await s.owner.ok('task:update', { pageId: s.pageId, taskId: task.id, start: '08:00', end: '09:00', kind: 'ride' });
    assert.deepEqual([timed.task.start, timed.task.end, timed.task.kind], ['08:00', '09:00', 'ride']);
    await s.owner.fails('task:update', { pageId: s.pageId, taskId: 'no-such-task', slots: 3 }, 'not_found');
  });

  it('task:cancel: task:removed to every reader, the note only to the family and its volunteers; the task is gone from snapshots and may not change', async () => {
    const s = await scene();
    const note = marker('NOTE');
    const { task } = await s.owner.ok('task:create', { pageId: s.pageId, clientId: 'x1', task: draft() });
    await s.vol.ok('task:signup', { pageId: s.pageId, taskId: task.id, on: true });
    const marks = Object.fromEntries(Object.entries(s).filter(([, c]) => typeof c === 'object').map(([k, c]) => [k, (c as Client).mark()]));
    await s.editor.ok('task:cancel', { pageId: s.pageId, taskId: task.id, note: `Surgery moved. ${note}` });
    const removed = async (c: Client, k: string) => c.waitFor<TaskRemovedEvent>('task:removed', (d) => d.taskId === task.id, marks[k]);
    for (const k of ['owner', 'editor', 'vol'] as const) assert.equal((await removed(s[k], k)).note, `Surgery moved. ${note}`, `${k} hears why`);
    for (const k of ['vol2', 'follower', 'staff', 'anonymous'] as const) assert.deepEqual(Object.keys(await removed(s[k], k)).sort(), ['pageId', 'seq', 'taskId'], `${k} does not hear the note`);
    assert.equal((await subscribe(s.owner, s.pageId)).snapshot!.tasks!.length, 0);
    await s.owner.fails('task:cancel', { pageId: s.pageId, taskId: task.id }, 'not_found');
    await s.owner.fails('task:update', { pageId: s.pageId, taskId: task.id, slots: 4 }, 'not_found');
    await s.vol.fails('task:signup', { pageId: s.pageId, taskId: task.id, on: false }, 'not_found');
  });
});

describe('planner: signing up', () => {
  it('idempotent both ways; the last spot taken: conflict, plainly; the volunteer\'s email claim is kept for reminders', async () => {
    const s = await scene();
    const { task } = await s.owner.ok('task:create', { pageId: s.pageId, clientId: 's1', task: draft({ slots: 1 }) });
    const before = await seqOf(s.pageId);
    const mine = await s.vol.ok('task:signup', { pageId: s.pageId, taskId: task.id, on: true });
    assert.deepEqual(mine.task.volunteers, [{ id: 'vol', name: 'vol' }]);
    assert.equal(mine.task.details, 'Door code 4711', 'the volunteer now sees the details');
    await s.vol.ok('task:signup', { pageId: s.pageId, taskId: task.id, on: true });
    assert.equal(await seqOf(s.pageId), before + 1, 'signing up twice is once');
    const f = await s.vol2.fails('task:signup', { pageId: s.pageId, taskId: task.id, on: true }, 'conflict');
    assert.equal(f.error.message, 'Someone just took the last spot.');
    const address = await server.ts.db.selectFrom('notify_users').select('email').where('user_id', '=', 'vol').executeTakeFirst();
    assert.ok(address?.email?.includes('@'), 'the token\'s address is kept for the reminder');
    const off = await s.vol.ok('task:signup', { pageId: s.pageId, taskId: task.id, on: false });
    assert.deepEqual([off.task.volunteers, 'details' in off.task], [[], false]);
    await s.vol.ok('task:signup', { pageId: s.pageId, taskId: task.id, on: false });
    assert.equal(await seqOf(s.pageId), before + 2, 'withdrawing twice is once');
    await s.vol2.ok('task:signup', { pageId: s.pageId, taskId: task.id, on: true });
  });

  it('dates follow the hospital\'s today on the server\'s clock: no task before it, none beyond 730 days; a past task takes no sign-up, withdrawing stays', async () => {
    const s = await scene();
    const { task } = await s.owner.ok('task:create', { pageId: s.pageId, clientId: 'd1', task: draft({ date: inDays(1) }) });
    await s.owner.ok('task:create', { pageId: s.pageId, clientId: 'd2', task: draft({ date: inDays(0) }) });
    await s.owner.ok('task:create', { pageId: s.pageId, clientId: 'd3', task: draft({ date: inDays(LIMITS.taskDaysAheadMax) }) });
    await s.owner.fails('task:create', { pageId: s.pageId, clientId: 'd4', task: draft({ date: inDays(LIMITS.taskDaysAheadMax + 1) }) }, 'invalid');
    await s.vol.ok('task:signup', { pageId: s.pageId, taskId: task.id, on: true });
    const original = task.date;
    now += 3 * 86_400_000;
    try {
      await s.owner.fails('task:create', { pageId: s.pageId, clientId: 'd5', task: draft({ date: original }) }, 'invalid');
      // A retry delivered late (an outbox after midnight) still answers what it made.
      assert.equal((await s.owner.ok('task:create', { pageId: s.pageId, clientId: 'd1', task: draft({ date: original }) })).task.id, task.id);
      await s.vol2.fails('task:signup', { pageId: s.pageId, taskId: task.id, on: true }, 'invalid');
      await s.vol.ok('task:signup', { pageId: s.pageId, taskId: task.id, on: false });
      // A task of the week just past stays in the snapshot.
      assert.ok((await subscribe(s.follower, s.pageId)).snapshot!.tasks!.some((t) => t.id === task.id));
    } finally {
      now -= 3 * 86_400_000;
    }
  });
});

describe('planner: repeating tasks', () => {
  it('every day / weekday / week until a date: the right dates, one seq each, one seriesId, capped at 60; a retry creates nothing', async () => {
    const s = await scene();
    const start = inDays(1);
    const seq0 = await seqOf(s.pageId);
    const mark = s.follower.mark();
    const daily = await s.owner.ok('task:create', { pageId: s.pageId, clientId: 'r-day', task: draft({ date: start }), repeat: { every: 'day', until: addDays(start, 9) } });
    assert.deepEqual(daily.tasks.map((t) => t.date), Array.from({ length: 10 }, (_, i) => addDays(start, i)));
    assert.deepEqual(daily.tasks.map((t) => t.seq), Array.from({ length: 10 }, (_, i) => seq0 + 1 + i), 'one seq each, in date order');
    assert.equal(new Set(daily.tasks.map((t) => t.seriesId)).size, 1);
    assert.ok(daily.tasks[0]!.seriesId);
    assert.deepEqual(daily.task, daily.tasks[0]);
    await s.follower.barrier();
    assert.deepEqual(s.follower.of<TaskChangedEvent>('task:changed', mark).map((e) => e.seq), daily.tasks.map((t) => t.seq), 'one event per task');

    const weekdays = await s.owner.ok('task:create', { pageId: s.pageId, clientId: 'r-wd', task: draft({ date: start }), repeat: { every: 'weekday', until: addDays(start, 20) } });
    const expected = [start, ...Array.from({ length: 20 }, (_, i) => addDays(start, i + 1)).filter((d) => weekdayOf(d) !== 0 && weekdayOf(d) !== 6)];
    assert.deepEqual(weekdays.tasks.map((t) => t.date), expected, 'weekends skipped');
    assert.ok(weekdays.tasks.slice(1).every((t) => weekdayOf(t.date) >= 1 && weekdayOf(t.date) <= 5));

    const weekly = await s.owner.ok('task:create', { pageId: s.pageId, clientId: 'r-wk', task: draft({ date: start }), repeat: { every: 'week', until: addDays(start, 30) } });
    assert.deepEqual(weekly.tasks.map((t) => t.date), [0, 7, 14, 21, 28].map((n) => addDays(start, n)));

    const capped = await s.owner.ok('task:create', { pageId: s.pageId, clientId: 'r-cap', task: draft({ date: start }), repeat: { every: 'day', until: addDays(start, LIMITS.taskRepeatDaysMax) } });
    assert.equal(capped.tasks.length, LIMITS.taskOccurrencesMax);
    assert.equal(capped.tasks.at(-1)!.date, addDays(start, LIMITS.taskOccurrencesMax - 1));

    const seqNow = await seqOf(s.pageId);
    const retry = await s.owner.ok('task:create', { pageId: s.pageId, clientId: 'r-day', task: draft({ date: start }), repeat: { every: 'day', until: addDays(start, 9) } });
    assert.deepEqual(retry.tasks, daily.tasks);
    assert.equal(await seqOf(s.pageId), seqNow, 'a retry creates nothing');
    // Each occurrence is its own task: one can be edited or cancelled alone.
    await s.owner.ok('task:cancel', { pageId: s.pageId, taskId: daily.tasks[3]!.id });
    const left = (await server.ts.storage.planner.taskPage(s.pageId, null, 100)).items.filter((t) => t.seriesId === daily.task.seriesId);
    assert.equal(left.length, 9);
  });
});

/** Live task events a socket received, coalesced as a client would hold them: per task, its last event. */
function lastPerTask(events: { event: string; data: unknown }[]): Map<string, PageEvent> {
  const out = new Map<string, PageEvent>();
  for (const r of events) {
    if (r.event === 'task:changed') out.set((r.data as TaskChangedEvent).task.id, { type: 'task:changed', data: r.data as TaskChangedEvent });
    if (r.event === 'task:removed') out.set((r.data as TaskRemovedEvent).taskId, { type: 'task:removed', data: r.data as TaskRemovedEvent });
  }
  return out;
}

describe('planner: live, catch-up, snapshot and history agree', () => {
  it('a catch-up gives each task once, at its last change\'s seq, in seq order, as live; cancelled ones as task:removed; history pages through the rest', async () => {
    const s = await scene();
    const since = await seqOf(s.pageId);
    const marks = { vol: s.vol.mark(), follower: s.follower.mark(), owner: s.owner.mark() };
    const series = await s.owner.ok('task:create', { pageId: s.pageId, clientId: 'cu', task: draft({ date: inDays(1) }), repeat: { every: 'day', until: inDays(4) } });
    const [a, b, c, d] = series.tasks as [Task, Task, Task, Task];
    await s.vol.ok('task:signup', { pageId: s.pageId, taskId: a.id, on: true });
    await s.owner.ok('task:update', { pageId: s.pageId, taskId: b.id, details: 'Ring twice' });
    await s.owner.ok('task:cancel', { pageId: s.pageId, taskId: c.id, note: 'Not needed' });
    await s.vol.ok('task:signup', { pageId: s.pageId, taskId: d.id, on: true });
    await s.vol.ok('task:signup', { pageId: s.pageId, taskId: d.id, on: false });
    const single = await s.editor.ok('task:create', { pageId: s.pageId, clientId: 'cu2', task: draft({ date: inDays(3), details: '' }) });
    for (const [name, c2] of [['vol', s.vol], ['follower', s.follower], ['owner', s.owner]] as const) {
      await c2.barrier();
      const live = lastPerTask(c2.after(marks[name], s.pageId));
      const late = await connect(name === 'owner' ? 'owner' : name);
      const caught = await subscribe(late, s.pageId, since);
      const events = caught.events!.filter((e) => e.type.startsWith('task:'));
      assert.deepEqual(events.map((e) => e.data.seq), [...events.map((e) => e.data.seq)].sort((x, y) => x - y), 'in seq order');
      assert.equal(events.length, 5, 'one event per task');
      assert.deepEqual(new Map(events.map((e) => [e.type === 'task:changed' ? e.data.task.id : (e.data as TaskRemovedEvent).taskId, e])), live, `${name}: the catch-up is what live gave`);
      assert.equal((events.find((e) => e.type === 'task:removed')!.data as TaskRemovedEvent).note, name === 'owner' ? 'Not needed' : undefined, 'the note: the family only (nobody signed up for it)');

      const hist = await late.ok('history:load', { pageId: s.pageId, stream: 'tasks', before: Number.MAX_SAFE_INTEGER, limit: 2 });
      assert.ok(hist.stream === 'tasks' && hist.hasMore);
      const more = await late.ok('history:load', { pageId: s.pageId, stream: 'tasks', before: hist.items.at(-1)!.seq, limit: 10 });
      assert.ok(more.stream === 'tasks' && !more.hasMore);
      const items = [...hist.items, ...more.items];
      assert.deepEqual(items.map((t) => t.id), [single.task.id, d.id, b.id, a.id], 'not cancelled, newest first by creation seq');
      for (const t of items) assert.deepEqual(t, (live.get(t.id) as { data: TaskChangedEvent }).data.task, `${name}: history gives the task as live did`);

      const snap = (await subscribe(late, s.pageId)).snapshot!;
      assert.deepEqual(snap.tasks!.map((t) => t.id), [a.id, b.id, single.task.id, d.id], 'by date, then start');
      assert.equal(snap.tasksHasMore, false);
      for (const t of snap.tasks!) assert.deepEqual(t, (live.get(t.id) as { data: TaskChangedEvent }).data.task);
    }
  });
});

describe('planner: details reach the family and the task\'s volunteers only', () => {
  it('every frame of every socket scanned, through create, update, sign-up, withdrawal, cancel, catch-up, snapshot and history', async () => {
    const s = await scene();
    const DETAILS = marker('DETAILS');
    const NOTE = marker('NOTE');
    const answers = new Map<Client, string[]>();
    const all = [s.owner, s.editor, s.vol, s.vol2, s.follower, s.staff, s.anonymous];
    for (const c of all) answers.set(c, []);
    const act = async (c: Client, event: string, payload: object) => {
      const r = (await c.raw(event, payload)) as { ok: boolean };
      answers.get(c)!.push(JSON.stringify(r));
      return r as { ok: boolean; task?: Task; tasks?: Task[] };
    };
    const everyoneReads = async (since: number) => {
      for (const c of all) {
        await act(c, 'page:subscribe', { pageId: s.pageId });
        await act(c, 'page:subscribe', { pageId: s.pageId, since });
        await act(c, 'history:load', { pageId: s.pageId, stream: 'tasks', before: Number.MAX_SAFE_INTEGER, limit: 50 });
      }
    };
    const since = await seqOf(s.pageId);
    const created = await act(s.owner, 'task:create', { pageId: s.pageId, clientId: 'p1', task: draft({ details: `Key under the mat. ${DETAILS}` }) });
    const taskId = created.task!.id;
    await act(s.editor, 'task:update', { pageId: s.pageId, taskId, details: `Key under the blue mat. ${DETAILS}` });
    await everyoneReads(since);
    await act(s.vol, 'task:signup', { pageId: s.pageId, taskId, on: true });
    await everyoneReads(since);
    // vol2 signs up and withdraws: from then on they are a non-volunteer again.
    await act(s.vol2, 'task:signup', { pageId: s.pageId, taskId, on: true });
    await act(s.vol2, 'task:signup', { pageId: s.pageId, taskId, on: false });
    const vol2Mark = s.vol2.mark();
    const vol2Answers = answers.get(s.vol2)!.length;
    await act(s.owner, 'task:update', { pageId: s.pageId, taskId, title: 'Dinner for 6' });
    await everyoneReads(since);
    await act(s.owner, 'task:cancel', { pageId: s.pageId, taskId, note: `Cancelled. ${NOTE}` });
    await everyoneReads(since);
    await Promise.all(all.map((c) => c.barrier()));

    const frames = (c: Client) => [...c.received.map((r) => JSON.stringify(r)), ...answers.get(c)!].join('\n');
    for (const [name, c] of [['follower', s.follower], ['staff', s.staff], ['anonymous', s.anonymous]] as const) {
      assert.ok(c.received.some((r) => r.event === 'task:changed'), `${name} received the task live`);
      assert.ok(!frames(c).includes(DETAILS), `${name} never received the details`);
      assert.ok(!frames(c).includes(NOTE), `${name} never received the cancellation's note`);
    }
    for (const [name, c] of [['owner', s.owner], ['editor', s.editor], ['vol', s.vol]] as const) {
      assert.ok(frames(c).includes(DETAILS), `${name} received the details`);
      assert.ok(frames(c).includes(NOTE), `${name} received the note`);
    }
    // vol2 saw them while signed up, and nothing of them after withdrawing.
    assert.ok(frames(s.vol2).includes(DETAILS));
    const afterWithdrawal = [...s.vol2.received.slice(vol2Mark).map((r) => JSON.stringify(r)), ...answers.get(s.vol2)!.slice(vol2Answers)].join('\n');
    assert.ok(afterWithdrawal.length > 0 && !afterWithdrawal.includes(DETAILS) && !afterWithdrawal.includes(NOTE));
  });

  it('viewTask (the .ics endpoint\'s read): readers only, details for the family and volunteers, audited as task.ics; cancelled is not_found', async () => {
    const s = await scene('private');
    const planner = server.ts.server.service.planner!;
    const { task } = await s.owner.ok('task:create', { pageId: s.pageId, clientId: 'ics', task: draft() });
    const actor = (userId: string | null) => ({ identity: userId ? { userId, name: userId, staff: null, exp: null } : null, ip: '127.0.0.1' });
    assert.equal((await planner.viewTask(actor('owner'), s.pageId, task.id)).details, 'Door code 4711');
    assert.ok(!('details' in (await planner.viewTask(actor('follower'), s.pageId, task.id))));
    await assert.rejects(planner.viewTask(actor('stranger'), s.pageId, task.id), (e: { code?: string }) => e.code === 'forbidden');
    await assert.rejects(planner.viewTask(actor(null), s.pageId, task.id), (e: { code?: string }) => e.code === 'unauthorized');
    await s.owner.ok('task:cancel', { pageId: s.pageId, taskId: task.id });
    await assert.rejects(planner.viewTask(actor('owner'), s.pageId, task.id), (e: { code?: string }) => e.code === 'not_found');
    const rows = (await auditTrail(server.ts.storage, s.pageId)).filter((r) => r.action === 'task.ics');
    assert.deepEqual(rows.map((r) => [r.actorId, r.target, r.detail]), [['owner', task.id, null], ['follower', task.id, null]]);
  });
});

describe('planner: audit, export, purge', () => {
  it('every change audited in its transaction, with ids, kind, date, counts and changed fields, never the title, details or note', async () => {
    const s = await scene();
    const TEXT = marker('FREE-TEXT');
    const { task } = await s.owner.ok('task:create', { pageId: s.pageId, clientId: 'a1', task: draft({ title: `Title ${TEXT}`, details: `Details ${TEXT}` }), repeat: { every: 'day', until: inDays(3) } });
    await s.owner.ok('task:update', { pageId: s.pageId, taskId: task.id, title: `New ${TEXT}`, slots: 3 });
    await s.vol.ok('task:signup', { pageId: s.pageId, taskId: task.id, on: true });
    await s.vol.ok('task:signup', { pageId: s.pageId, taskId: task.id, on: false });
    await s.vol2.fails('task:create', { pageId: s.pageId, clientId: 'a2', task: draft() }, 'forbidden');
    await s.owner.ok('task:cancel', { pageId: s.pageId, taskId: task.id, note: `Note ${TEXT}` });
    const rows = (await auditTrail(server.ts.storage, s.pageId)).filter((r) => r.action.startsWith('task.'));
    assert.deepEqual(rows.map((r) => [r.action, r.actorId, r.actorRole, r.target]), [
      ['task.create', 'owner', 'owner', task.id],
      ['task.update', 'owner', 'owner', task.id],
      ['task.signup', 'vol', 'follower', task.id],
      ['task.withdraw', 'vol', 'follower', task.id],
      ['task.cancel', 'owner', 'owner', task.id],
    ]);
    assert.deepEqual(rows[0]!.detail, { kind: 'meal', date: inDays(2), count: 2, slots: 2, every: 'day', until: inDays(3), seriesId: task.seriesId });
    assert.deepEqual(rows[1]!.detail, { kind: 'meal', date: inDays(2), changed: ['title', 'slots'], slots: 3, volunteers: 0 });
    assert.deepEqual(rows[4]!.detail, { kind: 'meal', date: inDays(2), volunteers: 0, note: true });
    assert.ok(!JSON.stringify(rows).includes(TEXT), 'no free text in the audit log');
  });

  it('the export holds every task (details, volunteers, cancelled); deleting the page deletes them', async () => {
    const s = await scene();
    const { task } = await s.owner.ok('task:create', { pageId: s.pageId, clientId: 'x1', task: draft() });
    const { task: gone } = await s.owner.ok('task:create', { pageId: s.pageId, clientId: 'x2', task: draft() });
    await s.vol.ok('task:signup', { pageId: s.pageId, taskId: task.id, on: true });
    await s.owner.ok('task:cancel', { pageId: s.pageId, taskId: gone.id, note: 'Moved' });
    const admin = await server.ts.token('admin');
    const exp = await server.ts.rest('GET', `/api/pages/${s.pageId}/export`, { token: admin });
    assert.equal(exp.status, 200);
    const tasks = exp.body.tasks as { id: string; details: string; volunteers: { id: string }[]; cancelledAt: string | null; cancelNote: string | null }[];
    assert.deepEqual(tasks.map((t) => [t.id, t.details, t.volunteers.map((v) => v.id), t.cancelledAt !== null, t.cancelNote]), [
      [task.id, 'Door code 4711', ['vol'], false, null],
      [gone.id, 'Door code 4711', [], true, 'Moved'],
    ]);
    assert.equal((await server.ts.rest('DELETE', `/api/pages/${s.pageId}`, { token: admin })).status, 204);
    assert.equal((await server.ts.db.selectFrom('tasks').select('id').where('page_id', '=', s.pageId).execute()).length, 0);
    assert.equal((await server.ts.db.selectFrom('task_volunteers').select('task_id').where('page_id', '=', s.pageId).execute()).length, 0);
  });
});

describe('planner: the feature switched off', () => {
  it('no task listeners, no snapshot.tasks, no timeZone, no plan or volunteer capability', async () => {
    const off = await startServer({ features: ['settings', 'invites', 'notify', 'journal-social', 'media'] });
    try {
      const pageId = await off.page({ visibility: 'public' });
      const owner = await server.connect('owner', off);
      const answer = (await owner.ok('page:subscribe', { pageId })) as unknown as Read;
      assert.ok(!('tasks' in answer.snapshot!) && !('tasksHasMore' in answer.snapshot!));
      assert.ok(!('timeZone' in answer.page) && !answer.page.features!.includes('planner'));
      assert.ok(!('plan' in answer.viewer.can) && !('volunteer' in answer.viewer.can));
      await assert.rejects(callWithin(300, owner.socket, 'task:create', { pageId, clientId: 'off', task: draft() }), 'no answer without the feature');
      const h = await owner.call('history:load', { pageId, stream: 'tasks', before: 100, limit: 5 });
      assert.ok(!h.ok && h.error.code === 'invalid');
    } finally {
      await off.close();
    }
  });
});
