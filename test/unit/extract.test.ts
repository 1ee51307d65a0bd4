/**
 * Paragraph extraction rules on linkedom DOMs (no layout): what counts as readable prose and what is
 * page chrome, code, forms, hidden or editable. The fixture pages are the ones the e2e tests load.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseHTML } from 'linkedom';
import { collapse, countWords, extractParagraphs, inPrunedContext, isRendered, walkCandidates } from '../../src/content/extract.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/pages/${name}`, import.meta.url), 'utf8');
const dom = (html: string) => parseHTML(html).document as unknown as Document;
const ids = (doc: Document) => extractParagraphs(doc).map((c) => c.el.id || c.el.localName);
const texts = (doc: Document) => extractParagraphs(doc).map((c) => c.text);

test('article fixture: prose found, chrome/code/forms/hidden/editable left out', () => {
  const doc = dom(fixture('article.html'));
  const found = extractParagraphs(doc);
  const els = new Set(found.map((c) => c.el));
  for (const el of Array.from(doc.querySelectorAll('[data-expect="prose"]'))) {
    assert.ok(els.has(el), `expected prose: #${el.id}`);
  }
  for (const skip of Array.from(doc.querySelectorAll('[data-expect="skip"]'))) {
    if (skip.getAttribute('data-needs-layout') === 'true') continue; // class-based hiding: real browsers only
    for (const c of found) {
      assert.ok(!(skip === c.el || skip.contains(c.el)), `#${c.el.id || c.el.localName} inside skipped #${skip.id || skip.localName}: "${c.text.slice(0, 60)}"`);
    }
  }
  // Text is whitespace-collapsed and complete.
  const p1 = found.find((c) => c.el.id === 'p-human-1')!;
  assert.match(p1.text, /^I lost about half the onions this year\. .* rotted from the neck down\.$/);
  // Comments keep their author names inline (the span is phrasing content).
  assert.match(found.find((c) => c.el.id === 'comment-1')!.text, /^Dev Same here/);
});

test('e2e article fixture: the markers the browser tests look for are never candidates', () => {
  const all = texts(dom(fixture('e2e-article.html'))).join('\n');
  for (const marker of ['NAV-LINK', 'FOOTER-CHROME', 'CODE-SAMPLE', 'FORM-LABEL', 'EDITABLE-TEXT']) assert.ok(!all.includes(marker), marker);
  assert.ok(all.includes('Too short.'), 'short paragraphs are still sent: the detector says too-short');
  assert.ok(all.includes('Le port était calme'), 'non-English paragraphs are sent: the detector says unsupported');
});

test('page order, list items with prose, link lists and data cells left out', () => {
  const doc = dom(`<body>
    <div id="wrap"><p id="a">First paragraph of the story, with enough words.</p><div id="b">A div of direct prose text <em>with emphasis</em> and a <a href="#">link</a> inside it.</div></div>
    <ul><li id="c">A list item that is really a sentence of prose.</li><li><a href="#">Only a link here in this item</a></li></ul>
    <table><tr><td>12.5</td><td>kg</td></tr><tr><td id="d">A table cell that holds a whole sentence of prose text.</td></tr></table>
    <ul id="links"><li><a href="#">One link to somewhere else on the site</a> <a href="#">and another link</a></li></ul>
  </body>`);
  assert.deepEqual(ids(doc), ['a', 'b', 'c', 'd']);
});

test('a div of mostly direct text is one paragraph; a container of paragraphs is not', () => {
  const doc = dom(`<body><div id="post">This comment is written straight into a div, no p elements at all, as many forums do.<br>Second line of it.<div class="sig">-- sig</div></div>
    <section id="s"><p id="x">One real paragraph inside the section container.</p><p id="y">Another real paragraph inside the section container.</p></section></body>`);
  assert.deepEqual(ids(doc), ['post', 'x', 'y']);
  assert.match(extractParagraphs(doc)[0]!.text, /as many forums do\. Second line of it\. -- sig$/);
});

test('open shadow roots are walked; text inside custom elements is read', () => {
  const doc = dom(`<body><p id="light">Light paragraph with some words in it.</p><x-card id="host"></x-card><x-post id="post2"></x-post></body>`);
  const host = doc.getElementById('host')!;
  const sr = host.attachShadow({ mode: 'open' });
  sr.innerHTML = '<nav><p>Shadow navigation text that must not count.</p></nav><p id="in-shadow">A paragraph that lives inside an open shadow root.</p>';
  const post = doc.getElementById('post2')!;
  post.attachShadow({ mode: 'open' }).innerHTML = '<span>Rendered</span> <slot></slot>';
  post.textContent = 'slotted light text with quite a few words';
  const seen: ShadowRoot[] = [];
  const found = [...walkCandidates(doc, { onShadowRoot: (r) => seen.push(r) })].filter((c) => c !== null);
  assert.deepEqual(
    found.map((c) => c!.el.id),
    ['light', 'in-shadow', 'post2'],
  );
  assert.equal(found[2]!.text, 'Rendered slotted light text with quite a few words');
  assert.ok(seen.includes(sr), 'the walk reports the shadow roots it enters');
  assert.equal(inPrunedContext(sr.querySelector('nav p')!), true, 'pruned context seen across the shadow boundary');
  assert.equal(inPrunedContext(doc.getElementById('light')!), false);
});

test('editable, hidden, aria-hidden, role=navigation, our own UI and forms are pruned', () => {
  const doc = dom(`<body>
    <div contenteditable><p>Editable paragraph being written by the reader right now.</p></div>
    <div contenteditable="false"><p id="ok">Not editable: contenteditable false is ordinary prose.</p></div>
    <div contenteditable="plaintext-only">Plain text editing region with several words.</div>
    <p hidden>Hidden attribute paragraph with several words.</p>
    <p style="display: none">Display none paragraph with several words.</p>
    <div style="visibility:hidden"><p>Visibility hidden paragraph with several words.</p></div>
    <div aria-hidden="true"><p>Aria hidden paragraph with several words.</p></div>
    <div role="navigation"><p>Role navigation paragraph with several words.</p></div>
    <div role="textbox"><p>Role textbox paragraph with several words.</p></div>
    <form><p>Paragraph inside a plain form with several words.</p><textarea>Typed text in a textarea with several words.</textarea></form>
    <form id="aspnet"><main><p id="inform">Whole page wrapped in a form, as ASP.NET sites do.</p></main></form>
    <telltale-card><p>Our own card text with several words in it.</p></telltale-card>
  </body>`);
  const own = doc.querySelector('telltale-card')!;
  assert.deepEqual(
    extractParagraphs(doc, { isOwn: (el) => el === own }).map((c) => c.el.id),
    ['ok', 'inform'],
  );
});

test('hostile text: RTL, CJK, emoji, junk, a 1 MB paragraph, an empty page', () => {
  const big = 'word '.repeat(220_000);
  const doc = dom(`<body>
    <p id="rtl" dir="rtl">هذه فقرة مكتوبة باللغة العربية لاختبار النص من اليمين إلى اليسار.</p>
    <p id="cjk">这是一个用中文写的段落，用来测试没有空格的文字。</p>
    <p id="emoji">🎉🎉 Party time 🥳 with emoji 👍🏽 and ZWJ 👩‍👩‍👧 sequences ✨</p>
    <p id="junk">\u0001\u0002 \uFFFD\uFFFE garbage \uD800 lone surrogate \u200B\u200B text here</p>
    <p id="big">${big}</p>
  </body>`);
  const found = extractParagraphs(doc, { maxChars: 100_000 });
  assert.deepEqual(found.map((c) => c.el.id), ['rtl', 'cjk', 'emoji', 'junk', 'big']);
  assert.equal(found[4]!.text.length, 100_000, 'huge paragraphs are cut while read');
  assert.deepEqual(extractParagraphs(dom('<html><body></body></html>')), []);
  assert.deepEqual(extractParagraphs(dom('')), []);
  assert.deepEqual(extractParagraphs(dom('<body>   \n  </body>')), []);
});

test('countWords counts CJK characters as words; collapse keeps every non-space character', () => {
  assert.equal(countWords('Too short.'), 2);
  assert.equal(countWords('这是中文'), 4);
  assert.equal(countWords('12.5 kg'), 3);
  assert.equal(countWords('—— ... !!'), 0);
  assert.equal(collapse('  a\n\t b\u00a0 c  '), 'a b c');
});

test('layout: display/visibility/zero-size checks use the browser when it has layout', () => {
  const doc = dom('<body><p id="a">x</p></body>');
  const el = doc.getElementById('a')!;
  const fake = (vis: boolean, w: number, h: number) =>
    Object.assign(el, {
      checkVisibility: () => vis,
      getClientRects: () => (w || h ? [{}] : []),
      getBoundingClientRect: () => ({ width: w, height: h }),
    });
  fake(true, 300, 40);
  assert.equal(isRendered(el, true), true);
  fake(false, 300, 40);
  assert.equal(isRendered(el, true), false, 'display:none / visibility:hidden (checkVisibility)');
  fake(true, 0, 0);
  assert.equal(isRendered(el, true), false, 'zero size');
  fake(true, 1, 1);
  assert.equal(isRendered(el, true), false, 'one-pixel visually-hidden box');
  assert.equal(isRendered(el, false), true, 'without layout, markup decides');
});

test('hostile and frame fixtures: the static parts extract without surprises', () => {
  const doc = dom(fixture('hostile.html'));
  const found = extractParagraphs(doc, { maxChars: 100_000 });
  const ids = found.map((c) => c.el.id);
  for (const id of ['forged', 'xss', 'rtl-ar', 'rtl-he', 'cjk-zh', 'cjk-ja', 'emoji', 'homoglyph', 'ticker']) assert.ok(ids.includes(id), id);
  assert.ok(!found.some((c) => c.el.closest('[data-expect="skip"]')), 'pre, editable and the closed host stay out');
  assert.match(found.find((c) => c.el.id === 'xss')!.text, /<img src=x onerror=/, 'markup in text stays text');
  assert.deepEqual(extractParagraphs(dom(fixture('frame.html'))).map((c) => c.el.id), ['frame-p', '']);
  assert.deepEqual(extractParagraphs(dom(fixture('empty.html'))), []);
  const scroll = extractParagraphs(dom(fixture('infinite-scroll.html')));
  assert.equal(scroll.length, 2);
});

test('invisible text rules: transparent colours and text styles that hide glyphs', async () => {
  const { isTransparentColour, textStyleHides } = await import('../../src/content/extract.ts');
  for (const c of ['transparent', 'rgba(0, 0, 0, 0)', 'rgba(10, 20, 30, 0)', 'rgb(0 0 0 / 0)', 'rgb(1 2 3 / 0%)', 'color(srgb 1 0 0 / 0)']) assert.equal(isTransparentColour(c), true, c);
  for (const c of ['rgb(0, 0, 0)', 'rgba(0, 0, 0, 0.5)', 'rgb(0 0 0 / 0.1)', 'black', '', 'rgb(0, 0, 0, 1)']) assert.equal(isTransparentColour(c), false, c);
  const style = (o: Record<string, string>) =>
    ({ fontSize: '16px', color: 'rgb(0, 0, 0)', backgroundImage: 'none', textShadow: 'none', ...o, getPropertyValue: (k: string) => o[k] ?? '' }) as unknown as CSSStyleDeclaration;
  assert.equal(textStyleHides(style({})), false);
  assert.equal(textStyleHides(style({ color: 'rgba(0, 0, 0, 0)' })), true, 'transparent colour');
  assert.equal(textStyleHides(style({ '-webkit-text-fill-color': 'rgba(0, 0, 0, 0)' })), true, 'transparent fill over a visible colour');
  assert.equal(textStyleHides(style({ fontSize: '0px' })), true, 'font-size 0');
  assert.equal(
    textStyleHides(style({ color: 'rgba(0, 0, 0, 0)', 'background-clip': 'text', backgroundImage: 'linear-gradient(red, blue)' })),
    false,
    'gradient text: a transparent fill shows the background clipped to the glyphs',
  );
  assert.equal(textStyleHides(style({ color: 'rgba(0, 0, 0, 0)', textShadow: 'rgb(0, 0, 0) 1px 1px 0px' })), false, 'a text shadow draws the glyphs');
});

test('a walk the page changes between its steps loses none of the paragraphs that stay on the page', () => {
  const para = (i: number | string) => `<p id="p${i}">Paragraph ${i} of the page has a few words.</p>`;
  const page = () => dom(`<body><div id="m">${Array.from({ length: 20 }, (_, i) => para(i)).join('')}</div></body>`);
  const p = (doc: Document, i: number | string) => doc.getElementById(`p${i}`)!;
  // Steps the walk until paragraph 5 has been yielded, changes the page, then walks on.
  const walkWith = (doc: Document, change: () => void): string[] => {
    const found: string[] = [];
    const it = walkCandidates(doc);
    for (let r = it.next(); !r.done; r = it.next()) {
      if (!r.value) continue;
      found.push(r.value.el.id);
      if (r.value.el.id === 'p5') change();
    }
    return found;
  };
  const all = Array.from({ length: 20 }, (_, i) => `p${i}`);
  const without = (...gone: string[]) => all.filter((id) => !gone.includes(id));
  const sorted = (ids: string[]) => [...ids].sort();

  let doc = page();
  assert.deepEqual(walkWith(doc, () => p(doc, 6).remove()), without('p6'), 'the next paragraph removed');
  doc = page();
  assert.deepEqual(walkWith(doc, () => p(doc, 5).remove()), without(), 'the paragraph just visited removed');
  doc = page();
  assert.deepEqual(sorted(walkWith(doc, () => p(doc, 6).before(dom(para('new')).getElementById('pnew')!))), sorted([...all, 'pnew']), 'a paragraph inserted next');
  doc = page();
  const moved = walkWith(doc, () => doc.getElementById('m')!.append(p(doc, 6)));
  assert.deepEqual(sorted(moved), sorted(all), 'the next paragraph moved to the end of its parent: each once');
  doc = page();
  const out = walkWith(doc, () => doc.body.append(p(doc, 6)));
  assert.deepEqual(out.filter((id) => id !== 'p6'), without('p6'), 'the next paragraph moved out of its parent: the rest are still found');
});
