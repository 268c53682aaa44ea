import type { Locale } from './index.js';
import type { Messages } from './strings.js';

/**
 * The npm build's loader: one dynamic `import()` per table, so a bundler splits each into
 * its own chunk and a page downloads only the languages its widgets speak. The script-tag
 * bundle swaps this module for `load-json.ts` (rollup.config.mjs).
 */
const modules: Record<Exclude<Locale, 'en'>, () => Promise<{ default: Messages }>> = {
  es: () => import('./locales/es.js'),
  fr: () => import('./locales/fr.js'),
  de: () => import('./locales/de.js'),
  pt: () => import('./locales/pt.js'),
  zh: () => import('./locales/zh.js'),
  ar: () => import('./locales/ar.js'),
  vi: () => import('./locales/vi.js'),
};

export async function loadMessages(locale: Locale): Promise<Messages> {
  return (await modules[locale as Exclude<Locale, 'en'>]()).default;
}
