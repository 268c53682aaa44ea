/**
 * Member names that only the widgets' own code uses: the elements' private and protected
 * members and reactive state, the journal's row window, and the keys of the string tables.
 * The script-tag bundle renames them (terser property mangling), which saved 393 B gzip.
 * None may be reachable from outside the bundle: not an element's public property, not
 * `el.care` (PageController), nothing `CareWidgets.connectionFor()` returns (CareConnection,
 * PageStore, Outbox), no event detail, no wire data. `checkInternalNames()` (a Rollup plugin
 * in rollup.config.mjs) fails the build if a listed name occurs anywhere outside
 * src/components and src/i18n: in the other TypeScript sources (types included, comments
 * not) and in the dependencies' code. Terser never picks a short name that is already a
 * property name anywhere in the bundle or a DOM property.
 */
export const internalNames = [
  // src/components: private state and members
  'editing', 'confirming', 'loadingOlder', 'actionError', 'windowTick', 'draft', 'countAnnouncement', 'blocking',
  'busy', 'itemErrors', 'wallError', 'deciding', 'delivered', 'overscanPx', 'fallbackHeight', 'heightOf',
  // src/components/base: what the widgets share
  'postKind', 'announcer', 'notices', 'newItems', 'reportRefusals', 'reportError', 'markdown',
  // src/i18n: string table keys
  'versionMismatch', 'misconfigured', 'lockedPrivate', 'lockedMembers', 'declinedNotice', 'blockedNotice', 'journalEmpty', 'composeJournal', 'notSent',
  'tryAgain', 'confirmDelete', 'byAuthor', 'newUpdates', 'entryActions', 'wallEmpty', 'composeWall', 'sendMessage',
  'charsLeft', 'charsOver', 'confirmBlock', 'hiddenLabel', 'hiddenByModerator', 'offlineShort', 'awaitingApproval', 'signInToWrite', 'followToWrite',
  'newMessages', 'requestAccess', 'cancelRequest', 'signInToFollow', 'followRequests', 'fieldRequired', 'fieldTooLong',
];

/** Minifier settings shared by the script-tag bundle and the size floor it is measured against. */
export const terserOptions = {
  ecma: 2020,
  toplevel: true,
  format: { comments: false },
  // markdownStep() only counts work for the linear-time tests (src/markdown/parse.ts).
  compress: { passes: 3, pure_funcs: ['markdownStep'], pure_getters: true },
  mangle: { properties: { regex: new RegExp(`^(?:${internalNames.join('|')})$`) } },
};
