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
  /** Calibrated P(machine), from the detector's own calibration (measured on dev). */
  p: number;
  /** Uncalibrated machine logit (larger means more likely generated), for combining detectors. */
  logit: number;
  evidence?: Evidence[];
  /** Each detector's own calibrated probability, when this score combines several. */
  parts?: Record<string, number>;
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
  scoreBatch(texts: readonly string[]): Promise<RawScore[]>;
  dispose?(): Promise<void>;
}

/** The final answer for one paragraph, as the CLI prints it and the extension shows it. */
export interface Verdict {
  state: VerdictState;
  /**
   * Calibrated P(machine). Present for `scored` and, as an unreliable estimate, for `too-short`;
   * null for `unsupported` and `error`.
   */
  p_machine: number | null;
  /** Whether the extension flags it at the sensitivity used. Only ever true for `scored`. */
  flagged: boolean;
  /** Id of the detector that judged it. */
  detector: string;
  /** Words a person understands, for every state but `scored`. */
  reason?: string;
  /** Per-detector calibrated probabilities when several were combined. */
  parts?: Record<string, number>;
  evidence?: Evidence[];
  normalisation?: NormalisationReport;
}
