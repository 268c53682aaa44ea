import type { Task } from '../protocol/index.js';
import type { TaskCancellation } from './page-state.js';

/** How many live cancellations a store remembers (for the widget's announcement of them). */
const CANCELLATIONS_KEPT = 20;

/** Earliest first: by date, then start time (any-time tasks first), then creation `seq`. */
export function byWhen(a: Task, b: Task): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  const sa = a.start ?? '';
  const sb = b.start ?? '';
  if (sa !== sb) return sa < sb ? -1 : 1;
  return a.seq - b.seq;
}

/**
 * The planner's tasks as the page's store keeps them (SPEC 6.4), by id. A live `task:changed`
 * replaces the task whole (`set`): it is the task as this receiver may see it now, so one
 * arriving without `details` drops the ones held (a volunteer who withdrew). An answer to our
 * own call or a history page may be older than a live event already applied, so it replaces
 * the held task only when it is newer (`merge`, by `updatedAt`).
 */
export class TaskList {
  readonly #byId = new Map<string, Task>();
  #sorted: readonly Task[] | null = [];
  #cancelled: TaskCancellation[] = [];
  /** The `history:load` cursor: the lowest creation `seq` a history page brought (`null`: none loaded yet). */
  cursor: number | null = null;
  hasMore = false;

  get(id: string): Task | undefined {
    return this.#byId.get(id);
  }

  /** A live change: the task as it is now. */
  set(task: Task): void {
    this.#byId.set(task.id, task);
    this.#sorted = null;
  }

  /**
   * An acknowledgement or a history item: taken unless what we hold is as new or newer. A
   * sign-up does not move `updatedAt`, so the answer to our own (`me`) is also taken when it
   * says otherwise than we hold about us: the live event with it has not arrived yet.
   */
  merge(task: Task, me?: string | null): void {
    const held = this.#byId.get(task.id);
    const has = (t: Task) => t.volunteers.some((v) => v.id === me);
    if (!held || task.updatedAt > held.updatedAt || (me && has(held) !== has(task))) this.set(task);
  }

  /** Cancelled live (`task:removed`): gone, and remembered for the announcement. */
  cancel(seq: number, taskId: string, note?: string): void {
    const task = this.#byId.get(taskId) ?? null;
    this.delete(taskId);
    this.#cancelled = [...this.#cancelled, { seq, taskId, task, ...(note ? { note } : {}) }].slice(-CANCELLATIONS_KEPT);
  }

  delete(taskId: string): void {
    if (this.#byId.delete(taskId)) this.#sorted = null;
  }

  clear(): void {
    this.#byId.clear();
    this.#sorted = [];
    this.cursor = null;
    this.hasMore = false;
  }

  list(): readonly Task[] {
    this.#sorted ??= [...this.#byId.values()].sort(byWhen);
    return this.#sorted;
  }

  get cancelled(): readonly TaskCancellation[] {
    return this.#cancelled;
  }
}
