import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import { SqliteConnection } from './group-commit.js';
import type { Database } from './schema.js';
import { SqlitePostPath } from './sqlite-post-path.js';
import { SqlStorage } from './sql-storage.js';

/**
 * The embedded SQLite store: one file (or memory), WAL journal so readers never block the
 * writer, and `synchronous=FULL` so an acknowledged write survives a killed process or a
 * power cut.
 */
export function openSqlite(file: string, retention: number): SqlStorage {
  const conn = new BetterSqlite3(file);
  conn.pragma('journal_mode = WAL');
  conn.pragma('synchronous = FULL');
  conn.pragma('foreign_keys = ON');
  conn.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: reusingStatements(conn) }) });
  const posts = new SqlitePostPath(new SqliteConnection(conn, db), retention);
  return new SqlStorage(db, 'sqlite', retention, (err) => (err as { code?: string })?.code?.startsWith('SQLITE_CONSTRAINT') === true, posts);
}

/** How many distinct SQL texts keep a prepared statement (`IN (…)` lists vary in length). */
const STATEMENT_CACHE = 500;

/**
 * Kysely prepares every query anew, and under load `prepare` was a tenth of the server's CPU.
 * The same SQL text reuses its prepared statement instead: better-sqlite3 runs one statement
 * at a time on its one connection, and we never hold an `iterate()` open across another query.
 */
function reusingStatements(conn: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => conn.close(),
    prepare(sqlText) {
      let statement = cache.get(sqlText);
      if (statement) {
        // Most recently used last, so the first key is the one to evict.
        cache.delete(sqlText);
      } else {
        statement = conn.prepare(sqlText);
        if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
      }
      cache.set(sqlText, statement);
      return statement;
    },
  };
}
