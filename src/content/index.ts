/**
 * Content script entry: only wiring. Initialises once per document (it can be injected again by
 * `scripting.executeScript` after a registered content script already ran), registers the message
 * handlers, and starts scanning when this site is scanned automatically (otherwise on `bg:cs:scan`).
 *
 * Only this extension's background and popup may drive it (runtime messaging, never from a tab);
 * it never listens to window.postMessage.
 */
import browser from 'webextension-polyfill';
import type { Verdict } from '../core/types.ts';
import type { PageReport, Settings } from '../protocol/messages.ts';
import { handle, isExtensionPage, request } from '../protocol/client.ts';
import { autoScanFor, loadSettings } from '../shared/settings.ts';
import { FloatingCard, anchorOf, pageClipboard, attachHoverCard, selectionAnchor, selectionElement } from './card.ts';
import { focusTransiently, pickMark } from './focus.ts';
import { Marks, levelOf } from './marks.ts';
import { Scanner, type Rec } from './scanner.ts';
import { isOwn } from './styles.ts';
import { t } from '../shared/i18n.ts';

const GUARD = Symbol.for('telltale.content.v1');

const signatureOf = (s: Settings) => `${s.sensitivity}|${s.detector}|${s.zeroShot ?? ''}`;

/** Paragraphs with a visible mark (the hover card and the mark commands are for these). */
function isMarked(rec: Rec): boolean {
  const level = levelOf(rec.verdict);
  return !!rec.verdict && (level === 'generated' || level === 'unclear');
}

function init(doc: Document): void {
  const marks = new Marks(doc);
  const scanner = new Scanner({
    doc,
    marks,
    isOwn,
    score: (texts) => request('cs:bg:score', { texts }),
    deepScore: (texts) => request('cs:bg:deep', { texts }),
    report: (flagged, total) => request('cs:bg:report', { flagged, total, since }),
  });
  // Each frame reports for itself; its document's time origin tells the background which document
  // a report is from (a reload or a frame's navigation replaces the old counts).
  const since = Math.round(doc.defaultView?.performance?.timeOrigin ?? Date.now());
  const win = doc.defaultView;
  // A document that goes (frame removed, navigation) takes its flags off the badge; one restored from
  // the back/forward cache puts them back.
  win?.addEventListener('pagehide', () => {
    if (scanner.counts().total > 0) void request('cs:bg:report', { flagged: 0, total: 0, since }).catch(() => undefined);
  });
  win?.addEventListener('pageshow', (e) => {
    if (!(e as PageTransitionEvent).persisted) return;
    const { flagged, total } = scanner.counts();
    void request('cs:bg:report', { flagged, total, since }).catch(() => undefined);
  });
  let selection: PageReport['selection'];

  const hoverCard = new FloatingCard(doc, { interactive: false, role: 'tooltip' });
  attachHoverCard(doc, hoverCard, {
    find(path) {
      for (const t of path) {
        if (!(t instanceof Element)) continue;
        const rec = scanner.recOf(t);
        if (!rec) continue;
        return isMarked(rec) ? { el: rec.el, verdict: rec.verdict!, zeroShot: scanner.zeroShotOf(rec) } : null;
      }
      return null;
    },
  });

  const selectionCard = new FloatingCard(doc, { interactive: true, role: 'status', copy: pageClipboard(doc), takeFocus: true });
  const closeSelection = (e: Event) => {
    if (!selectionCard.visible) return;
    if (e.type === 'keydown' && (e as KeyboardEvent).key !== 'Escape') return;
    if (e.type === 'mousedown' && selectionCard.contains(e.composedPath())) return;
    selectionCard.hide();
  };
  doc.addEventListener('keydown', closeSelection, { capture: true, passive: true });
  doc.addEventListener('mousedown', closeSelection, { capture: true, passive: true });

  const showSelection = (text: string, verdict: Verdict, zeroShot?: Verdict) => {
    selection = { text, verdict, ...(zeroShot ? { zeroShot } : {}) };
    selectionCard.show(selectionAnchor(doc), verdict, { title: t('cardSelectionTitle'), text, near: selectionElement(doc), zeroShot });
  };

  const reveal = (key: string): boolean => {
    const rec = scanner.byKeyOf(key);
    if (!rec) return false;
    const el = rec.el as HTMLElement;
    const win = doc.defaultView;
    const reduce = !!win?.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
    // Smooth scrolling needs animation frames, which a hidden tab (the popup opened in a tab) lacks.
    const smooth = !reduce && doc.visibilityState === 'visible';
    el.scrollIntoView?.({ behavior: smooth ? 'smooth' : 'auto', block: 'center', inline: 'nearest' });
    if (smooth) {
      // If the smooth scroll was cut short (page scripts, a tab switch), finish it at once.
      win?.setTimeout(() => {
        const r = el.getBoundingClientRect();
        if (r.bottom < 0 || r.top > (win.innerHeight || 0)) el.scrollIntoView?.({ behavior: 'auto', block: 'center', inline: 'nearest' });
      }, 1200);
    }
    marks.flash(el);
    // Focusable for this visit only; the tabindex goes when focus leaves.
    focusTransiently(el, { preventScroll: true });
    if (rec.verdict) {
      hoverCard.show(anchorOf(el), rec.verdict, { near: el, zeroShot: scanner.zeroShotOf(rec) });
      hoverCard.subject = el;
    }
    return true;
  };

  /** The mark commands: whether focus is in this frame's document (not in a frame inside it). */
  const focusIsHere = (): boolean => {
    const a = doc.activeElement;
    if (a && /^(iframe|frame)$/i.test(a.localName)) return false;
    return doc.defaultView?.top === doc.defaultView || doc.hasFocus();
  };
  const moveToMark = (direction: 'next' | 'prev'): boolean => {
    if (!focusIsHere()) return false;
    let active = doc.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    const target = pickMark(scanner.marked(isMarked).map((r) => r.el), active, direction) as HTMLElement | null;
    if (!target) return false;
    focusTransiently(target);
    const rec = scanner.recOf(target);
    if (rec?.verdict) {
      hoverCard.show(anchorOf(target), rec.verdict, { zeroShot: scanner.zeroShotOf(rec) });
      hoverCard.subject = target;
    }
    return true;
  };

  handle(
    'cs',
    {
      'ui:cs:report': () => scanner.report(doc.location?.href ?? '', selection),
      'ui:cs:changes': ({ since }) => scanner.changes(since, doc.location?.href ?? '', selection),
      'ui:cs:reveal': ({ key }) => ({ ok: reveal(key) }),
      'bg:cs:scan': () => {
        whenReady(doc, () => scanner.start());
        return { ok: true } as const;
      },
      'bg:cs:selection': ({ text, verdict, zeroShot }) => {
        showSelection(text, verdict, zeroShot);
        return { ok: true } as const;
      },
      'ui:cs:deep': ({ action }) =>
        action === 'start'
          ? scanner.startDeep() ? { ok: true } : { ok: false, error: t('deepRunning') }
          : { ok: scanner.cancelDeep() },
      'bg:cs:mark': ({ direction }) => ({ ok: moveToMark(direction) }),
      'bg:cs:settings': ({ settings }) => {
        scanner.refresh(signatureOf(settings));
        return { ok: true } as const;
      },
    },
    // Our background (no tab) or our own pages, also when opened in a tab; never another tab's script.
    (sender) => sender.id === browser.runtime.id && (!sender.tab || isExtensionPage(sender)),
  );

  // Automatic scanning where the user allowed it; elsewhere the background sends `bg:cs:scan`.
  loadSettings()
    .then((s) => {
      scanner.setSignature(signatureOf(s));
      if (autoScanFor(s, doc.location?.hostname ?? '')) whenReady(doc, () => scanner.start());
    })
    .catch(() => undefined);
}

function whenReady(doc: Document, fn: () => void): void {
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', fn, { once: true });
  else fn();
}

const holder = document as unknown as Record<symbol, boolean>;
if (!holder[GUARD]) {
  holder[GUARD] = true;
  try {
    init(document);
  } catch (e) {
    console.warn('Telltale: content script failed to start', e);
  }
}
