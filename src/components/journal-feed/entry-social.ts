import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { OutboxEntry } from '../../client/outbox.js';
import type { PageController } from '../../client/page-controller.js';
import type { Strings } from '../../i18n/index.js';
import { LIMITS, type CareError, type JournalComment, type JournalEntry, type Result, type Viewer } from '../../protocol/index.js';

/** How long typing must pause before the remaining characters are announced (as the wall). */
const COUNT_ANNOUNCE_MS = 700;

/** What the social part needs of its feed element (protected there, so handed over as functions). */
export interface SocialHost extends ReactiveControllerHost {
  readonly care: PageController;
  readonly renderRoot: HTMLElement | DocumentFragment;
  readonly shadowRoot: ShadowRoot | null;
}
export interface SocialTools {
  t(): Strings;
  markdown(key: string, text: string): Element;
  time(iso: string): TemplateResult;
  reportError(error: CareError): void;
}

type Confirm = { id: string; what: 'delete' | 'block' };

/**
 * Hearts and comments under each journal entry (feature `journal-social`, SPEC 6.3), the
 * wall's rules applied to an entry's thread: a heart with its count (through the outbox, so
 * it works offline; the last click wins), the last few comments with "Show all N comments",
 * a composer with a character counter for those who may write (comments go through the
 * outbox with an idempotent `clientId`, like posts), delete for authors, hide / show /
 * approve / block for moderators with a keyboard-accessible confirm step, "waiting for
 * approval" shown to the author, and the entry author's control to close or open comments.
 *
 * A controller rather than an element: comments live inside the feed's articles, in its
 * shadow root and styles, and share its page, strings and Markdown cache.
 */
export class EntrySocial implements ReactiveController {
  /** Entries whose whole thread shows (else the last `LIMITS.snapshotComments`). */
  #expanded = new Set<string>();
  /** Entries loading their older comments. */
  #loading = new Set<string>();
  /** Entries whose composer is open. */
  #composing = new Set<string>();
  readonly #drafts = new Map<string, string>();
  /** Comments (and entries: `e:` + id) with a call in flight. */
  #busy = new Set<string>();
  /** Error text by comment id, or `e:` + entry id for the heart and the close control. */
  #errors = new Map<string, string>();
  #confirming: Confirm | null = null;
  /** The remaining-characters text for screen readers, for the composer typed in last. */
  #countAnnouncement = '';
  #countTimer: ReturnType<typeof setTimeout> | undefined;
  /** An entry whose comment was just deleted from here: focus stays in its thread. */
  #refocus: string | null = null;

  constructor(
    private readonly host: SocialHost,
    private readonly tools: SocialTools,
  ) {
    host.addController(this);
  }

  get #care(): PageController {
    return this.host.care;
  }

  get #t(): Strings {
    return this.tools.t();
  }

  /** Whether the page's backend has hearts and comments. */
  get enabled(): boolean {
    return this.#care.has('journal-social');
  }

  hostDisconnected(): void {
    clearTimeout(this.#countTimer);
  }

  /**
   * Call from the feed's `willUpdate`. A heart the server refused for good (the entry was
   * deleted, the viewer lost the page) is said on its entry, reported once, and dropped.
   */
  willUpdate(): void {
    const refused = this.#care.pending('heart').filter((h) => h.state === 'failed');
    if (refused.length === 0) return;
    const errors = new Map(this.#errors);
    for (const h of refused) {
      if (h.error) {
        errors.set(`e:${h.entryId}`, this.#t.error(h.error.message));
        this.tools.reportError(h.error);
      }
    }
    this.#errors = errors;
    // Not during this update: discarding notifies the outbox's listeners, which request another.
    queueMicrotask(() => refused.forEach((h) => this.#care.discard(h.clientId)));
  }

  /** Call from the feed's `updated`: focus does not fall out of the widget with a deleted comment. */
  updated(): void {
    const entryId = this.#refocus;
    if (entryId === null) return;
    const active = this.host.shadowRoot?.activeElement;
    if (active && active.isConnected) return;
    this.#refocus = null;
    // The thread, or the update itself when its last comment went with the thread.
    (this.#thread(entryId) ?? this.host.renderRoot.querySelector<HTMLElement>(`article[data-id="${CSS.escape(entryId)}"]`))?.focus();
  }

  /** The newest comments of every entry, for the feed's "N new comments" announcement. */
  comments(entries: readonly JournalEntry[]): JournalComment[] {
    return entries.flatMap((e) => e.comments ?? []);
  }

  /** Unsent comments whose entry is not in the feed (deleted meanwhile): shown apart, to keep or drop. */
  orphans(entries: readonly JournalEntry[]): TemplateResult | typeof nothing {
    const ids = new Set(entries.map((e) => e.id));
    const lost = this.#care.pending('comment').filter((c) => !ids.has(c.entryId ?? ''));
    if (lost.length === 0) return nothing;
    return html`<ul class="comment-list orphans" part="comment-list" aria-label=${this.#t.comment}>
      ${repeat(lost, (c) => c.clientId, (c) => this.#renderUnsent(c))}
    </ul>`;
  }

  /* ----------------------------------------------------------------------------- render */

  /** Hearts and the comment thread of one entry; nothing without the feature. */
  render(e: JournalEntry, viewer: Viewer | null): TemplateResult | typeof nothing {
    if (!this.enabled || !viewer) return nothing;
    const error = this.#errors.get(`e:${e.id}`);
    return html`<div class="social" part="social">
        ${this.#renderHeart(e, viewer)} ${this.#renderCommentToggle(e, viewer)} ${this.#renderCloseControl(e, viewer)}
      </div>
      ${error ? html`<p class="error-text" role="alert">${error}</p>` : nothing} ${this.#renderThread(e, viewer)}`;
  }

  #renderHeart(e: JournalEntry, viewer: Viewer): TemplateResult {
    const t = this.#t;
    // The last click not yet acknowledged shows at once (offline too), over the server's state.
    const intent = this.#care
      .pending('heart')
      .filter((h) => h.entryId === e.id && h.state !== 'failed')
      .at(-1);
    const server = e.hearted === true;
    const on = intent ? intent.on === true : server;
    const hearts = Math.max(0, (e.hearts ?? 0) + (intent && on !== server ? (on ? 1 : -1) : 0));
    const count = html`<span class="heart-count" part="heart-count">${t.hearts(hearts)}</span>`;
    // Hearts come from signed-in readers (the server checks again).
    if (viewer.userId === null || !viewer.can.read) return html`<span class="hearts">${count}</span>`;
    return html`<span class="hearts">
      <button class="heart ${on ? 'on' : ''}" part="button heart-button" aria-pressed=${on} aria-label=${t.heartEntry(e.title)} @click=${() => this.#heart(e, !on)}>
        <span aria-hidden="true">${on ? '\u2665' : '\u2661'}</span>
      </button>
      ${count}
    </span>`;
  }

  #renderCommentToggle(e: JournalEntry, viewer: Viewer): TemplateResult | typeof nothing {
    const t = this.#t;
    if (e.commentsOpen === false) return html`<span class="muted closed" part="comments-closed">${t.commentsClosed}</span>`;
    if (!viewer.can.postWall) {
      if (viewer.userId === null) return html`<span class="muted write-hint" part="comment-hint">${t.signInToComment}</span>`;
      if (viewer.can.follow && viewer.follow !== 'following') return html`<span class="muted write-hint" part="comment-hint">${t.followToComment}</span>`;
      return nothing;
    }
    const open = this.#composing.has(e.id);
    return html`<button class="comment-toggle" part="button comment-button" aria-expanded=${open} aria-controls=${`cc-${e.id}`} @click=${() => this.#toggleComposer(e.id)}>
      ${t.comment}
    </button>`;
  }

  /** The entry's author may close comments on it, and open them again. */
  #renderCloseControl(e: JournalEntry, viewer: Viewer): TemplateResult | typeof nothing {
    if (viewer.userId === null || e.author.id !== viewer.userId || !viewer.can.postJournal) return nothing;
    const open = e.commentsOpen !== false;
    return html`<button class="close-comments" part="button close-comments-button" aria-disabled=${this.#busy.has(`e:${e.id}`)} @click=${() => void this.#setOpen(e, !open)}>
      ${open ? this.#t.closeComments : this.#t.openComments}
    </button>`;
  }

  #renderThread(e: JournalEntry, viewer: Viewer): TemplateResult | typeof nothing {
    const t = this.#t;
    const all = e.comments ?? [];
    const unsent = this.#care.pending('comment').filter((c) => c.entryId === e.id);
    const composing = this.#composing.has(e.id) && e.commentsOpen !== false && viewer.can.postWall;
    const total = Math.max(e.commentCount ?? 0, all.length);
    if (total === 0 && unsent.length === 0 && !composing) return nothing;
    const expanded = this.#expanded.has(e.id);
    const shown = expanded ? all : all.slice(-LIMITS.snapshotComments);
    const more = total > shown.length;
    const loading = this.#loading.has(e.id);
    return html`<section class="comments" part="comments" aria-label=${t.commentsOn(e.title)} data-comments=${e.id} tabindex="-1">
      <p class="comment-count muted" part="comment-count">${t.commentCount(total)}</p>
      ${more || expanded
        ? html`<button class="show-comments" part="button show-comments-button" aria-expanded=${expanded && !more} aria-disabled=${loading} @click=${() => void this.#toggleAll(e, more)}>
            ${loading ? t.loading : more ? t.showAllComments(total) : t.showFewerComments}
          </button>`
        : nothing}
      ${shown.length > 0 || unsent.length > 0
        ? html`<ul class="comment-list" part="comment-list" aria-busy=${loading}>
            ${repeat(shown, (c) => c.id, (c) => this.#renderComment(c, viewer))} ${repeat(unsent, (c) => `o:${c.clientId}`, (c) => this.#renderUnsent(c))}
          </ul>`
        : nothing}
      ${composing ? this.#renderComposer(e) : nothing}
    </section>`;
  }

  #renderComment(c: JournalComment, viewer: Viewer): TemplateResult {
    const t = this.#t;
    const id = `c-${c.id}`;
    const error = this.#errors.get(c.id);
    const body = this.tools.markdown(`c:${c.id}:${c.body.length}`, c.body);
    body.setAttribute('part', 'comment-body');
    return html`<li>
      <article class="comment ${c.hidden ? 'hidden' : ''}" part="comment" data-comment=${c.id} aria-labelledby="${id}-author">
        <div class="comment-meta" part="comment-meta">
          <span class="author" id="${id}-author" part="comment-author" dir="auto">${c.author.name}</span>
          ${this.tools.time(c.createdAt)}
          ${c.hidden ? html`<span class="badge" part="badge">${viewer.can.moderate ? t.hiddenLabel : t.hiddenByModerator}</span>` : nothing}
          ${c.pending ? html`<span class="badge" part="badge">${t.awaitingApproval}</span>` : nothing}
        </div>
        ${body} ${this.#renderModeration(c, viewer)} ${error ? html`<p class="error-text" role="alert">${error}</p>` : nothing}
      </article>
    </li>`;
  }

  #renderModeration(c: JournalComment, viewer: Viewer): TemplateResult | typeof nothing {
    const t = this.#t;
    const moderate = viewer.can.moderate;
    const own = viewer.userId !== null && c.author.id === viewer.userId;
    if (!moderate && !own) return nothing;
    const busy = this.#busy.has(c.id);
    const confirming = this.#confirming?.id === c.id ? this.#confirming.what : null;
    if (confirming === 'block') {
      return this.#confirmGroup(c, t.confirmBlock(c.author.name), t.block, 'confirm-block', () => void this.#block(c), '.block');
    }
    const approve =
      moderate && c.pending ? html`<button class="primary approve" part="button comment-approve-button" aria-disabled=${busy} @click=${() => void this.#approve(c)}>${t.approve}</button>` : nothing;
    const hide = moderate
      ? html`<button class="moderate" part="button comment-moderate-button" aria-disabled=${busy} @click=${() => void this.#hide(c)}>${c.hidden ? t.unhide : t.hide}</button>`
      : nothing;
    if (confirming === 'delete') {
      return html`<div class="comment-actions" part="comment-actions">
        ${approve}${hide}${this.#confirmGroup(c, t.confirmDelete, t.delete, 'confirm-delete', () => void this.#delete(c), '.delete')}
      </div>`;
    }
    return html`<div class="comment-actions" part="comment-actions">
      ${approve}${hide}
      <button class="delete" part="button comment-delete-button" @click=${() => this.#ask(c, 'delete', '.confirm-delete')}>${t.delete}</button>
      ${moderate && !own ? html`<button class="block" part="button comment-block-button" @click=${() => this.#ask(c, 'block', '.confirm-block')}>${t.block}</button>` : nothing}
    </div>`;
  }

  /** The confirm step: the question, the action, and Cancel; Escape cancels too. */
  #confirmGroup(c: JournalComment, question: string, action: string, cls: string, run: () => void, back: string): TemplateResult {
    const q = `c-${c.id}-${cls}`;
    const cancel = () => this.#cancel(c, back);
    return html`<span class="confirm" role="group" aria-labelledby=${q} @keydown=${(ev: KeyboardEvent) => ev.key === 'Escape' && cancel()}>
      <span id=${q} class="error-text">${question}</span>
      <button class="danger ${cls}" part="button comment-delete-button" aria-disabled=${this.#busy.has(c.id)} @click=${run}>${action}</button>
      <button class="cancel" part="button" @click=${cancel}>${this.#t.cancel}</button>
    </span>`;
  }

  /** One of this visitor's comments the server has not acknowledged: "Sending…", or refused with the reason and what to do. */
  #renderUnsent(c: OutboxEntry): TemplateResult {
    const t = this.#t;
    const failed = c.state === 'failed';
    const id = `o-${c.clientId}`;
    const body = this.tools.markdown(`o:${c.clientId}:${c.body.length}`, c.body);
    body.setAttribute('part', 'comment-body');
    const { id: userId, name } = this.#care.user;
    return html`<li>
      <article class="comment outbox ${failed ? 'failed' : ''}" part="comment outbox-comment" aria-labelledby="${id}-author ${id}-state" aria-busy=${!failed}>
        <div class="comment-meta" part="comment-meta">
          <span class="author" id="${id}-author" part="comment-author" dir="auto">${name ?? userId ?? ''}</span>
          <span class="badge ${failed ? 'error-text' : ''}" id="${id}-state" part="badge">${failed ? t.notSent(c.error?.message ?? '') : t.sending}</span>
        </div>
        ${body}
        ${failed
          ? html`<div class="comment-actions" part="comment-actions">
              <button part="button" @click=${() => this.#care.retry(c.clientId)}>${t.tryAgain}</button>
              <button part="button" @click=${() => this.#editUnsent(c)}>${t.edit}</button>
              <button part="button" @click=${() => this.#care.discard(c.clientId)}>${t.discard}</button>
            </div>`
          : nothing}
      </article>
    </li>`;
  }

  #renderComposer(e: JournalEntry): TemplateResult {
    const t = this.#t;
    const id = `cc-${e.id}`;
    const draft = this.#drafts.get(e.id) ?? '';
    const left = LIMITS.commentBodyMax - draft.length;
    const over = left < 0;
    const canSend = draft.trim() !== '' && !over;
    return html`<form class="comment-composer" part="comment-composer" id=${id} @submit=${(ev: Event) => this.#onSubmit(ev, e.id)}>
      <label for="${id}-text">${t.yourComment}</label>
      <textarea
        id="${id}-text"
        part="comment-textarea"
        rows="2"
        .value=${draft}
        aria-describedby="${id}-count"
        aria-invalid=${over}
        @input=${(ev: Event) => this.#onInput(ev, e.id)}
        @keydown=${(ev: KeyboardEvent) => this.#onKeydown(ev, e.id)}
      ></textarea>
      <div class="composer-foot">
        <span id="${id}-count" class="counter ${over ? 'over' : ''}" part="comment-counter">${over ? t.charsOver(-left) : t.charsLeft(left)}</span>
        <span class="row">
          <button type="button" part="button" @click=${() => this.#toggleComposer(e.id)}>${t.cancel}</button>
          <button type="submit" class="primary" part="button comment-send-button" ?disabled=${!canSend}>${t.sendMessage}</button>
        </span>
      </div>
      <div class="visually-hidden" role="status" aria-live="polite">${this.#countAnnouncement}</div>
    </form>`;
  }

  /* ---------------------------------------------------------------------------- actions */

  #thread(entryId: string): HTMLElement | null {
    return this.host.renderRoot.querySelector<HTMLElement>(`[data-comments="${CSS.escape(entryId)}"]`);
  }

  #focus(selector: string): void {
    void this.host.updateComplete.then(() => this.host.renderRoot.querySelector<HTMLElement>(selector)?.focus());
  }

  #focusComment(c: JournalComment, selector: string): void {
    this.#focus(`article[data-comment="${CSS.escape(c.id)}"] ${selector}`);
  }

  #heart(e: JournalEntry, on: boolean): void {
    this.#setError(`e:${e.id}`, null);
    if (!this.#care.heartEntry(e.id, on)) this.#setError(`e:${e.id}`, this.#t.signInToComment);
    this.host.requestUpdate();
  }

  #toggleComposer(entryId: string): void {
    const next = new Set(this.#composing);
    if (next.has(entryId)) {
      next.delete(entryId);
      this.#composing = next;
      this.#focus(`article[data-id="${CSS.escape(entryId)}"] .comment-toggle`);
    } else {
      next.add(entryId);
      this.#composing = next;
      this.#focus(`#cc-${CSS.escape(entryId)}-text`);
    }
    this.host.requestUpdate();
  }

  #onInput(ev: Event, entryId: string): void {
    this.#drafts.set(entryId, (ev.target as HTMLTextAreaElement).value);
    this.host.requestUpdate();
    clearTimeout(this.#countTimer);
    this.#countTimer = setTimeout(() => {
      const left = LIMITS.commentBodyMax - (this.#drafts.get(entryId) ?? '').length;
      this.#countAnnouncement = left < 0 ? this.#t.charsOver(-left) : this.#t.charsLeft(left);
      this.host.requestUpdate();
    }, COUNT_ANNOUNCE_MS);
  }

  #onKeydown(ev: KeyboardEvent, entryId: string): void {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      this.#send(entryId);
    }
  }

  #onSubmit(ev: Event, entryId: string): void {
    ev.preventDefault();
    this.#send(entryId);
  }

  /** Into the outbox: it shows as "Sending…" in the thread until the server acknowledges it. */
  #send(entryId: string): void {
    const body = this.#drafts.get(entryId) ?? '';
    if (body.trim() === '' || body.length > LIMITS.commentBodyMax) return;
    if (!this.#care.post('comment', { entryId, body })) {
      // The session ended meanwhile: keep the text where it is.
      const error: CareError = { code: 'unauthorized', message: this.#t.signInToComment };
      this.#setError(`e:${entryId}`, this.#t.notSent(error.message));
      this.tools.reportError(error);
      return;
    }
    this.#drafts.delete(entryId);
    this.#countAnnouncement = '';
    clearTimeout(this.#countTimer);
    this.host.requestUpdate();
    this.#focus(`#cc-${CSS.escape(entryId)}-text`);
  }

  /** A refused comment goes back into its entry's composer, after anything typed there, to fix it. */
  #editUnsent(c: OutboxEntry): void {
    const entryId = c.entryId ?? '';
    const draft = this.#drafts.get(entryId) ?? '';
    this.#drafts.set(entryId, draft.trim() === '' ? c.body : `${draft}\n\n${c.body}`);
    this.#care.discard(c.clientId);
    this.#composing = new Set(this.#composing).add(entryId);
    this.host.requestUpdate();
    this.#focus(`#cc-${CSS.escape(entryId)}-text`);
  }

  async #toggleAll(e: JournalEntry, more: boolean): Promise<void> {
    if (this.#loading.has(e.id)) return;
    if (!more) {
      this.#expanded = new Set([...this.#expanded].filter((id) => id !== e.id));
      this.host.requestUpdate();
      return;
    }
    this.#expanded = new Set(this.#expanded).add(e.id);
    if (this.#care.state.commentsHasMore.has(e.id)) {
      this.#loading = new Set(this.#loading).add(e.id);
      this.host.requestUpdate();
      const res = await this.#care.loadComments(e.id, { all: true });
      this.#loading = new Set([...this.#loading].filter((id) => id !== e.id));
      if (!res.ok) this.#fail(`e:${e.id}`, res.error);
    }
    this.host.requestUpdate();
  }

  async #setOpen(e: JournalEntry, open: boolean): Promise<void> {
    await this.#act(`e:${e.id}`, (care) => care.call('journal:edit', { entryId: e.id, title: e.title, body: e.body, comments: open }));
  }

  #ask(c: JournalComment, what: Confirm['what'], focus: string): void {
    this.#confirming = { id: c.id, what };
    this.host.requestUpdate();
    this.#focusComment(c, focus);
  }

  #cancel(c: JournalComment, focus: string): void {
    this.#confirming = null;
    this.host.requestUpdate();
    this.#focusComment(c, focus);
  }

  async #approve(c: JournalComment): Promise<void> {
    await this.#act(c.id, (care) => care.call('journal:comment-approve', { commentId: c.id }));
  }

  async #hide(c: JournalComment): Promise<void> {
    await this.#act(c.id, (care) => care.call('journal:comment-hide', { commentId: c.id, hidden: !c.hidden }));
  }

  async #delete(c: JournalComment): Promise<void> {
    if (await this.#act(c.id, (care) => care.call('journal:comment-delete', { commentId: c.id }))) {
      this.#confirming = null;
      this.#refocus = c.entryId;
      this.host.requestUpdate();
    } else this.#focusComment(c, '.confirm-delete');
  }

  /** Blocks the author from the page (SPEC 3): they stop receiving it at once; their comments stay, for context. */
  async #block(c: JournalComment): Promise<void> {
    if (await this.#act(c.id, (care) => care.call('follow:remove', { userId: c.author.id, block: true }))) this.#cancel(c, '.block');
    else this.#focusComment(c, '.confirm-block');
  }

  /** One call at a time per comment (or entry), its refusal shown there and reported. */
  async #act(key: string, call: (care: PageController) => Promise<Result>): Promise<boolean> {
    if (!this.#care.binding || this.#busy.has(key)) return false;
    this.#busy = new Set(this.#busy).add(key);
    this.#setError(key, null);
    this.host.requestUpdate();
    try {
      const res = await call(this.#care);
      if (!res.ok) this.#fail(key, res.error);
      return res.ok;
    } finally {
      this.#busy = new Set([...this.#busy].filter((k) => k !== key));
      this.host.requestUpdate();
    }
  }

  #fail(key: string, error: CareError): void {
    this.#setError(key, this.#t.error(error.message));
    this.tools.reportError(error);
  }

  #setError(key: string, text: string | null): void {
    const next = new Map(this.#errors);
    if (text === null) next.delete(key);
    else next.set(key, text);
    this.#errors = next;
  }
}
