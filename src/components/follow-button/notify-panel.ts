import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import type { NotifyChange } from '../../client/notify-store.js';
import type { PageController } from '../../client/page-controller.js';
import { pushAdapter } from '../../client/push-adapter.js';
import type { Strings } from '../../i18n/index.js';
import type { CareError, EmailMode, NotifyPrefs, Viewer } from '../../protocol/index.js';

/** What the panel needs of the follow button. */
export interface NotifyPanelHost extends ReactiveControllerHost, HTMLElement {
  readonly care: PageController;
}

const EMAIL_MODES: readonly EmailMode[] = ['instant', 'daily', 'off'];

/**
 * The follow button's notification choices (SPEC 6.2, feature `notify`): a "Notifications"
 * disclosure next to the button, shown only to those who may choose (followers, owners and
 * co-authors) on a backend that announces `notify`, and a small panel: email each update /
 * a daily digest / no emails (or a note when the backend cannot email this visitor), browser
 * notifications on this device (when the backend has Web Push and the site serves the worker),
 * and owners' own choices. Each change is saved at once; the outcome is said in the widget's
 * live region and shown in the panel. The panel opens by itself right after following, with
 * focus in it; Escape (or Close) closes it and puts focus back where it was.
 */
export class NotifyPanel implements ReactiveController {
  #open = false;
  /** Move focus into the panel at the next render (it just opened). */
  #focusIn = false;
  /** Where focus goes when the panel closes: the part that opened it. */
  #returnTo: 'button' | 'notify-button' = 'notify-button';
  /** Put focus back at the next render (the panel just closed). */
  #focusBack = false;
  /** The last change's outcome, shown in the panel until the next change. */
  #outcome: string | null = null;

  constructor(
    private readonly host: NotifyPanelHost,
    private readonly strings: () => Strings,
    private readonly say: (text: string) => void,
    private readonly reportError: (error: CareError) => void,
  ) {
    host.addController(this);
  }

  /** Whether this viewer may choose on this backend (and the page has loaded). */
  #shown(viewer: Viewer | null): boolean {
    const care = this.host.care;
    if (!viewer || viewer.userId === null || !care.has('notify') || care.state.status !== 'ready') return false;
    return viewer.follow === 'following' || viewer.role === 'owner' || viewer.role === 'editor';
  }

  hostUpdate(): void {
    const shown = this.#shown(this.host.care.state.viewer);
    // Fetched while the disclosure shows, so the panel opens on what is stored.
    this.host.care.wantNotify(shown);
    if (!shown && this.#open) {
      this.#open = false;
      this.#outcome = null;
    }
  }

  hostUpdated(): void {
    const root = this.host.shadowRoot;
    if (this.#focusIn && this.#open) {
      const panel = root?.querySelector<HTMLElement>('#notify-panel');
      if (panel) {
        this.#focusIn = false;
        panel.focus();
      }
    }
    if (this.#focusBack) {
      this.#focusBack = false;
      (root?.querySelector<HTMLElement>(`[part~="${this.#returnTo}"]`) ?? root?.querySelector<HTMLElement>('[part~="notify-button"]'))?.focus();
    }
  }

  /** Right after following succeeded: the choice is offered at once (SPEC 6.2). */
  openAfterFollow(): void {
    if (!this.host.care.has('notify')) return;
    this.#show('button');
  }

  #show(from: 'button' | 'notify-button'): void {
    this.#open = true;
    this.#focusIn = true;
    this.#returnTo = from;
    this.#outcome = null;
    this.host.requestUpdate();
  }

  #close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#focusBack = true;
    this.host.requestUpdate();
  }

  /** The disclosure button, for the bar next to the follow button. */
  toggle(viewer: Viewer | null): TemplateResult | typeof nothing {
    if (!this.#shown(viewer)) return nothing;
    return html`<button
      type="button"
      class="notify-toggle"
      part="notify-button"
      aria-expanded=${this.#open ? 'true' : 'false'}
      aria-controls="notify-panel"
      @click=${() => (this.#open ? this.#close() : this.#show('notify-button'))}
    >
      ${this.strings().notifications}
    </button>`;
  }

  /** The panel, when open. */
  panel(viewer: Viewer | null): TemplateResult | typeof nothing {
    if (!this.#open || !this.#shown(viewer)) return nothing;
    const t = this.strings();
    const state = this.host.care.notify;
    const prefs = state.prefs;
    let body: TemplateResult;
    if (prefs) body = this.#choices(prefs, state.saving > 0);
    else if (state.status === 'error' && state.error) body = html`<p class="error-text" part="notify-status">${t.error(state.error.message)}</p>`;
    else body = html`<p class="info" part="notify-status">${t.loading}</p>`;
    return html`<div
      id="notify-panel"
      class="notify"
      part="notify-panel"
      role="group"
      aria-labelledby="notify-title"
      tabindex="-1"
      @keydown=${(e: KeyboardEvent) => {
        if (e.key !== 'Escape') return;
        e.stopPropagation();
        this.#close();
      }}
    >
      <p class="notify-title" id="notify-title">${t.notifyTitle}</p>
      ${body}
      <p class="hint" part="notify-note">${t.notifyPrivacy}</p>
      <div class="notify-end">
        ${this.#outcome ? html`<span class="notify-status" part="notify-status">${this.#outcome}</span>` : nothing}
        <button type="button" part="notify-close" @click=${() => this.#close()}>${t.close}</button>
      </div>
    </div>`;
  }

  #choices(prefs: NotifyPrefs, saving: boolean): TemplateResult {
    const t = this.strings();
    const label: Record<EmailMode, string> = { instant: t.notifyEmailInstant, daily: t.notifyEmailDaily, off: t.notifyEmailOff };
    const push = pushAdapter();
    const canPush = prefs.available.push && prefs.vapidPublicKey !== undefined && push.supported();
    const owner = prefs.owner;
    return html`${prefs.available.email
        ? html`<div class="choices" part="notify-email" role="radiogroup" aria-labelledby="notify-title" aria-busy=${saving ? 'true' : 'false'}>
            ${EMAIL_MODES.map(
              (mode) => html`<label class="choice" part="notify-option">
                <input type="radio" name="notify-email" value=${mode} .checked=${live(prefs.email === mode)} @change=${() => void this.#save({ email: mode })} />
                <span>${label[mode]}</span>
              </label>`,
            )}
          </div>`
        : html`<p class="info notice" part="notice notify-note">${t.notifyEmailUnavailable}</p>`}
      ${canPush
        ? html`<label class="choice" part="notify-option">
            <input type="checkbox" name="notify-push" .checked=${live(prefs.push)} @change=${(e: Event) => void this.#push((e.target as HTMLInputElement).checked, prefs.vapidPublicKey!)} />
            <span>${t.notifyPush}</span>
          </label>`
        : nothing}
      ${owner && prefs.available.email
        ? html`<div class="choices" part="notify-owner" role="group" aria-labelledby="notify-owner-title">
            <p class="notify-subtitle" id="notify-owner-title">${t.notifyOwnerTitle}</p>
            <label class="choice" part="notify-option">
              <input type="checkbox" name="notify-requests" .checked=${live(owner.requests === 'instant')} @change=${(e: Event) => void this.#save({ owner: { requests: (e.target as HTMLInputElement).checked ? 'instant' : 'off' } })} />
              <span>${t.notifyOwnerRequests}</span>
            </label>
            <label class="choice" part="notify-option">
              <input type="checkbox" name="notify-messages" .checked=${live(owner.messages === 'daily')} @change=${(e: Event) => void this.#save({ owner: { messages: (e.target as HTMLInputElement).checked ? 'daily' : 'off' } })} />
              <span>${t.notifyOwnerMessages}</span>
            </label>
          </div>`
        : nothing}`;
  }

  /** Saves at once and says how it went. */
  async #save(change: NotifyChange): Promise<void> {
    this.#outcome = null;
    const res = await this.host.care.setNotify(change);
    this.#said(res.ok ? null : res.error);
  }

  /** Browser notifications: this browser subscribes first (the visitor may refuse), then the choice is saved. */
  async #push(on: boolean, vapidPublicKey: string): Promise<void> {
    if (!on) return this.#save({ push: false });
    const subscription = await pushAdapter()
      .subscribe(vapidPublicKey)
      .catch(() => null);
    if (!subscription) {
      this.host.requestUpdate();
      return this.#said({ code: 'forbidden', message: this.strings().notifyPush });
    }
    const res = await this.host.care.pushSubscription({ subscription });
    if (!res.ok) return this.#said(res.error);
    await this.#save({ push: true });
  }

  #said(error: CareError | null): void {
    const t = this.strings();
    this.#outcome = error ? t.notifyFailed(error.message) : t.notifySaved;
    this.say(this.#outcome);
    if (error) this.reportError(error);
    this.host.requestUpdate();
  }
}
