import type { StaffRole } from '../../../src/protocol/index.js';

/** Who is on the other end of a socket or a REST call, as proven by their token. */
export interface Identity {
  userId: string;
  name: string;
  staff: StaffRole | null;
  /** Token expiry, seconds since the epoch. */
  exp: number | null;
}

/** `null` is an anonymous visitor. */
export type MaybeIdentity = Identity | null;
