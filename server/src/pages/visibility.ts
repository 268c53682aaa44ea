import type { WallMessage } from '../../../src/protocol/index.js';
import type { WallView } from '../storage/types.js';

/**
 * Whether a viewer (who may read the page) sees a wall message: hidden and pending ones only
 * moderators and their author, who sees their own message marked (issue 11: a hidden message
 * must not vanish for its author without a word). Everyone else never sees it at all.
 */
export function wallVisible(m: WallMessage, view: WallView): boolean {
  return view.moderator || !(m.hidden || m.pending) || m.author.id === view.userId;
}
