import { randomUUID } from 'node:crypto';
import type { HistoryAnswer, Task } from '../../../src/protocol/index.js';
import { addDays, daysBetween, LIMITS, occurrences, TASK_SNAPSHOT_DAYS_BACK, todayIn } from '../../../src/protocol/index.js';
import type { Identity } from '../auth/identity.js';
import { CareFailure } from '../errors.js';
import type { Payload } from '../socket/validation.js';
import type { TaskPatch, TaskRecord } from '../storage/types.js';
import type { Actor } from './audit.js';
import type { Access, PageService } from './service.js';
import { taskOut, viewerSees } from './task-view.js';

const NO_TASK = 'No such task.';

/**
 * SPEC 6.4, feature `planner`: tasks the family (`can.plan`: owners, editors) posts and the
 * page's signed-in readers (`can.volunteer`) sign up for. Each call follows the page
 * service's one path (access, check, storage change with its audit row in its transaction,
 * fan-out). A task's `details` leave the server only for the family and its volunteers
 * (task-view.ts); audit rows hold ids, kinds, dates, counts and the names of changed
 * fields, never the title, details or a note (free text, which may be health information).
 *
 * "Today" is the hospital's (`CARE_TIMEZONE`), at the service's clock: tasks may not be
 * dated before it nor more than `LIMITS.taskDaysAheadMax` days after it, and a task dated
 * before it takes no more sign-ups (withdrawing stays possible).
 */
export class PlannerService {
  constructor(
    private readonly pages: PageService,
    /** The hospital's IANA time zone (`CARE_TIMEZONE`). */
    readonly timeZone: string,
    private readonly now: () => number = Date.now,
  ) {}

  private get storage() {
    return this.pages.storage.planner;
  }

  /** The hospital's today, `YYYY-MM-DD`. */
  today(): string {
    return todayIn(this.timeZone, this.now());
  }

  async create(actor: Actor, p: Payload<'task:create'>): Promise<{ task: Task; tasks: Task[] }> {
    const a = await this.pages.access(p.pageId, actor.identity);
    this.pages.require(a, a.viewer.can.plan === true, 'plan tasks');
    // A retry answers what the first call made, even once its date has passed (an outbox
    // that delivers after midnight): the date rule is for new tasks only.
    const made = await this.storage.tasksOfCreate(a.page.id, actor.identity!.userId, p.clientId);
    if (made.length > 0) {
      const tasks = made.map((t) => this.shape(a, t));
      return { task: tasks[0]!, tasks };
    }
    this.checkDate(p.task.date, 'task.date');
    const dates = occurrences(p.task.date, p.repeat, LIMITS.taskOccurrencesMax);
    const seriesId = dates.length > 1 ? randomUUID() : null;
    const detail: Record<string, unknown> = { kind: p.task.kind, date: p.task.date, count: dates.length, slots: p.task.slots };
    if (p.repeat) Object.assign(detail, { every: p.repeat.every, until: p.repeat.until, seriesId });
    const draft = { ...p.task, title: p.task.title.trim() };
    const r = await this.pages.audit.within(a.page.id, actor, 'task.create', { viewer: a.viewer, detail }, () =>
      this.storage.createTasks(a.page.id, authorOf(actor.identity!), p.clientId, draft, dates, seriesId),
    );
    // A retry answers what the first call made (as it is now), and announces nothing again.
    if (r.created) for (const t of r.tasks) this.pages.fanout.taskChanged(t, t.seq);
    const tasks = r.tasks.map((t) => this.shape(a, t));
    return { task: tasks[0]!, tasks };
  }

  async update(actor: Actor, p: Payload<'task:update'>): Promise<{ task: Task }> {
    const a = await this.pages.access(p.pageId, actor.identity);
    this.pages.require(a, a.viewer.can.plan === true, 'plan tasks');
    const task = await this.live(a, p.taskId);
    const { pageId: _p, taskId: _t, ...fields } = p;
    const patch: TaskPatch = { ...fields, ...(fields.title !== undefined ? { title: fields.title.trim() } : {}) };
    if (patch.date !== undefined && patch.date !== task.date) this.checkDate(patch.date, 'date');
    // The task as it would be: `start: null` makes it an any-time task, without an end.
    const start = patch.start !== undefined ? patch.start : (task.start ?? null);
    const end = patch.start === null ? null : patch.end !== undefined ? patch.end : (task.end ?? null);
    if (end !== null && (start === null || end <= start)) throw new CareFailure('invalid', 'end: end needs a start and must be after it');
    const detail: Record<string, unknown> = { kind: patch.kind ?? task.kind, date: patch.date ?? task.date, changed: Object.keys(fields) };
    if (patch.slots !== undefined) Object.assign(detail, { slots: patch.slots, volunteers: task.volunteers.length });
    const r = await this.pages.audit.within(a.page.id, actor, 'task.update', { target: task.id, viewer: a.viewer, detail }, () => this.storage.updateTask(a.page.id, task.id, patch));
    if (!r) throw new CareFailure('not_found', NO_TASK);
    this.pages.fanout.taskChanged(r.value, r.seq);
    return { task: this.shape(a, r.value) };
  }

  async cancel(actor: Actor, p: Payload<'task:cancel'>): Promise<void> {
    const a = await this.pages.access(p.pageId, actor.identity);
    this.pages.require(a, a.viewer.can.plan === true, 'cancel tasks');
    const task = await this.live(a, p.taskId);
    const note = p.note?.trim() || null;
    const detail = { kind: task.kind, date: task.date, volunteers: task.volunteers.length, note: note !== null };
    const r = await this.pages.audit.within(a.page.id, actor, 'task.cancel', { target: task.id, viewer: a.viewer, detail }, () => this.storage.cancelTask(a.page.id, task.id, note));
    if (!r) throw new CareFailure('not_found', NO_TASK);
    this.pages.fanout.taskRemoved(r.value, r.seq);
  }

  /** "I'll do it" (`on`) and "I can't any more": idempotent; the last spot taken first by someone else is `conflict`. */
  async signup(actor: Actor, p: Payload<'task:signup'>): Promise<{ task: Task }> {
    const a = await this.pages.access(p.pageId, actor.identity);
    this.pages.require(a, a.viewer.can.volunteer === true, 'sign up for tasks');
    const identity = actor.identity!;
    const task = await this.live(a, p.taskId);
    if (p.on && task.date < this.today()) throw new CareFailure('invalid', 'This task is in the past: it takes no more sign-ups.');
    const detail = { kind: task.kind, date: task.date, slots: task.slots };
    const r = await this.pages.audit.within(a.page.id, actor, p.on ? 'task.signup' : 'task.withdraw', { target: task.id, viewer: a.viewer, detail }, () =>
      this.storage.signupTask(a.page.id, task.id, authorOf(identity), p.on),
    );
    if (!r) throw new CareFailure('not_found', NO_TASK);
    if (r.seq !== null) this.pages.fanout.taskChanged(r.task, r.seq);
    // The reminder the day before goes to the token's address (SPEC 6.4; notify_users, never logged).
    if (p.on && identity.email) await this.pages.storage.setNotifyAddress(identity.userId, identity.email, new Date(this.now()).toISOString());
    return { task: this.shape(a, r.task) };
  }

  /**
   * One task for the `.ics` endpoint: any reader of the page; `not_found` for a missing or
   * cancelled task; shaped for the viewer (details only for the family and its volunteers).
   * Audited as `task.ics` (ids only).
   */
  async viewTask(actor: Actor, pageId: string, taskId: string): Promise<Task> {
    const a = await this.pages.access(pageId, actor.identity);
    this.pages.require(a, a.viewer.can.read, 'read this page');
    const task = await this.live(a, taskId);
    await this.pages.audit.record(a.page.id, actor, 'task.ics', { target: task.id, viewer: a.viewer });
    return this.shape(a, task);
  }

  /** `snapshot.tasks` and `tasksHasMore`, from today − TASK_SNAPSHOT_DAYS_BACK on; `tasks` read once per page and `seq`. */
  async snapshot(a: Access, read: (from: string) => Promise<{ items: TaskRecord[]; hasMore: boolean }>): Promise<{ tasks: Task[]; tasksHasMore: boolean }> {
    const page = await read(addDays(this.today(), -TASK_SNAPSHOT_DAYS_BACK));
    return { tasks: page.items.map((t) => this.shape(a, t)), tasksHasMore: page.hasMore };
  }

  /** `history:load {stream: 'tasks'}`: the tasks not cancelled created before `before`, newest first. */
  async history(a: Access, p: Payload<'history:load'>): Promise<HistoryAnswer> {
    const page = await this.storage.taskPage(a.page.id, p.before, p.limit);
    return { stream: 'tasks', items: page.items.map((t) => this.shape(a, t)), hasMore: page.hasMore };
  }

  /** The task as `a`'s viewer receives it. */
  shape(a: Access, task: TaskRecord): Task {
    return taskOut(task, viewerSees(task, a.viewer));
  }

  /** A task of the page that is not cancelled, or `not_found`. */
  private async live(a: Access, taskId: string): Promise<TaskRecord> {
    const task = await this.storage.getTask(a.page.id, taskId);
    if (!task || task.cancelledAt !== null) throw new CareFailure('not_found', NO_TASK);
    return task;
  }

  /** Not before the hospital's today, at most `LIMITS.taskDaysAheadMax` days after it. */
  private checkDate(date: string, field: string): void {
    const today = this.today();
    if (date < today) throw new CareFailure('invalid', `${field}: ${date} is in the past (today is ${today} in ${this.timeZone}).`);
    if (daysBetween(today, date) > LIMITS.taskDaysAheadMax) throw new CareFailure('invalid', `${field}: ${date} is more than ${LIMITS.taskDaysAheadMax} days ahead.`);
  }
}

function authorOf(identity: Identity) {
  return { id: identity.userId, name: identity.name };
}
