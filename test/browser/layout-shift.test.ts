/*
 * SPEC 7: widgets reserve their space before data arrives. A page like the demo (a hero with
 * the follow button, then the journal and the wall of `jane-doe`, the demo page the test
 * server seeds, then a footer) at 375×812 has a cumulative layout shift under 0.05 from the
 * moment the widgets are in the page to their first content. A layout metric, not a timing:
 * the score is the browser's own (Layout Instability API), whatever the speed of the machine.
 */
import { expect } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import '../../src/index.js';
import { serverUrl, waitFor } from './helpers.js';
import { FollowHarness, JournalHarness, WallHarness, mount, mountCarePage } from './harness.js';

interface LayoutShift extends PerformanceEntry {
  value: number;
}

/**
 * Starts recording layout shifts now; `total()` sums them. Stricter than CLS: shifts right
 * after "input" count too (Chromium counts the test's viewport change as input, and no
 * visitor input happens here).
 */
function recordShifts(): { total(): number } {
  const entries: LayoutShift[] = [];
  const observer = new PerformanceObserver((list) => entries.push(...(list.getEntries() as LayoutShift[])));
  observer.observe({ type: 'layout-shift' });
  return {
    total() {
      entries.push(...(observer.takeRecords() as LayoutShift[]));
      observer.disconnect();
      return entries.reduce((sum, e) => sum + e.value, 0);
    },
  };
}

const frames = (n: number) => new Promise<void>((r) => (n <= 0 ? r() : requestAnimationFrame(() => void frames(n - 1).then(r))));

describe('layout shift (SPEC 7)', () => {
  afterEach(() => document.querySelector('#cls-page')?.remove());

  it('a demo-like page with the three widgets shifts less than 0.05 from load to first content at 375×812', async () => {
    await setViewport({ width: 375, height: 812 });
    const host = await serverUrl();
    document.body.style.margin = '0';
    const page = document.createElement('div');
    page.id = 'cls-page';
    // The demo's layout, with its fonts and spacing written out (demo/index.html, demo.css).
    page.innerHTML = `
      <header style="background:#0a4f6b;color:#fff;padding:12px 24px;font:20px Georgia,serif">St. Brigid's Community Hospital</header>
      <main style="padding:24px;font-family:Georgia,serif;background:#f3f6f7">
        <section style="background:#fff;padding:20px 24px;margin-bottom:24px">
          <h1 style="margin:0 0 4px">Jane Doe</h1>
          <p>Orthopedics, Ward 4B · Knee replacement · Admitted November 2026</p>
        </section>
      </main>
      <footer style="background:#0a4f6b;color:#fff;padding:12px 24px">St. Brigid's Community Hospital is fictional.</footer>`;
    // The widgets go into the layout while it is still out of the document: the page arrives whole, as a parsed page would.
    const carePage = await mountCarePage({ page: 'jane-doe', host, parent: page.querySelector('main')! });
    carePage.innerHTML = '<div style="display:grid;gap:24px"></div>';
    const grid = carePage.firstElementChild!;
    const mounted = Promise.all([
      mount('care-follow-button', { page: 'jane-doe', host, parent: page.querySelector('section')!, loading: true }),
      // No settings of their own: the <care-page> names them.
      mount('care-journal-feed', { host: null, parent: grid, loading: true }),
      mount('care-message-wall', { host: null, parent: grid, loading: true }),
    ]);
    expect(page.querySelectorAll('care-follow-button, care-page care-journal-feed, care-page care-message-wall').length, 'the widgets in the layout').to.equal(3);
    await frames(2);
    const shifts = recordShifts();
    document.body.prepend(page);
    const [follow, journal, wall] = await mounted;
    const [button, entries, messages] = [new FollowHarness(follow), new JournalHarness(journal), new WallHarness(wall)];
    // The demo's four updates, the newest with a photo (its space reserved by width and height), and three messages.
    await waitFor(() => button.count() !== null && entries.titles().length === 4 && messages.bodies().length === 3, 'the first content of the three widgets');
    await frames(3);
    const cls = shifts.total();
    console.log(`[layout-shift] CLS from load to first content at 375x812: ${cls.toFixed(4)}`);
    expect(cls).to.be.below(0.05);
  });
});
