import { executeServerCommand } from '@web/test-runner-commands';

let cachedUrl: string | undefined;

/** The URL of the real reference server the test run started. */
export async function serverUrl(): Promise<string> {
  cachedUrl ??= ((await executeServerCommand('care-server')) as { url: string }).url;
  return cachedUrl;
}

/** Polls until `check` holds (or throws after `timeout` ms with `what` in the message). */
export async function waitFor(check: () => boolean | Promise<boolean>, what = 'condition', timeout = 8000): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (await check()) return;
    if (Date.now() - start > timeout) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let counter = 0;
/** A page id no other test uses (the server lives for the whole run). */
export function uniquePage(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
}

export interface SeedPage {
  id: string;
  title?: string;
  visibility?: 'public' | 'members' | 'private';
  wallModeration?: 'post' | 'pre';
  owners?: string[];
  editors?: string[];
  follows?: string[];
  journal?: { title: string; body: string }[];
  wall?: string[];
}

export async function seedPage(p: SeedPage): Promise<void> {
  await executeServerCommand('care-seed', p);
}

/** Another user's write, made server-side as a second client would. */
export async function postAs(user: string, pageId: string, kind: 'journal' | 'wall', body: string, title = 'Update'): Promise<{ item: { id: string; seq: number } }> {
  return (await executeServerCommand('care-post', { user, pageId, kind, clientId: `c-${Date.now()}-${counter++}`, title, body })) as { item: { id: string; seq: number } };
}

export async function tokenFor(user: string, ttl = 900): Promise<string> {
  return ((await executeServerCommand('care-token', { user, ttl })) as { token: string }).token;
}

/** Seed helper type extension: generated entries for long-list tests. */
export async function seedLongPage(id: string, journalCount: number, owners = ['owner']): Promise<void> {
  await executeServerCommand('care-seed', { id, visibility: 'public', owners, journalCount });
}

/** Resolves after the element and its Lit updates have settled. */
export async function settled(el: Element & { updateComplete?: Promise<unknown> }): Promise<void> {
  await el.updateComplete;
  await new Promise((r) => requestAnimationFrame(() => r(null)));
}

/** Everything inside an element's shadow root, for assertions about rendered DOM. */
export function shadow(el: Element): ShadowRoot {
  if (!el.shadowRoot) throw new Error(`${el.localName} has no shadow root`);
  return el.shadowRoot;
}

/** Follows (or, on a private page, asks to follow) as another client would. */
export async function followAs(user: string, pageId: string, follow = true): Promise<{ state: string }> {
  return (await executeServerCommand('care-follow', { user, pageId, follow })) as { state: string };
}

/** Stores an invitation as it is (an expired or revoked one included). */
export async function storeInvite(i: { pageId: string; code: string; role?: 'follower' | 'editor'; expiresAt: string; maxUses?: number; uses?: number; revoked?: boolean }): Promise<void> {
  await executeServerCommand('care-invite', i);
}

/** A second server with every second-wave feature switched off (SPEC 6: a first-wave backend). */
export async function firstWaveUrl(): Promise<string> {
  return ((await executeServerCommand('care-first-wave')) as { url: string }).url;
}

/** The same server under another host string: another connection, so another signed-in user. */
export async function otherHost(): Promise<string> {
  return (await serverUrl()).replace('127.0.0.1', 'localhost');
}

/** Puts `?care-invite=<code>` in the address bar, as arriving by an invitation link does. */
export function arriveWithInvite(code: string): void {
  const url = new URL(location.href);
  url.searchParams.set('care-invite', code);
  history.replaceState(history.state, '', url);
}

/** Whether the address bar still holds an invitation code. */
export function inviteInAddressBar(): boolean {
  return new URL(location.href).searchParams.has('care-invite');
}

/** A person's notification choices for a page as the server stored them (`null`: none, all off). */
export async function storedNotifyPrefs(pageId: string, user: string): Promise<{ email: string; push: boolean; owner: { requests: string; messages: string } } | null> {
  return ((await executeServerCommand('care-notify-prefs', { pageId, user })) as { prefs: { email: string; push: boolean; owner: { requests: string; messages: string } } | null }).prefs;
}
