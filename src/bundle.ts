/**
 * The core chunk of the script-tag build (scripts/chunks.mjs): what every widget runs (lit,
 * the client, socket.io-client), `<care-page>`, and what `window.CareWidgets` calls once it
 * is here (src/loader/loader.ts). Runs before any element's chunk, so elements already in the
 * page upgrade (and connect) with the settings of the loader's own tag:
 * `data-care-host` / `data-care-token-url` / `data-care-outbox`.
 */
import { script } from 'care-widgets:context';
import { configure, configureFromScript } from './client/settings.js';
import { clearOutbox, connectionFor } from './client/connection.js';
import './components/care-page/define.js';

configureFromScript(script);

export { clearOutbox, configure, connectionFor };
export type { CareWidgetsGlobal } from './loader/global.js';
