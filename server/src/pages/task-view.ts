import type { Task, Viewer } from '../../../src/protocol/index.js';
import type { TaskRecord } from '../storage/types.js';

/**
 * SPEC 6.4's one rule on a task's `details` (an address, a door code, an allergy): they reach
 * the family (`can.plan`: the page's owners and editors) and the task's own volunteers, as
 * they are now. Staff are not family: a moderator or admin sees them only as a volunteer.
 */
export function seesDetails(task: Pick<TaskRecord, 'volunteers'>, viewer: { plan: boolean; userId: string | null }): boolean {
  return viewer.plan || (viewer.userId !== null && task.volunteers.some((v) => v.id === viewer.userId));
}

/** `seesDetails` for a viewer as access.ts computes them. */
export function viewerSees(task: Pick<TaskRecord, 'volunteers'>, viewer: Viewer): boolean {
  return seesDetails(task, { plan: viewer.can.plan === true, userId: viewer.userId });
}

/**
 * A stored task as it leaves the server: with `details` for those who may see them, without
 * the key at all for everyone else (`hasDetails` tells them there is something), and never
 * with the cancellation's fields (a cancelled task leaves as `task:removed`).
 */
export function taskOut(task: TaskRecord, withDetails: boolean): Task {
  const { details, cancelledAt: _cancelledAt, cancelNote: _cancelNote, ...rest } = task;
  const out: Task = { ...rest, volunteers: task.volunteers.map((v) => ({ id: v.id, name: v.name })), hasDetails: details.length > 0 };
  if (withDetails) out.details = details;
  return out;
}

/** Characters of a task's text as one viewer receives it (the catch-up's budget, replay.ts). */
export function taskChars(task: TaskRecord, withDetails: boolean): number {
  return task.title.length + (withDetails ? task.details.length + (task.cancelNote?.length ?? 0) : 0) + task.createdBy.name.length + task.volunteers.reduce((n, v) => n + v.name.length, 0);
}
