import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { OutboxEntry } from '../../client/outbox.js';
import { LIMITS, type JournalEntry } from '../../protocol/index.js';
import { renderMarkdown } from '../../markdown/render.js';
import { tokens } from '../../styles/tokens.js';
import { CareElement } from '../base/care-element.js';
import { clearValidity, reportValidity } from '../base/validation.js';
import { EntrySocial } from './entry-social.js';
import { composerStyles } from '../../styles/composer.js';
import { entrySocialStyles } from './entry-social.styles.js';
import { journalFeedStyles } from './journal-feed.styles.js';
import { dropHandlers, renderPhotoPicker } from './media-composer.js';
import { MediaDraft } from './media-draft.js';
import { MediaEdit } from './media-editor.js';
import { renderGallery } from './media-gallery.js';
import { mediaStyles } from './media.styles.js';
import { PhotoViewer } from './media-viewer.js';
import { RowWindow } from './window.js';

/** Lists up to this long render whole; longer ones render only what is near the viewport. */
const WINDOW_AFTER = 60;

/**
 * @summary The patient's care journal: updates newest first, live. Owners and editors get a
 * composer, edit and delete. With a backend that has the `journal-social` feature, every
 * update has a heart (count, live, one per signed-in reader, kept offline until it can be
 * sent) and a comment thread under the wall's rules (see `entry-social.ts`).
 *
 * @event care-posted - `{kind: 'journal', item}` after the server acknowledged a new update; `{kind: 'comment', item}` after it acknowledged a comment this visitor wrote.
 * @event care-connection-change - `{state}` of the shared connection (`connecting`, `online`, `offline` or `unauthorized`), fired once per change by the first widget bound to that connection, so listen on `document` or a common ancestor; every widget's `connectionState` reads the current state.
 * @event care-error - `{code, message}` when an action was refused; once `unsupported_protocol` when the server speaks another protocol version; once `config` when a setting is wrong (a missing `page`, a failing `token-url`, a host never reached), `message` naming it.
 *
 * @csspart base - The widget's outer box.
 * @csspart heading - The "Care journal" heading.
 * @csspart composer - The form for a new update.
 * @csspart feed - The list of updates (`role="feed"`).
 * @csspart entry - One update (`<article>`).
 * @csspart entry-title - An update's title.
 * @csspart entry-meta - Author and time of an update.
 * @csspart entry-body - An update's text.
 * @csspart social - The row under an update with its heart, the Comment button and the author's close/open control.
 * @csspart heart-button - An update's heart toggle (`aria-pressed`).
 * @csspart heart-count - An update's number of hearts.
 * @csspart comment-button - Opens an update's comment composer (`aria-expanded`).
 * @csspart comment-hint - "Sign in / follow this page to comment" in place of the Comment button.
 * @csspart comments-closed - "Comments are closed." on an update whose author closed them.
 * @csspart close-comments-button - The update author's "Close comments" / "Open comments".
 * @csspart comments - An update's comment thread (a labelled section).
 * @csspart comment-count - The number of comments of an update.
 * @csspart show-comments-button - "Show all N comments" / "Show fewer comments".
 * @csspart comment-list - The list of comments.
 * @csspart comment - One comment (`<article>`), sent or unsent.
 * @csspart outbox-comment - An unsent comment of this visitor (also has `comment`).
 * @csspart comment-meta - Author, time and labels of a comment.
 * @csspart comment-author - A comment's author.
 * @csspart comment-body - A comment's text.
 * @csspart badge - "Hidden from visitors" / "Hidden by a moderator" / "Waiting for approval" / "Sending…" on a comment.
 * @csspart comment-actions - A comment's buttons.
 * @csspart comment-approve-button - Approve, on a comment waiting for approval (moderators).
 * @csspart comment-moderate-button - Hide / Show (moderators).
 * @csspart comment-delete-button - Delete (the author, moderators), and the confirming Delete or Block.
 * @csspart comment-block-button - Block the comment's author from the page (moderators).
 * @csspart comment-composer - The form for a new comment.
 * @csspart comment-textarea - The comment field.
 * @csspart comment-counter - The comment's "characters left" counter.
 * @csspart comment-send-button - The comment composer's Send button.
 * @csspart button - Every button.
 * @csspart notice - Loading, offline, locked, not-found and error notices.
 * @csspart invite-notice - The notice about an invitation link in the address bar (sign in to accept it, accepted, or no longer valid); also has `notice`.
 * @csspart photo-picker - The composer's photos (feature `media`): "Add photos", the chosen photos and their alt text; in an update's editor, its photos.
 * @csspart add-photos - The "Add photos" button (also `button`); photos may also be dropped on the composer, which then has the class `dragging`.
 * @csspart photo-drafts - The list of photos chosen for the update.
 * @csspart photo-draft - One chosen photo: preview, alt text, upload progress, Remove (in the editor: one of the update's photos, alt text, Remove).
 * @csspart upload-progress - A photo's upload progress bar.
 * @csspart upload-status - "Uploaded", or why a photo was not.
 * @csspart remove-photo - A chosen photo's Remove button (also `button`).
 * @csspart photos - An update's photos (a list of thumbnails).
 * @csspart photo-button - A thumbnail's button, which opens the viewer.
 * @csspart photo - A thumbnail image.
 * @csspart viewer - The photo viewer (a modal `<dialog>`).
 * @csspart viewer-image - The photo in the viewer.
 * @csspart viewer-caption - The photo's alt text, shown under it in the viewer.
 * @csspart viewer-close - The viewer's Close button (also `button`).
 * @csspart viewer-previous - The viewer's Previous button (also `button`).
 * @csspart viewer-next - The viewer's Next button (also `button`).
 *
 * @cssproperty --care-color-primary - Buttons and links.
 * @cssproperty --care-color-on-primary - Text on primary buttons.
 * @cssproperty --care-color-surface - Background.
 * @cssproperty --care-color-text - Text.
 * @cssproperty --care-color-muted - Secondary text.
 * @cssproperty --care-color-border - Borders and separators.
 * @cssproperty --care-color-danger - Errors.
 * @cssproperty --care-color-focus - The focus ring.
 * @cssproperty --care-color-heart - The heart of a hearted update.
 * @cssproperty --care-font-family - Font.
 * @cssproperty --care-font-size - Base font size.
 * @cssproperty --care-radius - Corner radius.
 * @cssproperty --care-space - Padding unit.
 */
export class CareJournalFeed extends CareElement {
  static override styles = [tokens, composerStyles, journalFeedStyles, entrySocialStyles, mediaStyles];
  protected static override renderMarkdown = renderMarkdown;

  static override properties: PropertyDeclarations = {
    editing: { state: true },
    confirming: { state: true },
    loadingOlder: { state: true },
    actionError: { state: true },
    windowTick: { state: true },
  };

  constructor() {
    super();
    this.editing = null;
    this.confirming = null;
    this.loadingOlder = false;
    this.actionError = '';
    this.windowTick = 0;
  }


  declare private editing: string | null;
  declare private confirming: string | null;
  declare private loadingOlder: boolean;
  declare private actionError: string;
  declare private windowTick: number;

  readonly #rows = new RowWindow();
  /** The composer's photos (feature `media`), uploaded as soon as they are chosen. */
  readonly #photos = new MediaDraft(this, (file, progress, signal) => this.care.upload(file, progress, signal));
  readonly #drop = dropHandlers(this.#photos, () => this.care.has('media') && this.care.state.viewer?.can.postJournal === true);
  readonly #viewer = new PhotoViewer(this);
  /** The photos of the update being edited. */
  readonly #mediaEdit = new MediaEdit(this);
  readonly #refreshMedia = (entryId: string) => this.care.refreshMedia(entryId);
  readonly #mediaUrl = (url: string) => this.care.mediaUrl(url);
  /** Hearts and comments under each entry (feature `journal-social`). */
  readonly #social = new EntrySocial(this, {
    t: () => this.t,
    markdown: (key, text) => this.markdown(key, text),
    time: (iso) => this.time(iso),
    reportError: (error) => this.reportError(error),
  });
  readonly #onScroll = () => {
    if (this.care.state.journal.length > WINDOW_AFTER) this.windowTick++;
  };

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('scroll', this.#onScroll, { capture: true, passive: true });
    window.addEventListener('resize', this.#onScroll, { passive: true });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('scroll', this.#onScroll, { capture: true });
    window.removeEventListener('resize', this.#onScroll);
  }

  protected override readonly postKind = 'journal' as const;
  protected override readonly alsoPosts = ['comment'] as const;

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const journal = this.care.state.journal;
    this.announcer.newItems(journal, this.t.newUpdates, { items: this.#social.comments(journal), say: this.t.newComments });
    this.reportRefusals('journal', 'comment');
    this.#social.willUpdate();
    this.#mediaEdit.editing(this.editing);
  }

  protected override updated(): void {
    this.#social.updated();
    if (this.care.state.journal.length <= WINDOW_AFTER) return;
    const articles = this.renderRoot.querySelectorAll<HTMLElement>('article[data-id]');
    if (this.#rows.measure([...articles].map((a) => [a.dataset.id!, a.offsetHeight]))) this.windowTick++;
  }

  protected override render(): TemplateResult {
    const t = this.t;
    return html`<section class="root" part="base" dir=${this.direction} aria-labelledby="heading">
      <h2 id="heading" part="heading">${t.journal}</h2>
      ${this.notices.invite()} ${this.notices.offline()} ${this.notices.status()} ${this.care.state.status === 'locked' ? this.notices.locked() : nothing}
      ${this.care.state.status === 'ready' ? this.#renderContent() : nothing} ${this.announcer.region()}
      ${this.#viewer.render(this.care.state.journal, t, this.direction, this.#mediaUrl, this.#refreshMedia)}
    </section>`;
  }

  #renderContent(): TemplateResult {
    const { viewer, journal, journalHasMore } = this.care.state;
    const t = this.t;
    const pending = this.care.pending('journal');
    return html`
      ${viewer?.can.postJournal ? this.#renderComposer() : nothing}
      ${this.actionError ? html`<p class="error-text" role="alert">${this.actionError}</p>` : nothing}
      ${pending.map((p) => this.#renderPending(p))} ${this.#social.orphans(journal)}
      ${journal.length === 0 && pending.length === 0 ? html`<p class="muted">${t.journalEmpty}</p>` : nothing}
      ${journal.length > 0 ? this.#renderFeed(journal, journalHasMore) : nothing}
      ${journalHasMore
        ? html`<div class="more"><button part="button" ?disabled=${this.loadingOlder} @click=${this.#loadOlder}>${this.loadingOlder ? t.loading : t.loadOlder}</button></div>`
        : nothing}
    `;
  }

  #renderFeed(journal: readonly JournalEntry[], hasMore: boolean): TemplateResult {
    // First, so `progressive.busy` is this render's: the feed is busy while entries are still to come.
    const entries = this.#renderEntries(journal, hasMore);
    return html`<div role="feed" part="feed" aria-label=${this.t.journal} aria-busy=${this.loadingOlder || this.progressive.busy} @keydown=${this.#onFeedKey}>
      ${entries}
    </div>`;
  }

  #renderEntries(journal: readonly JournalEntry[], hasMore: boolean): unknown {
    const setSize = hasMore ? -1 : journal.length;
    if (journal.length <= WINDOW_AFTER) {
      // The first screen first: entries from the top while this task's budget lasts, then the rest in later tasks.
      const shown = this.progressive.count(journal.length, (i) => this.#body(journal[i]!));
      return repeat(journal.slice(0, shown), (e) => e.id, (e, i) => this.#renderEntry(e, i, setSize));
    }
    void this.windowTick;
    const feed = this.renderRoot.querySelector('[role=feed]');
    const top = feed ? feed.getBoundingClientRect().top : 0;
    const { start, end, before, after } = this.#rows.slice(
      journal.map((e) => e.id),
      top,
      window.innerHeight,
    );
    // A property binding sets the style through CSSOM, which a strict style-src CSP allows.
    return html`<div .style=${`height:${before}px`} aria-hidden="true"></div>
      ${repeat(journal.slice(start, end), (e) => e.id, (e, i) => this.#renderEntry(e, start + i, setSize))}
      <div .style=${`height:${after}px`} aria-hidden="true"></div>`;
  }

  #renderEntry(e: JournalEntry, index: number, setSize: number): TemplateResult {
    const t = this.t;
    const can = this.care.state.viewer?.can;
    const titleId = `t-${e.id}`;
    if (this.editing === e.id) return this.#renderEditor(e);
    return html`<article part="entry" data-id=${e.id} tabindex="0" aria-labelledby=${titleId} aria-posinset=${index + 1} aria-setsize=${setSize}>
      <h3 id=${titleId} part="entry-title" dir="auto">${e.title}</h3>
      <p class="meta muted" part="entry-meta">
        ${t.byAuthor(e.author.name)} · ${this.time(e.createdAt)}${e.editedAt ? html` · <span>${t.edited}</span>` : nothing}
      </p>
      <div part="entry-body">${this.#body(e)}</div>
      ${e.media?.length ? renderGallery(e, e.media, t, this.#mediaUrl, (i, trigger) => this.#viewer.show(e.id, i, trigger), () => this.#refreshMedia(e.id)) : nothing}
      ${can?.postJournal || can?.moderate
        ? html`<div class="row actions" role="group" aria-label=${t.entryActions(e.title)}>
            ${can.postJournal ? html`<button part="button" @click=${() => (this.editing = e.id)}>${t.edit}</button>` : nothing}
            ${this.confirming === e.id
              ? html`<span role="alert">${t.confirmDelete}</span>
                  <button part="button" class="primary" @click=${() => this.#deleteEntry(e.id)}>${t.delete}</button>
                  <button part="button" @click=${() => (this.confirming = null)}>${t.cancel}</button>`
              : html`<button part="button" @click=${() => (this.confirming = e.id)}>${t.delete}</button>`}
          </div>`
        : nothing}
      ${this.#social.render(e, this.care.state.viewer)}
    </article>`;
  }

  /** The entry's sanitized Markdown, cached per version. */
  #body(e: JournalEntry): Element {
    return this.markdown(`${e.id}:${e.editedAt ?? ''}`, e.body);
  }

  #renderComposer(): TemplateResult {
    const t = this.t;
    const photos = this.care.has('media');
    const waiting = this.#photos.waiting;
    return html`<form part="composer" aria-label=${t.composeJournal} novalidate @submit=${this.#submitNew} @input=${clearValidity} @keydown=${this.#submitOnCtrlEnter} @dragover=${this.#drop.over} @dragleave=${this.#drop.leave} @drop=${this.#drop.drop}>
      <label for="new-title">${t.title}</label>
      <input id="new-title" name="title" maxlength=${LIMITS.titleMax} required autocomplete="off" />
      <label for="new-body">${t.body}</label>
      <textarea id="new-body" name="body" maxlength=${LIMITS.journalBodyMax} required></textarea>
      ${photos ? renderPhotoPicker(this.#photos, t) : nothing}
      <div class="row end">
        ${photos ? html`<span class="muted" role="status">${waiting ? t.waitingForPhotos : ''}</span>` : nothing}
        <button part="button" class="primary" type="submit" ?disabled=${waiting}>${t.post}</button>
      </div>
    </form>`;
  }

  #renderEditor(e: JournalEntry): TemplateResult {
    const t = this.t;
    return html`<article part="entry" data-id=${e.id}>
      <form aria-label=${t.edit} novalidate @submit=${(ev: SubmitEvent) => this.#submitEdit(ev, e.id)} @input=${clearValidity} @keydown=${this.#submitOnCtrlEnter}>
        <label for="edit-title">${t.title}</label>
        <input id="edit-title" name="title" .value=${e.title} maxlength=${LIMITS.titleMax} required />
        <label for="edit-body">${t.body}</label>
        <textarea id="edit-body" name="body" .value=${e.body} maxlength=${LIMITS.journalBodyMax} required></textarea>
        ${this.#mediaEdit.render(e, t, this.#mediaUrl)}
        <div class="row end">
          <button part="button" type="button" @click=${() => (this.editing = null)}>${t.cancel}</button>
          <button part="button" class="primary" type="submit">${t.save}</button>
        </div>
      </form>
    </article>`;
  }

  #renderPending(p: OutboxEntry): TemplateResult {
    const t = this.t;
    return html`<article part="entry" class="pending" aria-busy=${p.state !== 'failed'}>
      <h3 part="entry-title" dir="auto">${p.title}</h3>
      <p class="meta" part="entry-meta">
        ${p.state === 'failed' ? html`<span class="error-text">${t.notSent(p.error?.message ?? '')}</span>` : html`<span class="muted">${t.sending}</span>`}${p.media?.length ? html` · <span class="muted">${t.photoCount(p.media.length)}</span>` : nothing}
      </p>
      <div part="entry-body" class="body" dir="auto">${p.body}</div>
      ${p.state === 'failed'
        ? html`<div class="row actions">
            <button part="button" @click=${() => this.care.retry(p.clientId)}>${t.tryAgain}</button>
            <button part="button" @click=${() => this.care.discard(p.clientId)}>${t.discard}</button>
          </div>`
        : nothing}
    </article>`;
  }

  /* ---------------------------------------------------------------------------- actions */

  #submitOnCtrlEnter = (ev: KeyboardEvent) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      (ev.currentTarget as HTMLFormElement).requestSubmit();
    }
  };

  #submitNew = async (ev: SubmitEvent) => {
    ev.preventDefault();
    const form = ev.currentTarget as HTMLFormElement;
    if (this.#photos.waiting || !reportValidity(form, this.t)) return;
    // Photos still uploading are waited for; one that failed keeps the update here.
    const media = this.#photos.photos.length ? await this.#photos.refs() : [];
    if (media === null) {
      this.actionError = this.t.photosNotReady;
      return;
    }
    const data = new FormData(form);
    const title = String(data.get('title') ?? '').trim();
    const body = String(data.get('body') ?? '');
    if (!title || !body.trim()) return;
    if (this.care.post('journal', media.length ? { title, body, media } : { title, body })) {
      form.reset();
      this.#photos.clear();
      this.actionError = '';
    }
  };

  async #submitEdit(ev: SubmitEvent, entryId: string): Promise<void> {
    ev.preventDefault();
    const form = ev.currentTarget as HTMLFormElement;
    if (!reportValidity(form, this.t)) return;
    const data = new FormData(form);
    const entry = this.care.state.journal.find((x) => x.id === entryId);
    const media = entry && this.#mediaEdit.refs(entry, data);
    const res = await this.care.call('journal:edit', { entryId, title: String(data.get('title') ?? ''), body: String(data.get('body') ?? ''), ...(media ? { media } : {}) });
    if (res?.ok) this.editing = null;
    else if (res) this.#fail(res.error);
  }

  async #deleteEntry(entryId: string): Promise<void> {
    this.confirming = null;
    const res = await this.care.call('journal:delete', { entryId });
    if (res && !res.ok) this.#fail(res.error);
  }

  #fail(error: { code: string; message: string }): void {
    this.actionError = this.t.error(error.message);
    this.reportError(error as Parameters<CareElement['reportError']>[0]);
  }

  #loadOlder = async () => {
    this.loadingOlder = true;
    const res = await this.care.loadOlder('journal');
    this.loadingOlder = false;
    if (res && !res.ok) this.#fail(res.error);
  };

  /** The feed pattern's keys: Page Down / Page Up move between articles. */
  #onFeedKey = (ev: KeyboardEvent) => {
    if (ev.key !== 'PageDown' && ev.key !== 'PageUp') return;
    const articles = [...this.renderRoot.querySelectorAll<HTMLElement>('[role=feed] article[tabindex]')];
    const at = articles.findIndex((a) => a === this.shadowRoot?.activeElement || a.contains(this.shadowRoot?.activeElement ?? null));
    const next = articles[at + (ev.key === 'PageDown' ? 1 : -1)];
    if (next) {
      ev.preventDefault();
      next.focus();
    }
  };
}
