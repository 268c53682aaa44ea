/**
 * Writes the API reference page (`dist/docs/index.html` + `docs.css`) from custom-elements.json:
 * every element, attribute, property, event, slot, CSS custom property and part. The demo
 * server serves it at /docs/. Static HTML, no script, so it works under the strict CSP.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('custom-elements.json', root), 'utf8'));
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const code = (s) => `<code>${esc(s)}</code>`;

function table(title, head, rows) {
  if (!rows.length) return '';
  return `<h3>${title}</h3><table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

const decls = manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.tagName).sort((a, b) => a.tagName.localeCompare(b.tagName));
const sections = decls.map((d) => {
  const fields = (d.members ?? []).filter((m) => m.kind === 'field' && !m.static && m.privacy !== 'private' && m.privacy !== 'protected' && !m.name.startsWith('#'));
  return `<section id="${esc(d.tagName)}"><h2>${code(`<${d.tagName}>`)}</h2><p>${esc(d.summary ?? d.description ?? '')}</p>
${table('Attributes', ['attribute', 'property', 'type', 'description'], (d.attributes ?? []).map((a) => [code(a.name), code(a.fieldName ?? ''), code(a.type?.text ?? 'string'), esc(a.description)]))}
${table('Properties', ['property', 'type', 'description'], fields.map((f) => [code(f.name), code(f.type?.text ?? ''), esc(f.description)]))}
${table('Events', ['event', 'description'], (d.events ?? []).map((e) => [code(e.name), esc(e.description)]))}
${table('Slots', ['slot', 'description'], (d.slots ?? []).map((s) => [s.name ? code(s.name) : '(default)', esc(s.description)]))}
${table('CSS custom properties', ['property', 'description'], (d.cssProperties ?? []).map((p) => [code(p.name), esc(p.description)]))}
${table('CSS parts', ['part', 'description'], (d.cssParts ?? []).map((p) => [code(p.name), esc(p.description)]))}
</section>`;
});

const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>care-widgets ${esc(pkg.version)} API reference</title><link rel="stylesheet" href="docs.css"></head>
<body><header><h1>care-widgets ${esc(pkg.version)}: API reference</h1>
<p>Generated from <code>custom-elements.json</code>. Common attributes of every widget: <code>page</code>, <code>host</code>, <code>token-url</code>, <code>lang</code>, <code>theme</code>.</p>
<nav aria-label="Elements"><ul>${decls.map((d) => `<li><a href="#${esc(d.tagName)}">${code(`<${d.tagName}>`)}</a></li>`).join('')}</ul></nav></header>
<main>${sections.join('\n')}</main></body></html>
`;
const css = `body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem 1.5rem;color:#1d2327;line-height:1.5}
table{border-collapse:collapse;width:100%;margin-block-end:1rem}th,td{border:1px solid #c9d1d6;padding:.35rem .5rem;text-align:start;vertical-align:top}
th{background:#eef2f3}code{font-size:.95em}section{border-block-start:2px solid #0a6b57;margin-block-start:2rem}
`;
const out = new URL('dist/docs/', root);
mkdirSync(out, { recursive: true });
writeFileSync(new URL('index.html', out), html);
writeFileSync(new URL('docs.css', out), css);
