import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { connectionFor, releaseConnection, openConnections } from '../../src/client/connection.js';
import { waitFor, serverUrl, uniquePage, seedPage } from './helpers.js';

describe('client core', () => {
  it('shares one connection per host and closes it with the last holder', async () => {
    const url = await serverUrl();
    const a = connectionFor(url);
    expect(connectionFor(url + '/')).to.equal(a);
    a.acquire(null);
    a.acquire(null);
    await waitFor(() => a.state === 'online');
    expect(openConnections()).to.equal(1);
    releaseConnection(a);
    expect(a.socket.connected).to.equal(true);
    releaseConnection(a);
    expect(a.socket.connected).to.equal(false);
    expect(openConnections()).to.equal(0);
  });

  it('reads a seeded page through the store, and receives another client\'s post live in seq order', async () => {
    const url = await serverUrl();
    const pageId = uniquePage('client');
    await seedPage({ id: pageId, visibility: 'public', owners: ['olive'], journal: [{ title: 'Hello', body: 'First' }] });
    const c = connectionFor(url);
    c.acquire('/care-token?user=visitor1');
    const store = c.store(pageId);
    await waitFor(() => store.state.status === 'ready');
    expect(store.state.journal.map((e) => e.title)).to.deep.equal(['Hello']);
    const seqBefore = store.state.seq;
    await executeServerCommand('care-post', { user: 'olive', pageId, kind: 'journal', clientId: 'x1', title: 'Second', body: 'Live' });
    await waitFor(() => store.state.journal.length === 2);
    expect(store.state.journal[0]!.title).to.equal('Second');
    expect(store.state.seq).to.equal(seqBefore + 1);
    c.releaseStore(pageId);
    releaseConnection(c);
  });
});
