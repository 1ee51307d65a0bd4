/**
 * The hover/focus card and the selection card. Each lives in a CLOSED shadow root on a host element we
 * create, so neither page CSS nor page scripts reach its inside; the host itself is reset with inline
 * `!important` declarations (which beat page stylesheets). All text goes in with textContent.
 */
import type { Verdict } from '../core/types.ts';
import { messageGroup, t } from '../shared/i18n.ts';
import { detectorName, partsLine, reasonText, shareSentence, verdictHeadline } from '../shared/verdict-words.ts';
import { zeroShotLine } from '../shared/zeroshot-words.ts';
import { levelOf } from './marks.ts';
import { CARD_CSS, ensureStyles, markOwn } from './styles.ts';
import { themeAt, type Theme } from './theme.ts';

export const HOST_TAG = 'telltale-card';

/** The selection card's copy words (one place, for the translation catalogue). */
export const COPY_WORDS = messageGroup(
  { button: 'copyButton', copied: 'copyDone', refused: 'copyRefused', close: 'cardClose' },
  { model: (m: string) => t('copyModel', m), text: (x: string) => t('copyText', x) },
);

/** The card's result as plain text for the clipboard: level and its number in words, the model, the text. */
export function resultText(v: Verdict, text?: string): string {
  const lines = [`Telltale: ${verdictHeadline(v)}`];
  if (v.state === 'scored' && v.humanShare) lines.push(shareSentence(v.humanShare));
  else if (v.state !== 'scored' && v.reason) lines.push(v.reason);
  const parts = partsLine(v);
  const model = parts ? `${detectorName(v.detector)} (${parts})` : v.detector && detectorName(v.detector);
  if (model) lines.push(COPY_WORDS.model(model));
  if (text) lines.push(COPY_WORDS.text(cut(text.replace(/\s+/g, ' ').trim(), 500)));
  return lines.join('\n');
}

export type ClipboardWrite = (text: string) => Promise<void>;

/** The clipboard of `doc`'s window, as a page's own script would use it; rejects where there is none. */
export function pageClipboard(doc: Document): ClipboardWrite {
  return (text) => {
    const clip = doc.defaultView?.navigator?.clipboard;
    if (!clip?.writeText) return Promise.reject(new Error('no clipboard'));
    return clip.writeText(text);
  };
}

/**
 * The "Copy result" button and its note. A refusal (no clipboard API on an insecure page, no user
 * gesture, a denied permission) is said in words, and the text is put in a selected read-only field
 * for the reader to copy by hand. Exported for tests (the card's shadow root is closed).
 */
export function buildCopyControls(doc: Document, text: string, write: ClipboardWrite): HTMLElement {
  const box = doc.createElement('div');
  box.className = 'copy';
  const button = doc.createElement('button');
  button.type = 'button';
  button.className = 'copy-button';
  button.textContent = COPY_WORDS.button;
  const note = doc.createElement('div');
  note.className = 'meta copy-note';
  note.setAttribute('aria-live', 'polite');
  box.append(button, note);
  button.addEventListener('click', () => {
    note.textContent = '';
    box.querySelector('textarea')?.remove();
    let done: Promise<void>;
    try {
      done = write(text);
    } catch (err) {
      done = Promise.reject(err);
    }
    done.then(
      () => {
        note.textContent = COPY_WORDS.copied;
      },
      () => {
        note.textContent = COPY_WORDS.refused;
        const area = doc.createElement('textarea');
        area.readOnly = true;
        area.value = text;
        area.rows = Math.min(6, text.split('\n').length + 1);
        area.setAttribute('aria-label', COPY_WORDS.button);
        box.append(area);
        area.focus?.();
        area.select?.();
      },
    );
  });
  return box;
}

interface Anchor {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Builds the card's content for a verdict, in the colours of `theme` (the page's under it). Exported for tests. */
export function buildCardContent(doc: Document, v: Verdict, opts: { title?: string; text?: string; theme?: Theme; zeroShot?: Verdict } = {}): HTMLElement {
  const el = (tag: string, cls?: string, text?: string): HTMLElement => {
    const e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const card = el('div', `card level-${levelOf(v)} theme-${opts.theme ?? 'light'}`);
  if (opts.title) card.append(el('div', 'meta', opts.title));
  // The level's words first; the one number beside them says how often human-written text scores as high.
  const head = el('div', 'head');
  head.append(el('span', 'label', verdictHeadline(v)));
  card.append(head);
  if (v.state === 'scored') {
    if (v.humanShare) card.append(el('div', 'share', shareSentence(v.humanShare)));
    card.append(el('div', 'meta', v.flagged ? t('cardFlagged') : v.level === 'unclear' ? t('cardNotFlaggedClose') : t('cardNotFlagged')));
  } else {
    // A paragraph in another language: the reason says, in the reader's language, that the detectors read English only.
    const reason = reasonText(v);
    if (reason) card.append(el('div', 'meta', reason));
  }
  if (opts.text) card.append(el('div', 'meta quote', t('quoted', cut(opts.text, 140))));
  const n = v.normalisation;
  if (n && (n.homoglyphs > 0 || n.invisibles > 0)) {
    const key = n.homoglyphs > 0 && n.invisibles > 0 ? 'cardHidesBoth' : n.homoglyphs > 0 ? 'cardHidesLookAlikes' : 'cardHidesInvisibles';
    card.append(el('div', 'note', t(key)));
  }
  const evidence = (v.evidence ?? []).filter((e) => e && typeof e.text === 'string' && e.weight > 0).sort((a, b) => b.weight - a.weight).slice(0, 3);
  if (evidence.length) {
    card.append(el('div', 'meta', t('cardEvidence')));
    const ul = el('ul');
    for (const e of evidence) ul.append(el('li', 'ev-pos', cut(e.text, 200)));
    card.append(ul);
  }
  const parts = partsLine(v);
  const name = detectorName(v.detector);
  if (name) card.append(el('div', 'meta', parts ? t('cardModelParts', name, parts) : t('cardModel', name)));
  // A zero-shot detector beside it: its own reading, never a level or flag while it is uncalibrated.
  if (opts.zeroShot) card.append(el('div', 'meta zero-shot', zeroShotLine(opts.zeroShot)));
  return card;
}

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** One floating card (host element + closed shadow root), shown and hidden on demand. */
export class FloatingCard {
  private host: HTMLElement | null = null;
  private root: ShadowRoot | null = null;
  private current: HTMLElement | null = null;
  /** What the card is about (an element or a selection), to skip needless re-renders. */
  subject: unknown = null;

  constructor(
    private readonly doc: Document,
    private readonly opts: {
      interactive: boolean;
      role: string;
      onClose?: () => void;
      /** A "Copy result" button that writes the result with this (the selection card). */
      copy?: ClipboardWrite;
      /** Move focus into the card when shown, and back when hidden. */
      takeFocus?: boolean;
    },
  ) {}
  /** Where focus was before the card took it. */
  private returnFocus: HTMLElement | null = null;

  get visible(): boolean {
    return this.current !== null && !!this.host?.isConnected;
  }

  /** Whether an event path crosses this card (clicks inside it must not close it). */
  contains(path: EventTarget[]): boolean {
    return !!this.host && path.includes(this.host);
  }

  private ensureHost(): ShadowRoot | null {
    if (this.host && this.root) {
      if (!this.host.isConnected) this.doc.documentElement.appendChild(this.host);
      return this.root;
    }
    try {
      const host = this.doc.createElement(HOST_TAG);
      markOwn(host);
      const s = host.style;
      const set = (k: string, v: string) => s.setProperty(k, v, 'important');
      set('all', 'initial');
      set('position', 'fixed');
      set('z-index', '2147483647');
      set('top', '0');
      set('left', '0');
      set('display', 'none');
      set('pointer-events', this.opts.interactive ? 'auto' : 'none');
      const root = host.attachShadow({ mode: 'closed' });
      ensureStyles(root, CARD_CSS);
      this.doc.documentElement.appendChild(host);
      this.host = host;
      this.root = root;
      return root;
    } catch {
      return null;
    }
  }

  /** Shows the card for `v` next to `anchor`; `near` is the element it is about (its page colours set the card's theme). */
  show(anchor: Anchor, v: Verdict, opts: { title?: string; text?: string; near?: Element | null; zeroShot?: Verdict } = {}): void {
    const root = this.ensureHost();
    if (!root || !this.host) return;
    const card = buildCardContent(this.doc, v, { ...opts, theme: themeAt(this.doc, opts.near) });
    card.setAttribute('role', this.opts.role);
    if (this.opts.role === 'status') card.setAttribute('aria-live', 'polite');
    let first: HTMLElement | null = null;
    if (this.opts.interactive) {
      const close = this.doc.createElement('button');
      close.className = 'close';
      close.textContent = '×';
      close.setAttribute('aria-label', t('cardClose'));
      close.addEventListener('click', () => {
        this.hide();
        this.opts.onClose?.();
      });
      card.querySelector('.head')?.append(close);
      if (this.opts.copy) {
        const controls = buildCopyControls(this.doc, resultText(v, opts.text), this.opts.copy);
        card.append(controls);
        first = controls.querySelector('button');
      }
    }
    this.current?.remove();
    root.append(card);
    this.current = card;
    this.host.style.setProperty('display', 'block', 'important');
    this.place(anchor);
    // A card the reader asked for takes focus (its first button), so the keyboard reaches it at once
    // instead of after every other control on the page; hide() gives focus back.
    if (this.opts.takeFocus && first) {
      const active = deepActive(this.doc);
      if (!this.returnFocus && active && !this.host.contains(active)) this.returnFocus = active as HTMLElement;
      first.focus?.({ preventScroll: true });
    }
  }

  private place(a: Anchor): void {
    const host = this.host!;
    const win = this.doc.defaultView;
    const vw = win?.innerWidth ?? 1024;
    const vh = win?.innerHeight ?? 768;
    const r = this.current?.getBoundingClientRect?.();
    const w = r?.width || 300;
    const h = r?.height || 120;
    const visTop = Math.max(a.top, 0);
    const visBottom = Math.min(a.bottom, vh);
    let top: number;
    if (visBottom + 6 + h <= vh) top = visBottom + 6;
    else if (visTop - 6 - h >= 0) top = visTop - 6 - h;
    else top = Math.max(8, vh - h - 8);
    const left = Math.min(Math.max(8, a.left), Math.max(8, vw - w - 8));
    host.style.setProperty('top', `${Math.round(top)}px`, 'important');
    host.style.setProperty('left', `${Math.round(left)}px`, 'important');
  }

  /** Moves a visible card to a new anchor (its subject scrolled). */
  reanchor(anchor: Anchor): void {
    if (this.visible) this.place(anchor);
  }

  hide(): void {
    const hadFocus = !!this.host && deepActive(this.doc) !== null && this.doc.activeElement === this.host;
    this.current?.remove();
    this.current = null;
    this.subject = null;
    this.host?.style.setProperty('display', 'none', 'important');
    const back = this.returnFocus;
    this.returnFocus = null;
    if (hadFocus && back?.isConnected) back.focus?.({ preventScroll: true });
  }
}

export function anchorOf(el: Element): Anchor {
  const r = el.getBoundingClientRect();
  return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
}

/** Where the current selection is, or the top right of the viewport when there is none. */
export function selectionAnchor(doc: Document): Anchor {
  try {
    const sel = doc.getSelection?.();
    if (sel && sel.rangeCount > 0) {
      const r = sel.getRangeAt(0).getBoundingClientRect();
      if (r.width > 0 || r.height > 0) return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    }
  } catch {
    /* no selection API */
  }
  const vw = doc.defaultView?.innerWidth ?? 1024;
  return { left: vw - 400, top: 8, right: vw - 8, bottom: 8 };
}

/** The element around the current selection (its page colours theme the selection card), or null. */
export function selectionElement(doc: Document): Element | null {
  try {
    const sel = doc.getSelection?.();
    if (!sel || sel.rangeCount === 0) return null;
    const n = sel.getRangeAt(0).commonAncestorContainer;
    return n.nodeType === 1 ? (n as Element) : n.parentElement;
  } catch {
    return null;
  }
}

function deepActive(doc: Document): Element | null {
  let a: Element | null = doc.activeElement;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
  return a;
}

export interface HoverSource {
  /** The judged paragraph on an event path (`null` when none): its element and verdict. */
  find(path: EventTarget[]): { el: Element; verdict: Verdict; zeroShot?: Verdict } | null;
}

/**
 * Shows the card on hover (after a short delay) and on keyboard focus of a marked paragraph; Escape
 * or leaving hides it. Returns a function that removes the listeners.
 */
export function attachHoverCard(doc: Document, card: FloatingCard, source: HoverSource): () => void {
  const win = doc.defaultView ?? globalThis;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const later = (fn: () => void, ms: number) => {
    if (timer !== undefined) win.clearTimeout(timer);
    timer = win.setTimeout(fn, ms);
  };
  const showFor = (hit: { el: Element; verdict: Verdict; zeroShot?: Verdict }) => {
    if (card.visible && card.subject === hit.el) return;
    card.show(anchorOf(hit.el), hit.verdict, { near: hit.el, zeroShot: hit.zeroShot });
    card.subject = hit.el;
  };
  const path = (e: Event): EventTarget[] => (typeof e.composedPath === 'function' ? e.composedPath() : e.target ? [e.target] : []);
  const onOver = (e: Event) => {
    const hit = source.find(path(e));
    if (hit) later(() => showFor(hit), 250);
    else if (card.visible) later(() => card.hide(), 200);
    else if (timer !== undefined) win.clearTimeout(timer);
  };
  const onFocus = (e: Event) => {
    const hit = source.find(path(e));
    if (hit) {
      if (timer !== undefined) win.clearTimeout(timer);
      showFor(hit);
    } else card.hide();
  };
  const onBlur = () => later(() => card.hide(), 100);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && card.visible) card.hide();
  };
  const onScroll = () => {
    if (!card.visible) return;
    // A focused paragraph keeps its card (the popup's reveal scrolls smoothly after focusing).
    const subject = card.subject;
    if (subject instanceof Element && deepActive(doc) === subject) card.reanchor(anchorOf(subject));
    else card.hide();
  };
  const opts = { capture: true, passive: true } as const;
  doc.addEventListener('mouseover', onOver, opts);
  doc.addEventListener('focusin', onFocus, opts);
  doc.addEventListener('focusout', onBlur, opts);
  doc.addEventListener('keydown', onKey, opts);
  win.addEventListener('scroll', onScroll, opts);
  return () => {
    doc.removeEventListener('mouseover', onOver, opts);
    doc.removeEventListener('focusin', onFocus, opts);
    doc.removeEventListener('focusout', onBlur, opts);
    doc.removeEventListener('keydown', onKey, opts);
    win.removeEventListener('scroll', onScroll, opts);
  };
}
