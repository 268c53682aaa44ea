import { html, nothing, type TemplateResult } from 'lit';
import type { Strings } from '../../i18n/index.js';
import { addDays, type Task } from '../../protocol/index.js';
import { addMonths, dayFull, dayNumber, monthTitle, monthWeeks, startOfWeek, weekdayName } from './planner-dates.js';
import type { TaskShown } from './task-item.js';

/** Tasks a day cell names; the rest are "+N more". */
const CELL_TASKS = 3;

export interface MonthTools {
  t: Strings;
  lang: string;
  dir: 'ltr' | 'rtl';
  /** `YYYY-MM` shown. */
  month: string;
  today: string;
  /** The day that holds the grid's one tab stop. */
  focus: string;
  /** The day whose tasks are shown under the grid. */
  open: string | null;
  first: number;
  /** The tasks of a day, as the viewer sees them. */
  tasksOn(date: string): TaskShown[];
  /** Moves the tab stop (and the month with it); `focus` asks for the cell to take focus. */
  moveTo(date: string, focus: boolean): void;
  openDay(date: string): void;
}

/**
 * The month view (`month` part): a grid of the month's days, seven columns from the
 * language's first day of the week, each day a button (`month-cell`) naming its tasks with
 * their open spots. Keyboard as a date picker's grid: one tab stop (roving tabindex), the
 * arrow keys move by a day or a week (mirrored right to left), Home and End to the week's
 * ends, Page Up and Page Down by a month, Enter or Space open the day.
 */
export function renderMonth(x: MonthTools): TemplateResult {
  const t = x.t;
  const weeks = monthWeeks(x.month, x.first);
  const days = Array.from({ length: 7 }, (_, i) => (x.first + i) % 7);
  return html`<div class="month" part="month">
    <div class="month-head">
      <button part="button month-previous" class="month-nav" aria-label=${t.previousMonth} @click=${() => x.moveTo(`${addMonths(x.month, -1)}-01`, false)}>
        <span aria-hidden="true">${x.dir === 'rtl' ? '\u203A' : '\u2039'}</span>
      </button>
      <h3 id="month-title" class="month-title" aria-live="polite">${monthTitle(x.month, x.lang)}</h3>
      <button part="button month-next" class="month-nav" aria-label=${t.nextMonth} @click=${() => x.moveTo(`${addMonths(x.month, 1)}-01`, false)}>
        <span aria-hidden="true">${x.dir === 'rtl' ? '\u2039' : '\u203A'}</span>
      </button>
    </div>
    <table role="grid" class="grid" aria-labelledby="month-title" @keydown=${(e: KeyboardEvent) => onKey(e, x)}>
      <thead>
        <tr>
          ${days.map((d) => html`<th scope="col" abbr=${weekdayName(d, x.lang, 'long')}>${weekdayName(d, x.lang, 'short')}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${weeks.map((week) => html`<tr>${week.map((date) => (date ? cell(date, x) : html`<td class="empty"></td>`))}</tr>`)}
      </tbody>
    </table>
  </div>`;
}

function cell(date: string, x: MonthTools): TemplateResult {
  const t = x.t;
  const tasks = x.tasksOn(date);
  const open = tasks.reduce((n, s) => n + s.left, 0);
  return html`<td class=${date < x.today ? 'past' : ''}>
    <button
      part="month-cell"
      class="cell ${date === x.today ? 'today' : ''} ${tasks.length ? 'busy' : ''} ${date === x.open ? 'open' : ''}"
      data-date=${date}
      tabindex=${date === x.focus ? '0' : '-1'}
      aria-current=${date === x.today ? 'date' : nothing}
      aria-pressed=${date === x.open ? 'true' : 'false'}
      @click=${() => x.openDay(date)}
      @focus=${() => date !== x.focus && x.moveTo(date, false)}
    >
      <span class="num" aria-hidden="true">${dayNumber(date, x.lang)}</span>
      <span class="visually-hidden">${dayFull(date, x.lang)}${tasks.length ? `: ${t.taskCount(tasks.length)}, ${t.openSpots(open)}` : ''}</span>
      ${tasks.slice(0, CELL_TASKS).map(
        (s) => html`<span class="cell-task ${s.left === 0 ? 'full' : ''} ${s.mine ? 'mine' : ''}" aria-hidden="true"><span class="cell-title" dir="auto">${s.task.title}</span> <span class="cell-count">${s.left === 0 ? '\u2713' : s.left.toLocaleString(x.lang)}</span></span>`,
      )}
      ${tasks.length > CELL_TASKS ? html`<span class="cell-more" aria-hidden="true">${t.moreTasks(tasks.length - CELL_TASKS)}</span>` : nothing}
    </button>
  </td>`;
}

function onKey(e: KeyboardEvent, x: MonthTools): void {
  const target = e.target as HTMLElement;
  const date = target.dataset?.date;
  if (!date) return;
  const back = x.dir === 'rtl' ? 1 : -1;
  const week = startOfWeek(date, x.first);
  const moves: Record<string, () => string> = {
    ArrowLeft: () => addDays(date, back),
    ArrowRight: () => addDays(date, -back),
    ArrowUp: () => addDays(date, -7),
    ArrowDown: () => addDays(date, 7),
    Home: () => week,
    End: () => addDays(week, 6),
    PageUp: () => sameDay(date, -1),
    PageDown: () => sameDay(date, 1),
  };
  const move = moves[e.key];
  if (!move) return;
  e.preventDefault();
  x.moveTo(move(), true);
}

/** The same day of the month `n` months away, or that month's last day. */
function sameDay(date: string, n: number): string {
  const month = addMonths(date.slice(0, 7), n);
  const last = Number(addDays(`${addMonths(month, 1)}-01`, -1).slice(8));
  return `${month}-${String(Math.min(Number(date.slice(8)), last)).padStart(2, '0')}`;
}

/** Tasks by date, for the grid. */
export function byDate(tasks: readonly Task[]): Map<string, Task[]> {
  const out = new Map<string, Task[]>();
  for (const task of tasks) {
    const list = out.get(task.date);
    if (list) list.push(task);
    else out.set(task.date, [task]);
  }
  return out;
}
