/** Where a widget finds its backend and its visitor's token. */
export interface CareSettings {
  host?: string | undefined;
  tokenUrl?: string | undefined;
}

let configured: CareSettings = {};
let fromScript: CareSettings = {};

/** `CareWidgets.configure({ host, tokenUrl })`: page-wide defaults, below attributes and `<care-page>`. */
export function configure(settings: CareSettings): void {
  configured = { ...configured, ...settings };
}

/** Reads `data-care-host` / `data-care-token-url` from the script tag that loaded the bundle. */
export function configureFromScript(script: Element | null): void {
  if (!(script instanceof HTMLScriptElement)) return;
  fromScript = {
    host: script.dataset.careHost || undefined,
    tokenUrl: script.dataset.careTokenUrl || undefined,
  };
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
