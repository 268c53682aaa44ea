import { englishExact, englishRelative } from './english.js';

const UNITS: ['year' | 'month' | 'week' | 'day' | 'hour' | 'minute', number][] = [
  ['year', 31_536_000],
  ['month', 2_592_000],
  ['week', 604_800],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
];

// Building an Intl formatter costs far more than using one: keep one per language.
const relative = new Map<string, Intl.RelativeTimeFormat>();
const exact = new Map<string, Intl.DateTimeFormat>();

/** "3 hours ago" in the widget's language, from the platform (no bytes shipped). */
export function relativeTime(iso: string, lang: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const [unit, size] = UNITS.find(([, size]) => Math.abs(seconds) >= size) ?? ['second', 0];
  const value = size ? Math.round(seconds / size) : 0;
  // English without Intl: its first formatter is a long task of its own (english.ts).
  const english = englishRelative(value, unit, lang);
  if (english !== null) return english;
  let fmt = relative.get(lang);
  if (!fmt) relative.set(lang, (fmt = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' })));
  return fmt.format(value, unit);
}

/**
 * The exact time, for the `title` of a `<time>` element, or `null` while the formatter is not
 * built yet. The first `Intl.DateTimeFormat` of a page costs 50–120 ms in Chromium (locale
 * data): English is written by hand (english.ts); other languages build it after the first
 * render, when the page is idle (`whenExactReady`), never on the render's path.
 */
export function exactTime(iso: string, lang: string): string | null {
  const date = new Date(iso);
  return englishExact(date, lang) ?? exact.get(lang)?.format(date) ?? null;
}

const warming = new Map<string, Promise<void>>();

export function whenExactReady(lang: string): Promise<void> {
  let p = warming.get(lang);
  if (!p) {
    p = new Promise<void>((resolve) => {
      const build = () => {
        exact.set(lang, new Intl.DateTimeFormat(lang, { dateStyle: 'full', timeStyle: 'short' }));
        resolve();
      };
      // Idle time, so the long task it is lands where it blocks nothing (Safari has no requestIdleCallback).
      if (typeof requestIdleCallback === 'function') requestIdleCallback(build, { timeout: 2000 });
      else setTimeout(build, 50);
    });
    warming.set(lang, p);
  }
  return p;
}
