import { expect } from '@open-wc/testing';
import type {} from '../../src/loader/global.js';
import { seedPage, serverUrl, uniquePage, waitFor } from './helpers.js';

/** Loads the built classic script the way a webmaster's page does. */
function loadScript(src: string, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.dataset.careHost = host;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(s);
  });
}

describe('dist/care-widgets.js (script tag)', () => {
  it('defines the elements (once, loaded twice) when widgets come, reads data-care-host, and renders live widgets', async () => {
    const host = await serverUrl();
    const pageId = uniquePage('bundle');
    await seedPage({ id: pageId, owners: ['olga'], follows: ['f1', 'f2'], journal: [{ title: 'From the bundle', body: 'Hi' }], wall: ['Get well soon'] });
    const errors: string[] = [];
    window.addEventListener('error', (e) => errors.push(e.message));
    await loadScript('/dist/care-widgets.js', host);
    const first = window.CareWidgets;
    await loadScript('/dist/care-widgets.js', host);
    expect(window.CareWidgets).to.equal(first);
    expect(errors).to.deep.equal([]);
    expect(window.CareWidgets!.protocolVersion).to.equal(1);

    // The loader defines an element when one is on the page (test/browser/loader.test.ts).
    const box = document.createElement('div');
    box.innerHTML = `<care-follow-button page="${pageId}"></care-follow-button>
      <care-journal-feed page="${pageId}"></care-journal-feed>
      <care-message-wall page="${pageId}"></care-message-wall>`;
    document.body.append(box);
    await waitFor(() => ['care-journal-feed', 'care-message-wall', 'care-follow-button', 'care-page'].every((tag) => customElements.get(tag)), 'every element defined');
    const text = (tag: string) => box.querySelector(tag)!.shadowRoot?.textContent ?? '';
    await waitFor(() => text('care-journal-feed').includes('From the bundle'), 'journal');
    await waitFor(() => text('care-message-wall').includes('Get well soon'), 'wall');
    await waitFor(() => text('care-follow-button').includes('2'), 'follower count');
    box.remove();
  });
});

