/**
 * Time slices for the widgets' work on the main thread (issue 12): a first render of a page's
 * entries (Markdown, sanitizing, templates) or of two widgets at once used to be one long task
 * of several hundred ms on a slow phone, blocking the host page's input. Work checks
 * `sliceSpent()` between items and, past the budget, continues in a later task
 * (`nextSlice()`), so the browser can handle input and paint in between.
 */

/** Work per task before yielding: under the 50 ms of a "long task", with room for layout. */
const BUDGET_MS = 30;

let start = -1;
let generation = 0;

/** Marks the start of a slice, and that the next task starts a fresh one. */
function begin(): void {
  start = performance.now();
  const mine = ++generation;
  setTimeout(() => {
    if (generation === mine) start = -1;
  });
}

/**
 * Whether the widgets' work in this task has used its budget. The first call of a task starts
 * the clock (work of ours before it, such as decoding the message that caused it, is not
 * counted: the budget keeps room for it).
 */
export function sliceSpent(): boolean {
  if (start < 0) begin();
  return performance.now() - start > BUDGET_MS;
}

interface Scheduler {
  yield?: () => Promise<void>;
}

/**
 * Continues in a later task: `scheduler.yield()` where the browser has it (the continuation
 * runs before other queued tasks, but after input and paint), else a MessageChannel message
 * (not `setTimeout`, which nested timers clamp to 4 ms).
 */
export async function nextSlice(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: Scheduler }).scheduler;
  if (typeof scheduler?.yield === 'function') await scheduler.yield();
  else {
    await new Promise<void>((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(null);
    });
  }
  begin();
}
