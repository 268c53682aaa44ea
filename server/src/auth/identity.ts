import type { StaffRole } from '../../../src/protocol/index.js';

/** Who is on the other end of a socket or a REST call, as proven by their token. */
export interface Identity {
  userId: string;
  name: string;
  staff: StaffRole | null;
  /** Token expiry, seconds since the epoch. */
  exp: number | null;
  /**
   * The optional `email` claim (SPEC 6.2): where notifications go once the person chooses
   * email. Absent when the token has none or it does not look like an address. Never logged,
   * never sent to other sockets; stored only when they turn email on (notify_users).
   */
  email?: string;
}

/** `null` is an anonymous visitor. */
export type MaybeIdentity = Identity | null;
