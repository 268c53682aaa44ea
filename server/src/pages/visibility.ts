import type { WallMessage } from '../../../src/protocol/index.js';
import type { WallView } from '../storage/types.js';

/**
 * Whether a viewer (who may read the page) sees a wall message, or a comment on a journal
 * entry (SPEC 6.3: comments follow the wall's rules): hidden and pending ones only
 * moderators and their author, who sees their own message marked (issue 11: a hidden message
 * must not vanish for its author without a word). Everyone else never sees it at all.
 */
export function wallVisible(m: Pick<WallMessage, 'hidden' | 'pending' | 'author'>, view: WallView): boolean {
  return view.moderator || !(m.hidden || m.pending) || m.author.id === view.userId;
}
