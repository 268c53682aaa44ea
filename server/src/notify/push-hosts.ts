import { isIP } from 'node:net';

/**
 * Which push services the backend sends Web Push to (`CARE_PUSH_HOSTS`). A subscription's
 * endpoint comes from the browser, that is from whoever holds a token: without a list, a
 * signed-in visitor could register `https://10.0.0.7/admin` and have the server POST to it
 * (server-side request forgery). So the endpoint must be on a known push service, checked
 * when it is registered (`push:subscribe`) and again before every send (the list may have
 * changed since, and rows may predate it).
 *
 * An entry is a host suffix matched on a dot boundary: `notify.windows.com` allows
 * `notify.windows.com` and `wns2-par02p.notify.windows.com`, never `evilnotify.windows.com`.
 * Endpoints with a port, a user name or password, or an IP address for a host are refused
 * whatever the list says: the public push services use none of them. An entry may name a
 * port (`push.intranet.example:8443`), and then allows exactly that port on its hosts: for a
 * self-hosted push service or a test, by the operator's explicit choice.
 */

/** The browsers' public push services: Chrome/Edge on Android (FCM), Firefox, Safari, Edge on Windows (WNS). */
export const DEFAULT_PUSH_HOSTS: readonly string[] = ['fcm.googleapis.com', 'updates.push.services.mozilla.com', 'push.services.mozilla.com', 'web.push.apple.com', 'notify.windows.com'];

interface HostRule {
  /** Lower case, no leading dot. */
  suffix: string;
  /** `''`: the default (443) only. */
  port: string;
}

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const ENTRY = new RegExp(`^(${LABEL}(?:\\.${LABEL})*)(?::(\\d{1,5}))?$`);

export class PushHosts {
  private readonly rules: HostRule[];

  /** Throws, naming the bad entry, on anything that is not a host name (with an optional port). */
  constructor(entries: readonly string[] = DEFAULT_PUSH_HOSTS) {
    this.rules = entries.map(parseEntry);
  }

  /** The entries, normalized (lower case, no `*.`). */
  get entries(): string[] {
    return this.rules.map((r) => (r.port ? `${r.suffix}:${r.port}` : r.suffix));
  }

  /**
   * Why the backend will not send to this endpoint (a phrase to follow "subscription.endpoint"),
   * or `null` when it is on a known push service. Never quotes the endpoint's path, which is
   * the subscription's capability.
   */
  problem(endpoint: string): string | null {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      return 'must be an https:// URL';
    }
    if (url.protocol !== 'https:') return 'must be an https:// URL';
    if (url.username || url.password || authorityOf(endpoint).includes('@')) return 'must not contain a user name or password';
    const host = url.hostname;
    if (isIpLiteral(host)) return 'must name its push service by host name, not by IP address';
    const port = explicitPort(endpoint, url);
    const known = this.rules.filter((r) => host === r.suffix || host.endsWith(`.${r.suffix}`));
    if (known.length === 0) return `${host} is not a known push service`;
    if (!known.some((r) => r.port === port)) return port ? `must not name a port (${port})` : `${host} is known only with a port`;
    // The text must be the URL exactly as parsed: web-push parses it again (Node's legacy
    // `url.parse`), and two parsers that disagree about a host are how allow-lists are
    // bypassed (`https://allowed.example\\@10.0.0.7/`). Browsers give endpoints in this form.
    if (url.href !== endpoint) return 'is not a normalized URL (send it as the browser gives it)';
    return null;
  }
}

/** Reads `CARE_PUSH_HOSTS`: comma-separated host suffixes; unset or blank, the public push services. */
export function pushHostsFromEnv(raw: string | undefined): string[] {
  const entries = (raw ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) return [...DEFAULT_PUSH_HOSTS];
  try {
    return new PushHosts(entries).entries;
  } catch (err) {
    throw new Error(`CARE_PUSH_HOSTS: ${(err as Error).message}`);
  }
}

function parseEntry(raw: string): HostRule {
  // `*.notify.windows.com` and `.notify.windows.com` say what every entry means anyway.
  const entry = raw.trim().toLowerCase().replace(/^\*?\./, '');
  const m = ENTRY.exec(entry);
  if (!m || m[1]!.length > 253) throw new Error(`"${raw}" is not a host name (a push service's host or domain, e.g. fcm.googleapis.com, optionally with :port)`);
  const [, suffix, port = ''] = m as unknown as [string, string, string | undefined];
  if (isIpLiteral(suffix)) throw new Error(`"${raw}" is an IP address; push services are named by host name`);
  if (port && (Number(port) < 1 || Number(port) > 65535 || port.startsWith('0'))) throw new Error(`"${raw}" has no valid port`);
  // 443 is no port to allow: an endpoint that writes `:443` is not in normal form anyway.
  if (port === '443') throw new Error(`"${raw}": leave out :443, the default`);
  return { suffix, port };
}

/**
 * An IPv4 or IPv6 address, in any spelling the WHATWG parser accepts as one: `[::1]`,
 * `127.0.0.1`, and hosts whose last label is a number (`127.1`, `0x7f.1`, `2130706433`), which
 * the parser turns into an IPv4 address (and which are no host names).
 */
function isIpLiteral(host: string): boolean {
  if (host.startsWith('[') || isIP(host) !== 0) return true;
  const last = host.replace(/\.$/, '').split('.').pop() ?? '';
  return /^(?:0x[0-9a-f]*|\d+)$/i.test(last);
}

/** The authority of an `https://` URL's text (between `//` and the path, query or fragment). */
function authorityOf(endpoint: string): string {
  return /^https:[/\\]*([^/\\?#]*)/i.exec(endpoint)?.[1] ?? '';
}

/** The port the text names, even `:443`, which the parser drops as the default. */
function explicitPort(endpoint: string, url: URL): string {
  if (url.port) return url.port;
  return /:\d*$/.test(authorityOf(endpoint)) ? '443' : '';
}
