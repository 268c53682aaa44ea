/**
 * `dist/care-widgets.js`, the one classic script a webmaster pastes (issue 12): small, and it
 * loads the rest of the code from beside itself only when a widget needs it, every chunk with
 * the integrity hash this script carries (scripts/chunks.mjs), so the README's SRI snippet
 * pins all code that runs. What it does at once: `window.CareWidgets`, the widgets' reserved
 * space, and watching for widgets. A second copy of it on a page does nothing.
 */
import { chunks, core, define as DEFINE, tags } from 'care-widgets:manifest';
import { clearStoredOutbox } from '../client/outbox.js';
import type { CareSettings } from '../client/settings.js';
import { PROTOCOL_VERSION } from '../protocol/version.js';
import { VERSION } from '../version.js';
import { chunkScripts } from './chunk-script.js';
import { defineUnavailable } from './fallback.js';
import type { CareWidgetsGlobal } from './global.js';
import { define, need, provide } from './registry.js';
import { reserveSpace } from './reserve.js';
import { watchWidgets } from './watch.js';

type Core = Pick<CareWidgetsGlobal, 'configure' | 'connectionFor' | 'clearOutbox'>;

if (!window.CareWidgets) {
  const script = document.currentScript as HTMLScriptElement | null;
  const queued: CareSettings[] = [];
  /** The core's functions once it has run; until then the loader answers (a caller may keep these functions). */
  let core$: Core | undefined;
  window.CareWidgets = {
    version: VERSION,
    protocolVersion: PROTOCOL_VERSION,
    configure: (settings) => (core$ ? core$.configure(settings) : void queued.push(settings)),
    connectionFor: (host) => {
      if (core$) return core$.connectionFor(host);
      throw new Error('care-widgets: connectionFor() needs the widgets\u2019 code, which loads with the first widget: await CareWidgets.load() first');
    },
    // Without the core no connection exists, so no outbox in memory: only storage holds posts.
    clearOutbox: () => (core$ ? core$.clearOutbox() : clearStoredOutbox()),
    load: (...names) => Promise.all([ready(), ...names.map(element)]).then(() => undefined),
  };

  reserveSpace();
  // May throw (a CSP refusing the `care-widgets` policy): the try/catch around the loader answers.
  const arrive = chunkScripts(script);
  provide('care-widgets:context', { script });
  (window as unknown as Record<string, unknown>)[DEFINE] = define;

  const id = (i: number) => chunks[i]![0];
  /** Starts fetching a chunk and what it imports, all at once rather than one after another. */
  const fetchTree = (i: number): void => {
    arrive(id(i)).catch(() => undefined); // failures answer through need()
    chunks[i]![2].forEach(fetchTree);
  };

  let coreReady: Promise<void> | undefined;
  /** The core has run: `CareWidgets` now calls it, after what `configure()` was given meanwhile. */
  function ready(): Promise<void> {
    fetchTree(core);
    return (coreReady ??= need(id(core), arrive).then((exports) => {
      const c = exports as Partial<Core>;
      // Empty when Lit's Trusted Types policy was refused (the core's own stand-ins answer then).
      if (!c.configure || !c.connectionFor || !c.clearOutbox) return;
      queued.forEach(c.configure);
      core$ = c as Core;
    }));
  }

  const elements = new Map<string, Promise<void>>();
  /** An element's code, after the core; a failure becomes a visible notice and `care-error` on its widgets. */
  function element(tag: string): Promise<void> {
    let done = elements.get(tag);
    if (!done) {
      const i = tags[tag];
      if (i === undefined) return Promise.reject(new Error(`care-widgets: no element ${tag}`));
      fetchTree(i);
      done = ready()
        .then(() => need(id(i), arrive))
        .then(
          () => undefined,
          (error: unknown) => {
            // Already defined: the blocked-by-CSP stand-in, which has told the page itself.
            if (customElements.get(tag)) return;
            const message = `care-widgets: the code of <${tag}> did not load: ${error instanceof Error ? error.message : String(error)}`;
            console.error(message);
            defineUnavailable(tag, message);
          },
        );
      elements.set(tag, done);
    }
    return done;
  }

  watchWidgets(Object.keys(tags), (tag) => void element(tag));
}
