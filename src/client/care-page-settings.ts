import type { CareSettings } from './settings.js';

/** What a `<care-page>` gives the widgets inside it. */
export interface InheritedSettings extends CareSettings {
  page?: string | undefined;
  /** `lazy` makes the widgets inside without a `loading` attribute of their own lazy. */
  loading?: string | undefined;
}

const ATTRS = ['page', 'host', 'token-url', 'loading'];

/** The nearest `<care-page>` around an element, across shadow roots. */
export function carePageOf(el: Element): Element | null {
  let node: Node | null = el.parentNode;
  while (node) {
    if (node instanceof Element && node.localName === 'care-page') return node;
    node = node instanceof ShadowRoot ? node.host : node.parentNode;
  }
  return null;
}

/**
 * Reads a `<care-page>`'s settings from its attributes and watches them. Attributes rather
 * than properties, so it works whether or not `<care-page>` is defined yet, in any upgrade
 * order, and costs a few hundred bytes instead of a context library.
 */
export class CarePageWatcher {
  #page: Element | null = null;
  #observer: MutationObserver | null = null;

  constructor(private readonly onChange: () => void) {}

  connect(el: Element): void {
    this.disconnect();
    this.#page = carePageOf(el);
    if (!this.#page) return;
    this.#observer = new MutationObserver(this.onChange);
    this.#observer.observe(this.#page, { attributes: true, attributeFilter: ATTRS });
  }

  disconnect(): void {
    this.#observer?.disconnect();
    this.#observer = null;
    this.#page = null;
  }

  get settings(): InheritedSettings | undefined {
    const p = this.#page;
    if (!p) return undefined;
    return {
      page: p.getAttribute('page') || undefined,
      host: p.getAttribute('host') || undefined,
      tokenUrl: p.getAttribute('token-url') || undefined,
      loading: p.getAttribute('loading') || undefined,
    };
  }
}
