import { sql, type Kysely, type Transaction } from 'kysely';
import { pendingAudit, type PendingAudit } from './pending-audit.js';
import type { Database } from './schema.js';

interface Job {
  work: (trx: Transaction<Database>) => Promise<unknown>;
  /** The caller's pending audit row: each job runs in its own caller's audit context. */
  audit: PendingAudit | undefined;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * SQLite commits one transaction at a time, and each commit waits for an fsync
 * (`synchronous=FULL`). Writes that arrive together (in one turn of the event loop, e.g. all
 * the posts that came in while the previous commit blocked) share one transaction instead,
 * each inside its own savepoint: a write that fails rolls back alone, the others commit, and
 * every caller is answered only after the commit, so nothing is acknowledged before it is on
 * disk. The order of the jobs is the order of the calls.
 */
export class GroupCommit {
  #queue: Job[] | null = null;

  constructor(private readonly db: Kysely<Database>) {}

  run<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const job: Job = { work, audit: pendingAudit.getStore(), resolve: resolve as (v: unknown) => void, reject };
      if (this.#queue) {
        this.#queue.push(job);
        return;
      }
      this.#queue = [job];
      // setImmediate runs after this turn's I/O callbacks: every write they started joins.
      setImmediate(() => void this.#flush());
    });
  }

  async #flush(): Promise<void> {
    const jobs = this.#queue ?? [];
    this.#queue = null;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; err: unknown })[] = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const [i, job] of jobs.entries()) {
          const savepoint = sql.raw(`p${i}`);
          await sql`SAVEPOINT ${savepoint}`.execute(trx);
          const inContext = () => job.work(trx);
          try {
            const value = await (job.audit ? pendingAudit.run(job.audit, inContext) : pendingAudit.exit(inContext));
            await sql`RELEASE ${savepoint}`.execute(trx);
            outcomes.push({ ok: true, value });
          } catch (err) {
            await sql`ROLLBACK TO ${savepoint}`.execute(trx);
            await sql`RELEASE ${savepoint}`.execute(trx);
            outcomes.push({ ok: false, err });
          }
        }
      });
    } catch (err) {
      // The commit itself failed: nothing of this batch is stored, and every caller hears so.
      for (const job of jobs) job.reject(err);
      return;
    }
    for (const [i, job] of jobs.entries()) {
      const o = outcomes[i]!;
      if (o.ok) job.resolve(o.value);
      else job.reject(o.err);
    }
  }
}
