const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
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
  let fmt = relative.get(lang);
  if (!fmt) relative.set(lang, (fmt = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' })));
  for (const [unit, size] of UNITS) if (Math.abs(seconds) >= size) return fmt.format(Math.round(seconds / size), unit);
  return fmt.format(0, 'second');
}

/**
 * The exact time, for the `title` of a `<time>` element, or `null` while the formatter is not
 * built yet. The first `Intl.DateTimeFormat` of a page costs 50–120 ms in Chromium (locale
 * data), so it is built after the first render (`whenExactReady`), never on its path.
 */
export function exactTime(iso: string, lang: string): string | null {
  return exact.get(lang)?.format(new Date(iso)) ?? null;
}

const warming = new Map<string, Promise<void>>();

export function whenExactReady(lang: string): Promise<void> {
  let p = warming.get(lang);
  if (!p) {
    p = new Promise<void>((resolve) =>
      setTimeout(() => {
        exact.set(lang, new Intl.DateTimeFormat(lang, { dateStyle: 'full', timeStyle: 'short' }));
        resolve();
      }, 50),
    );
    warming.set(lang, p);
  }
  return p;
}
