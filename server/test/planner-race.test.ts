/**
 * SPEC 6.4: two people take the last spot of a task at the same moment. Exactly one gets it,
 * the other is told plainly (`conflict`, "Someone just took the last spot."), and the stored
 * volunteers never exceed the task's slots. On SQLite (one writer at a time) and on
 * PostgreSQL (DATABASE_URL; the task's row is locked `FOR UPDATE`), through real sockets and
 * straight on the storage with more callers than spots.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Failure } from '../../src/protocol/index.js';
import { addDays, todayIn } from '../../src/protocol/index.js';
import { startServer, type Client, type TestServer } from './helpers.js';
import { freshPostgres } from './pg.js';

const ROUNDS = 25;
const draft = (slots: number) => ({ kind: 'ride' as const, title: 'Ride to the clinic', date: addDays(todayIn('UTC'), 1), start: '08:00', slots, details: 'Entrance B' });

function raceSuite(name: string, open: () => Promise<{ ts: TestServer; done(): Promise<void> }>): void {
  describe(`last-spot race: ${name}`, () => {
    let ts: TestServer;
    let done: () => Promise<void>;
    before(async () => {
      ({ ts, done } = await open());
    });
    after(async () => {
      await ts?.close();
      await done?.();
    });

    it(`two sockets reach for the last spot at once, ${ROUNDS} rounds: one ok, the other conflict; never more volunteers than slots`, async () => {
      const pageId = await ts.page({ visibility: 'public' });
      const owner = await ts.connect('owner');
      const a = await ts.connect('amir');
      const b = await ts.connect('bea');
      let aWon = 0;
      for (let round = 0; round < ROUNDS; round++) {
        // Two spots, one taken already: the race is for the second.
        const { task } = await owner.ok('task:create', { pageId, clientId: `race-${round}`, task: draft(2) });
        await owner.ok('task:signup', { pageId, taskId: task.id, on: true });
        const [ra, rb] = await Promise.all([a, b].map((c: Client) => c.call('task:signup', { pageId, taskId: task.id, on: true })));
        const results = [ra!, rb!];
        assert.equal(results.filter((r) => r.ok).length, 1, `round ${round}: exactly one gets the spot: ${JSON.stringify(results)}`);
        const lost = results.find((r) => !r.ok) as Failure;
        assert.deepEqual(lost.error, { code: 'conflict', message: 'Someone just took the last spot.' });
        if (ra!.ok) aWon++;
        const stored = await ts.storage.planner.getTask(pageId, task.id);
        assert.equal(stored!.volunteers.length, 2, `round ${round}: the stored volunteers fill the slots exactly`);
      }
      // Not a test of fairness; only that both sides ran (the race was real on both).
      assert.ok(aWon >= 0 && aWon <= ROUNDS);
    });

    it('straight on the storage: eight callers, three spots, many times: three in, five conflict, one seq per sign-up', async () => {
      const pageId = await ts.page({ visibility: 'public' });
      const planner = ts.storage.planner;
      for (let round = 0; round < 10; round++) {
        const d = draft(3);
        const { tasks } = await planner.createTasks(pageId, { id: 'owner', name: 'Owner' }, `st-${round}`, d, [d.date], null);
        const task = tasks[0]!;
        const seqBefore = (await ts.storage.getPage(pageId))!.seq;
        const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => planner.signupTask(pageId, task.id, { id: `u${i}`, name: `U${i}` }, true)));
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        assert.equal(won.length, 3, `round ${round}`);
        assert.ok(lost.every((o) => (o.reason as { code?: string }).code === 'conflict'), JSON.stringify(lost.map((o) => String(o.reason))));
        assert.equal((await planner.getTask(pageId, task.id))!.volunteers.length, 3);
        assert.equal((await ts.storage.getPage(pageId))!.seq, seqBefore + 3, 'a refused sign-up takes no seq');
      }
    });

    it('lowering slots races a sign-up: the task never holds more volunteers than slots', async () => {
      const pageId = await ts.page({ visibility: 'public' });
      const planner = ts.storage.planner;
      for (let round = 0; round < 10; round++) {
        const d = draft(2);
        const task = (await planner.createTasks(pageId, { id: 'owner', name: 'Owner' }, `sl-${round}`, d, [d.date], null)).tasks[0]!;
        await planner.signupTask(pageId, task.id, { id: 'first', name: 'First' }, true);
        await Promise.allSettled([planner.updateTask(pageId, task.id, { slots: 1 }), planner.signupTask(pageId, task.id, { id: 'second', name: 'Second' }, true)]);
        const after = (await planner.getTask(pageId, task.id))!;
        assert.ok(after.volunteers.length <= after.slots, `round ${round}: ${after.volunteers.length} volunteers, ${after.slots} slots`);
      }
    });
  });
}

raceSuite('sqlite', async () => ({ ts: await startServer(), done: async () => {} }));

const base = process.env.DATABASE_URL;
if (!base) {
  it('last-spot race: postgres', { skip: 'DATABASE_URL is not set (PostgreSQL, see README "Tests")' }, () => {});
} else {
  raceSuite('postgres', async () => {
    const pg = await freshPostgres(base);
    return { ts: await startServer({ db: pg.url }), done: () => pg.drop() };
  });
}
