/*
 * english.ts writes English counts, plural categories, relative and exact times by hand, so a
 * page in English never builds an `Intl` formatter on load (issue 12: the first one is a long
 * task). They must say exactly what `Intl` says in the browser: compared here value by value.
 */
import { expect } from '@open-wc/testing';
import { englishCount, englishExact, englishPlural, englishRelative } from '../../src/i18n/english.js';
import { exactTime, relativeTime } from '../../src/i18n/time.js';
import { en } from '../../src/i18n/en.js';
import { stringsFor } from '../../src/i18n/index.js';

const SAME_AS_EN = ['en', 'en-US', 'en-GB', 'en-CA', 'en-AU'];
const NUMBERS = [0, 1, 2, 9, 10, 99, 100, 999, 1000, 1001, 12_345, 999_999, 1_000_000, 123_456_789, -1, -1234, 2 ** 40];
const UNITS = ['second', 'minute', 'hour', 'day', 'week', 'month', 'year'] as const;

describe('English without Intl (english.ts)', () => {
  it('counts and plural categories are what Intl.NumberFormat and Intl.PluralRules give', () => {
    for (const tag of SAME_AS_EN) {
      const numbers = new Intl.NumberFormat(tag);
      const rules = new Intl.PluralRules(tag);
      for (const n of NUMBERS) {
        expect(englishCount(n, tag), `${tag} ${n}`).to.equal(numbers.format(n));
        expect(englishPlural(n, tag), `${tag} ${n}`).to.equal(rules.select(n));
      }
    }
  });

  it('relative times are what Intl.RelativeTimeFormat with numeric: auto gives', () => {
    for (const tag of SAME_AS_EN) {
      const rtf = new Intl.RelativeTimeFormat(tag, { numeric: 'auto' });
      for (const unit of UNITS) for (const v of [-1234, -100, -12, -2, -1, 0, 1, 2, 3, 59, 1234]) expect(englishRelative(v, unit, tag), `${tag} ${v} ${unit}`).to.equal(rtf.format(v, unit));
    }
  });

  it('exact times are what Intl.DateTimeFormat with dateStyle full, timeStyle short gives, in local time', () => {
    for (const tag of ['en', 'en-US']) {
      const dtf = new Intl.DateTimeFormat(tag, { dateStyle: 'full', timeStyle: 'short' });
      for (const iso of ['2026-12-01T20:43:00Z', '2026-01-01T00:00:00Z', '2026-06-15T12:05:00Z', '2027-02-28T11:59:00Z', '1999-07-04T23:30:00Z']) {
        const d = new Date(iso);
        for (const h of [0, 1, 11, 12, 13, 23]) {
          d.setHours(h);
          expect(englishExact(d, tag), `${tag} ${d.toISOString()}`).to.equal(dtf.format(d));
        }
      }
    }
  });

  it('leaves every other language and value to Intl', () => {
    for (const tag of ['fr', 'de', 'ar', 'en-IN', 'en-ZA']) {
      expect(englishCount(1234, tag)).to.equal(null);
      expect(englishRelative(-3, 'hour', tag)).to.equal(null);
    }
    expect(englishCount(1.5, 'en')).to.equal(null);
    expect(englishExact(new Date(2026, 0, 1), 'en-GB')).to.equal(null);
    // Through the widgets' entry points, another language still speaks its own words.
    expect(relativeTime(new Date(Date.now() - 3 * 3600_000).toISOString(), 'fr')).to.equal(new Intl.RelativeTimeFormat('fr', { numeric: 'auto' }).format(-3, 'hour'));
    expect(relativeTime(new Date(Date.now() - 86_400_000).toISOString(), 'en')).to.equal('yesterday');
    expect(exactTime('2026-12-01T20:43:00Z', 'en')).to.equal(new Intl.DateTimeFormat('en', { dateStyle: 'full', timeStyle: 'short' }).format(new Date('2026-12-01T20:43:00Z')));
    expect(stringsFor('en', en).hearts(1234)).to.equal(`${new Intl.NumberFormat('en').format(1234)} hearts`);
  });
});
