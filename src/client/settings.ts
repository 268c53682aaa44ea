/**
 * Where unsent posts wait (README, "Privacy and security"): `local` (localStorage: survives a
 * reload and a browser restart; kept for the user after sign-out), `session` (sessionStorage:
 * survives a reload of the tab, gone with the tab; dropped at sign-out) or `memory` (nowhere
 * but the page; dropped at sign-out).
 */
export type OutboxMode = 'local' | 'session' | 'memory';

/** Where a widget finds its backend and its visitor's token, and where unsent posts wait. */
export interface CareSettings {
  host?: string | undefined;
  tokenUrl?: string | undefined;
  /** Page-wide only (`configure()` or `data-care-outbox`), read when a host's outbox first loads. */
  outbox?: OutboxMode | undefined;
  /**
   * Page-wide only (`configure()` or `data-care-push-worker`): where this site serves
   * `care-push-sw.js` (README, "Web Push"), same origin as the page. Without it the widgets
   * offer no browser notifications.
   */
  pushWorker?: string | undefined;
}

let configured: CareSettings = {};
let fromScript: CareSettings = {};

/** `CareWidgets.configure({ host, tokenUrl, outbox, pushWorker })`: page-wide defaults, below attributes and `<care-page>`. */
export function configure(settings: CareSettings): void {
  configured = { ...configured, ...settings };
}

/** Reads `data-care-host` / `data-care-token-url` / `data-care-outbox` / `data-care-push-worker` from the script tag that loaded the bundle. */
export function configureFromScript(script: Element | null): void {
  if (!(script instanceof HTMLScriptElement)) return;
  const d = script.dataset;
  fromScript = {
    host: d.careHost || undefined,
    tokenUrl: d.careTokenUrl || undefined,
    outbox: (d.careOutbox || undefined) as OutboxMode | undefined,
    pushWorker: d.carePushWorker || undefined,
  };
}

/** The push worker's absolute URL (`configure()`, then the script tag), or null: no browser notifications offered. */
export function pushWorkerUrl(): string | null {
  const url = configured.pushWorker || fromScript.pushWorker;
  if (!url) return null;
  try {
    return new URL(url, document.baseURI).href;
  } catch {
    return null;
  }
}

/**
 * The outbox mode: `configure()`, then the script tag, else `local`. A value that is none of
 * the three is taken as the strictest, `memory`, and named in the console: a hospital that
 * asked for less storage never gets more because of a typo.
 */
export function outboxMode(): OutboxMode {
  const mode = configured.outbox || fromScript.outbox || 'local';
  if (mode === 'local' || mode === 'session' || mode === 'memory') return mode;
  console.error(`[care-widgets] outbox "${mode}" is not local, session or memory; using memory.`);
  return 'memory';
}

/** The resolution order of SPEC section 2: attribute → `<care-page>` → configure() → script tag. */
export function resolveSettings(own: CareSettings, page: CareSettings | undefined): { host: string; tokenUrl: string | null } {
  const pick = (key: keyof CareSettings) => own[key] || page?.[key] || configured[key] || fromScript[key] || undefined;
  return { host: normalizeHost(pick('host') ?? location.origin), tokenUrl: pick('tokenUrl') ?? null };
}

/** One connection per host: `https://x.org/`, `https://x.org` and `//x.org` are the same host. */
export function normalizeHost(host: string): string {
  try {
    const url = new URL(host, location.href);
    return url.origin + url.pathname.replace(/\/+$/, '');
  } catch {
    return host;
  }
}
