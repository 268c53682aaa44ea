import { INVITE_PARAM } from '../../client/invite.js';

/**
 * The link an invitation is shared as: `base` (the element's `invite-url`, else this page's
 * address) with `?care-invite=<code>`, without a fragment. Whatever else the address carries
 * stays (a CMS's own parameters), except an older invitation code.
 */
export function inviteLink(code: string, base: string): string {
  const url = new URL(base || location.href, location.href);
  url.searchParams.delete(INVITE_PARAM);
  url.searchParams.set(INVITE_PARAM, code);
  url.hash = '';
  return url.toString();
}

/**
 * Copies text to the clipboard. The async Clipboard API needs a secure context and focus;
 * where it refuses, the text of `field` is selected so the person can copy it by hand (and
 * `execCommand('copy')`, deprecated but still the only fallback, is tried). Returns whether
 * the text is on the clipboard.
 */
export async function copyText(text: string, field: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (!field) return false;
    field.focus();
    field.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}
