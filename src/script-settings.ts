/**
 * Reads `data-care-host` / `data-care-token-url` from the script tag that is running now.
 * The bundle imports this before the element definitions: elements already in the page
 * upgrade (and connect) the moment they are defined, and must see these settings then.
 */
import { configureFromScript } from './client/settings.js';

configureFromScript(document.currentScript);
