/**
 * What the script-tag build does when the host page's Content-Security-Policy refuses a
 * Trusted Types policy it needs (SPEC section 7, issue 11): the loader's `care-widgets` (for
 * its chunks' script URLs) as it starts, or Lit's `lit-html` as the core chunk runs. Refused,
 * either throws, and nothing after it runs. So both are wrapped in `try { … } catch` (the
 * loader's whole script; the core chunk's module body, scripts/chunks.mjs): on that error (and only that one) the catch defines
 * minimal stand-ins for the widgets, plain DOM and `textContent` only (no Trusted Types sink),
 * that show visitors a plain notice and fire `care-error {code: 'blocked_by_csp', message}`
 * (bubbling, composed); the reason is logged once. Any other error is thrown again as it was.
 *
 * The notice speaks the widget's language, chosen as the widgets choose it (SPEC section 7):
 * the nearest `lang` (the element's own first), then the browser's languages, by primary
 * subtag; English otherwise. Its text is every table's `cspBlocked` (src/i18n), read here at
 * build time, so the fallback needs none of the bundle's language code.
 *
 * Plain JavaScript, kept tiny: it is outside the bundle's modules, so terser minifies it with
 * the rest but nothing else checks it; test/browser/trusted-types.test.ts runs it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import ts from 'typescript';

const message = 'care-widgets: the Content-Security-Policy refuses a Trusted Types policy the widgets need, "care-widgets" or "lit-html" (see the README)';

/** Evaluates one of src/i18n's TypeScript tables. */
async function table(file) {
  const js = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const mod = await import(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`);
  return mod.default ?? mod.en;
}

const notices = { en: (await table('src/i18n/en.ts')).cspBlocked };
for (const file of readdirSync('src/i18n/locales')) notices[file.replace(/\.ts$/, '')] = (await table(`src/i18n/locales/${file}`)).cspBlocked;
for (const [code, text] of Object.entries(notices)) if (typeof text !== 'string') throw new Error(`src/i18n: the ${code} table lacks cspBlocked`);

export const banner = 'try{';

export const footer = `}catch(e){
if(!/policy/i.test(e))throw e;
const m=${JSON.stringify(message)},t=${JSON.stringify(notices)};
console.error(m,e);
for(const n of["care-journal-feed","care-message-wall","care-follow-button","care-page-settings","care-help-planner"])customElements.get(n)||customElements.define(n,class extends HTMLElement{connectedCallback(){if(this.shadowRoot)return;const l=[this.closest("[lang]")?.lang,...navigator.languages].map(c=>t[(c||"").split("-")[0].toLowerCase()]).find(Boolean)||t.en,p=document.createElement("p");p.part="notice";p.role="alert";p.textContent=l;this.attachShadow({mode:"open"}).append(p);this.dispatchEvent(new CustomEvent("care-error",{detail:{code:"blocked_by_csp",message:m},bubbles:!0,composed:!0}))}})}`;
