/**
 * A tiny AMD registry: the chunks call `define(id, deps, factory)` (rollup's AMD output with
 * `define` renamed, scripts/chunks.mjs) when their script runs; `need(id)` runs a module's
 * factory once its dependencies have run, and resolves with its exports. Enough for what
 * rollup writes: `exports`, `require` (for a dynamic `import()`, none today), relative ids
 * (`./core-<hash>`, beside the importing chunk) and the loader's own modules (`provide`).
 */
type Factory = (...deps: unknown[]) => void;
type Exports = Record<string, unknown>;

const factories = new Map<string, [deps: string[], factory: Factory]>();

/**
 * A later task (issue 12, point 2): each chunk's factory runs in a task of its own, so the
 * core's evaluation and each element's definition (which upgrades and first-renders every
 * instance on the page) no longer add up to one long task. `scheduler.yield()` where the
 * browser has it (the continuation runs before other queued tasks), else a MessageChannel.
 */
const nextTask = (): Promise<void> => {
  const s = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (s?.yield) return s.yield();
  return new Promise((resolve) => {
    const c = new MessageChannel();
    c.port1.onmessage = () => resolve();
    c.port2.postMessage(0);
  });
};
const running = new Map<string, Promise<Exports>>();

/** The chunks' `define`. A chunk whose script runs twice (two copies of the loader) is defined once. */
export function define(id: string, deps: string[], factory: Factory): void {
  if (!factories.has(id)) factories.set(id, [deps, factory]);
}

/** A module that is not a chunk: the loader's context. */
export function provide(id: string, exports: Exports): void {
  running.set(id, Promise.resolve(exports));
}

/**
 * The module's exports, once `arrive(id)` (its script has loaded) and every dependency has run.
 * Rejects if its script failed or its factory threw.
 */
export function need(id: string, arrive: (id: string) => Promise<void>): Promise<Exports> {
  let done = running.get(id);
  if (!done) {
    done = arrive(id).then(() => {
      const found = factories.get(id);
      if (!found) throw new Error(`${id}.js did not define ${id}`);
      const [deps, factory] = found;
      const exports: Exports = {};
      const dir = id.slice(0, id.lastIndexOf('/') + 1);
      const require = (ids: string[], ok: (...m: Exports[]) => void, fail: (e: unknown) => void) =>
        Promise.all(ids.map((d) => need(dir + d.replace(/^\.\//, ''), arrive))).then((m) => ok(...m), fail);
      const values = Promise.all(deps.map((d) => (d === 'exports' ? exports : d === 'require' ? require : need(d[0] === '.' ? dir + d.slice(2) : d, arrive))));
      // After the dependencies: a factory must not share the task of the one it imports.
      return values.then((v) => nextTask().then(() => v)).then((values) => {
        factory(...values);
        return exports;
      });
    });
    running.set(id, done);
  }
  return done;
}
