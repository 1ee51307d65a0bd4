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

/**
 * Whether a candidate is rendered: not display:none (itself or an ancestor), not visibility:hidden,
 * not a zero-size or 1-pixel "visually hidden" box. Only with layout; without it, markup decides.
 */
export function isRendered(el: Element, layout: boolean): boolean {
  if (!layout) {
    for (let e: Element | null = el; e; e = e.parentElement) if (isHiddenByMarkup(e)) return false;
    return true;
  }
  try {
    const anyEl = el as Element & { checkVisibility?: (o?: Record<string, boolean>) => boolean };
    if (typeof anyEl.checkVisibility === 'function') {
      if (!anyEl.checkVisibility({ visibilityProperty: true, checkVisibilityCSS: true, contentVisibilityAuto: false })) return false;
    } else {
      const win = el.ownerDocument.defaultView;
      const cs = win?.getComputedStyle?.(el);
      if (cs && (cs.visibility === 'hidden' || cs.visibility === 'collapse')) return false;
    }
    const rects = el.getClientRects();
    if (rects.length === 0) return false;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) return false;
    const win = el.ownerDocument.defaultView;
    const cs = win?.getComputedStyle?.(el);
    if (cs && (cs.clipPath === 'inset(50%)' || (cs.clip && cs.clip.startsWith('rect(0') && cs.position === 'absolute'))) return false;
  } catch {
    // A detached or exotic element: treat as not rendered rather than throw.
    return false;
  }
  return true;
}

/** Children to walk: an open shadow root's children first (the rendered tree), then light children. */
function childElements(el: Element | Document | ShadowRoot, opts: ExtractOptions): Element[] {
  const out: Element[] = [];
  const sr = (el as Element).shadowRoot;
  if (sr) {
    opts.onShadowRoot?.(sr);
    for (const c of Array.from(sr.children)) out.push(c);
  }
  for (const c of Array.from(el.children)) out.push(c);
  return out;
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
 * without skipped or hidden parts. Block descendants are collected only if `includeBlocks`.
 */
function readText(el: Element, maxChars: number, includeBlocks: boolean, opts: ExtractOptions, stats?: TextStats): string {
  const parts: string[] = [];
  let len = 0;
  const visit = (node: Node, inLink: boolean, isRoot: boolean): void => {
    if (len > maxChars) return;
    if (node.nodeType === 3) {
      const t = node.nodeValue ?? '';
      if (t) {
        parts.push(t);
        len += t.length;
        if (stats) {
          stats.directLen += t.length;
          if (inLink) stats.linkLen += t.length;
        }
      }
      return;
    }
    if (node.nodeType !== 1 && node.nodeType !== 11) return;
    if (node.nodeType === 1) {
      const e = node as Element;
      const tag = tagOf(e);
      if (!isRoot) {
        if (tag === 'script' || tag === 'style' || tag === 'noscript' || tag === 'template') return;
        if (isHiddenByMarkup(e) || opts.isOwn?.(e)) return;
        if (tag === 'br') {
          parts.push('\n');
          return;
        }
        if (!isInlineTag(tag)) {
          if (stats) stats.hasBlocks = true;
          if (!includeBlocks) return;
          parts.push('\n');
        }
      }
      if (tag === 'a') inLink = true;
      const sr = e.shadowRoot;
      if (sr) {
        for (let c = sr.firstChild; c; c = c.nextSibling) visit(c, inLink, false);
        // Light children show through slots. Without slots they are not rendered; in a DOM without
        // slot assignment (linkedom) they are read here instead.
        const slot = sr.querySelector('slot') as HTMLSlotElement | null;
        if (!slot || typeof slot.assignedNodes === 'function') return;
      }
      if (tag === 'slot' && typeof (e as HTMLSlotElement).assignedNodes === 'function') {
        const assigned = (e as HTMLSlotElement).assignedNodes({ flatten: true });
        if (assigned.length) {
          for (const a of assigned) visit(a, inLink, false);
          return;
        }
      }
    }
    for (let c = node.firstChild; c; c = c.nextSibling) visit(c, inLink, false);
  };
  visit(el, false, true);
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
function judgeElement(el: Element, opts: ExtractOptions, minWordsBlock: number, maxChars: number): string | null {
  const tag = tagOf(el);
  const minWords = PARAGRAPH_TAGS.has(tag) ? Math.min(minWordsBlock, opts.minWordsParagraph ?? DEFAULT_MIN_WORDS_PARAGRAPH) : minWordsBlock;
  const stats: TextStats = { directLen: 0, linkLen: 0, hasBlocks: false };
  const direct = readText(el, maxChars, false, opts, stats);
  if (stats.hasBlocks) {
    // Mostly direct text (a div of text with a small nested block): the whole element is the paragraph.
    if (NEVER_CANDIDATE.has(tag) || countWords(direct, minWords) < minWords) return null;
    const all = readText(el, maxChars, true, opts);
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
  const stack: Element[] = [];
  const start = (root as Node).nodeType === 1 ? [root as Element] : childElements(root, opts);
  for (let i = start.length - 1; i >= 0; i--) stack.push(start[i]!);
  while (stack.length) {
    const el = stack.pop()!;
    let cand: Candidate | null = null;
    try {
      if (!isPruned(el, opts)) {
        // A link on its own is never a paragraph (menus, cards of links).
        const text = tagOf(el) === 'a' ? '' : judgeElement(el, opts, minWords, maxChars);
        if (text === null) {
          const kids = childElements(el, opts);
          for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
        } else if (text !== '' && isRendered(el, layout)) {
          cand = { el, text };
        } else if (text === '' && (el as Element).shadowRoot) {
          const kids = childElements(el, opts);
          for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
        }
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
  return readText(el, opts.maxChars ?? Infinity, true, opts);
}
