/**
 * From raw paragraphs to verdicts, for any Detector: normalise, refuse what the model cannot read,
 * score the rest in batches in the form of text the detector declares (types.ts TextForm), apply the
 * detector's judging policy (levels.ts). Used by the detector host in the extension and by the CLI, so
 * both give the same answer for the same text.
 */
import { checkEnglish } from './language.ts';
import { atSensitivity } from './levels.ts';
import { countWords, normalise, repair } from './normalise.ts';
import type { Detector, RawScore, Sensitivity, Verdict } from './types.ts';

export interface JudgeOptions {
  sensitivity: Sensitivity;
  /** Texts per call to `detector.scoreBatch`. */
  batchSize?: number;
}

/** The longest text judged; the rest of a longer paragraph is ignored (the detectors read far less). */
export const MAX_CHARS = 20_000;

export const REASONS = {
  tooShort: (min: number) => `Too short to judge: scores are unreliable under ${min} words.`,
  empty: 'No text to judge.',
  binary: 'Not text: it looks like binary data or code points that carry no words.',
  failed: 'The detector failed on this text.',
  uncalibrated: (name: string) =>
    `Not calibrated: ${name} has not been fitted on labelled texts yet, so its statistic is shown as it is and nothing is flagged.`,
} as const;

/** Mostly control characters, replacement characters or private-use code points: not prose. */
function looksBinary(text: string): boolean {
  let bad = 0;
  let total = 0;
  for (const ch of text) {
    total++;
    if (/[\p{Cc}\p{Co}\p{Cs}\uFFFD]/u.test(ch) && ch !== '\n') bad++;
  }
  return total > 0 && bad / total > 0.1;
}

export async function judge(detector: Detector, texts: readonly string[], opts: JudgeOptions): Promise<Verdict[]> {
  const { policy, info } = detector;
  const calibrated = detector.calibrated !== false;
  const verdicts: (Verdict | undefined)[] = new Array(texts.length);
  const toScore: { index: number; text: string; short: boolean }[] = [];

  texts.forEach((raw, index) => {
    const base = { detector: info.id, flagged: false, ...(calibrated ? {} : { calibrated: false as const }) };
    if (looksBinary(raw)) {
      verdicts[index] = { ...base, state: 'unsupported', p_machine: null, reason: REASONS.binary, reasonCode: 'binary' };
      return;
    }
    // Normalise before cutting, so that invisible characters cannot move the cut; the generous first
    // cut only bounds the work on megabyte inputs. The checks read the normalised form; the detector
    // gets the form it declares.
    const bounded = raw.length > 4 * MAX_CHARS ? raw.slice(0, 4 * MAX_CHARS) : raw;
    const n = normalise(bounded);
    const report = n.report;
    const cut = (t: string) => (t.length > MAX_CHARS ? t.slice(0, MAX_CHARS) : t);
    const text = cut(n.text);
    const normalisation = report.homoglyphs + report.invisibles + report.other > 0 ? report : undefined;
    if (text.length === 0) {
      verdicts[index] = { ...base, state: 'unsupported', p_machine: null, reason: REASONS.empty, reasonCode: 'empty' };
      return;
    }
    const lang = checkEnglish(text);
    if (!lang.supported) {
      verdicts[index] = { ...base, state: 'unsupported', p_machine: null, reason: lang.reason, reasonCode: lang.code, normalisation };
      return;
    }
    const short = countWords(text) < policy.minWords;
    verdicts[index] = { ...base, state: short ? 'too-short' : 'scored', p_machine: null, normalisation };
    toScore.push({ index, text: detector.input === 'normalised' ? text : cut(repair(bounded).text), short });
  });

  const batchSize = Math.max(1, opts.batchSize ?? 64);
  for (let i = 0; i < toScore.length; i += batchSize) {
    const batch = toScore.slice(i, i + batchSize);
    let scores: RawScore[] | undefined;
    let failure: string | undefined;
    let detail: string | undefined;
    try {
      scores = await detector.scoreBatch(batch.map((b) => b.text));
      if (scores.length !== batch.length) throw new Error(`detector returned ${scores.length} scores for ${batch.length} texts`);
    } catch (err) {
      detail = err instanceof Error ? err.message : String(err);
      failure = `${REASONS.failed} (${detail})`;
    }
    batch.forEach((item, j) => {
      const v = verdicts[item.index]!;
      const s = scores?.[j];
      const raw = s ? (s.raw ?? s.logit) : NaN;
      // A calibrated detector must give a probability; an uncalibrated one its statistic (for text too
      // short to judge it may have none: a one-token text predicts nothing).
      const ok = s && (calibrated ? s.p !== null && Number.isFinite(s.p) : item.short || Number.isFinite(raw));
      if (!ok) {
        Object.assign(v, { state: 'error', p_machine: null, reason: failure ?? REASONS.failed, reasonCode: 'failed', ...(detail ? { reasonArgs: [detail.slice(0, 300)] } : {}) });
        return;
      }
      v.p_machine = calibrated ? s.p : null;
      if (Number.isFinite(raw)) v.raw = raw;
      if (s.parts) v.parts = Object.fromEntries(Object.entries(s.parts).map(([id, p]) => [id, { p_machine: p }]));
      if (item.short) {
        v.reason = REASONS.tooShort(policy.minWords);
        v.reasonCode = 'too-short';
        v.reasonArgs = [String(policy.minWords)];
      } else {
        if (!calibrated) {
          const name = detector.statistic?.name ?? info.name;
          Object.assign(v, { reason: REASONS.uncalibrated(name), reasonCode: 'uncalibrated', reasonArgs: [name] });
        }
        if (s.evidence?.length) v.evidence = s.evidence;
        Object.assign(v, atSensitivity(v, policy, opts.sensitivity));
      }
    });
  }
  return verdicts as Verdict[];
}
