import { addDays, LIMITS, occurrences, todayIn, type TaskDraft } from '../../../src/protocol/index.js';
import type { PlannerStorage } from '../storage/types.js';
import { DEMO_USERS } from './users.js';

const author = (id: string) => ({ id, name: DEMO_USERS[id]?.name ?? id });

/** One demo task: on which day of the week (0 = the demo's today), who posted it, who signed up. */
interface SeedTask {
  day: number;
  by: string;
  draft: Omit<TaskDraft, 'date'>;
  volunteers: string[];
}

/*
 * Every address, name and detail here is invented for the demo. The details are what only the
 * family and a task's volunteers may read (SPEC 6.4), so the demo shows the difference: sign
 * in as `friend` to see the details of the tasks Frankie took, as `visitor` to see none.
 */
const DINNER: Omit<TaskDraft, 'date'> = {
  kind: 'meal',
  title: 'Dinner for Jane\u2019s family',
  start: '17:30',
  end: '18:30',
  slots: 2,
  details: 'Drop off at 14 Maple Court, flat 3B (ring twice). Dinner for 4 people. No nuts, please: Leo is allergic.',
};

const SINGLES: SeedTask[] = [
  {
    day: 1,
    by: 'sam',
    draft: { kind: 'ride', title: 'Ride to physiotherapy', start: '09:00', end: '10:30', slots: 1, details: 'Pick Jane up at the main entrance of St. Brigid\u2019s. The clinic is at 200 Harbour Road, second floor; the walker folds into any boot.' },
    volunteers: ['friend'],
  },
  {
    day: 1,
    by: 'jane',
    draft: { kind: 'errand', title: 'Pharmacy pickup', slots: 1, details: 'The prescription waits at the Elm Street pharmacy under Jane Doe; it is paid for.' },
    volunteers: [],
  },
  {
    day: 2,
    by: 'jane',
    draft: { kind: 'visit', title: 'Afternoon visit', start: '14:00', end: '16:00', slots: 2, details: 'Ward 4B, bed 12. A book to read aloud would be lovely.' },
    volunteers: ['sam'],
  },
  {
    day: 3,
    by: 'sam',
    draft: { kind: 'errand', title: 'Groceries for the week', slots: 1, details: 'The list is on the fridge door: oat milk, bread, apples, coffee. Receipts to Sam.' },
    volunteers: [],
  },
  {
    day: 4,
    by: 'sam',
    draft: { kind: 'errand', title: 'Walk Biscuit the dog', start: '07:30', end: '08:15', slots: 1, details: 'The key is in the lockbox by the back door: ask Sam for the code. Biscuit pulls towards squirrels.' },
    volunteers: [],
  },
  {
    day: 5,
    by: 'jane',
    draft: { kind: 'ride', title: 'Ride to the follow-up appointment', start: '11:00', end: '12:30', slots: 1, details: 'Orthopaedics outpatients, building C, 200 Harbour Road. Parking at the back.' },
    volunteers: [],
  },
  {
    day: 6,
    by: 'jane',
    draft: { kind: 'other', title: 'Help moving the bed downstairs', start: '10:00', slots: 2 },
    volunteers: ['friend'],
  },
];

/** Who has already signed up for the daily dinner, by day: the first evening is full. */
const DINNER_VOLUNTEERS: Record<number, string[]> = { 0: ['friend', 'sam'], 2: ['friend'], 4: ['sam'] };

/**
 * The demo's planner on jane-doe (SPEC 6.4): a week of tasks from the hospital's today on
 * (`timeZone`, `CARE_TIMEZONE`), written through the storage once, with the demo pages: a
 * daily dinner (one series; the first evening full), rides, a visit, errands, and a task for
 * two; some with volunteers already (`friend`, `sam`), the others open.
 */
export async function seedDemoPlanner(planner: PlannerStorage, timeZone: string, now: number = Date.now()): Promise<void> {
  const pageId = 'jane-doe';
  const today = todayIn(timeZone, now);
  const dinners = occurrences(today, { every: 'day', until: addDays(today, 6) }, LIMITS.taskOccurrencesMax);
  const series = await planner.createTasks(pageId, author('jane'), 'seed-task-dinners', { ...DINNER, date: today }, dinners, 'seed-dinners');
  for (const [i, task] of series.tasks.entries()) {
    for (const userId of DINNER_VOLUNTEERS[i] ?? []) await planner.signupTask(pageId, task.id, author(userId), true);
  }
  for (const [i, seed] of SINGLES.entries()) {
    const date = addDays(today, seed.day);
    const { tasks } = await planner.createTasks(pageId, author(seed.by), `seed-task-${i}`, { ...seed.draft, date }, [date], null);
    for (const userId of seed.volunteers) await planner.signupTask(pageId, tasks[0]!.id, author(userId), true);
  }
}
