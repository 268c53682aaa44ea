/*
 * <care-help-planner> against the real server, in two windows (two connections, two users):
 * the family adds a task and sees a helper sign up live; details reach only the family and
 * the task's volunteers; the last spot goes to one of two, the other is told plainly; a
 * sign-up made offline arrives once; a cancelled task reaches its volunteer with the note;
 * repeats; the form's validation; a backend without the feature; both views by keyboard alone.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/index.js';
import { connectionFor } from '../../src/client/connection.js';
import type { CareHelpPlanner } from '../../src/index.js';
import type { CarePostedDetail } from '../../src/events.js';
import { addDays } from '../../src/protocol/index.js';
import { PlannerHarness, mount } from './harness.js';
import { firstWaveUrl, otherHost, seedPage, serverUrl, uniquePage, waitFor } from './helpers.js';

async function planner(page: string, user: string | null, host?: string, attrs?: Record<string, string>): Promise<PlannerHarness> {
  return new PlannerHarness(await mount('care-help-planner', { page, user, host: host ?? (await serverUrl()), ...(attrs ? { attrs } : {}) })).ready();
}

/** The hospital's today as the widget knows it, and a day `n` after it. */
const day = (p: PlannerHarness, n = 0) => addDays(p.el.care.today(), n);

describe('<care-help-planner>', () => {
  it('the family adds a task, a helper in another window sees it live and signs up, the family sees the volunteer live', async () => {
    const page = uniquePage('plan-live');
    await seedPage({ id: page, owners: ['olga'] });
    const family = await planner(page, 'olga');
    const helper = await planner(page, 'hal', await otherHost());
    expect(helper.part('add-button')).to.equal(null);
    expect(helper.titles()).to.deep.equal([]);

    const posted: CarePostedDetail[] = [];
    family.el.addEventListener('care-posted', (e) => posted.push(e.detail));
    await family.addTask({ kind: 'meal', title: 'Dinner for 4', date: day(family, 1), start: '18:00', end: '19:00', slots: 2, details: '12 Elm St, door code 4711, no nuts' });
    await waitFor(() => family.titles().includes('Dinner for 4'), 'the family to see the task');
    expect(family.composer()).to.equal(null);
    expect(posted.map((p) => p.kind)).to.deep.equal(['task']);
    expect(family.in('Dinner for 4', 'details')?.textContent).to.include('door code 4711');

    await waitFor(() => helper.titles().includes('Dinner for 4'), 'the helper to see it live');
    expect(helper.in('Dinner for 4', 'spots')?.textContent?.trim()).to.equal('2 of 2 spots left');
    expect(helper.in('Dinner for 4', 'task-meta')?.textContent).to.match(/Meal/);
    // Not signed up: the details are not in the helper's DOM, nor in what the page's store holds.
    expect(helper.in('Dinner for 4', 'details')).to.equal(null);
    expect(helper.root.innerHTML).to.not.include('4711');
    expect(JSON.stringify(helper.el.care.state)).to.not.include('4711');

    const helped: CarePostedDetail[] = [];
    helper.el.addEventListener('care-posted', (e) => helped.push(e.detail));
    helper.press('Dinner for 4', 'signup-button');
    await waitFor(() => helper.in('Dinner for 4', 'withdraw-button') !== null && helper.in('Dinner for 4', 'details') !== null, 'the helper signed up, with the details');
    expect(helper.in('Dinner for 4', 'details')?.textContent).to.include('12 Elm St');
    // The viewer's own tasks come first, under their own heading.
    expect(helper.part('day-heading')?.textContent).to.equal('Your tasks');
    expect(helper.in('Dinner for 4', 'ics-link')).to.not.equal(null);
    // "Add to calendar": the task's .ics, fetched with the helper's own token, handed to the download.
    const downloads: { name: string; text: Promise<string> }[] = [];
    const grab = (e: Event) => {
      const a = e.target as HTMLAnchorElement;
      if (a.localName !== 'a' || !a.download) return;
      e.preventDefault();
      downloads.push({ name: a.download, text: fetch(a.href).then((r) => r.text()) });
    };
    document.addEventListener('click', grab, true);
    helper.press('Dinner for 4', 'ics-link');
    await waitFor(() => downloads.length === 1, 'the calendar file');
    document.removeEventListener('click', grab, true);
    expect(downloads[0]!.name).to.match(/\.ics$/);
    const ics = await downloads[0]!.text;
    expect(ics).to.include('BEGIN:VCALENDAR');
    expect(ics).to.include('Dinner for 4');
    await waitFor(() => helped.length === 1, 'care-posted for the sign-up');
    expect(helped[0]!.kind).to.equal('signup');

    await waitFor(() => family.volunteers('Dinner for 4').includes('hal'), 'the family to see the volunteer live');
    expect(family.in('Dinner for 4', 'spots')?.textContent?.trim()).to.equal('1 of 2 spots left');
    await waitFor(() => family.announced().includes('Someone signed up for'), 'the family told');
    // Tomorrow is this week unless today ends the week.
    expect(family.part('summary')?.textContent?.replace(/[\u2068\u2069]/g, '')).to.match(/^This week: (0 covered and 1 still open|no tasks yet\.)$/);

    // Withdrawing stops the details from that change on.
    helper.press('Dinner for 4', 'withdraw-button');
    await waitFor(() => helper.in('Dinner for 4', 'signup-button') !== null && helper.in('Dinner for 4', 'details') === null, 'withdrawn, without the details');
    await waitFor(() => !helper.root.innerHTML.includes('4711'), 'no details left in the DOM');
    await waitFor(() => family.volunteers('Dinner for 4').length === 0, 'the family sees the withdrawal');
  });

  it('the last spot goes to one; the other is told plainly and gets the button back', async () => {
    const page = uniquePage('plan-race');
    await seedPage({ id: page, owners: ['olga'] });
    const family = await planner(page, 'olga');
    await family.addTask({ kind: 'ride', title: 'Ride to chemo', date: day(family, 2), slots: 1 });
    await waitFor(() => family.titles().includes('Ride to chemo'), 'the task');
    family.el.remove();

    const ann = await planner(page, 'ann');
    const bob = await planner(page, 'bob', await otherHost());
    await waitFor(() => bob.titles().includes('Ride to chemo'), 'bob sees it');
    // Bob clicks while his connection is down; Ann takes the spot meanwhile.
    const conn = connectionFor(await otherHost());
    conn.socket.disconnect();
    await waitFor(() => conn.state === 'offline', 'offline');
    bob.press('Ride to chemo', 'signup-button');
    await waitFor(() => bob.in('Ride to chemo', 'withdraw-button') !== null, 'bob sees his click at once');
    ann.press('Ride to chemo', 'signup-button');
    await waitFor(() => ann.in('Ride to chemo', 'withdraw-button') !== null && ann.el.care.pending('signup').length === 0, 'ann has the spot');

    const errors: string[] = [];
    bob.el.addEventListener('care-error', (e) => errors.push(e.detail.code));
    conn.socket.connect();
    await waitFor(() => bob.notices().some((n) => n.includes('Someone just took the last spot.')), 'the plain notice');
    expect(errors).to.include('conflict');
    await waitFor(() => bob.in('Ride to chemo', 'signup-button') !== null, 'the button back');
    expect(bob.in('Ride to chemo', 'signup-button')!.getAttribute('aria-disabled')).to.equal('true');
    expect(bob.in('Ride to chemo', 'spots')?.textContent?.trim()).to.equal('Full');
    expect(bob.volunteers('Ride to chemo')).to.deep.equal(['ann']);
  });

  it('keeps a sign-up made offline as pending and delivers it once after reconnecting', async () => {
    const page = uniquePage('plan-offline');
    await seedPage({ id: page, owners: ['olga'] });
    const family = await planner(page, 'olga');
    await family.addTask({ kind: 'errand', title: 'Pharmacy pickup', date: day(family, 1), slots: 3 });
    const helper = await planner(page, 'hal', await otherHost());
    await waitFor(() => helper.titles().includes('Pharmacy pickup'), 'the helper sees it');
    const conn = connectionFor(await otherHost());
    conn.socket.disconnect();
    await waitFor(() => conn.state === 'offline', 'offline');
    // On, off, on: the last click wins, shown at once as pending.
    helper.press('Pharmacy pickup', 'signup-button');
    await waitFor(() => helper.in('Pharmacy pickup', 'withdraw-button') !== null, 'on');
    helper.press('Pharmacy pickup', 'withdraw-button');
    await waitFor(() => helper.in('Pharmacy pickup', 'signup-button') !== null, 'off');
    helper.press('Pharmacy pickup', 'signup-button');
    await waitFor(() => helper.in('Pharmacy pickup', 'withdraw-button') !== null, 'on again');
    expect(helper.task('Pharmacy pickup')!.textContent).to.include('Signing you up\u2026');
    expect(helper.in('Pharmacy pickup', 'spots')?.textContent?.trim()).to.equal('2 of 3 spots left');
    expect(helper.el.care.pending('signup').length).to.equal(1);
    expect(family.volunteers('Pharmacy pickup')).to.deep.equal([]);

    conn.socket.connect();
    await waitFor(() => family.volunteers('Pharmacy pickup').includes('hal'), 'delivered');
    await waitFor(() => helper.el.care.pending('signup').length === 0 && !helper.task('Pharmacy pickup')!.textContent!.includes('Signing you up'), 'no longer pending');
    // Once: a fresh reader sees one volunteer.
    family.el.remove();
    const again = await planner(page, 'olga');
    await waitFor(() => again.titles().includes('Pharmacy pickup'), 'a fresh snapshot');
    expect(again.volunteers('Pharmacy pickup')).to.deep.equal(['hal']);
    expect(again.in('Pharmacy pickup', 'spots')?.textContent?.trim()).to.equal('2 of 3 spots left');
  });

  it('tells a volunteer their task was cancelled, with the family note; edits reach them live', async () => {
    const page = uniquePage('plan-cancel');
    await seedPage({ id: page, owners: ['olga'] });
    const family = await planner(page, 'olga');
    await family.addTask({ kind: 'visit', title: 'Afternoon visit', date: day(family, 3), start: '15:00', slots: 1 });
    const helper = await planner(page, 'hal', await otherHost());
    await waitFor(() => helper.titles().includes('Afternoon visit'), 'seen');
    helper.press('Afternoon visit', 'signup-button');
    await waitFor(() => family.volunteers('Afternoon visit').includes('hal'), 'signed up');

    // Edit: the title and the time change for everyone.
    family.press('Afternoon visit', 'edit-button');
    await waitFor(() => family.composer() !== null, 'the edit form');
    expect((family.composer()!.elements.namedItem('title') as HTMLInputElement).value).to.equal('Afternoon visit');
    family.fill({ title: 'Evening visit', start: '18:00', end: '19:30' });
    family.composer()!.requestSubmit();
    await waitFor(() => helper.titles().includes('Evening visit') && family.composer() === null, 'the edit saved, and live');
    expect(helper.in('Evening visit', 'task-meta')?.textContent).to.match(/6:00\s?–\s?7:30\sPM|18:00/);

    family.press('Evening visit', 'cancel-button');
    await waitFor(() => family.part('confirm') !== null, 'the confirmation');
    expect(family.part('confirm')!.textContent).to.include('Cancel \u201c\u2068Evening visit\u2069\u201d for everyone?');
    family.part('confirm')!.querySelector('textarea')!.value = 'Mum is resting today, thank you!';
    family.part<HTMLButtonElement>('confirm')!.querySelector<HTMLButtonElement>('.confirm-yes')!.click();
    await waitFor(() => !family.titles().includes('Evening visit'), 'gone for the family');
    await waitFor(() => !helper.titles().includes('Evening visit'), 'gone for the helper');
    await waitFor(() => helper.notices().some((n) => n.includes('A task you signed up for was cancelled') && n.includes('Mum is resting today')), 'the volunteer told, with the note');
  });

  it('adds a repeating task as one task per day, and checks the form in the widget language', async () => {
    const page = uniquePage('plan-repeat');
    await seedPage({ id: page, owners: ['olga'], editors: ['eda'] });
    const family = await planner(page, 'eda', undefined, { lang: 'fr' });
    await family.addTask({ kind: 'meal', title: 'Soupe', date: day(family, 1), start: '12:00', end: '11:00' });
    await waitFor(() => Object.keys(family.invalid()).length > 0, 'a validation message');
    expect(family.invalid()).to.deep.equal({ end: 'La fin doit être après le début.' });
    family.fill({ start: '', end: '13:00' });
    family.composer()!.requestSubmit();
    expect(family.invalid()).to.deep.equal({ start: 'Veuillez aussi indiquer une heure de début.' });
    family.fill({ title: '', start: '12:00' });
    family.composer()!.requestSubmit();
    expect(family.invalid()).to.deep.equal({ title: 'Veuillez remplir ce champ.' });
    family.fill({ title: 'Soupe', date: day(family, -1) });
    family.composer()!.requestSubmit();
    expect(family.invalid()).to.deep.equal({ date: 'Veuillez choisir aujourd\u2019hui ou un jour ultérieur.' });
    family.fill({ date: day(family, 1), repeat: 'day', until: day(family, 3) });
    family.composer()!.requestSubmit();
    await waitFor(() => family.titles().filter((t) => t === 'Soupe').length === 3, 'three occurrences');
    expect(family.parts('day-heading').length).to.equal(3);
  });

  it('shows a polite notice instead of the planner on a backend without the feature', async () => {
    const el = await mount('care-help-planner', { page: 'jane-doe', user: 'jane', host: await firstWaveUrl() });
    const p = new PlannerHarness(el);
    await waitFor(() => p.notice() !== '', 'the notice');
    expect(p.notice()).to.equal('The help planner is not available on this site.');
    expect(p.part('toolbar')).to.equal(null);
  });

  it('signed-out readers see the tasks and "Sign in to help" instead of buttons', async () => {
    const page = uniquePage('plan-anon');
    await seedPage({ id: page, owners: ['olga'] });
    const family = await planner(page, 'olga');
    await family.addTask({ kind: 'other', title: 'Walk the dog', date: day(family, 1), details: 'Leash by the door' });
    await waitFor(() => family.titles().includes('Walk the dog'), 'added');
    const reader = await planner(page, null, await otherHost());
    await waitFor(() => reader.titles().includes('Walk the dog'), 'seen');
    expect(reader.text()).to.include('Sign in to help.');
    expect(reader.in('Walk the dog', 'signup-button')).to.equal(null);
    expect(reader.text()).to.include('The details are shared with the people who sign up.');
    expect(reader.root.innerHTML).to.not.include('Leash');
  });

  describe('by keyboard alone', () => {
    /** What has focus inside the planner, as `part` or `tag.class`, or `outside`. */
    const focused = (el: CareHelpPlanner): string => {
      const a = el.shadowRoot!.activeElement as HTMLElement | null;
      if (!a) return document.activeElement === el ? 'host' : 'outside';
      return a.getAttribute('part') ?? `${a.localName}.${[...a.classList].join('.')}`;
    };
    const press = async (key: string, el: CareHelpPlanner) => {
      await sendKeys({ press: key });
      await el.updateComplete;
    };
    async function tabTo(el: CareHelpPlanner, want: (f: string) => boolean, max = 40): Promise<string> {
      for (let i = 0; i < max; i++) {
        await press('Tab', el);
        const f = focused(el);
        if (want(f)) return f;
      }
      throw new Error(`never reached by Tab; last: ${focused(el)}`);
    }
    const visible = (el: CareHelpPlanner) => el.shadowRoot!.activeElement?.matches(':focus-visible') === true;

    it('signs up and withdraws in the upcoming view, and tabs out of the widget', async () => {
      const page = uniquePage('plan-kb-list');
      await seedPage({ id: page, owners: ['olga'] });
      const family = await planner(page, 'olga');
      await family.addTask({ kind: 'meal', title: 'Lunch', date: day(family, 1), slots: 2 });
      await waitFor(() => family.titles().includes('Lunch'), 'added');
      family.el.remove();
      const wrap = await fixture<HTMLDivElement>(html`<div>
        <button id="before">before</button>
        <care-help-planner page=${page} host=${await otherHost()} token-url="/care-token?user=kim"></care-help-planner>
        <button id="after">after</button>
      </div>`);
      const el = wrap.querySelector('care-help-planner')!;
      const p = await new PlannerHarness(el).ready();
      await waitFor(() => p.titles().includes('Lunch'), 'the task');
      wrap.querySelector<HTMLButtonElement>('#before')!.focus();
      expect(await tabTo(el, (f) => f.includes('view-button'))).to.equal('button view-button');
      expect(visible(el)).to.equal(true);
      await tabTo(el, (f) => f.includes('signup-button'));
      expect(visible(el)).to.equal(true);
      await press('Enter', el);
      await waitFor(() => focused(el).includes('withdraw-button'), 'focus on "I can\u2019t any more"');
      await waitFor(() => p.volunteers('Lunch').includes('kim'), 'signed up');
      await press(' ', el);
      await waitFor(() => focused(el).includes('signup-button'), 'focus back on "I\u2019ll do it"');
      // No trap: Tab leaves the widget.
      for (let i = 0; i < 40 && document.activeElement === el; i++) await press('Tab', el);
      expect(document.activeElement?.id).to.equal('after');
    });

    it('moves through the month grid with the arrow keys, opens a day with Enter and closes it with Escape', async () => {
      const page = uniquePage('plan-kb-month');
      await seedPage({ id: page, owners: ['olga'] });
      const p = await planner(page, 'olga');
      const tomorrow = day(p, 1);
      await p.addTask({ kind: 'ride', title: 'Clinic ride', date: tomorrow, slots: 1 });
      await waitFor(() => p.titles().includes('Clinic ride') && p.composer() === null, 'added, the form closed');
      p.parts<HTMLButtonElement>('view-button')[1]!.focus();
      await press('Enter', p.el);
      expect(p.part('month')).to.not.equal(null);
      expect(p.parts('view-button')[1]!.getAttribute('aria-pressed')).to.equal('true');
      // One tab stop in the grid: today's cell.
      await tabTo(p.el, (f) => f === 'month-cell');
      const cell = () => (p.root.activeElement as HTMLElement).dataset.date;
      expect(cell()).to.equal(day(p));
      expect(p.parts('month-cell').filter((c) => c.tabIndex === 0).length).to.equal(1);
      expect(visible(p.el)).to.equal(true);
      await press('ArrowRight', p.el);
      expect(cell()).to.equal(tomorrow);
      await press('ArrowDown', p.el);
      expect(cell()).to.equal(day(p, 8));
      await press('ArrowUp', p.el);
      expect(cell()).to.equal(tomorrow);
      expect(p.root.activeElement!.textContent).to.include('Clinic ride');
      await press('Enter', p.el);
      await waitFor(() => p.root.activeElement?.id === 'open-day', 'focus on the day\u2019s heading');
      expect(p.titles()).to.deep.equal(['Clinic ride']);
      await tabTo(p.el, (f) => f.includes('edit-button'));
      await press('Escape', p.el);
      await waitFor(() => focused(p.el) === 'month-cell' && cell() === tomorrow, 'focus back on the day');
      expect(p.root.querySelector('#open-day')).to.equal(null);
      // Page Down: the next month, same day (or its last).
      await press('PageDown', p.el);
      expect(cell()!.slice(0, 7)).to.not.equal(tomorrow.slice(0, 7));
    });
  });
});
