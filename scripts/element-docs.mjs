/**
 * Renders the element reference from custom-elements.json (made by `cem analyze` from the
 * components' JSDoc) as Markdown, and writes it into README.md between the ELEMENTS markers.
 * `node scripts/element-docs.mjs --check` exits 1 when the README is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('custom-elements.json', root), 'utf8'));
const cell = (s) => String(s ?? '').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const COMMON = new Set(['page', 'host', 'token-url', 'theme', 'lang']);

export function elementDocs() {
  const out = [];
  const decls = manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.tagName);
  decls.sort((a, b) => a.tagName.localeCompare(b.tagName));
  for (const d of decls) {
    out.push(`### \`<${d.tagName}>\``, '', cell(d.summary ?? d.description ?? ''), '');
    const attrs = (d.attributes ?? []).filter((a) => d.tagName === 'care-page' || !COMMON.has(a.name));
    if (attrs.length) {
      out.push('| attribute | property | type | description |', '| --- | --- | --- | --- |');
      for (const a of attrs) out.push(`| \`${a.name}\` | \`${a.fieldName ?? a.name.replace(/-(\w)/g, (_, c) => c.toUpperCase())}\` | \`${cell(a.type?.text ?? 'string')}\` | ${cell(a.description)} |`);
      out.push('');
    } else if (d.tagName !== 'care-page') {
      out.push('Attributes: the common ones.', '');
    }
    if (d.events?.length) {
      out.push(`Events: ${d.events.map((e) => `\`${e.name}\``).join(', ')}.`, '');
    }
    if (d.slots?.length) {
      out.push('| slot | description |', '| --- | --- |');
      for (const s of d.slots) out.push(`| ${s.name ? `\`${s.name}\`` : '(default)'} | ${cell(s.description)} |`);
      out.push('');
    }
    if (d.cssParts?.length) {
      out.push('| part | description |', '| --- | --- |');
      for (const p of d.cssParts) out.push(`| \`${p.name}\` | ${cell(p.description)} |`);
      out.push('');
    }
    if (d.cssProperties?.length) {
      out.push(`CSS custom properties: ${d.cssProperties.map((p) => `\`${p.name}\``).join(', ')}.`, '');
    }
  }
  return out.join('\n');
}

/**
 * The webmaster's snippet with the Subresource Integrity hash of this build's bundle, at the
 * release's versioned URL: its bytes never change, so the hash keeps matching after upgrades.
 */
function snippet() {
  const sri = readFileSync(new URL('dist/care-widgets.js.sri', root), 'utf8').trim();
  const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
  return [
    '```html',
    `<script src="https://care.example-hospital.org/dist/${version}/care-widgets.js"`,
    `        integrity="${sri}" crossorigin="anonymous"`,
    '        data-care-host="https://care.example-hospital.org" defer></script>',
    '```',
  ].join('\n');
}

function replaceBlock(text, name, body) {
  const start = `<!-- ${name} -->`;
  const end = `<!-- /${name} -->`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < 0) throw new Error(`README.md needs ${start} and ${end}`);
  return text.slice(0, a + start.length) + '\n' + body + '\n' + text.slice(b);
}

const START = '<!-- ELEMENTS -->';
const END = '<!-- /ELEMENTS -->';
const readmeUrl = new URL('README.md', root);
const readme = readFileSync(readmeUrl, 'utf8');
const a = readme.indexOf(START);
const b = readme.indexOf(END);
const next = replaceBlock(readme.slice(0, a + START.length) + '\n\n' + elementDocs() + '\n' + (b >= 0 ? readme.slice(b) : END + readme.slice(a + START.length)), 'SNIPPET', snippet());
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md element reference or SRI snippet is out of date: run `npm run docs`.');
    process.exit(1);
  }
} else {
  writeFileSync(readmeUrl, next);
}
