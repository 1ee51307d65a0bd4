/**
 * The one rule that turns measured human-written scores into a judging policy (types.ts
 * JudgingPolicy), for every detector: the embedded model (scripts/train/policy.ts), the RoBERTa
 * detectors and their combination (scripts/calibrate-combined.ts), the zero-shot detectors once they
 * are calibrated (zeroshot/calibration.ts). Pure: it runs wherever a calibration is fitted.
 *
 * Human-written texts come in groups (a corpus domain, a package of manuals). For each sensitivity,
 * the flag threshold is the lowest P(machine) that flags at most FLAG_RATE of the human texts of
 * EVERY group of at least MIN_GROUP texts, and the unclear cut the lowest that marks at most
 * ALERT_RATE of them flagged or unclear. So the rates below are worst-group rates on the texts the
 * policy was fitted on; held-out rates are measured separately (npm run eval, npm run eval:pages).
 * The reference curve (humanShare) is the share of human texts scoring at least p, averaged over the
 * groups so that no single kind of text dominates it.
 */
import type { JudgingPolicy, Sensitivity } from './types.ts';

/** Worst-group share of human texts flagged, per sensitivity (the default's target is 2%: margin for held-out text). */
export const FLAG_RATE: Record<Sensitivity, number> = { low: 0.005, balanced: 0.015, high: 0.08 };
/** Worst-group share of human texts flagged or unclear (the default's target for unclear alone is 5%). */
export const ALERT_RATE: Record<Sensitivity, number> = { low: 0.02, balanced: 0.045, high: 0.15 };
export const MIN_GROUP = 50;
const SENS: Sensitivity[] = ['low', 'balanced', 'high'];

export interface HumanGroup {
  name: string;
  /** P(machine) of the group's human-written texts (those the detector would score: enough words, English). */
  scores: number[];
}

/** The lowest cut that leaves at most `rate` of `scores` at or above it (just above the next score, never 1). */
export function cutFor(scores: readonly number[], rate: number): number {
  const desc = [...scores].sort((a, b) => b - a);
  const k = Math.floor(rate * desc.length + 1e-9); // how many may reach the cut
  if (k >= desc.length) return 0;
  const above = desc[k]!;
  // Strictly above the (k+1)-th highest score: halfway to the k-th, or a hair above the top.
  const cut = k > 0 ? (above + desc[k - 1]!) / 2 : above + (1 - above) / 2;
  return Math.min(cut, 0.9999);
}

/** Share of `scores` at or above p. */
const shareAtLeast = (sorted: readonly number[], p: number) => {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < p) lo = mid + 1;
    else hi = mid;
  }
  return (sorted.length - lo) / sorted.length;
};

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** The smallest share the curve states: never finer than 1 in 1,000, nor than 3 texts of the reference allow. */
export const SHARE_FLOOR = 0.001;

/**
 * The humanShare curve: [p, mean share over groups of scores >= p] on a logit grid, down to the floor:
 * its last point is the first grid p where the share falls below it, stated as the floor (so beyond
 * it the reader is told "fewer than 1 in 1/floor", never a rarer figure than the texts can support).
 */
export function humanShareCurve(groups: readonly HumanGroup[]): [number, number][] {
  const sorted = groups.filter((g) => g.scores.length > 0).map((g) => [...g.scores].sort((a, b) => a - b));
  const total = sorted.reduce((n, g) => n + g.length, 0);
  const floor = Math.max(SHARE_FLOOR, 3 / Math.max(1, total));
  const curve: [number, number][] = [];
  for (let z = -6; z <= 10.0001; z += 0.25) {
    const p = 1 / (1 + Math.exp(-z));
    const share = sorted.reduce((s, g) => s + shareAtLeast(g, p), 0) / sorted.length;
    const last = curve[curve.length - 1];
    if (share < floor) {
      curve.push([r6(p), r6(floor)]);
      break;
    }
    if (last && r6(share) >= last[1]) continue; // keep it strictly falling
    curve.push([r6(p), r6(share)]);
  }
  return curve;
}

export function fitPolicy(groups: readonly HumanGroup[], minWords: number, opts: { provisional?: boolean } = {}): { policy: JudgingPolicy; fit: Record<string, unknown> } {
  let big = groups.filter((g) => g.scores.length >= MIN_GROUP);
  // Too little text for any group to count on its own: the groups pooled (and the policy is provisional).
  if (big.length === 0) big = [{ name: 'all', scores: groups.flatMap((g) => g.scores) }];
  const worst = (rate: number) => Math.max(...big.map((g) => cutFor(g.scores, rate)));
  const thresholds = {} as Record<Sensitivity, number>;
  const unclear = {} as Record<Sensitivity, number>;
  for (const s of SENS) thresholds[s] = worst(FLAG_RATE[s]);
  // Lower sensitivity never flags more than higher.
  thresholds.balanced = Math.min(thresholds.balanced, thresholds.low);
  thresholds.high = Math.min(thresholds.high, thresholds.balanced);
  for (const s of SENS) unclear[s] = Math.min(worst(ALERT_RATE[s]), thresholds[s]);
  const round = (o: Record<Sensitivity, number>) => Object.fromEntries(SENS.map((s) => [s, +o[s].toFixed(4)])) as Record<Sensitivity, number>;
  const policy: JudgingPolicy = {
    minWords,
    thresholds: round(thresholds),
    unclear: round(unclear),
    humanShare: humanShareCurve(big),
    ...(opts.provisional ? { provisional: true } : {}),
  };
  return {
    policy,
    fit: {
      rule: 'worst-group cuts (src/core/policy-fit.ts)',
      flagRate: FLAG_RATE,
      alertRate: ALERT_RATE,
      groups: Object.fromEntries(groups.map((g) => [g.name, g.scores.length])),
      minGroup: MIN_GROUP,
    },
  };
}
