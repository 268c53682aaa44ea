/**
 * Finds the widgets on the page, now and later, and asks for each element's code once: at
 * once for a widget that is eager (the default), and for a `loading="lazy"` one (its own
 * attribute, else the nearest `<care-page loading>`) only when it comes within 600px of the
 * viewport, the margin the elements themselves use before connecting (care-element.ts).
 * Once an element's code is asked for, the element itself handles `loading` from then on.
 *
 * A MutationObserver sees widgets added later (a single-page app, a CMS block rendered by
 * script) and a `loading` attribute turning eager. It does not see inside other shadow roots:
 * there, `CareWidgets.load(tag)` asks for the code (README).
 */
export function watchWidgets(tagNames: string[], want: (tag: string) => void): void {
  const waiting = new Set(tagNames);
  const near = new IntersectionObserver((entries) => entries.forEach((e) => e.isIntersecting && ask(e.target.localName)), { rootMargin: '600px' });
  const found = new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes') visit(r.target as Element);
      r.addedNodes.forEach(visit);
    }
  });

  function ask(tag: string): void {
    if (!waiting.delete(tag)) return;
    want(tag);
    document.querySelectorAll(tag).forEach((el) => near.unobserve(el));
    if (waiting.size === 0) {
      found.disconnect();
      near.disconnect();
    }
  }

  function lazy(el: Element): boolean {
    return (el.getAttribute('loading') ?? el.closest('care-page[loading]')?.getAttribute('loading')) === 'lazy';
  }

  /** The node and the widgets inside it. */
  function visit(node: Node): void {
    if (!(node instanceof Element) || waiting.size === 0) return;
    for (const el of [node, ...node.querySelectorAll([...waiting].join())]) {
      if (!waiting.has(el.localName)) continue;
      if (lazy(el)) near.observe(el);
      else ask(el.localName);
    }
  }

  found.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['loading'] });
  visit(document.documentElement);
}
