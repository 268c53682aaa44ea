/**
 * A forked benchmark process answering `{ id, cmd, args }` commands over IPC with
 * `{ id, ok, value | error }` (bench/servers.ts, bench/connect-clients.ts). It tells it is
 * ready with a first message without an id. `kill()` is SIGKILL: no clean up, as a crashed
 * node (the reconnect storm).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export class IpcChild {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  private exited = false;
  readonly gone: Promise<void>;

  private constructor(readonly proc: ChildProcess) {
    proc.on('message', (m: { id?: number; ok?: boolean; value?: unknown; error?: string }) => {
      if (m.id === undefined) return;
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      clearTimeout(w.timer);
      if (m.ok) w.resolve(m.value);
      else w.reject(new Error(`child: ${m.error}`));
    });
    this.gone = new Promise((resolve) =>
      proc.on('exit', (code, signal) => {
        this.exited = true;
        for (const w of this.waiting.values()) {
          clearTimeout(w.timer);
          w.reject(new Error(`child exited (${code ?? signal})`));
        }
        this.waiting.clear();
        resolve();
      }),
    );
  }

  /** Forks `file` (relative to the repo) under tsx and waits for its ready message. */
  static start(file: string, opts: { expose_gc?: boolean; cpuProfDir?: string } = {}): Promise<IpcChild> {
    const execArgv = ['--import', 'tsx'];
    if (opts.expose_gc) execArgv.unshift('--expose-gc');
    if (opts.cpuProfDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`);
    const proc = fork(`${ROOT}${file}`, [], { execArgv, cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`${file} did not start within 120 s`));
      }, 120_000);
      proc.once('message', () => {
        clearTimeout(timer);
        resolve(new IpcChild(proc));
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${file} exited during start (${code})`));
      });
    });
  }

  call<T>(cmd: string, args?: unknown, timeoutMs = 120_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error('child is gone'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`child: ${cmd} timed out`));
      }, timeoutMs);
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.proc.send({ id, cmd, args });
    });
  }

  /** SIGKILL, as a node that crashed: nothing closes, nothing is flushed. */
  async kill(): Promise<void> {
    if (this.exited) return;
    this.proc.kill('SIGKILL');
    await this.gone;
  }

  /** Asks for `stop` (servers.ts) or `close` (clients), then makes sure it exits. */
  async stop(cmd = 'stop'): Promise<void> {
    if (this.exited) return;
    try {
      await this.call(cmd, undefined, 20_000);
    } catch {
      // Killed below.
    }
    this.proc.disconnect?.();
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5_000);
    await this.gone;
    clearTimeout(timer);
  }
}

/** A command as the parent sends it. */
export type IpcCommand = { id: number; cmd: string; args?: any };

/**
 * The child's side (bench/servers.ts, bench/connect-clients.ts): runs one command from
 * `commands` and sends `{ id, ok, value | error }` back to the parent.
 */
export function answer(commands: Record<string, (args: any) => unknown>, m: IpcCommand): void {
  const fn = commands[m.cmd];
  Promise.resolve()
    .then(() => {
      if (!fn) throw new Error(`unknown command ${m.cmd}`);
      return fn(m.args);
    })
    .then(
      (value) => process.send!({ id: m.id, ok: true, value }),
      (err: unknown) => process.send!({ id: m.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
}
