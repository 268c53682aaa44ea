/** Content limits of SPEC section 4, shared so the composer's counter and the server agree. */
export const LIMITS = {
  titleMax: 200,
  journalBodyMax: 20_000,
  wallBodyMax: 2_000,
  /** A `clientId` is an opaque idempotency key chosen by the client (a UUID in ours). */
  clientIdMax: 64,
  idMax: 128,
  historyLimitMax: 100,
  /** How many items of each stream a snapshot carries before "load older" paging. */
  snapshotJournal: 20,
  snapshotWall: 30,
} as const;
