/**
 * Artillery, installed on demand, outside the project's dependencies: it brings ~1,100 packages
 * (~600 MB: cloud SDKs, Playwright) that nothing else needs, and its install scripts fail on a
 * machine without internet access beyond the npm registry. So `npm run load` installs the
 * pinned versions once, with `--ignore-scripts`, into a cache directory of their own, and
 * reuses them after that.
 *
 * Versions (checked against the registry's `engines` fields):
 * - artillery 2.0.21: the newest release that supports Node 20 (2.0.22 and later need
 *   Node >= 22.13; the project runs on Node 20).
 * - artillery-engine-socketio-v3 1.2.0: the Socket.IO 3/4 engine (Artillery's built-in one
 *   speaks Socket.IO 2). It imports its helpers from `artillery/core/lib`, which only
 *   Artillery 1.x has, so npm gives it a nested artillery 1.7.9 for them; Artillery 2.0.21
 *   loads it as an engine and runs it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const PINNED = { artillery: '2.0.21', 'artillery-engine-socketio-v3': '1.2.0' } as const;

/** Where the pinned install lives: `$CARE_ARTILLERY_HOME`, or one directory per version pair under ~/.cache. */
export function artilleryHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CARE_ARTILLERY_HOME) return env.CARE_ARTILLERY_HOME;
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'care-widgets-artillery', `artillery-${PINNED.artillery}_socketio-v3-${PINNED['artillery-engine-socketio-v3']}`);
}

function installedVersion(home: string, name: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(home, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

/** Whether `home` holds exactly the pinned versions and Artillery's launcher. */
export function isInstalled(home: string): boolean {
  return (
    Object.entries(PINNED).every(([name, version]) => installedVersion(home, name) === version) &&
    existsSync(join(home, 'node_modules', 'artillery', 'bin', 'run'))
  );
}

/**
 * Installs the pinned versions into `home` unless they are there; answers the path of
 * Artillery's launcher (`node <it> run …`). The install is bounded (15 minutes) and its output
 * goes to `home/install.log`.
 */
export async function ensureArtillery(log: (line: string) => void, home = artilleryHome()): Promise<string> {
  const launcher = join(home, 'node_modules', 'artillery', 'bin', 'run');
  if (isInstalled(home)) return launcher;
  mkdirSync(home, { recursive: true });
  // A package.json of its own, so npm neither walks up into a project nor touches this one's.
  writeFileSync(join(home, 'package.json'), `${JSON.stringify({ name: 'care-widgets-artillery', private: true, description: 'Installed by care-widgets bench/artillery/install.ts; safe to delete.' }, null, 2)}\n`);
  log(`installing artillery@${PINNED.artillery} and artillery-engine-socketio-v3@${PINNED['artillery-engine-socketio-v3']} into ${home} (once; a few minutes) …`);
  const args = ['install', '--ignore-scripts', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', home, ...Object.entries(PINNED).map(([n, v]) => `${n}@${v}`)];
  const logFile = join(home, 'install.log');
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npm', args, { cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (out += c));
    const timer = setTimeout(() => child.kill('SIGTERM'), 15 * 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      writeFileSync(logFile, out);
      if (code === 0 && isInstalled(home)) resolve();
      else reject(new Error(`npm ${args.join(' ')} failed (exit ${code}); see ${logFile}`));
    });
  });
  return launcher;
}
