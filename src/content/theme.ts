/**
 * Light or dark: the page's own theme, read from the colours it paints, so that the marks and the card
 * read well on it whatever the system's colour scheme says (a dark site on a light system, and the
 * other way round). WCAG's relative luminance and contrast ratio, for choosing and for the tests.
 */
export type Theme = 'light' | 'dark';

export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** `rgb(…)` / `rgba(…)` / `#rgb` / `#rrggbb` as computed styles and our palette write them; null otherwise. */
export function parseColor(s: string | null | undefined): Rgba | null {
  if (!s) return null;
  const t = s.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(t);
  if (hex) {
    const h = hex[1]!.length === 3 ? [...hex[1]!].map((c) => c + c).join('') : hex[1]!;
    return { r: parseInt(h.slice(0, 2), 16), g: parseInt(h.slice(2, 4), 16), b: parseInt(h.slice(4, 6), 16), a: 1 };
  }
  const m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+%?))?\s*\)$/.exec(t);
  if (!m) return t === 'transparent' ? { r: 0, g: 0, b: 0, a: 0 } : null;
  const a = m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
  return { r: +m[1]!, g: +m[2]!, b: +m[3]!, a };
}

/** `top` painted over the opaque `bottom`. */
export function over(top: Rgba, bottom: Rgba): Rgba {
  const a = top.a;
  return { r: top.r * a + bottom.r * (1 - a), g: top.g * a + bottom.g * (1 - a), b: top.b * a + bottom.b * (1 - a), a: 1 };
}

/** WCAG 2 relative luminance of an opaque colour. */
export function luminance(c: Rgba): number {
  const ch = (v: number) => {
    const x = v / 255;
    return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b);
}

/** WCAG 2 contrast ratio of two opaque colours (1 to 21). */
export function contrast(a: Rgba, b: Rgba): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
}

export const themeOfBackground = (bg: Rgba): Theme => (luminance(bg) < 0.2 ? 'dark' : 'light');

const WHITE: Rgba = { r: 255, g: 255, b: 255, a: 1 };

/**
 * The background an element sits on: the first opaque background colour from it up to the root,
 * translucent ones painted over it; the canvas (white, or the page's dark `color-scheme`) when none is.
 * Never throws: an element the page made exotic reads as the canvas.
 */
export function backgroundOf(el: Element | null): Rgba {
  const layers: Rgba[] = [];
  let canvas = WHITE;
  try {
    const win = (el?.ownerDocument ?? null)?.defaultView;
    if (!win || typeof win.getComputedStyle !== 'function') return WHITE;
    const rootScheme = win.getComputedStyle(el!.ownerDocument.documentElement).colorScheme ?? '';
    if (/^dark\b/.test(rootScheme.trim())) canvas = { r: 18, g: 18, b: 18, a: 1 };
    for (let e: Element | null = el; e && layers.length < 16; e = e.parentElement) {
      const c = parseColor(win.getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) {
        layers.push(c);
        if (c.a >= 1) break;
      }
    }
  } catch {
    return WHITE;
  }
  return layers.reduceRight((below, layer) => over(layer, below), canvas);
}

/** The page's theme where `el` is (default: the document's body). */
export function themeAt(doc: Document, el?: Element | null): Theme {
  return themeOfBackground(backgroundOf(el ?? doc.body ?? doc.documentElement));
}
