import { en } from './en.js';
import type { Locale } from './index.js';
import type { Messages } from './strings.js';

/**
 * The script-tag bundle's loader (rollup.config.mjs puts it in place of `load.ts`): an IIFE
 * cannot split code, so each table is a JSON file the build writes beside the bundle,
 * `locales/<code>.json`. Data, not code: no SRI or `script-src` question, only `connect-src`
 * to the bundle's origin. The values come in the order of the English table's keys, which the
 * bundle renames (terser.config.mjs), so the file carries no key names.
 *
 * Captured while the bundle's own `<script>` runs: later `document.currentScript` is another
 * script, or null.
 */
const script = document.currentScript as HTMLScriptElement | null;

export async function loadMessages(locale: Locale): Promise<Messages> {
  const res = await fetch(new URL(`locales/${locale}.json`, script!.src));
  if (!res.ok) throw new Error(`${res.status} ${res.url}`);
  const values = (await res.json()) as unknown[];
  const keys = Object.keys(en);
  // A table from another release would put strings in the wrong places.
  if (values.length !== keys.length) throw new Error(`${res.url} does not match this bundle`);
  return Object.fromEntries(keys.map((k, i) => [k, values[i]])) as unknown as Messages;
}
