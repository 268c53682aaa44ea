/**
 * Light Markdown (SPEC section 4) to an HTML string: paragraphs (split on blank lines), `<br>`
 * for single line breaks, `-`/`*` bullet and `1.`/`1)` numbered lists, `**bold**`, `*italic*`,
 * `[text](http…|mailto:…)` links and bare `http(s)://` URLs. DOM-free, so Node imports it.
 *
 * The first wall (issue 10, finding 7). Each line goes through one left-to-right scanner that
 * escapes all the text itself and writes only its own tags (p, br, strong, em, a, ul, ol, li)
 * and one attribute, `href`, which starts with `http://`, `https://` or `mailto:` and is escaped
 * like text. Nothing it wrote is scanned again. The work is linear in the input: the scanner
 * only moves forward, each `]` and each URL is scanned at most once, and the regular
 * expressions are linear by construction (a run of one character class, a fixed prefix then
 * such a run, or `^`-anchored runs of disjoint classes). `markdownSteps` counts the work; the
 * tests hold it to a constant per character. DOMPurify (render.ts) is the second wall.
 */

/**
 * The work of the last `markdownToHtml` call: the scanner's iterations, plus the characters
 * that each built-in it calls (`indexOf`, a sticky regex, an escape) runs over.
 */
export let markdownSteps = 0;

/** Counts work for the tests. The script-tag bundle drops these calls (terser.config.mjs). */
const markdownStep = (n: number) => void (markdownSteps += n);

const escape = (s: string) => (markdownStep(s.length), s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`));

/** Where the match of the sticky `re` at `i` ends, else 0. */
const match = (re: RegExp, s: string, i: number) => ((re.lastIndex = i), re.test(s) ? (markdownStep(re.lastIndex - i), re.lastIndex) : (markdownStep(9), 0));

/** A link's tail, `](` and a URL up to a space, `)` or `]`; then `)` must follow. */
const LINK = /\]\((?:https?:\/\/|mailto:)[^\s)\]]+/y;
const BARE = /https?:\/\/[^\s<>")]*/y;

/** One line, or the text of a link (`inLink`: no links or URLs in it). */
function inline(s: string, inLink?: 1): string {
  const out: string[] = [];
  /** Open `*` and `**`: where each sits in `out`, as literal text until it is closed. */
  const open: number[] = [];
  /** The next `]`, and the last `]` whose link tail failed. */
  let close = -1;
  let failed = -1;
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    markdownStep(1);
    if (c === '*') {
      // Closes the innermost open emphasis if it is the same and not empty, else opens one.
      const d = s[i + 1] === '*' ? '**' : '*';
      const o = open.at(-1)!;
      const tag = d[1] ? 'strong' : 'em';
      i += d.length;
      if (out[o] === d && o < out.length - 1) open.pop(), (out[o] = `<${tag}>`), out.push(`</${tag}>`);
      else open.push(out.length), out.push(d);
      continue;
    }
    if (c === '[' && !inLink) {
      // `[text](url)`: the text runs to the next `]` (found once for all the `[` before it).
      if (close < i) {
        close = s.indexOf(']', i);
        if (close < 0) close = s.length;
        markdownStep(close - i);
      }
      if (close > i + 1 && close !== failed) {
        const k = match(LINK, s, close);
        if (k && s[k] === ')') {
          out.push(`<a href="${escape(s.slice(close + 2, k))}">${inline(s.slice(i + 1, close), 1)}</a>`);
          i = k + 1;
          continue;
        }
        failed = close;
      }
    }
    if (c === 'h' && !inLink && /[\s(]/.test(s[i - 1] ?? ' ')) {
      // A bare URL after a space or `(`, without the punctuation that ends a sentence.
      let k = match(BARE, s, i);
      while (".,!?;:'*".includes(s[k - 1]!)) k--, markdownStep(1);
      if (k > i + (s[i + 4] === 's' ? 8 : 7)) {
        const href = escape(s.slice(i, k));
        out.push(`<a href="${href}">${href}</a>`);
        i = k;
        continue;
      }
    }
    out.push(escape(c));
    i++;
  }
  return out.join('');
}

export function markdownToHtml(src: string): string {
  // The block pass: a few splits, a trim and one anchored regex per line, each linear.
  markdownSteps = 4 * src.length;
  return src
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((block) => {
      const lines = block.split('\n').filter((l) => l.trim());
      const items = lines.map((l) => /^\s*(?:([-*])|\d+[.)])\s+/.exec(l));
      const tag = items.every((m) => m?.[1]) ? 'ul' : items.every((m) => m && !m[1]) ? 'ol' : 0;
      return !lines.length ? '' : tag ? `<${tag}>${items.map((m) => `<li>${inline(m!.input.slice(m![0].length))}</li>`).join('')}</${tag}>` : `<p>${lines.map((l) => inline(l)).join('<br>')}</p>`;
    })
    .join('');
}
