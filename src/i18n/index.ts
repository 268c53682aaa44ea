import { en } from './en.js';
import { es } from './es.js';
import type { Strings } from './strings.js';

export type { Strings } from './strings.js';

const tables: Record<string, Strings> = { en, es };
const RTL = new Set(['ar', 'he', 'fa', 'ur', 'yi', 'ps', 'sd', 'ug', 'dv', 'ckb']);

const base = (lang: string) => lang.toLowerCase().split('-')[0] ?? 'en';

/** The table for a BCP 47 tag (`es-MX` uses `es`); English for anything we lack. */
export function stringsFor(lang: string): Strings {
  return tables[base(lang)] ?? en;
}

/** Layout direction follows the language, even when its strings fall back to English. */
export function directionOf(lang: string): 'ltr' | 'rtl' {
  return RTL.has(base(lang)) ? 'rtl' : 'ltr';
}

/** The nearest `lang` attribute: the element's, an ancestor's (across shadow roots), the document's. */
export function langOf(el: Element): string {
  let node: Node | null = el;
  while (node) {
    if (node instanceof Element && node.getAttribute('lang')) return node.getAttribute('lang')!;
    node = node.parentNode ?? (node instanceof ShadowRoot ? node.host : null);
  }
  return document.documentElement.lang || navigator.language || 'en';
}
