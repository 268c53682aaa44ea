/*
 * The script-tag bundle's languages: English is inside it; another table is JSON the build
 * writes beside it (dist/locales/<code>.json), fetched once per page when a widget needs it.
 * Each page is an iframe, so each loads the bundle afresh, as a webmaster's page does.
 */
import { expect } from '@open-wc/testing';
import type {} from '../../src/loader/global.js';
import { en } from '../../src/i18n/en.js';
import fr from '../../src/i18n/locales/fr.js';
import { seedPage, serverUrl, uniquePage, waitFor } from './helpers.js';

interface Frame {
  win: Window & { seen?: { violations: string[]; errors: unknown[] } };
  doc: Document;
  text: (tag: string) => string;
}

async function page(head: string, body: string): Promise<Frame> {
  const f = document.createElement('iframe');
  // What the page saw: CSP violations and care-error events, from before the bundle runs.
  f.srcdoc = `<!doctype html><html lang="fr"><head>
    <script>window.seen = { violations: [], errors: [] };
      document.addEventListener('securitypolicyviolation', (e) => seen.violations.push(e.blockedURI));
      document.addEventListener('care-error', (e) => seen.errors.push(e.detail));</script>
    ${head}</head><body>${body}</body></html>`;
  const loaded = new Promise((resolve) => (f.onload = resolve));
  document.body.append(f);
  await loaded;
  const doc = f.contentDocument!;
  return { win: f.contentWindow as Frame['win'], doc, text: (tag) => doc.querySelector(tag)?.shadowRoot?.textContent ?? '' };
}

describe('dist/care-widgets.js languages', () => {
  it('a lang="fr" page loads locales/fr.json from beside the script once and renders French', async () => {
    const host = await serverUrl();
    const id = uniquePage('bundle-fr');
    await seedPage({ id, owners: ['olga'], follows: ['f1', 'f2'], journal: [{ title: 'Xyz', body: 'ok' }] });
    const { win, doc, text } = await page(
      `<script src="/dist/care-widgets.js" data-care-host="${host}"></script>`,
      `<care-follow-button page="${id}"></care-follow-button><care-journal-feed page="${id}"></care-journal-feed>`,
    );
    await waitFor(() => text('care-journal-feed').includes('Xyz') && text('care-follow-button').includes('2'), 'content');
    expect(doc.querySelector('care-journal-feed')!.shadowRoot!.querySelector('h2')!.textContent).to.equal(fr.journal);
    expect(text('care-follow-button')).to.include('2 abonnés');
    expect(text('care-journal-feed')).to.not.include(en.journal);
    const loads = win.performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/locales/'));
    expect(loads).to.deep.equal([new URL('/dist/locales/fr.json', location.href).href]);
    expect(win.seen!.errors).to.deep.equal([]);
  });

  it('falls back to English, quietly, when the table cannot load (a CSP connect-src without the bundle\u2019s origin)', async () => {
    const host = await serverUrl();
    const id = uniquePage('bundle-fr-csp');
    await seedPage({ id, owners: ['olga'], journal: [{ title: 'Xyz', body: 'ok' }] });
    // The backend is allowed (its socket works); the origin the bundle came from is not.
    const csp = `connect-src ${host} ${host.replace(/^http/, 'ws')}`;
    const { win, doc, text } = await page(
      `<meta http-equiv="Content-Security-Policy" content="${csp}"><script src="/dist/care-widgets.js" data-care-host="${host}"></script>`,
      `<care-journal-feed page="${id}"></care-journal-feed>`,
    );
    await waitFor(() => text('care-journal-feed').includes('Xyz'), 'content');
    expect(win.seen!.violations.some((u) => u.includes('/dist/locales/fr.json'))).to.equal(true);
    const root = doc.querySelector('care-journal-feed')!.shadowRoot!;
    expect(root.querySelector('h2')!.textContent).to.equal(en.journal);
    expect(root.querySelector('[role=alert]')).to.equal(null);
    expect(win.seen!.errors).to.deep.equal([]);
  });
});
