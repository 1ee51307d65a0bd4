/**
 * Calibration of a zero-shot statistic, fitted by `npm run calibrate` (scripts/calibrate.ts) on the
 * corpus's dev split with the real model, and stored per detector in models/registry.json. Until a
 * detector has one, it has none: `calibration: null`, `p` is null, nothing is flagged (see judge.ts).
 *
 *   P(machine) = sigmoid(a * raw + b)   (logistic regression on the one statistic, classes weighted
 *                                        equally: a probability under equal prior odds, like every detector's)
 *   policy: the same rule as every detector's (../policy-fit.ts), on the dev human texts by domain:
 *   flag and unclear cuts per sensitivity, and the human reference curve shown beside a level.
 */
import { fitPolicy } from '../policy-fit.ts';
import type { JudgingPolicy, Sensitivity } from '../types.ts';

export interface ZeroShotCalibration {
  /** P(machine) = sigmoid(a * raw + b). a > 0 when larger raw means machine (Fast-DetectGPT), a < 0 when smaller (Binoculars). */
  a: number;
  b: number;
  /** Fewer words: `too-short`. */
  minWords: number;
  /** How its verdicts are read: cuts and reference from ../policy-fit.ts. */
  policy: JudgingPolicy;
  /** The flag thresholds on the raw statistic (for people reading the registry). */
  rawThresholds: Record<Sensitivity, number>;
  /** Share of the fit set's human and machine texts each flag threshold flags. */
  humanFlagRate: Record<Sensitivity, number>;
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
      if (s[k]!.m) {
        rankSum += mid;
        pos++;
      }
      else neg++;
    }
    i = j;
  }
  return pos && neg ? (rankSum - (pos * (pos + 1)) / 2) / (pos * neg) : NaN;
}

/** One-feature logistic regression by Newton's method, on the standardised feature, with a small L2 penalty (finite on separable data). */
export function fitLogistic(xs: readonly number[], ys: readonly (0 | 1)[], l2 = 1e-3): { a: number; b: number } {
  const n = xs.length;
  // Classes weighted equally (each carries n/2 in total), so that the intercept does not learn the sample's mix.
  const n1 = Math.max(1, ys.filter((y) => y === 1).length);
  const n0 = Math.max(1, n - n1);
  const wt = (i: number) => (ys[i] === 1 ? n / (2 * n1) : n / (2 * n0));
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
      const r = wt(i) * (p - ys[i]!);
      const h = wt(i) * Math.max(p * (1 - p), 1e-12);
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

export interface FitOptions {
  /** Which way machine-written text moves the statistic, by the method's definition. */
  machine: 'higher' | 'lower';
  minWords: number;
  source: string;
  /** Fewest texts of each class (default 50). */
  minPerClass?: number;
}

/**
 * Fits a calibration on raw statistics of labelled texts (with the kind of text each comes from, for the
 * policy's groups). Refuses (CalibrationError) with too few texts, or when the statistic, on these
 * texts, points the other way than the method says (AUROC below 0.5, or a fitted slope of the wrong
 * sign): a calibration would then invert the detector.
 */
export function fitCalibration(samples: readonly { raw: number; machine: boolean; domain?: string }[], o: FitOptions): ZeroShotCalibration {
  const ok = samples.filter((s) => Number.isFinite(s.raw));
  const humans = ok.filter((s) => !s.machine);
  const machines = ok.filter((s) => s.machine);
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
  const p = (raw: number) => sigmoid(a * raw + b);
  const byDomain = new Map<string, number[]>();
  for (const h of humans) byDomain.set(h.domain ?? 'all', [...(byDomain.get(h.domain ?? 'all') ?? []), p(h.raw)]);
  const { policy } = fitPolicy([...byDomain].map(([name, scores]) => ({ name, scores })), o.minWords);
  const rawThresholds = {} as Record<Sensitivity, number>;
  const humanFlagRate = {} as Record<Sensitivity, number>;
  const machineFlagRate = {} as Record<Sensitivity, number>;
  const share = (xs: readonly { raw: number }[], t: number) => xs.filter((x) => p(x.raw) >= t).length / xs.length;
  for (const s of ['low', 'balanced', 'high'] as const) {
    const t = policy.thresholds[s];
    rawThresholds[s] = (Math.log(t / (1 - t)) - b) / a;
    humanFlagRate[s] = share(humans, t);
    machineFlagRate[s] = share(machines, t);
  }
  return { a, b, minWords: o.minWords, policy, rawThresholds, humanFlagRate, machineFlagRate, auroc: area, source: o.source };
}
