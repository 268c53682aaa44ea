/**
 * What the package tests share: the repository root, a synchronous and an asynchronous command
 * runner, and `npm pack` of the built package into a scratch directory.
 */
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const tsc = join(root, 'node_modules/typescript/bin/tsc');

/** Runs a command and returns its output; a failure's message carries the output (tsc's errors). */
export function run(cmd, args, cwd, env) {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  } catch (err) {
    err.message += `\n${err.stdout ?? ''}${err.stderr ?? ''}`;
    throw err;
  }
}

/**
 * Runs a command without blocking the event loop (installs run side by side; a server child of
 * this process must keep answering), and resolves with its output; rejects with the output of
 * a failure, so the test shows why.
 */
export function runAsync(cmd, args, cwd, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out.slice(-4000)}`))));
  });
}

/** `npm pack` of the built package (npm test builds first) into `dir`; returns the tarball's path. */
export function pack(dir) {
  const out = run('npm', ['pack', '--silent', '--pack-destination', dir], root).trim().split('\n').pop();
  return join(dir, out);
}

/** Seconds since `start` (a `performance.now()`), for the tests' diagnostics. */
export const seconds = (start) => `${((performance.now() - start) / 1000).toFixed(1)} s`;
