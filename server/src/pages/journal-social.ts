import type { HistoryAnswer, JournalComment } from '../../../src/protocol/index.js';
import { CareFailure } from '../errors.js';
import type { Payload } from '../socket/validation.js';
import type { Actor } from './audit.js';
import type { Access, PageService } from './service.js';
import { wallVisible } from './visibility.js';

/**
 * SPEC 6.3, feature `journal-social`: hearts and comments on journal entries. Each call
 * follows the page service's one path (access, check, storage change with its audit row,
 * fan-out), and comments follow the wall's rules: who may write (`can.postWall`), the page's
 * pre-moderation, hiding and approving by moderators, deletion by their author or a
 * moderator, and the held ones (hidden, pending) seen only by moderators and their author.
 */
export class JournalSocialService {
  constructor(private readonly pages: PageService) {}

  private get storage() {
    return this.pages.storage;
  }

  async heart(actor: Actor, p: Payload<'journal:heart'>): Promise<{ hearts: number; on: boolean }> {
    const a = await this.pages.access(p.pageId, actor.identity);
    this.pages.require(a, a.viewer.can.read && a.viewer.userId !== null, 'send hearts');
    const r = await this.pages.audit.within(a.page.id, actor, p.on ? 'journal.heart' : 'journal.unheart', { target: p.entryId, viewer: a.viewer }, () =>
      this.storage.setJournalHeart(a.page.id, p.entryId, a.viewer.userId!, p.on),
    );
    if (!r) throw new CareFailure('not_found', 'No such journal entry.');
    if (r.seq !== null) this.pages.fanout.journalHearts(a.page.id, p.entryId, r.hearts, a.viewer.userId!, p.on, r.seq);
    return { hearts: r.hearts, on: p.on };
  }

  async comment(actor: Actor, p: Payload<'journal:comment'>): Promise<JournalComment> {
    const a = await this.pages.access(p.pageId, actor.identity);
    this.pages.require(a, a.viewer.can.postWall, 'comment on journal updates');
    const identity = actor.identity!;
    const pending = a.page.wallModeration === 'pre' && !a.viewer.can.moderate;
    const detail = { entryId: p.entryId, ...(pending ? { pending } : {}) };
    const { comment, seq, created } = await this.pages.audit.within(a.page.id, actor, 'comment.post', { viewer: a.viewer, detail }, () =>
      this.storage.postComment(a.page.id, p.entryId, { id: identity.userId, name: identity.name }, p.clientId, p.body, pending),
    );
    if (created) await this.fanOut(comment, seq);
    return comment;
  }

  async hide(actor: Actor, p: Payload<'journal:comment-hide'>): Promise<JournalComment> {
    const a = await this.pages.access(p.pageId, actor.identity);
    this.pages.require(a, a.viewer.can.moderate, 'moderate comments');
    const r = await this.pages.audit.within(a.page.id, actor, p.hidden ? 'comment.hide' : 'comment.unhide', { target: p.commentId, viewer: a.viewer }, () =>
      this.storage.setCommentFlags(a.page.id, p.commentId, { hidden: p.hidden }),
    );
    if (!r) throw new CareFailure('not_found', 'No such comment.');
    await this.fanOut(r.value, r.seq);
    return r.value;
  }

  /** Releases a comment held by pre-moderation to every reader, under the page's next `seq` (as `wall:approve`). */
  async approve(actor: Actor, p: Payload<'journal:comment-approve'>): Promise<JournalComment> {
    const a = await this.pages.access(p.pageId, actor.identity);
    this.pages.require(a, a.viewer.can.moderate, 'moderate comments');
    const held = await this.storage.getComment(a.page.id, p.commentId);
    if (!held || !held.pending) throw new CareFailure('not_found', 'No comment waiting for approval.');
    const r = await this.pages.audit.within(a.page.id, actor, 'comment.approve', { target: p.commentId, viewer: a.viewer }, () =>
      this.storage.setCommentFlags(a.page.id, p.commentId, { pending: false }),
    );
    if (!r) throw new CareFailure('not_found', 'No comment waiting for approval.');
    await this.fanOut(r.value, r.seq);
    return r.value;
  }

  /** Its author (while they may read the page) or a moderator. */
  async delete(actor: Actor, p: Payload<'journal:comment-delete'>): Promise<void> {
    const a = await this.pages.access(p.pageId, actor.identity);
    const comment = await this.storage.getComment(a.page.id, p.commentId);
    const own = comment !== null && comment.author.id === a.viewer.userId && a.viewer.can.read;
    this.pages.require(a, a.viewer.can.moderate || own, 'delete this comment');
    if (!comment || (!a.viewer.can.moderate && !wallVisible(comment, this.pages.wallView(a)))) throw new CareFailure('not_found', 'No such comment.');
    const r = await this.pages.audit.within(a.page.id, actor, 'comment.delete', { target: p.commentId, viewer: a.viewer }, () => this.storage.deleteComment(a.page.id, p.commentId));
    if (!r) throw new CareFailure('not_found', 'No such comment.');
    this.pages.fanout.journalCommentRemoved(a.page.id, r.entryId, p.commentId, r.seq, await this.storage.commentCounts(a.page.id, r.entryId));
  }

  /** `history:load {stream: 'comments', entryId}`: the comments before `before` this viewer may see, oldest first. */
  async history(a: Access, p: Payload<'history:load'> & { entryId: string }): Promise<HistoryAnswer> {
    const entry = await this.storage.getJournal(a.page.id, p.entryId);
    if (!entry) throw new CareFailure('not_found', 'No such journal entry.');
    const page = await this.storage.commentPage(a.page.id, p.entryId, p.before, p.limit, this.pages.wallView(a));
    return { stream: 'comments', entryId: p.entryId, items: page.items, hasMore: page.hasMore };
  }

  /**
   * The entry's counts are read after the change committed: a later change's event carries
   * counts at least as new, so a client that applies events in `seq` order ends right.
   */
  private async fanOut(comment: JournalComment, seq: number): Promise<void> {
    this.pages.fanout.journalComment(comment, seq, await this.storage.commentCounts(comment.pageId, comment.entryId));
  }
}
