/**
 * What lets every element module be imported on a server (Next.js, Nuxt, SvelteKit and Astro
 * import them on Node while rendering, where there is no DOM): SPEC section 7. Lit's own
 * elements get the same from Lit's Node build (`@lit-labs/ssr-dom-shim`); `<care-page>` is a
 * plain custom element, so it needs these two.
 */

/**
 * `HTMLElement`, or on a server an empty stand-in so that `class … extends` does not throw at
 * import. Nothing is ever constructed from the stand-in: the server only renders the tags.
 */
export const HTMLElementOrStandIn = (globalThis.HTMLElement ?? class {}) as typeof HTMLElement;

/**
 * Whether `tag` still needs defining: not where it already is (a page may load the script
 * twice), nor where there is no registry to define it in. On Node, Lit's Node build installs a
 * stand-in registry before our Lit elements are defined; `<care-page>` alone may come first and
 * find none. (The define call itself stays literal in each define.ts: the manifest analyzer
 * reads tag names from it.)
 */
export const canDefine = (tag: string): boolean => !!globalThis.customElements && !customElements.get(tag);
