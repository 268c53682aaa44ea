/// <reference lib="dom" />
/**
 * The planner (SPEC 6.4) in real headless Chromium against the real server and the built
 * bundle: each person in their own browser context (own storage, own connection), as two
 * people on two computers. The family adds a task through the widget and sees a helper sign
 * up live; two helpers reach for the last spot at once; a task's details reach the volunteer
 * and the family and nothing of them reaches another reader, neither in the DOM nor in any
 * frame on the wire; a sign-up made offline is delivered once.
 *
 * Driven with puppeteer-core (the browser driver the other end-to-end test uses; Chromium's
 * own protocol gives every WebSocket frame and long-polling response the page receives).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import puppeteer, { type Browser, type BrowserContext, type ElementHandle, type Page } from 'puppeteer-core';
import { io, type Socket } from 'socket.io-client';
import { addDays, NAMESPACE, PROTOCOL_VERSION, todayIn, type Task, type TaskDraft } from '../../src/protocol/index.js';
import { createCareServer, type CareServer } from '../src/app.js';
import { configFromEnv } from '../src/config.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const WAIT = 15_000;

/*
 * The host page: one planner for the page and person in its query (`?page=…&as=…`; no `as`:
 * signed out). A script file, not inline: the demo directory is served under the demo's strict
 * Content-Security-Policy (script-src 'self', Trusted Types), as a hospital's page would be.
 */
const HOST_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>planner e2e</title>
<script src="planner-host.js" defer></script>
<script src="/dist/care-widgets.js" defer></script>
</head><body><main></main></body></html>`;
const HOST_JS = `(function () {
  var q = new URLSearchParams(location.search);
  var el = document.createElement('care-help-planner');
  el.setAttribute('page', q.get('page'));
  el.setAttribute('host', location.origin);
  if (q.get('as')) el.setAttribute('token-url', '/demo/token?user=' + encodeURIComponent(q.get('as')));
  document.querySelector('main').append(el);
})();`;

/** One person's browser: its own context, the planner open, and everything it received. */
interface Person {
  userId: string | null;
  context: BrowserContext;
  page: Page;
  /** The payload of every WebSocket frame and every long-polling response the page received. */
  wire: string[];
  /** How many of those were WebSocket frames (the test wants the socket, not only polling). */
  wsFrames: number;
  problems: string[];
}

describe('the planner, one browser context per person, in Chromium', { skip: existsSync(CHROME) ? false : `no Chromium at ${CHROME}` }, () => {
  let server: CareServer;
  let url: string;
  let browser: Browser;
  let dir: string;
  let adminToken: string;
  const people: Person[] = [];
  const sockets: Socket[] = [];
  const today = todayIn('UTC');

  before(async () => {
    assert.ok(existsSync(`${root}dist/care-widgets.js`), 'run the build first (npm test does)');
    dir = mkdtempSync(join(tmpdir(), 'care-planner-e2e-'));
    writeFileSync(join(dir, 'planner.html'), HOST_HTML);
    writeFileSync(join(dir, 'planner-host.js'), HOST_JS);
    // CARE_TIMEZONE unset: the hospital's zone is UTC, whatever this machine's is.
    const config = configFromEnv({ CARE_DB: 'sqlite::memory:', CARE_DEMO: '1', CARE_RATE_LIMITS: 'off' }, { distDir: `${root}dist`, demoDir: dir });
    server = await createCareServer(config);
    url = await server.listen(0, '127.0.0.1');
    adminToken = await tokenFor('admin');
    browser = await puppeteer.launch({
      executablePath: CHROME,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  after(async () => {
    for (const s of sockets) s.disconnect();
    for (const p of people) await p.context.close().catch(() => {});
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /* ------------------------------------------------------------------------- helpers */

  async function tokenFor(userId: string): Promise<string> {
    const res = await fetch(`${url}/demo/token?user=${encodeURIComponent(userId)}`);
    return ((await res.json()) as { token: string }).token;
  }

  async function rest(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json().catch(() => null) };
  }

  /** A fresh public page for one case, with its family. */
  async function newPage(owner: string, editors: string[] = []): Promise<string> {
    const id = `planner-e2e-${randomBytes(4).toString('hex')}`;
    const res = await rest('POST', '/api/pages', { id, title: 'Planner e2e', visibility: 'public', owners: [owner], editors });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return id;
  }

  /** A task made by the family over the socket (for the cases that are not about the form). */
  async function createTask(userId: string, pageId: string, draft: Partial<TaskDraft>): Promise<Task> {
    const socket = io(`${url}${NAMESPACE}`, { auth: { token: await tokenFor(userId), protocolVersion: PROTOCOL_VERSION }, transports: ['websocket'], forceNew: true, reconnection: false });
    sockets.push(socket);
    const task = { kind: 'errand', title: 'A task', date: addDays(today, 1), slots: 1, ...draft };
    const answer = await socket.timeout(WAIT).emitWithAck('task:create', { pageId, clientId: randomBytes(8).toString('hex'), task });
    socket.disconnect();
    assert.equal(answer.ok, true, JSON.stringify(answer));
    return answer.task as Task;
  }

  /** Opens the planner as `userId` (null: signed out) in a context of their own, recording the wire. */
  async function open(userId: string | null, pageId: string): Promise<Person> {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    const person: Person = { userId, context, page, wire: [], wsFrames: 0, problems: [] };
    people.push(person);
    const cdp = await page.createCDPSession();
    await cdp.send('Network.enable');
    cdp.on('Network.webSocketFrameReceived', (e) => {
      person.wsFrames++;
      person.wire.push(e.response.payloadData);
    });
    // Socket.IO starts on long-polling and upgrades: what came before the upgrade counts too.
    page.on('response', (r) => {
      if (!r.url().includes('/socket.io/') || r.request().method() !== 'GET') return;
      r.text().then(
        (text) => person.wire.push(text),
        () => {},
      );
    });
    // tsx compiles this file keeping function names (`__name(fn, "walk")`); the functions
    // handed to the page need that helper there too.
    await page.evaluateOnNewDocument('globalThis.__name = (fn) => fn;');
    page.on('pageerror', (e) => person.problems.push(`pageerror: ${String(e)}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) person.problems.push(`console: ${m.text()}`);
    });
    const q = new URLSearchParams({ page: pageId, ...(userId ? { as: userId } : {}) });
    await page.goto(`${url}/demo/planner.html?${q}`, { waitUntil: 'load' });
    await page.waitForSelector('care-help-planner >>> [part~=base]', { timeout: WAIT });
    return person;
  }

  /** The task (its `[part~=task]` element) whose title is `title`, once the person's planner shows it. */
  async function taskOf(p: Person, title: string): Promise<ElementHandle<Element>> {
    const handle = await p.page.waitForFunction(
      (t) => {
        // Every open shadow root under the planner: the views may be elements of their own.
        const roots: ParentNode[] = [];
        const walk = (r: ParentNode) => {
          roots.push(r);
          for (const el of Array.from(r.querySelectorAll('*'))) if (el.shadowRoot) walk(el.shadowRoot);
        };
        walk(document.querySelector('care-help-planner')!.shadowRoot!);
        for (const r of roots) {
          for (const el of Array.from(r.querySelectorAll('[part~=task]'))) if (el.querySelector('[part~=task-title] [dir=auto]')?.textContent?.trim() === t) return el;
        }
        return false;
      },
      { timeout: WAIT },
      title,
    );
    return handle as ElementHandle<Element>;
  }

  /** A part inside a task, waited for. */
  async function partOf(p: Person, title: string, part: string): Promise<ElementHandle<Element>> {
    const deadline = Date.now() + WAIT;
    for (;;) {
      const found = await (await taskOf(p, title)).$(`[part~=${part}]`);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`${p.userId}: no ${part} in "${title}"`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Waits until `test` holds for the text of the task's `part` (its trimmed textContent, '' when absent). */
  async function untilPart(p: Person, title: string, part: string, test: (text: string) => boolean, what: string): Promise<string> {
    const deadline = Date.now() + WAIT;
    let last = '';
    for (;;) {
      const task = await taskOf(p, title);
      last = await task.evaluate((el, part) => el.querySelector(`[part~=${part}]`)?.textContent?.replace(/\s+/g, ' ').trim() ?? '', part);
      if (test(last)) return last;
      if (Date.now() > deadline) throw new Error(`${p.userId}: ${what} (the ${part} says "${last}")`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The planner's whole rendered markup: the light DOM and every open shadow root under it. */
  const everything = (p: Person) =>
    p.page.evaluate(() => {
      const out: string[] = [document.documentElement.outerHTML];
      const walk = (r: ShadowRoot) => {
        out.push(r.innerHTML);
        for (const el of Array.from(r.querySelectorAll('*'))) if (el.shadowRoot) walk(el.shadowRoot);
      };
      for (const el of Array.from(document.querySelectorAll('*'))) if (el.shadowRoot) walk(el.shadowRoot);
      return out.join('\n');
    });

  /** The page's tasks as the hospital's export has them (details and volunteers). */
  async function exported(pageId: string): Promise<{ id: string; volunteers: { id: string }[]; details: string }[]> {
    const res = await rest('GET', `/api/pages/${pageId}/export`);
    assert.equal(res.status, 200);
    return res.body.tasks;
  }

  /** Drops the person's connection as a network outage does, after the browser went offline. */
  async function cutConnection(p: Person): Promise<void> {
    // Chromium's offline emulation refuses new requests and sockets but leaves an open
    // WebSocket alone; the server closes the transport, as a dead network would time it out.
    await p.page.setOfflineMode(true);
    for (const s of server.ns.sockets.values()) if (s.data.identity?.userId === p.userId) s.conn.close();
  }

  /* --------------------------------------------------------------------------- cases */

  it('(a) the family adds a task through the form; a helper sees it live and signs up; the family sees the volunteer live', async () => {
    const pageId = await newPage('fam-a');
    const family = await open('fam-a', pageId);
    const helper = await open('helper-a', pageId);

    // The family's form, behind its "Add a task" button.
    const root = 'care-help-planner >>> ';
    await (await family.page.waitForSelector(`${root}[part~=add-button]`, { timeout: WAIT }))!.click();
    const form = (await family.page.waitForSelector(`${root}form[part~=composer]`, { timeout: WAIT })) as ElementHandle<HTMLFormElement>;
    const title = 'Dinner for four';
    await form.evaluate(
      (f, v) => {
        const set = (name: string, value: string) => {
          const field = f.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | null;
          if (!field) throw new Error(`the form has no field "${name}"`);
          field.value = value;
          field.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
          field.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
        };
        set('kind', 'meal');
        set('title', v.title);
        set('date', v.date);
        set('start', '18:00');
        set('end', '19:00');
        set('slots', '2');
        set('details', 'Leave it on the porch. No nuts, please.');
      },
      { title, date: addDays(today, 1) },
    );
    await form.evaluate((f) => f.requestSubmit());

    // The helper's planner shows it live, and they sign up.
    await (await partOf(helper, title, 'signup-button')).click();
    await untilPart(helper, title, 'volunteers', (t) => t.includes('helper-a'), 'the helper sees themself signed up');
    // The family sees the volunteer live, and the spots left.
    await untilPart(family, title, 'volunteers', (t) => t.includes('helper-a'), 'the family sees the volunteer live');
    const [task] = await exported(pageId);
    assert.deepEqual(
      task!.volunteers.map((v) => v.id),
      ['helper-a'],
    );
    // The built bundle draws the kind's pictogram as separate shapes (its HTML minifier drops
    // self-closing slashes: written `<path/>`, the bowl's steam would nest inside the bowl).
    const shapes = await family.page.evaluate(() => {
      const svg = document.querySelector('care-help-planner')!.shadowRoot!.querySelector('[part~=task-title] svg');
      return svg ? Array.from(svg.children).map((c) => `${c.localName}:${c.children.length}`) : null;
    });
    assert.deepEqual(shapes, ['path:0', 'path:0'], 'the meal bowl and its steam, side by side');
    assert.deepEqual([...family.problems, ...helper.problems], []);
  });

  it('(b) two helpers take the last spot at the same moment: one gets it, the other is told plainly', async () => {
    const pageId = await newPage('fam-b');
    const title = 'Ride to the clinic';
    await createTask('fam-b', pageId, { kind: 'ride', title, start: '09:00', slots: 1 });
    const one = await open('racer-one', pageId);
    const two = await open('racer-two', pageId);
    await Promise.all([partOf(one, title, 'signup-button'), partOf(two, title, 'signup-button')]);
    // The same moment: each page clicks at one agreed instant on the machine's clock, so
    // neither can have heard of the other's sign-up before its own click (a click on a task
    // already shown full is not sent: that would be no race).
    const at = Date.now() + 300;
    await Promise.all(
      [one, two].map((p) =>
        p.page.evaluate(
          (t, when) =>
            new Promise<void>((resolve) => {
              setTimeout(() => {
                const task = Array.from(document.querySelector('care-help-planner')!.shadowRoot!.querySelectorAll('[part~=task]')).find((el) => el.querySelector('[part~=task-title] [dir=auto]')?.textContent?.trim() === t);
                task!.querySelector<HTMLButtonElement>('[part~=signup-button]')!.click();
                resolve();
              }, when - Date.now());
            }),
          title,
          at,
        ),
      ),
    );

    const stored = await (async () => {
      const deadline = Date.now() + WAIT;
      for (;;) {
        const [task] = await exported(pageId);
        if (task!.volunteers.length > 0 || Date.now() > deadline) return task!;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    assert.equal(stored.volunteers.length, 1, 'exactly one volunteer stored');
    const winnerId = stored.volunteers[0]!.id;
    const [winner, loser] = winnerId === 'racer-one' ? [one, two] : [two, one];
    await untilPart(winner, title, 'volunteers', (t) => t.includes(winnerId), 'the winner sees themself signed up');
    // The other is told in plain words, and is not listed as a volunteer anywhere.
    await loser.page.waitForFunction(
      () => /someone just took the last spot/i.test(document.querySelector('care-help-planner')?.shadowRoot?.querySelector('[part~=notice]')?.textContent ?? ''),
      { timeout: WAIT },
    );
    const loserId = loser.userId!;
    await untilPart(loser, title, 'volunteers', (t) => t.includes(winnerId) && !t.includes(loserId), 'the loser sees the winner, not themself');
    assert.ok(!(await winner.page.evaluate(() => document.querySelector('care-help-planner')!.shadowRoot!.textContent ?? '')).includes(loserId));
    // After it all settled, still one.
    const [task] = await exported(pageId);
    assert.deepEqual(
      task!.volunteers.map((v) => v.id),
      [winnerId],
    );
  });

  it('(c) details reach the volunteer and the family, and nothing of them another reader: not the DOM, not one frame', async () => {
    const pageId = await newPage('fam-c', ['fam-c-editor']);
    const marker = `Door code ${randomBytes(5).toString('hex')}`;
    const title = 'Walk the dog';
    // The reader is there from the start: every event about the task reaches them.
    const reader = await open('reader-c', pageId);
    const anonymous = await open(null, pageId);
    const family = await open('fam-c-editor', pageId);
    const volunteer = await open('volunteer-c', pageId);
    await createTask('fam-c', pageId, { title, slots: 2, details: marker });

    await untilPart(family, title, 'details', (t) => t.includes(marker), 'the family sees the details');
    // Before signing up, the volunteer-to-be sees the task but not its details.
    await taskOf(volunteer, title);
    assert.ok(!(await everything(volunteer)).includes(marker));
    await (await partOf(volunteer, title, 'signup-button')).click();
    await untilPart(volunteer, title, 'details', (t) => t.includes(marker), 'the volunteer sees the details once signed up');
    await untilPart(reader, title, 'volunteers', (t) => t.includes('volunteer-c'), 'the reader sees the sign-up live');
    await untilPart(anonymous, title, 'volunteers', (t) => t.includes('volunteer-c'), 'a signed-out reader sees it too');

    // A reload of each reader: the snapshot path, besides the live one.
    await reader.page.reload({ waitUntil: 'load' });
    await anonymous.page.reload({ waitUntil: 'load' });
    await untilPart(reader, title, 'volunteers', (t) => t.includes('volunteer-c'), 'the reader after a reload');
    await untilPart(anonymous, title, 'volunteers', (t) => t.includes('volunteer-c'), 'the signed-out reader after a reload');

    // The recording sees details where they are sent: the family's and the volunteer's wire has them.
    for (const p of [family, volunteer]) assert.ok(p.wire.some((f) => f.includes(marker)), `${p.userId}: the details on the wire`);
    for (const p of [reader, anonymous]) {
      assert.ok(p.wsFrames > 0, `${p.userId ?? 'anonymous'}: the widget talked over a WebSocket`);
      assert.ok(
        p.wire.some((f) => f.includes(title)),
        `${p.userId ?? 'anonymous'}: the recording holds the task (so it would hold its details)`,
      );
      const leaked = p.wire.filter((f) => f.includes(marker));
      assert.deepEqual(leaked, [], `${p.userId ?? 'anonymous'}: no frame carries the details`);
      assert.ok(!(await p.page.content()).includes(marker));
      assert.ok(!(await everything(p)).includes(marker), `${p.userId ?? 'anonymous'}: no DOM holds the details`);
      const shadow = await p.page.evaluate(() => document.querySelector('care-help-planner')!.shadowRoot!.innerHTML);
      assert.ok(shadow.includes(title) && !shadow.includes(marker));
    }

    // "I can't any more": from that change on the details are the family's only again, and
    // the volunteer's widget drops the ones it held.
    await (await partOf(volunteer, title, 'withdraw-button')).click();
    await untilPart(volunteer, title, 'details', (t) => t === '', 'the details gone after withdrawing');
    await untilPart(family, title, 'volunteers', (t) => !t.includes('volunteer-c'), 'the family sees the volunteer gone');
    assert.ok(!(await everything(volunteer)).includes(marker));
    assert.deepEqual([...reader.problems, ...anonymous.problems, ...family.problems, ...volunteer.problems], []);
  });

  it('(d) a sign-up made offline waits, shows as pending, and is delivered once when back online', async () => {
    const pageId = await newPage('fam-d');
    const title = 'Pharmacy pickup';
    await createTask('fam-d', pageId, { title, slots: 2 });
    const helper = await open('offline-d', pageId);
    await partOf(helper, title, 'signup-button');
    await cutConnection(helper);
    await helper.page.waitForFunction(() => /offline/i.test(document.querySelector('care-help-planner')?.shadowRoot?.textContent ?? ''), { timeout: WAIT });

    await (await partOf(helper, title, 'signup-button')).click();
    // Pending: the intent waits in the outbox; the task says so, and the server has nothing yet.
    await helper.page.waitForFunction(
      (t) => {
        const task = Array.from(document.querySelector('care-help-planner')!.shadowRoot!.querySelectorAll('[part~=task]')).find((el) => el.querySelector('[part~=task-title] [dir=auto]')?.textContent?.trim() === t);
        return /signing you up/i.test(task?.querySelector('.pending')?.textContent ?? '');
      },
      { timeout: WAIT },
      title,
    );
    assert.deepEqual((await exported(pageId))[0]!.volunteers, []);

    await helper.page.setOfflineMode(false);
    await untilPart(helper, title, 'volunteers', (t) => t.includes('offline-d'), 'the sign-up delivered after reconnecting');
    const [task] = await exported(pageId);
    assert.deepEqual(
      task!.volunteers.map((v) => v.id),
      ['offline-d'],
    );
    // Once: one sign-up in the audit log.
    const audit = await rest('GET', `/api/pages/${pageId}/audit?limit=1000`);
    assert.equal(audit.status, 200);
    const signups = (audit.body.entries as { action: string; userId?: string }[]).filter((e) => e.action === 'task.signup');
    assert.equal(signups.length, 1, JSON.stringify(signups));
  });
});
