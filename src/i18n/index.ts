import { en } from './en.js';
import { englishCount, englishPlural } from './english.js';
import { loadMessages } from './load.js';
import type { Messages, Strings } from './strings.js';

export type { Messages, Plural, Strings, Template } from './strings.js';

/** The languages with a table; each but English is a module (npm) or a JSON file (script tag) loaded on first use. */
export type Locale = 'en' | 'es' | 'fr' | 'de' | 'pt' | 'zh' | 'ar' | 'vi';

const RTL = /^(ar|he|fa|ur|yi|ps|sd|ug|dv|ckb)(-|$)/i;

/**
 * The table a BCP 47 tag uses (`fr-CA`: fr), or `null` when we have none. Chinese is the
 * Simplified table, so Traditional tags (`zh-Hant`, `zh-TW`, `zh-HK`, `zh-MO`) have none.
 */
export function localeOf(tag: string): Locale | null {
  const [, base] = /^([a-z]{2})(?:-|$)/i.exec(tag) ?? [];
  const locale = base?.toLowerCase() as Locale | undefined;
  if (locale === 'zh' && /-(hant|tw|hk|mo)(-|$)/i.test(tag)) return null;
  return locale && 'en es fr de pt zh ar vi'.includes(locale) ? locale : null;
}

/** Layout direction follows the language, even when its strings fall back to English. */
export function directionOf(tag: string): 'ltr' | 'rtl' {
  return RTL.test(tag) ? 'rtl' : 'ltr';
}

/** Loaded tables; `null` for one that could not load (its widgets speak English). */
const tables: { [L in Locale]?: Messages | null } = { en };
const loading = new Map<Locale, Promise<void>>();

/** A locale's table, `null` if it failed to load, or a promise while it loads (one load per page). */
export function tableFor(locale: Locale): Messages | null | Promise<void> {
  const table = tables[locale];
  if (table !== undefined) return table;
  let p = loading.get(locale);
  if (!p) {
    p = loadMessages(locale).then(
      (m) => void (tables[locale] = m),
      (e: unknown) => {
        // Visitors get English, not an alarm; the site's developer gets a hint (often a CSP's connect-src).
        tables[locale] = null;
        console.warn(`care-widgets: could not load the "${locale}" strings; showing English.`, e);
      },
    );
    loading.set(locale, p);
  }
  return p;
}

const compiled = new Map<string, Strings>();

/**
 * The callable strings for a BCP 47 tag from its table: counts through `Intl.PluralRules` and
 * `Intl.NumberFormat` of that tag, and values wrapped in Unicode isolates (FSI…PDI, the
 * text-level `<bdi>`) so a name or title in another script keeps its own direction and its
 * punctuation stays where its writer put it.
 */
export function stringsFor(tag: string, messages: Messages): Strings {
  let s = compiled.get(tag);
  if (!s) {
    let rules: Intl.PluralRules | undefined;
    let numbers: Intl.NumberFormat | undefined;
    // English without Intl: the first NumberFormat of a page is a long task of its own (english.ts).
    const category = (n: number) => englishPlural(n, tag) ?? (rules ??= new Intl.PluralRules(tag)).select(n);
    const count = (n: number) => englishCount(n, tag) ?? (numbers ??= new Intl.NumberFormat(tag)).format(n);
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(messages)) {
      out[key] =
        typeof v !== 'string'
          ? (n: number) => (v[category(n)] ?? v.other).replace('{n}', count(n))
          : v.includes('{}')
            ? (value: string) => v.split('{}').join(`\u2068${value}\u2069`)
            : v;
    }
    compiled.set(tag, (s = out as Strings));
  }
  return s;
}
