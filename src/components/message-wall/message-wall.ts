import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { OutboxEntry } from '../../client/outbox.js';
import type { PageController } from '../../client/page-controller.js';
import { LIMITS, type CareError, type Result, type Viewer, type WallMessage } from '../../protocol/index.js';
import { renderMarkdown } from '../../markdown/render.js';
import { tokens } from '../../styles/tokens.js';
import { CareElement } from '../base/care-element.js';
import { composerStyles } from '../../styles/composer.js';
import { messageWallStyles } from './message-wall.styles.js';

/** How long typing must pause before the remaining characters are announced. */
const COUNT_ANNOUNCE_MS = 700;
/** How many older messages one "Load older" fetches. */
const OLDER_PAGE = 30;

/**
 * @summary The guestbook: messages of support, newest first and live, with hearts. People
 * allowed to write get a composer with a character counter; the owner, editors and staff can
 * hide, show and delete messages.
 *
 * @event care-posted - `{kind: 'wall', item}` after the server acknowledged a message this visitor wrote.
 * @event care-error - `{code, message}` when an action or a post was refused; once `unsupported_protocol` when the server speaks another protocol version; once `config` when a setting is wrong (a missing `page`, a failing `token-url`, a host never reached), `message` naming it.
 * @event care-connection-change - `{state}` of the shared connection (`connecting`, `online`, `offline` or `unauthorized`), fired once per change by the first widget bound to that connection, so listen on `document` or a common ancestor; every widget's `connectionState` reads the current state.
 *
 * @csspart base - The widget's outer box.
 * @csspart heading - The "Messages of support" heading.
 * @csspart composer - The form for a new message.
 * @csspart textarea - The message field.
 * @csspart counter - The "characters left" counter.
 * @csspart button - Every button.
 * @csspart send-button - The composer's Send button.
 * @csspart write-hint - The "sign in / follow to leave a message" hint.
 * @csspart list - The list of messages.
 * @csspart message - One message (`<article>`), sent or unsent.
 * @csspart outbox-message - An unsent message of this visitor (also has `message`).
 * @csspart message-meta - Author, time and labels of a message.
 * @csspart author - A message's author.
 * @csspart body - A message's text.
 * @csspart badge - A "Hidden from visitors" / "Hidden by a moderator" (the author's own hidden message) / "Waiting for approval" / "Sending…" label.
 * @csspart actions - A message's buttons.
 * @csspart heart-button - The heart toggle.
 * @csspart heart-count - The number of hearts.
 * @csspart moderate-button - Hide / Show.
 * @csspart delete-button - Delete, and the confirming Delete or Block.
 * @csspart approve-button - Approve, on a message waiting for approval (moderators).
 * @csspart block-button - Block the author from the page (moderators).
 * @csspart load-older - The "Load older" button.
 * @csspart notice - Loading, offline, locked, empty, not-found and error notices.
 * @csspart invite-notice - The notice about an invitation link in the address bar (sign in to accept it, accepted, or no longer valid); also has `notice`.
 *
 * @cssproperty --care-color-primary - Buttons and links.
 * @cssproperty --care-color-on-primary - Text on primary buttons.
 * @cssproperty --care-color-surface - Background.
 * @cssproperty --care-color-text - Text.
 * @cssproperty --care-color-muted - Secondary text.
 * @cssproperty --care-color-border - Borders and separators.
 * @cssproperty --care-color-danger - Errors, the over-limit counter and Delete.
 * @cssproperty --care-color-focus - The focus ring.
 * @cssproperty --care-color-heart - The heart of a hearted message.
 * @cssproperty --care-font-family - Font.
 * @cssproperty --care-font-size - Base font size.
 * @cssproperty --care-radius - Corner radius.
 * @cssproperty --care-space - Padding unit.
 */
export class CareMessageWall extends CareElement {
  static override styles = [tokens, composerStyles, messageWallStyles];
  protected static override renderMarkdown = renderMarkdown;

  static override properties: PropertyDeclarations = {
    draft: { state: true },
    countAnnouncement: { state: true },
    confirming: { state: true },
    blocking: { state: true },
    busy: { state: true },
    itemErrors: { state: true },
    wallError: { state: true },
    loadingOlder: { state: true },
  };

  constructor() {
    super();
    this.draft = '';
    this.countAnnouncement = '';
    this.confirming = null;
    this.blocking = null;
    this.busy = new Set();
    this.itemErrors = new Map();
    this.wallError = '';
    this.loadingOlder = false;
  }


  /** The composer's text. */
  declare private draft: string;
  /** The remaining-characters text for screen readers, updated when typing pauses. */
  declare private countAnnouncement: string;
  /** The message whose Delete waits for confirmation. */
  declare private confirming: string | null;
  /** The message whose author's block waits for confirmation. */
  declare private blocking: string | null;
  /** Messages with a call in flight. */
  declare private busy: ReadonlySet<string>;
  /** Per-message error text from a refused call. */
  declare private itemErrors: ReadonlyMap<string, string>;
  /** An error not tied to one message (sending, loading older). */
  declare private wallError: string;
  declare private loadingOlder: boolean;

  /** A message just deleted from this widget: focus stays in the widget when it goes. */
  #refocusAfter: string | null = null;

  #countTimer: ReturnType<typeof setTimeout> | undefined;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#countTimer);
  }

  protected override readonly postKind = 'wall' as const;

  /* ------------------------------------------------------------------ live bookkeeping */

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    this.announcer.newItems(this.care.state.wall, this.t.newMessages);
    this.reportRefusals('wall');
    const wall = this.care.state.wall;
    if (this.confirming !== null && !wall.some((m) => m.id === this.confirming)) this.confirming = null;
  }

  /* ----------------------------------------------------------------------------- render */

  protected override render(): TemplateResult {
    const t = this.t;
    const status = this.notices.status();
    return html`<section class="root" part="base" dir=${this.direction} aria-labelledby="heading">
      <h2 id="heading" part="heading" tabindex="-1">${t.wall}</h2>
      ${this.notices.invite()} ${status !== nothing ? status : this.#renderContent()} ${this.announcer.region()}
    </section>`;
  }

  #renderContent(): TemplateResult {
    const t = this.t;
    const s = this.care.state;
    const outbox = [...this.care.pending('wall')].reverse();
    if (s.status === 'locked') {
      // No content of the page, but never lose what this visitor typed (a post refused as the page closed).
      return html`${this.notices.locked()}
        ${outbox.length > 0
          ? html`<ul class="messages" part="list" aria-label=${t.wall}>${repeat(outbox, (e) => `o:${e.clientId}`, (e) => this.#renderOutboxItem(e))}</ul>`
          : nothing}`;
    }
    const viewer = s.viewer;
    const empty = s.wall.length === 0 && outbox.length === 0;
    // The first screen first: messages from the top while this task's budget lasts, then the rest in later tasks.
    const shown = s.wall.slice(0, this.progressive.count(s.wall.length, (i) => this.#bodyOf(s.wall[i]!)));
    return html`
      ${this.notices.offline()} ${this.#renderComposer(viewer)}
      ${this.wallError ? html`<p class="error-text" role="alert">${this.wallError}</p>` : nothing}
      ${empty
        ? html`<p class="notice empty" part="notice">${t.wallEmpty}</p>`
        : html`<ul class="messages" part="list" aria-label=${t.wall} aria-busy=${this.loadingOlder || this.progressive.busy} tabindex="-1">
            ${repeat(outbox, (e) => `o:${e.clientId}`, (e) => this.#renderOutboxItem(e))}
            ${repeat(shown, (m) => m.id, (m) => this.#renderMessage(m, viewer))}
          </ul>`}
      ${s.wallHasMore
        ? html`<button class="older" part="button load-older" aria-disabled=${this.loadingOlder} @click=${this.#loadOlder}>
            ${this.loadingOlder ? t.loading : t.loadOlder}
          </button>`
        : nothing}
    `;
  }

  /* ---------------------------------------------------------------------------- composer */

  #renderComposer(viewer: Viewer | null): TemplateResult | typeof nothing {
    const t = this.t;
    if (!viewer) return nothing;
    if (!viewer.can.postWall) {
      if (viewer.userId === null) return html`<p class="write-hint muted" part="write-hint">${t.signInToWrite}</p>`;
      if (viewer.can.follow && viewer.follow !== 'following') return html`<p class="write-hint muted" part="write-hint">${t.followToWrite}</p>`;
      return nothing;
    }
    const left = LIMITS.wallBodyMax - this.draft.length;
    const over = left < 0;
    const canSend = this.draft.trim() !== '' && !over;
    return html`<form class="composer" part="composer" aria-labelledby="compose-title" @submit=${this.#onSubmit}>
      <h3 id="compose-title" class="visually-hidden">${t.composeWall}</h3>
      <label for="compose">${t.message}</label>
      <textarea
        id="compose"
        part="textarea"
        rows="3"
        .value=${this.draft}
        aria-describedby="counter"
        aria-invalid=${over}
        @input=${this.#onInput}
        @keydown=${this.#onKeydown}
      ></textarea>
      <div class="composer-foot">
        <span id="counter" class="counter ${over ? 'over' : ''}" part="counter" dir="auto">${over ? t.charsOver(-left) : t.charsLeft(left)}</span>
        <button type="submit" class="primary" part="button send-button" ?disabled=${!canSend}>${t.sendMessage}</button>
      </div>
      <div class="visually-hidden" role="status" aria-live="polite">${this.countAnnouncement}</div>
    </form>`;
  }

  #onInput(e: Event): void {
    this.draft = (e.target as HTMLTextAreaElement).value;
    this.wallError = '';
    clearTimeout(this.#countTimer);
    this.#countTimer = setTimeout(() => (this.countAnnouncement = this.#counterText()), COUNT_ANNOUNCE_MS);
  }

  #counterText(): string {
    const left = LIMITS.wallBodyMax - this.draft.length;
    return left < 0 ? this.t.charsOver(-left) : this.t.charsLeft(left);
  }

  #onKeydown(e: KeyboardEvent): void {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      this.#send();
    }
  }

  #onSubmit(e: Event): void {
    e.preventDefault();
    this.#send();
  }

  /** Puts the message in the outbox: it shows as "Sending…" until the server acknowledges it. */
  #send(): void {
    const body = this.draft;
    if (body.trim() === '' || body.length > LIMITS.wallBodyMax) return;
    const entry = this.care.post('wall', { body });
    if (!entry) {
      // Not signed in after all (the session ended): keep the text where it is.
      const error: CareError = { code: 'unauthorized', message: this.t.signInToWrite };
      this.wallError = this.t.notSent(error.message);
      this.reportError(error);
      return;
    }
    this.draft = '';
    this.countAnnouncement = '';
    clearTimeout(this.#countTimer);
    // The Send button is disabled now; keep focus in the composer for the next message.
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLTextAreaElement>('#compose')?.focus());
  }

  /* ------------------------------------------------------------------------------ outbox */

  #renderOutboxItem(e: OutboxEntry): TemplateResult {
    const t = this.t;
    const failed = e.state === 'failed';
    const { id: userId, name: userName } = this.care.user;
    const name = userName ?? userId ?? '';
    const id = `o-${e.clientId}`;
    return html`<li>
      <article class="message outbox ${failed ? 'failed' : ''}" part="message outbox-message" aria-labelledby="${id}-author ${id}-state">
        <div class="meta" part="message-meta">
          <span class="author" id="${id}-author" part="author" dir="auto">${name}</span>
          <span class="badge ${failed ? 'error-text' : ''}" id="${id}-state" part="badge">${failed ? t.notSent(e.error?.message ?? '') : t.sending}</span>
        </div>
        ${this.#renderBody(`o:${e.clientId}:${e.body.length}`, e.body)}
        ${failed
          ? html`<div class="actions" part="actions">
              <button part="button" @click=${() => this.care.retry(e.clientId)}>${t.tryAgain}</button>
              <button part="button" @click=${() => this.#editFailed(e)}>${t.edit}</button>
              <button part="button" @click=${() => this.care.discard(e.clientId)}>${t.discard}</button>
            </div>`
          : nothing}
      </article>
    </li>`;
  }

  /** Moves a refused message back into the composer, after anything already typed there, to fix it. */
  #editFailed(e: OutboxEntry): void {
    this.draft = this.draft.trim() === '' ? e.body : `${this.draft}\n\n${e.body}`;
    this.care.discard(e.clientId);
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLTextAreaElement>('#compose')?.focus());
  }

  /* ---------------------------------------------------------------------------- messages */

  #renderMessage(m: WallMessage, viewer: Viewer | null): TemplateResult {
    const t = this.t;
    const id = `m-${m.id}`;
    const error = this.itemErrors.get(m.id);
    return html`<li>
      <article class="message ${m.hidden ? 'hidden' : ''}" part="message" aria-labelledby="${id}-author" data-id=${m.id}>
        <div class="meta" part="message-meta">
          <span class="author" id="${id}-author" part="author" dir="auto">${m.author.name}</span>
          ${this.time(m.createdAt)}
          ${m.hidden ? html`<span class="badge" part="badge">${viewer?.can.moderate ? t.hiddenLabel : t.hiddenByModerator}</span>` : nothing}
          ${m.pending ? html`<span class="badge" part="badge">${t.awaitingApproval}</span>` : nothing}
        </div>
        ${this.#bodyOf(m)}
        <div class="actions" part="actions">${this.#renderHeart(m, viewer)} ${this.#renderModeration(m, viewer)}</div>
        ${error ? html`<p class="error-text" role="alert">${error}</p>` : nothing}
      </article>
    </li>`;
  }

  /** The sanitized Markdown body, exposed as `::part(body)`. */
  #renderBody(key: string, text: string): Element {
    const el = this.markdown(key, text);
    el.setAttribute('part', 'body');
    return el;
  }

  #bodyOf(m: WallMessage): Element {
    return this.#renderBody(`${m.id}:${m.body.length}`, m.body);
  }

  #renderHeart(m: WallMessage, viewer: Viewer | null): TemplateResult {
    const t = this.t;
    const count = html`<span class="heart-count" part="heart-count" dir="auto">${t.hearts(m.hearts)}</span>`;
    // Hearts go to messages everyone sees, from signed-in readers.
    const canHeart = viewer !== null && viewer.userId !== null && viewer.can.read && !m.hidden && !m.pending;
    if (!canHeart) return html`<span class="hearts">${count}</span>`;
    const on = m.hearted === true;
    return html`<span class="hearts">
      <button
        class="heart ${on ? 'on' : ''}"
        part="button heart-button"
        aria-pressed=${on}
        aria-label=${t.heart(m.author.name)}
        aria-disabled=${this.busy.has(m.id)}
        @click=${() => void this.#heart(m)}
      >
        <span aria-hidden="true">${on ? '\u2665' : '\u2661'}</span>
      </button>
      ${count}
    </span>`;
  }

  #renderModeration(m: WallMessage, viewer: Viewer | null): TemplateResult | typeof nothing {
    if (!viewer) return nothing;
    const t = this.t;
    const moderate = viewer.can.moderate;
    // The server lets authors delete their own messages too.
    const canDelete = moderate || (viewer.userId !== null && m.author.id === viewer.userId);
    if (!moderate && !canDelete) return nothing;
    const busy = this.busy.has(m.id);
    const hide = moderate
      ? html`<button class="moderate" part="button moderate-button" aria-disabled=${busy} @click=${() => void this.#toggleHidden(m)}>${m.hidden ? t.unhide : t.hide}</button>`
      : nothing;
    const approve = moderate && m.pending
      ? html`<button class="primary approve" part="button approve-button" aria-disabled=${busy} @click=${() => void this.#approve(m)}>${t.approve}</button>`
      : nothing;
    const own = m.author.id === viewer.userId;
    if (this.blocking === m.id) {
      return this.#confirmGroup(m, t.confirmBlock(m.author.name), t.block, 'confirm-block', () => void this.#block(m), () => this.#cancel(m.id, '.block'));
    }
    if (this.confirming === m.id) {
      return html`${approve}${hide}${this.#confirmGroup(m, t.confirmDelete, t.delete, 'confirm-delete', () => void this.#deleteMessage(m), () => this.#cancel(m.id, '.delete'))}`;
    }
    return html`${approve}${hide}
      <button class="delete" part="button delete-button" @click=${() => this.#ask(m.id, 'confirming', '.confirm-delete')}>${t.delete}</button>
      ${moderate && !own ? html`<button class="block" part="button block-button" @click=${() => this.#ask(m.id, 'blocking', '.confirm-block')}>${t.block}</button>` : nothing}`;
  }

  /** A keyboard-accessible confirm step: the question, the action, and Cancel (Escape works too). */
  #confirmGroup(m: WallMessage, question: string, action: string, cls: string, run: () => void, cancel: () => void): TemplateResult {
    const q = `m-${m.id}-${cls}`;
    return html`<span class="confirm" role="group" aria-labelledby=${q} @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && cancel()}>
      <span id=${q} class="error-text">${question}</span>
      <button class="danger ${cls}" part="button delete-button" aria-disabled=${this.busy.has(m.id)} @click=${run}>${action}</button>
      <button class="cancel-delete" part="button" @click=${cancel}>${this.t.cancel}</button>
    </span>`;
  }

  /* ----------------------------------------------------------------------------- actions */

  #focusIn(id: string, selector: string): void {
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`article[data-id="${CSS.escape(id)}"] ${selector}`)?.focus());
  }

  #ask(id: string, what: 'confirming' | 'blocking', focus: string): void {
    this.confirming = what === 'confirming' ? id : null;
    this.blocking = what === 'blocking' ? id : null;
    this.#focusIn(id, focus);
  }

  #cancel(id: string, focus: string): void {
    this.confirming = null;
    this.blocking = null;
    this.#focusIn(id, focus);
  }

  #setBusy(id: string, on: boolean): void {
    const next = new Set(this.busy);
    if (on) next.add(id);
    else next.delete(id);
    this.busy = next;
  }

  #setItemError(id: string, text: string | null): void {
    const next = new Map(this.itemErrors);
    if (text === null) next.delete(id);
    else next.set(id, text);
    this.itemErrors = next;
  }

  /** Runs one call for one message: one at a time, errors shown on the message and reported. */
  async #act(m: WallMessage, call: (care: PageController) => Promise<Result>): Promise<boolean> {
    if (!this.care.binding || this.busy.has(m.id)) return false;
    this.#setBusy(m.id, true);
    this.#setItemError(m.id, null);
    try {
      const res = await call(this.care);
      if (!res.ok) {
        this.#setItemError(m.id, this.t.error(res.error.message));
        this.reportError(res.error);
        return false;
      }
      return true;
    } finally {
      this.#setBusy(m.id, false);
    }
  }

  async #heart(m: WallMessage): Promise<void> {
    await this.#act(m, (care) => care.heart(m.id, m.hearted !== true));
  }

  async #approve(m: WallMessage): Promise<void> {
    await this.#act(m, (care) => care.call('wall:approve', { messageId: m.id }));
  }

  /** Blocks the author from the page: they stop receiving it at once (their messages stay, for context). */
  async #block(m: WallMessage): Promise<void> {
    if (await this.#act(m, (care) => care.call('follow:remove', { userId: m.author.id, block: true }))) this.#cancel(m.id, '.block');
    else this.#focusIn(m.id, '.confirm-block');
  }

  async #toggleHidden(m: WallMessage): Promise<void> {
    await this.#act(m, (care) => care.call('wall:hide', { messageId: m.id, hidden: !m.hidden }));
  }

  async #deleteMessage(m: WallMessage): Promise<void> {
    const ok = await this.#act(m, (care) => care.call('wall:delete', { messageId: m.id }));
    if (!ok) {
      this.#focusIn(m.id, '.confirm-delete');
      return;
    }
    // The confirm button goes away with the message (now, or when its removal arrives).
    this.#refocusAfter = m.id;
    this.requestUpdate();
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const id = this.#refocusAfter;
    if (id === null || this.care.state.wall.some((m) => m.id === id)) return;
    this.#refocusAfter = null;
    const active = this.shadowRoot?.activeElement;
    if (active && active.isConnected) return;
    (this.renderRoot.querySelector<HTMLElement>('.messages') ?? this.renderRoot.querySelector<HTMLElement>('#heading'))?.focus();
  }

  async #loadOlder(): Promise<void> {
    if (!this.care.binding || this.loadingOlder) return;
    const hadFocus = this.shadowRoot?.activeElement?.classList.contains('older') === true;
    this.loadingOlder = true;
    this.wallError = '';
    try {
      const res = await this.care.loadOlder('wall', OLDER_PAGE);
      if (!res.ok) {
        this.wallError = this.t.error(res.error.message);
        this.reportError(res.error);
      }
    } finally {
      this.loadingOlder = false;
    }
    // The last page loaded: the button goes away, so focus moves to the list instead of the void.
    await this.updateComplete;
    if (hadFocus && !this.shadowRoot?.activeElement) this.renderRoot.querySelector<HTMLElement>('.messages')?.focus();
  }
}
