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
  /** Calibrated P(machine) under equal prior odds, from the detector's own calibration. */
  p: number;
  /** Uncalibrated machine logit (larger means more likely generated), for combining detectors. */
  logit: number;
  evidence?: Evidence[];
  /** Each detector's own calibrated probability, when this score combines several. */
  parts?: Record<string, number>;
}

/**
 * What a reader is told about a scored paragraph, at the sensitivity in use. Also the value of the
 * page's `data-telltale-level` attribute. Keep stable.
 */
export type Level = 'generated' | 'unclear' | 'human';
export const LEVELS: readonly Level[] = ['generated', 'unclear', 'human'];

/**
 * How a detector's scores are to be read; measured on held-out human-written text and shipped with the
 * model. Every cut is a P(machine) chosen from how often human-written text reaches it (see
 * scripts/train/policy.ts for the embedded model's rule), never a fixed number.
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
  scoreBatch(texts: readonly string[]): Promise<RawScore[]>;
  dispose?(): Promise<void>;
}

/** The final answer for one paragraph, as the CLI prints it and the extension shows it. */
export interface Verdict {
  state: VerdictState;
  /**
   * Calibrated P(machine) under equal prior odds: the probability that the text is machine-written if
   * machine- and human-written texts were equally common (class-balanced calibration). Present for
   * `scored` and, as an unreliable estimate, for `too-short`; null for `unsupported` and `error`.
   */
  p_machine: number | null;
  /** Whether the extension flags it at the sensitivity used (`level` is `generated`). Only ever true for `scored`. */
  flagged: boolean;
  /** What the reader is told at the sensitivity used; present exactly for `scored`. */
  level?: Level;
  /** How often human-written text scores this high: the number shown beside the level (see HumanShare). */
  humanShare?: HumanShare;
  /** Id of the detector that judged it. */
  detector: string;
  /** Words a person understands, for every state but `scored`. */
  reason?: string;
  /** Each detector's own verdict when several were combined, by detector id: a reader sees whether they agree. */
  parts?: Record<string, PartVerdict>;
  evidence?: Evidence[];
  normalisation?: NormalisationReport;
}
