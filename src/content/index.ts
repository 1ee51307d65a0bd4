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
import { FloatingCard, anchorOf, attachHoverCard, selectionAnchor, selectionElement } from './card.ts';
import { Marks, levelOf } from './marks.ts';
import { Scanner } from './scanner.ts';
import { isOwn } from './styles.ts';

const GUARD = Symbol.for('telltale.content.v1');

const signatureOf = (s: Settings) => `${s.sensitivity}|${s.detector}`;

function init(doc: Document): void {
  const marks = new Marks(doc);
  const scanner = new Scanner({
    doc,
    marks,
    isOwn,
    score: (texts) => request('cs:bg:score', { texts }),
    report: (flagged, total) => request('cs:bg:report', { flagged, total }),
  });
  let selection: PageReport['selection'];

  const hoverCard = new FloatingCard(doc, { interactive: false, role: 'tooltip' });
  attachHoverCard(doc, hoverCard, {
    find(path) {
      for (const t of path) {
        if (!(t instanceof Element)) continue;
        const rec = scanner.recOf(t);
        if (!rec) continue;
        const level = levelOf(rec.verdict);
        return rec.verdict && (level === 'generated' || level === 'unclear') ? { el: rec.el, verdict: rec.verdict } : null;
      }
      return null;
    },
  });

  const selectionCard = new FloatingCard(doc, { interactive: true, role: 'status' });
  const closeSelection = (e: Event) => {
    if (!selectionCard.visible) return;
    if (e.type === 'keydown' && (e as KeyboardEvent).key !== 'Escape') return;
    if (e.type === 'mousedown' && selectionCard.contains(e.composedPath())) return;
    selectionCard.hide();
  };
  doc.addEventListener('keydown', closeSelection, { capture: true, passive: true });
  doc.addEventListener('mousedown', closeSelection, { capture: true, passive: true });

  const showSelection = (text: string, verdict: Verdict) => {
    selection = { text, verdict };
    selectionCard.show(selectionAnchor(doc), verdict, { title: 'Telltale: selected text', text, near: selectionElement(doc) });
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
    if (!el.hasAttribute('tabindex')) {
      // Focusable for this visit only; the attribute goes when focus leaves.
      el.setAttribute('tabindex', '-1');
      el.addEventListener('blur', () => el.getAttribute('tabindex') === '-1' && el.removeAttribute('tabindex'), { once: true });
    }
    el.focus?.({ preventScroll: true });
    if (rec.verdict) {
      hoverCard.show(anchorOf(el), rec.verdict, { near: el });
      hoverCard.subject = el;
    }
    return true;
  };

  handle(
    'cs',
    {
      'ui:cs:report': () => scanner.report(doc.location?.href ?? '', selection),
      'ui:cs:reveal': ({ key }) => ({ ok: reveal(key) }),
      'bg:cs:scan': () => {
        whenReady(doc, () => scanner.start());
        return { ok: true } as const;
      },
      'bg:cs:selection': ({ text, verdict }) => {
        showSelection(text, verdict);
        return { ok: true } as const;
      },
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
