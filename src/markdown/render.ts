import DOMPurify from 'dompurify';
import { markdownToHtml } from './parse.js';

export { markdownToHtml };

let purify: ReturnType<typeof DOMPurify> | null = null;

/** Our own DOMPurify instance, so our hook never touches the host page's use of DOMPurify. */
function sanitizer() {
  if (purify) return purify;
  purify = DOMPurify(window);
  purify.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName === 'A') {
      node.setAttribute('rel', 'noopener noreferrer nofollow ugc');
      node.setAttribute('target', '_blank');
    }
  });
  return purify;
}

/**
 * Light Markdown (SPEC section 4) as DOM nodes. `markdownToHtml` (parse.ts) writes only its
 * own tags and attributes; DOMPurify then enforces the allow-list anyway, as a second wall,
 * and returns DOM nodes (no innerHTML, so it works under Trusted Types).
 */
export function renderMarkdown(src: string): DocumentFragment {
  return sanitizer().sanitize(markdownToHtml(src), {
    ALLOWED_TAGS: ['p', 'br', 'strong', 'em', 'a', 'ul', 'ol', 'li'],
    ALLOWED_ATTR: ['href', 'rel', 'target'],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
    RETURN_DOM_FRAGMENT: true,
  });
}
