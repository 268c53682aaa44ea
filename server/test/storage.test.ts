/**
 * The storage contract on SQLite: in memory, and on a file (WAL, as in production).
 * storage-postgres.test.ts runs the same suite against PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openStorage } from '../src/storage/index.js';
import { storageSuite } from './storage-suite.js';
import { settingsStorageSuite } from './storage-settings-suite.js';
import { notifyStorageSuite } from './storage-notify-suite.js';

storageSuite('sqlite (memory)', (retention) => openStorage('sqlite::memory:', retention));
settingsStorageSuite('sqlite (memory)', (retention) => openStorage('sqlite::memory:', retention));
notifyStorageSuite('sqlite (memory)', (retention) => openStorage('sqlite::memory:', retention));

const dir = mkdtempSync(join(tmpdir(), 'care-storage-'));
let files = 0;
storageSuite('sqlite (file)', (retention) => openStorage(`sqlite:${join(dir, `care-${++files}.db`)}`, retention));
settingsStorageSuite('sqlite (file)', (retention) => openStorage(`sqlite:${join(dir, `care-${++files}.db`)}`, retention));
notifyStorageSuite('sqlite (file)', (retention) => openStorage(`sqlite:${join(dir, `care-${++files}.db`)}`, retention));
after(() => rmSync(dir, { recursive: true, force: true }));

