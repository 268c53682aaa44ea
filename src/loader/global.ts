import type { clearOutbox, connectionFor } from '../client/connection.js';
import type { configure } from '../client/settings.js';

/** `window.CareWidgets`, the script-tag build's API (README, "For webmasters: the script tag"). */
export interface CareWidgetsGlobal {
  version: string;
  protocolVersion: number;
  /** Page-wide settings; may be called before any widget's code has arrived (they wait for it). */
  configure: typeof configure;
  /** The shared connection to a host. Needs the core's code: after a widget has loaded, or after `await CareWidgets.load()`. */
  connectionFor: typeof connectionFor;
  /** Wipes every unsent post on this device (works before any code has arrived too). */
  clearOutbox: typeof clearOutbox;
  /**
   * Loads the code of these elements (and the core, always) now, whatever is on the page:
   * for widgets the loader cannot see (inside another shadow root), or to use
   * `connectionFor()` on a page without widgets. Resolves once they are defined.
   */
  load: (...tags: string[]) => Promise<void>;
}

declare global {
  interface Window {
    CareWidgets?: CareWidgetsGlobal;
  }
}
