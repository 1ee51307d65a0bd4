/**
 * Seeded generator of hostile pages for the fuzz suite (`npm run fuzz`, test/e2e/fuzz.test.ts).
 * `generatePages(n, seed)` gives the same pages for the same arguments, on any machine.
 *
 * Every page mixes a few of KINDS. Elements carry what is expected of them:
 * - `data-fuzz="prose"`: visible prose; it must reach a final state (scored, too-short, unsupported;
 *   error counts as settled but is reported);
 * - `data-fuzz="none"`: hidden, invisible, editable, a form, a template, SVG: it must never be judged;
 * - `data-fuzz-volatile`: a box the page's own scripts keep changing; its inside is left out of the
 *   text and layout comparison (its own box is fixed-size and stays in), and it has no expectations.
 * Styles come from a nonce'd <style> (no inline style attributes), so that a strict CSP changes nothing.
 */

export const KINDS = [
  'deep', // 100-1,500 nested elements, prose at several depths, boxes that shrink to 0 px
  'siblings', // 5,000-8,000 siblings
  'huge', // a 1 MB paragraph
  'structures', // tables, lists, <template>, SVG text, closed <details>
  'frame-same', // same-origin iframes (src, srcdoc)
  'frame-cross', // cross-origin iframe (the other port)
  'frame-sandbox', // sandboxed iframe
  'shadow', // nested open shadow roots, a closed one
  'hidden', // contenteditable, form fields, hidden and invisible prose
  'unicode', // RTL, CJK, emoji, combining marks, zero-width, bidi, look-alikes, lone surrogates, random code points
  'mutator', // scripts that mutate, move and replace nodes rapidly (for 1-3 s)
  'overrides', // the page replaces DOM APIs a content script might use
  'csp', // a strict Content-Security-Policy
  'base', // <base href> to the other origin
  'encoding', // odd encodings: windows-1252, UTF-16 with BOM, a wrong charset label
  'forge', // forged messages, events and attributes that look like ours
  'aria', // the page's own aria-description and tabindex on paragraphs
] as const;
export type Kind = (typeof KINDS)[number];

export interface ServedFile {
  body: Buffer;
  headers: Record<string, string>;
}

export interface FuzzPage {
  index: number;
  name: string;
  kinds: Kind[];
  /** Paths (without leading slash) served by both servers; `name` is the page itself. */
  files: Record<string, ServedFile>;
}

/** mulberry32: small, fast, good enough for choosing. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HUMAN = [
  'We walked down to the harbour wall after supper and sat on the cold stones while the boats knocked against each other in the dark.',
  'My brother swore he saw a seal that night, and he sulked the whole way home when nobody believed him.',
  'The bakery on the corner opens at six, and by noon there is nothing left but crumbs and a handwritten sign.',
  'I lost about half the onions this year, mostly to the wet spell in July, and the rest are small but sweet.',
  'She kept the letters in a biscuit tin under the stairs and never told anyone what was in them.',
  'The train was forty minutes late, so we shared a bag of chips on the platform and watched the pigeons.',
  'When the storm finally came in February it took the end of the wall clean off.',
  'Grandad fixed the radio with a paperclip and a length of fuse wire, and it worked for another ten years.',
];
const MACHINE = [
  'In conclusion, coastal communities offer a unique blend of natural beauty, rich cultural heritage, and vibrant local traditions.',
  'Overall, it is important to note that maintaining infrastructure plays a crucial role in ensuring the safety and well-being of residents.',
  'Additionally, the revitalized waterfront serves as a testament to the power of community collaboration and shared vision.',
  'Furthermore, by fostering sustainable practices and supporting local businesses, we can ensure these places thrive for generations to come.',
  'Ultimately, embracing innovation while preserving tradition allows communities to navigate complex challenges with confidence.',
];
const UNICODE = [
  'ذهبنا إلى السوق في الصباح الباكر واشترينا الخبز الطازج والزيتون، ثم جلسنا في المقهى نراقب الناس.',
  'הלכנו לים אחרי העבודה, והמים היו קרים מדי בשביל לשחות, אז רק ישבנו על החול ודיברנו עד החושך.',
  '昨天下午我们去了公园散步，天气很好，很多人在湖边钓鱼，孩子们在草地上放风筝。',
  '駅前の小さなパン屋さんは、毎朝六時に開いて、昼過ぎにはもう売り切れてしまいます。',
  'Best. Day. Ever. 🎉🎉🎉 We finally got the keys 🔑🏡 and the cat 🐈‍⬛ hid under the stairs 😂👍🏽 all afternoon long.',
  'Z̷a̶l̸g̵o̴ t̷e̶x̸t̵ w̴i̷t̶h̸ c̵o̴m̷b̶i̸n̵i̴n̷g̶ m̸a̵r̴k̷s̶ s̸t̵a̴c̷k̶e̸d̵ o̴n̷ e̶v̸e̵r̴y̷ l̶e̸t̵t̴e̷r̶ of this sentence.',
  'Тhе quiсk brоwn fох jumрs оvеr thе lаzу dоg, writtеn in Суrilliс lооk-аlikеs tо fооl а dеtесtоr.',
  'Zero\u200bwidth\u200cjoiners\u200dand\u2060word\ufeffjoiners hide\u200b inside these\u200b words of an ordinary sentence.',
  'Bidi \u202ecs\u202c controls \u2066isolate\u2069 and \u202doverride\u202c the direction of this sentence \u200fhere\u200e and there.',
];

const pick = <T,>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const prose = (r: () => number, sentences = int(r, 2, 4)) =>
  Array.from({ length: sentences }, () => (r() < 0.35 ? pick(r, MACHINE) : pick(r, HUMAN))).join(' ');

/** Random code points: controls, surrogates (lone), private use, noncharacters, anything. */
function junk(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const c = r();
    if (c < 0.1) s += String.fromCharCode(0xd800 + int(r, 0, 0x7ff)); // a lone surrogate
    else if (c < 0.2) s += String.fromCharCode(int(r, 0, 0x1f));
    else if (c < 0.3) s += String.fromCodePoint(int(r, 0xe000, 0xf8ff));
    else if (c < 0.35) s += String.fromCodePoint(int(r, 0x10000, 0x10ffff));
    else if (c < 0.4) s += '\ufffe\uffff'[int(r, 0, 1)];
    else s += String.fromCharCode(int(r, 0x20, 0xffff));
  }
  return s;
}

/** JS string literal for page scripts (lone surrogates and controls escaped). */
const lit = (s: string) => JSON.stringify(s).replace(/[\u2028\u2029\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const CSS = `
body { font: 16px/1.5 Georgia, serif; max-width: 46em; margin: 0 auto; padding: 8px; }
/* Nested boxes are blocks, also when they are spans: blocks inside inlines 1,500 deep hang Chromium's layout (without any extension). */
.fz-nest { display: block; padding: 0 3px; }
.fz-nest-m { display: block; margin: 0 2px; border-left: 1px solid #ddd; }
.fz-vol { height: 240px; overflow: hidden; contain: strict; border: 1px dashed #aaa; }
.fz-none { display: none; }
.fz-vis { visibility: hidden; }
.fz-op { opacity: 0; }
.fz-left { position: absolute; left: -9999px; top: 0; }
/* Absolute, not relative: 30,000 px above its place is still on the page below a 1 MB paragraph. */
.fz-up { position: absolute; top: -30000px; }
.fz-tr { transform: translateX(-60000px); }
.fz-clear { color: transparent; }
.fz-fill { -webkit-text-fill-color: transparent; }
.fz-font0 { font-size: 0; }
.fz-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.fz-cp { clip-path: inset(50%); }
.fz-h0 { height: 0; overflow: hidden; }
.fz-grad { background-image: linear-gradient(90deg, #b00, #00b); -webkit-background-clip: text; background-clip: text; color: transparent; }
.fz-frame { display: block; width: 90%; height: 160px; border: 1px solid #999; }
.fz-table td { padding: 4px; border: 1px solid #ccc; }
`;

interface Ctx {
  r: () => number;
  nonce: string;
  head: string[];
  body: string[];
  scripts: string[];
  files: Record<string, ServedFile>;
  name: string;
  kinds: Set<Kind>;
  headers: Record<string, string>;
}

const html = (body: string) => Buffer.from(body, 'utf8');

function framePage(c: Ctx, label: string, extra = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${label}</title><style>body{font:15px/1.4 serif;margin:6px}</style></head><body>
<p data-fuzz="prose">${esc(prose(c.r))}</p>
<p data-fuzz="prose">${esc(prose(c.r))}</p>
<p hidden data-fuzz="none">${esc(prose(c.r))}</p>
${extra}
</body></html>`;
}

const GEN: Record<Kind, (c: Ctx) => void> = {
  deep(c) {
    // Not 3,000: pages nested 3,000 deep crash Chromium's renderer, or hang its load, without any
    // extension (measured on seed 1, pages 94, 128, 170, 233), so nothing of ours can be measured there.
    const depth = pick(c.r, [120, 200, 400, 800, 1500, 1500]);
    const cls = c.r() < 0.5 ? 'fz-nest' : 'fz-nest-m';
    const tags = ['div', 'section', 'article', 'span', 'blockquote', 'div', 'div'];
    const at = [5, Math.floor(depth / 3), Math.floor(depth / 2), depth - 1];
    const texts = at.map(() => prose(c.r, 2));
    c.body.push(`<div id="fz-deep"></div><p id="fz-inline" data-fuzz="prose"></p>`);
    c.scripts.push(`(() => {
  const texts = ${lit(JSON.stringify(texts))};
  const at = ${JSON.stringify(at)};
  const tags = ${JSON.stringify(tags)};
  let cur = document.getElementById('fz-deep');
  let seed = ${int(c.r, 1, 1e9)};
  const rnd = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
  for (let d = 0; d < ${depth}; d++) {
    const i = at.indexOf(d);
    if (i >= 0) { const p = document.createElement('p'); p.dataset.fuzz = 'prose'; p.textContent = JSON.parse(texts)[i]; cur.append(p); }
    const box = document.createElement(tags[Math.floor(rnd() * tags.length)]);
    box.className = '${cls}';
    cur.append(box);
    cur = box;
  }
  // Inline elements nested ${depth} deep inside one paragraph, the text at the bottom.
  let inl = document.getElementById('fz-inline');
  for (let d = 0; d < ${depth}; d++) { const s = document.createElement(d % 2 ? 'span' : 'em'); inl.append(s); inl = s; }
  inl.textContent = JSON.parse(texts)[0];
})();`);
  },
  siblings(c) {
    const n = int(c.r, 5000, 8000);
    const mode = pick(c.r, ['span', 'p', 'div', 'li']);
    const pool = Array.from({ length: 12 }, () => prose(c.r, 1));
    c.body.push(`<div id="fz-sib"></div>`);
    c.scripts.push(`(() => {
  const pool = ${lit(JSON.stringify(pool))};
  const texts = JSON.parse(pool);
  const host = document.getElementById('fz-sib');
  const list = ${mode === 'li' ? "document.createElement('ul')" : 'host'};
  const frag = document.createDocumentFragment();
  for (let i = 0; i < ${n}; i++) {
    const el = document.createElement('${mode}');
    ${mode === 'span' ? "el.textContent = 'w' + i + ' ';" : mode === 'div' ? "el.textContent = 'cell ' + i;" : "el.textContent = texts[i % texts.length]; if (i % 97 === 0) el.dataset.fuzz = 'prose';"}
    frag.append(el);
  }
  list.append(frag);
  if (list !== host) host.append(list);
})();`);
  },
  huge(c) {
    c.body.push(`<p id="fz-huge" data-fuzz="prose"></p>`);
    c.scripts.push(`document.getElementById('fz-huge').textContent = ${lit(`${prose(c.r, 1)} `)}.repeat(Math.ceil(1048576 / ${prose(c.r, 1).length + 1}));`);
  },
  structures(c) {
    const rows = Array.from({ length: int(c.r, 2, 5) }, () => `<tr><td data-fuzz="prose">${esc(prose(c.r, 2))}</td><td>${int(c.r, 1, 99)}</td></tr>`).join('');
    c.body.push(`<table class="fz-table"><thead><tr><th>Story</th><th>n</th></tr></thead><tbody>${rows}</tbody></table>`);
    c.body.push(`<ol>${Array.from({ length: int(c.r, 2, 4) }, () => `<li data-fuzz="prose">${esc(prose(c.r, 1))}</li>`).join('')}</ol>`);
    c.body.push(`<dl><dt>Term</dt><dd data-fuzz="prose">${esc(prose(c.r, 2))}</dd></dl>`);
    c.body.push(`<template><p data-fuzz="none">${esc(prose(c.r))}</p></template>`);
    c.body.push(`<svg width="400" height="60" data-fuzz="none"><text x="4" y="30">${esc(prose(c.r, 1))}</text></svg>`);
    c.body.push(`<details><summary>More</summary><p>${esc(prose(c.r, 2))}</p></details>`);
    c.body.push(`<figure><img alt="" width="10" height="10"><figcaption data-fuzz="prose">${esc(prose(c.r, 1))}</figcaption></figure>`);
  },
  'frame-same'(c) {
    const path = `${c.name}-same.html`;
    c.files[path] = { body: html(framePage(c, 'same-origin frame')), headers: {} };
    c.body.push(`<iframe class="fz-frame" title="same" src="/${path}"></iframe>`);
    const doc = framePage(c, 'srcdoc frame');
    c.body.push(`<iframe class="fz-frame" title="srcdoc" srcdoc="${esc(doc)}"></iframe>`);
  },
  'frame-cross'(c) {
    const path = `${c.name}-cross.html`;
    c.files[path] = { body: html(framePage(c, 'cross-origin frame', `<iframe class="fz-frame" src="/${c.name}-same-in-cross.html"></iframe>`)), headers: {} };
    c.files[`${c.name}-same-in-cross.html`] = { body: html(framePage(c, 'frame in the cross-origin frame')), headers: {} };
    c.body.push(`<iframe class="fz-frame" title="cross" src="{{OTHER}}/${path}"></iframe>`);
  },
  'frame-sandbox'(c) {
    const path = `${c.name}-sandbox.html`;
    c.files[path] = { body: html(framePage(c, 'sandboxed frame')), headers: {} };
    c.body.push(`<iframe class="fz-frame" title="sandboxed" sandbox src="/${path}"></iframe>`);
  },
  shadow(c) {
    const depth = int(c.r, 1, 25);
    c.body.push(`<div id="fz-shadow"></div><div id="fz-closed"></div>`);
    c.scripts.push(`(() => {
  let host = document.getElementById('fz-shadow');
  for (let d = 0; d < ${depth}; d++) {
    const root = host.attachShadow({ mode: 'open' });
    const p = document.createElement('p');
    if (d % 3 === 0) p.dataset.fuzz = 'prose';
    p.textContent = ${lit(prose(c.r, 2))};
    const next = document.createElement('div');
    root.append(p, next);
    host = next;
  }
  const closed = document.getElementById('fz-closed').attachShadow({ mode: 'closed' });
  closed.innerHTML = '<p>' + ${lit(esc(prose(c.r, 2)))} + '</p>';
})();`);
  },
  hidden(c) {
    for (const cls of ['fz-none', 'fz-vis', 'fz-op', 'fz-left', 'fz-up', 'fz-tr', 'fz-clear', 'fz-fill', 'fz-font0', 'fz-sr', 'fz-cp']) {
      if (c.r() < 0.6) c.body.push(`<p class="${cls}" data-fuzz="none">${esc(prose(c.r))}</p>`);
    }
    c.body.push(`<div class="fz-op"><div><p data-fuzz="none">${esc(prose(c.r))}</p></div></div>`);
    c.body.push(`<div class="fz-h0"><p data-fuzz="none">${esc(prose(c.r))}</p></div>`);
    c.body.push(`<p hidden data-fuzz="none">${esc(prose(c.r))}</p><p aria-hidden="true" data-fuzz="none">${esc(prose(c.r))}</p>`);
    c.body.push(`<div contenteditable="true" data-fuzz="none"><p>${esc(prose(c.r))}</p></div>`);
    c.body.push(`<form data-fuzz="none"><label>${esc(prose(c.r, 1))}</label><textarea data-fuzz="none">${esc(prose(c.r))}</textarea><input value="${esc(prose(c.r, 1))}"><button>${esc(prose(c.r, 1))}</button></form>`);
    c.body.push(`<p class="fz-grad" data-fuzz="prose">${esc(prose(c.r))}</p>`);
  },
  unicode(c) {
    for (let i = 0; i < int(c.r, 2, 5); i++) c.body.push(`<p data-fuzz="prose" dir="auto">${esc(pick(c.r, UNICODE))}</p>`);
    c.body.push(`<p id="fz-junk" data-fuzz="prose"></p>`);
    c.scripts.push(`document.getElementById('fz-junk').textContent = ${lit(`${junk(c.r, int(c.r, 50, 800))} and a few ordinary words among the junk`)};`);
  },
  mutator(c) {
    const ms = int(c.r, 1000, 3000);
    c.body.push(`<div id="fz-vol" class="fz-vol" data-fuzz-volatile><div id="fz-va"></div><div id="fz-vb"></div></div>`);
    const texts = Array.from({ length: 6 }, () => prose(c.r, 1));
    c.scripts.push(`(() => {
  const texts = JSON.parse(${lit(JSON.stringify(texts))});
  const a = document.getElementById('fz-va'), b = document.getElementById('fz-vb');
  for (let i = 0; i < 8; i++) { const p = document.createElement('p'); p.textContent = texts[i % texts.length]; a.append(p); }
  let n = 0;
  const t0 = Date.now();
  const tick = () => {
    n++;
    const ps = document.querySelectorAll('#fz-vol p');
    const p = ps[n % ps.length];
    switch (n % 5) {
      case 0: if (p) p.textContent = texts[n % texts.length] + ' ' + n; break;          // change text
      case 1: if (p) (n % 2 ? b : a).append(p); break;                                   // move
      case 2: if (p) { const q = document.createElement('p'); q.textContent = texts[(n + 1) % texts.length]; p.replaceWith(q); } break; // replace
      case 3: if (p && ps.length > 4) p.remove(); break;                                 // remove
      case 4: { const q = document.createElement('p'); q.textContent = texts[n % texts.length]; a.prepend(q); } break; // add
    }
    if (Date.now() - t0 < ${ms}) setTimeout(tick, ${int(c.r, 1, 30)});
  };
  setTimeout(tick, 0);
})();`);
  },
  overrides(c) {
    // Last script on the page: the page's own code above ran with the real APIs.
    c.scripts.push(`(() => {
  const nope = () => { throw new Error('page replaced this API'); };
  Element.prototype.attachShadow = nope;
  window.MutationObserver = function () { throw new Error('no MutationObserver for you'); };
  window.IntersectionObserver = function () { throw new Error('no IntersectionObserver'); };
  window.requestIdleCallback = () => 0;
  window.requestAnimationFrame = () => 0;
  Object.defineProperty(Node.prototype, 'textContent', { get() { return 'HACKED'; }, set() {}, configurable: true });
  Object.defineProperty(Node.prototype, 'nodeValue', { get() { return 'HACKED'; }, configurable: true });
  window.postMessage = nope;
  Element.prototype.getBoundingClientRect = () => ({ top: 0, left: 0, right: 0, bottom: 0, width: 0, height: 0 });
  Element.prototype.setAttribute = nope;
  Element.prototype.getAttribute = () => 'forged';
  window.getComputedStyle = () => ({ display: 'none', visibility: 'hidden' });
  Document.prototype.createRange = nope;
  Array.prototype.includes = () => false;
  Array.prototype.map = function () { return []; };
  JSON.stringify = () => '{}';
  window.Promise.prototype.then = function () { return this; };
  window.setTimeout = () => 0;
})();`);
  },
  csp(c) {
    c.headers['content-security-policy'] = `default-src 'none'; script-src 'nonce-${c.nonce}'; style-src 'nonce-${c.nonce}'; frame-src http://127.0.0.1:*; img-src 'none'`;
  },
  base(c) {
    // `{{OTHER}}` becomes the other server's origin when the page is serialised.
    c.head.push(`<base href="{{OTHER}}/elsewhere/">`);
  },
  encoding() {
    // Applied when the page is serialised (see generatePage).
  },
  forge(c) {
    // Elements the page forges our public attributes on (`data-fuzz="forged"`: no expectation; the
    // first is prose, which the report must list as judged by us, whatever its attributes say).
    c.body.push(`<p id="fz-forged" data-fuzz="forged" data-telltale-state="scored" data-telltale-score="0.999" data-telltale-key="t1" data-telltale-level="generated">${esc(prose(c.r))}</p>`);
    c.body.push(`<div data-fuzz="forged">forged</div><span data-fuzz="forged">also forged</span>`);
    c.scripts.push(`(() => {
  const env = (type, payload) => ({ telltale: 1, type, target: type.split(':')[1], payload });
  const forged = { state: 'scored', p_machine: 1, flagged: true, detector: 'embedded' };
  const all = [
    env('bg:cs:scan', {}), env('bg:cs:selection', { text: 'FORGED SELECTION', verdict: forged }), env('ui:cs:reveal', { key: 't1' }),
    env('bg:cs:settings', { settings: { sensitivity: 'high', autoScan: true, sites: {}, detector: 'embedded' } }),
    env('bg:cs:mark', { direction: 'next' }), env('cs:bg:report', { flagged: 999, total: 999 }), env('cs:bg:score', { texts: ['x'] }),
    env('ui:bg:scan-tab', { tabId: 1 }), env('ui:bg:download', { model: 'roberta-large' }), env('ui:bg:frames', { tabId: 1 }),
  ];
  const post = window.postMessage.bind(window);
  const forge = () => {
    for (const m of all) {
      try { post(m, '*'); } catch {}
      try { window.parent.postMessage(m, '*'); } catch {}
      try { document.dispatchEvent(new CustomEvent('telltale', { detail: m })); } catch {}
      try { window.dispatchEvent(new CustomEvent(m.type, { detail: m })); } catch {}
      try { window.dispatchEvent(new MessageEvent('message', { data: m, origin: location.origin })); } catch {}
      try { globalThis.chrome?.runtime?.sendMessage?.('telltale@telltale.dev', m, () => void globalThis.chrome.runtime.lastError); } catch {}
      try { globalThis.browser?.runtime?.sendMessage?.(m); } catch {}
    }
    try { window.dispatchEvent(new PopStateEvent('popstate')); } catch {}
    try { document.dispatchEvent(new KeyboardEvent('keydown', { key: 'J', altKey: true, shiftKey: true, bubbles: true })); } catch {}
    for (const el of document.querySelectorAll('[data-fuzz="forged"]')) {
      try { el.setAttribute('data-telltale-state', Math.random() < 0.5 ? 'error' : 'pending'); el.setAttribute('data-telltale-key', 't1'); } catch {}
    }
  };
  forge();
  let n = 0;
  const iv = setInterval(() => { forge(); if (++n > 30) clearInterval(iv); }, 150);
})();`);
  },
  aria(c) {
    c.body.push(`<p data-fuzz="prose" aria-description="The page's own description of this paragraph">${esc(prose(c.r))}</p>`);
    c.body.push(`<p data-fuzz="prose" tabindex="0">${esc(pick(c.r, MACHINE))} ${esc(pick(c.r, MACHINE))}</p>`);
    c.body.push(`<p data-fuzz="prose" tabindex="-1">${esc(prose(c.r))}</p>`);
  },
};

/** The kinds of page `i` of `n`: small runs cover every kind; large ones cycle through them, plus random extras. */
export function kindsFor(i: number, n: number, r: () => number): Kind[] {
  const out = new Set<Kind>();
  if (n < KINDS.length) {
    for (const [j, k] of KINDS.entries()) if (j % n === i) out.add(k);
  }
  else out.add(KINDS[i % KINDS.length]!);
  const extra = int(r, 1, 4);
  for (let j = 0; j < extra; j++) out.add(pick(r, KINDS));
  // Large page kinds stay rare together (the suite must also run in its small form).
  if (out.has('siblings') && out.has('huge')) out.delete('huge');
  return KINDS.filter((k) => out.has(k));
}

/** `other`: the origin of the second server (`http://127.0.0.1:PORT`), for cross-origin frames and <base>. */
export function generatePage(seed: number, index: number, n: number, other: string): FuzzPage {
  const r = rng((seed * 1_000_003 + index * 7919) >>> 0);
  const kinds = kindsFor(index, n, r);
  const name = `fz-${seed}-${index}`;
  const c: Ctx = { r, nonce: `n${int(r, 1e6, 9e6)}`, head: [], body: [], scripts: [], files: {}, name, kinds: new Set(kinds), headers: {} };
  c.body.push(`<h1>Fuzz page ${index}: ${kinds.join(', ')}</h1>`);
  for (let i = 0; i < int(r, 2, 5); i++) c.body.push(`<p data-fuzz="prose">${esc(prose(r))}</p>`);
  // The page's own changing part, also on calm pages: a clock (its own box, left out of the comparison).
  if (r() < 0.3) {
    c.body.push(`<div class="fz-vol" data-fuzz-volatile><p id="fz-clock">The time on this page is updating right now and will keep changing.</p></div>`);
    c.scripts.push(`(() => { let n = 0; const iv = setInterval(() => { document.getElementById('fz-clock').firstChild.data = 'Updated ' + (++n) + ' times, the clock keeps changing.'; if (n > 20) clearInterval(iv); }, 100); })();`);
  }
  // Kind order: overrides last (the page's own scripts use the real APIs first).
  for (const k of kinds) if (k !== 'overrides') GEN[k](c);
  if (c.kinds.has('overrides')) GEN.overrides(c);
  for (let i = 0; i < int(r, 1, 3); i++) c.body.push(`<p data-fuzz="prose">${esc(prose(r))}</p>`);

  const scripts = c.scripts.map((s) => `<script nonce="${c.nonce}">${s}</script>`).join('\n');
  let encoding: 'utf8' | 'latin1' | 'utf16le' | 'mislabeled' | 'none' = 'utf8';
  if (c.kinds.has('encoding')) encoding = pick(r, ['latin1', 'utf16le', 'mislabeled', 'none'] as const);
  const charsetMeta = encoding === 'latin1' ? '<meta charset="windows-1252">' : encoding === 'mislabeled' ? '<meta charset="koi8-r">' : encoding === 'none' ? '' : '<meta charset="utf-8">';
  if (encoding === 'latin1') c.body.push(`<p data-fuzz="prose">Caf\u00e9 cr\u00e8me, na\u00efve fa\u00e7ade and a \u00bd-price pi\u00f1ata: the menu was written in windows-1252 and still reads well enough.</p>`);
  const docTemplate = `<!doctype html>
<html lang="en">
<head>
${charsetMeta}
<title>${esc(name)}</title>
${c.head.join('\n')}
<style nonce="${c.nonce}">${CSS}</style>
</head>
<body>
<main>
${c.body.join('\n')}
</main>
${scripts}
</body>
</html>
`;
  const doc = docTemplate.replaceAll('{{OTHER}}', other);
  let body: Buffer;
  const headers: Record<string, string> = { ...c.headers };
  if (encoding === 'latin1') {
    // Only code points < 256 survive: the rest (from the prose pools) become '?'.
    // A paragraph left with fewer than two words (CJK that became '????') is no paragraph to judge
    // any more (the content script skips text under two words): it keeps no expectation.
    const latin = doc
      .replace(/[\u0100-\uffff]/g, '?')
      .replace(/<p data-fuzz="prose"([^>]*)>([^<]*)<\/p>/g, (m, attrs: string, text: string) =>
        (text.match(/[A-Za-z0-9\u00c0-\u00ff]+/g) ?? []).length < 2 ? `<p data-fuzz="unreadable"${attrs}>${text}</p>` : m,
      );
    body = Buffer.from(latin, 'latin1');
    headers['content-type'] = 'text/html; charset=windows-1252';
  } else if (encoding === 'utf16le') {
    body = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(doc, 'utf16le')]);
    headers['content-type'] = 'text/html';
  } else if (encoding === 'mislabeled' || encoding === 'none') {
    body = Buffer.from(doc, 'utf8');
    headers['content-type'] = 'text/html';
  } else {
    body = Buffer.from(doc, 'utf8');
    headers['content-type'] = 'text/html; charset=utf-8';
  }
  c.files[`${name}.html`] = { body, headers };
  return { index, name: `${name}.html`, kinds, files: c.files };
}

export function generatePages(n: number, seed: number, other: string): FuzzPage[] {
  return Array.from({ length: n }, (_, i) => generatePage(seed, i, n, other));
}
