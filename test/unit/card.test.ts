/**
 * The hover/selection card and the marks' words: content built with textContent only (page text can
 * never become markup), evidence and evasion notes, the closed shadow root, keyboard behaviour.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHTML } from 'linkedom';
import type { Verdict } from '../../src/core/types.ts';
import { FloatingCard, HOST_TAG, attachHoverCard, buildCardContent } from '../../src/content/card.ts';
import { Marks, levelOf, verdictWords } from '../../src/content/marks.ts';
import { isOwn } from '../../src/content/styles.ts';

const dom = () => parseHTML('<!doctype html><html><head></head><body><p id="a">Some paragraph text of the page.</p></body></html>');

const scored = (p: number, flagged: boolean, extra: Partial<Verdict> = {}): Verdict => ({ state: 'scored', p_machine: p, flagged, detector: 'embedded', ...extra });

test('words and levels: flagged is the truth for "generated"; 0.75 separates uncertain from human', () => {
  assert.equal(levelOf(scored(0.55, true)), 'generated');
  assert.equal(levelOf(scored(0.95, false)), 'uncertain');
  assert.equal(levelOf(scored(0.75, false)), 'uncertain');
  assert.equal(levelOf(scored(0.7, false)), 'human');
  assert.equal(levelOf(scored(0.2, false)), 'human');
  assert.equal(levelOf({ state: 'too-short', p_machine: 0.9, flagged: false, detector: 'x' }), 'none');
  assert.equal(verdictWords(scored(0.9, true)), 'Likely machine-generated');
  assert.equal(verdictWords({ state: 'too-short', p_machine: 0.4, flagged: false, detector: 'x' }), 'Too short to judge');
  assert.equal(verdictWords({ state: 'unsupported', p_machine: null, flagged: false, detector: 'x' }), 'Not English — not judged');
});

test('card content: percentage, meaning, model, evidence, evasion note; hostile text stays text', () => {
  const { document } = dom();
  const doc = document as unknown as Document;
  const v = scored(0.734, true, {
    evidence: [
      { text: 'Overall, it is important to note.', start: 0, end: 10, weight: 1.2 },
      { text: '<img src=x onerror="alert(1)">', start: 10, end: 20, weight: 2.5 },
      { text: 'a sentence that pushed towards human', start: 20, end: 30, weight: -1 },
      { text: 'third', start: 0, end: 1, weight: 0.3 },
      { text: 'fourth, dropped', start: 0, end: 1, weight: 0.1 },
    ],
    normalisation: { homoglyphs: 3, invisibles: 0, other: 0 },
    detector: 'combined',
    parts: { embedded: 0.7, 'roberta-base': 0.77 },
  });
  const card = buildCardContent(doc, v);
  const text = card.textContent ?? '';
  assert.match(text, /^73%Likely machine-generated/);
  assert.match(text, /look-alike characters — a common evasion trick/);
  assert.match(text, /Model: Combined \(Built-in 70%, RoBERTa-base 77%\)/, "one score, and each detector's own");
  assert.equal(card.querySelectorAll('img').length, 0, 'page-derived text never becomes markup');
  const items = Array.from(card.querySelectorAll('li')).map((li) => li.textContent);
  assert.deepEqual(items, ['<img src=x onerror="alert(1)">', 'Overall, it is important to note.', 'third']);
  assert.ok(!text.includes('pushed towards human'));

  const short = buildCardContent(doc, { state: 'too-short', p_machine: 0.81, flagged: false, detector: 'embedded', reason: 'Fewer than 12 words.' });
  assert.ok(!(short.textContent ?? '').includes('81%'), 'the too-short estimate is never shown as a verdict');
  assert.match(short.textContent ?? '', /Too short to judge.*Fewer than 12 words\./);
  const foreign = buildCardContent(doc, { state: 'unsupported', p_machine: null, flagged: false, detector: 'embedded', normalisation: { homoglyphs: 0, invisibles: 4, other: 0 } });
  assert.match(foreign.textContent ?? '', /Not English — not judged.*invisible characters/);
});

test('floating card: closed shadow root on our own host, shown and hidden', () => {
  const { document } = dom();
  const doc = document as unknown as Document;
  const card = new FloatingCard(doc, { interactive: true, role: 'status' });
  card.show({ left: 10, top: 10, right: 100, bottom: 30 }, scored(0.9, true), { title: 'Telltale: selected text', text: 'the selection' });
  const host = doc.querySelector(HOST_TAG) as HTMLElement;
  assert.ok(host, 'host element in the page');
  assert.ok(isOwn(host), 'the scanner knows the host is ours');
  assert.equal(host.shadowRoot, null, 'closed shadow root: the page cannot reach inside');
  assert.equal(card.visible, true);
  assert.match(host.getAttribute('style') ?? '', /position: ?fixed/);
  card.hide();
  assert.equal(card.visible, false);
  assert.match(host.getAttribute('style') ?? '', /display: ?none/);
});

test('hover card: focus on a marked paragraph shows it, Escape hides it', () => {
  const { document, window } = dom();
  const doc = document as unknown as Document;
  const p = doc.getElementById('a')!;
  Object.assign(p, { getBoundingClientRect: () => ({ left: 0, top: 0, right: 100, bottom: 20, width: 100, height: 20 }) });
  const marks = new Marks(doc);
  const v = scored(0.9, true);
  marks.apply(p, 't1', 'scored', v);
  assert.equal(p.hasAttribute('tabindex'), false, 'a mark adds no tab stop');
  const card = new FloatingCard(doc, { interactive: false, role: 'tooltip' });
  const detach = attachHoverCard(doc, card, { find: (path) => (path.includes(p) ? { el: p, verdict: v } : null) });
  const Ev = (window as unknown as { Event: typeof Event }).Event;
  p.dispatchEvent(new Ev('focusin', { bubbles: true }));
  assert.equal(card.visible, true);
  const esc = new Ev('keydown', { bubbles: true }) as KeyboardEvent;
  Object.defineProperty(esc, 'key', { value: 'Escape' });
  p.dispatchEvent(esc);
  assert.equal(card.visible, false);
  detach();
  marks.apply(p, 't1', 'scored', scored(0.1, false));
  assert.equal(p.hasAttribute('tabindex'), false);
});

test('styles: a <style> fallback where constructable sheets are missing, added once and marked ours', async () => {
  const { ensureStyles, pageCss } = await import('../../src/content/styles.ts');
  const { document } = dom();
  const doc = document as unknown as Document;
  ensureStyles(doc, pageCss(false));
  ensureStyles(doc, pageCss(false));
  const styles = doc.querySelectorAll('style[data-telltale]');
  assert.equal(styles.length, 1);
  assert.ok(isOwn(styles[0]!));
  assert.match(styles[0]!.textContent ?? '', /\[data-telltale-level="generated"\][^}]*underline wavy/);
  assert.match(styles[0]!.textContent ?? '', /prefers-reduced-motion: reduce/);
  assert.match(pageCss(true), /::highlight\(telltale-generated\)/);
  assert.doesNotMatch(pageCss(true), /\[data-telltale-level="generated"\] \{/, 'no element marks when highlights draw them');
});

test("marks: a page's own aria-description is left as it is (ours goes only where there is none)", () => {
  const { document } = parseHTML('<!doctype html><html><body><p id="a" aria-description="The page says this">Text.</p><p id="b">Text.</p></body></html>');
  const doc = document as unknown as Document;
  const marks = new Marks(doc);
  for (const id of ['a', 'b']) marks.apply(doc.getElementById(id)!, id, 'scored', scored(0.9, true));
  assert.equal(doc.getElementById('a')!.getAttribute('aria-description'), 'The page says this');
  assert.match(doc.getElementById('b')!.getAttribute('aria-description') ?? '', /^Telltale: /);
  for (const id of ['a', 'b']) marks.apply(doc.getElementById(id)!, id, 'too-short', { state: 'too-short', p_machine: 0.2, flagged: false, detector: 'x' });
  assert.equal(doc.getElementById('a')!.getAttribute('aria-description'), 'The page says this', 'not removed either');
  assert.equal(doc.getElementById('b')!.hasAttribute('aria-description'), false);
});
