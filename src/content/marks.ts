/**
 * What the page shows of a judgement: the public data attributes (a stable contract read by tests and
 * other tools: `data-telltale-state`, `-score` (P(machine), 3 decimals), `-level` (generated, unclear,
 * human; scored paragraphs only), `-key`), the likelihood marks (CSS Custom Highlight API where it
 * works, element styles otherwise) and an accessible description. Marks add no tab stops (the page's
 * focus path stays its own): the keyboard reaches them through the "next mark" / "previous mark"
 * commands (./focus.ts).
 *
 * The attributes are output only: the content script keeps its truth in a WeakMap (scanner.ts) and
 * never reads these back, since the page can rewrite them.
 */
import type { ParagraphState, Verdict } from '../core/types.ts';
import { t } from '../shared/i18n.ts';
import { verdictSentence } from '../shared/verdict-words.ts';
import { HIGHLIGHT_GENERATED, HIGHLIGHT_UNCLEAR, ensureStyles, pageCss, type MarkLevel } from './styles.ts';
import { themeAt, type Theme } from './theme.ts';

export const ATTR_STATE = 'data-telltale-state';
export const ATTR_SCORE = 'data-telltale-score';
export const ATTR_KEY = 'data-telltale-key';
export const ATTR_LEVEL = 'data-telltale-level';
export const ATTR_FLASH = 'data-telltale-flash';

/** The level a page mark shows: the verdict's own (set from the sensitivity's thresholds), or none when not scored. */
export function levelOf(v: Verdict | undefined): MarkLevel {
  return v && v.state === 'scored' && v.level ? v.level : 'none';
}

type HighlightLike = { add(r: Range): unknown; delete(r: Range): unknown };
interface HighlightEnv {
  registry: { set(name: string, h: unknown): unknown; get(name: string): unknown };
  Highlight: new () => HighlightLike;
}

/** Draws the likelihood marks. One per document. */
export class Marks {
  readonly useHighlights: boolean;
  private readonly highlights = new Map<MarkLevel, HighlightLike>();
  private readonly ranges = new WeakMap<Element, { level: MarkLevel; range: Range }>();
  /** Elements whose aria-description is ours (a page's own one is left alone otherwise). */
  private readonly described = new WeakSet<Element>();
  private readonly styledRoots = new WeakSet<Document | ShadowRoot>();

  /** The page's own theme, for the marks' colours. */
  private theme: Theme;

  constructor(private readonly doc: Document) {
    this.theme = themeAt(doc);
    this.useHighlights = this.setUpHighlights();
    this.ensureStyles(doc);
  }

  private setUpHighlights(): boolean {
    try {
      const win = this.doc.defaultView as unknown as { CSS?: { highlights?: HighlightEnv['registry'] }; Highlight?: HighlightEnv['Highlight'] } | null;
      const registry = win?.CSS?.highlights ?? (globalThis as { CSS?: { highlights?: HighlightEnv['registry'] } }).CSS?.highlights;
      const Ctor = win?.Highlight ?? (globalThis as { Highlight?: HighlightEnv['Highlight'] }).Highlight;
      if (!registry || typeof Ctor !== 'function') return false;
      for (const [level, name] of [['generated', HIGHLIGHT_GENERATED], ['unclear', HIGHLIGHT_UNCLEAR]] as const) {
        const h = new Ctor();
        registry.set(name, h);
        if (registry.get(name) !== h) return false;
        this.highlights.set(level, h);
      }
      return true;
    } catch {
      return false;
    }
  }

  /** Puts the page stylesheet into `root` (the document, or an open shadow root holding paragraphs). */
  ensureStyles(root: Document | ShadowRoot): void {
    ensureStyles(root, pageCss(this.useHighlights, this.theme));
    this.styledRoots.add(root);
  }

  /**
   * Re-adds stylesheets a page may have dropped (it can reassign adoptedStyleSheets), in the colours of
   * the page's theme as it is now (a page can switch to dark).
   */
  recheckStyles(): void {
    this.theme = themeAt(this.doc);
    ensureStyles(this.doc, pageCss(this.useHighlights, this.theme));
  }

  /** Writes the public marks for one paragraph. Never throws (a hostile element must not stop the scan). */
  apply(el: Element, key: string, state: ParagraphState, verdict: Verdict | undefined): void {
    try {
      el.setAttribute(ATTR_KEY, key);
      el.setAttribute(ATTR_STATE, state);
      if (state === 'scored' && verdict && verdict.p_machine !== null) el.setAttribute(ATTR_SCORE, verdict.p_machine.toFixed(3));
      else el.removeAttribute(ATTR_SCORE);
      const level = state === 'scored' ? levelOf(verdict) : 'none';
      if (level !== 'none') el.setAttribute(ATTR_LEVEL, level);
      else el.removeAttribute(ATTR_LEVEL);
      // Every scored paragraph says what it is to assistive technology, not only the coloured ones.
      // A page's own aria-description stays (the hover card says the same on focus).
      if (level !== 'none' && (this.described.has(el) || !el.hasAttribute('aria-description'))) {
        el.setAttribute('aria-description', t('markDescription', verdictSentence(verdict!)));
        this.described.add(el);
      } else if (this.described.has(el)) {
        el.removeAttribute('aria-description');
        this.described.delete(el);
      }
      this.setHighlight(el, level);
      const root = el.getRootNode?.();
      if (root && root.nodeType === 11 && !this.styledRoots.has(root as ShadowRoot)) this.ensureStyles(root as ShadowRoot);
    } catch {
      // Ignore: the element may be frozen or exotic.
    }
  }

  private setHighlight(el: Element, level: MarkLevel): void {
    if (!this.useHighlights) return;
    const cur = this.ranges.get(el);
    if (cur && cur.level === level) return;
    if (cur) {
      this.highlights.get(cur.level)?.delete(cur.range);
      this.ranges.delete(el);
    }
    const h = this.highlights.get(level);
    if (!h) return;
    const range = this.doc.createRange();
    range.selectNodeContents(el);
    h.add(range);
    this.ranges.set(el, { level, range });
  }

  /** Drops the highlight of an element that left the page. */
  forget(el: Element): void {
    const cur = this.ranges.get(el);
    if (cur) this.highlights.get(cur.level)?.delete(cur.range);
    this.ranges.delete(el);
  }

  /** Brief outline animation (static under prefers-reduced-motion, see styles.ts). */
  flash(el: Element): void {
    try {
      el.removeAttribute(ATTR_FLASH);
      el.setAttribute(ATTR_FLASH, '');
      const win = this.doc.defaultView;
      (win ?? globalThis).setTimeout(() => el.removeAttribute(ATTR_FLASH), 1500);
    } catch {
      /* ignore */
    }
  }
}
