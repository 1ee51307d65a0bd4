/**
 * Stylesheets of the content script. Injected as constructable stylesheets (`adoptedStyleSheets`),
 * which a page's CSP on inline styles does not block; a `<style>` element is the fallback where
 * constructable sheets are missing or refused.
 *
 * Two palettes, for the page's own theme (theme.ts reads it from the colours the page paints): the
 * underlines keep 3:1 against the page's background (WCAG 1.4.11) and the card's text 4.5:1 against
 * the card (1.4.3), on light and dark pages alike; test/e2e/contrast.test.ts measures both. The levels
 * never differ by colour alone (wavy vs dotted underline, plus an accessible description).
 */
import type { Level } from '../core/types.ts';
import type { Theme } from './theme.ts';

export const HIGHLIGHT_GENERATED = 'telltale-generated';
export const HIGHLIGHT_UNCLEAR = 'telltale-unclear';

/** What a paragraph's mark shows: its level when scored (the value of `data-telltale-level`), else none. */
export type MarkLevel = Level | 'none';

/** Mark colours per page theme: the generated underline and tint, the unclear underline. */
export const PALETTE: Record<Theme, { gen: string; tint: string; unclear: string }> = {
  light: { gen: '#c2410c', tint: 'rgba(251, 146, 60, 0.22)', unclear: '#4f46e5' },
  dark: { gen: '#fb923c', tint: 'rgba(251, 146, 60, 0.2)', unclear: '#a5b4fc' },
};

/**
 * Page stylesheet. `highlights`: the text marks come from the CSS Custom Highlight API (no style on the
 * page's elements); otherwise the same marks are drawn on the element, without touching layout.
 */
export function pageCss(highlights: boolean, theme: Theme = 'light'): string {
  const { gen: GEN_LINE, tint: GEN_TINT, unclear: UNC_LINE } = PALETTE[theme];
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

/** The card's colours per page theme: background, text, and the two level colours (text on that background). */
export const CARD_PALETTE: Record<Theme, { bg: string; text: string; gen: string; unclear: string }> = {
  light: { bg: '#ffffff', text: '#1d1d1f', gen: '#c2410c', unclear: '#4f46e5' },
  dark: { bg: '#24262b', text: '#eceef2', gen: '#fb923c', unclear: '#a5b4fc' },
};

/**
 * Stylesheet inside the card's closed shadow root. Page CSS cannot reach it; `:host` resets inheritance.
 * The card follows the theme of the page under it (`.theme-light` / `.theme-dark`, set when shown).
 */
export const CARD_CSS = `
:host { all: initial; }
.card {
  box-sizing: border-box;
  max-width: min(380px, calc(100vw - 16px));
  padding: 10px 12px;
  border-radius: 8px;
  border: 1px solid rgba(127, 127, 127, 0.45);
  font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  box-shadow: 0 4px 18px rgba(0, 0, 0, 0.25);
  text-align: start;
  unicode-bidi: plaintext;
  overflow-wrap: anywhere;
}
${(['light', 'dark'] as const).map((t) => {
  const c = CARD_PALETTE[t];
  return `.theme-${t} { background: ${c.bg}; color: ${c.text}; }
.theme-${t}.level-generated .label, .theme-${t} .ev-pos { color: ${c.gen}; }
.theme-${t} .ev-pos { text-decoration-color: ${c.gen}; }
.theme-${t}.level-unclear .label { color: ${c.unclear}; }
.theme-${t} button:focus-visible, .theme-${t} textarea:focus-visible { outline: 2px solid ${c.gen}; outline-offset: 1px; }
.theme-${t} button.copy-button { color: ${c.text}; border: 1px solid ${c.text}; }
.theme-${t} textarea { color: ${c.text}; background: ${c.bg}; border: 1px solid ${c.text}; }`;
}).join('\n')}
.head { display: flex; align-items: baseline; gap: 8px; }
.label { font-size: 15px; font-weight: 700; }
.share { margin-top: 4px; font-variant-numeric: tabular-nums; }
.meta { margin-top: 4px; font-size: 12px; }
.note { margin-top: 6px; padding: 4px 6px; border-radius: 4px; border-inline-start: 3px solid currentColor; }
ul { margin: 6px 0 0; padding-inline-start: 18px; }
li { margin: 2px 0; }
.ev-pos { text-decoration: underline wavy; text-decoration-skip-ink: none; }
.quote { font-style: italic; }
.copy { margin-top: 8px; }
button.copy-button { all: unset; cursor: pointer; padding: 2px 8px; border-radius: 4px; font-size: 12px; }
.copy textarea { display: block; box-sizing: border-box; width: 100%; margin-top: 4px; font: 12px/1.4 system-ui, sans-serif; resize: vertical; }
button.close {
  all: unset; cursor: pointer; margin-inline-start: auto; padding: 0 4px; font-size: 16px; line-height: 1;
}
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
 * `adoptedStyleSheets` (call again to re-check; cheap). Called with other css, it replaces the rules.
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
  } else if (entry.css !== css) {
    // The page switched theme: the same sheet, new rules.
    entry.css = css;
    try {
      entry.sheet?.replaceSync(css);
    } catch {
      entry.sheet = undefined;
    }
    if (entry.style) entry.style.textContent = css;
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
