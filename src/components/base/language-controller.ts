import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { en } from '../../i18n/en.js';
import { directionOf, localeOf, stringsFor, tableFor, type Strings } from '../../i18n/index.js';

type Host = ReactiveControllerHost & HTMLElement & { lang: string };

/** Up the tree, across shadow roots: a parent, or the host of the shadow root we are in. */
const up = (n: Node): Node | null => n.parentNode ?? (n as ShadowRoot).host ?? null;

/**
 * The widget's language (SPEC 7): its own `lang`, then the nearest `lang` up the tree (through
 * shadow roots), then the first of the browser's languages we have strings for, then English.
 * Watches each of those `lang` attributes, so changing one re-renders live, and loads a
 * table other than English before the widget shows it: until then the widget keeps its
 * reserved space (or what it showed before) rather than flashing English.
 */
export class LanguageController implements ReactiveController {
  /** The BCP 47 tag the widget speaks, and formats times and numbers in; `en` without a table for it. */
  tag = 'en';
  dir: 'ltr' | 'rtl' = 'ltr';
  strings: Strings = stringsFor('en', en);
  /** The table being loaded, while the widget waits for it. */
  pending: Promise<void> | null = null;
  #observer: MutationObserver | undefined;
  readonly #changed = () => this.host.requestUpdate();

  constructor(private readonly host: Host) {
    host.addController(this);
  }

  hostConnected(): void {
    this.#observer ??= new MutationObserver(this.#changed);
    for (let n = up(this.host); n; n = up(n)) if (n instanceof Element) this.#observer.observe(n, { attributeFilter: ['lang'] });
    addEventListener('languagechange', this.#changed);
  }

  hostDisconnected(): void {
    this.#observer?.disconnect();
    removeEventListener('languagechange', this.#changed);
  }

  /** Settles the language for the next render; `false` while its table loads. */
  resolve(): boolean {
    const wanted = this.#wanted();
    const locale = localeOf(wanted);
    const table = locale ? tableFor(locale) : null;
    if (table instanceof Promise) {
      this.pending = table.then(this.#changed);
      return false;
    }
    this.pending = null;
    this.tag = table ? wanted : 'en';
    this.dir = directionOf(wanted);
    this.strings = stringsFor(this.tag, table ?? en);
    return true;
  }

  #wanted(): string {
    // The property, not the attribute: a new `el.lang` reflects only after this render starts.
    if (this.host.lang) return this.host.lang;
    for (let n = up(this.host); n; n = up(n)) if (n instanceof Element && n.getAttribute('lang')) return n.getAttribute('lang')!;
    return navigator.languages.find(localeOf) ?? 'en';
  }
}
