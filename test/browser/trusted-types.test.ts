/**
 * Trusted Types (SPEC section 7, issues 11 and 12): the script-tag build in a host page served
 * with a strict Content-Security-Policy (test/support/csp-fixture.mjs), in an iframe.
 *  - `trusted-types lit-html care-widgets`, the two policies the README names: every body
 *    renders with its content (never the text "null"), with no CSP violation at all;
 *  - a policy refused, the loader's (`default` alone, or `lit-html` alone, the README of
 *    before the loader) or Lit's (`care-widgets` alone): each widget shows a notice and fires
 *    `care-error {code: 'blocked_by_csp'}`, once;
 *  - no CSP: unchanged.
 */
import { expect } from '@open-wc/testing';
import { en } from '../../src/i18n/en.js';
import ar from '../../src/i18n/locales/ar.js';
import fr from '../../src/i18n/locales/fr.js';
import { seedPage, serverUrl, uniquePage, waitFor } from './helpers.js';

interface Probe extends Window {
  __violations: string[];
  __careErrors: { tag: string; code: string; message: string }[];
}

const BODY = 'Feeling **much better** today, see [the update](https://example.org/news).';

async function hostPage(tt: string | null, lang = 'en'): Promise<{ frame: HTMLIFrameElement; win: Probe; doc: Document }> {
  const host = await serverUrl();
  const page = uniquePage('csp');
  await seedPage({ id: page, owners: ['olga'], follows: ['f1'], journal: [{ title: 'Day 3', body: BODY }], wall: [BODY] });
  const frame = document.createElement('iframe');
  const q = new URLSearchParams({ host, page, lang });
  if (tt !== null) q.set('tt', tt);
  frame.src = `/csp-fixture.html?${q}`;
  document.body.append(frame);
  await new Promise((r) => frame.addEventListener('load', r, { once: true }));
  return { frame, win: frame.contentWindow as Probe, doc: frame.contentDocument! };
}

const part = (doc: Document, tag: string, name: string) => [...(doc.querySelector(tag)?.shadowRoot?.querySelectorAll(`[part~="${name}"]`) ?? [])];

describe('Trusted Types: the script-tag bundle under a host CSP', () => {
  it('trusted-types lit-html care-widgets: journal and wall bodies render their content, formatted, with no violation', async () => {
    const { frame, win, doc } = await hostPage('lit-html care-widgets');
    for (const [tag, name] of [['care-journal-feed', 'entry-body'], ['care-message-wall', 'body']] as const) {
      await waitFor(() => part(doc, tag, name).length > 0, `${tag} body`);
      const body = part(doc, tag, name)[0]!;
      expect(body.textContent, tag).to.contain('Feeling much better today');
      expect(body.textContent, tag).to.not.contain('null');
      expect(body.querySelector('strong')?.textContent, tag).to.equal('much better');
      expect(body.querySelector('a')?.getAttribute('href'), tag).to.equal('https://example.org/news');
    }
    await waitFor(() => (part(doc, 'care-follow-button', 'count')[0]?.textContent ?? '').includes('1'), 'follower count');
    expect(win.__careErrors).to.deep.equal([]);
    expect(win.__violations).to.deep.equal([]);
    frame.remove();
  });

  for (const [tt, refused] of [['default', 'care-widgets'], ['lit-html', 'care-widgets'], ['care-widgets', 'lit-html']] as const) {
    it(`trusted-types ${tt} (${refused} refused): every widget shows a notice and fires care-error blocked_by_csp once`, async () => {
      const { frame, win, doc } = await hostPage(tt);
      for (const tag of ['care-journal-feed', 'care-message-wall', 'care-follow-button']) {
        await waitFor(() => part(doc, tag, 'notice').length > 0, `${tag} notice`);
        const notice = part(doc, tag, 'notice')[0]!;
        expect(notice.getAttribute('role')).to.equal('alert');
        expect(notice.textContent).to.equal(en.cspBlocked);
      }
      // Time for a second report (the element chunks failing after the core's) to show, were there one.
      await new Promise((r) => setTimeout(r, 300));
      // In the order the stand-ins were defined, which differs by which policy was refused.
      expect(win.__careErrors.map((e) => [e.tag, e.code]).sort()).to.deep.equal([
        ['care-follow-button', 'blocked_by_csp'],
        ['care-journal-feed', 'blocked_by_csp'],
        ['care-message-wall', 'blocked_by_csp'],
      ]);
      expect(win.__careErrors[0]!.message).to.contain(`"${refused}"`);
      expect(win.__violations.some((v) => v.includes('trusted-types') && v.includes(refused)), win.__violations.join('\n')).to.equal(true);
      frame.remove();
    });
  }

  it('trusted-types default: the notice speaks the page\'s language, or the widget\'s own lang', async () => {
    const { frame, doc } = await hostPage('default', 'fr-CA');
    await waitFor(() => part(doc, 'care-message-wall', 'notice').length > 0, 'wall notice');
    expect(fr.cspBlocked).to.not.equal(en.cspBlocked);
    for (const tag of ['care-journal-feed', 'care-message-wall', 'care-follow-button']) expect(part(doc, tag, 'notice')[0]?.textContent, tag).to.equal(fr.cspBlocked);
    // A widget added later with its own lang speaks that one.
    const late = doc.createElement('care-follow-button');
    late.setAttribute('lang', 'ar');
    late.setAttribute('page', 'any');
    doc.body.append(late);
    expect(late.shadowRoot?.querySelector('[part~="notice"]')?.textContent).to.equal(ar.cspBlocked);
    frame.remove();
  });

  it('no CSP: unchanged', async () => {
    const { frame, win, doc } = await hostPage(null);
    await waitFor(() => part(doc, 'care-message-wall', 'body').length > 0, 'wall body');
    expect(part(doc, 'care-message-wall', 'body')[0]!.querySelector('strong')?.textContent).to.equal('much better');
    expect(win.__careErrors).to.deep.equal([]);
    frame.remove();
  });
});
