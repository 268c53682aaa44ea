/**
 * The script-tag entry (`dist/care-widgets.js`): defines the elements (once, even if the
 * script is included twice), reads `data-care-host` / `data-care-token-url` from its own
 * tag, and exposes `window.CareWidgets`.
 */
import './script-settings.js';
import { configure } from './client/settings.js';
import { clearOutbox, connectionFor } from './client/connection.js';
import { PROTOCOL_VERSION } from './protocol/index.js';
import { VERSION } from './version.js';
import './components/care-page/define.js';
import './components/journal-feed/define.js';
import './components/message-wall/define.js';
import './components/follow-button/define.js';
import './components/page-settings/define.js';

export interface CareWidgetsGlobal {
  version: string;
  protocolVersion: number;
  configure: typeof configure;
  connectionFor: typeof connectionFor;
  clearOutbox: typeof clearOutbox;
}

declare global {
  interface Window {
    CareWidgets?: CareWidgetsGlobal;
  }
}

if (!window.CareWidgets) {
  window.CareWidgets = { version: VERSION, protocolVersion: PROTOCOL_VERSION, configure, connectionFor, clearOutbox };
}
