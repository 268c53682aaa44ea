import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';
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
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: conn }) });
  return new SqlStorage(db, 'sqlite', retention, (err) => (err as { code?: string })?.code?.startsWith('SQLITE_CONSTRAINT') === true);
}
