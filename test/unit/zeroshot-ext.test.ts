/**
 * The zero-shot detector beside the page detector, in the extension's pure parts: the scanner keeps
 * the scan's zero-shot verdicts (WebGPU) apart from the page detector's and never counts them; the
 * deep check goes paragraph by paragraph with progress, and Cancel stops further requests; the words
 * for an uncalibrated statistic; the popup's choices.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHTML } from 'linkedom';
import type { Verdict } from '../../src/core/types.ts';
import { atSensitivity } from '../../src/core/levels.ts';
import { isVerdict, type ModelEntryStatus } from '../../src/protocol/messages.ts';
import { Scanner, type ScannerDeps } from '../../src/content/scanner.ts';
import { Marks } from '../../src/content/marks.ts';
import { buildCardContent } from '../../src/content/card.ts';
import { zeroShotLine } from '../../src/shared/zeroshot-words.ts';
import { detectorChoices, shouldPoll, summarise, zeroShotChoices } from '../../src/popup/model.ts';

const dom = (html: string) => parseHTML(`<!doctype html><html><head></head><body>${html}</body></html>`).document as unknown as Document;
const paras = (n: number) => Array.from({ length: n }, (_, i) => `<p id="p${i}">Paragraph number ${i} has a few words of prose in it.</p>`).join('');
const POLICY = { minWords: 3, thresholds: { low: 0.95, balanced: 0.9, high: 0.8 }, unclear: { low: 0.9, balanced: 0.75, high: 0.6 } };
const main = (): Verdict => atSensitivity({ state: 'scored', p_machine: 0.95, flagged: false, detector: 'embedded' }, POLICY, 'balanced');
/** An uncalibrated zero-shot verdict as the host's judge() gives it: a statistic, no level, no flag. */
const zs = (raw: number, detector = 'fast-detectgpt'): Verdict => ({ state: 'scored', p_machine: null, flagged: false, calibrated: false, raw, detector, reason: 'Not calibrated' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const scanner = (doc: Document, deps: Partial<ScannerDeps> & Pick<ScannerDeps, 'score'>) =>
  new Scanner({ doc, schedule: (fn) => setImmediate(fn), marks: new Marks(doc), ...deps, options: { mutationDelayMs: 5, retryMs: 5, ...deps.options } });

test('the fixture verdicts are what the protocol accepts', () => {
  assert.ok(isVerdict(main()) && main().flagged);
  assert.ok(isVerdict(zs(3.2)));
});

test('scan: zero-shot verdicts from the background sit beside the page detector\'s and count for nothing', async () => {
  const doc = dom(paras(4));
  const s = scanner(doc, { score: async (texts) => ({ verdicts: texts.map(main), zeroShot: texts.map((_, i) => zs(i + 0.5)) }) });
  s.start();
  await s.idle();
  const rep = s.report('https://x.test/');
  assert.deepEqual(rep.items.map((i) => i.zeroShot?.raw), [0.5, 1.5, 2.5, 3.5]);
  assert.ok(rep.items.every((i) => i.verdict?.detector === 'embedded' && i.verdict.level === 'generated'));
  assert.equal(summarise(rep.items).flagged, 4, 'the summary counts the page detector\'s flags only');
  // A zero-shot answer that is not a valid verdict (a level from an uncalibrated detector) is dropped.
  const doc2 = dom(paras(1));
  const bad = { ...zs(9), level: 'generated' as const, flagged: true };
  const s2 = scanner(doc2, { score: async (texts) => ({ verdicts: texts.map(main), zeroShot: texts.map(() => bad) }) });
  s2.start();
  await s2.idle();
  assert.equal(s2.report('').items[0]!.zeroShot, undefined);
  assert.equal(doc2.getElementById('p0')!.getAttribute('data-telltale-level'), 'generated', 'the page detector\'s mark only');
});

test('deep check: one paragraph per request, progress "done of total", Cancel stops further requests', async () => {
  const doc = dom(paras(6));
  const sent: string[][] = [];
  let release: (() => void) | null = null;
  const deepScore = async (texts: string[]) => {
    sent.push(texts);
    await new Promise<void>((r) => (release = r));
    return { verdicts: texts.map(() => zs(sent.length)) };
  };
  const s = scanner(doc, { score: async (texts) => ({ verdicts: texts.map(main) }), deepScore });
  s.start();
  await s.idle();
  assert.equal(s.report('').deep, undefined);
  assert.ok(s.startDeep());
  assert.equal(s.startDeep(), false, 'one at a time');
  for (let i = 0; i < 2; i++) {
    await sleep(5);
    release!();
  }
  await sleep(5);
  let rep = s.report('');
  assert.deepEqual([rep.deep?.done, rep.deep?.total, rep.deep?.running], [2, 6, true]);
  assert.ok(shouldPoll(rep), 'the popup keeps polling while it runs');
  assert.equal(sent.length, 3, 'the third is in flight');
  assert.ok(sent.every((t) => t.length === 1));
  assert.ok(s.cancelDeep());
  release!(); // the one in flight finishes
  await sleep(30);
  rep = s.report('');
  assert.equal(sent.length, 3, 'nothing sent after Cancel');
  assert.equal(s.deepRequests, 3);
  assert.deepEqual([rep.deep?.done, rep.deep?.total, rep.deep?.running, rep.deep?.cancelled], [3, 6, false, true]);
  assert.deepEqual(rep.items.map((i) => i.zeroShot?.raw), [1, 2, 3, undefined, undefined, undefined]);
  // Again: only the paragraphs not checked yet.
  assert.ok(s.startDeep());
  for (let i = 0; i < 3; i++) {
    await sleep(5);
    release!();
  }
  await sleep(10);
  rep = s.report('');
  assert.deepEqual([rep.deep?.done, rep.deep?.total, rep.deep?.running, rep.deep?.cancelled], [3, 3, false, undefined]);
  assert.equal(sent.length, 6);
  assert.ok(rep.items.every((i) => i.zeroShot));
});

test('deep check: the background\'s reason why it cannot run ends it with words', async () => {
  const doc = dom(paras(3));
  let n = 0;
  const s = scanner(doc, { score: async (texts) => ({ verdicts: texts.map(main) }), deepScore: async () => {
    n++;
    return { error: 'Not downloaded.' };
  } });
  s.start();
  await s.idle();
  s.startDeep();
  await sleep(10);
  const rep = s.report('');
  assert.deepEqual([rep.deep?.running, rep.deep?.error, n], [false, 'Not downloaded.', 1]);
});

test('words: the raw statistic and its provisional reading, never a level', () => {
  const f = zeroShotLine(zs(2.4));
  assert.match(f, /^Fast-DetectGPT: discrepancy 2\.4 — uncalibrated\./);
  assert.match(f, /N\(0, 1\)/);
  assert.match(f, /says nothing yet about other generators or about human text/);
  assert.doesNotMatch(f, /likely|%/i);
  const b = zeroShotLine(zs(0.9312, 'binoculars-smollm2-360m'));
  assert.match(b, /^Binoculars: score 0\.93 — uncalibrated\./);
  assert.doesNotMatch(b, /likely|%/i);
  assert.equal(zeroShotLine({ ...zs(1), state: 'too-short' }), 'Fast-DetectGPT: too short to judge.');
  // In the hover card, after the page detector's own model line.
  const doc = dom('');
  const card = buildCardContent(doc, main(), { zeroShot: zs(2.4) });
  assert.match(card.textContent ?? '', /Likely machine-generated.*Fast-DetectGPT: discrepancy 2\.4/s);
  assert.equal(card.className.includes('level-generated'), true, 'the card\'s level is the page detector\'s');
});

test('popup choices: zero-shot detectors are chosen apart, downloaded ones only', () => {
  const models: ModelEntryStatus[] = [
    { id: 'roberta-base', name: 'RoBERTa', bytes: 1, storedBytes: 1, state: 'ready' },
    { id: 'fast-detectgpt', name: 'Fast-DetectGPT on SmolLM2-135M', bytes: 1, storedBytes: 1, state: 'ready', kind: 'zero-shot', calibrated: false },
    { id: 'binoculars', name: 'Binoculars', bytes: 1, storedBytes: 0, state: 'absent', kind: 'zero-shot', calibrated: false },
  ];
  assert.ok(!detectorChoices(models, 'auto').some((c) => c.id === 'fast-detectgpt'), 'never the page detector');
  assert.deepEqual(zeroShotChoices(models, null).map((c) => c.id), ['', 'fast-detectgpt']);
  assert.deepEqual(zeroShotChoices(models, 'binoculars').map((c) => [c.id, !!c.disabled]), [['', false], ['fast-detectgpt', false], ['binoculars', true]]);
});
