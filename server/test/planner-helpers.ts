/**
 * Helpers of the planner's notification tests: tasks and sign-ups, and the clock times of a
 * reminder test (the runner's injected clock, moved across the reminder hour).
 */
import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import { addDays, type TaskKind } from '../../src/protocol/index.js';
import type { Database } from '../src/storage/schema.js';
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
 * The planner's rows, written with Kysely (migration 010's tables) so these tests stand on the
 * job queue alone. Sign-ups and cancels change the rows as the planner's storage does.
 */
export class TaskRows {
  private seq = 0;
  constructor(private readonly db: Kysely<Database>) {}

  async create(pageId: string, t: TaskSpec, createdBy = 'owner'): Promise<string> {
    const id = randomUUID();
    const at = new Date().toISOString();
    await this.db
      .insertInto('tasks')
      .values({
        id,
        page_id: pageId,
        seq: ++this.seq,
        client_id: id.slice(0, 8),
        occurrence: 0,
        series_id: null,
        kind: t.kind ?? 'errand',
        title: t.title,
        date: t.date,
        start_time: t.start ?? null,
        end_time: null,
        slots: t.slots ?? 5,
        details: t.details ?? '',
        created_by_id: createdBy,
        created_by_name: createdBy,
        created_at: at,
        updated_at: at,
        cancelled_at: null,
        cancel_note: null,
      })
      .execute();
    return id;
  }

  async signup(pageId: string, taskId: string, userId: string, on = true): Promise<void> {
    if (on) await this.db.insertInto('task_volunteers').values({ task_id: taskId, page_id: pageId, user_id: userId, user_name: userId, created_at: new Date().toISOString() }).execute();
    else await this.db.deleteFrom('task_volunteers').where('task_id', '=', taskId).where('user_id', '=', userId).execute();
  }

  async cancel(taskId: string): Promise<void> {
    await this.db.updateTable('tasks').set({ cancelled_at: new Date().toISOString(), cancel_note: 'not needed' }).where('id', '=', taskId).execute();
  }
}

/**
 * Times for a reminder test in `timeZone`: `before` (half an hour before the reminder hour, a
 * little ahead of real time), `at` (just after the hour begins, the same local day), the
 * `reminderHour`, `today` (the local day of `at`) and `tomorrow` (the day the reminders are for).
 */
export function reminderTimes(timeZone: string): { before: number; at: number; reminderHour: number; today: string; tomorrow: string } {
  let at = Math.ceil((Date.now() + 60 * 60_000) / 3_600_000) * 3_600_000 + 60_000;
  // Hour 0 would leave no earlier hour of the same day to be "before" in.
  while (hourIn(at, timeZone) === 0) at += 3_600_000;
  const today = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  return { before: at - 31 * 60_000, at, reminderHour: hourIn(at, timeZone), today, tomorrow: addDays(today, 1) };
}
