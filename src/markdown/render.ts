import DOMPurify from 'dompurify';
import { markdownToHtml, parseMarkdown, type MdNode } from './parse.js';

export { markdownToHtml };

let purify: ReturnType<typeof DOMPurify> | null = null;

/**
 * Our own DOMPurify instance, so our hook never touches the host page's use of DOMPurify.
 * Made at the first body that needs sanitizing, not when the script loads, and configured
 * once: `sanitize(node, config)` parses the whole config again (its allow-lists rebuilt as
 * sets) on every call, which was a third of the sanitizing time of a first render.
 */
function sanitizer() {
  if (purify) return purify;
  purify = DOMPurify(window);
  purify.setConfig({
    ALLOWED_TAGS: ['p', 'br', 'strong', 'em', 'a', 'ul', 'ol', 'li'],
    ALLOWED_ATTR: ['href', 'rel', 'target'],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
    IN_PLACE: true,
    TRUSTED_TYPES_POLICY: null,
  });
  purify.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName === 'A') {
      node.setAttribute('rel', 'noopener noreferrer nofollow ugc');
      node.setAttribute('target', '_blank');
    }
  });
  return purify;
}

/** The scanner's tree as DOM: createElement, text nodes and `href` only, no HTML parsed. */
function toDom(n: MdNode): Node {
  if (typeof n === 'string') return document.createTextNode(n);
  const el = document.createElement(n[0]);
  if (n[2]) el.setAttribute('href', n[2]);
  for (const child of n[1]) el.append(toDom(child));
  return el;
}

/**
 * Light Markdown (SPEC section 4) as DOM nodes. The scanner (parse.ts) makes only its own
 * elements and attributes, built here node by node; DOMPurify then enforces the allow-list
 * anyway, as a second wall, in place on each block.
 *
 * Trusted Types (issue 11): nothing here parses HTML, so nothing needs a policy. DOMPurify
 * would create its `dompurify` policy to parse a string (and, refused by a host CSP, return
 * `null`); sanitizing our own nodes in place with `TRUSTED_TYPES_POLICY: null` never does.
 */
export function renderMarkdown(src: string): DocumentFragment {
  const frag = document.createDocumentFragment();
  for (const block of parseMarkdown(src)) {
    const el = toDom(block) as Element;
    sanitizer().sanitize(el);
    frag.append(el);
  }
  return frag;
}
