import { englishCount } from '../../i18n/english.js';
import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import type { PageState } from '../../client/page-state.js';
import type { CareError, FollowRequest, FollowState, Viewer } from '../../protocol/index.js';
import { tokens } from '../../styles/tokens.js';
import { CareElement } from '../base/care-element.js';
import { followButtonStyles } from './follow-button.styles.js';
import { NotifyPanel } from './notify-panel.js';

const formats = new Map<string, Intl.DateTimeFormat>();
/** "8 December 2026, 21:00" in the widget's language. */
function dateTime(iso: string, lang: string): string {
  let f = formats.get(lang);
  if (!f) formats.set(lang, (f = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short' })));
  return f.format(new Date(iso));
}

/** What the main button does in the viewer's current state. */
interface ButtonModel {
  label: string;
  /** `aria-pressed` for the follow toggle; absent for plain actions (request, cancel). */
  pressed?: boolean;
  /** Follow (`true`) or stop following / withdraw the request (`false`). */
  follow: boolean;
  primary: boolean;
  /** Declined, within the owner's cool-down: shown, but disabled until then (SPEC 6.1). */
  waiting?: boolean;
}

/**
 * @summary Follow / unfollow a patient's page (or request access to a private one), with the
 * live follower count; page owners also approve or decline pending follow requests here.
 *
 * States, from the viewer's point of view:
 * - signed out: "Sign in to follow", a link to `sign-in-url` when given, else plain text;
 * - public or members page: a "Follow" toggle button (`aria-pressed`), "Following" once pressed;
 * - private page the viewer may not read: "Request access", then "Request sent" with
 *   "Cancel request"; when the owner approves, it turns to "Following" live, without reload;
 *   when the owner declines, a polite declined notice; with a backend of the `settings`
 *   feature, the date from which they may ask again (the owner's cool-down) and "Request
 *   access" disabled until then;
 * - owners and editors: the count only (they cannot follow their own page); owners (and
 *   admins) also get a small panel of pending requests with Approve / Decline, updated live.
 *
 * With a backend of the `notify` feature (SPEC 6.2), followers, owners and co-authors also get
 * a "Notifications" button: a small panel of choices (email each update, a daily digest or no
 * emails; browser notifications on this device where the backend and the site offer them;
 * owners' own: each new follow request, a daily count of new messages), each saved at once.
 * It opens by itself right after following, with focus in it; Escape closes it.
 *
 * @event care-follow-change - `{state, followerCount}` after a follow action succeeded, and
 *   whenever the viewer's follow state or the follower count changes live.
 * @event care-error - `{code, message}` when an action was refused or could not reach the server; once `unsupported_protocol` when the server speaks another protocol version; once `config` when a setting is wrong (a missing `page`, a failing `token-url`, a host never reached), `message` naming it.
 * @event care-connection-change - `{state}` of the shared connection (`connecting`, `online`, `offline` or `unauthorized`), fired once per change by the first widget bound to that connection, so listen on `document` or a common ancestor; every widget's `connectionState` reads the current state.
 *
 * @csspart base - The widget's outer box.
 * @csspart button - The follow / request access / cancel request button.
 * @csspart state - The "Request sent" label next to the cancel button.
 * @csspart count - The follower count text.
 * @csspart sign-in - The "Sign in to follow" link (or text, without `sign-in-url`).
 * @csspart notice - Status notices: loading, offline, declined, blocked, not found, errors.
 * @csspart invite-notice - The notice about an invitation link in the address bar (sign in to accept it, accepted, or no longer valid); also has `notice`.
 * @csspart error - The reason an action failed.
 * @csspart requests - The owner's pending follow requests panel.
 * @csspart request - One pending request in the panel.
 * @csspart approve - A request's Approve button.
 * @csspart decline - A request's Decline button.
 * @csspart notify-button - The "Notifications" button that shows and hides the notification choices (`aria-expanded`).
 * @csspart notify-panel - The panel of notification choices.
 * @csspart notify-email - The group of email choices (each update, a daily digest, no emails).
 * @csspart notify-owner - Owners' and co-authors' choices about their own page.
 * @csspart notify-option - One choice (a radio button or checkbox with its label).
 * @csspart notify-note - A note in the panel: that email is not available, and what notifications never contain.
 * @csspart notify-status - Whether the last change was saved, and the panel's loading text.
 * @csspart notify-close - The panel's Close button.
 *
 * @cssproperty --care-color-primary - The follow button, the sign-in link, and the notification choices' radio buttons and checkboxes.
 * @cssproperty --care-color-on-primary - Text on the follow button.
 * @cssproperty --care-color-surface - The background.
 * @cssproperty --care-color-text - The text.
 * @cssproperty --care-color-muted - The follower count and secondary text.
 * @cssproperty --care-color-border - Borders of buttons, notices, the requests panel and the notifications panel.
 * @cssproperty --care-color-danger - Error text and borders.
 * @cssproperty --care-color-focus - The focus ring.
 * @cssproperty --care-font-family - The font.
 * @cssproperty --care-font-size - The base font size.
 * @cssproperty --care-radius - Corner radius.
 * @cssproperty --care-space - Spacing unit.
 */
export class CareFollowButton extends CareElement {
  static override styles = [tokens, followButtonStyles];

  static override properties: PropertyDeclarations = {
    signInUrl: { attribute: 'sign-in-url', reflect: true },
    busy: { state: true },
    failure: { state: true },
    deciding: { state: true },
  };

  constructor() {
    super();
    this.signInUrl = '';
    this.busy = false;
    this.failure = null;
    this.deciding = new Set();
  }


  /** Where "Sign in to follow" links to for a signed-out visitor; without it the invitation is plain text. */
  declare signInUrl: string;

  /** A follow action is waiting for the server. */
  declare private busy: boolean;
  /** The last action's refusal, shown until the next action. */
  declare private failure: CareError | null;
  /** Requests whose decision is waiting for the server. */
  declare private deciding: ReadonlySet<string>;

  /** Requests decided here and acknowledged; hidden until the live event drops them from the store. */
  readonly #decided = new Set<string>();
  /** What `care-follow-change` last told the page (`null` until the first state arrived). */
  #reported: { state: FollowState; followerCount: number } | null = null;
  /** The viewer's follow state and the pending request ids at the last render, to announce changes. */
  #seenFollow: FollowState | null = null;
  #seenRequests: Set<string> | null = null;
  /** Move focus after a decided request left the list. */
  #refocus = false;
  /** The store the baselines above belong to; a new page (or host, or user) starts afresh. */
  #baselineStore: unknown = null;
  /** The notification choices (SPEC 6.2): the "Notifications" button and its panel. */
  readonly #notify = new NotifyPanel(
    this,
    () => this.t,
    (text) => this.announcer.say(text),
    (error) => this.reportError(error),
  );

  /* -------------------------------------------------------------------------- rendering */

  protected override render(): TemplateResult {
    const s = this.care.state;
    const notice = this.notices.status();
    return html`<div class="root" part="base" dir=${this.direction}>
      ${this.notices.invite()}${notice === nothing ? this.#renderContent(s) : notice}${this.announcer.region()}
    </div>`;
  }

  #renderContent(s: PageState): TemplateResult {
    const viewer = s.viewer;
    const t = this.t;
    return html`<div class="bar">
        ${viewer ? this.#renderAction(viewer, s) : nothing}
        <span class="count" part="count" id="count" tabindex="-1" dir="auto">${t.followers(s.followerCount)}</span>
        ${this.#notify.toggle(viewer)}
      </div>
      ${this.#notify.panel(viewer)}
      ${viewer?.follow === 'declined' && !this.#isMember(viewer) ? html`<p class="info notice" part="notice" id="declined">${this.#declinedText(viewer)}</p>` : nothing}
      ${viewer?.follow === 'blocked' && !this.#isMember(viewer) ? html`<p class="info notice" part="notice">${t.blockedNotice}</p>` : nothing}
      ${this.failure ? html`<p class="error-text" role="alert" part="error">${t.error(this.failure.message)}</p>` : nothing}
      ${this.notices.offline()} ${viewer?.can.decide && s.status === 'ready' ? this.#renderRequests(s.requests) : nothing}`;
  }

  #renderAction(viewer: Viewer, s: PageState): TemplateResult | typeof nothing {
    const t = this.t;
    if (viewer.userId === null) {
      const href = this.#safeSignInUrl();
      return href
        ? html`<a class="sign-in" part="sign-in" href=${href}>${t.signInToFollow}</a>`
        : html`<span class="sign-in-text" part="sign-in">${t.signInToFollow}</span>`;
    }
    const model = this.#buttonModel(viewer, s);
    if (!model) return nothing;
    // One template for every state, so the same <button> stays focused across state changes.
    return html`${viewer.follow === 'requested' ? html`<span class="state" part="state">${t.requested}</span>` : nothing}<button
        class=${`follow${model.primary ? ' primary' : ''}${model.waiting ? ' waiting' : ''}`}
        part="button"
        type="button"
        aria-pressed=${model.pressed ?? nothing}
        aria-describedby=${model.waiting ? 'count declined' : 'count'}
        aria-disabled=${this.busy || model.waiting === true}
        @click=${() => !model.waiting && void this.#setFollow(model.follow)}
      >
        ${model.pressed ? html`<span class="check" aria-hidden="true">${'\u2713'}</span>` : nothing}<span>${model.label}</span>
      </button>`;
  }

  #buttonModel(viewer: Viewer, s: PageState): ButtonModel | null {
    const t = this.t;
    // Owners and editors cannot follow their own page; blocked and declined get a notice.
    if (this.#isMember(viewer) || !viewer.can.follow) return null;
    switch (viewer.follow) {
      case 'following':
        return { label: t.following, pressed: true, follow: false, primary: false };
      case 'requested':
        return { label: t.cancelRequest, follow: false, primary: false };
      case 'declined': {
        // A first-wave backend sends no `askAgainAt`: the decline stands, as before.
        if (viewer.askAgainAt === undefined) return null;
        const waiting = viewer.askAgainAt !== null && Date.parse(viewer.askAgainAt) > Date.now();
        return { label: t.requestAccess, follow: true, primary: !waiting, waiting };
      }
      case 'blocked':
        return null;
      case 'none':
        return s.page?.visibility === 'private'
          ? { label: t.requestAccess, follow: true, primary: true }
          : { label: t.follow, pressed: false, follow: true, primary: true };
    }
  }

  #renderRequests(requests: readonly FollowRequest[]): TemplateResult | typeof nothing {
    const t = this.t;
    const shown = requests.filter((r) => !this.#decided.has(r.userId));
    if (shown.length === 0) return nothing;
    return html`<div class="requests" part="requests" role="group" aria-labelledby="requests-title">
      <p class="requests-title" id="requests-title">${t.followRequests} (${englishCount(shown.length, this.language) ?? shown.length.toLocaleString(this.language)})</p>
      <ul>
        ${shown.map((r, i) => {
          const busy = this.deciding.has(r.userId);
          const who = `request-${i}`;
          return html`<li class="request" part="request" data-user=${r.userId}>
            <span class="who" id=${who}><bdi>${r.name}</bdi> ${this.time(r.at)}</span>
            <button type="button" class="primary" part="approve" aria-describedby=${who} aria-disabled=${busy} @click=${() => void this.#decide(r, true)}>${t.approve}</button>
            <button type="button" part="decline" aria-describedby=${who} aria-disabled=${busy} @click=${() => void this.#decide(r, false)}>${t.decline}</button>
          </li>`;
        })}
      </ul>
    </div>`;
  }

  /* ----------------------------------------------------------------------------- actions */

  async #setFollow(follow: boolean): Promise<void> {
    if (this.busy || !this.care.binding) return;
    this.busy = true;
    this.failure = null;
    const res = await this.care.call('follow:set', { follow });
    this.busy = false;
    if (!res.ok) {
      this.#fail(res.error);
      return;
    }
    const r = res as unknown as { state: FollowState; followerCount: number };
    this.#report(r.state, r.followerCount);
    // SPEC 6.2: the choice of notifications is offered right after following.
    if (follow && r.state === 'following') this.#notify.openAfterFollow();
  }

  async #decide(request: FollowRequest, approve: boolean): Promise<void> {
    if (!this.care.binding || this.deciding.has(request.userId)) return;
    const hadFocus = this.shadowRoot?.activeElement?.closest('.request') != null;
    this.deciding = new Set([...this.deciding, request.userId]);
    this.failure = null;
    const res = await this.care.call('follow:decide', { userId: request.userId, approve });
    const rest = new Set(this.deciding);
    rest.delete(request.userId);
    this.deciding = rest;
    if (!res.ok) {
      // `not_found`: already decided elsewhere (another tab, another owner); the live event tidies the list.
      this.#fail(res.error);
      return;
    }
    // Hide it now; the store drops it when the server's `follow:request` event arrives.
    if (this.care.state.requests.some((r) => r.userId === request.userId)) this.#decided.add(request.userId);
    this.#refocus = hadFocus;
    this.requestUpdate();
  }

  #fail(error: CareError): void {
    this.failure = error;
    this.reportError(error);
  }

  /* ----------------------------------------------------------------------- live changes */

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (this.care.binding !== this.#baselineStore) {
      this.#baselineStore = this.care.binding;
      this.#reported = null;
      this.#seenFollow = null;
      this.#seenRequests = null;
      this.#decided.clear();
      this.failure = null;
    }
    const ids = new Set(this.care.state.requests.map((r) => r.userId));
    for (const id of this.#decided) if (!ids.has(id)) this.#decided.delete(id);
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const s = this.care.state;
    const viewer = s.viewer;
    if (!viewer || (s.status !== 'ready' && s.status !== 'locked')) return;
    const said: string[] = [];

    if (this.#seenFollow !== null && this.#seenFollow !== viewer.follow) said.push(this.#followAnnouncement(this.#seenFollow, viewer.follow, s.followerCount));
    this.#seenFollow = viewer.follow;

    const ids = new Set(s.requests.map((r) => r.userId));
    if (this.#seenRequests !== null && viewer.can.decide) {
      const fresh = s.requests.filter((r) => !this.#seenRequests!.has(r.userId));
      if (fresh.length > 0) said.push(`${this.t.followRequests}: ${fresh.map((r) => r.name).join(', ')}`);
    }
    this.#seenRequests = ids;

    if (said.length > 0) this.announcer.say(said.join('. '));
    // While our own follow call is in flight, its live count event may arrive before the
    // acknowledgement; the answer then reports state and count together, once.
    if (!this.busy) this.#report(viewer.follow, s.followerCount, this.#reported === null);

    if (this.#refocus) {
      this.#refocus = false;
      const next = this.shadowRoot?.querySelector<HTMLElement>('.request button') ?? this.shadowRoot?.querySelector<HTMLElement>('#count');
      next?.focus();
    }
  }

  #followAnnouncement(before: FollowState, follow: FollowState, count: number): string {
    const t = this.t;
    switch (follow) {
      case 'following':
        return `${t.following}. ${t.followers(count)}`;
      case 'requested':
        return t.requested;
      case 'declined':
        return t.declinedNotice;
      case 'blocked':
        return t.blockedNotice;
      case 'none':
        return before === 'requested' ? t.requestAccess : t.followers(count);
    }
  }

  /** Fires `care-follow-change` when the state or count differs from what the page was last told. */
  #report(state: FollowState, followerCount: number, silently = false): void {
    const last = this.#reported;
    if (last && last.state === state && last.followerCount === followerCount) return;
    this.#reported = { state, followerCount };
    if (!silently) this.emit('care-follow-change', { state, followerCount });
  }

  /* ----------------------------------------------------------------------------- helpers */

  /**
   * Why a declined visitor sees what they see: with the settings feature, when they may ask
   * again (the owner's cool-down, a date in their language) or that they may now. The widget's
   * minute clock re-renders it, so the button comes alive when the cool-down ends.
   */
  #declinedText(viewer: Viewer): string {
    const t = this.t;
    const at = viewer.askAgainAt;
    if (at === undefined) return t.declinedNotice;
    if (at === null || Date.parse(at) <= Date.now()) return t.askAgainNow;
    return t.askAgainFrom(dateTime(at, this.language));
  }

  #isMember(viewer: Viewer): boolean {
    return viewer.role === 'owner' || viewer.role === 'editor';
  }

  /** The sign-in link, only for http(s) URLs (never `javascript:` and the like). */
  #safeSignInUrl(): string | null {
    if (!this.signInUrl) return null;
    try {
      const url = new URL(this.signInUrl, document.baseURI);
      return url.protocol === 'http:' || url.protocol === 'https:' ? this.signInUrl : null;
    } catch {
      return null;
    }
  }
}
