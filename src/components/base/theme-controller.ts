import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** What a widget exposes to its theme controller. */
export interface ThemedHost extends ReactiveControllerHost, HTMLElement {
  theme: string;
}

/** The widgets in the document, re-checked together when the page may have changed scheme. */
const themed = new Set<ThemeController>();
let prefersDark: MediaQueryList | undefined;
const recheck = () => themed.forEach((c) => c.check());

/**
 * Resolves a widget's theme to light or dark and shows it as the `dark` custom state, which
 * the tokens style (`:host(:state(dark))`). `dark` and `light` are what they say. `auto`
 * (SPEC 7) follows the host page's own `color-scheme` at the element, not the visitor's
 * system: a page that never opted in (`normal`, `light`) gets light widgets; `dark` gets
 * dark ones; `light dark` follows `prefers-color-scheme`. A `<meta name="color-scheme">`
 * counts where no CSS sets one.
 *
 * When it looks again, cheaply (one computed-style read per widget, no polling): on connect,
 * when `theme` changes, when the visitor's preference changes, and when an attribute of
 * `<html>` or `<body>` changes (one MutationObserver for all widgets), which is how sites
 * switch their dark mode (a class, `data-theme`, a `style`). A page that switches another
 * way (say, by swapping a stylesheet) sets any attribute on `<html>` afterwards.
 */
export class ThemeController implements ReactiveController {
  #internals: ElementInternals | undefined;
  #theme: string | undefined;

  constructor(private readonly host: ThemedHost) {
    host.addController(this);
  }

  hostConnected(): void {
    if (!prefersDark) {
      prefersDark = matchMedia('(prefers-color-scheme: dark)');
      prefersDark.addEventListener('change', recheck);
      const observer = new MutationObserver(recheck);
      for (const el of [document.documentElement, document.body]) if (el) observer.observe(el, { attributes: true });
    }
    themed.add(this);
    this.check();
  }

  hostDisconnected(): void {
    themed.delete(this);
  }

  hostUpdate(): void {
    if (this.host.theme !== this.#theme) this.check();
  }

  /** Reads the page's scheme at the element and sets or clears the `dark` state. */
  check(): void {
    const host = this.host;
    const theme = (this.#theme = host.theme);
    let scheme = getComputedStyle(host).colorScheme;
    if (scheme === 'normal') scheme = document.querySelector<HTMLMetaElement>('meta[name=color-scheme]')?.content ?? '';
    const dark = theme === 'dark' || (theme !== 'light' && /dark/.test(scheme) && (!/light/.test(scheme) || prefersDark!.matches));
    try {
      // Browsers without custom states keep light for `auto` (and `[theme=dark]` in the CSS).
      (this.#internals ??= host.attachInternals()).states[dark ? 'add' : 'delete']('dark');
    } catch {
      /* no CustomStateSet */
    }
  }
}
