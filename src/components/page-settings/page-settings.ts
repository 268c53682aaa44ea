import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import { relativeTime } from '../../i18n/time.js';
import type { Invite, InviteRole, PageInfo, PageSettingsView, Result, Visibility, WallModeration } from '../../protocol/index.js';
import { tokens } from '../../styles/tokens.js';
import { CareElement } from '../base/care-element.js';
import { copyText, inviteLink } from './invite-link.js';
import { pageSettingsStyles } from './page-settings.styles.js';

/** Narrow to wide: a change up this list lets more people read, and asks first. */
const RANK: Record<Visibility, number> = { private: 0, members: 1, public: 2 };
const VISIBILITIES: readonly Visibility[] = ['public', 'members', 'private'];
/** The expiry choices of a new invitation, in days (the protocol allows 1-720 hours). */
const EXPIRY_DAYS = [1, 7, 30] as const;
const DEFAULT_DAYS = 7;
const DEFAULT_USES = 10;

type List = 'requests' | 'followers' | 'blocked' | 'editors' | 'invites';
type Person = { userId: string; name: string };

/**
 * @summary The patient runs their own page: who can see it (anyone, signed-in members, or only
 * people they approve), pre-moderation of the wall, pending follow requests, followers (remove,
 * block), blocked people (unblock), co-authors (remove) and invitation links (create, copy,
 * revoke), live in every window. Owners and admins get the whole panel; editors a read-only
 * summary; everyone else a polite notice. A backend without the `settings` feature renders
 * nothing, and without `invites` the invitations group is left out.
 *
 * Widening who can see the page (private to members, members to public) asks for confirmation
 * first; narrowing takes effect at once: a visitor who loses access loses it live.
 *
 * @event care-error - `{code, message}` when an action was refused or could not reach the server, or an invitation link in the address bar no longer works; once `unsupported_protocol` when the server speaks another protocol version; once `config` when a setting is wrong (a missing `page`, a failing `token-url`, a host never reached), `message` naming it.
 * @event care-connection-change - `{state}` of the shared connection (`connecting`, `online`, `offline` or `unauthorized`), fired once per change by the first widget bound to that connection, so listen on `document` or a common ancestor; every widget's `connectionState` reads the current state.
 *
 * @csspart base - The widget's outer box.
 * @csspart heading - The "Page settings" heading.
 * @csspart section - Each group of the panel (also has its name: `visibility`, `moderation`, `requests`, `followers`, `blocked`, `editors`, `invites`).
 * @csspart visibility - The "Who can see this page" group.
 * @csspart moderation - The wall pre-moderation group.
 * @csspart requests - The pending follow requests group.
 * @csspart followers - The followers group.
 * @csspart blocked - The blocked people group.
 * @csspart editors - The co-authors group.
 * @csspart invites - The invitations group.
 * @csspart list - A list of people or invitations.
 * @csspart person - One person in a list.
 * @csspart invite - One invitation in the list.
 * @csspart invite-form - The form that creates an invitation link.
 * @csspart invite-link - An invitation's link (a read-only field).
 * @csspart button - Every button.
 * @csspart confirm - A confirmation step (widen visibility, block, remove a co-author, revoke a link).
 * @csspart summary - Editors' read-only summary.
 * @csspart notice - Loading, offline, "only the owner", not-found and error notices.
 * @csspart invite-notice - The notice about an invitation link in the address bar (also has `notice`).
 * @csspart error - The reason an action failed.
 *
 * @cssproperty --care-color-primary - Primary buttons, radio buttons and checkboxes.
 * @cssproperty --care-color-on-primary - Text on primary buttons.
 * @cssproperty --care-color-surface - Background.
 * @cssproperty --care-color-text - Text.
 * @cssproperty --care-color-muted - Hints and secondary text.
 * @cssproperty --care-color-border - Borders and separators.
 * @cssproperty --care-color-danger - Errors and confirming buttons.
 * @cssproperty --care-color-focus - The focus ring.
 * @cssproperty --care-font-family - Font.
 * @cssproperty --care-font-size - Base font size.
 * @cssproperty --care-radius - Corner radius.
 * @cssproperty --care-space - Padding unit.
 */
export class CarePageSettings extends CareElement {
  static override styles = [tokens, pageSettingsStyles];

  static override properties: PropertyDeclarations = {
    inviteUrl: { attribute: 'invite-url', reflect: true },
    draft: { state: true },
    confirming: { state: true },
    busy: { state: true },
    failure: { state: true },
    copied: { state: true },
  };

  constructor() {
    super();
    this.inviteUrl = '';
    this.draft = null;
    this.confirming = null;
    this.busy = new Set();
    this.failure = '';
    this.copied = null;
  }

  /**
   * The address invitation links point to (the patient's page on the hospital site); without
   * it, the address of the page the panel is on. `?care-invite=<code>` is added to it.
   */
  declare inviteUrl: string;

  /** The visibility chosen but not saved yet (`null`: none). */
  declare private draft: Visibility | null;
  /** The action waiting for confirmation: `widen`, `block:<user>`, `editor:<user>`, `revoke:<code>`. */
  declare private confirming: string | null;
  /** Row or group keys with a call in flight. */
  declare private busy: ReadonlySet<string>;
  /** The last refusal, in the widget's language. */
  declare private failure: string;
  /** The invitation whose link was just copied. */
  declare private copied: string | null;

  /** Rows acted upon and acknowledged: hidden until the refetched settings drop them. */
  readonly #gone = new Set<string>();
  /** Where focus goes once the DOM has caught up: a row's control, or the next row of a list. */
  #focus: { key: string; selector: string } | { list: List; index: number } | { code: string } | null = null;

  /* ------------------------------------------------------------------------ bookkeeping */

  /** Owners and admins manage; editors read a summary; nobody else fetches anything. */
  #role(): 'manage' | 'read' | null {
    const { status, viewer } = this.care.state;
    if (status !== 'ready' || !viewer || !this.care.has('settings')) return null;
    if (viewer.can.manage) return 'manage';
    return viewer.role === 'editor' ? 'read' : null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    this.care.wantSettings(this.#role() !== null);
    const view = this.care.settings.view;
    if (view) {
      const keys = new Set([
        ...view.requests.map((p) => `requests:${p.userId}`),
        ...view.followers.map((p) => `followers:${p.userId}`),
        ...view.blocked.map((p) => `blocked:${p.userId}`),
        ...view.editors.map((p) => `editors:${p.userId}`),
        ...view.invites.map((i) => `invites:${i.code}`),
      ]);
      for (const k of this.#gone) if (!keys.has(k)) this.#gone.delete(k);
    }
    // A saved (or, from another window, the same) choice: the draft has done its work.
    const page = this.care.state.page as PageInfo | null;
    if (this.draft !== null && page && 'title' in page && page.visibility === this.draft) {
      this.draft = null;
      if (this.confirming === 'widen') this.confirming = null;
    }
  }

  /* ----------------------------------------------------------------------------- render */

  protected override render(): TemplateResult | typeof nothing {
    const t = this.t;
    // A backend without the feature (SPEC 6): the panel does not exist there.
    if (this.care.state.status === 'ready' && !this.care.has('settings')) return nothing;
    const status = this.notices.status();
    return html`<section class="root" part="base" dir=${this.direction} aria-labelledby="heading">
      <h2 id="heading" part="heading" tabindex="-1">${t.settings}</h2>
      ${this.notices.invite()} ${this.notices.offline()} ${status !== nothing ? status : this.#content()}
      ${this.failure ? html`<p class="error-text" role="alert" part="error">${this.failure}</p>` : nothing} ${this.announcer.region()}
    </section>`;
  }

  #content(): TemplateResult {
    const t = this.t;
    const role = this.#role();
    if (!role) return html`<p class="notice" role="status" part="notice">${t.settingsOwnerOnly}</p>`;
    const { status, view, error } = this.care.settings;
    if (!view) {
      if (status === 'error' && error && error.code !== 'forbidden' && error.code !== 'not_found') {
        return html`<div class="notice error" role="alert" part="notice">
          ${t.error(error.message)} <button part="button" @click=${() => this.care.refreshSettings()}>${t.retry}</button>
        </div>`;
      }
      if (status === 'error') return html`<p class="notice" role="status" part="notice">${t.settingsOwnerOnly}</p>`;
      return html`<div class="notice loading" role="status" part="notice">${t.loading}</div>`;
    }
    const page = this.care.state.page as PageInfo;
    return role === 'manage' ? this.#panel(view, page) : this.#summary(view, page);
  }

  #panel(v: PageSettingsView, page: PageInfo): TemplateResult {
    const t = this.t;
    const shown = <T,>(list: List, items: readonly T[], key: (x: T) => string) => items.filter((x) => !this.#gone.has(`${list}:${key(x)}`));
    const byUser = (p: Person) => p.userId;
    return html`${this.#visibility(page.visibility)} ${this.#moderation(page.wallModeration)}
      ${this.#group('requests', t.followRequests, null, this.#people('requests', shown('requests', v.requests, byUser), t.noRequests, (r) => html`${t.askedTimes(r.asked ?? 1)} · ${this.time(r.at)}`, (r, who) => html`
        <button class="primary" part="button" aria-describedby=${who} aria-disabled=${this.busy.has(`requests:${r.userId}`)} @click=${() => void this.#decide(r.userId, true)}>${t.approve}</button>
        <button part="button" aria-describedby=${who} aria-disabled=${this.busy.has(`requests:${r.userId}`)} @click=${() => void this.#decide(r.userId, false)}>${t.decline}</button>`))}
      ${this.#group('followers', t.followersTitle, null, this.#people('followers', shown('followers', v.followers, byUser), t.noFollowers, (f) => t.followingSince(relativeTime(f.since, this.language)), (f, who) => {
        const key = `followers:${f.userId}`;
        if (this.confirming === `block:${f.userId}`) return this.#confirm(key, t.confirmBlock(f.name), t.block, () => void this.#remove(f.userId, true));
        return html`<button part="button" class="remove" aria-describedby=${who} aria-disabled=${this.busy.has(key)} @click=${() => void this.#remove(f.userId, false)}>${t.remove}</button>
          <button part="button" class="block" aria-describedby=${who} @click=${() => this.#ask(`block:${f.userId}`, key)}>${t.block}</button>`;
      }))}
      ${this.#group('blocked', t.blockedTitle, null, this.#people('blocked', shown('blocked', v.blocked, byUser), t.noBlocked, (b) => this.time(b.at), (b, who) => html`
        <button part="button" class="unblock" aria-describedby=${who} aria-disabled=${this.busy.has(`blocked:${b.userId}`)} @click=${() => void this.#unblock(b.userId)}>${t.unblock}</button>`))}
      ${this.#group('editors', t.editorsTitle, t.editorsHint, this.#people('editors', shown('editors', v.editors, byUser), t.noEditors, () => nothing, (e, who) => {
        const key = `editors:${e.userId}`;
        if (this.confirming === `editor:${e.userId}`) return this.#confirm(key, t.confirmRemoveEditor(e.name), t.remove, () => void this.#removeEditor(e.userId));
        return html`<button part="button" class="remove" aria-describedby=${who} @click=${() => this.#ask(`editor:${e.userId}`, key)}>${t.remove}</button>`;
      }))}
      ${this.care.has('invites') ? this.#group('invites', t.invitesTitle, t.invitesHint, this.#invites(shown('invites', v.invites, (i) => i.code))) : nothing}`;
  }

  /** Editors see how the page is shared, and cannot change it. */
  #summary(v: PageSettingsView, page: PageInfo): TemplateResult {
    const t = this.t;
    const [label, hint] = this.#visibilityText(page.visibility);
    return html`<p class="notice" role="status" part="notice">${t.settingsReadOnly}</p>
      <dl class="summary" part="summary">
        <dt>${t.whoCanSee}</dt>
        <dd>${label}. ${hint}</dd>
        <dt>${t.wall}</dt>
        <dd>${page.wallModeration === 'pre' ? t.moderationOn : t.moderationOff}</dd>
        <dt>${t.followersTitle}</dt>
        <dd>${t.followers(v.followers.length)}${v.requests.length > 0 ? html` · ${t.followRequests} (${v.requests.length.toLocaleString(this.language)})` : nothing}</dd>
        <dt>${t.editorsTitle}</dt>
        <dd>${v.editors.length > 0 ? v.editors.map((e, i) => html`${i > 0 ? ', ' : ''}<bdi>${e.name}</bdi>`) : t.noEditors}</dd>
      </dl>`;
  }

  #group(name: List, title: string, hint: string | null, body: TemplateResult): TemplateResult {
    return html`<section class="group" part="section ${name}" aria-labelledby="${name}-title" data-list=${name}>
      <h3 id="${name}-title" tabindex="-1">${title}</h3>
      ${hint ? html`<p class="hint">${hint}</p>` : nothing} ${body}
    </section>`;
  }

  /** A list of people, each with what to say about them and their buttons (described by their name). */
  #people<T extends Person>(list: List, items: readonly T[], empty: string, detail: (p: T) => unknown, actions: (p: T, who: string) => TemplateResult): TemplateResult {
    if (items.length === 0) return html`<p class="empty muted">${empty}</p>`;
    return html`<ul class="people" part="list">
      ${repeat(
        items,
        (p) => p.userId,
        (p, i) => html`<li class="person" part="person" data-key="${list}:${p.userId}">
          <span class="who" id="${list}-${i}"><bdi>${p.name}</bdi> <span class="detail muted">${detail(p)}</span></span>
          <span class="actions">${actions(p, `${list}-${i}`)}</span>
        </li>`,
      )}
    </ul>`;
  }

  /** A keyboard-friendly confirmation in place of a row's buttons: the question, the action and Cancel (Escape too). */
  #confirm(key: string, question: string, action: string, run: () => void): TemplateResult {
    const id = `q-${key.replace(/[^\w-]/g, '_')}`;
    return html`<span class="confirm" role="group" part="confirm" aria-labelledby=${id} @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this.#cancelConfirm(key)}>
      <span id=${id} class="question">${question}</span>
      <button class="danger confirm-yes" part="button" aria-disabled=${this.busy.has(key)} @click=${run}>${action}</button>
      <button class="confirm-no" part="button" @click=${() => this.#cancelConfirm(key)}>${this.t.cancel}</button>
    </span>`;
  }

  #visibilityText(v: Visibility): [string, string] {
    const t = this.t;
    return v === 'public' ? [t.visibilityPublic, t.visibilityPublicHint] : v === 'members' ? [t.visibilityMembers, t.visibilityMembersHint] : [t.visibilityPrivate, t.visibilityPrivateHint];
  }

  /**
   * Three choices, each with its consequence in one sentence. Arrow keys move between them
   * without changing anything yet (a radio group selects as it moves): Save applies the
   * choice, after a confirmation when more people would be able to read.
   */
  #visibility(current: Visibility): TemplateResult {
    const t = this.t;
    const chosen = this.draft ?? current;
    const busy = this.busy.has('visibility');
    let footer: TemplateResult | typeof nothing = nothing;
    if (chosen !== current) {
      footer =
        this.confirming === 'widen'
          ? this.#confirm('visibility', t.confirmWiden(this.#visibilityText(chosen)[1]), t.confirmChange, () => void this.#saveVisibility(chosen))
          : html`<div class="row" data-key="visibility">
              <button class="primary save" part="button" aria-disabled=${busy} @click=${() => this.#requestVisibility(current, chosen)}>${t.save}</button>
              <button class="reset" part="button" @click=${this.#resetDraft}>${t.cancel}</button>
            </div>`;
    }
    return html`<fieldset class="group" part="section visibility" data-key="visibility">
      <legend>${t.whoCanSee}</legend>
      ${VISIBILITIES.map((v) => {
        const [label, hint] = this.#visibilityText(v);
        return html`<div class="choice">
          <input type="radio" name="visibility" id="vis-${v}" value=${v} .checked=${live(chosen === v)} aria-describedby="vis-${v}-hint" @change=${() => this.#choose(v)} />
          <label for="vis-${v}">${label}</label>
          <p class="hint" id="vis-${v}-hint">${hint}</p>
        </div>`;
      })}
      ${footer}
    </fieldset>`;
  }

  #moderation(current: WallModeration): TemplateResult {
    const t = this.t;
    return html`<section class="group" part="section moderation" aria-labelledby="moderation-title">
      <h3 id="moderation-title">${t.wall}</h3>
      <div class="choice">
        <input type="checkbox" id="moderation" .checked=${live(current === 'pre')} aria-describedby="moderation-hint" @change=${(e: Event) => void this.#setModeration((e.target as HTMLInputElement).checked, e.target as HTMLInputElement)} />
        <label for="moderation">${t.moderateWall}</label>
        <p class="hint" id="moderation-hint">${t.moderateWallHint}</p>
      </div>
    </section>`;
  }

  #invites(invites: readonly Invite[]): TemplateResult {
    const t = this.t;
    const roleLabel = (r: InviteRole) => (r === 'editor' ? t.roleEditor : t.roleFollower);
    return html`<form part="invite-form" @submit=${this.#createInvite}>
        <label for="invite-role">${t.inviteRole}</label>
        <select id="invite-role" name="role">
          <option value="follower">${t.roleFollower}</option>
          <option value="editor">${t.roleEditor}</option>
        </select>
        <label for="invite-days">${t.inviteExpiresIn}</label>
        <select id="invite-days" name="days">
          ${EXPIRY_DAYS.map((d) => html`<option value=${d} ?selected=${d === DEFAULT_DAYS}>${t.days(d)}</option>`)}
        </select>
        <label for="invite-uses">${t.inviteMaxUses}</label>
        <input id="invite-uses" name="uses" type="number" inputmode="numeric" min="1" max="100" value=${DEFAULT_USES} />
        <button type="submit" class="primary create" part="button" aria-disabled=${this.busy.has('invite:create')}>${t.createInvite}</button>
      </form>
      ${invites.length === 0
        ? html`<p class="empty muted">${t.noInvites}</p>`
        : html`<ul class="people" part="list">
            ${repeat(
              invites,
              (i) => i.code,
              (inv, n) => {
                const key = `invites:${inv.code}`;
                const link = inviteLink(inv.code, this.inviteUrl);
                return html`<li class="invite" part="invite" data-key=${key}>
                  <span class="meta" id="invite-${n}"
                    ><strong>${roleLabel(inv.role)}</strong> · ${t.usesLeft(Math.max(0, inv.maxUses - inv.uses))} · ${t.expires(relativeTime(inv.expiresAt, this.language))}</span
                  >
                  <label class="visually-hidden" for="invite-link-${n}">${t.inviteLink(roleLabel(inv.role))}</label>
                  <input id="invite-link-${n}" class="link" part="invite-link" readonly .value=${link} aria-describedby="invite-${n}" @focus=${(e: Event) => (e.target as HTMLInputElement).select()} />
                  ${this.confirming === `revoke:${inv.code}`
                    ? this.#confirm(key, t.confirmRevoke, t.revoke, () => void this.#revoke(inv.code))
                    : html`<button class="copy" part="button" aria-describedby="invite-${n}" @click=${() => void this.#copy(inv.code, link, n)}>${t.copyLink}</button>
                        <button class="revoke" part="button" aria-describedby="invite-${n}" @click=${() => this.#ask(`revoke:${inv.code}`, key)}>${t.revoke}</button>
                        ${this.copied === inv.code ? html`<span class="muted">${t.copied}</span>` : nothing}`}
                </li>`;
              },
            )}
          </ul>`}`;
  }

  /* ---------------------------------------------------------------------------- actions */

  /**
   * Runs one call for a row (or group) `key`: one at a time, its refusal shown and reported.
   * On success the settings are asked for again at once (the server's `settings:changed` may
   * come later), and with `gone` the row is hidden now and focus moves to its neighbour.
   */
  async #act(key: string, call: () => Promise<Result>, gone = false): Promise<boolean> {
    if (!this.care.binding || this.busy.has(key)) return false;
    const [list] = key.split(':') as [List];
    const rows = [...this.renderRoot.querySelectorAll<HTMLElement>(`[data-list="${list}"] [data-key]`)];
    const index = rows.findIndex((r) => r.dataset.key === key);
    const hadFocus = this.shadowRoot?.activeElement != null;
    this.busy = new Set([...this.busy, key]);
    this.failure = '';
    const res = await call();
    const rest = new Set(this.busy);
    rest.delete(key);
    this.busy = rest;
    if (!res.ok) {
      this.failure = this.t.error(res.error.message);
      this.reportError(res.error);
      return false;
    }
    this.care.refreshSettings();
    if (gone) {
      this.#gone.add(key);
      if (this.confirming && key.endsWith(this.confirming.slice(this.confirming.indexOf(':')))) this.confirming = null;
      if (hadFocus) this.#focus = { list, index: Math.max(0, index) };
    }
    this.announcer.say(this.t.done);
    return true;
  }

  #decide(userId: string, approve: boolean): Promise<boolean> {
    return this.#act(`requests:${userId}`, () => this.care.call('follow:decide', { userId, approve }), true);
  }

  /** Removes a follower, or blocks them (they stop receiving the page at once). */
  #remove(userId: string, block: boolean): Promise<boolean> {
    return this.#act(`followers:${userId}`, () => this.care.call('follow:remove', block ? { userId, block } : { userId }), true);
  }

  #unblock(userId: string): Promise<boolean> {
    return this.#act(`blocked:${userId}`, () => this.care.call('follow:unblock', { userId }), true);
  }

  #removeEditor(userId: string): Promise<boolean> {
    return this.#act(`editors:${userId}`, () => this.care.call('member:remove', { userId }), true);
  }

  #revoke(code: string): Promise<boolean> {
    return this.#act(`invites:${code}`, () => this.care.call('invite:revoke', { code }), true);
  }

  #choose(v: Visibility): void {
    this.draft = v;
    this.confirming = null;
  }

  readonly #resetDraft = (): void => {
    this.draft = null;
    this.confirming = null;
    this.#focus = { key: 'visibility', selector: 'input:checked' };
  };

  #requestVisibility(current: Visibility, chosen: Visibility): void {
    if (this.busy.has('visibility')) return;
    if (RANK[chosen] > RANK[current]) {
      this.confirming = 'widen';
      this.#focus = { key: 'visibility', selector: '.confirm-yes' };
      return;
    }
    void this.#saveVisibility(chosen);
  }

  async #saveVisibility(visibility: Visibility): Promise<void> {
    // The draft stays until the page itself says so (willUpdate): no flash of the old choice.
    const ok = await this.#act('visibility', () => this.care.call('page:configure', { visibility }));
    this.#focus = { key: 'visibility', selector: ok ? `#vis-${visibility}` : '.confirm-yes, .save' };
    this.requestUpdate();
  }

  async #setModeration(on: boolean, box: HTMLInputElement): Promise<void> {
    const ok = await this.#act('moderation', () => this.care.call('page:configure', { wallModeration: on ? 'pre' : 'post' }));
    // Refused: the box shows the page's real setting again (the `live` binding re-reads it).
    if (!ok) this.requestUpdate();
    box.focus();
  }

  #ask(what: string, key: string): void {
    this.confirming = what;
    this.#focus = { key, selector: '.confirm-yes' };
  }

  #cancelConfirm(key: string): void {
    const was = this.confirming ?? '';
    this.confirming = null;
    this.#focus = key === 'visibility' ? { key, selector: '.save' } : { key, selector: was.startsWith('block:') ? '.block' : was.startsWith('revoke:') ? '.revoke' : '.remove' };
  }

  async #createInvite(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const role = data.get('role') === 'editor' ? 'editor' : 'follower';
    const days = Number(data.get('days')) || DEFAULT_DAYS;
    // Out of range is brought into range rather than refused: 0 means one, 500 the most there is.
    const uses = Math.min(100, Math.max(1, Math.round(Number(data.get('uses')) || 1)));
    form.querySelector<HTMLInputElement>('#invite-uses')!.value = String(uses);
    let code: string | null = null;
    const ok = await this.#act('invite:create', async () => {
      const res = await this.care.call('invite:create', { role, expiresInHours: days * 24, maxUses: uses });
      if (res.ok) code = res.invite.code;
      return res;
    });
    // The new link is where a keyboard user lands, ready to copy.
    if (ok && code) this.#focus = { code };
  }

  async #copy(code: string, link: string, n: number): Promise<void> {
    const field = this.renderRoot.querySelector<HTMLInputElement>(`#invite-link-${n}`);
    const ok = await copyText(link, field);
    this.copied = ok ? code : null;
    if (ok) this.announcer.say(this.t.copied);
  }

  /* ------------------------------------------------------------------------------ focus */

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const f = this.#focus;
    if (!f) return;
    const root = this.renderRoot;
    let target: HTMLElement | null = null;
    if ('code' in f) {
      // Until the refetched list holds the new invitation, wait.
      target = root.querySelector<HTMLElement>(`[data-key="invites:${CSS.escape(f.code)}"] input`);
      if (!target) return;
    } else if ('key' in f) {
      target = root.querySelector<HTMLElement>(`[data-key="${CSS.escape(f.key)}"] ${f.selector}`);
    } else {
      const rows = root.querySelectorAll<HTMLElement>(`[data-list="${f.list}"] [data-key]`);
      const row = rows[Math.min(f.index, rows.length - 1)];
      target = row?.querySelector<HTMLElement>('button, input') ?? root.querySelector<HTMLElement>(`#${f.list}-title`);
    }
    this.#focus = null;
    target?.focus();
  }
}
