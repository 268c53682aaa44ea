/**
 * Helpers of the planner's notification tests: tasks and sign-ups, and the clock times of a
 * reminder test (the runner's injected clock, moved across the reminder hour).
 */
import { addDays, type TaskKind } from '../../src/protocol/index.js';
import type { TestServer } from './helpers.js';
import { hourIn } from './notify-e2e-helpers.js';

export interface TaskSpec {
  title: string;
  date: string;
  kind?: TaskKind;
  details?: string;
  start?: string;
  slots?: number;
}

/**
 * The planner through its socket events (as a family and its helpers use it): tasks created
 * by a member, sign-ups and withdrawals by each person on their own connection, cancels.
 */
export class Planner {
  private n = 0;
  constructor(private readonly ts: TestServer) {}

  async create(pageId: string, t: TaskSpec, createdBy = 'owner'): Promise<string> {
    const c = await this.ts.connect(createdBy);
    try {
      const task = { kind: t.kind ?? 'errand', title: t.title, date: t.date, slots: t.slots ?? 20, ...(t.start ? { start: t.start } : {}), ...(t.details ? { details: t.details } : {}) };
      const r = await c.ok('task:create', { pageId, clientId: `t${++this.n}`, task });
      return r.task.id;
    } finally {
      c.close();
    }
  }

  async signup(pageId: string, taskId: string, userId: string, on = true): Promise<void> {
    const c = await this.ts.connect(userId);
    try {
      await c.ok('task:signup', { pageId, taskId, on });
    } finally {
      c.close();
    }
  }

  async cancel(pageId: string, taskId: string, by = 'owner'): Promise<void> {
    const c = await this.ts.connect(by);
    try {
      await c.ok('task:cancel', { pageId, taskId, note: 'not needed' });
    } finally {
      c.close();
    }
  }
}

/**
 * Times for a reminder test in `timeZone`: `before` (half an hour before the reminder hour, a
 * little ahead of real time), `at` (just after the hour begins, the same local day), the
 * `reminderHour`, `today` (the local day of `at`) and `tomorrow` (the day the reminders are for).
 */
export function reminderTimes(timeZone: string, opts: { laterHour?: boolean } = {}): { before: number; at: number; reminderHour: number; today: string; tomorrow: string } {
  let at = Math.ceil((Date.now() + 60 * 60_000) / 3_600_000) * 3_600_000 + 60_000;
  // Hour 0 would leave no earlier hour of the same day to be "before" in; `laterHour`: the
  // hour after `at` is the same local day too (a later sweep's).
  while (hourIn(at, timeZone) === 0 || (opts.laterHour && hourIn(at + 3_600_000, timeZone) === 0)) at += 3_600_000;
  const today = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  return { before: at - 31 * 60_000, at, reminderHour: hourIn(at, timeZone), today, tomorrow: addDays(today, 1) };
}
