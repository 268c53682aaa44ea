/** The signed-in visitor as far as the widgets know, from the host site's token endpoint. */
export interface TokenInfo {
  token: string | null;
  /** Expiry from the token's `exp`, ms since the epoch. */
  expiresAt: number | null;
  userId: string | null;
  name: string | null;
}

export const ANONYMOUS: TokenInfo = { token: null, expiresAt: null, userId: null, name: null };

/**
 * Reads a JWT's claims without verifying it. The widget only needs `exp` (when to refresh)
 * and `sub` (whose outbox to flush); the server verifies every token it receives.
 */
export function readClaims(token: string): { sub?: string; exp?: number; name?: string } {
  try {
    const part = token.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as { sub?: string; exp?: number; name?: string };
  } catch {
    return {};
  }
}

/**
 * Fetches `{ token }` from the host site's same-origin `token-url`, with the visitor's
 * cookies. 401 or 204 means nobody is signed in. Any other failure throws an error whose
 * message names the setting and the URL (`token-url /care/token answered 404`), so a broken
 * endpoint is reported instead of silently showing the visitor as signed out.
 */
export async function fetchToken(url: string): Promise<TokenInfo> {
  const fail = (why: string) => () => {
    throw new Error(`token-url ${url} ${why}`);
  };
  // The browser tells scripts no more: a CORS refusal and an unreachable URL look the same.
  const res = await fetch(url, { credentials: 'include', cache: 'no-store', headers: { Accept: 'application/json' } }).catch(fail('failed (CORS or network)'));
  if (res.status === 401 || res.status === 204) return ANONYMOUS;
  if (!res.ok) fail(`answered ${res.status}`)();
  const body = (await res.json().catch(fail('is not JSON'))) as { token?: unknown } | null;
  if (typeof body?.token !== 'string' || body.token === '') return ANONYMOUS;
  const claims = readClaims(body.token);
  return {
    token: body.token,
    expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : null,
    userId: claims.sub ?? null,
    name: claims.name ?? claims.sub ?? null,
  };
}
