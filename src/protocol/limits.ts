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
  /** SPEC 6.3: a comment's body, and how many of an entry's last comments come with it. */
  commentBodyMax: 2_000,
  snapshotComments: 3,
  /** SPEC 6.3: photos per journal entry, and an alt text's length. */
  mediaPerEntry: 6,
  altMax: 300,
} as const;
