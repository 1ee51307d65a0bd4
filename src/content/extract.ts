/**
 * Which parts of a page are readable paragraphs. Pure DOM rules, no extension APIs, so they run in
 * linkedom for the unit tests: layout (computed style, boxes) is used only where the environment has
 * it, and the attribute/inline-style checks below are what a layout-less DOM falls back to.
 *
 * The walk is a generator so that the scanner can take it a slice at a time (a 10,000-paragraph page
 * must not block the main thread), and it walks open shadow roots. Same-origin iframes are separate
 * documents: the content script runs in each frame (all_frames) and scans its own document.
 */

/** Elements whose whole subtree is never prose we judge. */
const SKIP_TAGS = new Set([
  'script', 'style', 'noscript', 'template', 'head', 'title', 'meta', 'link',
  'nav', 'menu', 'header', 'footer',
  'code', 'pre', 'kbd', 'samp', 'var', 'tt', 'xmp', 'listing', 'plaintext',
  'textarea', 'input', 'select', 'option', 'optgroup', 'button', 'label', 'fieldset', 'legend', 'datalist', 'output',
  'svg', 'math', 'canvas', 'iframe', 'frame', 'frameset', 'object', 'embed', 'video', 'audio', 'picture', 'img', 'map',
  'dialog',
]);

/** ARIA roles of page chrome and widgets. */
const SKIP_ROLES = new Set([
  'navigation', 'menu', 'menubar', 'menuitem', 'banner', 'contentinfo', 'toolbar', 'tablist', 'tab', 'search',
  'tree', 'treegrid', 'listbox', 'combobox', 'textbox', 'searchbox', 'button', 'dialog', 'alertdialog', 'code',
  'presentation', 'none',
]);

/** Phrasing elements: their text belongs to the block around them. */
const INLINE_TAGS = new Set([
  'a', 'abbr', 'b', 'bdi', 'bdo', 'br', 'cite', 'data', 'dfn', 'em', 'i', 'mark', 'q', 's', 'small', 'span',
  'strong', 'sub', 'sup', 'time', 'u', 'wbr', 'del', 'ins', 'font', 'ruby', 'rt', 'rp', 'big', 'strike', 'nobr',
  'acronym', 'slot',
  // Skipped or replaced inline content still counts as inline (it does not split a paragraph).
  'code', 'kbd', 'samp', 'var', 'tt', 'img', 'svg', 'math', 'input', 'button', 'label', 'select', 'textarea',
  'output', 'picture', 'video', 'audio', 'canvas', 'embed', 'object', 'iframe', 'script', 'style', 'noscript', 'template',
]);

/** Never candidates themselves (they are containers or chrome), though their content may be. */
const NEVER_CANDIDATE = new Set(['html', 'body', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'dl', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'colgroup', 'col', 'hgroup']);

export interface ExtractOptions {
  /** Elements (hosts of our own UI) whose subtree is never scanned. */
  isOwn?: (el: Element) => boolean;
  /**
   * Minimum words (CJK characters count as words) for a generic block (div, td, section) to be a
   * candidate. The detector decides "too short" itself, so real paragraph elements need less.
   */
  minWords?: number;
  /** Minimum words for paragraph elements (p, li, blockquote, dd, figcaption): "Too short." is still judged. */
  minWordsParagraph?: number;
  /** Text longer than this is cut while it is read (a 1 MB paragraph need not be copied whole). */
  maxChars?: number;
  /**
   * Whether to consult layout (computed style, boxes). Default: when the environment has it
   * (`getComputedStyle` on the document's window). linkedom has none.
   */
  layout?: boolean;
  /** Called for every open shadow root the walk enters (the scanner observes its mutations). */
  onShadowRoot?: (root: ShadowRoot) => void;
}

export interface Candidate {
  el: Element;
  /** Whitespace-collapsed text, cut at maxChars. */
  text: string;
}

export const DEFAULT_MIN_WORDS = 4;
export const DEFAULT_MIN_WORDS_PARAGRAPH = 2;

/** Elements that are paragraphs by meaning: short ones are still sent (and come back too-short). */
const PARAGRAPH_TAGS = new Set(['p', 'li', 'blockquote', 'dd', 'dt', 'figcaption', 'caption', 'summary']);

const WORD_RE = /[\p{L}\p{N}][\p{L}\p{N}\p{M}'’-]*/gu;
const CJK_RE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/gu;

/** Rough word count: words of letters or digits, each CJK/Thai character counted as a word. */
export function countWords(text: string, stopAt = Infinity): number {
  let n = 0;
  CJK_RE.lastIndex = 0;
  WORD_RE.lastIndex = 0;
  while (CJK_RE.exec(text) && ++n < stopAt);
  if (n >= stopAt) return n;
  const noCjk = n > 0 ? text.replace(CJK_RE, ' ') : text;
  while (WORD_RE.exec(noCjk) && ++n < stopAt);
  return n;
}

function tagOf(el: Element): string {
  return (el.localName || el.tagName || '').toLowerCase();
}

function attr(el: Element, name: string): string | null {
  try {
    return el.getAttribute(name);
  } catch {
    return null;
  }
}

/** An editable region (contenteditable="", "true", "plaintext-only"), or inside one. */
function isEditableAttr(el: Element): boolean {
  const ce = attr(el, 'contenteditable');
  if (ce !== null) return ce.trim().toLowerCase() !== 'false';
  // Inherited editability (designMode, an editable ancestor in another tree).
  return (el as HTMLElement).isContentEditable === true;
}

/** Hidden by attributes or inline style; the layout-free part of the visibility check. */
function isHiddenByMarkup(el: Element): boolean {
  if (el.hasAttribute('hidden')) return true;
  if (attr(el, 'aria-hidden') === 'true') return true;
  const style = (el as HTMLElement).style;
  if (style) {
    const d = style.display;
    const v = style.visibility;
    if (d === 'none' || v === 'hidden' || v === 'collapse') return true;
  }
  return false;
}

/** Whether the subtree under `el` is left out entirely (not prose, hidden, editable, ours). */
export function isPruned(el: Element, opts: ExtractOptions = {}): boolean {
  const tag = tagOf(el);
  if (SKIP_TAGS.has(tag)) return true;
  const role = attr(el, 'role');
  if (role && SKIP_ROLES.has(role.trim().toLowerCase().split(/\s+/)[0] ?? '')) return true;
  if (isHiddenByMarkup(el)) return true;
  if (isEditableAttr(el)) return true;
  if (opts.isOwn?.(el)) return true;
  if (tag === 'form' && !el.querySelector('article, main, [role="main"]')) return true;
  return false;
}

function hasLayout(doc: Document, opts: ExtractOptions): boolean {
  if (opts.layout !== undefined) return opts.layout;
  const win = doc.defaultView as (Window & typeof globalThis) | null;
  return !!win && typeof win.getComputedStyle === 'function';
}

/** A box in viewport coordinates. */
interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** `rgba(…, 0)`, `rgb(… / 0)`, `transparent`: a colour that paints nothing. */
export function isTransparentColour(c: string | undefined | null): boolean {
  if (!c) return false;
  const v = c.trim().toLowerCase();
  if (v === 'transparent') return true;
  const m = /^[a-z-]+\((.*)\)$/.exec(v);
  if (!m) return false;
  const inner = m[1]!;
  const commas = inner.split(',');
  const alpha = inner.includes('/') ? inner.slice(inner.lastIndexOf('/') + 1) : commas.length === 4 ? commas[3]! : null;
  return alpha !== null && parseFloat(alpha) === 0;
}

/**
 * Whether the glyphs of an element's own text are invisible through its computed style: transparent
 * fill (`color` or `-webkit-text-fill-color`), unless the fill is transparent on purpose to show a
 * background clipped to the text (gradient headings), a text stroke or a text shadow; or a font size
 * of zero.
 */
export function textStyleHides(cs: CSSStyleDeclaration): boolean {
  if (parseFloat(cs.fontSize) === 0) return true;
  const fill = cs.getPropertyValue('-webkit-text-fill-color') || cs.color;
  if (!isTransparentColour(fill)) return false;
  const bgClip = `${cs.getPropertyValue('background-clip')} ${cs.getPropertyValue('-webkit-background-clip')}`;
  if (/\btext\b/.test(bgClip) && cs.backgroundImage && cs.backgroundImage !== 'none') return false;
  if (cs.textShadow && cs.textShadow !== 'none') return false;
  const stroke = parseFloat(cs.getPropertyValue('-webkit-text-stroke-width'));
  if (stroke > 0 && !isTransparentColour(cs.getPropertyValue('-webkit-text-stroke-color'))) return false;
  return true;
}

/** Whether a style hides an element and everything in it: opacity 0, or clipped to (almost) nothing. */
function styleHidesSubtree(cs: CSSStyleDeclaration): boolean {
  if (cs.opacity !== '' && parseFloat(cs.opacity) === 0) return true;
  const cp = cs.clipPath;
  if (cp && cp !== 'none' && /^(inset\(\s*50%|circle\(\s*0(px|%)?\s*[ a]|circle\(\s*0(px|%)?\))/.test(cp)) return true;
  if (cs.clip?.startsWith('rect(') && (cs.position === 'absolute' || cs.position === 'fixed')) {
    const n = cs.clip.match(/-?[\d.]+(?=px)|auto/g);
    if (n && n.length === 4 && !n.includes('auto')) {
      const [t, r, b, l] = n.map(Number) as [number, number, number, number];
      if (r - l <= 1 || b - t <= 1) return true;
    }
  }
  return false;
}

/** The parent in the rendered (flat) tree: the shadow host for a shadow root's top elements. */
function flatParent(e: Element): Element | null {
  if (e.parentElement) return e.parentElement;
  const root = e.getRootNode?.() as ShadowRoot | Document | undefined;
  return root && root.nodeType === 11 ? (root as ShadowRoot).host : null;
}

/** What an element's ancestors (and itself) do to what is drawn inside it. */
interface Containment {
  /** opacity 0 or clipped away: nothing inside is seen. */
  hidden: boolean;
  /** The area that overflow:hidden/clip boxes let through (viewport coordinates), or null: unclipped. */
  clip: Box | null;
  /** Inside position:fixed: scrolling does not bring it into view. */
  fixed: boolean;
}

/**
 * Per-walk memo of `Containment` by element. Boxes are viewport coordinates, so the memo is dropped
 * when the page scrolls, and after a short while (the page may change its styles).
 */
export class LayoutMemo {
  private map = new WeakMap<Element, Containment>();
  private sx = NaN;
  private sy = NaN;
  private stamp = 0;
  check(win: Window): void {
    const now = Date.now();
    if (win.scrollX !== this.sx || win.scrollY !== this.sy || now - this.stamp > 250) {
      this.map = new WeakMap();
      this.sx = win.scrollX;
      this.sy = win.scrollY;
      this.stamp = now;
    }
  }
  get(e: Element): Containment | undefined {
    return this.map.get(e);
  }
  set(e: Element, c: Containment): void {
    this.map.set(e, c);
  }
}

const intersect = (a: Box, b: Box): Box => ({ left: Math.max(a.left, b.left), top: Math.max(a.top, b.top), right: Math.min(a.right, b.right), bottom: Math.min(a.bottom, b.bottom) });
const boxOf = (r: DOMRect | Box): Box => ({ left: r.left, top: r.top, right: r.right, bottom: r.bottom });

/** Containment of `el` (its own style included), computed iteratively (5,000-deep trees) and memoised. */
function containmentOf(el: Element, win: Window, memo: LayoutMemo): Containment {
  const chain: Element[] = [];
  let base: Containment = { hidden: false, clip: null, fixed: false };
  for (let e: Element | null = el; e; e = flatParent(e)) {
    const known = memo.get(e);
    if (known) {
      base = known;
      break;
    }
    chain.push(e);
  }
  for (let i = chain.length - 1; i >= 0; i--) {
    const e = chain[i]!;
    let c = base;
    if (!c.hidden) {
      const cs = win.getComputedStyle(e);
      const fixed = c.fixed || cs.position === 'fixed';
      let clip = c.clip;
      let hidden = styleHidesSubtree(cs);
      // overflow: hidden or clip cut off what lies outside the box for good (auto/scroll can be scrolled to).
      const clips = (v: string) => v === 'hidden' || v === 'clip';
      if (!hidden && (clips(cs.overflowX) || clips(cs.overflowY)) && e !== e.ownerDocument.documentElement && e !== e.ownerDocument.body) {
        const r = boxOf(e.getBoundingClientRect());
        const own: Box = {
          left: clips(cs.overflowX) ? r.left : -Infinity,
          right: clips(cs.overflowX) ? r.right : Infinity,
          top: clips(cs.overflowY) ? r.top : -Infinity,
          bottom: clips(cs.overflowY) ? r.bottom : Infinity,
        };
        clip = clip ? intersect(clip, own) : own;
        if (clip.right - clip.left <= 1 || clip.bottom - clip.top <= 1) hidden = true;
      }
      c = { hidden, clip, fixed };
    }
    memo.set(e, c);
    base = c;
  }
  return base;
}

/**
 * Whether a candidate's text is drawn where a reader can see it. Without layout (linkedom), markup
 * decides. With layout, the candidate is not rendered when:
 * - it is display:none or visibility:hidden (itself or an ancestor), or has no box;
 * - it or an ancestor has opacity 0, or is clipped to nothing (`clip`, `clip-path: inset(50%)`,
 *   an overflow:hidden box it lies outside of, such as the 1-pixel "visually hidden" pattern or a
 *   collapsed panel);
 * - its text is transparent (`color`, `-webkit-text-fill-color`; not gradient text) or 0 px high;
 * - its text lies entirely outside the page: left of or above the page's origin, beyond its scrollable
 *   size, or outside the viewport when it is position:fixed.
 * The text's own extent (a Range over the contents) is measured, not the element's box: a paragraph in
 * a box squeezed to 0 px wide (deep nesting with padding) still shows its overflowing text, while a
 * negative text-indent moves the text out of a box that stays on the page.
 */
export function isRendered(el: Element, layout: boolean, memo?: LayoutMemo): boolean {
  if (!layout) {
    for (let e: Element | null = el; e; e = e.parentElement) if (isHiddenByMarkup(e)) return false;
    return true;
  }
  try {
    const doc = el.ownerDocument;
    const win = doc.defaultView;
    const anyEl = el as Element & { checkVisibility?: (o?: Record<string, boolean>) => boolean };
    if (typeof anyEl.checkVisibility === 'function') {
      if (!anyEl.checkVisibility({ visibilityProperty: true, opacityProperty: true, checkVisibilityCSS: true, contentVisibilityAuto: false })) return false;
    }
    if (el.getClientRects().length === 0) return false;
    const box = el.getBoundingClientRect();
    if (!win || typeof win.getComputedStyle !== 'function') return box.width > 1 && box.height > 1;
    const cs = win.getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.visibility === 'collapse') return false;
    if (textStyleHides(cs)) return false;
    let text: Box = boxOf(box);
    if (typeof doc.createRange === 'function') {
      const range = doc.createRange();
      range.selectNodeContents(el);
      const r = range.getBoundingClientRect?.();
      if (r) text = boxOf(r);
    }
    if (text.right - text.left <= 1 || text.bottom - text.top <= 1) return false;
    const m = memo ?? new LayoutMemo();
    m.check(win);
    const c = containmentOf(el, win, m);
    if (c.hidden) return false;
    if (c.clip) {
      const v = intersect(text, c.clip);
      if (v.right - v.left <= 1 || v.bottom - v.top <= 1) return false;
    }
    // Off the page: where no scrolling reaches.
    const vw = win.innerWidth || 0;
    const vh = win.innerHeight || 0;
    if (c.fixed) {
      if (text.right <= 0 || text.bottom <= 0 || (vw && text.left >= vw) || (vh && text.top >= vh)) return false;
    } else {
      const se = doc.scrollingElement ?? doc.documentElement;
      const sx = win.scrollX || 0;
      const sy = win.scrollY || 0;
      // The page's scrollable size, where the environment knows it (it always does in a browser).
      const sw = se?.scrollWidth;
      const sh = se?.scrollHeight;
      const w = typeof sw === 'number' && sw > 0 ? Math.max(sw, vw) : Infinity;
      const hgt = typeof sh === 'number' && sh > 0 ? Math.max(sh, vh) : Infinity;
      if (text.right + sx <= 0 || text.bottom + sy <= 0 || text.left + sx >= w || text.top + sy >= hgt) return false;
    }
  } catch {
    // A detached or exotic element: treat as not rendered rather than throw.
    return false;
  }
  return true;
}

interface TextStats {
  /** Length of text outside block descendants and skipped elements. */
  directLen: number;
  /** Length of text inside anchors (link density). */
  linkLen: number;
  /** Whether the element has block-level descendants (outside inline runs). */
  hasBlocks: boolean;
}

function isInlineTag(tag: string): boolean {
  return INLINE_TAGS.has(tag);
}

/**
 * Reads the text of `el` as the reader sees it: text nodes, inline descendants, open shadow roots,
 * without skipped or hidden parts; with layout (`win`) also without what CSS hides (display:none,
 * opacity 0, and the own text of elements whose glyphs are invisible: see textStyleHides). Block
 * descendants are collected only if `includeBlocks`. Iterative: pages nest inline elements thousands deep.
 */
function readText(el: Element, maxChars: number, includeBlocks: boolean, opts: ExtractOptions, stats?: TextStats, win?: Window | null): string {
  const parts: string[] = [];
  let len = 0;
  const styleOf = win && typeof win.getComputedStyle === 'function' ? (e: Element) => win.getComputedStyle(e) : null;
  /** A node to visit; `hide`: the glyphs of text here are invisible (the state of the element around it). */
  type Item = [node: Node, inLink: boolean, hide: boolean, isRoot: boolean];
  const stack: Item[] = [[el, false, false, true]];
  const kids: Node[] = [];
  const push = (list: ArrayLike<Node> | null, first: Node | null, inLink: boolean, hide: boolean) => {
    kids.length = 0;
    if (list) for (let i = 0; i < list.length; i++) kids.push(list[i]!);
    for (let c = first; c; c = c.nextSibling) kids.push(c);
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i]!, inLink, hide, false]);
  };
  while (stack.length && len <= maxChars) {
    const [node, inLinkIn, hideIn, isRoot] = stack.pop()!;
    let inLink = inLinkIn;
    let hide = hideIn;
    if (node.nodeType === 3) {
      const t = node.nodeValue ?? '';
      if (t && !hide) {
        parts.push(t);
        len += t.length;
        if (stats) {
          stats.directLen += t.length;
          if (inLink) stats.linkLen += t.length;
        }
      }
      continue;
    }
    if (node.nodeType !== 1 && node.nodeType !== 11) continue;
    if (node.nodeType === 11) {
      push(null, node.firstChild, inLink, hide);
      continue;
    }
    const e = node as Element;
    const tag = tagOf(e);
    if (!isRoot) {
      if (tag === 'script' || tag === 'style' || tag === 'noscript' || tag === 'template') continue;
      if (isHiddenByMarkup(e) || opts.isOwn?.(e)) continue;
      if (tag === 'br') {
        parts.push('\n');
        continue;
      }
      if (!isInlineTag(tag)) {
        if (stats) stats.hasBlocks = true;
        if (!includeBlocks) continue;
        parts.push('\n');
      }
    }
    if (styleOf) {
      const cs = styleOf(e);
      if (!isRoot && (cs.display === 'none' || (cs.opacity !== '' && parseFloat(cs.opacity) === 0))) continue;
      hide = cs.visibility === 'hidden' || cs.visibility === 'collapse' || textStyleHides(cs);
    }
    if (tag === 'a') inLink = true;
    const sr = e.shadowRoot;
    if (sr) {
      // Light children show through slots. Without slots they are not rendered; in a DOM without
      // slot assignment (linkedom) they are read after the shadow content instead.
      const slot = sr.querySelector('slot') as HTMLSlotElement | null;
      const lightToo = !!slot && typeof slot.assignedNodes !== 'function';
      if (lightToo) push(null, e.firstChild, inLink, hide);
      push(null, sr.firstChild, inLink, hide);
      continue;
    }
    if (tag === 'slot' && typeof (e as HTMLSlotElement).assignedNodes === 'function') {
      const assigned = (e as HTMLSlotElement).assignedNodes({ flatten: true });
      if (assigned.length) {
        push(assigned, null, inLink, hide);
        continue;
      }
    }
    push(null, e.firstChild, inLink, hide);
  }
  const text = collapse(parts.join(''));
  return text.length > maxChars ? text.slice(0, maxChars) : text;
}

/** Collapses whitespace runs to one space; keeps every other character (RTL, emoji, junk) as it is. */
export function collapse(s: string): string {
  return s.replace(/[\s\u00a0]+/g, ' ').trim();
}

/**
 * Decides whether `el` is a paragraph candidate. Returns its text when it is, `null` when the walk
 * should go into its children instead, and `''` when it is neither (too small, link list).
 */
/**
 * Whether `el` holds a block (not phrasing content) in its rendered content, looking through inline
 * elements; stops at the first. What readText's `hasBlocks` finds, without reading any text: for the
 * containers that are never candidates (a body of 10,000 paragraphs), that is all that matters.
 */
function hasBlockContent(el: Element, opts: ExtractOptions): boolean {
  // Depth first, one sibling at a time, in document order: on a body of 10,000 paragraphs the first
  // child answers (a list of all the children cost some 15 ms of the page's main thread).
  const stack: (Element | null)[] = [];
  const pushKids = (e: Element) => {
    stack.push(e.firstElementChild);
    const sr = e.shadowRoot;
    if (sr) stack.push(sr.firstElementChild);
  };
  pushKids(el);
  while (stack.length) {
    const e = stack.pop();
    if (!e) continue;
    stack.push(e.nextElementSibling);
    const tag = tagOf(e);
    if (tag === 'script' || tag === 'style' || tag === 'noscript' || tag === 'template' || tag === 'br') continue;
    if (!isInlineTag(tag)) {
      if (!isHiddenByMarkup(e) && !opts.isOwn?.(e)) return true;
      continue;
    }
    if (isHiddenByMarkup(e) || opts.isOwn?.(e)) continue;
    pushKids(e);
  }
  return false;
}

function judgeElement(el: Element, opts: ExtractOptions, minWordsBlock: number, maxChars: number, win: Window | null): string | null {
  const tag = tagOf(el);
  // Never a candidate: walk into it when it holds blocks, else leave it (its text is phrasing content).
  if (NEVER_CANDIDATE.has(tag)) return hasBlockContent(el, opts) ? null : '';
  const minWords = PARAGRAPH_TAGS.has(tag) ? Math.min(minWordsBlock, opts.minWordsParagraph ?? DEFAULT_MIN_WORDS_PARAGRAPH) : minWordsBlock;
  const stats: TextStats = { directLen: 0, linkLen: 0, hasBlocks: false };
  const direct = readText(el, maxChars, false, opts, stats, win);
  if (stats.hasBlocks) {
    // Mostly direct text (a div of text with a small nested block): the whole element is the paragraph.
    if (NEVER_CANDIDATE.has(tag) || countWords(direct, minWords) < minWords) return null;
    const all = readText(el, maxChars, true, opts, undefined, win);
    if (direct.length >= 0.6 * all.length && stats.linkLen < 0.8 * stats.directLen) return all;
    return null;
  }
  if (NEVER_CANDIDATE.has(tag)) return '';
  if (countWords(direct, minWords) < minWords) return '';
  // Lists of links (menus that are not marked up as nav, tag clouds, "related" lists).
  if (stats.directLen > 0 && stats.linkLen >= 0.8 * stats.directLen) return '';
  return direct;
}

/**
 * Paragraph candidates under `root`, in document order (shadow content before the host's light
 * children). Yields after every element visited so a caller can stop and resume between slices;
 * a yielded `null` means "one element visited, no candidate".
 */
export function* walkCandidates(root: Document | ShadowRoot | Element, opts: ExtractOptions = {}): Generator<Candidate | null, void, void> {
  const doc = (root as Node).nodeType === 9 ? (root as Document) : (root as Node).ownerDocument!;
  const layout = hasLayout(doc, opts);
  const minWords = opts.minWords ?? DEFAULT_MIN_WORDS;
  const maxChars = opts.maxChars ?? Infinity;
  const win = layout ? doc.defaultView : null;
  const memo = new LayoutMemo();
  // The elements to visit, each with the parent whose next children follow it (null: none) and the
  // sibling it was reached from. Siblings are reached one at a time: a list of the children of a
  // parent of 10,000 paragraphs, taken at once, cost the first slice of the walk some 15 ms.
  const stack: Element[] = [];
  const parents: (ParentNode | null)[] = [];
  const prevs: (Element | null)[] = [];
  const visited = new WeakSet<Element>();
  const push = (el: Element, parent: ParentNode | null, prev: Element | null) => {
    stack.push(el);
    parents.push(parent);
    prevs.push(prev);
  };
  const pushFirst = (p: ParentNode) => {
    const c = p.firstElementChild;
    if (c) push(c, p, null);
  };
  // An open shadow root's children first (they are what is shown), then the light ones.
  const pushChildren = (el: Element) => {
    pushFirst(el);
    const sr = el.shadowRoot;
    if (sr) {
      opts.onShadowRoot?.(sr);
      pushFirst(sr);
    }
  };
  if ((root as Node).nodeType === 1) push(root as Element, null, null);
  else pushFirst(root as Document | ShadowRoot);
  while (stack.length) {
    const el = stack.pop()!;
    const parent = parents.pop()!;
    const prev = prevs.pop()!;
    let cand: Candidate | null = null;
    try {
      if (parent) {
        if (el.parentNode !== parent || el.previousElementSibling !== prev) {
          // Moved, removed, or with a sibling added or removed before it since it was stacked (the
          // page changes as it is walked): the parent's children not visited yet, as they are now.
          // Where a moved one went, the mutation observer finds it.
          const rest = Array.from(parent.children).filter((c) => !visited.has(c));
          for (let i = rest.length - 1; i >= 0; i--) push(rest[i]!, null, null);
          yield null;
          continue;
        }
        const next = el.nextElementSibling;
        if (next) push(next, parent, el);
      }
      visited.add(el);
      if (!isPruned(el, opts)) {
        // A link on its own is never a paragraph (menus, cards of links).
        const text = tagOf(el) === 'a' ? '' : judgeElement(el, opts, minWords, maxChars, win);
        if (text === null || (text === '' && el.shadowRoot)) pushChildren(el);
        else if (text !== '' && isRendered(el, layout, memo)) cand = { el, text };
      }
    } catch {
      // Exotic nodes must not stop the walk.
    }
    yield cand;
  }
}

/** All candidates at once (tests, small roots). */
export function extractParagraphs(root: Document | ShadowRoot | Element, opts: ExtractOptions = {}): Candidate[] {
  const out: Candidate[] = [];
  for (const c of walkCandidates(root, opts)) if (c) out.push(c);
  return out;
}

/** Whether `el` sits inside a pruned context (used for content added later, scanned from its own root). */
export function inPrunedContext(el: Element, opts: ExtractOptions = {}): boolean {
  let node: Node = el;
  for (;;) {
    let e: Element | null = (node as Element).parentElement ?? null;
    if (!e) {
      const root = node.getRootNode?.() as ShadowRoot | Document | undefined;
      if (root && root.nodeType === 11 && (root as ShadowRoot).host) {
        e = (root as ShadowRoot).host;
      } else return false;
    }
    if (isPruned(e, opts)) return true;
    node = e;
  }
}

/** Re-reads the text of a known candidate (after its content changed). */
export function readCandidateText(el: Element, opts: ExtractOptions = {}): string {
  return readText(el, opts.maxChars ?? Infinity, true, opts, undefined, hasLayout(el.ownerDocument, opts) ? el.ownerDocument.defaultView : null);
}
