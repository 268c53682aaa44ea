import { script } from 'care-widgets:context';
import { en } from './en.js';
import type { Locale } from './index.js';
import type { Messages } from './strings.js';

/**
 * The script-tag build's language loader (rollup.config.mjs puts it in place of `load.ts`):
 * each table is a JSON file the build writes beside the loader, `locales/<code>.json`. Data,
 * not code: no SRI or `script-src` question, only `connect-src` to the loader's origin. The
 * values come in the order of the English table's keys, which the build renames
 * (terser.config.mjs), so the file carries no key names. `script` is the loader's own tag
 * (src/loader/modules.d.ts): this runs in a chunk, whose own script is elsewhere.
 */

export async function loadMessages(locale: Locale): Promise<Messages> {
  const res = await fetch(new URL(`locales/${locale}.json`, script!.src));
  if (!res.ok) throw new Error(`${res.status} ${res.url}`);
  const values = (await res.json()) as unknown[];
  const keys = Object.keys(en);
  // A table from another release would put strings in the wrong places.
  if (values.length !== keys.length) throw new Error(`${res.url} does not match this bundle`);
  return Object.fromEntries(keys.map((k, i) => [k, values[i]])) as unknown as Messages;
}
