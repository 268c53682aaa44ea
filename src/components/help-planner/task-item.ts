import { html, nothing, svg, type SVGTemplateResult, type TemplateResult } from 'lit';
import type { Strings } from '../../i18n/index.js';
import type { Task, TaskKind } from '../../protocol/index.js';
import { clock, clockRange, dayHeading } from './planner-dates.js';

/**
 * A small pictogram per kind of help, beside its name (decorative: the name says it). Drawn
 * as SVG in the text colour, not emoji: a system without an emoji font (many Linux desktops,
 * kiosk browsers) would show empty boxes.
 */
const ICONS: Record<TaskKind, SVGTemplateResult> = {
  // A bowl with steam.
  meal: svg`<path d="M3 11h18a9 9 0 0 1-18 0z"></path><path d="M8 7.5c0-1.2 1-1.3 1-2.5M12 7.5c0-1.2 1-1.3 1-2.5M16 7.5c0-1.2 1-1.3 1-2.5"></path>`,
  // A car.
  ride: svg`<path d="M4 15v-4l2.5-5h11l2.5 5v4z"></path><path d="M4 11h16"></path><circle cx="8" cy="17.5" r="2"></circle><circle cx="16" cy="17.5" r="2"></circle>`,
  // A person.
  visit: svg`<circle cx="12" cy="7.5" r="3.5"></circle><path d="M5 20.5c0-4 3.1-6.5 7-6.5s7 2.5 7 6.5"></path>`,
  // A shopping bag.
  errand: svg`<path d="M5 8.5h14l-1 12H6z"></path><path d="M9 8.5V7a3 3 0 0 1 6 0v1.5"></path>`,
  // A heart.
  other: svg`<path d="M12 20s-7.5-4.6-7.5-10.2A4.1 4.1 0 0 1 12 7.4a4.1 4.1 0 0 1 7.5 2.4C19.5 15.4 12 20 12 20z"></path>`,
};

/** Closing tags written out: the build's HTML minifier drops self-closing slashes, which would nest the shapes. */
function icon(kind: TaskKind): TemplateResult {
  return html`<svg class="icon" aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${ICONS[kind] ?? ICONS.other}</svg>`;
}

export function kindLabel(kind: TaskKind, t: Strings): string {
  return { meal: t.kindMeal, ride: t.kindRide, visit: t.kindVisit, errand: t.kindErrand, other: t.kindOther }[kind];
}

/** "Any time", "from 6:00 PM" or "6:00 – 7:30 PM". */
export function timeText(task: Pick<Task, 'start' | 'end'>, t: Strings, lang: string): string {
  if (!task.start) return t.anyTime;
  return task.end ? clockRange(task.start, task.end, lang) : t.fromTime(clock(task.start, lang));
}

/** What a task looks like to this viewer, with a sign-up still in the outbox taken as done. */
export interface TaskShown {
  task: Task;
  /** The viewer is (or, pending, will be) among the volunteers. */
  mine: boolean;
  /** The server already has the viewer among them (the calendar file is theirs). */
  confirmed: boolean;
  /** A sign-up (`true`) or withdrawal (`false`) waiting in the outbox. */
  pending: boolean | null;
  /** Spots still open, counting the pending intent. */
  left: number;
}

export function shown(task: Task, me: string | null, intent: boolean | undefined): TaskShown {
  const confirmed = me !== null && task.volunteers.some((v) => v.id === me);
  const mine = intent ?? confirmed;
  const taken = task.volunteers.length + (mine && !confirmed ? 1 : 0) - (!mine && confirmed ? 1 : 0);
  return { task, mine, confirmed, pending: intent === undefined || intent === confirmed ? null : intent, left: Math.max(0, task.slots - taken) };
}

/** What the task rendering needs from the widget. */
export interface TaskTools {
  t: Strings;
  lang: string;
  /** Signed in, and may sign up (`can.volunteer`). */
  volunteer: boolean;
  /** The family (`can.plan`). */
  plan: boolean;
  /** The task being edited (its form is rendered instead), and the one whose cancellation is asked. */
  editing: string | null;
  confirming: string | null;
  busy: ReadonlySet<string>;
  form(task: Task): TemplateResult;
  signup(task: Task, on: boolean): void;
  calendar(task: Task): void;
  edit(task: Task): void;
  askCancel(task: Task | null): void;
  cancel(task: Task, note: string): void;
}

/** One task (`li`, part `task`): what, when, how many, who, the details and the viewer's buttons. */
/** Between the meta's pieces; an expression, because the build's minifier trims a template's edge spaces. */
const SEP = ' \u00b7 ';

export function renderTask(s: TaskShown, x: TaskTools, withDate = false): TemplateResult {
  const { task, mine, pending, left } = s;
  const t = x.t;
  const id = `task-${task.id}`;
  if (x.editing === task.id) return html`<li part="task" class="task editing" data-task-id=${task.id}>${x.form(task)}</li>`;
  const names = task.volunteers.filter((v) => v.name);
  return html`<li part="task" class="task ${mine ? 'mine' : ''} ${left === 0 ? 'full' : ''}" data-task-id=${task.id} aria-labelledby=${id}>
    <h4 class="task-title" part="task-title">${icon(task.kind)} <span id=${id} dir="auto">${task.title}</span></h4>
    <p class="task-meta muted" part="task-meta">
      <span class="kind">${kindLabel(task.kind, t)}</span>${SEP}${withDate ? html`<span>${dayHeading(task.date, x.lang)}</span>${SEP}` : nothing}<span>${timeText(task, t, x.lang)}</span>
    </p>
    <p class="spots" part="spots" id="${id}-spots">${left === 0 ? html`<strong>${t.full}</strong>` : t.spotsLeft(task.slots).replace('{left}', left.toLocaleString(x.lang))}</p>
    ${names.length > 0 ? html`<p class="volunteers" part="volunteers">${volunteerList(names.map((v) => v.name), t, x.lang)}</p>` : nothing}
    ${task.details
      ? html`<div class="details" part="details"><span class="details-label">${t.details}</span>
          <p dir="auto">${task.details}</p></div>`
      : task.hasDetails && !x.plan
        ? html`<p class="muted details-hint">${t.detailsOnSignup}</p>`
        : nothing}
    ${x.confirming === task.id ? renderConfirm(task, x) : renderActions(s, x, id)}
    ${pending !== null ? html`<p class="muted pending">${pending ? t.signingUp : t.withdrawing}</p>` : nothing}
  </li>`;
}

/** "Helping: Ann, Bob and Cy": each name isolated (user text), the list as the language joins it. */
function volunteerList(names: string[], t: Strings, lang: string): TemplateResult {
  const marker = '\u0000';
  // The template's own words around the list, the list's own words between the names.
  const [before, after] = t.helping(marker).replace(/[\u2068\u2069]/g, '').split(marker);
  let parts: { type: string; value: string }[];
  try {
    parts = new Intl.ListFormat(lang, { type: 'conjunction' }).formatToParts(names);
  } catch {
    parts = names.flatMap((n, i) => (i ? [{ type: 'literal', value: ', ' }, { type: 'element', value: n }] : [{ type: 'element', value: n }]));
  }
  return html`${before}${parts.map((p) => (p.type === 'element' ? html`<bdi>${p.value}</bdi>` : p.value))}${after}`;
}

function renderActions(s: TaskShown, x: TaskTools, id: string): TemplateResult | typeof nothing {
  const { task, mine, confirmed, left } = s;
  const t = x.t;
  const buttons: TemplateResult[] = [];
  if (x.volunteer) {
    if (mine) buttons.push(html`<button part="button withdraw-button" class="withdraw" aria-describedby=${id} @click=${() => x.signup(task, false)}>${t.withdraw}</button>`);
    else {
      // Full: the button stays (so a lost race gives the button back) but does nothing; the spots say why.
      buttons.push(html`<button part="button signup-button" class="primary signup" aria-describedby="${id} ${id}-spots" aria-disabled=${left === 0 ? 'true' : 'false'} @click=${() => left > 0 && x.signup(task, true)}>${t.signUp}</button>`);
    }
    if (confirmed) buttons.push(html`<button part="button ics-link" class="ics" aria-describedby=${id} aria-disabled=${x.busy.has(`ics:${task.id}`)} @click=${() => x.calendar(task)}>${t.addToCalendar}</button>`);
  }
  if (x.plan) {
    buttons.push(html`<button part="button edit-button" class="edit" aria-describedby=${id} @click=${() => x.edit(task)}>${t.edit}</button>`);
    buttons.push(html`<button part="button cancel-button" class="cancel-task" aria-describedby=${id} @click=${() => x.askCancel(task)}>${t.cancelTask}</button>`);
  }
  return buttons.length ? html`<div class="actions" role="group" aria-label=${t.entryActions(task.title)}>${buttons}</div>` : nothing;
}

/** The family's confirmation: the question, an optional note to the volunteers, Yes and Keep (Escape too). */
function renderConfirm(task: Task, x: TaskTools): TemplateResult {
  const t = x.t;
  const q = `cancel-q-${task.id}`;
  const note = (e: Event) => (e.target as HTMLElement).closest('.confirm')?.querySelector('textarea')?.value.trim() ?? '';
  return html`<div class="confirm" part="confirm" role="group" aria-labelledby=${q} @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && x.askCancel(null)}>
    <p id=${q} class="question">${t.cancelTaskConfirm(task.title)}</p>
    <label for="cancel-note-${task.id}">${t.cancelNote}</label>
    <textarea id="cancel-note-${task.id}" class="cancel-note" name="note" maxlength="500" rows="2" dir="auto"></textarea>
    <div class="actions">
      <button part="button" class="danger confirm-yes" aria-disabled=${x.busy.has(`cancel:${task.id}`)} @click=${(e: Event) => x.cancel(task, note(e))}>${t.confirmCancelTask}</button>
      <button part="button" class="confirm-no" @click=${() => x.askCancel(null)}>${t.keepTask}</button>
    </div>
  </div>`;
}
