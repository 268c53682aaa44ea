/**
 * One way to put a widget on the test page, and one harness per widget that reads and drives
 * it through its public surface (parts, roles, forms, events), so tests say what a person does
 * ("post an update", "the titles") instead of repeating selectors.
 */
import { fixture, fixtureSync } from '@open-wc/testing';
import type { CareFollowButton } from '../../src/components/follow-button/follow-button.js';
import type { CareJournalFeed } from '../../src/components/journal-feed/journal-feed.js';
import type { CareMessageWall } from '../../src/components/message-wall/message-wall.js';
import type { CarePageSettings } from '../../src/components/page-settings/page-settings.js';
import type { CareHelpPlanner } from '../../src/components/help-planner/help-planner.js';
import { serverUrl, shadow, waitFor } from './helpers.js';

/** Listeners by event name, typed by the global event map (the `care-*` events included). */
export type Listeners = { [K in keyof HTMLElementEventMap]?: (e: HTMLElementEventMap[K]) => void };

export interface MountOptions {
  /** The page id; without it the widget has none of its own (a `<care-page>` names it, or it is missing). */
  page?: string;
  /** Signed in as this user (through the test token endpoint); anonymous without. */
  user?: string | null;
  /** A `token-url` other than the test endpoint for `user` (a failing one, a short `ttl`); wins over `user`. */
  tokenUrl?: string;
  /**
   * The backend; the test server by default. Another host string is another connection.
   * `null`: no `host` attribute (a `<care-page>`, `configure()` or nothing names it).
   */
  host?: string | null;
  /** More attributes, e.g. `{ lang: 'fr', theme: 'dark' }`. */
  attrs?: Record<string, string>;
  /** Listeners added before the widget joins the document, so nothing it fires on connecting is missed. */
  on?: Listeners;
  /**
   * Where the widget goes (a `<care-page>`, a `<div lang>`, a page layout), after the parent's
   * other children; a fresh fixture of its own by default. A parent outside the document is
   * allowed: the promise then settles once the parent joins it.
   */
  parent?: ParentNode;
  /** Runs right after the widget joins its parent, before its first render. */
  connected?: (el: HTMLElement) => void;
  /** Resolve after the first render, without waiting for the page to load (or fail to). */
  loading?: boolean;
}

type Widget = {
  'care-journal-feed': CareJournalFeed;
  'care-message-wall': CareMessageWall;
  'care-follow-button': CareFollowButton;
  'care-page-settings': CarePageSettings;
  'care-help-planner': CareHelpPlanner;
};
export type WidgetTag = keyof Widget;
export const WIDGET_TAGS = ['care-journal-feed', 'care-message-wall', 'care-follow-button'] as const satisfies readonly WidgetTag[];

/**
 * Mounts `<tag>` with its settings and waits until its page has loaded (or failed to). With
 * `host` given (or `null`), the widget is in place before mount() first awaits, so widgets
 * mounted together (`Promise.all`) join the page in the order of the calls, in one task.
 */
export async function mount<K extends WidgetTag>(tag: K, opts: MountOptions = {}): Promise<Widget[K]> {
  const el = document.createElement(tag) as Widget[K];
  setSettings(el, opts, opts.host === undefined ? await serverUrl() : opts.host);
  for (const [name, value] of Object.entries(opts.attrs ?? {})) el.setAttribute(name, value);
  for (const [type, listener] of Object.entries(opts.on ?? {})) el.addEventListener(type, listener as EventListener);
  if (opts.parent) opts.parent.append(el);
  else fixtureSync(el);
  opts.connected?.(el);
  await el.updateComplete;
  if (!opts.loading) await waitFor(() => el.care.state.status !== 'loading', `${tag} to load`);
  await el.updateComplete;
  return el;
}

/** A `<care-page>` that hands its children `page`, `host` and `token-url` (taken as `mount()` takes them), in a fixture or `parent`. */
export async function mountCarePage(opts: Pick<MountOptions, 'page' | 'user' | 'tokenUrl' | 'host' | 'parent'>): Promise<HTMLElement> {
  const el = document.createElement('care-page');
  setSettings(el, opts, opts.host === undefined ? await serverUrl() : opts.host);
  if (opts.parent) opts.parent.append(el);
  else await fixture(el);
  return el;
}

/** Sets `page`, `host` (resolved by the caller: only the test server's URL needs an await) and `token-url` as MountOptions says. */
function setSettings(el: HTMLElement, opts: MountOptions, host: string | null): void {
  if (opts.page !== undefined) el.setAttribute('page', opts.page);
  if (host !== null) el.setAttribute('host', host);
  const tokenUrl = opts.tokenUrl ?? (opts.user ? `/care-token?user=${opts.user}` : null);
  if (tokenUrl !== null) el.setAttribute('token-url', tokenUrl);
}

/** The first button inside `scope` labelled `label` (its visible text). */
export function buttonIn(scope: ParentNode, label: string): HTMLButtonElement | null {
  return [...scope.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent?.trim() === label) ?? null;
}

/** What every widget shows before or instead of content, and what every widget has. */
export class Harness<E extends HTMLElement = HTMLElement> {
  constructor(readonly el: E) {}

  get root(): ShadowRoot {
    return shadow(this.el);
  }

  /** Everything the widget shows, whitespace collapsed. */
  text(): string {
    return this.root.textContent?.replace(/\s+/g, ' ') ?? '';
  }

  /** The first element exposed as `::part(name)`, or null. */
  part<T extends HTMLElement = HTMLElement>(name: string): T | null {
    return this.root.querySelector<T>(`[part~="${name}"]`);
  }

  parts<T extends HTMLElement = HTMLElement>(name: string): T[] {
    return [...this.root.querySelectorAll<T>(`[part~="${name}"]`)];
  }

  /** The text of the first notice part ("Loading…", "offline", a locked page's reason). */
  notice(): string {
    return this.part('notice')?.textContent?.trim() ?? '';
  }

  /** The widget's heading (`::part(heading)`), null for a widget without one. */
  heading(): string | null {
    return this.part('heading')?.textContent ?? null;
  }

  /** The layout direction the widget chose (`dir` of `::part(base)`). */
  dir(): string | null {
    return this.part('base')?.getAttribute('dir') ?? null;
  }

  /** What the widget's own polite live region says now (not a form's). */
  announced(): string {
    return this.root.querySelector('[part~=base] > [role=status][aria-live=polite]')?.textContent?.trim() ?? '';
  }

  /** The first button labelled `label` (its visible text), inside `scope` or the whole widget. */
  buttonNamed(label: string, scope: ParentNode = this.root): HTMLButtonElement | null {
    return buttonIn(scope, label);
  }
}

/** A post this widget's outbox still holds: sending, or refused (then with its actions). */
export interface Unsent {
  /** The journal entry's title, or the wall message's body. */
  text: string;
  failed: boolean;
  /** Its article, for the actions (Try again, Discard, Edit) through `buttonNamed()`. */
  article: HTMLElement;
}

export class JournalHarness extends Harness<CareJournalFeed> {
  titles(): (string | null)[] {
    return [...this.root.querySelectorAll('[role=feed] article h3')].map((h) => h.textContent);
  }

  composer(): HTMLFormElement | null {
    return this.root.querySelector<HTMLFormElement>('form[part=composer]');
  }

  /** Fills the composer and submits it, as a person would. */
  post(title: string, body: string): void {
    const form = this.composer();
    if (!form) throw new Error('no composer: not an owner or editor');
    form.querySelector<HTMLInputElement>('input[name=title]')!.value = title;
    form.querySelector<HTMLTextAreaElement>('textarea[name=body]')!.value = body;
    form.requestSubmit();
  }

  /** The unsent entries, first first: an entry part that is busy (sending) or no longer busy (refused). */
  unsent(): Unsent[] {
    return [...this.root.querySelectorAll<HTMLElement>('article[part~=entry][aria-busy]')].map((article) => ({
      text: article.querySelector('[part~=entry-title]')?.textContent ?? '',
      failed: article.getAttribute('aria-busy') === 'false',
      article,
    }));
  }
}

export class WallHarness extends Harness<CareMessageWall> {
  /** The bodies of the messages shown (the outbox's unsent ones excluded). */
  bodies(): string[] {
    return [...this.root.querySelectorAll('article.message:not(.outbox) .body')].map((b) => b.textContent?.trim() ?? '');
  }

  textarea(): HTMLTextAreaElement | null {
    return this.part<HTMLTextAreaElement>('textarea');
  }

  /** Types into the composer, as a person would (no send). */
  type(body: string): void {
    const box = this.textarea();
    if (!box) throw new Error('no composer on this wall');
    box.value = body;
    box.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  }

  /** Types into the composer and presses Send. */
  async post(body: string): Promise<void> {
    this.type(body);
    await this.el.updateComplete;
    this.part<HTMLButtonElement>('send-button')!.click();
  }

  /** The outbox's messages, newest first; a refused one carries its actions (Try again, Edit, Discard). */
  unsent(): Unsent[] {
    return this.parts('outbox-message').map((article) => ({
      text: article.querySelector('[part~=body]')?.textContent?.trim() ?? '',
      failed: article.querySelector('[part~=actions]') !== null,
      article,
    }));
  }
}

export class FollowHarness extends Harness<CareFollowButton> {
  /** The follow / request access / cancel request button. */
  button(): HTMLButtonElement | null {
    return this.root.querySelector<HTMLButtonElement>('button[part="button"]');
  }

  /** The follower count text, `null` while there is none. */
  count(): string | null {
    return this.part('count')?.textContent?.trim() ?? null;
  }

  /** The error shown after a refused action, `null` without one. */
  error(): string | null {
    return this.part('error')?.textContent?.trim() ?? null;
  }

  /** The "Notifications" button (SPEC 6.2), `null` when not offered. */
  notifyButton(): HTMLButtonElement | null {
    return this.part<HTMLButtonElement>('notify-button');
  }

  /** The open notification panel, `null` when closed. */
  notifyPanel(): HTMLElement | null {
    return this.part('notify-panel');
  }

  /** The checked email choice (`instant`, `daily`, `off`), `null` without the radio group. */
  emailChoice(): string | null {
    const group = this.part('notify-email');
    if (!group) return null;
    return group.querySelector<HTMLInputElement>('input:checked')?.value ?? '';
  }

  /** Picks an email choice by clicking its radio button. */
  chooseEmail(mode: 'instant' | 'daily' | 'off'): void {
    this.part('notify-email')!.querySelector<HTMLInputElement>(`input[value="${mode}"]`)!.click();
  }

  /** The panel's last outcome ("Saved.", "Not saved: …"), `null` without one. */
  notifyStatus(): string | null {
    return this.root.querySelector('.notify-status')?.textContent?.trim() ?? null;
  }
}

/** The harness for any widget element. */
export function harness(el: CareJournalFeed): JournalHarness;
export function harness(el: CareMessageWall): WallHarness;
export function harness(el: CareFollowButton): FollowHarness;
export function harness(el: HTMLElement): Harness;
export function harness(el: HTMLElement): Harness {
  switch (el.localName) {
    case 'care-journal-feed':
      return new JournalHarness(el as CareJournalFeed);
    case 'care-message-wall':
      return new WallHarness(el as CareMessageWall);
    case 'care-follow-button':
      return new FollowHarness(el as CareFollowButton);
    default:
      return new Harness(el);
  }
}

type SettingsList = 'requests' | 'followers' | 'blocked' | 'editors' | 'invites';

/** `<care-page-settings>`: what the owner sees and does, by group, row and button. */
export class PageSettingsHarness extends Harness<CarePageSettings> {
  /** Waits until the settings view has arrived (the panel or the summary shows). */
  async ready(): Promise<this> {
    await waitFor(() => this.el.care.settings.status === 'ready' && this.root.querySelector('[part~=visibility], [part~=summary]') !== null, 'the settings');
    return this;
  }

  /** The checked "who can see this page" choice. */
  visibility(): string | null {
    return this.root.querySelector<HTMLInputElement>('input[name=visibility]:checked')?.value ?? null;
  }

  /** Picks a visibility (not saved yet), and waits for the panel to show Save. */
  async choose(v: 'public' | 'members' | 'private'): Promise<void> {
    this.root.querySelector<HTMLInputElement>(`#vis-${v}`)!.click();
    await this.el.updateComplete;
  }

  /** The visible button of a class (`.save`, `.confirm-yes`, `.confirm-no`, `.create` ...), inside `within` when given. */
  button(selector: string, within: ParentNode = this.root): HTMLButtonElement | null {
    return within.querySelector<HTMLButtonElement>(`button${selector}`);
  }

  click(selector: string, within?: ParentNode): void {
    const b = this.button(selector, within);
    if (!b) throw new Error(`no button ${selector}`);
    b.click();
  }

  /** The names shown in a group, in order. */
  names(list: SettingsList): string[] {
    return [...this.root.querySelectorAll(`[data-list=${list}] li bdi`)].map((b) => b.textContent ?? '');
  }

  /** A person's (or an invitation's) row: `followers`, `fred`. */
  row(list: SettingsList, key: string): HTMLElement | null {
    return this.root.querySelector<HTMLElement>(`[data-key="${list}:${CSS.escape(key)}"]`);
  }

  /** Clicks a button of a row, e.g. `row('followers', 'fred')` + `.block`. */
  act(list: SettingsList, key: string, selector: string): void {
    const row = this.row(list, key);
    if (!row) throw new Error(`no row ${list}:${key}`);
    this.click(selector, row);
  }

  /** Fills the invitation form and submits it, as a person would. */
  createInvite(opts: { role?: 'follower' | 'editor'; days?: number; uses?: number } = {}): void {
    const form = this.root.querySelector<HTMLFormElement>('form[part=invite-form]');
    if (!form) throw new Error('no invitation form');
    form.querySelector<HTMLSelectElement>('#invite-role')!.value = opts.role ?? 'follower';
    if (opts.days) form.querySelector<HTMLSelectElement>('#invite-days')!.value = String(opts.days);
    if (opts.uses) form.querySelector<HTMLInputElement>('#invite-uses')!.value = String(opts.uses);
    form.requestSubmit();
  }

  /** The links of the open invitations shown. */
  inviteLinks(): string[] {
    return [...this.root.querySelectorAll<HTMLInputElement>('input[part=invite-link]')].map((i) => i.value);
  }
}

/** A task as the planner's form takes it (`start`, `end`, `details`, `repeat`, `until` optional). */
export interface TaskFields {
  kind?: 'meal' | 'ride' | 'visit' | 'errand' | 'other';
  title: string;
  date: string;
  start?: string;
  end?: string;
  slots?: number;
  details?: string;
  repeat?: 'none' | 'day' | 'weekday' | 'week';
  until?: string;
}

/** `<care-help-planner>`: its tasks by title, their buttons, the family's form, the month grid. */
export class PlannerHarness extends Harness<CareHelpPlanner> {
  /** Waits until the page has loaded with the planner shown (toolbar present). */
  async ready(): Promise<this> {
    await waitFor(() => this.part('toolbar') !== null, 'the planner');
    return this;
  }

  /** The titles of the tasks shown, in order (the viewer's own first in the upcoming view). */
  titles(): string[] {
    return this.parts('task').map((li) => li.querySelector('[part~=task-title] [dir=auto]')?.textContent?.trim() ?? '');
  }

  /** The first task shown with this title, `null` without one. */
  task(title: string): HTMLElement | null {
    return this.parts('task').find((li) => li.querySelector('[part~=task-title] [dir=auto]')?.textContent?.trim() === title) ?? null;
  }

  /** A part inside the task titled `title` (`spots`, `volunteers`, `details`, `signup-button` ...). */
  in<T extends HTMLElement = HTMLElement>(title: string, part: string): T | null {
    return this.task(title)?.querySelector<T>(`[part~="${part}"]`) ?? null;
  }

  /** Clicks a button part of a task ("signup-button", "withdraw-button", "edit-button" ...). */
  press(title: string, part: string): void {
    const b = this.in<HTMLButtonElement>(title, part);
    if (!b) throw new Error(`no ${part} on "${title}"`);
    b.click();
  }

  /** The names in a task's `volunteers` part. */
  volunteers(title: string): string[] {
    return [...(this.task(title)?.querySelectorAll('[part~=volunteers] bdi') ?? [])].map((b) => b.textContent ?? '');
  }

  /** Switches view with its button. */
  async show(view: 'upcoming' | 'month'): Promise<void> {
    this.parts<HTMLButtonElement>('view-button')[view === 'upcoming' ? 0 : 1]!.click();
    await this.el.updateComplete;
  }

  /** The add (or edit) form, `null` when none is open. */
  composer(): HTMLFormElement | null {
    return this.part<HTMLFormElement>('composer');
  }

  /** Opens "Add a task", fills the form and submits it, as a person would. */
  async addTask(f: TaskFields): Promise<void> {
    if (!this.composer()) {
      const add = this.part<HTMLButtonElement>('add-button');
      if (!add) throw new Error('no "Add a task": not the family');
      add.click();
      await this.el.updateComplete;
    }
    this.fill(f);
    this.composer()!.requestSubmit();
  }

  /** Sets the open form's fields (those given). */
  fill(f: Partial<TaskFields>): void {
    const form = this.composer();
    if (!form) throw new Error('no form open');
    for (const [name, value] of Object.entries(f)) {
      const el = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | null;
      if (!el) throw new Error(`no field ${name}`);
      el.value = String(value);
    }
  }

  /** What the form's fields say is wrong now (their validation messages), by name. */
  invalid(): Record<string, string> {
    const form = this.composer();
    const out: Record<string, string> = {};
    for (const el of form ? [...form.elements] : []) {
      const f = el as HTMLInputElement;
      if (f.name && f.validationMessage) out[f.name] = f.validationMessage;
    }
    return out;
  }

  /** The notice parts' texts. */
  notices(): string[] {
    return this.parts('notice').map((n) => n.textContent?.replace(/\s+/g, ' ').trim() ?? '');
  }
}
