/**
 * A zero-shot detector's verdict in words, beside the page detector's (popup rows, hover card,
 * selection card). Every user-visible string about zero-shot results is here, from the message
 * catalogue. Uncalibrated (no fitted calibration yet): the raw statistic with
 * its provisional reading, never a level or a flag. Pure (no DOM, no extension API).
 */
import type { Verdict } from '../core/types.ts';
import { messageGroup, t, tn } from './i18n.ts';
import { levelWords, shareShort } from './verdict-words.ts';

export type ZeroShotMethodName = 'Fast-DetectGPT' | 'Binoculars';

/** The method a zero-shot detector id stands for (`binoculars-qwen2.5-0.5b` is Binoculars). */
export function zeroShotMethod(id: string): ZeroShotMethodName {
  return id.startsWith('binoculars') ? 'Binoculars' : 'Fast-DetectGPT';
}

export const ZEROSHOT_WORDS = messageGroup(
  { deepButton: 'zsDeepButton', deepCancel: 'zsDeepCancel', select: 'zsSelect', selectNone: 'zsSelectNone', selectHint: 'zsSelectHint' },
  {
    /**
     * What an uncalibrated statistic means. Fast-DetectGPT's analytic discrepancy is normalised so that
     * for text sampled from the scoring model itself it is about N(0, 1); that is all that is known here.
     */
    provisional: {
      'Fast-DetectGPT': (x: string) => t('zsProvisionalFdg', x),
      Binoculars: (x: string) => t('zsProvisionalBino', x),
    },
    tooShort: (m: ZeroShotMethodName) => t('zsTooShort', m),
    notJudged: (m: ZeroShotMethodName) => t('zsNotJudged', m),
    failed: (m: ZeroShotMethodName) => t('zsFailed', m),
    calibrated: (m: ZeroShotMethodName, level: string, share?: string) => (share ? t('zsCalibratedShare', m, level, share) : t('zsCalibrated', m, level)),
    deepProgress: (done: number, total: number) => t('zsDeepProgress', done, total),
    deepDone: (m: ZeroShotMethodName, n: number) => tn('zsDeepDone', n, m),
    deepCancelled: (done: number, total: number) => t('zsDeepCancelled', done, total),
    deepHint: (m: ZeroShotMethodName, wasm: boolean) => (wasm ? t('zsDeepHintWasm', m) : t('zsDeepHintGpu', m)),
  },
);

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
