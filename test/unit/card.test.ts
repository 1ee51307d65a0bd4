/**
 * The hover/selection card and the marks' words: content built with textContent only (page text can
 * never become markup), evidence and evasion notes, the closed shadow root, keyboard behaviour.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHTML } from 'linkedom';
import type { JudgingPolicy, Verdict } from '../../src/core/types.ts';
import { atSensitivity, levelAt } from '../../src/core/levels.ts';
import { shareSentence, shareShort, verdictHeadline } from '../../src/shared/verdict-words.ts';
import { COPY_WORDS, FloatingCard, HOST_TAG, attachHoverCard, buildCardContent, buildCopyControls, resultText } from '../../src/content/card.ts';
import { Marks, levelOf } from '../../src/content/marks.ts';
import { isOwn } from '../../src/content/styles.ts';

const dom = () => parseHTML('<!doctype html><html><head></head><body><p id="a">Some paragraph text of the page.</p></body></html>');

/** Levels cut as a detector's policy would: flagged from 0.9, unclear from 0.75; a reference curve of human scores. */
const POLICY: JudgingPolicy = {
  minWords: 3,
  thresholds: { low: 0.95, balanced: 0.9, high: 0.8 },
  unclear: { low: 0.9, balanced: 0.75, high: 0.6 },
  humanShare: [[0.1, 0.9], [0.5, 0.3], [0.75, 0.05], [0.9, 0.004], [0.95, 0.001]],
};
const scored = (p: number, extra: Partial<Verdict> = {}): Verdict =>
  atSensitivity({ state: 'scored', p_machine: p, flagged: false, detector: 'embedded', ...extra }, POLICY, 'balanced');

test('levels come from the policy\'s cuts at the sensitivity, and the words never contradict the number', () => {
  assert.equal(levelOf(scored(0.93)), 'generated');
  assert.equal(levelOf(scored(0.8)), 'unclear');
  assert.equal(levelOf(scored(0.74)), 'human');
  assert.equal(levelOf({ state: 'too-short', p_machine: 0.9, flagged: false, detector: 'x' }), 'none');
  assert.equal(levelAt(POLICY, 0.8, 'low'), 'human');
  assert.equal(levelAt(POLICY, 0.8, 'high'), 'generated');
  assert.equal(verdictHeadline(scored(0.93)), 'Likely machine-generated');
  assert.equal(verdictHeadline({ state: 'too-short', p_machine: 0.4, flagged: false, detector: 'x' }), 'Too short to judge');
  assert.equal(verdictHeadline({ state: 'unsupported', p_machine: null, flagged: false, detector: 'x', reason: 'Not English: the detectors read English only.' }), 'Not English: not judged');
  // The number beside a level is how often human-written text scores as high: it falls as the level rises.
  assert.equal(shareSentence(scored(0.5).humanShare!), 'About 1 in 3 human-written texts score this high in our tests.');
  assert.equal(shareSentence(scored(0.93).humanShare!), 'About 1 in 510 human-written texts score this high in our tests.');
  assert.equal(shareSentence(scored(0.99).humanShare!), 'Fewer than 1 in 1,000 human-written texts score this high in our tests.');
  assert.equal(shareShort(scored(0.05).humanShare!), '9 in 10');
  // Over the whole range: a higher level never shows a larger share of human texts than a lower level does.
  let lastShare = 1;
  let lastRank = 0;
  const rank = { human: 0, unclear: 1, generated: 2 };
  for (let p = 0.01; p < 1; p += 0.01) {
    const v = scored(p);
    assert.ok(v.humanShare!.share <= lastShare + 1e-12 && rank[v.level!] >= lastRank, `monotone at ${p}`);
    lastShare = v.humanShare!.share;
    lastRank = rank[v.level!];
  }
});

test('card content: level first, the human share, model, evidence, evasion note; hostile text stays text', () => {
  const { document } = dom();
  const doc = document as unknown as Document;
  const embedded = { ...POLICY };
  const roberta = { ...POLICY, thresholds: { low: 0.99, balanced: 0.98, high: 0.9 } };
  const v = atSensitivity({
    state: 'scored', p_machine: 0.93, flagged: false, detector: 'combined',
    evidence: [
      { text: 'Overall, it is important to note.', start: 0, end: 10, weight: 1.2 },
      { text: '<img src=x onerror="alert(1)">', start: 10, end: 20, weight: 2.5 },
      { text: 'a sentence that pushed towards human', start: 20, end: 30, weight: -1 },
      { text: 'third', start: 0, end: 1, weight: 0.3 },
      { text: 'fourth, dropped', start: 0, end: 1, weight: 0.1 },
    ],
    normalisation: { homoglyphs: 3, invisibles: 0, other: 0 },
    parts: { embedded: { p_machine: 0.95 }, 'roberta-base': { p_machine: 0.77 } },
  }, { ...POLICY, parts: { embedded, 'roberta-base': roberta } }, 'balanced');
  const card = buildCardContent(doc, v);
  const text = card.textContent ?? '';
  assert.match(text, /^Likely machine-generatedAbout 1 in 510 human-written texts score this high in our tests\.Flagged at your sensitivity\./);
  assert.doesNotMatch(text, /93%|0\.93/, 'P(machine) is not shown beside the level');
  assert.match(text, /look-alike characters — a common evasion trick/);
  assert.match(text, /Model: Combined \(Built-in: likely generated · RoBERTa-base: unclear\)/, "one verdict, and each detector's own level");
  assert.equal(card.querySelectorAll('img').length, 0, 'page-derived text never becomes markup');
  const items = Array.from(card.querySelectorAll('li')).map((li) => li.textContent);
  assert.deepEqual(items, ['<img src=x onerror="alert(1)">', 'Overall, it is important to note.', 'third']);
  assert.ok(!text.includes('pushed towards human'));

  const short = buildCardContent(doc, { state: 'too-short', p_machine: 0.81, flagged: false, detector: 'embedded', reason: 'Fewer than 12 words.' });
  assert.ok(!(short.textContent ?? '').includes('81%'), 'the too-short estimate is never shown as a verdict');
  assert.match(short.textContent ?? '', /Too short to judge.*Fewer than 12 words\./);
  const foreign = buildCardContent(doc, { state: 'unsupported', p_machine: null, flagged: false, detector: 'embedded', reason: 'Not English: the detectors read English only.', normalisation: { homoglyphs: 0, invisibles: 4, other: 0 } });
  assert.match(foreign.textContent ?? '', /Not English: not judged.*invisible characters/);
});

test('floating card: closed shadow root on our own host, shown and hidden', () => {
  const { document } = dom();
  const doc = document as unknown as Document;
  const card = new FloatingCard(doc, { interactive: true, role: 'status' });
  card.show({ left: 10, top: 10, right: 100, bottom: 30 }, scored(0.93), { title: 'Telltale: selected text', text: 'the selection' });
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
  const v = scored(0.93);
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
  marks.apply(p, 't1', 'scored', scored(0.1));
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
  for (const id of ['a', 'b']) marks.apply(doc.getElementById(id)!, id, 'scored', scored(0.9));
  assert.equal(doc.getElementById('a')!.getAttribute('aria-description'), 'The page says this');
  assert.match(doc.getElementById('b')!.getAttribute('aria-description') ?? '', /^Telltale: /);
  for (const id of ['a', 'b']) marks.apply(doc.getElementById(id)!, id, 'too-short', { state: 'too-short', p_machine: 0.2, flagged: false, detector: 'x' });
  assert.equal(doc.getElementById('a')!.getAttribute('aria-description'), 'The page says this', 'not removed either');
  assert.equal(doc.getElementById('b')!.hasAttribute('aria-description'), false);
});

test('selection card: "Copy result" writes the result in words; a refusal is said and the text left selected to copy by hand', async () => {
  const { document, window } = dom();
  const doc = document as unknown as Document;
  const v = scored(0.93, { evidence: [{ text: 'x', start: 0, end: 1, weight: 1 }] });
  const text = resultText(v, '  the   selected\ntext ');
  assert.equal(
    text,
    ['Telltale: Likely machine-generated', 'About 1 in 510 human-written texts score this high in our tests.', 'Model: Built-in', 'Text: “the selected text”'].join('\n'),
  );
  assert.doesNotMatch(text, /\d+%|0\.93/, 'no bare P(machine)');
  const Ev = (window as unknown as { Event: typeof Event }).Event;
  const written: string[] = [];
  const ok = buildCopyControls(doc, text, async (t) => void written.push(t));
  doc.body.append(ok);
  ok.querySelector('button')!.dispatchEvent(new Ev('click'));
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(written, [text]);
  assert.equal(ok.querySelector('.copy-note')!.textContent, COPY_WORDS.copied);
  assert.equal(ok.querySelector('textarea'), null);

  const refused = buildCopyControls(doc, text, () => Promise.reject(new DOMException('Document is not focused.', 'NotAllowedError')));
  doc.body.append(refused);
  refused.querySelector('button')!.dispatchEvent(new Ev('click'));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(refused.querySelector('.copy-note')!.textContent, COPY_WORDS.refused);
  const area = refused.querySelector('textarea') as HTMLTextAreaElement;
  assert.ok(area, 'the text to copy by hand');
  assert.equal(area.value, text);
  assert.equal(area.readOnly, true);
  // A throwing clipboard is a refusal too.
  const thrown = buildCopyControls(doc, text, () => {
    throw new Error('no clipboard');
  });
  thrown.querySelector('button')!.dispatchEvent(new Ev('click'));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(thrown.querySelector('.copy-note')!.textContent, COPY_WORDS.refused);
});
