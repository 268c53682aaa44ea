import type { StaffRole } from '../../../src/protocol/index.js';

/** The demo's cast. Any other user id also gets a token, named after its id. */
export const DEMO_USERS: Record<string, { name: string; staff?: StaffRole }> = {
  jane: { name: 'Jane Doe' },
  sam: { name: 'Sam Doe' },
  friend: { name: 'Frankie Friend' },
  visitor: { name: 'Val Visitor' },
  alex: { name: 'Alex Rivera' },
  moderator: { name: 'Morgan (Moderator)', staff: 'moderator' },
  admin: { name: 'Ada (Admin)', staff: 'admin' },
};
