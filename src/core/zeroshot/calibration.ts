/**
 * Calibration of a zero-shot statistic, fitted by `npm run calibrate` (scripts/calibrate.ts) on the
 * corpus's dev split with the real model, and stored per detector in models/registry.json. Until a
 * detector has one, it has none: `calibration: null`, `p` is null, nothing is flagged (see judge.ts).
 *
 *   P(machine) = sigmoid(a * raw + b)          (logistic regression on the one statistic)
 *   flag thresholds: the raw values that the dev split's human texts exceed (Fast-DetectGPT) or fall below
 *   (Binoculars) at most 1% / 5% / 10% of the time (sensitivity low / balanced / high), turned into
 *   P(machine) thresholds through the same sigmoid, so that judge() applies them unchanged.
 */
import type { Sensitivity } from '../types.ts';

export interface ZeroShotCalibration {
  /** P(machine) = sigmoid(a * raw + b). a > 0 when larger raw means machine (Fast-DetectGPT), a < 0 when smaller (Binoculars). */
  a: number;
  b: number;
  /** Fewer words: `too-short`. */
  minWords: number;
  /** P(machine) at or above which a text is flagged, per sensitivity. */
  thresholds: Record<Sensitivity, number>;
  /** The same thresholds on the raw statistic. */
  rawThresholds: Record<Sensitivity, number>;
  /** Share of dev human texts each threshold flags (what it was chosen for: at most 1% / 5% / 10%). */
  humanFlagRate: Record<Sensitivity, number>;
  /** Share of dev machine texts each threshold flags. */
  machineFlagRate: Record<Sensitivity, number>;
  /** AUROC of raw on the texts it was fitted on (machine as positive, oriented by the method). */
  auroc: number;
  /** How and on what it was fitted: split, counts, model revisions and variant, date. */
  source: string;
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

export function applyCalibration(c: ZeroShotCalibration, raw: number): number {
  return sigmoid(c.a * raw + c.b);
}

export class CalibrationError extends Error {
  override name = 'CalibrationError';
}

/** AUROC of `score` with machine as positive (ties count one half). */
export function auroc(samples: readonly { raw: number; machine: boolean }[], machine: 'higher' | 'lower' = 'higher'): number {
  const s = samples.map((x) => ({ v: machine === 'higher' ? x.raw : -x.raw, m: x.machine })).sort((a, b) => a.v - b.v);
  let pos = 0;
  let neg = 0;
  let rankSum = 0;
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j < s.length && s[j]!.v === s[i]!.v) j++;
    const mid = (i + j + 1) / 2; // mean rank (1-based) of the tie group
    for (let k = i; k < j; k++) {
      if (s[k]!.m) (rankSum += mid), pos++;
      else neg++;
    }
    i = j;
  }
  return pos && neg ? (rankSum - (pos * (pos + 1)) / 2) / (pos * neg) : NaN;
}

/** One-feature logistic regression by Newton's method, on the standardised feature, with a small L2 penalty (finite on separable data). */
export function fitLogistic(xs: readonly number[], ys: readonly (0 | 1)[], l2 = 1e-3): { a: number; b: number } {
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / n) || 1;
  const z = xs.map((x) => (x - mean) / sd);
  let w = 0;
  let c = 0;
  for (let it = 0; it < 100; it++) {
    let gw = l2 * w;
    let gc = 0;
    let hww = l2;
    let hwc = 0;
    let hcc = 0;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(w * z[i]! + c);
      const r = p - ys[i]!;
      const h = Math.max(p * (1 - p), 1e-12);
      gw += r * z[i]!;
      gc += r;
      hww += h * z[i]! * z[i]!;
      hwc += h * z[i]!;
      hcc += h;
    }
    const det = hww * hcc - hwc * hwc;
    if (!(det > 0)) break;
    const dw = (hcc * gw - hwc * gc) / det;
    const dc = (hww * gc - hwc * gw) / det;
    w -= dw;
    c -= dc;
    if (Math.abs(dw) + Math.abs(dc) < 1e-10) break;
  }
  return { a: w / sd, b: c - (w * mean) / sd };
}

export const FLAG_RATES: Record<Sensitivity, number> = { low: 0.01, balanced: 0.05, high: 0.1 };

export interface FitOptions {
  /** Which way machine-written text moves the statistic, by the method's definition. */
  machine: 'higher' | 'lower';
  minWords: number;
  source: string;
  /** Fewest texts of each class (default 50). */
  minPerClass?: number;
  /** Largest share of human texts each sensitivity may flag (default 1% / 5% / 10%). */
  humanRates?: Record<Sensitivity, number>;
}

/**
 * Fits a calibration on raw statistics of labelled texts. Refuses (CalibrationError) with too few texts,
 * or when the statistic, on these texts, points the other way than the method says (AUROC below 0.5,
 * or a fitted slope of the wrong sign): a calibration would then invert the detector.
 */
export function fitCalibration(samples: readonly { raw: number; machine: boolean }[], o: FitOptions): ZeroShotCalibration {
  const ok = samples.filter((s) => Number.isFinite(s.raw));
  const humans = ok.filter((s) => !s.machine).map((s) => s.raw);
  const machines = ok.filter((s) => s.machine).map((s) => s.raw);
  const min = o.minPerClass ?? 50;
  if (humans.length < min || machines.length < min) {
    throw new CalibrationError(`too few texts to calibrate: ${humans.length} human and ${machines.length} machine (at least ${min} of each)`);
  }
  const area = auroc(ok, o.machine);
  const { a, b } = fitLogistic(ok.map((s) => s.raw), ok.map((s) => (s.machine ? 1 : 0)));
  const sign = o.machine === 'higher' ? 1 : -1;
  if (!(area > 0.5) || !(a * sign > 0)) {
    throw new CalibrationError(`on these texts the statistic does not separate machine from human text in the method's direction (AUROC ${area.toFixed(3)}, slope ${a.toPrecision(3)}); no calibration is written`);
  }
  // Human texts sorted from most to least machine-like: the k-th (0-based) is the first that may not be flagged.
  const h = [...humans].sort((x, y) => sign * (y - x));
  const rates = o.humanRates ?? FLAG_RATES;
  const rawThresholds = {} as Record<Sensitivity, number>;
  const thresholds = {} as Record<Sensitivity, number>;
  const humanFlagRate = {} as Record<Sensitivity, number>;
  const machineFlagRate = {} as Record<Sensitivity, number>;
  const flagged = (r: number, t: number) => (sign > 0 ? r >= t : r <= t);
  for (const s of Object.keys(rates) as Sensitivity[]) {
    const k = Math.floor(rates[s] * h.length);
    // Between the k-th and the (k-1)-th most machine-like human text: exactly k human texts are flagged.
    const t = k === 0 ? h[0]! + sign * (Math.abs(h[0]!) * 1e-9 + 1e-9) : (h[k]! + h[k - 1]!) / 2;
    rawThresholds[s] = t;
    thresholds[s] = sigmoid(a * t + b);
    humanFlagRate[s] = humans.filter((r) => flagged(r, t)).length / humans.length;
    machineFlagRate[s] = machines.filter((r) => flagged(r, t)).length / machines.length;
  }
  return { a, b, minWords: o.minWords, thresholds, rawThresholds, humanFlagRate, machineFlagRate, auroc: area, source: o.source };
}
