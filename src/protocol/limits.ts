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
  /** SPEC 6.4, the planner: a task's title and details, its people, a cancellation's note. */
  taskTitleMax: 200,
  taskDetailsMax: 2_000,
  taskSlotsMax: 20,
  cancelNoteMax: 500,
  /** Tasks in a snapshot (`snapshot.tasks`). */
  snapshotTasks: 200,
  /** A repeating task: its occurrences at most, and how far `until` may be from the first date. */
  taskOccurrencesMax: 60,
  taskRepeatDaysMax: 180,
  /** How far ahead a task may be dated (from the hospital's today). */
  taskDaysAheadMax: 730,
} as const;

/** `snapshot.tasks` starts this many days before the hospital's today (the week just past stays visible). */
export const TASK_SNAPSHOT_DAYS_BACK = 7;
