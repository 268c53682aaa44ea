import DOMPurify from 'dompurify';

/**
 * Light Markdown (SPEC section 4): paragraphs, line breaks, **bold**, *italic*, links,
 * bullet and numbered lists. The text is HTML-escaped first, so the renderer can only ever
 * produce the handful of tags it writes itself; DOMPurify then enforces the allow-list anyway,
 * as a second wall, and returns DOM nodes (no innerHTML, so it works under Trusted Types).
 */
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function inline(text: string): string {
  return escape(text)
    .replace(/\[([^\]\n]+)\]\(((?:https?:\/\/|mailto:)[^\s)]+)\)/g, '<a href="$2">$1</a>')
    .replace(/(^|[\s(])((?:https?:\/\/)[^\s<)]+[^\s<).,!?;:'"])/g, '$1<a href="$2">$2</a>')
    .replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*])\*([^*\n]+)\*/g, '$1<em>$2</em>');
}

export function markdownToHtml(src: string): string {
  const blocks = src.replace(/\r\n?/g, '\n').split(/\n{2,}/);
  return blocks
    .map((block) => {
      const lines = block.split('\n').filter((l) => l.trim() !== '');
      if (lines.length === 0) return '';
      if (lines.every((l) => /^\s*[-*]\s+/.test(l))) return `<ul>${lines.map((l) => `<li>${inline(l.replace(/^\s*[-*]\s+/, ''))}</li>`).join('')}</ul>`;
      if (lines.every((l) => /^\s*\d+[.)]\s+/.test(l))) return `<ol>${lines.map((l) => `<li>${inline(l.replace(/^\s*\d+[.)]\s+/, ''))}</li>`).join('')}</ol>`;
      return `<p>${lines.map(inline).join('<br>')}</p>`;
    })
    .join('');
}

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

export function renderMarkdown(src: string): DocumentFragment {
  return sanitizer().sanitize(markdownToHtml(src), {
    ALLOWED_TAGS: ['p', 'br', 'strong', 'em', 'a', 'ul', 'ol', 'li'],
    ALLOWED_ATTR: ['href', 'rel', 'target'],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
    RETURN_DOM_FRAGMENT: true,
  });
}
