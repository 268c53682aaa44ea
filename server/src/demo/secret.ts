import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * The HS256 secret of demo mode when `CARE_JWT_SECRET` is not set (never used outside demo
 * mode: app.ts asks for it only then). A new secret on every start would sign every open tab
 * out at each restart of `npm start`, so it is kept beside the SQLite file, as
 * `<file>.secret`, readable by its owner only (0600), and read back on the next start with the
 * same `CARE_DB`. An in-memory or PostgreSQL demo has no file to keep it beside: a fresh one
 * per start, as its data is anyway (memory) or as before (PostgreSQL; set CARE_JWT_SECRET).
 */
export function demoSecret(db: string): string {
  const file = db.startsWith('sqlite:') ? db.slice('sqlite:'.length) : '';
  if (file === '' || file === ':memory:') return newSecret();
  const path = `${file}.secret`;
  const kept = read(path);
  if (kept) return kept;
  const secret = newSecret();
  try {
    // `wx`: of two servers started at once on one file, the second reads the first's secret.
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      const theirs = read(path);
      if (theirs) return theirs;
    }
    throw new Error(`demo mode could not keep its token secret in ${path}: ${(err as Error).message} (or set CARE_JWT_SECRET)`);
  }
}

const newSecret = () => randomBytes(32).toString('hex');

/** The kept secret, or null when there is none (or it is not one this function wrote). */
function read(path: string): string | null {
  try {
    const s = readFileSync(path, 'utf8').trim();
    return /^[0-9a-f]{64}$/.test(s) ? s : null;
  } catch {
    return null;
  }
}
