import type { CareErrorDetail } from '../events.js';

/**
 * What an element whose code could not load becomes (a network error, a chunk whose bytes do
 * not match the hash the loader carries): a plain notice for visitors and `care-error
 * {code: 'config'}` for the page, once per widget, instead of an empty box. Plain DOM and
 * `textContent` only, like the blocked-by-CSP stand-ins (scripts/blocked-by-csp.mjs).
 */
export function defineUnavailable(tag: string, message: string): void {
  if (customElements.get(tag)) return;
  customElements.define(
    tag,
    class extends HTMLElement {
      connectedCallback(): void {
        if (this.shadowRoot) return;
        const p = document.createElement('p');
        p.part.add('notice');
        p.role = 'alert';
        p.textContent = 'This content could not be loaded.';
        this.attachShadow({ mode: 'open' }).append(p);
        const detail: CareErrorDetail = { code: 'config', message };
        this.dispatchEvent(new CustomEvent('care-error', { detail, bubbles: true, composed: true }));
      }
    },
  );
}
