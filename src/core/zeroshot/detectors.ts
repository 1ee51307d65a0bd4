/**
 * The two zero-shot detectors on causal language models, as Detectors.
 *
 *   fast-detectgpt  Fast-DetectGPT's analytic sampling discrepancy, one model as both the sampling and the
 *                   scoring model (the authors' local_infer.py default is the same model for both).
 *   binoculars      Binoculars: the performer's log-perplexity over the observer-performer cross-perplexity.
 *                   Observer = the base model, performer = its instruct sibling (detector.py: observer
 *                   falcon-7b, performer falcon-7b-instruct). Both read the observer's tokenisation; the two
 *                   tokenizers must have the same vocabulary (detector.py asserts it), else we refuse.
 *
 * The formulas are in stats.ts, the windowing in windows.ts: per-token terms are summed over all windows
 * of a text and normalised once, so a text within one window (512 tokens) gets exactly the authors' number.
 *
 * Scores: `raw` is the statistic as the authors define it. With a calibration (calibration.ts) `p` is
 * P(machine) and `logit` its log-odds; without one `p` is null, the detector says `calibrated: false`,
 * and `logit` is only the statistic oriented so that larger means machine (the discrepancy itself; minus
 * the Binoculars score).
 */
import { compareVocabularies } from '../tokenizer.ts';
import type { Detector, DetectorInfo, JudgingPolicy, RawScore, StatisticInfo } from '../types.ts';
import { applyCalibration, type ZeroShotCalibration } from './calibration.ts';
import { forEachWindow, type CausalLm } from './causal-lm.ts';
import { binocularsTerms, fastTerms } from './stats.ts';
import { DEFAULT_OVERLAP, makeLmWindows, MAX_WINDOW, type LmWindow } from './windows.ts';

export type ZeroShotMethod = 'fast-detectgpt' | 'binoculars';

export const STATISTICS: Record<ZeroShotMethod, StatisticInfo> = {
  'fast-detectgpt': { name: 'Fast-DetectGPT sampling discrepancy', machine: 'higher' },
  binoculars: { name: 'Binoculars score', machine: 'lower' },
};

export interface FastDetectGptTerms {
  raw: number;
  /** Sums over the predicted tokens: log-likelihood, its expectation and variance under the model. */
  ll: number;
  mu: number;
  var: number;
  /** Tokens predicted (all but the first). */
  n: number;
}

export interface BinocularsTerms {
  raw: number;
  /** Performer's mean cross-entropy of the next token (log-perplexity). */
  ppl: number;
  /** Mean cross-entropy of the performer's distribution under the observer's (cross-perplexity). */
  xPpl: number;
  nPpl: number;
  nX: number;
}

export interface ZeroShotDetector<T = FastDetectGptTerms | BinocularsTerms> extends Detector {
  readonly method: ZeroShotMethod;
  readonly statistic: StatisticInfo;
  readonly calibrated: boolean;
  /** The statistic and its terms for already-tokenised texts (with the tokenizer's special tokens). */
  scoreTokens(tokens: readonly (readonly number[])[]): Promise<T[]>;
}

export interface ZeroShotOptions {
  info: DetectorInfo;
  /** Fewer words: too short to judge (default 40, or the calibration's). */
  minWords?: number;
  calibration: ZeroShotCalibration | null;
  /** Tokens per window, at most 512 (default 512). */
  window?: number;
  /** Tokens of context a window after the first starts with (default 64, see windows.ts). */
  overlap?: number;
}

export const DEFAULT_MIN_WORDS = 40;

function policyOf(o: ZeroShotOptions): JudgingPolicy {
  const c = o.calibration;
  if (c) return { ...c.policy, minWords: c.minWords };
  // Without a calibration there is no P(machine), so no level and no flag (judge.ts, levels.ts): these cuts are never compared with.
  const never = { low: 1, balanced: 1, high: 1 };
  return { minWords: o.minWords ?? DEFAULT_MIN_WORDS, thresholds: never, unclear: never };
}

function toScore(raw: number, c: ZeroShotCalibration | null, machine: 'higher' | 'lower'): RawScore {
  if (!c) return { p: null, logit: machine === 'higher' ? raw : -raw, raw };
  const z = c.a * raw + c.b;
  return { p: applyCalibration(c, raw), logit: z, raw };
}

function windowsOf(tokens: readonly (readonly number[])[], o: ZeroShotOptions): LmWindow[] {
  const size = Math.min(o.window ?? MAX_WINDOW, MAX_WINDOW);
  return tokens.flatMap((t, i) => makeLmWindows(i, t, size, o.overlap ?? DEFAULT_OVERLAP));
}

export function createFastDetectGpt(lm: CausalLm, o: ZeroShotOptions): ZeroShotDetector<FastDetectGptTerms> {
  const statistic = STATISTICS['fast-detectgpt'];
  async function scoreTokens(tokens: readonly (readonly number[])[]): Promise<FastDetectGptTerms[]> {
    const acc = tokens.map(() => ({ ll: 0, mu: 0, var: 0, n: 0 }));
    const windows = windowsOf(tokens, o);
    let buf = new Float64Array(0);
    let row = new Float32Array(0);
    await forEachWindow([lm], windows, (wi, r, [logits]) => {
      const w = windows[wi]!;
      const a = acc[w.text]!;
      if (row.length !== logits!.vocab) {
        row = new Float32Array(logits!.vocab);
        buf = new Float64Array(logits!.vocab);
      }
      for (let t = w.rowFrom; t < Math.min(w.rowTo, w.ids.length - 1); t++) {
        const x = fastTerms(logits!.row(r, t, row), w.ids[t + 1]!, buf);
        a.ll += x.ll;
        a.mu += x.mu;
        a.var += x.var;
        a.n++;
      }
    });
    return acc.map((a) => ({ ...a, raw: a.n > 0 && a.var > 0 ? (a.ll - a.mu) / Math.sqrt(a.var) : NaN }));
  }
  return {
    info: o.info,
    policy: policyOf(o),
    method: 'fast-detectgpt',
    // A language model's probabilities: the text as written (only invisibles and look-alikes repaired).
    input: 'as-written',
    statistic,
    calibrated: o.calibration !== null,
    scoreTokens,
    async scoreBatch(texts) {
      const terms = await scoreTokens(texts.map((t) => lm.tokenizer.encode(t)));
      return terms.map((t) => toScore(t.raw, o.calibration, statistic.machine));
    },
    dispose: lm.dispose ? () => lm.dispose!() : undefined,
  };
}

export class TokenizerMismatchError extends Error {
  override name = 'TokenizerMismatchError';
}

export function createBinoculars(observer: CausalLm, performer: CausalLm, o: ZeroShotOptions): ZeroShotDetector<BinocularsTerms> {
  const statistic = STATISTICS.binoculars;
  if (observer.vocabulary && performer.vocabulary) {
    const cmp = compareVocabularies(observer.vocabulary, performer.vocabulary);
    if (!cmp.same) {
      throw new TokenizerMismatchError(`Binoculars needs one tokenizer for both models, but ${observer.id} and ${performer.id} have different vocabularies (${cmp.differences.join('; ')})`);
    }
  }
  if (observer.shape.vocab !== performer.shape.vocab) {
    throw new TokenizerMismatchError(`Binoculars needs logits over one vocabulary, but ${observer.id} has ${observer.shape.vocab} and ${performer.id} ${performer.shape.vocab}`);
  }
  // detector.py: the observer's tokenizer, pad token = its pad else eos token; entropy() masks positions
  // whose input id is the pad id.
  const tokenizer = observer.tokenizer;
  const padId = tokenizer.padTokenId;
  async function scoreTokens(tokens: readonly (readonly number[])[]): Promise<BinocularsTerms[]> {
    const acc = tokens.map(() => ({ ce: 0, nPpl: 0, x: 0, nX: 0 }));
    const windows = windowsOf(tokens, o);
    let rowO = new Float32Array(0);
    let rowP = new Float32Array(0);
    let buf = new Float64Array(0);
    await forEachWindow([observer, performer], windows, (wi, r, [lo, lp]) => {
      const w = windows[wi]!;
      const a = acc[w.text]!;
      if (rowO.length !== lo!.vocab) {
        rowO = new Float32Array(lo!.vocab);
        buf = new Float64Array(lo!.vocab);
      }
      if (rowP.length !== lp!.vocab) rowP = new Float32Array(lp!.vocab);
      for (let t = w.rowFrom; t < w.rowTo; t++) {
        const hasLabel = t < w.ids.length - 1;
        const counted = w.ids[t] !== padId;
        if (!hasLabel && !counted) continue;
        const x = binocularsTerms(lo!.row(r, t, rowO), lp!.row(r, t, rowP), hasLabel ? w.ids[t + 1] : undefined, buf);
        if (x.ce !== undefined) {
          a.ce += x.ce;
          a.nPpl++;
        }
        if (counted) {
          a.x += x.x;
          a.nX++;
        }
      }
    });
    return acc.map((a) => {
      const ppl = a.ce / a.nPpl;
      const xPpl = a.x / a.nX;
      return { raw: a.nPpl > 0 && a.nX > 0 ? ppl / xPpl : NaN, ppl, xPpl, nPpl: a.nPpl, nX: a.nX };
    });
  }
  return {
    info: o.info,
    policy: policyOf(o),
    method: 'binoculars',
    input: 'as-written',
    statistic,
    calibrated: o.calibration !== null,
    scoreTokens,
    async scoreBatch(texts) {
      const terms = await scoreTokens(texts.map((t) => tokenizer.encode(t)));
      return terms.map((t) => toScore(t.raw, o.calibration, statistic.machine));
    },
    async dispose() {
      await Promise.all([observer.dispose?.(), performer.dispose?.()]);
    },
  };
}

/**
 * The provisional reading of an uncalibrated statistic, in words, for the CLI and the extension.
 * What follows from the statistic's definition, and what does not.
 */
export function provisionalReading(method: ZeroShotMethod, raw: number): string {
  const v = Number.isFinite(raw) ? raw.toFixed(2) : 'none';
  if (method === 'fast-detectgpt') {
    return `Fast-DetectGPT discrepancy ${v}. For text that this model itself samples (temperature 1), the discrepancy is about normally distributed with mean 0 and spread 1: above 2 for about 2 in 100 such texts, above 3 for about 1 in 1,000. Text from other models, sampled at low temperature or with top-p, tends to score higher; human text tends to score lower, often below 0, but not always. It is not a probability, and where to draw a line depends on the model and the kind of text: until it is calibrated, Telltale flags nothing with it.`;
  }
  return `Binoculars score ${v}; lower means more machine-like. The authors' thresholds (0.90 for accuracy, 0.85 for few false positives) were chosen for Falcon-7B and Falcon-7B-instruct and do not carry over to other models. It is not a probability: until it is calibrated for this pair of models, Telltale flags nothing with it.`;
}
