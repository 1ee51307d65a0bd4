/**
 * One calibrated score from two detectors (the embedded detector and a Hub RoBERTa), keeping each
 * one's own: `parts` on every score (copy it to Verdict.parts), evidence from whichever detector gives it.
 *
 *   z = wA * logit(pA) + wB * logit(pB) + bias,   P(machine) = sigmoid(z)
 *
 * on the two detectors' own calibrated probabilities (clamped to [1e-4, 1 - 1e-4]); weights fitted
 * by scripts/calibrate-combined.ts on texts neither detector was tuned on. Policy: the embedded
 * detector's minWords and the combination's own thresholds.
 */
import { textFor } from '../normalise.ts';
import type { CalibratedDetector, CalibratedScore, Detector, JudgingPolicy } from '../types.ts';

export interface Combination {
  wA: number;
  wB: number;
  bias: number;
}

const clamp = (p: number) => Math.min(1 - 1e-4, Math.max(1e-4, p));
const logit = (p: number) => Math.log(clamp(p) / (1 - clamp(p)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function combineScores(pA: number, pB: number, c: Combination): { p: number; logit: number } {
  const z = c.wA * logit(pA) + c.wB * logit(pB) + c.bias;
  return { p: sigmoid(z), logit: z };
}

/**
 * Throws for a detector without a calibration (`calibrated: false`): its statistic is not a probability,
 * so it has no place in a weighted sum of log-odds fitted on probabilities.
 */
export function createCombinedDetector(a: Detector, b: Detector, c: Combination, policy: JudgingPolicy, id = 'combined'): CalibratedDetector {
  for (const d of [a, b]) {
    if (d.calibrated === false) throw new Error(`${d.info.name} has no calibration, so it cannot be part of a combined score`);
  }
  return {
    info: { id, name: `${a.info.name} + ${b.info.name}`, version: `${a.info.version}+${b.info.version}`, languages: a.info.languages.filter((l) => b.info.languages.includes(l)) },
    policy: { ...policy, parts: { [a.info.id]: a.policy, [b.info.id]: b.policy } },
    // Each part reads the form of text it declares: the combination gets the least-touched one.
    input: 'as-written',
    async scoreBatch(texts: readonly string[]): Promise<(CalibratedScore & { parts: Record<string, number> })[]> {
      // One after the other: both share one device (onnxruntime-web's WebGPU backend failed with
      // "operation does not support unaligned accesses" when two sessions ran at once), and on one
      // wasm thread running them together gains nothing.
      const sa = await a.scoreBatch(texts.map((t) => textFor(a.input, t)));
      const sb = await b.scoreBatch(texts.map((t) => textFor(b.input, t)));
      return texts.map((_, i) => {
        const x = sa[i]!;
        const y = sb[i]!;
        if (x.p === null || y.p === null) throw new Error('a part of the combination gave no probability');
        return { ...combineScores(x.p, y.p, c), parts: { [a.info.id]: x.p, [b.info.id]: y.p }, evidence: x.evidence ?? y.evidence };
      });
    },
    async dispose() {
      await Promise.all([a.dispose?.(), b.dispose?.()]);
    },
  };
}
