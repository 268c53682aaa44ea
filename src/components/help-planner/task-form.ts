import { html, nothing, type TemplateResult } from 'lit';
import type { Strings } from '../../i18n/index.js';
import { addDays, daysBetween, LIMITS, TASK_KINDS, type Task, type TaskDraft, type TaskKind, type TaskRepeat } from '../../protocol/index.js';
import { clearValidity } from '../base/validation.js';
import { kindLabel } from './task-item.js';

const REPEATS = ['none', 'day', 'weekday', 'week'] as const;

export interface FormTools {
  t: Strings;
  /** The hospital's today: the earliest date a task may have. */
  today: string;
  busy: boolean;
  /** The last refusal, in the widget's language. */
  error: string;
  submit(e: SubmitEvent): void;
  close(): void;
}

/**
 * The family's form (`composer` part), to add a task or (with `task`) edit one: its named
 * fields are `kind`, `title`, `date`, `start`, `end`, `slots`, `details`, and for a new task
 * `repeat` and `until`. `novalidate`: `checkTask` says what is wrong in the widget's language.
 */
export function renderTaskForm(x: FormTools, task: Task | null): TemplateResult {
  const t = x.t;
  const p = task ? `edit-${task.id}` : 'new';
  const maxDate = addDays(x.today, LIMITS.taskDaysAheadMax);
  return html`<form part="composer" class="composer" aria-labelledby="${p}-legend" novalidate @submit=${x.submit} @input=${clearValidity} @change=${clearValidity}
    @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && (e.preventDefault(), x.close())}>
    <h3 id="${p}-legend" class="form-title">${task ? t.editTask : t.addTask}</h3>
    <div class="field">
      <label for="${p}-kind">${t.taskKind}</label>
      <select id="${p}-kind" name="kind">
        ${TASK_KINDS.map((k: TaskKind) => html`<option value=${k} ?selected=${(task?.kind ?? 'meal') === k}>${kindLabel(k, t)}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for="${p}-title">${t.taskTitle}</label>
      <input id="${p}-title" name="title" required maxlength=${LIMITS.taskTitleMax} autocomplete="off" dir="auto" .value=${task?.title ?? ''} />
    </div>
    <div class="row">
      <div class="field">
        <label for="${p}-date">${t.taskDate}</label>
        <input id="${p}-date" name="date" type="date" required min=${task && task.date < x.today ? task.date : x.today} max=${maxDate} .value=${task?.date ?? x.today} />
      </div>
      <div class="field">
        <label for="${p}-start">${t.taskStart}</label>
        <input id="${p}-start" name="start" type="time" aria-describedby="${p}-time-hint" .value=${task?.start ?? ''} />
      </div>
      <div class="field">
        <label for="${p}-end">${t.taskEnd}</label>
        <input id="${p}-end" name="end" type="time" aria-describedby="${p}-time-hint" .value=${task?.end ?? ''} />
      </div>
      <div class="field">
        <label for="${p}-slots">${t.taskSlots}</label>
        <input id="${p}-slots" name="slots" type="number" inputmode="numeric" required min="1" max=${LIMITS.taskSlotsMax} .value=${String(task?.slots ?? 1)} />
      </div>
    </div>
    <p class="hint muted" id="${p}-time-hint">${t.taskTimeHint}</p>
    <div class="field">
      <label for="${p}-details">${t.taskDetails}</label>
      <textarea id="${p}-details" name="details" maxlength=${LIMITS.taskDetailsMax} rows="3" dir="auto" aria-describedby="${p}-details-hint" .value=${task?.details ?? ''}></textarea>
      <p class="hint muted" id="${p}-details-hint">${t.taskDetailsHint}</p>
    </div>
    ${task
      ? nothing
      : html`<div class="row">
          <div class="field">
            <label for="${p}-repeat">${t.repeat}</label>
            <select id="${p}-repeat" name="repeat">
              ${REPEATS.map((r) => html`<option value=${r}>${{ none: t.repeatNone, day: t.repeatDay, weekday: t.repeatWeekday, week: t.repeatWeek }[r]}</option>`)}
            </select>
          </div>
          <div class="field">
            <label for="${p}-until">${t.repeatUntil}</label>
            <input id="${p}-until" name="until" type="date" min=${x.today} max=${maxDate} />
          </div>
        </div>`}
    ${x.error ? html`<p class="error-text" role="alert">${x.error}</p>` : nothing}
    <div class="actions">
      <button type="submit" part="button" class="primary" aria-disabled=${x.busy}>${task ? t.save : t.saveTask}</button>
      <button type="button" part="button" class="close-form" @click=${x.close}>${t.cancel}</button>
    </div>
  </form>`;
}

/**
 * What the form holds, checked: a draft (and repeat) or `null` after showing the problems.
 * Every field's message is the widget's own (a custom validity wins over the browser's range
 * and step messages, which would speak the browser's language), then the first is shown.
 */
export function checkTask(form: HTMLFormElement, t: Strings, today: string, editing?: Task): { draft: TaskDraft; repeat?: TaskRepeat } | null {
  const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
  const value = (name: string) => field(name)?.value.trim() ?? '';
  const problems = new Map<string, string>();
  const fail = (name: string, message: string) => void (problems.has(name) || problems.set(name, message));
  for (const el of form.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input,textarea')) {
    if (el.required && !el.value.trim()) fail(el.name, t.fieldRequired);
    else if (el.maxLength > 0 && el.value.length > el.maxLength) fail(el.name, t.fieldTooLong(el.maxLength));
  }
  const [date, start, end, until] = [value('date'), value('start'), value('end'), value('until')];
  // An edit may leave a past task's date as it is.
  if (date && date < today && date !== editing?.date) fail('date', t.dateInPast);
  if (date && daysBetween(today, date) > LIMITS.taskDaysAheadMax) fail('date', t.dateTooFar(LIMITS.taskDaysAheadMax));
  if (end && !start) fail('start', t.endWithoutStart);
  if (start && end && end <= start) fail('end', t.endBeforeStart);
  const slots = Number(value('slots'));
  if (value('slots') && (!Number.isInteger(slots) || slots < 1 || slots > LIMITS.taskSlotsMax)) fail('slots', t.slotsRange(LIMITS.taskSlotsMax));
  const every = value('repeat');
  const repeats = every === 'day' || every === 'weekday' || every === 'week';
  if (repeats && !until) fail('until', t.fieldRequired);
  else if (repeats && until <= date) fail('until', t.untilBeforeDate);
  else if (repeats && daysBetween(date, until) > LIMITS.taskRepeatDaysMax) fail('until', t.untilTooFar(LIMITS.taskRepeatDaysMax));
  for (const el of form.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>('input,textarea,select')) el.setCustomValidity(problems.get(el.name) ?? '');
  if (problems.size > 0 || !form.reportValidity()) {
    form.reportValidity();
    return null;
  }
  const kind = (TASK_KINDS as readonly string[]).includes(value('kind')) ? (value('kind') as TaskKind) : 'other';
  const draft: TaskDraft = { kind, title: value('title'), date, slots };
  if (start) draft.start = start;
  if (start && end) draft.end = end;
  const details = (field('details') as HTMLTextAreaElement | null)?.value ?? '';
  if (details.trim()) draft.details = details.trim();
  return repeats ? { draft, repeat: { every, until } } : { draft };
}

/** An edit's changed fields only (`start: null` makes the task an any-time one); `null` when nothing changed. */
export function changes(task: Task, d: TaskDraft): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  for (const k of ['kind', 'title', 'date', 'slots'] as const) if (d[k] !== task[k]) out[k] = d[k];
  if ((d.start ?? null) !== (task.start ?? null)) out.start = d.start ?? null;
  if ((d.end ?? null) !== (task.end ?? null)) out.end = d.end ?? null;
  if ((d.details ?? '') !== (task.details ?? '') && (task.details !== undefined || d.details)) out.details = d.details ?? '';
  return Object.keys(out).length ? out : null;
}
