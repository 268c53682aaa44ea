import { expect } from '@open-wc/testing';
import type {} from '../../src/loader/global.js';
import { seedPage, serverUrl, uniquePage, waitFor } from './helpers.js';

describe('dist/care-widgets.js with widgets already in the page', () => {
  it('applies data-care-host, data-care-token-url and data-care-outbox to elements that upgrade when the script runs', async () => {
    const host = await serverUrl();
    const pageId = uniquePage('bundle-pre');
    await seedPage({ id: pageId, owners: ['olga'], journal: [{ title: 'Before the script', body: 'x' }] });
    // As on a webmaster's page: the elements are parsed before the deferred script runs.
    const box = document.createElement('div');
    box.innerHTML = `<care-journal-feed page="${pageId}"></care-journal-feed>`;
    document.body.append(box);
    await new Promise<void>((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/dist/care-widgets.js';
      s.dataset.careHost = host;
      s.dataset.careTokenUrl = '/care-token?user=olga';
      s.dataset.careOutbox = 'session';
      s.onload = () => resolve();
      s.onerror = () => reject(new Error('script failed'));
      document.head.append(s);
    });
    const root = () => box.querySelector('care-journal-feed')!.shadowRoot;
    await waitFor(() => (root()?.textContent ?? '').includes('Before the script'), 'content from data-care-host');
    // Signed in as the owner from the first connection: the composer is there.
    await waitFor(() => !!root()?.querySelector('form[part=composer]'), 'owner composer from data-care-token-url');
    const c = window.CareWidgets!.connectionFor(host);
    expect(c.userId).to.equal('olga');
    // data-care-outbox="session": an unsent post waits in sessionStorage, never in localStorage.
    c.socket.disconnect();
    const entry = c.post(pageId, 'wall', { body: 'Unsent' })!;
    expect(sessionStorage.getItem('care-widgets:outbox:v1')).to.include(entry.clientId);
    expect(localStorage.getItem('care-widgets:outbox:v1') ?? '').to.not.include(entry.clientId);
    window.CareWidgets!.clearOutbox();
    expect(sessionStorage.getItem('care-widgets:outbox:v1')).to.equal(null);
    box.remove();
  });
});
