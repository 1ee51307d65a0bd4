/**
 * The one message protocol of the extension. Every message names its route (`from:to:verb`), and
 * the receiving side validates the payload with the guard below before it acts on it: extension
 * messages can come from a compromised content script, and nothing a web page sends is trusted.
 *
 * Routes:
 *   cs    content script          bg   background (Chrome service worker / Firefox event page)
 *   ui    popup and options page  host detector host (Chrome offscreen document / Firefox background page)
 */
import type { Level, ParagraphState, ReasonCode, Sensitivity, Verdict } from '../core/types.ts';
import { LEVELS, REASON_CODES, SENSITIVITIES } from '../core/types.ts';
import type { Problem } from '../core/problem.ts';

export type Backend = 'webgpu' | 'wasm';

/** What the popup shows about the detector. */
export interface DetectorStatus {
  detector: string;
  name: string;
  state: 'idle' | 'loading' | 'ready' | 'error';
  backend?: Backend;
  /** 0..1 while loading a model that is downloaded. */
  progress?: number;
  /** Words a person understands, when state is `error` (English from the offscreen document). */
  error?: string;
  /** What went wrong, as a code the UI says in the reader's language. */
  problem?: Problem;
}

/** A paragraph as the content script reports it to the popup. */
export interface ReportItem {
  key: string;
  state: ParagraphState;
  preview: string;
  chars: number;
  verdict?: Verdict;
  /**
   * The zero-shot detector's own verdict (settings `zeroShot`), beside the page detector's: from the scan
   * on WebGPU, or from the deep check. Uncalibrated ones flag nothing and are never counted.
   */
  zeroShot?: Verdict;
  /** The frame it is in: set by the popup when it merges the frames' reports (src/popup/frames.ts). */
  frameId?: number;
}

export interface PageReport {
  url: string;
  scanning: boolean;
  items: ReportItem[];
  selection?: { text: string; verdict: Verdict; zeroShot?: Verdict };
  /** The popup's "deep check" (the zero-shot detector, paragraph by paragraph): how far it is. */
  deep?: DeepProgress;
}

/**
 * Where a reader of a frame's report is: every change up to `rev` is in its copy, and those at `rev`
 * up to the paragraph numbered `seq`. `epoch` names the content script that gave it.
 */
export interface ReportCursor {
  epoch: string;
  rev: number;
  seq: number;
}

/**
 * The answer to `ui:cs:changes`: the paragraphs that changed since the cursor asked with (all of them
 * for none, or for another epoch's), oldest change first; `keys`, every paragraph's key in page order,
 * where the list or its order changed; `more` when the answer is full and more changes wait.
 */
export interface ReportChanges extends Omit<PageReport, 'items'> {
  cursor: ReportCursor;
  items: ReportItem[];
  keys?: string[];
  more: boolean;
}

export interface DeepProgress {
  /** Paragraphs checked so far, of `total`. */
  done: number;
  total: number;
  running: boolean;
  /** Stopped by Cancel before it was done. */
  cancelled?: boolean;
  /** Words a person understands, when it stopped on a failure. */
  error?: string;
}

/** What the host says about the zero-shot detector a setting names. */
export interface ZeroShotStatus {
  detector: string;
  /** Its language models are downloaded. */
  ready: boolean;
  /** Where it would run: on WebGPU the page scan includes it; on wasm only the checks a person asks for. */
  backend: Backend;
  calibrated: boolean;
}

/** A downloadable (Hub) model as the popup and options page list it. */
export interface ModelEntryStatus {
  id: string;
  name: string;
  /** Download size of the variant this browser would use, in bytes. */
  bytes: number;
  /** Bytes of it stored locally (0 when not downloaded). */
  storedBytes: number;
  state: 'absent' | 'downloading' | 'ready' | 'error';
  /** 0..1 while downloading. */
  progress?: number;
  error?: string;
  problem?: Problem;
  /** A zero-shot detector (its language models are what is downloaded), with or without a fitted calibration. */
  kind?: 'zero-shot';
  calibrated?: boolean;
  /** The Hub repos it downloads (a zero-shot detector may share one with another). */
  repos?: string[];
}

export interface Settings {
  sensitivity: Sensitivity;
  /** Scan pages automatically (where host access was granted). */
  autoScan: boolean;
  /** Per-site overrides of autoScan, by hostname. */
  sites: Record<string, boolean>;
  /** Detector id used for scoring. */
  detector: string;
  /**
   * A downloaded zero-shot detector used beside `detector` (`fast-detectgpt`, `binoculars`, or a registry
   * variant of them), or null. Never part of the combined score; flags nothing until calibrated.
   */
  zeroShot: string | null;
}

/** Request and response types, by message type. */
export interface Protocol {
  /** Score paragraphs. Sent by content scripts and the popup; answered by the background. */
  'cs:bg:score': { req: { texts: string[] }; res: { verdicts: Verdict[]; zeroShot?: Verdict[] } };
  /**
   * The deep check: score paragraphs with the zero-shot detector the settings name, on any backend (the
   * popup's "Deep check this page" sends them one at a time through the content script).
   */
  'cs:bg:deep': { req: { texts: string[] }; res: { verdicts: Verdict[] } | { verdicts?: undefined; error: string } };
  /**
   * A frame's content script tells the background how many paragraphs it flags (the badge sums the
   * frames). `since`: the document's performance.timeOrigin, which tells its documents apart.
   */
  'cs:bg:report': { req: { flagged: number; total: number; since?: number }; res: { ok: true } };
  /** Background forwards a scoring job to the detector host. */
  'bg:host:score': { req: { texts: string[]; detector: string; sensitivity: Sensitivity }; res: { verdicts: Verdict[] } };
  /**
   * Background asks the host to score with a zero-shot detector, only when its models are downloaded
   * (never a download from here), and with `webgpuOnly` only where it runs on WebGPU (the page scan).
   */
  'bg:host:zeroshot': {
    req: { texts: string[]; detector: string; sensitivity: Sensitivity; webgpuOnly: boolean };
    res: { verdicts: Verdict[] } | { verdicts?: undefined; skipped: 'absent' | 'wasm' | 'unknown' };
  };
  'bg:host:zeroshot-status': { req: { detector: string }; res: ZeroShotStatus };
  /** UI asks about the zero-shot detector the settings name (null: none enabled). */
  'ui:bg:zeroshot-status': { req: Record<string, never>; res: ZeroShotStatus | null };
  /** UI starts or cancels a tab's deep check; progress comes with `ui:cs:report`. */
  'ui:cs:deep': { req: { action: 'start' | 'cancel' }; res: { ok: boolean; error?: string } };
  /** Background asks the host for the status of the detector the settings name (`auto` resolved). */
  'bg:host:status': { req: { detector: string }; res: DetectorStatus };
  /** Host announces it has registered its listeners. */
  'host:bg:ready': { req: Record<string, never>; res: { ok: true } };
  /** Host pushes status changes (loading progress, errors). */
  'host:ui:status': { req: DetectorStatus; res: undefined };
  /** UI asks the background for the detector's status. */
  'ui:bg:status': { req: Record<string, never>; res: DetectorStatus };
  /** UI asks which frames of a tab have a content script that reported (top frame first). */
  'ui:bg:frames': { req: { tabId: number }; res: { frames: number[] } };
  /** UI asks the background to scan a tab now (injects the content script with activeTab). */
  'ui:bg:scan-tab': { req: { tabId: number }; res: { ok: boolean; error?: string } };
  /** UI lists the downloadable models and their local state. */
  'ui:bg:models': { req: Record<string, never>; res: { models: ModelEntryStatus[] } };
  /** UI starts (or resumes) a model download; progress arrives as `host:ui:status` / `host:ui:models`. */
  'ui:bg:download': { req: { model: string }; res: { ok: boolean; error?: string; problem?: Problem } };
  /** UI deletes a downloaded model's files. */
  'ui:bg:delete-model': { req: { model: string }; res: { ok: boolean; error?: string; problem?: Problem } };
  'bg:host:models': { req: Record<string, never>; res: { models: ModelEntryStatus[] } };
  'bg:host:download': { req: { model: string }; res: { ok: boolean; error?: string; problem?: Problem } };
  'bg:host:delete-model': { req: { model: string }; res: { ok: boolean; error?: string; problem?: Problem } };
  /** Host pushes model download progress. */
  'host:ui:models': { req: { models: ModelEntryStatus[] }; res: undefined };
  /** UI asks a frame's content script for its whole report (tools and tests; the popup follows `ui:cs:changes`). */
  'ui:cs:report': { req: Record<string, never>; res: PageReport };
  /** UI asks a frame's content script what changed in its report since a cursor (null: from the start). */
  'ui:cs:changes': { req: { since: ReportCursor | null }; res: ReportChanges };
  /** UI asks a tab's content script to scroll to and flash one paragraph. */
  'ui:cs:reveal': { req: { key: string }; res: { ok: boolean } };
  /** Background tells a content script to scan (after injection or a settings change). */
  'bg:cs:scan': { req: Record<string, never>; res: { ok: true } };
  /** Background hands a content script the result of a context-menu check. */
  'bg:cs:selection': { req: { text: string; verdict: Verdict; zeroShot?: Verdict }; res: { ok: true } };
  /** Settings changed: content scripts re-render with the new sensitivity. */
  'bg:cs:settings': { req: { settings: Settings }; res: { ok: true } };
  /** The "next mark" / "previous mark" keyboard commands: the frame that has focus moves it. */
  'bg:cs:mark': { req: { direction: 'next' | 'prev' }; res: { ok: boolean } };
}

export type MessageType = keyof Protocol;
export type Req<T extends MessageType> = Protocol[T]['req'];
export type Res<T extends MessageType> = Protocol[T]['res'];

export interface Envelope<T extends MessageType = MessageType> {
  /** Marks our messages; anything without it is ignored. */
  telltale: 1;
  type: T;
  /** The context that must handle it (every extension page hears runtime messages). */
  target: 'bg' | 'host' | 'cs' | 'ui';
  payload: Req<T>;
}

export function targetOf(type: MessageType): Envelope['target'] {
  return type.split(':')[1] as Envelope['target'];
}

export function envelope<T extends MessageType>(type: T, payload: Req<T>): Envelope<T> {
  return { telltale: 1, type, target: targetOf(type), payload };
}

/** Limits on what a sender may ask for in one message. */
export const LIMITS = {
  textsPerMessage: 256,
  /** Longer paragraphs are cut (the detectors read far less than this). */
  charsPerText: 100_000,
  keyChars: 64,
} as const;

// ---------------------------------------------------------------------------------------------
// Validation. Small hand-written guards: the payloads are few and flat.

type Guard = (p: unknown) => boolean;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown, max = Infinity): v is string => typeof v === 'string' && v.length <= max;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isEmpty: Guard = (p) => isObj(p);
const isCursor = (v: unknown): v is ReportCursor => isObj(v) && isStr(v.epoch, 64) && isInt(v.rev) && v.rev >= 0 && isInt(v.seq) && v.seq >= 0;
const isStrArray = (v: unknown, maxLen: number, maxChars: number) =>
  Array.isArray(v) && v.length <= maxLen && v.every((t) => isStr(t, maxChars));
const isPart = (x: unknown) =>
  isObj(x) && isNum(x.p_machine) && x.p_machine >= 0 && x.p_machine <= 1 && (x.level === undefined || LEVELS.includes(x.level as Level)) && (x.humanShare === undefined || isShare(x.humanShare));
const isShare = (h: unknown): boolean => isObj(h) && isNum(h.share) && h.share >= 0 && h.share <= 1 && (h.fewer === undefined || typeof h.fewer === 'boolean');
/** A verdict: its state, a probability or null, and a level exactly when it is scored (its flag agreeing). */
export const isVerdict = (v: unknown): v is Verdict =>
  isObj(v) &&
  ['scored', 'too-short', 'unsupported', 'error'].includes(v.state as string) &&
  (v.p_machine === null || (isNum(v.p_machine) && v.p_machine >= 0 && v.p_machine <= 1)) &&
  typeof v.flagged === 'boolean' &&
  isStr(v.detector, 100) &&
  (v.calibrated === undefined || (v.calibrated === false && v.p_machine === null && !v.flagged)) &&
  (v.raw === undefined || isNum(v.raw)) &&
  // A level exactly when scored by a calibrated detector, and the flag agreeing with it.
  (v.state === 'scored' && v.calibrated !== false
    ? LEVELS.includes(v.level as Level) && v.flagged === (v.level === 'generated')
    : v.level === undefined && !v.flagged) &&
  (v.humanShare === undefined || isShare(v.humanShare)) &&
  (v.reasonCode === undefined || REASON_CODES.includes(v.reasonCode as ReasonCode)) &&
  (v.reasonArgs === undefined || isStrArray(v.reasonArgs, 4, 300)) &&
  (v.parts === undefined || (isObj(v.parts) && Object.keys(v.parts).length <= 8 && Object.values(v.parts).every(isPart)));
/** A zero-shot detector id as settings may hold it: a method, optionally a registry variant of it. */
export const isZeroShotId = (v: unknown): v is string => isStr(v, 100) && /^(fast-detectgpt|binoculars)(-[a-z0-9.]+)*$/.test(v);
export const isSettings: Guard = (s) =>
  isObj(s) &&
  (s.zeroShot === null || isZeroShotId(s.zeroShot)) &&
  SENSITIVITIES.includes(s.sensitivity as Sensitivity) &&
  typeof s.autoScan === 'boolean' &&
  isObj(s.sites) &&
  Object.values(s.sites).every((b) => typeof b === 'boolean') &&
  isStr(s.detector, 100);
const isStatus: Guard = (s) =>
  isObj(s) && isStr(s.detector, 100) && ['idle', 'loading', 'ready', 'error'].includes(s.state as string);

const guards: { [T in MessageType]: Guard } = {
  'cs:bg:score': (p) => isObj(p) && isStrArray(p.texts, LIMITS.textsPerMessage, LIMITS.charsPerText),
  'cs:bg:report': (p) =>
    isObj(p) && isInt(p.flagged) && isInt(p.total) && (p.flagged as number) >= 0 && (p.total as number) >= 0 && (p.since === undefined || isNum(p.since)),
  'bg:host:score': (p) =>
    isObj(p) &&
    isStrArray(p.texts, LIMITS.textsPerMessage, LIMITS.charsPerText) &&
    isStr(p.detector, 100) &&
    SENSITIVITIES.includes(p.sensitivity as Sensitivity),
  'cs:bg:deep': (p) => isObj(p) && isStrArray(p.texts, LIMITS.textsPerMessage, LIMITS.charsPerText),
  'bg:host:zeroshot': (p) =>
    isObj(p) &&
    isStrArray(p.texts, LIMITS.textsPerMessage, LIMITS.charsPerText) &&
    isZeroShotId(p.detector) &&
    SENSITIVITIES.includes(p.sensitivity as Sensitivity) &&
    typeof p.webgpuOnly === 'boolean',
  'bg:host:zeroshot-status': (p) => isObj(p) && isZeroShotId(p.detector),
  'ui:bg:zeroshot-status': isEmpty,
  'ui:cs:deep': (p) => isObj(p) && (p.action === 'start' || p.action === 'cancel'),
  'bg:host:status': (p) => isObj(p) && isStr(p.detector, 100),
  'host:bg:ready': isEmpty,
  'host:ui:status': isStatus,
  'ui:bg:status': isEmpty,
  'ui:bg:scan-tab': (p) => isObj(p) && isInt(p.tabId),
  'ui:bg:frames': (p) => isObj(p) && isInt(p.tabId),
  'ui:bg:models': isEmpty,
  'ui:bg:download': (p) => isObj(p) && isStr(p.model, 100),
  'ui:bg:delete-model': (p) => isObj(p) && isStr(p.model, 100),
  'bg:host:models': isEmpty,
  'bg:host:download': (p) => isObj(p) && isStr(p.model, 100),
  'bg:host:delete-model': (p) => isObj(p) && isStr(p.model, 100),
  'host:ui:models': (p) => isObj(p) && Array.isArray(p.models),
  'ui:cs:report': isEmpty,
  'ui:cs:changes': (p) => isObj(p) && (p.since === null || isCursor(p.since)),
  'ui:cs:reveal': (p) => isObj(p) && isStr(p.key, LIMITS.keyChars),
  'bg:cs:scan': isEmpty,
  'bg:cs:selection': (p) => isObj(p) && isStr(p.text, LIMITS.charsPerText) && isVerdict(p.verdict) && (p.zeroShot === undefined || isVerdict(p.zeroShot)),
  'bg:cs:settings': (p) => isObj(p) && isSettings(p.settings),
  'bg:cs:mark': (p) => isObj(p) && (p.direction === 'next' || p.direction === 'prev'),
};

/** Returns the envelope when `msg` is a well-formed Telltale message for `target`, else null. */
export function parseEnvelope(msg: unknown, target: Envelope['target']): Envelope | null {
  if (!isObj(msg) || msg.telltale !== 1 || msg.target !== target) return null;
  const type = msg.type;
  if (typeof type !== 'string' || !Object.hasOwn(guards, type)) return null;
  if (targetOf(type as MessageType) !== target) return null;
  if (!guards[type as MessageType](msg.payload)) return null;
  return msg as unknown as Envelope;
}
