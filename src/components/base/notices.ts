import { html, nothing, type TemplateResult } from 'lit';
import type { PageController } from '../../client/page-controller.js';
import type { Strings } from '../../i18n/index.js';

/**
 * The notices every widget shares, in the widget's language: the states before content
 * (loading, a wrong setting, refused, not found, failed), why a locked page shows nothing,
 * and the offline banner over content that stays readable. Stateless: it reads the page
 * controller's state at render time.
 */
export class Notices {
  constructor(
    private readonly care: PageController,
    private readonly strings: () => Strings,
  ) {}

  /** The state before content, or `nothing` when the widget should render its content. */
  status(): TemplateResult | typeof nothing {
    const t = this.strings();
    const { status, error } = this.care.state;
    const conn = this.care.connectionState;
    // A setting to fix (named in care-error and the console): a plain notice, never "offline".
    if (this.care.problem === 'config') return html`<div class="notice error" role="alert" part="notice">${t.misconfigured}</div>`;
    // A refusal for another protocol version is the site's to fix: do not ask the visitor to sign in.
    if (conn === 'unauthorized') return html`<div class="notice error" role="alert" part="notice">${this.care.problem === 'version' ? t.versionMismatch : t.unauthorized}</div>`;
    if (status === 'not_found') return html`<div class="notice" role="status" part="notice">${t.notFound}</div>`;
    if (status === 'error') {
      return html`<div class="notice error" role="alert" part="notice">
        ${t.error(error?.message ?? '')}
        <button @click=${() => this.care.reload()}>${t.retry}</button>
      </div>`;
    }
    if (status === 'loading') {
      // `loading`: a skeleton the size of the first content holds the space (no layout shift).
      return html`<div class="notice loading" role="status" part="notice">${conn === 'offline' ? t.offline : t.loading}</div>`;
    }
    return nothing;
  }

  /** Why a locked page shows nothing: blocked, members-only and signed out, or private. */
  locked(): TemplateResult {
    const { page, viewer } = this.care.state;
    const t = this.strings();
    const text = viewer?.follow === 'blocked' ? t.blockedNotice : page?.visibility === 'members' && !viewer?.userId ? t.lockedMembers : t.lockedPrivate;
    return html`<div class="notice" role="status" part="notice">${text}</div>`;
  }

  /**
   * The address bar's invitation (client/invite.ts), said by one widget of the page: sign in
   * to accept it, accepted (and as what), or why it no longer works. A refusal the visitor
   * cannot act on (revoked, expired, used up, another page's) is one plain sentence rather
   * than the server's words; anything else says the server's reason.
   */
  invite(): TemplateResult | typeof nothing {
    const invite = this.care.invite;
    const t = this.strings();
    if (!invite || invite.status === 'accepting') return nothing;
    if (invite.status === 'sign-in') return html`<div class="notice" role="status" part="notice invite-notice">${t.inviteSignIn}</div>`;
    if (invite.status === 'accepted') {
      return html`<div class="notice" role="status" part="notice invite-notice">${invite.role === 'editor' ? t.inviteAcceptedEditor : t.inviteAcceptedFollower}</div>`;
    }
    const plain = ['not_found', 'forbidden', 'conflict', 'invalid'].includes(invite.error.code);
    return html`<div class="notice error" role="alert" part="notice invite-notice">${plain ? t.inviteInvalid : t.error(invite.error.message)}</div>`;
  }

  /**
   * A banner while a loaded widget is offline: its content stays readable. The widgets of one
   * connection say it once: the first one bound shows the banner (and its status region
   * announces it), the others a short "Offline" that is not announced again.
   */
  offline(): TemplateResult | typeof nothing {
    const t = this.strings();
    return this.care.connectionState === 'offline' && this.care.state.status !== 'loading'
      ? this.care.leads
        ? html`<div class="notice" role="status" part="notice offline">${t.offline}</div>`
        : html`<div class="notice" part="notice offline">${t.offlineShort}</div>`
      : nothing;
  }
}
