/**
 * The same storage contract on PostgreSQL (DATABASE_URL; CI sets it to the machine's server).
 * Without DATABASE_URL this file is skipped, as the README says.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openStorage } from '../src/storage/index.js';
import { freshPostgres } from './pg.js';
import { storageSuite } from './storage-suite.js';
import { settingsStorageSuite } from './storage-settings-suite.js';
import { notifyStorageSuite } from './storage-notify-suite.js';

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
  notifyStorageSuite('postgres', (retention) => openStorage(db.url, retention));

  test('storage: postgres: a fresh schema migrates while another schema on the database already has the tables', async () => {
    const first = await openStorage(db.url, 100);
    const second = await freshPostgres(base);
    try {
      // Kysely looked for its migration tables in every schema: this one was taken as migrated.
      const s = await openStorage(second.url, 100);
      await s.createPage({ id: 'second-schema', title: 'T', visibility: 'public', wallModeration: 'post', owners: ['o'], editors: [] });
      assert.equal((await s.postWall('second-schema', { id: 'u', name: 'U' }, 'c1', 'hello', false)).seq, 1);
      await s.close();
    } finally {
      await first.close();
      await second.drop();
    }
  });
}
