/**
 * Light Markdown (SPEC section 4): paragraphs (split on blank lines), `<br>` for single line
 * breaks, `-`/`*` bullet and `1.`/`1)` numbered lists, `**bold**`, `*italic*`,
 * `[text](http…|mailto:…)` links and bare `http(s)://` URLs. DOM-free, so Node imports it.
 *
 * The first wall (issue 10, finding 7). Each line goes through one left-to-right scanner that
 * keeps all the text as text and makes only its own elements (p, br, strong, em, a, ul, ol,
 * li) and one attribute, `href`, which starts with `http://`, `https://` or `mailto:`. Nothing
 * it made is scanned again. The work is linear in the input: the scanner only moves forward,
 * each `]` and each URL is scanned at most once, each item is wrapped into an element at most
 * once, and the regular expressions are linear by construction (a run of one character class,
 * a fixed prefix then such a run, or `^`-anchored runs of disjoint classes). `markdownSteps`
 * counts the work; the tests hold it to a constant per character.
 *
 * The scanner builds a small tree (`parseMarkdown`), not a string: the widgets turn it into DOM
 * nodes one by one (render.ts), so no HTML is ever parsed and Trusted Types need no policy for
 * it (issue 11). `markdownToHtml` writes the same tree as an escaped HTML string, for the
 * tests and for anyone rendering on a server. DOMPurify (render.ts) is the second wall.
 */

/** Text, or one of the scanner's own elements: `[tag, children, href]` (`href` only on `a`). */
export type MdNode = string | MdElement;
export type MdElement = [tag: 'p' | 'br' | 'strong' | 'em' | 'a' | 'ul' | 'ol' | 'li', children: MdNode[], href?: string];

/**
 * The work of the last `parseMarkdown` (or `markdownToHtml`) call: the scanner's iterations,
 * the items it wrapped, plus the characters that each built-in it calls (`indexOf`, a sticky
 * regex, an escape) runs over.
 */
export let markdownSteps = 0;

/** Counts work for the tests. The script-tag bundle drops these calls (terser.config.mjs). */
const markdownStep = (n: number) => void (markdownSteps += n);

/** Emphasis nests at most this deep; more open `*` stay text (and keep recursion shallow). */
const MAX_OPEN = 32;

/** Where the match of the sticky `re` at `i` ends, else 0. */
const match = (re: RegExp, s: string, i: number) => ((re.lastIndex = i), re.test(s) ? (markdownStep(re.lastIndex - i), re.lastIndex) : (markdownStep(9), 0));

/** A link's tail, `](` and a URL up to a space, `)` or `]`; then `)` must follow. */
const LINK = /\]\((?:https?:\/\/|mailto:)[^\s)\]]+/y;
const BARE = /https?:\/\/[^\s<>")]*/y;

/** One line, or the text of a link (`inLink`: no links or URLs in it). */
function inline(s: string, inLink?: 1): MdNode[] {
  const out: MdNode[] = [];
  /** Open `*` and `**`: where each sits in `out`, as literal text until it is closed. */
  const open: number[] = [];
  /** The next `]`, and the last `]` whose link tail failed. */
  let close = -1;
  let failed = -1;
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    const last = out.length - 1;
    /** What is left as text at `i`. */
    let t = c;
    markdownStep(1);
    if (c === '*') {
      // Closes the innermost open emphasis if it is the same and not empty, else opens one.
      const d = s[i + 1] === '*' ? '**' : '*';
      const o = open.at(-1)!;
      i += d.length;
      if (out[o] === d && o < last) {
        open.pop();
        const children = out.splice(o + 1);
        markdownStep(children.length);
        out[o] = [d[1] ? 'strong' : 'em', children];
        continue;
      }
      if (open.length < MAX_OPEN) {
        open.push(out.length), out.push(d);
        continue;
      }
      i -= d.length;
      t = d;
    } else if (c === '[' && !inLink) {
      // `[text](url)`: the text runs to the next `]` (found once for all the `[` before it).
      if (close < i) {
        close = s.indexOf(']', i);
        if (close < 0) close = s.length;
        markdownStep(close - i);
      }
      if (close > i + 1 && close !== failed) {
        const k = match(LINK, s, close);
        if (k && s[k] === ')') {
          out.push(['a', inline(s.slice(i + 1, close), 1), s.slice(close + 2, k)]);
          i = k + 1;
          continue;
        }
        failed = close;
      }
    } else if (c === 'h' && !inLink && /[\s(]/.test(s[i - 1] ?? ' ')) {
      // A bare URL after a space or `(`, without the punctuation that ends a sentence.
      let k = match(BARE, s, i);
      while (".,!?;:'*".includes(s[k - 1]!)) k--, markdownStep(1);
      if (k > i + (s[i + 4] === 's' ? 8 : 7)) {
        const href = s.slice(i, k);
        out.push(['a', [href], href]);
        i = k;
        continue;
      }
    }
    // Text joins the text before it, unless that is an open `*` (which may become a tag).
    if (typeof out[last] === 'string' && open.at(-1) !== last) out[last] += t;
    else out.push(t);
    i += t.length;
  }
  return out;
}

/** The light Markdown of `src` as a list of blocks (`p`, `ul`, `ol`), each a tree of its own elements and text. */
export function parseMarkdown(src: string): MdElement[] {
  // The block pass: a few splits, a trim and one anchored regex per line, each linear.
  markdownSteps = 4 * src.length;
  const blocks: MdElement[] = [];
  for (const block of src.replace(/\r\n?/g, '\n').split(/\n{2,}/)) {
    const lines = block.split('\n').filter((l) => l.trim());
    const items = lines.map((l) => /^\s*(?:([-*])|\d+[.)])\s+/.exec(l));
    const tag = items.every((m) => m?.[1]) ? 'ul' : items.every((m) => m && !m[1]) ? 'ol' : 0;
    if (lines.length) {
      blocks.push(tag ? [tag, items.map((m): MdElement => ['li', inline(m!.input.slice(m![0].length))])] : ['p', lines.flatMap((l, j) => (j ? [['br', []] as MdElement, ...inline(l)] : inline(l)))]);
    }
  }
  return blocks;
}

const escape = (s: string) => (markdownStep(s.length), s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`));

/** One node as HTML: text escaped, and only the scanner's own tags and `href`, escaped like text. */
const toHtml = (n: MdNode): string =>
  typeof n === 'string' ? escape(n) : n[0] === 'br' ? '<br>' : `<${n[0]}${n[2] ? ` href="${escape(n[2])}"` : ''}>${n[1].map(toHtml).join('')}</${n[0]}>`;

/** The light Markdown of `src` as an HTML string (the same tree `parseMarkdown` builds). */
export function markdownToHtml(src: string): string {
  return parseMarkdown(src).map(toHtml).join('');
}
