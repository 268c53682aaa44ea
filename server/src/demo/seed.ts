import type { Storage } from '../storage/types.js';
import { seedDemoPlanner } from './planner-seed.js';
import { DEMO_USERS } from './users.js';

const author = (id: string) => ({ id, name: DEMO_USERS[id]?.name ?? id });

/**
 * Seeds the demo pages of SPEC section 5 once; a restart keeps what visitors added. Answers
 * whether `jane-doe` was created now, so its photo, hearts and comments (social-seed.ts,
 * which needs the running services) are added once too. `timeZone` is the hospital's
 * (`CARE_TIMEZONE`): the planner's week of tasks starts on its today.
 */
export async function seedDemo(storage: Storage, timeZone = 'UTC'): Promise<boolean> {
  const fresh = !(await storage.getPage('jane-doe'));
  if (fresh) {
    await storage.createPage({ id: 'jane-doe', title: 'Jane Doe', visibility: 'public', wallModeration: 'post', owners: ['jane'], editors: ['sam'] });
    await storage.setFollow('jane-doe', author('friend'), 'following');
    const entries: [string, string, string][] = [
      ['jane', 'Admitted to St. Brigid\u2019s', 'Hi everyone. I was admitted this morning for my knee replacement. The team here is **wonderful** and I feel in good hands.\n\nI will post updates here so I don\u2019t have to repeat myself on the phone. Thank you for all the love!'],
      ['sam', 'Surgery went well', 'Sam here, posting for Jane. The surgeon says the operation went *exactly* as planned. She is resting and a bit groggy.\n\nVisiting hours are 2\u20136 pm if you want to drop by later this week.'],
      ['jane', 'First steps', 'Physical therapy had me walking down the hallway today! Slow, but walking.\n\n- 40 metres with the walker\n- pain is manageable\n- hospital jelly is as bad as they say'],
    ];
    for (const [i, [who, title, body]] of entries.entries()) await storage.postJournal('jane-doe', author(who), `seed-journal-${i}`, title, body);
    const messages: [string, string][] = [
      ['friend', 'Thinking of you, Jane! Sending all the good vibes from the book club. \u{1F490}'],
      ['sam', 'The kids made you a card, bringing it tomorrow.'],
      ['friend', 'So glad surgery went well. Rest up and let them spoil you!'],
    ];
    for (const [i, [who, body]] of messages.entries()) await storage.postWall('jane-doe', author(who), `seed-wall-${i}`, body, false);
    await seedDemoPlanner(storage.planner, timeZone);
  }
  if (!(await storage.getPage('alex-private'))) {
    await storage.createPage({ id: 'alex-private', title: 'Alex Rivera', visibility: 'private', wallModeration: 'post', owners: ['alex'], editors: [] });
    await storage.postJournal('alex-private', author('alex'), 'seed-journal-0', 'Starting treatment', 'Round one of chemo starts Monday. I am keeping this page private: only people I approve can read it.');
  }
  return fresh;
}
