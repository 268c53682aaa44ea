import { openSqlite } from './sqlite.js';
import type { Storage } from './types.js';

export type { Storage } from './types.js';

/** Opens the store named by `CARE_DB` and brings its schema up to date. */
export async function openStorage(url: string, retention: number): Promise<Storage> {
  let storage: Storage;
  if (url.startsWith('sqlite:')) {
    storage = openSqlite(url.slice('sqlite:'.length), retention);
  } else if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { openPostgres } = await import('./postgres.js');
    storage = openPostgres(url, retention);
  } else {
    throw new Error(`CARE_DB must be sqlite:<file>, sqlite::memory: or postgres://…, got "${url}"`);
  }
  await storage.migrate();
  return storage;
}
