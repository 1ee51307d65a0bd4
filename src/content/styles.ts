/**
 * Stylesheets of the content script. Injected as constructable stylesheets (`adoptedStyleSheets`),
 * which a page's CSP on inline styles does not block; a `<style>` element is the fallback where
 * constructable sheets are missing or refused.
 *
 * Colours are mid-tone and translucent so that they read on light and dark pages alike; the levels
 * never differ by colour alone (wavy vs dotted underline, plus an accessible description).
 */
import type { Level } from '../core/types.ts';

export const HIGHLIGHT_GENERATED = 'telltale-generated';
export const HIGHLIGHT_UNCLEAR = 'telltale-unclear';

/** What a paragraph's mark shows: its level when scored (the value of `data-telltale-level`), else none. */
export type MarkLevel = Level | 'none';

const GEN_LINE = 'rgb(232, 89, 12)';
const GEN_TINT = 'rgba(255, 170, 40, 0.28)';
const UNC_LINE = 'rgb(120, 110, 230)';

/**
 * Page stylesheet. `highlights`: the text marks come from the CSS Custom Highlight API (no style on the
 * page's elements); otherwise the same marks are drawn on the element, without touching layout.
 */
export function pageCss(highlights: boolean): string {
  const marks = highlights
    ? `
::highlight(${HIGHLIGHT_GENERATED}) {
  background-color: ${GEN_TINT};
  text-decoration: underline wavy ${GEN_LINE};
  text-decoration-thickness: 2px;
  text-decoration-skip-ink: none;
}
::highlight(${HIGHLIGHT_UNCLEAR}) {
  text-decoration: underline dotted ${UNC_LINE};
  text-decoration-thickness: 2px;
}`
    : `
[data-telltale-level="generated"] {
  text-decoration: underline wavy ${GEN_LINE} !important;
  text-decoration-thickness: 2px !important;
  text-decoration-skip-ink: none !important;
  box-shadow: inset 0 0 0 100vmax ${GEN_TINT} !important;
}
[data-telltale-level="unclear"] {
  text-decoration: underline dotted ${UNC_LINE} !important;
  text-decoration-thickness: 2px !important;
}`;
  return `${marks}
[data-telltale-level="generated"]:focus-visible, [data-telltale-level="unclear"]:focus-visible {
  outline: 2px solid ${GEN_LINE} !important;
  outline-offset: 2px !important;
}
[data-telltale-flash] {
  outline: 3px solid ${GEN_LINE} !important;
  outline-offset: 3px !important;
  animation: telltale-flash 1.2s ease-out 1 !important;
}
@keyframes telltale-flash {
  0%, 40% { outline-color: ${GEN_LINE}; outline-offset: 6px; }
  100% { outline-color: transparent; outline-offset: 2px; }
}
@media (prefers-reduced-motion: reduce) {
  [data-telltale-flash] { animation: none !important; }
}
`;
}

/** Stylesheet inside the card's closed shadow root. Page CSS cannot reach it; `:host` resets inheritance. */
export const CARD_CSS = `
:host { all: initial; }
.card {
  box-sizing: border-box;
  max-width: min(380px, calc(100vw - 16px));
  padding: 10px 12px;
  border-radius: 8px;
  border: 1px solid rgba(127, 127, 127, 0.45);
  background: #ffffff;
  color: #1d1d1f;
  font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  box-shadow: 0 4px 18px rgba(0, 0, 0, 0.25);
  text-align: start;
  unicode-bidi: plaintext;
  overflow-wrap: anywhere;
}
@media (prefers-color-scheme: dark) {
  .card { background: #24262b; color: #eceef2; }
}
.head { display: flex; align-items: baseline; gap: 8px; }
.label { font-size: 15px; font-weight: 700; }
.share { margin-top: 4px; font-variant-numeric: tabular-nums; }
.level-generated .label { color: ${GEN_LINE}; }
.level-unclear .label { color: ${UNC_LINE}; }
.meta { margin-top: 4px; opacity: 0.8; font-size: 12px; }
.note { margin-top: 6px; padding: 4px 6px; border-radius: 4px; background: rgba(255, 170, 40, 0.18); }
ul { margin: 6px 0 0; padding-inline-start: 18px; }
li { margin: 2px 0; }
.ev-pos { text-decoration: underline wavy ${GEN_LINE}; text-decoration-skip-ink: none; }
.quote { font-style: italic; }
button.close {
  all: unset; cursor: pointer; margin-inline-start: auto; padding: 0 4px; font-size: 16px; line-height: 1;
}
button.close:focus-visible { outline: 2px solid ${GEN_LINE}; }
`;

/** Nodes the content script itself put into the page (card hosts, fallback <style>): never scanned. */
const ownNodes = new WeakSet<Node>();
export function markOwn(node: Node): void {
  ownNodes.add(node);
}
export function isOwn(node: Node): boolean {
  return ownNodes.has(node);
}

type SheetRoot = Document | ShadowRoot;
const adopted = new WeakMap<SheetRoot, { sheet?: CSSStyleSheet; style?: HTMLStyleElement; css: string }>();

/**
 * Adds `css` to `root` once (idempotent), keeping it there if the page later replaces
 * `adoptedStyleSheets` (call again to re-check; cheap).
 */
export function ensureStyles(root: SheetRoot, css: string): void {
  let entry = adopted.get(root);
  if (!entry) {
    entry = { css };
    adopted.set(root, entry);
    try {
      const Ctor = (root.nodeType === 9 ? (root as Document).defaultView : root.ownerDocument?.defaultView)?.CSSStyleSheet ?? globalThis.CSSStyleSheet;
      if (typeof Ctor === 'function' && 'adoptedStyleSheets' in root) {
        const sheet = new Ctor();
        sheet.replaceSync(css);
        entry.sheet = sheet;
      }
    } catch {
      entry.sheet = undefined;
    }
  }
  if (entry.sheet) {
    try {
      const list = root.adoptedStyleSheets;
      if (!list.includes(entry.sheet)) root.adoptedStyleSheets = [...list, entry.sheet];
      return;
    } catch {
      // Firefox can refuse sheets built in the content script's compartment: fall back to <style>.
      entry.sheet = undefined;
    }
  }
  try {
    if (entry.style?.isConnected) return;
    const doc = root.nodeType === 9 ? (root as Document) : root.ownerDocument!;
    const style = doc.createElement('style');
    style.textContent = css;
    style.setAttribute('data-telltale', '');
    markOwn(style);
    entry.style = style;
    const parent = root.nodeType === 9 ? ((root as Document).head ?? (root as Document).documentElement) : root;
    parent?.appendChild(style);
  } catch {
    // No way to style: marks still carry their meaning through attributes and aria-description.
  }
}
