import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { nextSlice, sliceSpent } from './slices.js';

/** An item's height before any is measured (the journal's row window uses the same). */
const ITEM_ESTIMATE_PX = 160;

/**
 * Renders a long list a slice at a time (issue 12), from its top, so the first screen shows
 * first: `count()` prepares items (their Markdown, the costly part) while the task's budget
 * lasts (slices.ts) and returns how many the render may show; the rest follow in later tasks,
 * each a re-render of the host. The first render always shows a viewport's height of items (by
 * an estimated height per item): growing a list in view would shift the page under the reader
 * (layout-shift.test.ts); growing it below the fold does not. Items already shown stay shown:
 * a live item added on top costs one item's work, not a restart.
 */
export class ProgressiveList implements ReactiveController {
  #shown = 0;
  /** The next slice, while one is queued. */
  #next: Promise<void> | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Whether items are still to come (the list's `aria-busy`). */
  get busy(): boolean {
    return this.#next !== null;
  }

  /** Resolves when every item is rendered (for `updateComplete`); null when none are pending. */
  get pending(): Promise<void> | null {
    return this.#next;
  }

  /** How many of `total` items to render now; `prepare(i)` does item i's costly part first. */
  count(total: number, prepare: (i: number) => void): number {
    let shown = Math.min(this.#shown, total);
    // No read of layout (where the list is): during a page load that forces a layout of the
    // whole page inside our task (the page-load bench saw 276–530 ms at 4× throttle). A
    // viewport's worth of items covers the first screen wherever the list starts.
    const atLeast = this.#shown ? shown + 1 : Math.ceil(innerHeight / ITEM_ESTIMATE_PX);
    while (shown < total && (shown < atLeast || !sliceSpent())) prepare(shown++);
    this.#shown = shown;
    if (shown < total && !this.#next) {
      this.#next = nextSlice().then(() => {
        this.#next = null;
        this.host.requestUpdate();
      });
    }
    return shown;
  }
}
