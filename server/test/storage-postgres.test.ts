/**
 * The same storage contract on PostgreSQL (DATABASE_URL; CI sets it to the machine's server).
 * Without DATABASE_URL this file is skipped, as the README says.
 */
import { after, before, test } from 'node:test';
import { openStorage } from '../src/storage/index.js';
import { freshPostgres } from './pg.js';
import { storageSuite } from './storage-suite.js';
import { settingsStorageSuite } from './storage-settings-suite.js';

const base = process.env.DATABASE_URL;
if (!base) {
  test('storage: postgres', { skip: 'DATABASE_URL is not set' }, () => {});
} else {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  before(async () => {
    db = await freshPostgres(base);
  });
  after(async () => {
    await db.drop();
  });
  storageSuite('postgres', (retention) => openStorage(db.url, retention));
  settingsStorageSuite('postgres', (retention) => openStorage(db.url, retention));
}
