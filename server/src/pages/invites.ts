import { randomBytes, randomUUID } from 'node:crypto';
import type { Invite, InviteRole } from '../../../src/protocol/index.js';
import { CareFailure } from '../errors.js';
import type { CareSocket } from '../socket/types.js';
import type { Payload } from '../socket/validation.js';
import type { Actor } from './audit.js';
import type { PageService } from './service.js';

/** Bytes of randomness in a code: 192 bits (SPEC asks ≥ 128), 32 base64url characters. */
export const INVITE_CODE_BYTES = 24;

/** A fresh invitation code: `crypto.randomBytes`, base64url (A-Z a-z 0-9 - _, no padding). */
export function newInviteCode(): string {
  return randomBytes(INVITE_CODE_BYTES).toString('base64url');
}

/**
 * SPEC 6.1, feature `invites`: links that let a named circle in without a request.
 *
 * Codes are stored in clear, because the owner's panel lists them again; they are sent to
 * the page's managers only (the `invite:create` answer and `page:settings`), never logged,
 * and never written to the audit log, where an invitation is named by its random `id`.
 */
export class InviteService {
  constructor(private readonly pages: PageService) {}

  async create(actor: Actor, p: Payload<'invite:create'>): Promise<Invite> {
    const a = await this.pages.access(p.pageId, actor.identity);
    this.pages.require(a, a.viewer.can.manage === true, 'invite people');
    const createdAt = new Date();
    const invite: Invite = {
      code: newInviteCode(),
      role: p.role,
      expiresAt: new Date(createdAt.getTime() + p.expiresInHours * 3_600_000).toISOString(),
      maxUses: p.maxUses,
      uses: 0,
    };
    const id = randomUUID();
    const detail = { role: p.role, expiresAt: invite.expiresAt, maxUses: p.maxUses };
    await this.pages.audit.within(a.page.id, actor, 'invite.create', { target: id, viewer: a.viewer, detail }, () =>
      this.pages.storage.createInvite({ ...invite, id, pageId: a.page.id, createdBy: actor.identity!.userId, createdAt: createdAt.toISOString(), revokedAt: null }),
    );
    this.pages.fanout.settingsChanged(a.page.id);
    return invite;
  }

  /** Revoking a revoked invitation again is a success that changes nothing. */
  async revoke(actor: Actor, p: Payload<'invite:revoke'>): Promise<void> {
    const a = await this.pages.access(p.pageId, actor.identity);
    this.pages.require(a, a.viewer.can.manage === true, 'revoke invitations');
    const r = await this.pages.audit.within(a.page.id, actor, 'invite.revoke', { viewer: a.viewer }, () => this.pages.storage.revokeInvite(a.page.id, p.code, new Date().toISOString()));
    if (!r) throw new CareFailure('not_found', 'This page has no such invitation.');
    if (r.revoked) this.pages.fanout.settingsChanged(a.page.id);
  }

  /**
   * The signed-in visitor joins as the invitation says, without a request. Refused: anonymous
   * visitors (`unauthorized`: sign in first); a code of another page or none at all
   * (`not_found`); a revoked or expired code, and a user blocked on the page (`forbidden`:
   * the block is the patient's decision, an old link must not undo it; unblocking comes
   * first); a used-up code (`conflict`); an owner (`conflict`: nothing to join). A user who
   * already has the role gets `{ok, role}` and uses nothing.
   */
  async accept(socket: CareSocket | null, actor: Actor, p: Payload<'invite:accept'>): Promise<{ role: InviteRole }> {
    const a = await this.pages.access(p.pageId, actor.identity);
    if (!actor.identity) throw new CareFailure('unauthorized', 'Sign in to accept this invitation.');
    const user = { id: actor.identity.userId, name: actor.identity.name };
    const r = await this.pages.audit.within(a.page.id, actor, 'invite.accept', { viewer: a.viewer }, () => this.pages.storage.acceptInvite(a.page.id, p.code, user, new Date().toISOString()));
    if (!r.ok) {
      switch (r.reason) {
        case 'not_found':
          throw new CareFailure('not_found', 'This invitation is not valid for this page.');
        case 'revoked':
          throw new CareFailure('forbidden', 'This invitation was withdrawn by the page owner; ask them for a new one.');
        case 'expired':
          throw new CareFailure('forbidden', `This invitation expired on ${r.expiresAt!.slice(0, 16).replace('T', ' ')} UTC; ask the page owner for a new one.`);
        case 'used_up':
          throw new CareFailure('conflict', 'This invitation has already been used as many times as it allows; ask the page owner for a new one.');
        case 'blocked':
          throw new CareFailure('forbidden', 'You cannot join this page.');
        case 'owner':
          throw new CareFailure('conflict', 'You already run this page.');
      }
    }
    if (!r.changed) return { role: r.role };
    // Every other socket of the user is told to resubscribe with its new rights; this one
    // gets the answer and resubscribes itself.
    await this.pages.resync(a.page.id, [user.id], socket?.id);
    if (r.seq !== null) this.pages.fanout.followCount(a.page.id, r.followerCount, r.seq);
    if (r.followBefore === 'requested') this.pages.fanout.followRequest(a.page.id, { userId: user.id, name: user.name, at: new Date().toISOString() }, 'approved');
    this.pages.fanout.settingsChanged(a.page.id);
    return { role: r.role };
  }
}
