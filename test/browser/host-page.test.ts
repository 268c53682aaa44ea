/*
 * SPEC 7 on pages that do not know the widgets: a hostile host stylesheet stays out (inherited
 * text properties, the root font size), the `--care-*` knobs still theme them, and
 * `theme="auto"` follows the page's own `color-scheme` at the element, not the visitor's
 * system alone.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import '../../src/index.js';
import type { CareFollowButton } from '../../src/index.js';
import { seedPage, uniquePage, waitFor } from './helpers.js';
import { harness, mount } from './harness.js';

/** The computed style of a widget's `::part(name)`. */
const part = (el: HTMLElement, name: string) => {
  const found = harness(el).part(name);
  if (!found) throw new Error(`no ${name} part in ${el.localName}`);
  return getComputedStyle(found);
};

describe('a hostile host stylesheet', () => {
  let sheet: HTMLStyleElement;
  beforeEach(() => {
    sheet = document.createElement('style');
    sheet.textContent = `
      html { font-size: 10px; }
      html, body, * {
        text-align: right; letter-spacing: 5px; word-spacing: 7px; font-weight: 900; font-style: italic;
        font-variant: small-caps; line-height: 4; text-transform: uppercase; text-indent: 40px;
        white-space: pre; text-shadow: 1px 1px red; font-family: 'Comic Sans MS', cursive; font-size: 13px;
      }
      body { text-align: justify; }`;
    document.head.append(sheet);
  });
  afterEach(() => sheet.remove());

  it('does not reach the text inside the widgets (computed styles through parts)', async () => {
    const page = uniquePage('hostile');
    await seedPage({ id: page, journal: [{ title: 'Day one', body: 'All **good** today.' }] });
    const el = await mount('care-journal-feed', { page });
    await waitFor(() => harness(el).part('entry-body') !== null, 'the entry');
    for (const name of ['base', 'entry-body', 'entry-meta']) {
      const s = part(el, name);
      const where = `${name}: `;
      expect(where + s.textAlign).to.equal(where + 'start');
      expect(where + s.letterSpacing).to.equal(where + 'normal');
      expect(where + s.wordSpacing).to.equal(where + '0px');
      expect(where + s.fontWeight).to.equal(where + '400');
      expect(where + s.fontStyle).to.equal(where + 'normal');
      expect(where + s.fontVariantCaps).to.equal(where + 'normal');
      expect(where + s.textTransform).to.equal(where + 'none');
      expect(where + s.textIndent).to.equal(where + '0px');
      expect(where + s.whiteSpace).to.equal(where + 'normal');
      expect(where + s.textShadow).to.equal(where + 'none');
      expect(where + s.fontFamily).not.to.contain('Comic');
    }
    // 16px, not the page's 10px root or its 13px: line height 1.5 of that.
    expect(part(el, 'base').fontSize).to.equal('16px');
    expect(part(el, 'base').lineHeight).to.equal('24px');
    expect(part(el, 'entry-body').fontSize).to.equal('16px');
    expect(part(el, 'entry-title').letterSpacing).to.equal('normal');
  });

  it('still lets the --care-* custom properties theme the widgets', async () => {
    const el = await mount('care-follow-button', { page: 'jane-doe' });
    await waitFor(() => harness(el).count() !== null, 'the count');
    el.style.setProperty('--care-font-size', '20px');
    el.style.setProperty('--care-font-family', 'monospace');
    el.style.setProperty('--care-color-text', 'rgb(1, 2, 3)');
    const base = part(el, 'base');
    expect(base.fontSize).to.equal('20px');
    expect(base.lineHeight).to.equal('30px');
    expect(base.fontFamily).to.equal('monospace');
    expect(base.color).to.equal('rgb(1, 2, 3)');
    expect(part(el, 'count').fontSize).to.equal('20px');
    expect(part(el, 'count').letterSpacing).to.equal('normal');
  });
});

describe('theme="auto" follows the page color-scheme (SPEC 7)', () => {
  const LIGHT = 'rgb(255, 255, 255)'; // --care-color-surface, light
  const DARK = 'rgb(27, 33, 36)'; // and dark (#1b2124)
  const surface = (el: HTMLElement) => part(el, 'base').backgroundColor;
  const root = document.documentElement;
  let meta: HTMLMetaElement | null = null;

  /** A follow button (in `parent`, or a fixture of its own), its `theme` set once it is in the page. */
  async function widget(theme?: string, parent?: HTMLElement): Promise<CareFollowButton> {
    const el = await mount('care-follow-button', { page: 'jane-doe', parent });
    if (theme) el.setAttribute('theme', theme);
    await el.updateComplete;
    return el;
  }
  const becomes = (el: HTMLElement, color: string, what: string) => waitFor(() => surface(el) === color, what, 3000);

  afterEach(async () => {
    root.style.colorScheme = '';
    meta?.remove();
    meta = null;
    await emulateMedia({ colorScheme: 'light' });
  });

  it('is light on a page that never declared a color-scheme, even when the visitor prefers dark', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    const el = await widget();
    expect(getComputedStyle(el).colorScheme).to.equal('normal');
    expect(surface(el)).to.equal(LIGHT);
  });

  it('is dark on a page declaring "light dark" for a visitor who prefers dark, and follows the preference live', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    const el = await widget();
    root.style.colorScheme = 'light dark';
    await becomes(el, DARK, 'dark after the page declared light dark');
    await emulateMedia({ colorScheme: 'light' });
    await becomes(el, LIGHT, 'light after the visitor switched to light');
    await emulateMedia({ colorScheme: 'dark' });
    await becomes(el, DARK, 'dark again');
    root.style.colorScheme = 'light';
    await becomes(el, LIGHT, 'light after the page switched to light only');
  });

  it('is dark on a page that is dark only, whatever the visitor prefers', async () => {
    root.style.colorScheme = 'dark';
    const el = await widget();
    expect(surface(el)).to.equal(DARK);
  });

  it('follows the color-scheme where the element is, and a <meta name="color-scheme">', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    const dark = await widget(undefined, await fixture<HTMLDivElement>(html`<div style="color-scheme: dark"></div>`));
    const light = await widget();
    expect(surface(dark)).to.equal(DARK);
    expect(surface(light)).to.equal(LIGHT);
    meta = document.createElement('meta');
    meta.name = 'color-scheme';
    meta.content = 'light dark';
    document.head.append(meta);
    const withMeta = await widget();
    expect(surface(withMeta)).to.equal(DARK);
  });

  it('lets an explicit theme attribute win', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    root.style.colorScheme = 'dark';
    const light = await widget('light');
    expect(surface(light)).to.equal(LIGHT);
    root.style.colorScheme = '';
    const dark = await widget('dark');
    expect(surface(dark)).to.equal(DARK);
    dark.theme = 'auto';
    await dark.updateComplete;
    expect(surface(dark)).to.equal(LIGHT);
  });
});
