import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PostgresPostPath } from './postgres-post-path.js';
import type { Database } from './schema.js';
import { SqlStorage } from './sql-storage.js';

/** PostgreSQL for many nodes: the same queries as SQLite over a connection pool. */
export function openPostgres(url: string, retention: number): SqlStorage {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === '23505';
  return new SqlStorage(db, 'postgres', retention, isUniqueViolation, new PostgresPostPath(pool, retention, isUniqueViolation));
}
