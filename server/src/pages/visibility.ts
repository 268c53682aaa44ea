import type { WallMessage } from '../../../src/protocol/index.js';
import type { WallView } from '../storage/types.js';

/** Whether a viewer sees a wall message: hidden ones only moderators, pending ones also the author. */
export function wallVisible(m: WallMessage, view: WallView): boolean {
  if (view.moderator) return true;
  if (m.hidden) return false;
  if (m.pending) return m.author.id === view.userId;
  return true;
}
