/** The client without elements: for custom UIs on the same backend and protocol. */
export { CareConnection, clearOutbox, connectionFor, releaseConnection, type ConnectionState, type Delivery } from './connection.js';
export { PageStore, type LiveEvent, type StoreTransport } from './page-store.js';
export type { PageState, PageStatus } from './page-state.js';
export type { OutboxEntry } from './outbox.js';
export { configure, pushWorkerUrl, resolveSettings, type CareSettings, type OutboxMode } from './settings.js';
export { pushPermission, pushSubscriptionOf, pushSupported, subscribePush, unsubscribePush } from './push.js';
export { fetchToken, type TokenInfo } from './token.js';
export { PageController, type CareWidgetHost } from './page-controller.js';
export { CarePageWatcher, carePageOf, type InheritedSettings } from './care-page-settings.js';
