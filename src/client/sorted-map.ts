/**
 * Items by id, listed newest first by their creation `seq`. The list is rebuilt lazily, only
 * when read after a change, so a burst of live events costs one sort.
 */
export class SortedItems<T extends { id: string; seq: number }> {
  readonly #byId = new Map<string, T>();
  #cache: T[] | null = [];

  get size(): number {
    return this.#byId.size;
  }

  get(id: string): T | undefined {
    return this.#byId.get(id);
  }

  set(item: T): void {
    this.#byId.set(item.id, item);
    this.#cache = null;
  }

  delete(id: string): boolean {
    const had = this.#byId.delete(id);
    if (had) this.#cache = null;
    return had;
  }

  clear(): void {
    this.#byId.clear();
    this.#cache = [];
  }

  list(): readonly T[] {
    this.#cache ??= [...this.#byId.values()].sort((a, b) => b.seq - a.seq);
    return this.#cache;
  }

  /** The oldest creation `seq` held: the cursor for loading older items. */
  oldestSeq(): number | null {
    const l = this.list();
    return l.length ? l[l.length - 1]!.seq : null;
  }
}
