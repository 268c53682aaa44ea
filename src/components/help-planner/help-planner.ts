import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { saveFile } from '../../client/ics.js';
import { newClientId } from '../../client/outbox.js';
import type { TaskCancellation } from '../../client/page-state.js';
import { addDays, LIMITS, TASK_SNAPSHOT_DAYS_BACK, type CareError, type PageInfo, type Task } from '../../protocol/index.js';
import { tokens } from '../../styles/tokens.js';
import { CareElement } from '../base/care-element.js';
import { helpPlannerStyles } from './help-planner.styles.js';
import { byDate, renderMonth } from './month-view.js';
import { dayHeading, startOfWeek, visitorZone, weekStart, zoneName } from './planner-dates.js';
import { changes, checkTask, renderTaskForm } from './task-form.js';
import { renderTask, shown, type TaskShown, type TaskTools } from './task-item.js';

export type PlannerView = 'upcoming' | 'month';

/** Where focus goes once the DOM has caught up. */
type Focus = { task: string; selector: string } | { selector: string };

/**
 * @summary Ways to help (SPEC 6.4): a calendar of practical tasks (meals, rides, visits,
 * errands) that the family posts and the people who may read the page sign up for, live for
 * everyone. The "Upcoming" view lists the days from the hospital's today on, the viewer's own
 * tasks first; the "Month" view is a calendar grid. The family (the page's owners and editors)
 * adds tasks (once or repeating), edits and cancels them, and sees this week's coverage.
 * Signed-in readers sign up ("I'll do it") and withdraw ("I can't any more") through the outbox,
 * offline too; their own tasks offer a calendar file. A task's details (an address, a door
 * code) reach only the family and that task's volunteers. Dates and times are the hospital's
 * (`CARE_TIMEZONE`), written in the visitor's language. A backend without the `planner`
 * feature shows a polite notice instead.
 *
 * @event care-posted - `{kind: 'task', item}` after the server acknowledged a task the family added (the first occurrence of a repeating one); `{kind: 'signup', item}` after it acknowledged this visitor's sign-up or withdrawal (`item` is the task as it is now).
 * @event care-connection-change - `{state}` of the shared connection (`connecting`, `online`, `offline` or `unauthorized`), fired once per change by the first widget bound to that connection, so listen on `document` or a common ancestor; every widget's `connectionState` reads the current state.
 * @event care-error - `{code, message}` when an action was refused (`conflict`: the last spot went to someone else); once `unsupported_protocol` when the server speaks another protocol version; once `config` when a setting is wrong (a missing `page`, a failing `token-url`, a host never reached), `message` naming it.
 *
 * @csspart base - The widget's outer box.
 * @csspart heading - The "Ways to help" heading.
 * @csspart toolbar - The row of the two view buttons and the family's "Add a task".
 * @csspart view-button - "Upcoming" and "Month" (`aria-pressed`).
 * @csspart add-button - The family's "Add a task" (also `button`).
 * @csspart summary - The family's coverage of this week ("This week: 3 covered, 2 still open").
 * @csspart zone-note - "Times are in the hospital's time zone", when the visitor's differs.
 * @csspart list - A list of tasks (one per day, and the viewer's own).
 * @csspart day - A day of the upcoming view, the viewer's own tasks, or the day opened in the month view.
 * @csspart day-heading - A day's heading ("Tue, Dec 8").
 * @csspart earlier - The collapsed past days of the upcoming view (a `details`).
 * @csspart task - One task (an `li` with `data-task-id`).
 * @csspart task-title - A task's title, with its kind's pictogram.
 * @csspart task-meta - A task's kind and time ("Any time", "6:00 – 7:00 PM").
 * @csspart spots - "1 of 2 spots left" or "Full".
 * @csspart volunteers - Who signed up.
 * @csspart details - The task's details (only for the family and its volunteers).
 * @csspart signup-button - "I'll do it" (also `button`); `aria-disabled` on a full task.
 * @csspart withdraw-button - "I can't any more" (also `button`).
 * @csspart ics-link - "Add to calendar" on the viewer's own tasks: downloads the task's .ics file (also `button`).
 * @csspart edit-button - The family's Edit (also `button`).
 * @csspart cancel-button - The family's "Cancel task" (also `button`).
 * @csspart confirm - The cancellation's confirmation, with its optional note.
 * @csspart composer - The form that adds or edits a task (fields `kind`, `title`, `date`, `start`, `end`, `slots`, `details`, `repeat`, `until`).
 * @csspart month - The month view.
 * @csspart month-previous - The month view's "Previous month" (also `button`).
 * @csspart month-next - The month view's "Next month" (also `button`).
 * @csspart month-cell - A day of the month view (a button naming its tasks and open spots).
 * @csspart notice - Loading, offline, locked, unavailable, "Someone just took the last spot." and other notices.
 * @csspart invite-notice - The notice about an invitation link in the address bar; also has `notice`.
 * @csspart load-more - "Show more tasks", when the page has more than one snapshot holds (also `button`).
 * @csspart button - Every button.
 *
 * @cssproperty --care-color-primary - Primary buttons, today's day and the viewer's own tasks.
 * @cssproperty --care-color-on-primary - Text on primary buttons.
 * @cssproperty --care-color-surface - Background.
 * @cssproperty --care-color-text - Text.
 * @cssproperty --care-color-muted - Secondary text and past days.
 * @cssproperty --care-color-border - Borders and separators.
 * @cssproperty --care-color-danger - Errors and the confirming Cancel.
 * @cssproperty --care-color-focus - The focus ring.
 * @cssproperty --care-font-family - Font.
 * @cssproperty --care-font-size - Base font size.
 * @cssproperty --care-radius - Corner radius.
 * @cssproperty --care-space - Padding unit.
 */
export class CareHelpPlanner extends CareElement {
  static override styles = [tokens, helpPlannerStyles];

  static override properties: PropertyDeclarations = {
    view: { reflect: true },
    composing: { state: true },
    editing: { state: true },
    confirming: { state: true },
    month: { state: true },
    focusDate: { state: true },
    openDate: { state: true },
    notice: { state: true },
    formError: { state: true },
    busy: { state: true },
  };

  constructor() {
    super();
    this.view = 'upcoming';
    this.composing = false;
    this.editing = null;
    this.confirming = null;
    this.month = '';
    this.focusDate = '';
    this.openDate = null;
    this.notice = null;
    this.formError = '';
    this.busy = new Set();
  }

  /** `upcoming` (the default): the days from today on, grouped; `month`: a calendar grid. */
  declare view: PlannerView;

  declare private composing: boolean;
  declare private editing: string | null;
  declare private confirming: string | null;
  /** `YYYY-MM` of the month view ('' until the page's today is known). */
  declare private month: string;
  declare private focusDate: string;
  declare private openDate: string | null;
  /** A notice to the viewer (a lost race, a cancelled task of theirs, a refusal). */
  declare private notice: { text: string; alert: boolean } | null;
  declare private formError: string;
  declare private busy: ReadonlySet<string>;

  protected override readonly alsoPosts = ['signup'] as const;

  /** The `clientId` of the task the form is adding: kept until the server answered, so a retry is the same task. */
  #clientId = newClientId();
  #focus: Focus | null = null;
  /** Updates a focus target inside a task may wait for (the task moving between groups). */
  #focusTries = 0;
  /** What was announced up to: the page `seq` seen, per binding, and the tasks as they were. */
  #seenSeq: number | null = null;
  #seenBinding: unknown = null;
  #seenTasks = new Map<string, Task>();
  /**
   * Changes made by this widget's own calls, not announced back to the person who made them:
   * a task's `updatedAt` as our call's answer gave it, and the tasks we cancelled.
   */
  readonly #own = new Map<string, string>();
  #loadingMore = false;

  /* ------------------------------------------------------------------------ bookkeeping */

  get #ready(): boolean {
    return this.care.state.status === 'ready' && this.care.has('planner');
  }

  get #can(): { plan: boolean; volunteer: boolean; me: string | null } {
    const v = this.care.state.viewer;
    return { plan: v?.can.plan === true, volunteer: v?.can.volunteer === true && v.userId !== null, me: v?.userId ?? null };
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (!this.#ready) return;
    const today = this.care.today();
    if (!this.month) {
      this.month = today.slice(0, 7);
      this.focusDate = today;
    }
    this.#refusedSignups();
    this.#announce();
    if (this.view === 'month') this.#coverMonth(today);
  }

  /** A sign-up the server refused for good: said plainly (a lost race), reported once, dropped. */
  #refusedSignups(): void {
    const refused = this.care.pending('signup').filter((e) => e.state === 'failed');
    if (refused.length === 0) return;
    for (const e of refused) {
      if (!e.error) continue;
      this.notice = { text: e.error.code === 'conflict' ? this.t.lastSpotTaken : this.t.error(e.error.message), alert: true };
      this.reportError(e.error);
    }
    // Not during this update: discarding notifies the outbox's listeners, which request another.
    queueMicrotask(() => refused.forEach((e) => this.care.discard(e.clientId)));
  }

  /**
   * Live changes said once in the polite region: tasks added, changed or cancelled by others,
   * others signing up or withdrawing; and, to a volunteer, the cancellation of their task, also
   * shown (with the family's note). The first load and a new binding say nothing.
   */
  #announce(): void {
    const { binding, state } = this.care;
    const t = this.t;
    if (binding !== this.#seenBinding) {
      this.#seenBinding = binding;
      this.#seenSeq = null;
    }
    const since = this.#seenSeq;
    const before = this.#seenTasks;
    this.#seenSeq = Math.max(since ?? 0, state.seq);
    this.#seenTasks = new Map(state.tasks.map((x) => [x.id, x]));
    if (since === null || state.seq <= since) return;
    const me = state.viewer?.userId ?? null;
    const said: string[] = [];
    for (const task of state.tasks) {
      const was = before.get(task.id);
      if (!was) {
        if (task.seq > since && task.createdBy.id !== me && !this.#own.has(task.id)) said.push(t.announceTaskAdded(task.title));
        continue;
      }
      // A sign-up or a withdrawal does not move `updatedAt`: the volunteers say it.
      const ids = (x: Task) => new Set(x.volunteers.filter((v) => v.id !== me).map((v) => v.id));
      const [a, b] = [ids(was), ids(task)];
      if ([...b].some((id) => !a.has(id))) said.push(t.announceSignup(task.title));
      else if ([...a].some((id) => !b.has(id))) said.push(t.announceWithdrawal(task.title));
      else if (was.updatedAt !== task.updatedAt && !['pending', task.updatedAt].includes(this.#own.get(task.id) ?? '')) said.push(t.announceTaskChanged(task.title));
    }
    for (const c of state.cancelled) if (c.seq > since && !this.#own.has(c.taskId)) this.#cancelled(c, me, said);
    if (said.length) this.announcer.say(said.join('. '));
  }

  #cancelled(c: TaskCancellation, me: string | null, said: string[]): void {
    const t = this.t;
    if (!c.task) return;
    if (me !== null && c.task.volunteers.some((v) => v.id === me)) {
      const text = [t.taskCancelledYours(c.task.title), c.note ? t.familyNote(c.note) : ''].filter(Boolean).join(' ');
      this.notice = { text, alert: false };
      said.push(text);
    } else said.push(t.announceTaskCancelled(c.task.title));
  }

  /**
   * The month view of a month the snapshot may not hold (before its first day, or with a
   * snapshot at its cap): older pages of tasks until none remain.
   */
  #coverMonth(today: string): void {
    const { tasks, tasksHasMore } = this.care.state;
    const snapshotFrom = addDays(today, -TASK_SNAPSHOT_DAYS_BACK);
    const covered = `${this.month}-01` >= snapshotFrom && tasks.length < LIMITS.snapshotTasks;
    if (!tasksHasMore || covered || this.#loadingMore) return;
    void this.#loadMore();
  }

  readonly #loadMore = async (): Promise<void> => {
    if (this.#loadingMore) return;
    this.#loadingMore = true;
    this.requestUpdate();
    const res = await this.care.loadOlder('tasks', 100);
    this.#loadingMore = false;
    if (!res.ok) this.#fail(res.error);
    this.requestUpdate();
  };

  #fail(error: CareError): void {
    this.notice = { text: this.t.error(error.message), alert: true };
    this.reportError(error);
  }

  #shown(task: Task): TaskShown {
    const intent = this.care
      .pending('signup')
      .filter((e) => e.taskId === task.id && e.state !== 'failed')
      .at(-1);
    return shown(task, this.#can.me, intent ? intent.on === true : undefined);
  }

  /* ----------------------------------------------------------------------------- render */

  protected override render(): TemplateResult {
    const t = this.t;
    const { status } = this.care.state;
    return html`<section class="root" part="base" dir=${this.direction} aria-labelledby="heading">
      <h2 id="heading" part="heading" tabindex="-1">${t.planner}</h2>
      ${this.notices.invite()} ${this.notices.offline()} ${this.notices.status()} ${status === 'locked' ? this.notices.locked() : nothing}
      ${status === 'ready' ? (this.care.has('planner') ? this.#content() : html`<p class="notice" role="status" part="notice">${t.plannerUnavailable}</p>`) : nothing}
      ${this.announcer.region()}
    </section>`;
  }

  #content(): TemplateResult {
    const t = this.t;
    const can = this.#can;
    const page = this.care.state.page as PageInfo;
    const zone = page.timeZone;
    return html`<div class="toolbar" part="toolbar">
        <div class="views" role="group" aria-label=${t.plannerView}>
          ${(['upcoming', 'month'] as const).map(
            (v) => html`<button part="button view-button" class="view" aria-pressed=${this.view === v ? 'true' : 'false'} @click=${() => this.#setView(v)}>${v === 'upcoming' ? t.viewUpcoming : t.viewMonth}</button>`,
          )}
        </div>
        ${can.plan && !this.composing
          ? html`<button part="button add-button" class="primary add" aria-expanded="false" @click=${this.#openComposer}>${t.addTask}</button>`
          : nothing}
      </div>
      ${can.plan ? this.#summary() : nothing}
      ${zone && zone !== visitorZone() ? html`<p class="muted zone" part="zone-note">${t.timesIn(zoneName(zone, this.language))}</p>` : nothing}
      ${this.notice
        ? html`<div class="notice ${this.notice.alert ? 'error' : ''}" part="notice" role=${this.notice.alert ? 'alert' : 'status'}>
            <span dir="auto">${this.notice.text}</span>
            <button part="button" class="dismiss" @click=${this.#dismiss}>${t.close}</button>
          </div>`
        : nothing}
      ${!this.#can.me ? html`<p class="muted sign-in">${t.signInToHelp}</p>` : nothing}
      ${this.composing ? renderTaskForm(this.#formTools(), null) : nothing}
      ${this.view === 'month' ? this.#month() : this.#upcoming()}`;
  }

  /** The family's glance at this week (the language's week, from its first day): covered and still open. */
  #summary(): TemplateResult {
    const t = this.t;
    const today = this.care.today();
    const from = startOfWeek(today, weekStart(this.language));
    const to = addDays(from, 6);
    const week = this.care.state.tasks.filter((x) => x.date >= from && x.date <= to);
    const covered = week.filter((x) => x.volunteers.length >= x.slots).length;
    return html`<p class="summary" part="summary">${week.length === 0 ? t.weekNone : t.weekSummary(both(this.language, t.weekCovered(covered), t.weekOpen(week.length - covered)))}</p>`;
  }

  #upcoming(): TemplateResult {
    const t = this.t;
    const today = this.care.today();
    const { tasks, tasksHasMore } = this.care.state;
    const all = tasks.map((x) => this.#shown(x));
    const mine = all.filter((s) => s.mine && s.task.date >= today);
    const rest = all.filter((s) => !(s.mine && s.task.date >= today));
    const days = [...byDate(rest.map((s) => s.task)).keys()];
    const group = (date: string) => rest.filter((s) => s.task.date === date);
    const past = days.filter((d) => d < today);
    const coming = days.filter((d) => d >= today);
    return html`${mine.length ? this.#day('mine', t.yourTasks, mine, true) : nothing}
      ${coming.map((d) => this.#day(d, dayHeading(d, this.language), group(d)))}
      ${!mine.length && !coming.length ? html`<p class="muted empty">${t.plannerEmpty}</p>` : nothing}
      ${past.length
        ? html`<details class="earlier" part="earlier">
            <summary>${t.earlierDays(past.length)}</summary>
            ${past.map((d) => this.#day(d, dayHeading(d, this.language), group(d)))}
          </details>`
        : nothing}
      ${tasksHasMore && tasks.length >= LIMITS.snapshotTasks
        ? html`<div class="more"><button part="button load-more" aria-disabled=${this.#loadingMore} @click=${this.#loadMore}>${this.#loadingMore ? t.loading : t.loadMoreTasks}</button></div>`
        : nothing}`;
  }

  #day(key: string, heading: string, items: TaskShown[], withDate = false): TemplateResult {
    const id = `day-${key}`;
    return html`<section class="day" part="day" aria-labelledby=${id} data-day=${key}>
      <h3 id=${id} class="day-heading" part="day-heading" tabindex="-1">${heading}</h3>
      <ul class="tasks" part="list">
        ${repeat(items, (s) => s.task.id, (s) => renderTask(s, this.#taskTools(), withDate))}
      </ul>
    </section>`;
  }

  #month(): TemplateResult {
    const t = this.t;
    const today = this.care.today();
    const dates = byDate(this.care.state.tasks);
    const tasksOn = (date: string) => (dates.get(date) ?? []).map((x) => this.#shown(x));
    const open = this.openDate;
    const items = open ? tasksOn(open) : [];
    return html`${renderMonth({
        t,
        lang: this.language,
        dir: this.direction,
        month: this.month,
        today,
        focus: this.focusDate,
        open,
        first: weekStart(this.language),
        tasksOn,
        moveTo: this.#moveTo,
        openDay: this.#openDay,
      })}
      ${this.#loadingMore ? html`<p class="notice loading-more" role="status" part="notice">${t.loading}</p>` : nothing}
      ${open
        ? html`<section class="day opened" part="day" aria-labelledby="open-day" @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this.#closeDay()}>
            <div class="day-head">
              <h3 id="open-day" class="day-heading" part="day-heading" tabindex="-1">${t.tasksOn(dayHeading(open, this.language))}</h3>
              <button part="button" class="close-day" @click=${this.#closeDay}>${t.close}</button>
            </div>
            ${items.length
              ? html`<ul class="tasks" part="list">
                  ${repeat(items, (s) => s.task.id, (s) => renderTask(s, this.#taskTools()))}
                </ul>`
              : html`<p class="muted">${t.noTasksOn}</p>`}
          </section>`
        : nothing}`;
  }

  #taskTools(): TaskTools {
    const can = this.#can;
    return {
      t: this.t,
      lang: this.language,
      volunteer: can.volunteer,
      plan: can.plan,
      editing: this.editing,
      confirming: this.confirming,
      busy: this.busy,
      form: (task) => renderTaskForm(this.#formTools(task), task),
      signup: (task, on) => this.#signup(task, on),
      calendar: (task) => void this.#calendar(task),
      edit: (task) => {
        this.composing = false;
        this.confirming = null;
        this.formError = '';
        this.editing = task.id;
        this.#focus = { task: task.id, selector: 'input[name=title]' };
      },
      askCancel: (task) => {
        const was = this.confirming;
        this.confirming = task?.id ?? null;
        this.#focus = task ? { task: task.id, selector: 'textarea' } : was ? { task: was, selector: '.cancel-task' } : null;
      },
      cancel: (task, note) => void this.#cancel(task, note),
    };
  }

  #formTools(task: Task | null = null) {
    return {
      t: this.t,
      today: this.care.today(),
      busy: this.busy.has('form'),
      error: this.formError,
      submit: (e: SubmitEvent) => void this.#submit(e, task),
      close: () => this.#closeForm(task),
    };
  }

  /* ---------------------------------------------------------------------------- actions */

  #setView(v: PlannerView): void {
    this.view = v;
    if (v === 'month') this.#focus = { selector: '[part~=view-button][aria-pressed=true]' };
  }

  readonly #dismiss = (): void => {
    this.notice = null;
    this.#focus = { selector: '#heading' };
  };

  readonly #openComposer = (): void => {
    this.editing = null;
    this.confirming = null;
    this.formError = '';
    this.composing = true;
    this.#focus = { selector: 'form[part~=composer] select[name=kind]' };
  };

  #closeForm(task: Task | null): void {
    this.formError = '';
    if (task) {
      this.editing = null;
      this.#focus = { task: task.id, selector: '.edit' };
    } else {
      this.composing = false;
      this.#focus = { selector: '.add' };
    }
  }

  #setBusy(key: string, on: boolean): void {
    const next = new Set(this.busy);
    if (on) next.add(key);
    else next.delete(key);
    this.busy = next;
  }

  async #submit(e: SubmitEvent, task: Task | null): Promise<void> {
    e.preventDefault();
    if (this.busy.has('form')) return;
    const form = e.currentTarget as HTMLFormElement;
    const checked = checkTask(form, this.t, this.care.today(), task ?? undefined);
    if (!checked) return;
    this.formError = '';
    if (task) {
      const fields = changes(task, checked.draft);
      if (!fields) return this.#closeForm(task);
      this.#setBusy('form', true);
      // Its live event may come before the answer: not announced back to its author either.
      this.#own.set(task.id, 'pending');
      const res = await this.care.updateTask(task.id, fields);
      this.#setBusy('form', false);
      if (!res.ok) return this.#formFailed(res.error);
      this.#own.set(task.id, res.task.updatedAt);
      this.announcer.say(this.t.taskSaved);
      this.#closeForm(task);
      return;
    }
    this.#setBusy('form', true);
    const res = await this.care.createTask(this.#clientId, checked.draft, checked.repeat);
    this.#setBusy('form', false);
    if (!res.ok) return this.#formFailed(res.error);
    // The next task is another one.
    this.#clientId = newClientId();
    for (const x of res.tasks ?? [res.task]) this.#own.set(x.id, x.updatedAt);
    this.announcer.say(this.t.tasksAdded((res.tasks ?? [res.task]).length));
    this.emit('care-posted', { kind: 'task', item: res.task });
    this.#closeForm(null);
  }

  #formFailed(error: CareError): void {
    this.formError = this.t.error(error.message);
    this.reportError(error);
  }

  #signup(task: Task, on: boolean): void {
    this.notice = null;
    if (!this.care.signup(task.id, on)) return;
    // The task moves (to "Your tasks" and back): the other button of it keeps the focus.
    this.#focus = { task: task.id, selector: on ? '.withdraw' : '.signup' };
  }

  async #calendar(task: Task): Promise<void> {
    const key = `ics:${task.id}`;
    if (this.busy.has(key)) return;
    this.#setBusy(key, true);
    const res = await this.care.taskCalendar(task.id);
    this.#setBusy(key, false);
    if (res.ok) saveFile(res.blob, res.filename);
    else this.#fail(res.error);
  }

  async #cancel(task: Task, note: string): Promise<void> {
    const key = `cancel:${task.id}`;
    if (this.busy.has(key)) return;
    this.#setBusy(key, true);
    this.#own.set(task.id, 'cancelled');
    const res = await this.care.cancelTask(task.id, note || undefined);
    this.#setBusy(key, false);
    if (!res.ok) return this.#fail(res.error);
    this.confirming = null;
    this.announcer.say(this.t.taskCancelled);
    this.#focus = { selector: this.view === 'month' && this.openDate ? '#open-day' : '#heading' };
  }

  readonly #moveTo = (date: string, focus: boolean): void => {
    this.focusDate = date;
    this.month = date.slice(0, 7);
    if (focus) this.#focus = { selector: `[part~=month-cell][data-date="${date}"]` };
  };

  readonly #openDay = (date: string): void => {
    this.focusDate = date;
    this.openDate = date;
    this.#focus = { selector: '#open-day' };
  };

  readonly #closeDay = (): void => {
    const date = this.openDate;
    this.openDate = null;
    this.editing = this.confirming = null;
    if (date) this.#focus = { selector: `[part~=month-cell][data-date="${date}"]` };
  };

  /* ------------------------------------------------------------------------------ focus */

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const f = this.#focus;
    if (!f) return;
    const root = this.renderRoot;
    const target = 'task' in f ? root.querySelector<HTMLElement>(`[data-task-id="${CSS.escape(f.task)}"] ${f.selector}`) : root.querySelector<HTMLElement>(f.selector);
    if (!target && 'task' in f && ++this.#focusTries < 5) return;
    this.#focus = null;
    this.#focusTries = 0;
    target?.focus();
  }
}

/** Two counts in the language's own way of joining them ("2 covered and 1 still open", "… و…", "…和…"). */
function both(lang: string, a: string, b: string): string {
  try {
    return new Intl.ListFormat(lang, { type: 'conjunction' }).format([a, b]);
  } catch {
    return `${a}, ${b}`;
  }
}
