import { expect } from '@open-wc/testing';

/** XSS vectors: each would run script or carry a handler/`javascript:` URL if not neutralised. */
export const XSS_VECTORS = [
  '<script>window.__xss++</script>',
  '<img src=x onerror="window.__xss++">',
  '<svg onload="window.__xss++"></svg>',
  '<a href="javascript:window.__xss++">click</a>',
  '[click](javascript:window.__xss++)',
  '[click](JaVaScRiPt:window.__xss++)',
  '[click](data:text/html,<script>window.__xss++</script>)',
  '<iframe src="javascript:window.__xss++"></iframe>',
  '"><script>window.__xss++</script>',
  "'><img src=x onerror=window.__xss++>",
  '<details open ontoggle="window.__xss++">',
  '<math><mtext><table><mglyph><style><img src=x onerror=window.__xss++>',
  '**<img src=x onerror=window.__xss++>**',
  '*[x](javascript:window.__xss++)*',
  '- <svg/onload=window.__xss++>\n- item',
  'https://example.org/"onmouseover="window.__xss++',
  '[x](https://example.org/" onclick="window.__xss++)',
  '<style>@import "javascript:window.__xss++"</style>',
  '<form action="javascript:window.__xss++"><button>x</button></form>',
  '&lt;script&gt;window.__xss++&lt;/script&gt;',
];

declare global {
  interface Window {
    __xss: number;
  }
}

/** Fails if the rendered nodes carry anything that could run or navigate to script. */
export function assertInert(root: ParentNode, source: string): void {
  for (const el of root.querySelectorAll('*')) {
    expect(['P', 'BR', 'STRONG', 'EM', 'A', 'UL', 'OL', 'LI', 'DIV', 'TIME', 'SPAN'], `tag ${el.tagName} from ${JSON.stringify(source)}`).to.include(el.tagName);
    for (const attr of el.attributes) {
      expect(attr.name.startsWith('on'), `handler ${attr.name} from ${JSON.stringify(source)}`).to.equal(false);
      if (attr.name === 'href') expect(attr.value, `href from ${JSON.stringify(source)}`).to.match(/^(https?:|mailto:)/i);
    }
  }
}

