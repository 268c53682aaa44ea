/**
 * A string with one `{}` where a value goes (a name, a title, a server's reason). The type
 * makes a translation that forgets the placeholder a compile error.
 */
export type Template = `${string}{}${string}`;

/**
 * A count's wording per `Intl.PluralRules` category of the language (`one`, `few`, …), with
 * `{n}` where the formatted number goes. `other` is required; Arabic uses all six forms.
 */
export type Plural = { [K in Intl.LDMLPluralRule]?: string } & { other: string };

/**
 * Every string the widgets show, as data: a locale table is plain JSON-able values, so the
 * script-tag bundle can fetch one as JSON. Typed so a missing or misshapen translation is a
 * compile error (`satisfies Messages`).
 */
export interface Messages {
  loading: string;
  offline: string;
  /** The offline notice of every widget but the first on a connection (which shows `offline`). */
  offlineShort: string;
  unauthorized: string;
  /** The server speaks another protocol version: the site, not the visitor, must act. */
  versionMismatch: string;
  /** A setting of the site is wrong (care-error `config`): the site, not the visitor, must act. */
  misconfigured: string;
  notFound: string;
  error: Template;
  retry: string;
  lockedPrivate: string;
  lockedMembers: string;
  declinedNotice: string;
  blockedNotice: string;
  /**
   * The script-tag bundle's stand-in notice when the host's CSP refuses Lit's Trusted Types
   * policy (scripts/blocked-by-csp.mjs reads it from every table at build time).
   */
  cspBlocked: string;
  /** Form validation, in the widget's language rather than the browser's. */
  fieldRequired: string;
  fieldTooLong: Plural;

  journal: string;
  journalEmpty: string;
  composeJournal: string;
  title: string;
  body: string;
  post: string;
  sending: string;
  notSent: Template;
  tryAgain: string;
  discard: string;
  edit: string;
  save: string;
  cancel: string;
  delete: string;
  confirmDelete: string;
  edited: string;
  loadOlder: string;
  byAuthor: Template;
  newUpdates: Plural;
  entryActions: Template;

  /** Feature `journal-social` (SPEC 6.3): hearts and comments under journal entries. */
  heartEntry: Template;
  commentsOn: Template;
  commentCount: Plural;
  /** Opens the comment composer of an entry. */
  comment: string;
  yourComment: string;
  showAllComments: Plural;
  showFewerComments: string;
  commentsClosed: string;
  closeComments: string;
  openComments: string;
  signInToComment: string;
  followToComment: string;
  newComments: Plural;

  wall: string;
  wallEmpty: string;
  composeWall: string;
  message: string;
  sendMessage: string;
  charsLeft: Plural;
  charsOver: Plural;
  confirmBlock: Template;
  heart: Template;
  hearts: Plural;
  hide: string;
  unhide: string;
  hiddenLabel: string;
  /** On a visitor's own message that a moderator hid (only they and moderators see it). */
  hiddenByModerator: string;
  awaitingApproval: string;
  approve: string;
  signInToWrite: string;
  followToWrite: string;
  newMessages: Plural;

  follow: string;
  following: string;
  requestAccess: string;
  requested: string;
  cancelRequest: string;
  followers: Plural;
  signInToFollow: string;
  followRequests: string;
  decline: string;
  block: string;
  /** After a decline, with the owner's cool-down (SPEC 6.1): the date the visitor may ask again. */
  askAgainFrom: Template;
  /** After a decline, once the cool-down is over. */
  askAgainNow: string;

  /** An invitation link (`?care-invite=`) waits for the visitor to sign in. */
  inviteSignIn: string;
  inviteAcceptedFollower: string;
  inviteAcceptedEditor: string;
  /** A revoked, expired or used-up invitation: said plainly, with what to do. */
  inviteInvalid: string;

  /** `<care-page-settings>`. */
  settings: string;
  /** Everyone but the owner, admins and editors. */
  settingsOwnerOnly: string;
  /** Editors' read-only summary. */
  settingsReadOnly: string;
  whoCanSee: string;
  visibilityPublic: string;
  visibilityPublicHint: string;
  visibilityMembers: string;
  visibilityMembersHint: string;
  visibilityPrivate: string;
  visibilityPrivateHint: string;
  /** Before widening who can see the page; `{}` is the chosen option's consequence. */
  confirmWiden: Template;
  confirmChange: string;
  moderateWall: string;
  moderateWallHint: string;
  moderationOn: string;
  moderationOff: string;
  followersTitle: string;
  noFollowers: string;
  noRequests: string;
  askedTimes: Plural;
  followingSince: Template;
  remove: string;
  blockedTitle: string;
  noBlocked: string;
  unblock: string;
  editorsTitle: string;
  editorsHint: string;
  noEditors: string;
  confirmRemoveEditor: Template;
  invitesTitle: string;
  invitesHint: string;
  inviteRole: string;
  roleFollower: string;
  roleEditor: string;
  inviteExpiresIn: string;
  days: Plural;
  inviteMaxUses: string;
  createInvite: string;
  noInvites: string;
  usesLeft: Plural;
  expires: Template;
  inviteLink: Template;
  copyLink: string;
  copied: string;
  revoke: string;
  confirmRevoke: string;
  done: string;

  /** Photos in journal updates (SPEC 6.3, feature `media`): the composer's picker. */
  photos: string;
  /** Under the picker; `{n}` is the most photos an update may have. */
  photosHint: Plural;
  addPhotos: string;
  /** The required text alternative of the composer's photo number `{}`. */
  photoAlt: Template;
  removePhoto: Template;
  /** The upload progress bar of photo number `{}`. */
  photoUploading: Template;
  photoUploaded: string;
  photoNotUploaded: Template;
  tooManyPhotos: Plural;
  /** `{}` is the refused file's name. */
  notAPhoto: Template;
  waitingForPhotos: string;
  photosNotReady: string;
  /** On an update still in the outbox. */
  photoCount: Plural;
  /** The photos of an update, `{}` its title. */
  photosOf: Template;
  /** A thumbnail's button, `{}` the photo's alt text. */
  viewPhoto: Template;
  /** The viewer's heading, `{}` is "2 / 5". */
  photoPosition: Template;
  previousPhoto: string;
  nextPhoto: string;
  /** `<care-follow-button>`'s notification choices (SPEC 6.2). */
  notifications: string;
  notifyTitle: string;
  notifyEmailInstant: string;
  notifyEmailDaily: string;
  notifyEmailOff: string;
  /** Instead of the email choices, when the backend cannot email this visitor. */
  notifyEmailUnavailable: string;
  notifyPush: string;
  /** Owners' and co-authors' own choices about their page. */
  notifyOwnerTitle: string;
  notifyOwnerRequests: string;
  notifyOwnerMessages: string;
  /** What a notification says (and does not): PHI-free by default. */
  notifyPrivacy: string;
  notifySaved: string;
  notifyFailed: Template;
  close: string;

  /** `<care-help-planner>` (SPEC 6.4): the heading. */
  planner: string;
  /** In place of the planner where the backend has no `planner` feature. */
  plannerUnavailable: string;
  /** The group of the two view buttons, and the views. */
  plannerView: string;
  viewUpcoming: string;
  viewMonth: string;
  /** The viewer's own tasks, first in the upcoming view. */
  yourTasks: string;
  plannerEmpty: string;
  /** Past days of the upcoming view, collapsed; `{n}` is how many days have tasks. */
  earlierDays: Plural;
  /** `{}` is the hospital's time zone's name, shown when it differs from the visitor's. */
  timesIn: Template;
  /** A task without a time window. */
  anyTime: string;
  /** A task with a start and no end; `{}` is the start time. */
  fromTime: Template;
  kindMeal: string;
  kindRide: string;
  kindVisit: string;
  kindErrand: string;
  kindOther: string;
  /** Keyed on the spots in all (`{n}`); `{left}` is how many are still open ("1 of 2 spots left"). */
  spotsLeft: Plural;
  full: string;
  /** `{}` is the names of those who signed up. */
  helping: Template;
  details: string;
  /** A task with details the viewer does not see (they are not signed up). */
  detailsOnSignup: string;
  signUp: string;
  withdraw: string;
  signingUp: string;
  withdrawing: string;
  signInToHelp: string;
  addToCalendar: string;
  /** The plain answer when two people took the last spot at once and this one lost. */
  lastSpotTaken: string;
  /** Announced (and shown) to a volunteer of a cancelled task; `{}` is its title. */
  taskCancelledYours: Template;
  /** The family's note on a cancellation, `{}`. */
  familyNote: Template;
  /** Live announcements; `{}` is the task's title. */
  announceTaskAdded: Template;
  announceTaskChanged: Template;
  announceTaskCancelled: Template;
  announceSignup: Template;
  announceWithdrawal: Template;
  /** The family's summary of this week: `{}` is "3 covered, 2 still open". */
  weekSummary: Template;
  weekCovered: Plural;
  weekOpen: Plural;
  weekNone: string;
  loadMoreTasks: string;
  /** The form. */
  addTask: string;
  editTask: string;
  taskKind: string;
  taskTitle: string;
  taskDate: string;
  taskStart: string;
  taskEnd: string;
  /** Under the time fields: both may stay empty. */
  taskTimeHint: string;
  taskSlots: string;
  taskDetails: string;
  taskDetailsHint: string;
  repeat: string;
  repeatNone: string;
  repeatDay: string;
  repeatWeekday: string;
  repeatWeek: string;
  repeatUntil: string;
  saveTask: string;
  tasksAdded: Plural;
  taskSaved: string;
  /** Validation of the form, in the widget's language. */
  dateInPast: string;
  dateTooFar: Plural;
  endBeforeStart: string;
  endWithoutStart: string;
  slotsRange: Plural;
  untilBeforeDate: string;
  untilTooFar: Plural;
  /** Cancelling a task: the button, the question (`{}`: the title), the note, the confirming and keeping buttons. */
  cancelTask: string;
  cancelTaskConfirm: Template;
  cancelNote: string;
  confirmCancelTask: string;
  keepTask: string;
  taskCancelled: string;
  /** The month view. */
  previousMonth: string;
  nextMonth: string;
  /** A day cell's label: `{n}` tasks. */
  taskCount: Plural;
  openSpots: Plural;
  /** `{}` is the day (a heading). */
  tasksOn: Template;
  noTasksOn: string;
  /** A day cell with more tasks than it shows. */
  moreTasks: Plural;
}

/** What the widgets call: plain strings, templates as `(value) => string`, plurals as `(count) => string`. */
export type Strings = {
  [K in keyof Messages]: Messages[K] extends Plural ? (n: number) => string : string extends Messages[K] ? string : (value: string) => string;
};
