/**
 * What a score means to a reader, in one place for the extension, the popup and the CLI.
 *
 * P(machine) is a probability under equal prior odds (class-balanced calibration), and it is NOT what
 * the reader is shown beside a level: on real pages most human-written paragraphs score above 0.5
 * (42% of 13,470 paragraphs of Debian's manuals did, under class-balanced calibration), while the
 * levels are cut where human-written text rarely reaches. "Likely human-written · 72%" would
 * contradict itself. So the reader sees
 *   - the level, from the sensitivity's thresholds (policy.thresholds / policy.unclear), and
 *   - how often human-written text scores as high ("about 1 in 40 human-written paragraphs score
 *     this high"), from the detector's measured reference (policy.humanShare),
 * two statements that cannot disagree: the cuts are points on that same curve of human scores.
 * P(machine) stays in the verdict (CLI, exports, the page's `data-telltale-score`).
 */
import type { HumanShare, JudgingPolicy, Level, PartVerdict, Sensitivity, Verdict } from './types.ts';

export function levelAt(policy: JudgingPolicy, p: number, s: Sensitivity): Level {
  if (p >= policy.thresholds[s]) return 'generated';
  if (p >= policy.unclear[s]) return 'unclear';
  return 'human';
}

const logit = (p: number) => {
  const q = Math.min(1 - 1e-12, Math.max(1e-12, p));
  return Math.log(q / (1 - q));
};

/**
 * The share of human-written reference texts that score at least `p`, interpolated between the
 * curve's points (log share, linear in logit p); the first point's share below it, and beyond the
 * last point `fewer` with the last share (the reference has no human text that high).
 */
export function humanShareAt(curve: readonly (readonly [number, number])[] | undefined, p: number): HumanShare | undefined {
  if (!curve || curve.length === 0 || !Number.isFinite(p)) return undefined;
  if (p <= curve[0]![0]) return { share: curve[0]![1] };
  for (let i = 1; i < curve.length; i++) {
    const [p1, s1] = curve[i]!;
    if (p <= p1) {
      const [p0, s0] = curve[i - 1]!;
      const t = (logit(p) - logit(p0)) / Math.max(1e-12, logit(p1) - logit(p0));
      return { share: Math.exp(Math.log(s0) + t * (Math.log(s1) - Math.log(s0))) };
    }
  }
  return { share: curve[curve.length - 1]![1], fewer: true };
}

/**
 * A verdict as it reads at sensitivity `s`: the flag and the level follow the policy's cuts (the host
 * caches verdicts by text and applies the sensitivity per request). Unscored verdicts have neither.
 */
export function atSensitivity(v: Verdict, policy: JudgingPolicy, s: Sensitivity): Verdict {
  if (v.state !== 'scored' || v.p_machine === null) {
    const { level: _l, humanShare: _h, ...rest } = v;
    return { ...rest, flagged: false };
  }
  const level = levelAt(policy, v.p_machine, s);
  const out: Verdict = { ...v, flagged: level === 'generated', level };
  const share = humanShareAt(policy.humanShare, v.p_machine);
  if (share !== undefined) out.humanShare = share;
  else delete out.humanShare;
  if (v.parts) {
    out.parts = Object.fromEntries(Object.entries(v.parts).map(([id, part]) => [id, partAt(part.p_machine, policy.parts?.[id], s)]));
  }
  return out;
}

function partAt(p: number, policy: JudgingPolicy | undefined, s: Sensitivity): PartVerdict {
  if (!policy) return { p_machine: p };
  const share = humanShareAt(policy.humanShare, p);
  return { p_machine: p, level: levelAt(policy, p, s), ...(share ? { humanShare: share } : {}) };
}

/** Checks a policy read from a file: every cut a probability, unclear never above the flag, lower sensitivity never flags more. */
export function checkPolicy(policy: JudgingPolicy, where: string): JudgingPolicy {
  const s: Sensitivity[] = ['low', 'balanced', 'high'];
  for (const k of s) {
    const t = policy.thresholds?.[k];
    const u = policy.unclear?.[k];
    if (!(typeof t === 'number' && t >= 0 && t <= 1)) throw new Error(`${where}: no flag threshold for ${k}`);
    if (!(typeof u === 'number' && u >= 0 && u <= t)) throw new Error(`${where}: the unclear cut for ${k} must be a probability at most the flag threshold`);
  }
  if (!(policy.thresholds.low >= policy.thresholds.balanced && policy.thresholds.balanced >= policy.thresholds.high)) {
    throw new Error(`${where}: thresholds must not rise with sensitivity`);
  }
  const c = policy.humanShare;
  if (c !== undefined) {
    const ok = Array.isArray(c) && c.length > 0 && c.every((pt, i) =>
      Array.isArray(pt) && pt[0] >= 0 && pt[0] <= 1 && pt[1] > 0 && pt[1] <= 1 && (i === 0 || (pt[0] > c[i - 1]![0] && pt[1] <= c[i - 1]![1])));
    if (!ok) throw new Error(`${where}: humanShare must be [p, share] points with p rising and share falling`);
  }
  return policy;
}
