/*
 * axe-core on <care-help-planner> in every state (empty, the upcoming list, the month grid
 * with a day open, the family's form open, the cancel confirmation, an error notice, the
 * helper's view with a sign-up), light and dark, left to right (English) and right to left
 * (Arabic).
 */
import { expect } from '@open-wc/testing';
import '../../src/index.js';
import { connectionFor } from '../../src/client/connection.js';
import { addDays } from '../../src/protocol/index.js';
import { PlannerHarness, mount } from './harness.js';
import { otherHost, seedPage, serverUrl, uniquePage, waitFor } from './helpers.js';

const COMBOS = [
  { theme: 'light', lang: 'en' },
  { theme: 'dark', lang: 'en' },
  { theme: 'light', lang: 'ar' },
  { theme: 'dark', lang: 'ar' },
] as const;

describe('accessibility: <care-help-planner> (axe-core)', () => {
  for (const { theme, lang } of COMBOS) {
    const attrs = { theme, lang };

    it(`has no violations for the family: empty, list, form, month, confirmation, error (${theme}, ${lang})`, async () => {
      const page = uniquePage('a11y-plan');
      await seedPage({ id: page, owners: ['olga'] });
      const p = new PlannerHarness(await mount('care-help-planner', { page, user: 'olga', host: await serverUrl(), attrs }));
      await p.ready();
      expect(p.dir()).to.equal(lang === 'ar' ? 'rtl' : 'ltr');
      await expect(p.el).to.be.accessible();

      const today = p.el.care.today();
      await p.addTask({ kind: 'meal', title: 'Dinner for 4', date: addDays(today, 1), start: '18:00', end: '19:00', slots: 2, details: 'Ring twice' });
      await waitFor(() => p.parts('task').length === 1 && p.composer() === null, 'the task');
      await p.addTask({ kind: 'ride', title: 'Ride', date: addDays(today, 2), slots: 1 });
      await waitFor(() => p.parts('task').length === 2 && p.composer() === null, 'two tasks');
      await expect(p.el).to.be.accessible();

      // The form open, with a validation problem shown.
      p.part<HTMLButtonElement>('add-button')!.click();
      await p.el.updateComplete;
      p.fill({ title: '' });
      p.composer()!.requestSubmit();
      await expect(p.el).to.be.accessible();
      p.composer()!.querySelector<HTMLButtonElement>('.close-form')!.click();
      await p.el.updateComplete;

      // The cancel confirmation.
      p.parts('task')[0]!.querySelector<HTMLButtonElement>('[part~=cancel-button]')!.click();
      await waitFor(() => p.part('confirm') !== null, 'the confirmation');
      await expect(p.el).to.be.accessible();
      p.part('confirm')!.querySelector<HTMLButtonElement>('.confirm-no')!.click();
      await p.el.updateComplete;

      // The month grid with a day open.
      await p.show('month');
      await waitFor(() => p.part('month') !== null, 'the month');
      await expect(p.el).to.be.accessible();
      p.root.querySelector<HTMLButtonElement>(`[part~=month-cell][data-date="${addDays(today, 1)}"]`)?.click();
      if (addDays(today, 1).slice(0, 7) !== today.slice(0, 7)) p.part<HTMLButtonElement>('month-next')!.click();
      await p.el.updateComplete;
      p.root.querySelector<HTMLButtonElement>(`[part~=month-cell][data-date="${addDays(today, 1)}"]`)!.click();
      await waitFor(() => p.root.querySelector('#open-day') !== null, 'the day');
      await expect(p.el).to.be.accessible();

      // An error notice: a refused action (editing a task another window cancelled meanwhile).
      await p.show('upcoming');
      const ride = p.task('Ride')!;
      await p.el.care.cancelTask(ride.dataset.taskId!);
      await p.el.updateComplete;
      const res = await p.el.care.updateTask(ride.dataset.taskId!, { title: 'Ride again' });
      expect(res.ok).to.equal(false);
      p.task('Dinner for 4')!.querySelector<HTMLButtonElement>('[part~=cancel-button]')!.click();
      await waitFor(() => p.part('confirm') !== null, 'the confirmation');
      await p.el.care.cancelTask(p.task('Dinner for 4')!.dataset.taskId!);
      await waitFor(() => p.task('Dinner for 4') === null, 'cancelled elsewhere');
      await expect(p.el).to.be.accessible();
    });

    it(`has no violations for a helper, signed up, with a pending sign-up and the lost-race notice (${theme}, ${lang})`, async () => {
      const page = uniquePage('a11y-plan-help');
      await seedPage({ id: page, owners: ['olga'] });
      const family = new PlannerHarness(await mount('care-help-planner', { page, user: 'olga', host: await serverUrl() }));
      await family.ready();
      const today = family.el.care.today();
      await family.addTask({ kind: 'visit', title: 'Visit', date: addDays(today, 1), slots: 1, details: 'Room 12' });
      await waitFor(() => family.composer() === null && family.parts('task').length === 1, 'the first task');
      await family.addTask({ kind: 'errand', title: 'Groceries', date: addDays(today, 1), slots: 2 });
      await waitFor(() => family.composer() === null && family.parts('task').length === 2, 'the second task');
      family.el.remove();

      const host = await otherHost();
      const p = new PlannerHarness(await mount('care-help-planner', { page, user: 'hal', host, attrs }));
      await p.ready();
      await waitFor(() => p.parts('task').length === 2, 'the tasks');
      await expect(p.el).to.be.accessible();
      p.press('Groceries', 'signup-button');
      await waitFor(() => p.in('Groceries', 'ics-link') !== null, 'signed up');
      await expect(p.el).to.be.accessible();

      // Offline: a pending sign-up; meanwhile someone else takes the last spot of "Visit".
      const conn = connectionFor(host);
      conn.socket.disconnect();
      await waitFor(() => conn.state === 'offline', 'offline');
      p.press('Visit', 'signup-button');
      await waitFor(() => p.in('Visit', 'withdraw-button') !== null, 'pending');
      await expect(p.el).to.be.accessible();
      const other = new PlannerHarness(await mount('care-help-planner', { page, user: 'zed', host: await serverUrl() }));
      await other.ready();
      other.press('Visit', 'signup-button');
      await waitFor(() => other.volunteers('Visit').includes('zed'), 'zed has the spot');
      other.el.remove();
      conn.socket.connect();
      await waitFor(() => p.notices().some((n) => n.length > 0 && p.root.querySelector('[part~=notice][role=alert]') !== null), 'the lost-race notice');
      await expect(p.el).to.be.accessible();
    });
  }
});
