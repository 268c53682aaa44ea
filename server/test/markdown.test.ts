/**
 * The Markdown renderer's first wall (issue 10, finding 7): `markdownToHtml` alone, without
 * DOMPurify (the second wall, exercised in the browser suite), writes only its own tags and
 * attributes, and works in linear time.
 *
 * Linear time is shown by structure, never by the clock: the renderer counts its steps
 * (characters read and delimiter-stack moves, `markdownSteps`), and on adversarial inputs the
 * count stays within a constant times the input length and at most doubles when the input
 * doubles. The property tests (fast-check, fixed seed) parse every output with a strict
 * tokenizer that knows only the renderer's own vocabulary.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as md from '../../src/markdown/parse.js';

const { markdownToHtml } = md;
/** Steps of the last `markdownToHtml` call. */
const steps = () => (md as { markdownSteps?: number }).markdownSteps ?? Number.NaN;

const SEED = 20261125;
const BLOCK = new Set(['p', 'ul', 'ol']);
const INLINE = new Set(['strong', 'em', 'a']);
const ENTITY = /^&#(?:38|60|62|34|39);/;
const ENTITIES: Record<string, string> = { '&#38;': '&', '&#60;': '<', '&#62;': '>', '&#34;': '"', '&#39;': "'" };

/**
 * A strict tokenizer for the renderer's output. It accepts exactly: <p> <ul> <ol> at the top
 * level; <li> directly in a list; <br> directly in a paragraph; <strong> <em> <a href="…"> in a
 * paragraph or list item (no link in a link); every tag closed in order; text only inside a
 * block, with `&` only as one of the five entities the renderer writes and never a raw `<`,
 * `>`, `"` or `'`; `href` the only attribute, double-quoted, escaped the same way, and
 * `http://`, `https://` or `mailto:` once decoded. Returns the decoded hrefs.
 */
function assertOwnHtml(html: string, input: string): string[] {
  const stack: string[] = [];
  const hrefs: string[] = [];
  let i = 0;
  const fail = (why: string): never =>
    assert.fail(`${why} at ${i}: …${JSON.stringify(html.slice(Math.max(0, i - 40), i + 60))}… from input ${JSON.stringify(input.length > 300 ? `${input.slice(0, 300)}…` : input)}`);
  /** Text or attribute value from `from` to `to`: entities only, no raw markup characters. */
  const text = (from: number, to: number) => {
    let out = '';
    for (let k = from; k < to; k++) {
      const c = html[k]!;
      if (c === '&') {
        const m = ENTITY.exec(html.slice(k, k + 6));
        if (!m) (i = k), fail('a bare &');
        out += ENTITIES[m![0]];
        k += m![0].length - 1;
      } else if (c === '<' || c === '>' || c === '"' || c === "'") {
        i = k;
        fail(`a raw ${c}`);
      } else out += c;
    }
    return out;
  };
  while (i < html.length) {
    if (html[i] !== '<') {
      const next = html.indexOf('<', i);
      const end = next < 0 ? html.length : next;
      if (stack.length === 0) fail('text outside a block');
      const top = stack[stack.length - 1];
      if (top === 'ul' || top === 'ol') fail('text directly in a list');
      text(i, end);
      i = end;
      continue;
    }
    const close = html.indexOf('>', i);
    if (close < 0) fail('an unterminated tag');
    const tag = html.slice(i, close + 1);
    const top = stack[stack.length - 1];
    let m: RegExpExecArray | null;
    if ((m = /^<(p|ul|ol|li|strong|em)>$/.exec(tag))) {
      const name = m[1]!;
      if (BLOCK.has(name) && stack.length > 0) fail(`<${name}> inside <${top}>`);
      if (name === 'li' && top !== 'ul' && top !== 'ol') fail(`<li> inside <${top}>`);
      if (INLINE.has(name) && !(stack[0] === 'p' || stack[1] === 'li')) fail(`<${name}> outside a paragraph or item`);
      stack.push(name);
    } else if (tag === '<br>') {
      if (stack.length !== 1 || top !== 'p') fail('<br> not directly in a paragraph');
    } else if ((m = /^<a href="([^"<>]*)">$/.exec(tag))) {
      if (!(stack[0] === 'p' || stack[1] === 'li')) fail('<a> outside a paragraph or item');
      if (stack.includes('a')) fail('a link in a link');
      const start = i + '<a href="'.length;
      const href = text(start, start + m[1]!.length);
      if (!/^(?:https?:\/\/|mailto:)/.test(href)) fail(`href ${JSON.stringify(href)}`);
      if (/\s/.test(href)) fail(`whitespace in href ${JSON.stringify(href)}`);
      hrefs.push(href);
      stack.push('a');
    } else if ((m = /^<\/(p|ul|ol|li|strong|em|a)>$/.exec(tag))) {
      if (stack.pop() !== m[1]) fail(`</${m[1]}> closes <${top}>`);
    } else {
      fail(`a foreign tag ${JSON.stringify(tag)}`);
    }
    i = close + 1;
  }
  if (stack.length > 0) fail(`unclosed <${stack.join('>, <')}>`);
  return hrefs;
}

/** The renderer before issue 10 (regular expressions), as the reference for ordinary input. */
function regexRenderer(src: string): string {
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const inline = (text: string) =>
    escape(text)
      .replace(/\[([^\]\n]+)\]\(((?:https?:\/\/|mailto:)[^\s)]+)\)/g, '<a href="$2">$1</a>')
      .replace(/(^|[\s(])((?:https?:\/\/)[^\s<)]+[^\s<).,!?;:'"])/g, '$1<a href="$2">$2</a>')
      .replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>')
      .replace(/(^|[^*])\*([^*\n]+)\*/g, '$1<em>$2</em>');
  return src
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((block) => {
      const lines = block.split('\n').filter((l) => l.trim() !== '');
      if (lines.length === 0) return '';
      if (lines.every((l) => /^\s*[-*]\s+/.test(l))) return `<ul>${lines.map((l) => `<li>${inline(l.replace(/^\s*[-*]\s+/, ''))}</li>`).join('')}</ul>`;
      if (lines.every((l) => /^\s*\d+[.)]\s+/.test(l))) return `<ol>${lines.map((l) => `<li>${inline(l.replace(/^\s*\d+[.)]\s+/, ''))}</li>`).join('')}</ol>`;
      return `<p>${lines.map(inline).join('<br>')}</p>`;
    })
    .join('');
}

/** Pieces that mean something to the renderer or to HTML, and some that only look like it. */
const NASTY = [
  '[', ']', '(', ')', '](', '*', '**', '***', '-', '- ', '* ', '1. ', '2) ', '\n', '\n\n', '\r', '\r\n', ' ', '\t', '\u00a0', '\u2028',
  'http://', 'https://', 'mailto:', 'javascript:', 'data:', 'HTTP://', 'h', 'http', 'x', 'e.org', '/', '.', ',', '!', '?', ';', ':', "'", '"',
  '<', '>', '&', '&amp;', '&#60;', '`', '=', ' onmouseover=', 'alert`1`', '<script>', '</a>', '<a href="', '\u0000', '\ud800', '😀',
];
const nastyText = fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...NASTY) }, { weight: 1, arbitrary: fc.string({ maxLength: 4, unit: 'binary' }) }), { maxLength: 60 }).map((a) => a.join(''));

const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,7}$/);
const words = fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(' '));
const url = fc.tuple(fc.constantFrom('https://example.org/', 'http://example.com/a/', 'https://x.example/p?q='), word).map(([a, b]) => a + b);
const piece = fc.oneof(
  word,
  words.map((w) => `**${w}**`),
  words.map((w) => `*${w}*`),
  fc.tuple(word, words, word).map(([a, b, c]) => `*${a} **${b}** ${c}*`),
  fc.tuple(words, url).map(([t, u]) => `[${t}](${u})`),
  fc.tuple(words, url).map(([t, u]) => `[**${t}**](${u})`),
  fc.tuple(word, word).map(([t, e]) => `[${t}](mailto:${e}@example.org)`),
  fc.tuple(url, fc.constantFrom('', '.', ',', '!', '?', ';', ':')).map(([u, p]) => u + p),
  fc.tuple(url).map(([u]) => `(${u})`),
);
const line = fc.array(piece, { minLength: 1, maxLength: 6 }).map((p) => p.join(' '));
const block = fc.oneof(
  fc.array(line, { minLength: 1, maxLength: 3 }).map((l) => l.join('\n')),
  fc.tuple(fc.constantFrom('-', '*'), fc.array(line, { minLength: 1, maxLength: 3 })).map(([m, l]) => l.map((x) => `${m} ${x}`).join('\n')),
  fc.tuple(fc.constantFrom('.', ')'), fc.array(line, { minLength: 1, maxLength: 3 })).map(([m, l]) => l.map((x, i) => `${i + 1}${m} ${x}`).join('\n')),
);
const ordinary = fc.array(block, { minLength: 1, maxLength: 4 }).map((b) => b.join('\n\n'));

describe('markdownToHtml: only its own tags and attributes, without DOMPurify', () => {
  it('renders the exact payload of issue 10 finding 7 as one link with one href', () => {
    const input = '[x](http://a.example/(http://e/onmouseover=alert`1`//)';
    const html = markdownToHtml(input);
    assert.deepEqual(assertOwnHtml(html, input), ['http://a.example/(http://e/onmouseover=alert`1`//']);
    assert.equal(html, '<p><a href="http://a.example/(http://e/onmouseover=alert`1`//">x</a></p>');
  });

  it('never writes a tag or attribute into an href, whatever the URL holds', () => {
    for (const input of [
      '[x](http://a.example/(http://e/onmouseover=alert`1`//)',
      '[x](https://a.example/*b*)',
      '[x](https://a.example/**b**)',
      '[x](https://a.example/[y](https://b.example/))',
      'https://a.example/*b* and *https://c.example/d*',
      '**see https://a.example/x**',
      '(https://a.example/(https://b.example/))',
      'https://example.org/"onmouseover="alert(1)',
      '[x](https://example.org/" onclick="alert(1))',
      '[x](https://example.org/"onclick="alert(1))',
      "[x](https://example.org/'onclick='alert(1))",
      '[x](https://example.org/<script>)',
      '[x](https://example.org/&quot;)',
      '*[x](https://a.example/*)',
    ]) {
      assertOwnHtml(markdownToHtml(input), input);
    }
  });

  it('property: random input gives only allowed tags, the href attribute, allowed schemes, balanced tags (3,000 runs)', () => {
    fc.assert(
      fc.property(nastyText, (input) => {
        assertOwnHtml(markdownToHtml(input), input);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('property: every character of the input is escaped (no markup characters reach the output raw)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'binary' }), (input) => {
        assertOwnHtml(markdownToHtml(input), input);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('property: ordinary input renders exactly as the regex renderer before issue 10 did (2,000 runs)', () => {
    fc.assert(
      fc.property(ordinary, (input) => {
        assert.equal(markdownToHtml(input), regexRenderer(input));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('keeps the outputs the widgets relied on', () => {
    const cases: [string, string][] = [
      ['<b>x</b>', '<p>&#60;b&#62;x&#60;/b&#62;</p>'],
      ['Hello **bold** and *soft*.\nNext line', '<p>Hello <strong>bold</strong> and <em>soft</em>.<br>Next line</p>'],
      ['- one\n- two\n\n1. first\n2) second', '<ul><li>one</li><li>two</li></ul><ol><li>first</li><li>second</li></ol>'],
      ['a\r\nb\r\rc', '<p>a<br>b</p><p>c</p>'],
      ['a\n  \nb\n\n\n\n', '<p>a<br>b</p>'],
      ['- one\nnot an item', '<p>- one<br>not an item</p>'],
      ['[site](https://example.org) and https://example.com/x.', '<p><a href="https://example.org">site</a> and <a href="https://example.com/x">https://example.com/x</a>.</p>'],
      ['(see https://example.org/a_(b))', '<p>(see <a href="https://example.org/a_(b">https://example.org/a_(b</a>))</p>'],
      ['[a](mailto:x@example.org) [b](ftp://example.org) [c](javascript:alert(1))', '<p><a href="mailto:x@example.org">a</a> [b](ftp://example.org) [c](javascript:alert(1))</p>'],
      ['https://example.org/?a=1&b=2', '<p><a href="https://example.org/?a=1&#38;b=2">https://example.org/?a=1&#38;b=2</a></p>'],
      ['2 * 3 * 4', '<p>2 <em> 3 </em> 4</p>'],
      ['****', '<p>****</p>'],
    ];
    for (const [input, html] of cases) assert.equal(markdownToHtml(input), html, JSON.stringify(input));
  });

  it('parseMarkdown builds the tree markdownToHtml writes: text stays text, one text node per run', () => {
    assert.deepEqual(md.parseMarkdown('Hi <b> **bold** [x](https://e.org/a)\nnext\n\n- one'), [
      ['p', ['Hi <b> ', ['strong', ['bold']], ' ', ['a', ['x'], 'https://e.org/a'], ['br', []], 'next']],
      ['ul', [['li', ['one']]]],
    ]);
  });

  it('nests emphasis at most 32 deep: deeper * stay text (the DOM builder recurses per level)', () => {
    const depth = (n: md.MdNode): number => (typeof n === 'string' ? 0 : 1 + Math.max(0, ...n[1].map(depth)));
    const deep = `${'*a **b '.repeat(1000)}x${' b** a*'.repeat(1000)}`;
    const html = markdownToHtml(deep);
    assertOwnHtml(html, deep);
    assert.ok(Math.max(...md.parseMarkdown(deep).map(depth)) <= 34);
    assert.ok(html.includes('<strong>b *a '), 'the delimiters past the limit are text');
  });
});

/** Adversarial inputs of about `n` characters: each defeats some backtracking or rescanning. */
const ADVERSARIAL: [string, (n: number) => string][] = [
  ['[ × n (the reported 20,000 [)', (n) => '['.repeat(n)],
  ['[ then ](http:// × n', (n) => `[${'](http://'.repeat(n / 9)}`],
  ['[a × n then ](http://x)', (n) => `${'[a'.repeat(n / 2)}](http://x)`],
  ['[a × n then ](http://x without )', (n) => `${'[a'.repeat(n / 2)}](http://${'x'.repeat(n / 2)}`],
  ['[x](http://a/( × n', (n) => '[x](http://a/('.repeat(n / 14)],
  ['the reported payload × n', (n) => '[x](http://a.example/(http://e/onmouseover=alert`1`//)'.repeat(n / 50)],
  ['( × n, a URL, ) × n', (n) => `${'('.repeat(n / 2)}http://x${')'.repeat(n / 2)}`],
  ['* × n', (n) => '*'.repeat(n)],
  ['** × n', (n) => '**'.repeat(n / 2)],
  ['**a × n', (n) => '**a'.repeat(n / 3)],
  ['*a × n', (n) => '*a'.repeat(n / 2)],
  ['** × n then *a* × n', (n) => '**'.repeat(n / 4) + '*a*'.repeat(n / 6)],
  ['*a **b × n then * × n', (n) => '*a **b'.repeat(n / 12) + ' *'.repeat(n / 4)],
  ['a long URL', (n) => `http://${'a'.repeat(n)}`],
  ['a URL then . × n', (n) => `http://a${'.'.repeat(n)}b`],
  ['http:// × n', (n) => 'http://'.repeat(n / 7)],
  [' http × n', (n) => ' http'.repeat(n / 5)],
  ['space × n then -', (n) => `${' '.repeat(n)}-`],
  ['1 × n then .', (n) => `${'1'.repeat(n)}.`],
  ['- × n', (n) => '- '.repeat(n / 2)],
  ['newline × n', (n) => '\n'.repeat(n)],
  ['a newline × n', (n) => 'a\n'.repeat(n / 2)],
  ['- a newline × n, then a paragraph line', (n) => `${'- a\n'.repeat(n / 4)}b`],
  ['\\r × n', (n) => '\r'.repeat(n)],
  ['< × n', (n) => '<'.repeat(n)],
];

describe('markdownToHtml: linear time, counted in steps', () => {
  const PER_CHAR = 12;
  for (const [name, make] of ADVERSARIAL) {
    it(`${name}: steps within ${PER_CHAR} per character, and doubling the input at most doubles them`, () => {
      const small = make(10_000);
      markdownToHtml(small);
      const s1 = steps();
      const big = make(20_000);
      const html = markdownToHtml(big);
      const s2 = steps();
      assert.ok(s1 > 0, 'the renderer counts its steps');
      assert.ok(s1 <= PER_CHAR * small.length + 100, `${s1} steps for ${small.length} characters`);
      assert.ok(s2 <= PER_CHAR * big.length + 100, `${s2} steps for ${big.length} characters`);
      assert.ok(s2 <= 2.1 * s1 * (big.length / small.length / 2) + 100, `doubling: ${s1} → ${s2} steps`);
      assertOwnHtml(html, big);
    });
  }

  it('the 20,000 [ of the report: 7 steps a character (4 for the block pass, 1 scan, 1 escape, 1 search for ])', () => {
    markdownToHtml('['.repeat(20_000));
    assert.equal(steps(), 7 * 20_000 + 9);
  });

  it('property: steps stay within the per-character bound on random input', () => {
    fc.assert(
      fc.property(nastyText, (input) => {
        markdownToHtml(input);
        assert.ok(steps() <= PER_CHAR * input.length + 100, `${steps()} steps for ${input.length} characters`);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});
