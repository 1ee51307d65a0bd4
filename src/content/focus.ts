/**
 * Keyboard access to marks without tab stops. Marks never get tabindex="0" (that would reorder the
 * page's own focus path); the "next mark" / "previous mark" commands (manifest `commands`, Alt+Shift+J /
 * Alt+Shift+K by default) move focus between them instead, and a paragraph is focusable only while it
 * has focus (tabindex="-1", removed on blur). Focus shows the hover card (card.ts listens to focusin).
 */

export type Direction = 'next' | 'prev';

/**
 * The mark to move to from `active` (the focused element, or something inside a mark): the next or
 * previous one in page order, wrapping around. With no mark focused, the first mark in or below the
 * viewport (next) or the last one above it (prev).
 */
export function pickMark<T extends Element>(marks: readonly T[], active: Element | null, direction: Direction): T | null {
  if (marks.length === 0) return null;
  const at = active ? marks.findIndex((m) => m === active || m.contains(active)) : -1;
  if (at >= 0) return marks[(at + (direction === 'next' ? 1 : -1) + marks.length) % marks.length]!;
  const top = (m: Element) => {
    try {
      return m.getBoundingClientRect().top;
    } catch {
      return 0;
    }
  };
  if (direction === 'next') return marks.find((m) => top(m) >= 0) ?? marks[0]!;
  for (let i = marks.length - 1; i >= 0; i--) if (top(marks[i]!) < 0) return marks[i]!;
  return marks[marks.length - 1]!;
}

/** The element each document made focusable for a visit (one at a time). */
const visiting = new WeakMap<Document, HTMLElement>();

function endVisit(el: HTMLElement): void {
  if (el.getAttribute('tabindex') === '-1') el.removeAttribute('tabindex');
  if (visiting.get(el.ownerDocument) === el) visiting.delete(el.ownerDocument);
}

/**
 * Focuses `el`, making it focusable for this visit only when the page did not already: the
 * tabindex="-1" goes on blur, or when the next visit starts (Firefox moves focus out of a document
 * that is not focused without a blur event). tabindex="-1" never takes a place in the tab order.
 */
export function focusTransiently(el: HTMLElement, opts: { preventScroll?: boolean } = {}): void {
  const prev = visiting.get(el.ownerDocument);
  if (prev && prev !== el) endVisit(prev);
  if (!el.hasAttribute('tabindex')) {
    el.setAttribute('tabindex', '-1');
    visiting.set(el.ownerDocument, el);
    el.addEventListener('blur', () => endVisit(el), { once: true });
  }
  el.focus?.({ preventScroll: opts.preventScroll ?? false });
}
