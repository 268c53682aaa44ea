/**
 * A set of listeners: `add` returns the function that removes the listener again, `emit`
 * calls them in the order they were added. One helper for every store, outbox and connection
 * event, so none of them grows its own add/remove/notify code.
 */
export class Listeners<A extends unknown[] = []> {
  readonly #fns = new Set<(...args: A) => void>();

  add(fn: (...args: A) => void): () => void {
    this.#fns.add(fn);
    return () => this.#fns.delete(fn);
  }

  emit(...args: A): void {
    for (const fn of this.#fns) fn(...args);
  }

  /** The listener added first and still here: the one that speaks for all (see `CareConnection.leads`). */
  first(): ((...args: A) => void) | undefined {
    return this.#fns.values().next().value;
  }

  clear(): void {
    this.#fns.clear();
  }
}
