import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const serverDir = fileURLToPath(new URL('../', import.meta.url));

/**
 * The server in a process of its own, for tests that SIGKILL it: `src/main.ts` (or `entry`,
 * relative to server/) with `env` over this process's environment, on a random loopback port,
 * with no demo mode and no Redis unless `env` says so. Resolves with its URL once it listens;
 * rejects if it exits (other than by SIGKILL) or does not start within 30 s.
 */
export function startServerProcess(env: NodeJS.ProcessEnv, entry = 'src/main.ts'): Promise<{ proc: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const full = { ...process.env, PORT: '0', HOST: '127.0.0.1', CARE_DEMO: '', REDIS_URL: '', ...env };
    const proc = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: serverDir, env: full, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${out}`)), 30_000);
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /server on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]! });
      }
    });
    proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    proc.on('exit', (code, signal) => signal !== 'SIGKILL' && code !== 0 && reject(new Error(`the server exited (${code}): ${out}`)));
  });
}
