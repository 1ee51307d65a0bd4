/**
 * A zero-shot detector's verdict in words, beside the page detector's (popup rows, hover card,
 * selection card). Every user-visible string about zero-shot results is here, to move into the
 * message catalogue in one place. Uncalibrated (no fitted calibration yet): the raw statistic with
 * its provisional reading, never a level or a flag. Pure (no DOM, no extension API).
 */
import type { Verdict } from '../core/types.ts';
import { levelWords, shareShort } from './verdict-words.ts';

export type ZeroShotMethodName = 'Fast-DetectGPT' | 'Binoculars';

/** The method a zero-shot detector id stands for (`binoculars-qwen2.5-0.5b` is Binoculars). */
export function zeroShotMethod(id: string): ZeroShotMethodName {
  return id.startsWith('binoculars') ? 'Binoculars' : 'Fast-DetectGPT';
}

export const ZEROSHOT_WORDS = {
  /**
   * What an uncalibrated statistic means. Fast-DetectGPT's analytic discrepancy is normalised so that
   * for text sampled from the scoring model itself it is about N(0, 1); that is all that is known here.
   */
  provisional: {
    'Fast-DetectGPT': (x: string) =>
      `Fast-DetectGPT: discrepancy ${x} — uncalibrated. For text sampled from its own language model this is about N(0, 1), so values above ~3 are unusual for that model’s own samples; that says nothing yet about other generators or about human text.`,
    Binoculars: (x: string) =>
      `Binoculars: score ${x} — uncalibrated. Lower is more machine-like, but no cut has been fitted for these models yet, so the number has no reading of its own.`,
  },
  tooShort: (m: ZeroShotMethodName) => `${m}: too short to judge.`,
  notJudged: (m: ZeroShotMethodName) => `${m}: not judged.`,
  failed: (m: ZeroShotMethodName) => `${m}: could not be checked.`,
  calibrated: (m: ZeroShotMethodName, level: string, share?: string) => `${m}: ${level}${share ? ` (${share} human-written texts score this high)` : ''}.`,
  deepButton: 'Deep check this page',
  deepCancel: 'Cancel',
  deepProgress: (done: number, total: number) => `${done} of ${total}`,
  deepDone: (m: ZeroShotMethodName, n: number) => `${m} checked ${n} paragraph${n === 1 ? '' : 's'}.`,
  deepCancelled: (done: number, total: number) => `Cancelled after ${done} of ${total}.`,
  deepHint: (m: ZeroShotMethodName, wasm: boolean) =>
    wasm
      ? `Runs ${m} on every paragraph, one at a time. Without a usable GPU this takes seconds per paragraph.`
      : `Runs ${m} on every paragraph not checked yet.`,
  select: 'Zero-shot detector (beside the detector above)',
  selectNone: 'None',
  selectHint: 'Shown beside the detector’s own verdict. Uncalibrated: it shows its statistic and flags nothing.',
} as const;

/** Digits that fit the statistic: the discrepancy to 0.1, the Binoculars score (near 1) to 0.01. */
function formatRaw(m: ZeroShotMethodName, x: number): string {
  return m === 'Binoculars' ? x.toFixed(2) : x.toFixed(1);
}

/** One line for a zero-shot verdict. */
export function zeroShotLine(v: Verdict): string {
  const m = zeroShotMethod(v.detector);
  switch (v.state) {
    case 'too-short':
      return ZEROSHOT_WORDS.tooShort(m);
    case 'unsupported':
      return ZEROSHOT_WORDS.notJudged(m);
    case 'error':
      return ZEROSHOT_WORDS.failed(m);
    case 'scored':
      if (v.calibrated === false || !v.level) {
        return typeof v.raw === 'number' && Number.isFinite(v.raw) ? ZEROSHOT_WORDS.provisional[m](formatRaw(m, v.raw)) : ZEROSHOT_WORDS.failed(m);
      }
      return ZEROSHOT_WORDS.calibrated(m, levelWords(v.level).short, v.humanShare ? shareShort(v.humanShare) : undefined);
  }
}
