/*
 * SPEC 7: a misconfiguration is never silent. A `token-url` that fails (404, not JSON, blocked
 * by CORS), a host never reached, or a missing `page` fires `care-error {code: 'config'}` with
 * a message naming the setting, logs it once, and shows a plain notice, never "offline". A
 * host that was online and then dropped is offline, not a configuration error.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { connectionFor } from '../../src/client/connection.js';
import '../../src/index.js';
import type { CareErrorDetail } from '../../src/events.js';
import { en } from '../../src/i18n/en.js';
import { serverUrl, uniquePage, waitFor } from './helpers.js';
import { WIDGET_TAGS as TAGS, harness, mount } from './harness.js';

const notice = (el: HTMLElement) => harness(el).notice();

/** Records `console.error` lines (and still prints them) while a test runs. */
let logged: string[] = [];
const consoleError = console.error;
beforeEach(() => {
  logged = [];
  console.error = (...args: unknown[]) => {
    logged.push(args.map(String).join(' '));
    consoleError.apply(console, args);
  };
});
afterEach(() => (console.error = consoleError));

/** Mounts the three widgets with the given settings and collects their care-error details. */
async function mountAll(attrs: { page?: string; host: string; tokenUrl?: string }): Promise<{ els: HTMLElement[]; errors: CareErrorDetail[][] }> {
  const errors: CareErrorDetail[][] = TAGS.map(() => []);
  const box = await fixture<HTMLDivElement>(html`<div></div>`);
  // With `host` given, each mount() puts its widget in the box at once: the three join in order.
  const els = await Promise.all(TAGS.map((tag, i) => mount(tag, { ...attrs, parent: box, loading: true, on: { 'care-error': (e) => errors[i]!.push(e.detail) } })));
  return { els, errors };
}

async function expectConfigError(attrs: { page?: string; host: string; tokenUrl?: string }, names: RegExp): Promise<void> {
  const { els, errors } = await mountAll(attrs);
  await waitFor(() => errors.every((e) => e.length > 0) && els.every((el) => notice(el) === en.misconfigured), 'care-error config and the notice in every widget');
  // Give a retrying connection time to fail again: still once per widget, one console line.
  await new Promise((r) => setTimeout(r, 1500));
  for (const [i, el] of els.entries()) {
    expect(errors[i], el.localName).to.have.length(1);
    expect(errors[i]![0]!.code).to.equal('config');
    expect(errors[i]![0]!.message).to.match(names);
    expect(notice(el)).to.equal(en.misconfigured);
    expect(harness(el).text()).not.to.contain(en.offline);
  }
  const lines = logged.filter((l) => names.test(l));
  // One line per setting: the shared connection logs it once; a missing page is each widget's own.
  expect(lines).to.have.length(attrs.page ? 1 : TAGS.length);
}

describe('misconfiguration (SPEC 7)', () => {
  beforeEach(() => localStorage.removeItem('care-widgets:outbox:v1'));

  it('a token-url answering 404 fires care-error config naming it, with a plain notice', async () => {
    await expectConfigError({ page: uniquePage('cfg-404'), host: await serverUrl(), tokenUrl: '/care-token?status=404' }, /^(\[care-widgets\] )?token-url \/care-token\?status=404 answered 404/);
  });

  it('a token-url that does not answer JSON fires care-error config', async () => {
    await expectConfigError({ page: uniquePage('cfg-json'), host: await serverUrl(), tokenUrl: '/README.md' }, /token-url \/README\.md is not JSON/);
  });

  it('a cross-origin token-url blocked by CORS fires care-error config', async () => {
    // The reference server's demo token route sends no CORS headers: the browser refuses it.
    const url = `${await serverUrl()}/demo/token`;
    await expectConfigError({ page: uniquePage('cfg-cors'), host: await serverUrl(), tokenUrl: url }, new RegExp(`token-url ${url.replace(/[.]/g, '\\.')} failed \\(CORS or network\\)`));
  });

  it('a host never reached fires care-error config naming host, not "offline"', async () => {
    // Port 9 (discard) on loopback: nothing listens.
    await expectConfigError({ page: uniquePage('cfg-host'), host: 'http://127.0.0.1:9' }, /host http:\/\/127\.0\.0\.1:9 unreachable/);
  });

  it('a missing page fires care-error config naming the page attribute', async () => {
    await expectConfigError({ host: await serverUrl() }, /page attribute missing/);
  });

  it('a host that was online and dropped is offline, not a configuration error', async () => {
    const host = await serverUrl();
    const { els, errors } = await mountAll({ page: 'jane-doe', host: host.replace('127.0.0.1', 'localhost') });
    await waitFor(() => els.every((el) => ['count', 'entry', 'message'].some((name) => harness(el).part(name) !== null)), 'the content');
    // The server goes away: reconnection attempts now meet a closed port.
    const manager = connectionFor(host.replace('127.0.0.1', 'localhost')).socket.io as unknown as { uri: string; engine: { close(): void } };
    manager.uri = 'http://127.0.0.1:9';
    manager.engine.close();
    // The first widget of the connection shows the full offline banner, the others a short "Offline".
    await waitFor(() => els.every((el) => notice(el).includes(en.offline) || notice(el).includes(en.offlineShort)), 'the offline notices');
    expect(els.filter((el) => notice(el).includes(en.offline)).length).to.equal(1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(errors.flat().filter((e) => e.code === 'config')).to.deep.equal([]);
    for (const el of els) expect(notice(el)).not.to.equal(en.misconfigured);
  });
});
