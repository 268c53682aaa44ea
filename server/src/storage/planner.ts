import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Author, TaskDraft, TaskKind } from '../../../src/protocol/index.js';
import { CareFailure } from '../errors.js';
import type { Database, TasksTable } from './schema.js';
import type { ChangeType, Page, PlannerStorage, Sequenced, TaskPatch, TaskRecord } from './types.js';

type Db = Kysely<Database> | Transaction<Database>;

/** What the page storage lends: its `seq` bump, which also writes the caller's pending audit row. */
export interface PlannerHooks {
  change(trx: Transaction<Database>, pageId: string, type: ChangeType, itemId: string | null, data: Record<string, unknown> | null): Promise<number>;
  isUniqueViolation(err: unknown): boolean;
}

const now = () => new Date().toISOString();

/** Told to the second of two people who reached for the last spot (and to anyone after). */
export const LAST_SPOT_TAKEN = 'Someone just took the last spot.';

/**
 * SPEC 6.4's storage: the planner's tasks and their volunteers, through Kysely. Part of
 * `Storage` (as `storage.planner`). Every change bumps the page's `seq` and records the change
 * in its transaction through the page storage's own `change`, so catch-up and live fan-out
 * agree, and the caller's audit row commits with it.
 *
 * Sign-ups are race-safe: the transaction first locks the task's row (`SELECT … FOR UPDATE`
 * on PostgreSQL; SQLite runs one write transaction at a time), then counts and inserts, so of
 * two people taking the last spot on any node one gets it and the other gets `conflict`.
 * Changing `slots` takes the same lock, so it can never fall below the people signed up.
 */
export class PlannerSql implements PlannerStorage {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: 'sqlite' | 'postgres',
    private readonly hooks: PlannerHooks,
  ) {}

  async tasksOfCreate(pageId: string, authorId: string, clientId: string): Promise<TaskRecord[]> {
    const rows = await this.db.selectFrom('tasks').selectAll().where('page_id', '=', pageId).where('created_by_id', '=', authorId).where('client_id', '=', clientId).orderBy('occurrence').execute();
    return this.withVolunteers(this.db, rows);
  }

  async createTasks(pageId: string, author: Author, clientId: string, draft: TaskDraft, dates: string[], seriesId: string | null) {
    const existing = () => this.tasksOfCreate(pageId, author.id, clientId);
    // A retry finds its originals first, whatever happened to them since.
    const before = await existing();
    if (before.length > 0) return { tasks: before, created: false };
    try {
      return await this.db.transaction().execute(async (trx) => {
        const at = now();
        const rows: Selectable<TasksTable>[] = [];
        for (const [occurrence, date] of dates.entries()) {
          const id = randomUUID();
          const seq = await this.hooks.change(trx, pageId, 'task', id, null);
          const row: Selectable<TasksTable> = {
            id,
            page_id: pageId,
            seq,
            client_id: clientId,
            occurrence,
            series_id: seriesId,
            kind: draft.kind,
            title: draft.title,
            date,
            start_time: draft.start ?? null,
            end_time: draft.start != null ? (draft.end ?? null) : null,
            slots: draft.slots,
            details: draft.details ?? '',
            created_by_id: author.id,
            created_by_name: author.name,
            created_at: at,
            updated_at: at,
            cancelled_at: null,
            cancel_note: null,
          };
          await trx.insertInto('tasks').values(row).execute();
          rows.push(row);
        }
        return { tasks: rows.map((r) => toTask(r, [])), created: true };
      });
    } catch (err) {
      // Its twin (the same retry on another socket or node) won the race: answer with it.
      if (!this.hooks.isUniqueViolation(err)) throw err;
      const twin = await existing();
      if (twin.length === 0) throw err;
      return { tasks: twin, created: false };
    }
  }

  async getTask(pageId: string, taskId: string): Promise<TaskRecord | null> {
    const row = await this.db.selectFrom('tasks').selectAll().where('page_id', '=', pageId).where('id', '=', taskId).executeTakeFirst();
    return row ? ((await this.withVolunteers(this.db, [row]))[0] ?? null) : null;
  }

  async updateTask(pageId: string, taskId: string, patch: TaskPatch): Promise<Sequenced<TaskRecord> | null> {
    return this.db.transaction().execute(async (trx) => {
      const row = await this.lockTask(trx, pageId, taskId);
      if (!row || row.cancelled_at !== null) return null;
      if (patch.slots !== undefined) {
        const taken = await this.volunteerCount(trx, taskId);
        if (patch.slots < taken) {
          throw new CareFailure('conflict', `${taken} ${taken === 1 ? 'person has' : 'people have'} signed up for this task: it cannot need fewer than ${taken}.`);
        }
      }
      // The times as they will be, checked against the row as locked: two family members
      // changing the start and the end at once cannot leave an end before its start.
      const start = patch.start !== undefined ? patch.start : row.start_time;
      const end = patch.start === null ? null : patch.end !== undefined ? patch.end : row.end_time;
      if (end !== null && (start === null || end <= start)) throw new CareFailure('invalid', 'end: end needs a start and must be after it');
      const set: Partial<TasksTable> = { updated_at: now() };
      if (patch.kind !== undefined) set.kind = patch.kind;
      if (patch.title !== undefined) set.title = patch.title;
      if (patch.date !== undefined) set.date = patch.date;
      if (patch.start !== undefined) set.start_time = patch.start;
      if (patch.end !== undefined) set.end_time = patch.end;
      // An any-time task has no end either.
      if (patch.start === null) set.end_time = null;
      if (patch.slots !== undefined) set.slots = patch.slots;
      if (patch.details !== undefined) set.details = patch.details;
      await trx.updateTable('tasks').set(set).where('id', '=', taskId).execute();
      const seq = await this.hooks.change(trx, pageId, 'task', taskId, null);
      return { value: await this.readIn(trx, taskId), seq };
    });
  }

  async cancelTask(pageId: string, taskId: string, note: string | null): Promise<Sequenced<TaskRecord> | null> {
    return this.db.transaction().execute(async (trx) => {
      const at = now();
      const r = await trx
        .updateTable('tasks')
        .set({ cancelled_at: at, cancel_note: note, updated_at: at })
        .where('page_id', '=', pageId)
        .where('id', '=', taskId)
        .where('cancelled_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return null;
      const seq = await this.hooks.change(trx, pageId, 'task-removed', taskId, null);
      return { value: await this.readIn(trx, taskId), seq };
    });
  }

  async signupTask(pageId: string, taskId: string, user: Author, on: boolean): Promise<{ task: TaskRecord; seq: number | null } | null> {
    return this.db.transaction().execute(async (trx) => {
      // The lock first: whoever holds it counts and inserts before the other one counts.
      const row = await this.lockTask(trx, pageId, taskId);
      if (!row || row.cancelled_at !== null) return null;
      const mine = await trx.selectFrom('task_volunteers').select('user_id').where('task_id', '=', taskId).where('user_id', '=', user.id).executeTakeFirst();
      if (on === (mine !== undefined)) return { task: await this.readIn(trx, taskId), seq: null };
      if (on) {
        if ((await this.volunteerCount(trx, taskId)) >= row.slots) throw new CareFailure('conflict', LAST_SPOT_TAKEN);
        await trx.insertInto('task_volunteers').values({ task_id: taskId, page_id: pageId, user_id: user.id, user_name: user.name, created_at: now() }).execute();
      } else {
        await trx.deleteFrom('task_volunteers').where('task_id', '=', taskId).where('user_id', '=', user.id).execute();
      }
      const seq = await this.hooks.change(trx, pageId, 'task', taskId, { userId: user.id, on });
      return { task: await this.readIn(trx, taskId), seq };
    });
  }

  async tasksFrom(pageId: string, fromDate: string, limit: number): Promise<Page<TaskRecord>> {
    const rows = await this.db
      .selectFrom('tasks')
      .selectAll()
      .where('page_id', '=', pageId)
      .where('cancelled_at', 'is', null)
      .where('date', '>=', fromDate)
      // Any-time tasks first on their day, in both dialects (they sort NULLs differently).
      .orderBy('date')
      .orderBy(sql`coalesce(start_time, '')`)
      .orderBy('seq')
      .limit(limit + 1)
      .execute();
    let hasMore = rows.length > limit;
    if (!hasMore) {
      const older = await this.db.selectFrom('tasks').select('id').where('page_id', '=', pageId).where('cancelled_at', 'is', null).where('date', '<', fromDate).limit(1).executeTakeFirst();
      hasMore = older !== undefined;
    }
    return { items: await this.withVolunteers(this.db, rows.slice(0, limit)), hasMore };
  }

  async taskPage(pageId: string, before: number | null, limit: number): Promise<Page<TaskRecord>> {
    let q = this.db.selectFrom('tasks').selectAll().where('page_id', '=', pageId).where('cancelled_at', 'is', null);
    if (before !== null) q = q.where('seq', '<', before);
    const rows = await q.orderBy('seq', 'desc').limit(limit + 1).execute();
    return { items: await this.withVolunteers(this.db, rows.slice(0, limit)), hasMore: rows.length > limit };
  }

  async tasksByIds(pageId: string, ids: string[]): Promise<Map<string, TaskRecord>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('tasks').selectAll().where('page_id', '=', pageId).where('id', 'in', ids).execute();
    return new Map((await this.withVolunteers(this.db, rows)).map((t) => [t.id, t]));
  }

  /** Every task of a page, cancelled ones and details included, for its export. */
  async exportRows(pageId: string): Promise<TaskRecord[]> {
    const rows = await this.db.selectFrom('tasks').selectAll().where('page_id', '=', pageId).orderBy('seq').execute();
    return this.withVolunteers(this.db, rows);
  }

  /** A page's tasks and sign-ups, explicitly (a purge never depends on cascade settings). */
  static async purge(trx: Db, pageId: string): Promise<void> {
    await trx.deleteFrom('task_volunteers').where('page_id', '=', pageId).execute();
    await trx.deleteFrom('tasks').where('page_id', '=', pageId).execute();
  }

  /** The task's row, write-locked until the transaction ends (PostgreSQL; SQLite's one writer needs no lock). */
  private lockTask(trx: Transaction<Database>, pageId: string, taskId: string) {
    return trx
      .selectFrom('tasks')
      .selectAll()
      .where('page_id', '=', pageId)
      .where('id', '=', taskId)
      .$if(this.dialect === 'postgres', (q) => q.forUpdate())
      .executeTakeFirst();
  }

  private async volunteerCount(trx: Db, taskId: string): Promise<number> {
    const r = await trx.selectFrom('task_volunteers').select((eb) => eb.fn.countAll<number | string>().as('n')).where('task_id', '=', taskId).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  private async readIn(trx: Db, taskId: string): Promise<TaskRecord> {
    const row = await trx.selectFrom('tasks').selectAll().where('id', '=', taskId).executeTakeFirstOrThrow();
    return (await this.withVolunteers(trx, [row]))[0]!;
  }

  /** The rows as tasks, each with its volunteers in the order they signed up. */
  private async withVolunteers(db: Db, rows: Selectable<TasksTable>[]): Promise<TaskRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const people = await db.selectFrom('task_volunteers').select(['task_id', 'user_id', 'user_name']).where('task_id', 'in', ids).orderBy('created_at').orderBy('user_id').execute();
    const by = new Map<string, Author[]>(ids.map((id) => [id, []]));
    for (const p of people) by.get(p.task_id)?.push({ id: p.user_id, name: p.user_name });
    return rows.map((r) => toTask(r, by.get(r.id) ?? []));
  }
}

export function toTask(r: Selectable<TasksTable>, volunteers: Author[]): TaskRecord {
  const t: TaskRecord = {
    id: r.id,
    pageId: r.page_id,
    seq: Number(r.seq),
    kind: r.kind as TaskKind,
    title: r.title,
    date: r.date,
    slots: Number(r.slots),
    details: r.details,
    volunteers,
    createdBy: { id: r.created_by_id, name: r.created_by_name },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    cancelledAt: r.cancelled_at,
    cancelNote: r.cancel_note,
  };
  if (r.start_time !== null) t.start = r.start_time;
  if (r.end_time !== null) t.end = r.end_time;
  if (r.series_id !== null) t.seriesId = r.series_id;
  return t;
}
