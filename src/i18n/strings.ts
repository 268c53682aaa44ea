/** Every string the widgets show, typed so a missing translation is a compile error. */
export interface Strings {
  loading: string;
  offline: string;
  /** The offline notice of every widget but the first on a connection (which shows `offline`). */
  offlineShort: string;
  unauthorized: string;
  /** The server speaks another protocol version: the site, not the visitor, must act. */
  versionMismatch: string;
  notFound: string;
  error: (reason: string) => string;
  retry: string;
  lockedPrivate: string;
  lockedMembers: string;
  declinedNotice: string;
  blockedNotice: string;

  journal: string;
  journalEmpty: string;
  composeJournal: string;
  title: string;
  body: string;
  post: string;
  sending: string;
  notSent: (reason: string) => string;
  tryAgain: string;
  discard: string;
  edit: string;
  save: string;
  cancel: string;
  delete: string;
  confirmDelete: string;
  edited: string;
  loadOlder: string;
  byAuthor: (name: string) => string;
  newUpdates: (n: number) => string;
  entryActions: (title: string) => string;

  wall: string;
  wallEmpty: string;
  composeWall: string;
  message: string;
  sendMessage: string;
  charsLeft: (n: number) => string;
  charsOver: (n: number) => string;
  confirmBlock: (name: string) => string;
  heart: (name: string) => string;
  hearts: (n: number) => string;
  hide: string;
  unhide: string;
  hiddenLabel: string;
  /** On a visitor's own message that a moderator hid (only they and moderators see it). */
  hiddenByModerator: string;
  awaitingApproval: string;
  approve: string;
  signInToWrite: string;
  followToWrite: string;
  newMessages: (n: number) => string;

  follow: string;
  following: string;
  requestAccess: string;
  requested: string;
  cancelRequest: string;
  followers: (n: number) => string;
  signInToFollow: string;
  followRequests: string;
  decline: string;
  block: string;
}
