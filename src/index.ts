/**
 * care-widgets: importing this module defines every element. Import
 * `care-widgets/journal-feed.js` (and so on) to define only the ones you use.
 */
export * from './components/care-page/define.js';
export * from './components/journal-feed/define.js';
export * from './components/message-wall/define.js';
export * from './components/follow-button/define.js';
export * from './components/page-settings/define.js';
export * from './components/help-planner/define.js';
export { CareElement, type Theme } from './components/base/care-element.js';
export * from './client/index.js';
export type * from './events.js';
export type * from './protocol/index.js';
export { PROTOCOL_VERSION, LIMITS } from './protocol/index.js';
export { VERSION } from './version.js';
