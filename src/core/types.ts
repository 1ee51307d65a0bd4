/**
 * Shared vocabulary of the pure core. Nothing here touches the DOM, the network or an extension API,
 * so every module under src/core runs unchanged in Node, the offscreen document, the Firefox
 * background page, content scripts and the popup.
 */

/** Public per-paragraph state, also written to the page as `data-telltale-state`. Keep stable. */
export type ParagraphState = 'pending' | 'scored' | 'too-short' | 'unsupported' | 'error';

/** States a finished judgement can have (everything but `pending`). */
export type VerdictState = Exclude<ParagraphState, 'pending'>;

/** The three sensitivities the user can choose; `balanced` is the default. */
export type Sensitivity = 'low' | 'balanced' | 'high';
export const SENSITIVITIES: readonly Sensitivity[] = ['low', 'balanced', 'high'];
export const DEFAULT_SENSITIVITY: Sensitivity = 'balanced';

/** A span of the (original) text that moved the score, for the hover card and the popup. */
export interface Evidence {
  /** The sentence (or phrase), as judged after normalisation. */
  text: string;
  /** UTF-16 offsets into the normalised text, `end` exclusive. */
  start: number;
  end: number;
  /** Contribution to the machine logit: positive pushes towards "generated". */
  weight: number;
}

/** What the text normaliser changed before scoring (look-alikes, invisible characters, case or spacing games). */
export interface NormalisationReport {
  homoglyphs: number;
  invisibles: number;
  /** Other rewrites: case games, odd whitespace, compatibility forms. */
  other: number;
}

/**
 * The share of the detector's human-written reference texts that scored at least as high as this
 * text (0..1). `fewer`: none of them scored this high, and `share` is the smallest share the reference
 * can tell ("fewer than 1 in 1/share"). Present for `scored` when the policy has a reference.
 */
export interface HumanShare {
  share: number;
  fewer?: boolean;
}

/** One detector's own reading of a text inside a combined verdict (its level at the same sensitivity). */
export interface PartVerdict {
  p_machine: number;
  level?: Level;
  humanShare?: HumanShare;
}

/** One detector's output for one text. */
export interface RawScore {
  /**
   * Calibrated P(machine) under equal prior odds, from the detector's own calibration. Null from a
   * detector that has no calibration (`Detector.calibrated === false`): its statistic is not a probability.
   */
  p: number | null;
  /**
   * Machine logit (larger means more likely generated), for combining detectors. For an uncalibrated
   * detector it is only its statistic oriented so that larger means machine, not a log-odds.
   */
  logit: number;
  /**
   * The detector's own statistic, as its authors define it (Fast-DetectGPT's sampling discrepancy, the
   * Binoculars score). Absent: `logit` is the statistic (RoBERTa's machine logit, the embedded model's).
   */
  raw?: number;
  evidence?: Evidence[];
  /** Each detector's own calibrated probability, when this score combines several. */
  parts?: Record<string, number>;
}

/** A score that carries a probability: what calibrated detectors (embedded, RoBERTa, combined) return. */
export type CalibratedScore = RawScore & { p: number };

/** What a detector's raw statistic is, for people and for orienting it. */
export interface StatisticInfo {
  /** e.g. "Fast-DetectGPT sampling discrepancy". */
  name: string;
  /** Which way machine-written text moves it. */
  machine: 'higher' | 'lower';
}

/** How a detector's scores are to be read; measured on the dev split and shipped with the model. */

/**
 * What a reader is told about a scored paragraph, at the sensitivity in use. Also the value of the
 * page's `data-telltale-level` attribute. Keep stable.
 */
export type Level = 'generated' | 'unclear' | 'human';
export const LEVELS: readonly Level[] = ['generated', 'unclear', 'human'];

/**
 * How a detector's scores are to be read; measured on held-out human-written text and shipped with the
 * model. Every cut is a P(machine) chosen from how often human-written text reaches it (see
 * policy-fit.ts for the rule), never a fixed number.
 */
export interface JudgingPolicy {
  /** Fewer words than this: state `too-short` (the estimate is printed by the CLI, never shown as a verdict). */
  minWords: number;
  /** P(machine) at or above which a paragraph is flagged ("likely machine-generated"), per sensitivity. */
  thresholds: Record<Sensitivity, number>;
  /** P(machine) at or above which a paragraph that is not flagged is "unclear" (below: "likely human-written"). */
  unclear: Record<Sensitivity, number>;
  /**
   * The share of human-written reference texts whose P(machine) is at least `p`, as `[p, share]` points
   * (p ascending, share descending): the number the UI shows beside a level ("about 1 in 40
   * human-written paragraphs score this high"). Absent: no reference was measured for this detector.
   */
  humanShare?: [number, number][];
  /** Measured on little text (a few domains, a hundred-odd human texts): say so next to the numbers. */
  provisional?: boolean;
  /** A detector that combines others: each part's own policy, by detector id, to read its own verdict. */
  parts?: Record<string, JudgingPolicy>;
}

/**
 * The text a detector reads. `normalised`: judge() undoes typography, compatibility forms, case and
 * spacing games first (the embedded detector was trained on that form). `as-written`: only invisible
 * characters and look-alike letters are repaired (and counted); quotes, dashes, spacing and line
 * breaks stay as the author wrote them (OpenAI's RoBERTa detector was trained on WebText as written).
 */
export type TextForm = 'normalised' | 'as-written';

export interface DetectorInfo {
  /** Stable id used in settings, messages and the CLI (`--detector`). */
  id: string;
  /** Name shown to people. */
  name: string;
  version: string;
  /** ISO 639-1 codes of the languages the model reads. */
  languages: readonly string[];
}

/**
 * Every detector implements this: the embedded model, the Hub RoBERTa models, and the combination.
 * `scoreBatch` receives text in the form the detector declares (`input`) and must return one RawScore
 * per input, in order.
 */
export interface Detector {
  readonly info: DetectorInfo;
  readonly policy: JudgingPolicy;
  /** The form of the text `scoreBatch` must receive (see TextForm). */
  readonly input: TextForm;
  /**
   * False: the detector has no fitted calibration (a zero-shot detector before `npm run calibrate`): its
   * scores have `p: null` and a `raw` statistic, its verdicts say so (`calibrated: false`), it flags nothing,
   * and no combination may include it. Absent means true.
   */
  readonly calibrated?: boolean;
  /** What `RawScore.raw` is, when the detector reports its own statistic. */
  readonly statistic?: StatisticInfo;
  scoreBatch(texts: readonly string[]): Promise<RawScore[]>;
  dispose?(): Promise<void>;
}

/** A detector with a calibration: every score carries a probability (embedded, RoBERTa, combined). */
export interface CalibratedDetector extends Detector {
  readonly calibrated?: true;
  scoreBatch(texts: readonly string[]): Promise<CalibratedScore[]>;
}

/** Why a paragraph was not judged (or not flagged), as a code the UI turns into words. */
export const REASON_CODES = [
  'too-short',
  'empty',
  'binary',
  'no-words',
  'not-english',
  'not-english-prose',
  'failed',
  /** The detector could not be loaded: `reasonArgs` are the problem's code and detail (src/core/problem.ts). */
  'load-failed',
  'uncalibrated',
  'no-answer',
  'not-checked',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** The final answer for one paragraph, as the CLI prints it and the extension shows it. */
export interface Verdict {
  state: VerdictState;
  /**
   * Calibrated P(machine) under equal prior odds: the probability that the text is machine-written if
   * machine- and human-written texts were equally common (class-balanced calibration). Present for
   * `scored` and, as an unreliable estimate, for `too-short`; null for `unsupported` and `error`, and
   * for every verdict of an uncalibrated detector (`calibrated: false`).
   */
  p_machine: number | null;
  /** Whether the extension flags it at the sensitivity used (`level` is `generated`). Only ever true for `scored` by a calibrated detector. */
  flagged: boolean;
  /** What the reader is told at the sensitivity used; present exactly for `scored` by a calibrated detector. */
  level?: Level;
  /** How often human-written text scores this high: the number shown beside the level (see HumanShare). */
  humanShare?: HumanShare;
  /** Id of the detector that judged it. */
  detector: string;
  /**
   * The detector's uncalibrated statistic (RawScore.raw, else its logit), for `scored` and `too-short`:
   * the discrepancy, the Binoculars score, RoBERTa's machine logit, the embedded model's logit.
   */
  raw?: number;
  /**
   * Present (false) only when the detector has no calibration: `p_machine` is null, nothing is flagged,
   * and `raw` with the detector's `statistic` is all there is to show (with `reason` in words).
   */
  calibrated?: false;
  /** Words a person understands: for every state but `scored`, and for a `scored` verdict that is not calibrated. English (the CLI prints it). */
  reason?: string;
  /**
   * What `reason` says, as a stable code, so that the extension can say it in the reader's language
   * (src/shared/verdict-words.ts); `reasonArgs` are the values in it (a word count, a detector's name).
   */
  reasonCode?: ReasonCode;
  reasonArgs?: string[];
  /** Each detector's own verdict when several were combined, by detector id: a reader sees whether they agree. */
  parts?: Record<string, PartVerdict>;
  evidence?: Evidence[];
  normalisation?: NormalisationReport;
}
