/**
 * One way to put a widget on the test page, and one harness per widget that reads and drives
 * it through its public surface (parts, roles, forms), so tests say what a person does
 * ("post an update", "the titles") instead of repeating selectors.
 */
import { fixture } from '@open-wc/testing';
import type { CareFollowButton } from '../../src/components/follow-button/follow-button.js';
import type { CareJournalFeed } from '../../src/components/journal-feed/journal-feed.js';
import type { CareMessageWall } from '../../src/components/message-wall/message-wall.js';
import type { CarePageSettings } from '../../src/components/page-settings/page-settings.js';
import { serverUrl, shadow, waitFor } from './helpers.js';

export interface MountOptions {
  page: string;
  /** Signed in as this user (through the test token endpoint); anonymous without. */
  user?: string | null;
  /** The backend; the test server by default. Another host string is another connection. */
  host?: string;
  /** More attributes, e.g. `{ lang: 'fr', theme: 'dark' }`. */
  attrs?: Record<string, string>;
  /** Resolve at once, without waiting for the page to load. */
  loading?: boolean;
}

type Widget = { 'care-journal-feed': CareJournalFeed; 'care-message-wall': CareMessageWall; 'care-follow-button': CareFollowButton; 'care-page-settings': CarePageSettings };

/** Mounts `<tag>` with its settings and waits until its page has loaded (or failed to). */
export async function mount<K extends keyof Widget>(tag: K, opts: MountOptions): Promise<Widget[K]> {
  const el = document.createElement(tag) as Widget[K];
  el.setAttribute('page', opts.page);
  el.setAttribute('host', opts.host ?? (await serverUrl()));
  if (opts.user) el.setAttribute('token-url', `/care-token?user=${opts.user}`);
  for (const [name, value] of Object.entries(opts.attrs ?? {})) el.setAttribute(name, value);
  await fixture(el);
  if (!opts.loading) await waitFor(() => el.care.state.status !== 'loading', `${tag} to load`);
  await el.updateComplete;
  return el;
}

/** What every widget shows before or instead of content. */
class Harness<E extends HTMLElement> {
  constructor(readonly el: E) {}

  get root(): ShadowRoot {
    return shadow(this.el);
  }

  /** The text of the first notice part ("Loading…", "offline", a locked page's reason). */
  notice(): string {
    return this.root.querySelector('[part~=notice]')?.textContent?.trim() ?? '';
  }
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
}

export class WallHarness extends Harness<CareMessageWall> {
  /** The bodies of the messages shown (the outbox's unsent ones excluded). */
  bodies(): string[] {
    return [...this.root.querySelectorAll('article.message:not(.outbox) .body')].map((b) => b.textContent?.trim() ?? '');
  }

  /** Types into the composer and presses Send. */
  async post(body: string): Promise<void> {
    const box = this.root.querySelector<HTMLTextAreaElement>('textarea');
    if (!box) throw new Error('no composer on this wall');
    box.value = body;
    box.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    await this.el.updateComplete;
    this.root.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
  }
}

export class FollowHarness extends Harness<CareFollowButton> {
  /** The follow / request access / cancel request button. */
  button(): HTMLButtonElement | null {
    return this.root.querySelector<HTMLButtonElement>('button[part="button"]');
  }

  /** The follower count text, `null` while there is none. */
  count(): string | null {
    return this.root.querySelector('[part~=count]')?.textContent?.trim() ?? null;
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

  /** The text of the whole panel, whitespace collapsed. */
  text(): string {
    return this.root.textContent?.replace(/\s+/g, ' ') ?? '';
  }
}
