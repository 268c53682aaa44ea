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
 * Plain JavaScript, kept tiny: it is outside the bundle's modules, so terser minifies it with
 * the rest but nothing else checks it; test/browser/trusted-types.test.ts runs it.
 */
const message = 'care-widgets: the Content-Security-Policy refuses a Trusted Types policy the widgets need, "care-widgets" or "lit-html" (see the README)';
const notice = "This content is blocked by the site's security policy.";

export const banner = 'try{';

export const footer = `}catch(e){
if(!/policy/i.test(e))throw e;
const m=${JSON.stringify(message)};
console.error(m,e);
for(const n of["care-journal-feed","care-message-wall","care-follow-button"])customElements.get(n)||customElements.define(n,class extends HTMLElement{connectedCallback(){if(this.shadowRoot)return;const p=document.createElement("p");p.part="notice";p.role="alert";p.textContent=${JSON.stringify(notice)};this.attachShadow({mode:"open"}).append(p);this.dispatchEvent(new CustomEvent("care-error",{detail:{code:"blocked_by_csp",message:m},bubbles:!0,composed:!0}))}})}`;
