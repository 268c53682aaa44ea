/*
 * The widgets' languages (SPEC 7): every table renders with no English chrome left, Arabic
 * lays out right to left with user text isolated, the language follows `lang` live (through
 * shadow roots) and then the browser's languages, a table loads before the widget shows
 * anything, and form validation speaks the widget's language.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/index.js';
import { en } from '../../src/i18n/en.js';
import { stringsFor, type Locale, type Messages } from '../../src/i18n/index.js';
import ar from '../../src/i18n/locales/ar.js';
import de from '../../src/i18n/locales/de.js';
import es from '../../src/i18n/locales/es.js';
import fr from '../../src/i18n/locales/fr.js';
import pt from '../../src/i18n/locales/pt.js';
import vi from '../../src/i18n/locales/vi.js';
import zh from '../../src/i18n/locales/zh.js';
import { addDays, LIMITS } from '../../src/protocol/index.js';
import { seedPage, serverUrl, settled, uniquePage, waitFor } from './helpers.js';
import { FollowHarness, JournalHarness, PlannerHarness, WallHarness, harness, mount } from './harness.js';

const TABLES: Record<Exclude<Locale, 'en'>, Messages> = { es, fr, de, pt, zh, ar, vi };

/** One connection per host string has one user: a second user talks to the same server as `localhost`. */
const hostA = async () => serverUrl();
const hostB = async () => (await serverUrl()).replace('127.0.0.1', 'localhost');

/** What a widget says: its text and its accessible names. */
function chrome(el: HTMLElement): string {
  const { root } = harness(el);
  const labels = [...root.querySelectorAll('[aria-label]')].map((n) => n.getAttribute('aria-label'));
  return `${root.textContent ?? ''} ${labels.join(' ')}`.replace(/\s+/g, ' ');
}

/** The three widgets of `page` in `box`: the journal and wall on `a`, the follow button on `b` (another connection, another user). */
async function three(box: HTMLElement, page: string, a: { host: string; user?: string }, b: { host: string; user?: string }) {
  const [feed, wall, follow] = await Promise.all([
    mount('care-journal-feed', { page, ...a, parent: box }),
    mount('care-message-wall', { page, ...a, parent: box }),
    mount('care-follow-button', { page, ...b, parent: box }),
  ]);
  return { feed, wall, follow, journal: new JournalHarness(feed), messages: new WallHarness(wall), button: new FollowHarness(follow) };
}

/** The English table's words (templates and plurals without their placeholders), by key. */
function englishPieces(): [keyof Messages, string][] {
  const out: [keyof Messages, string][] = [];
  for (const [key, value] of Object.entries(en) as [keyof Messages, string | Record<string, string>][]) {
    for (const form of typeof value === 'string' ? [value] : Object.values(value)) {
      for (const piece of form.split(/\{n?\}/)) if (piece.trim().length >= 2) out.push([key, piece.trim()]);
    }
  }
  return out;
}

const words = (piece: string) => new RegExp(`(^|[^\\p{L}])${piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}])`, 'u');

/** English left in a widget: an English piece, as whole words, where the table does not say the same words. */
function englishIn(text: string, table: Messages): string[] {
  return englishPieces()
    .filter(([key, piece]) => !words(piece).test(Object.values(typeof table[key] === 'string' ? { s: table[key] } : table[key]).join('\n')))
    .filter(([, piece]) => words(piece).test(text))
    .map(([, piece]) => piece);
}

/** The horizontal centre of the characters `from`..`to` of a text node, as laid out. */
function xOf(node: Node, from: number, to: number): number {
  const range = document.createRange();
  range.setStart(node, from);
  range.setEnd(node, to);
  const r = range.getBoundingClientRect();
  return r.left + r.width / 2;
}

function textNodeWith(root: Node, text: string): Text {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.textContent?.includes(text)) return n as Text;
  throw new Error(`no text node with "${text}"`);
}

describe('languages', () => {
  it('shows nothing until the table of its language is here: never a flash of English', async () => {
    const page = uniquePage('i18n-flash');
    await seedPage({ id: page, owners: ['olga'], journal: [{ title: 'Xyz', body: 'ok' }] });
    const seen: string[] = [];
    // The shadow root exists once connected; the first render is later: watch it from there.
    const watch = (el: HTMLElement) => {
      const { root } = harness(el);
      new MutationObserver(() => seen.push(root.textContent ?? '')).observe(root, { childList: true, subtree: true, characterData: true });
    };
    const el = await mount('care-journal-feed', { page, host: await hostA(), attrs: { lang: 'vi' }, loading: true, connected: watch });
    const journal = new JournalHarness(el);
    expect(journal.heading()).to.equal(vi.journal);
    await waitFor(() => journal.titles().includes('Xyz'), 'content');
    expect(seen.length, 'renders were seen').to.be.greaterThan(0);
    expect(seen.join(' ')).to.not.include(en.journal);
    expect(seen.join(' ')).to.not.include(en.loading);
  });

  for (const [lang, table] of Object.entries(TABLES) as [Locale, Messages][]) {
    it(`speaks ${lang} with no English chrome left in the three widgets`, async () => {
      const page = uniquePage(`i18n-${lang}`);
      await seedPage({ id: page, owners: ['olga'], follows: ['f1', 'f2', 'f3'], journal: [{ title: 'Xyz', body: 'ok' }], wall: ['42'] });
      const [a, b] = [await hostA(), await hostB()];
      const box = await fixture<HTMLDivElement>(html`<div lang=${lang}></div>`);
      const { feed, wall, follow, journal, messages, button } = await three(box, page, { host: a, user: 'olga' }, { host: b, user: 'fred' });
      await waitFor(() => !!journal.composer() && journal.titles().includes('Xyz'), 'journal with composer');
      await waitFor(() => !!messages.textarea() && messages.bodies().includes('42'), 'wall with composer and a message');
      await waitFor(() => !!button.button(), 'follow button');
      const t = stringsFor(lang, table);
      expect(journal.heading()).to.equal(t.journal);
      expect(journal.composer()!.querySelector('button[type=submit]')?.textContent).to.equal(t.post);
      expect(messages.heading()).to.equal(t.wall);
      expect(messages.part('counter')?.textContent).to.equal(t.charsLeft(LIMITS.wallBodyMax));
      expect(button.button()?.textContent?.trim()).to.equal(t.follow);
      expect(button.part('count')?.textContent).to.equal(t.followers(3));
      for (const w of [feed, wall, follow]) {
        await settled(w);
        expect(englishIn(chrome(w), table), `${w.localName} in ${lang}`).to.deep.equal([]);
      }
    });
  }

  for (const [lang, table] of Object.entries(TABLES) as [Locale, Messages][]) {
    it(`speaks ${lang} with no English chrome left in the planner, both views and the family's form`, async () => {
      const page = uniquePage(`i18n-plan-${lang}`);
      await seedPage({ id: page, owners: ['olga'] });
      const box = await fixture<HTMLDivElement>(html`<div lang=${lang}></div>`);
      const plan = new PlannerHarness(await mount('care-help-planner', { page, user: 'olga', host: await hostA(), parent: box }));
      await plan.ready();
      const tomorrow = addDays(plan.el.care.today(), 1);
      await plan.addTask({ kind: 'ride', title: 'Xyz', date: tomorrow, start: '09:00', end: '10:00', slots: 2, details: 'Qwv' });
      await waitFor(() => plan.titles().includes('Xyz') && plan.composer() === null, 'the task listed');
      const t = stringsFor(lang, table);
      const leftover = () => englishIn(chrome(plan.el), table);
      await settled(plan.el);
      expect(leftover(), `upcoming in ${lang}`).to.deep.equal([]);
      expect(chrome(plan.el)).to.include(t.kindRide);
      plan.part<HTMLButtonElement>('add-button')!.click();
      await plan.el.updateComplete;
      expect(leftover(), `the form in ${lang}`).to.deep.equal([]);
      await plan.show('month');
      await settled(plan.el);
      expect(leftover(), `month in ${lang}`).to.deep.equal([]);
    });
  }

  it('lays Arabic out right to left, in Arabic, with user text isolated so its punctuation stays put', async () => {
    const page = uniquePage('i18n-ar');
    await seedPage({ id: page, owners: ['olga'], follows: ['f1', 'f2', 'f3'], journal: [{ title: 'The doctors say.', body: 'Thank you!' }], wall: ['Get well soon!'] });
    const [a, b] = [await hostA(), await hostB()];
    const box = await fixture<HTMLDivElement>(html`<div lang="ar"></div>`);
    const { feed, wall, follow, journal, messages, button } = await three(box, page, { host: a }, { host: b });
    await waitFor(() => journal.titles().includes('The doctors say.') && messages.bodies().includes('Get well soon!') && button.count() !== null, 'content');
    for (const w of [journal, messages, button]) expect(w.dir(), w.el.localName).to.equal('rtl');

    // The parts holding user text take their direction from it.
    expect(journal.part('entry-title')?.getAttribute('dir')).to.equal('auto');
    expect(journal.part('entry-body')?.querySelector('.body')?.getAttribute('dir')).to.equal('auto');
    expect(messages.part('author')?.getAttribute('dir')).to.equal('auto');
    expect(messages.part('body')?.getAttribute('dir')).to.equal('auto');
    // A name inside a sentence is isolated (FSI…PDI, the text-level <bdi>).
    expect(journal.part('entry-meta')?.textContent).to.include(`بقلم \u2068Owner\u2069`);

    // As laid out: the title's full stop stays at its end (to the right), not flipped to the left.
    const title = textNodeWith(journal.root, 'The doctors say.');
    expect(xOf(title, 15, 16)).to.be.greaterThan(xOf(title, 0, 1));
    // "٣ متابعين": the count comes first, at the right, as Arabic reads.
    const count = button.part('count')!;
    expect(count.textContent).to.equal(stringsFor('ar', ar).followers(3));
    expect(count.getAttribute('dir')).to.equal('auto');
    const countText = textNodeWith(count, count.textContent!);
    expect(xOf(countText, 0, 1)).to.be.greaterThan(xOf(countText, 2, countText.length));
    await expect(feed).to.be.accessible();
    await expect(wall).to.be.accessible();
    await expect(follow).to.be.accessible();
  });

  it('keeps "1 follower" in order when English strings sit in a right-to-left layout', async () => {
    // Hebrew has no table: English strings, right-to-left layout (the page's direction).
    const page = uniquePage('i18n-he');
    await seedPage({ id: page, owners: ['olga'], follows: ['f1'] });
    const follow = new FollowHarness(await mount('care-follow-button', { page, host: await hostA(), attrs: { lang: 'he' } }));
    await waitFor(() => follow.count() !== null, 'count');
    expect(follow.dir()).to.equal('rtl');
    const text = textNodeWith(follow.part('count')!, 'follower');
    expect(text.textContent).to.equal('1 follower');
    expect(xOf(text, 0, 1)).to.be.lessThan(xOf(text, 2, text.length));
  });

  it('counts with all six Arabic plural forms', () => {
    const t = stringsFor('ar', ar);
    const n = new Intl.NumberFormat('ar');
    expect([0, 1, 2, 3, 11, 100].map((c) => t.followers(c))).to.deep.equal(['لا متابعين', 'متابع واحد', 'متابعان', `${n.format(3)} متابعين`, `${n.format(11)} متابعًا`, `${n.format(100)} متابع`]);
  });

  it('follows lang live: its own, an ancestor\u2019s across a shadow root, then the browser\u2019s languages', async () => {
    const page = uniquePage('i18n-live');
    await seedPage({ id: page, owners: ['olga'] });
    const outer = await fixture<HTMLDivElement>(html`<div lang="fr"></div>`);
    const inner = outer.attachShadow({ mode: 'open' });
    inner.innerHTML = '<section></section>';
    const el = await mount('care-journal-feed', { page, host: await hostA(), parent: inner.querySelector('section')! });
    await settled(el);
    const heading = () => new JournalHarness(el).heading();
    expect(heading()).to.equal(fr.journal);

    // The shadow host's lang changes: no property of the widget is touched.
    outer.lang = 'de';
    await waitFor(() => heading() === de.journal, 'German from the shadow host');
    // A nearer ancestor, inside the shadow root, wins; removing it falls back to the host's again.
    inner.querySelector('section')!.setAttribute('lang', 'pt-BR');
    await waitFor(() => heading() === pt.journal, 'Portuguese from the nearer ancestor');
    inner.querySelector('section')!.removeAttribute('lang');
    await waitFor(() => heading() === de.journal, 'German again');
    // Its own lang beats them all; Traditional Chinese has no table: English.
    el.lang = 'zh-CN';
    await waitFor(() => heading() === zh.journal, 'Simplified Chinese');
    el.lang = 'zh-TW';
    await waitFor(() => heading() === en.journal, 'English for Traditional Chinese');

    // No lang anywhere: the first of the browser's languages with a table. The browser's list
    // cannot change while a test runs, so this stands in for the visitor's setting.
    el.lang = '';
    outer.removeAttribute('lang');
    const docLang = document.documentElement.getAttribute('lang');
    document.documentElement.removeAttribute('lang');
    Object.defineProperty(navigator, 'languages', { value: ['ja', 'es-MX', 'en'], configurable: true });
    try {
      window.dispatchEvent(new Event('languagechange'));
      await waitFor(() => heading() === es.journal, 'Spanish from navigator.languages');
    } finally {
      delete (navigator as { languages?: unknown }).languages;
      if (docLang !== null) document.documentElement.setAttribute('lang', docLang);
    }
    window.dispatchEvent(new Event('languagechange'));
    await waitFor(() => heading() === en.journal, 'English');
  });

  it('validates the journal composer in the widget\u2019s language, not the browser\u2019s', async () => {
    const page = uniquePage('i18n-valid');
    await seedPage({ id: page, owners: ['olga'] });
    const el = await mount('care-journal-feed', { page, host: await hostA(), user: 'olga', attrs: { lang: 'fr' } });
    const journal = new JournalHarness(el);
    await waitFor(() => !!journal.composer(), 'composer');
    const t = stringsFor('fr', fr);
    const form = journal.composer()!;
    const title = form.querySelector<HTMLInputElement>('input[name=title]')!;
    const body = form.querySelector<HTMLTextAreaElement>('textarea[name=body]')!;
    form.requestSubmit();
    expect(title.validationMessage).to.equal(t.fieldRequired);
    expect(body.validationMessage).to.equal(t.fieldRequired);
    title.value = 'Xyz';
    body.value = '   ';
    form.requestSubmit();
    expect(title.validationMessage).to.equal('');
    expect(body.validationMessage).to.equal(t.fieldRequired);
    title.value = 'x'.repeat(LIMITS.titleMax + 1);
    body.value = 'ok';
    form.requestSubmit();
    expect(title.validationMessage).to.equal(t.fieldTooLong(LIMITS.titleMax));
    expect(t.fieldTooLong(LIMITS.titleMax)).to.include('caractères');
    // Nothing went out.
    expect(el.care.pending('journal')).to.have.length(0);
    expect(journal.unsent()).to.deep.equal([]);
  });
});
