const MIN_ROWS = 10;

/**
 * Which rows of a long list are near the viewport, for a list that scrolls with the page
 * (or any scrolling ancestor). Heights are measured once rendered and estimated before.
 */
export class RowWindow {
  readonly #heights = new Map<string, number>();
  #measuredTotal = 0;

  constructor(
    private readonly overscanPx = 800,
    private readonly fallbackHeight = 160,
  ) {}

  get #estimate(): number {
    return this.#heights.size ? this.#measuredTotal / this.#heights.size : this.fallbackHeight;
  }

  heightOf(id: string): number {
    return this.#heights.get(id) ?? this.#estimate;
  }

  /** Records measured heights; returns true if any changed enough to re-layout. */
  measure(rows: Iterable<[string, number]>): boolean {
    let changed = false;
    for (const [id, h] of rows) {
      const prev = this.#heights.get(id);
      if (prev !== undefined && Math.abs(prev - h) < 1) continue;
      this.#measuredTotal += h - (prev ?? 0);
      this.#heights.set(id, h);
      changed = true;
    }
    return changed;
  }

  /**
   * The slice to render and the space to reserve above and below it, given where the
   * list's top is relative to the viewport.
   */
  slice(ids: readonly string[], listTop: number, viewportHeight: number): { start: number; end: number; before: number; after: number } {
    const from = -listTop - this.overscanPx;
    const to = -listTop + viewportHeight + this.overscanPx;
    let y = 0;
    let start = 0;
    while (start < ids.length && y + this.heightOf(ids[start]!) < from) y += this.heightOf(ids[start++]!);
    const before = y;
    let end = start;
    while (end < ids.length && y < to) y += this.heightOf(ids[end++]!);
    // Never an empty window: a list far below the fold still shows its first rows (to find-in-page, to a reader).
    while (end < ids.length && end - start < MIN_ROWS) y += this.heightOf(ids[end++]!);
    let after = 0;
    for (let i = end; i < ids.length; i++) after += this.heightOf(ids[i]!);
    return { start, end, before, after };
  }
}
