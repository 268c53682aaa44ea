/**
 * The Web Push helpers (src/client/push.ts) in real headless Chromium, which has the Push API
 * but grants no notification permission: subscribing is refused before anything is registered,
 * and the page-wide `pushWorker` setting resolves against the page.
 */
import { expect } from '@open-wc/testing';
import { pushPermission, pushSubscriptionOf, pushSupported, subscribePush, unsubscribePush } from '../../src/client/push.js';
import { configure, configureFromScript, pushWorkerUrl } from '../../src/client/settings.js';

const WORKER = '/dist/care-push-sw.js';
/** A VAPID public key's form: 65 bytes, an uncompressed P-256 point, base64url. */
const VAPID_KEY = `BA${'A'.repeat(85)}`;

describe('Web Push helpers', () => {
  afterEach(() => {
    configure({ pushWorker: undefined });
    configureFromScript(document.createElement('script'));
  });

  it('pushSupported() answers: Chromium on a secure origin has service workers, the Push API and notifications', () => {
    expect(window.isSecureContext).to.equal(true);
    expect(pushSupported()).to.equal(true);
    expect(['default', 'denied']).to.include(pushPermission());
  });

  it('subscribePush() without the permission resolves to null, and registers no worker', async () => {
    expect(await subscribePush(WORKER, VAPID_KEY)).to.equal(null);
    const scopes = (await navigator.serviceWorker.getRegistrations()).map((r) => r.scope);
    expect(scopes.filter((s) => s.includes('care-widgets-push'))).to.deep.equal([]);
    expect(await pushSubscriptionOf(WORKER)).to.equal(null);
    expect(await unsubscribePush(WORKER)).to.equal(null);
  });

  it('the push worker setting: none by default, configure() above the script tag, resolved against the page', () => {
    expect(pushWorkerUrl()).to.equal(null);
    const script = document.createElement('script');
    script.dataset['carePushWorker'] = '/care-push-sw.js';
    configureFromScript(script);
    expect(pushWorkerUrl()).to.equal(`${location.origin}/care-push-sw.js`);
    configure({ pushWorker: 'push/care-push-sw.js' });
    expect(pushWorkerUrl()).to.equal(new URL('push/care-push-sw.js', document.baseURI).href);
  });
});
