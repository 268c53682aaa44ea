/**
 * Reserves each widget's space the moment the loader runs, before its code arrives (SPEC
 * section 7: layout shift under 0.05 from load to first content): an undefined journal,
 * wall or planner is a block of about its loading state's height (heading and skeleton), the follow
 * button about its button. The settings panel holds no height: most visitors see only a
 * one-line notice there, and the page owner's panel is usually below the fold. A constructable stylesheet on the document, which a strict
 * `style-src` does not restrict, in `:where()`: no specificity, so any rule of the page (a
 * `display: none`, a height of its own) wins, and `[hidden]` stays hidden. The heights are
 * estimates, checked by the demo's layout-shift test (server/test/demo-e2e.test.ts).
 */
const CSS = `:where(care-journal-feed,care-message-wall,care-help-planner):where(:not(:defined):not([hidden])){display:block;min-height:12.5rem}
:where(care-page-settings):where(:not(:defined):not([hidden])){display:block}
:where(care-follow-button):where(:not(:defined):not([hidden])){display:inline-block;min-height:2.75rem;min-width:9rem}
:where(care-page):where(:not(:defined)){display:contents}`;

export function reserveSpace(): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  } catch {
    // No constructable stylesheets (Safari before 16.4): the widgets still work, only their space is not held.
  }
}
