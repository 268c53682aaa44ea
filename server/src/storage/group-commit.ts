import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };

interface Job {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * SQLite's one connection, shared by Kysely and by synchronous work on the raw
 * better-sqlite3 handle (the post path). Synchronous work cannot interleave with anything,
 * except a Kysely transaction that is open and awaiting between its statements: then it
 * waits for Kysely's connection mutex, so it never runs inside somebody else's transaction.
 */
export class SqliteConnection {
  constructor(
    readonly raw: BetterSqlite3.Database,
    private readonly db: Kysely<Database>,
  ) {}

  /** Runs `fn` now if no transaction is open on the connection, else once the connection is free. */
  run<T>(fn: () => T): Promise<T> {
    if (!this.raw.inTransaction) {
      try {
        return Promise.resolve(fn());
      } catch (err) {
        return Promise.reject(err);
      }
    }
    // Holding Kysely's mutex, nobody else's transaction is open.
    return this.db.connection().execute(async () => fn());
  }
}

/**
 * SQLite commits one transaction at a time, and each commit waits for an fsync
 * (`synchronous=FULL`). Writes that arrive together (in one turn of the event loop, e.g. all
 * the posts that came in while the previous commit blocked) share one transaction instead,
 * each inside its own savepoint (better-sqlite3's nested transaction): a write that fails
 * rolls back alone, the others commit, and every caller is answered only after the commit,
 * so nothing is acknowledged before it is on disk. The order of the jobs is the order of the
 * calls. The work is synchronous: one batch is one uninterrupted run on the connection.
 */
export class GroupCommit {
  #queue: Job[] | null = null;
  readonly #one: (work: () => unknown) => unknown;
  readonly #all: (jobs: Job[]) => Outcome[];

  constructor(private readonly conn: SqliteConnection) {
    this.#one = conn.raw.transaction((work: () => unknown) => work());
    this.#all = conn.raw.transaction((jobs: Job[]) =>
      jobs.map((job): Outcome => {
        try {
          return { ok: true, value: this.#one(job.work) };
        } catch (err) {
          return { ok: false, err };
        }
      }),
    );
  }

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const job: Job = { work, resolve: resolve as (v: unknown) => void, reject };
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
    let outcomes: Outcome[];
    try {
      outcomes = await this.conn.run(() => this.#all(jobs));
    } catch (err) {
      // The commit itself failed (better-sqlite3 rolled back): nothing of this batch is stored.
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
