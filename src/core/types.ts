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

/** One detector's output for one text. */
export interface RawScore {
  /**
   * Calibrated P(machine), from the detector's own calibration (measured on dev). Null from a detector
   * that has no calibration (`Detector.calibrated === false`): its statistic is not a probability.
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
export interface JudgingPolicy {
  /** Fewer words than this: state `too-short` (the estimate is printed by the CLI, never shown as a verdict). */
  minWords: number;
  /** P(machine) at or above which a paragraph is flagged, per sensitivity. */
  thresholds: Record<Sensitivity, number>;
}

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
 * `scoreBatch` receives already-normalised text and must return one RawScore per input, in order.
 */
export interface Detector {
  readonly info: DetectorInfo;
  readonly policy: JudgingPolicy;
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

/** The final answer for one paragraph, as the CLI prints it and the extension shows it. */
export interface Verdict {
  state: VerdictState;
  /**
   * Calibrated P(machine). Present for `scored` and, as an unreliable estimate, for `too-short`;
   * null for `unsupported` and `error`, and for every verdict of an uncalibrated detector (`calibrated: false`).
   */
  p_machine: number | null;
  /** Whether the extension flags it at the sensitivity used. Only ever true for `scored` by a calibrated detector. */
  flagged: boolean;
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
  /** Words a person understands: for every state but `scored`, and for a `scored` verdict that is not calibrated. */
  reason?: string;
  /** Per-detector calibrated probabilities when several were combined. */
  parts?: Record<string, number>;
  evidence?: Evidence[];
  normalisation?: NormalisationReport;
}
