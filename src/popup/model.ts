/**
 * Everything the popup and options page compute that is not rendering: the page summary, how scores,
 * states and sizes are put into words, which detectors can be chosen, which pages can be scanned.
 * Pure functions only (no DOM, no extension API), so they run and are tested in Node.
 */
import { AUTO_DETECTOR } from '../core/settings.ts';
export { ALL_SITES_PATTERN, patchForGrant, PENDING_GRANT_MAX_AGE_MS, sitePattern, type PendingGrant } from '../core/settings.ts';
import { SENSITIVITIES, type Level, type Sensitivity, type Verdict } from '../core/types.ts';
import { isNotEnglish, levelWords, partsLine, reasonText, shareShort, verdictSentence } from '../shared/verdict-words.ts';
import { formatNumber, t, tn, type MessageKey } from '../shared/i18n.ts';
import { ZEROSHOT_WORDS } from '../shared/zeroshot-words.ts';
import { problemOrError } from '../shared/problem-words.ts';
import type { Backend, DetectorStatus, ModelEntryStatus, PageReport, ReportItem, Settings } from '../protocol/messages.ts';

// ---------------------------------------------------------------------------------------------
// Numbers and words

const MB = 1_000_000;

/** Download and storage sizes in decimal megabytes, as the Hub lists them. */
export function formatBytes(bytes: number): string {
  const one = { minimumFractionDigits: 1, maximumFractionDigits: 1 };
  if (!Number.isFinite(bytes) || bytes <= 0) return t('sizeMB', formatNumber(0));
  if (bytes >= 1000 * MB) return t('sizeGB', formatNumber(bytes / (1000 * MB), one));
  if (bytes < MB) return t('sizeUnderOneMB');
  const mb = bytes / MB;
  return t('sizeMB', mb < 10 ? formatNumber(mb, one) : formatNumber(Math.round(mb)));
}

/** Collapses whitespace and cuts `text` to `max` characters (by code point), ending with an ellipsis. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  if (chars.length <= max) return flat;
  return `${chars.slice(0, Math.max(1, max - 1)).join('').trimEnd()}…`;
}

/** What the number beside each level means, in one sentence (the popup's hint under the summary). */
export const numberMeaning = () => t('popupNumberMeaning');

// ---------------------------------------------------------------------------------------------
// Paragraph badges

export type BadgeKind = Level | 'too-short' | 'unsupported' | 'error' | 'pending';

export interface Badge {
  kind: BadgeKind;
  /** Short words on the badge: the level, or the state (never a bare number). */
  text: string;
  /** How often human-written text scores this high ("1 in 430"), for scored paragraphs with a reference. */
  share?: string;
  /** The whole verdict in words, for the tooltip. */
  label: string;
}

export function badgeFor(item: Pick<ReportItem, 'state' | 'verdict'>): Badge {
  const v = item.verdict;
  const reason = reasonText(v);
  switch (item.state) {
    case 'pending':
      return { kind: 'pending', text: t('badgePending'), label: t('badgePendingLabel') };
    case 'too-short':
      return { kind: 'too-short', text: t('badgeTooShort'), label: reason ?? t('stateTooShortLong') };
    case 'unsupported': {
      // `unsupported` covers both "not English" and "not text": say which when the verdict tells.
      const word = isNotEnglish(v) ? t('badgeNotEnglish') : t('badgeNotJudged');
      return { kind: 'unsupported', text: word, label: reason ?? t('badgeNotJudgedLabel') };
    }
    case 'error':
      return { kind: 'error', text: t('badgeError'), label: reason ?? t('badgeErrorLabel') };
    case 'scored': {
      if (!v?.level) return { kind: 'error', text: t('badgeError'), label: t('badgeNoScoreLabel') };
      const badge: Badge = { kind: v.level, text: levelWords(v.level).short, label: verdictSentence(v) };
      if (v.humanShare) badge.share = shareShort(v.humanShare);
      return badge;
    }
  }
}

/** Verdict of a one-off check (the selection), in the same words as a row. */
export function badgeForVerdict(v: Verdict): Badge {
  return badgeFor({ state: v.state, verdict: v });
}

/** The sentences that pushed a score towards "generated", strongest first. */
export function evidenceOf(v: Verdict | undefined, max = 3): string[] {
  if (!v?.evidence?.length) return [];
  return [...v.evidence]
    .filter((e) => e.weight > 0 && e.text.trim().length > 0)
    .sort((a, b) => b.weight - a.weight)
    .slice(0, max)
    .map((e) => e.text.trim());
}

/** Each detector's own level when a verdict combines several; '' otherwise. */
export const partsText = partsLine;

// ---------------------------------------------------------------------------------------------
// Page summary

export interface Summary {
  total: number;
  scored: number;
  /** Scored paragraphs by level: `flagged` is the `generated` ones. */
  flagged: number;
  unclear: number;
  human: number;
  tooShort: number;
  unsupported: number;
  errors: number;
  pending: number;
  /** Characters of scored paragraphs, and of the flagged among them. */
  judgedChars: number;
  flaggedChars: number;
  /** flaggedChars / judgedChars; null when nothing was judged. */
  flaggedShare: number | null;
}

export function summarise(items: readonly ReportItem[]): Summary {
  const s: Summary = {
    total: items.length,
    scored: 0,
    flagged: 0,
    unclear: 0,
    human: 0,
    tooShort: 0,
    unsupported: 0,
    errors: 0,
    pending: 0,
    judgedChars: 0,
    flaggedChars: 0,
    flaggedShare: null,
  };
  for (const it of items) {
    const chars = Number.isFinite(it.chars) && it.chars > 0 ? it.chars : 0;
    switch (it.state) {
      case 'pending':
        s.pending++;
        break;
      case 'too-short':
        s.tooShort++;
        break;
      case 'unsupported':
        s.unsupported++;
        break;
      case 'error':
        s.errors++;
        break;
      case 'scored':
        s.scored++;
        s.judgedChars += chars;
        if (it.verdict?.level === 'generated') {
          s.flagged++;
          s.flaggedChars += chars;
        } else if (it.verdict?.level === 'unclear') s.unclear++;
        else s.human++;
        break;
    }
  }
  s.flaggedShare = s.judgedChars > 0 ? s.flaggedChars / s.judgedChars : null;
  return s;
}

export interface SummaryText {
  headline: string;
  /** The other levels of the judged paragraphs ("1 unclear · 20 likely human-written"), when any was judged. */
  levels?: string;
  /** How much of the judged text sits in flagged paragraphs, when anything is flagged. */
  share?: string;
  /** Secondary facts, each a short phrase. */
  details: string[];
}

export function summaryText(s: Summary, scanning: boolean): SummaryText {
  const details: string[] = [];
  if (s.tooShort) details.push(tn('summaryTooShort', s.tooShort));
  if (s.unsupported) details.push(tn('summaryNotJudged', s.unsupported));
  if (s.errors) details.push(tn('summaryFailed', s.errors));
  if (s.pending) details.push(tn('summaryPending', s.pending));
  let headline: string;
  let share: string | undefined;
  if (s.total === 0) headline = scanning ? t('summaryScanning') : t('summaryNoParagraphs');
  else if (s.scored === 0) headline = s.pending ? tn('summaryChecking', s.total) : t('summaryNoneJudged');
  else {
    headline = tn('summaryHeadline', s.scored, s.flagged);
    if (s.flaggedShare !== null && s.flagged > 0) share = t('summaryShare', formatShare(s.flaggedShare));
  }
  const out: SummaryText = { headline, details };
  if (s.scored > 0) out.levels = t('summaryLevels', s.unclear, s.human);
  if (share) out.share = share;
  return out;
}

function formatShare(x: number): string {
  if (x > 0 && x < 0.01) return t('lessThan', formatNumber(0.01, { style: 'percent' }));
  return formatNumber(Math.round(x * 100) / 100, { style: 'percent' });
}

/** Keep asking the content script while it is still working. */
export function shouldPoll(report: PageReport | null | undefined): boolean {
  return !!report && (report.scanning || !!report.deep?.running || report.items.some((i) => i.state === 'pending'));
}

/** Page order, as the content script reports it; a stable sort so equal keys keep their order. */
export function flaggedFirst(items: readonly ReportItem[]): ReportItem[] {
  const rank = (it: ReportItem) => (it.verdict?.level === 'generated' ? 0 : it.verdict?.level === 'unclear' ? 1 : 2);
  return items
    .map((it, i) => ({ it, i }))
    .sort((a, b) => rank(a.it) - rank(b.it) || a.i - b.i)
    .map((x) => x.it);
}

// ---------------------------------------------------------------------------------------------
// Detector and models

export function backendName(b: Backend | undefined): string | undefined {
  if (b === 'webgpu') return 'WebGPU';
  if (b === 'wasm') return 'WebAssembly';
  return undefined;
}

export interface StatusView {
  tone: 'ok' | 'busy' | 'error' | 'idle';
  text: string;
  /** 0..1 while loading, when known. */
  progress?: number;
}

export function statusView(st: DetectorStatus | null | undefined): StatusView {
  if (!st) return { tone: 'idle', text: t('statusUnknown') };
  const name = st.name || st.detector;
  const be = backendName(st.backend);
  switch (st.state) {
    case 'idle':
      return { tone: 'idle', text: t('statusIdle', name) };
    case 'loading': {
      const p = typeof st.progress === 'number' && Number.isFinite(st.progress) ? clamp01(st.progress) : undefined;
      return {
        tone: 'busy',
        text: p !== undefined ? t('statusLoadingProgress', name, percent(p)) : t('statusLoading', name),
        ...(p !== undefined ? { progress: p } : {}),
      };
    }
    case 'ready':
      return { tone: 'ok', text: be ? t('statusReadyOn', name, be) : t('statusReady', name) };
    case 'error':
      return { tone: 'error', text: t('statusError', name, problemOrError(st) ?? t('statusErrorUnknown')) };
  }
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
/** A progress as a whole percentage ("42%", "42 %"). */
const percent = (p: number) => formatNumber(Math.round(p * 100) / 100, { style: 'percent' });

export function modelStateText(m: ModelEntryStatus): string {
  switch (m.state) {
    case 'absent':
      return t('modelAbsent', formatBytes(m.bytes));
    case 'downloading': {
      const p = typeof m.progress === 'number' ? clamp01(m.progress) : m.bytes > 0 ? clamp01(m.storedBytes / m.bytes) : 0;
      return t('modelDownloading', percent(p), formatBytes(m.bytes));
    }
    case 'ready':
      return t('modelReady', formatBytes(m.storedBytes || m.bytes));
    case 'error': {
      const why = problemOrError(m);
      return why ? t('modelFailedBecause', why) : t('modelFailed');
    }
  }
}

export function modelProgress(m: ModelEntryStatus): number | undefined {
  if (m.state !== 'downloading') return undefined;
  if (typeof m.progress === 'number' && Number.isFinite(m.progress)) return clamp01(m.progress);
  return m.bytes > 0 ? clamp01(m.storedBytes / m.bytes) : undefined;
}

export function storageUsed(models: readonly ModelEntryStatus[]): number {
  return models.reduce((sum, m) => sum + (Number.isFinite(m.storedBytes) && m.storedBytes > 0 ? m.storedBytes : 0), 0);
}

export const EMBEDDED_DETECTOR = 'embedded';
export const COMBINED_DETECTOR = 'combined';

export interface DetectorChoice {
  id: string;
  label: string;
  disabled?: boolean;
}

/**
 * Automatic (the default: the built-in model, combined with the downloaded one once it is ready when
 * the build ships a calibrated combination, `combinedOf`), the built-in model alone, every downloaded
 * model, and the combination itself when its model is ready. A stored choice that is no longer
 * available stays listed (disabled) so the select never lies.
 */
export function detectorChoices(models: readonly ModelEntryStatus[], current: string, combinedOf?: string): DetectorChoice[] {
  // Zero-shot detectors are chosen apart (zeroShotChoices): they run beside this one, never instead.
  const ready = models.filter((m) => m.state === 'ready' && m.kind !== 'zero-shot');
  const combinedName = models.find((m) => m.id === combinedOf)?.name;
  const out: DetectorChoice[] = [
    {
      id: AUTO_DETECTOR,
      label: !combinedOf
        ? t('choiceAutoBuiltIn')
        : ready.some((m) => m.id === combinedOf)
          ? t('choiceAutoCombined')
          : combinedName
            ? t('choiceAutoOnce', combinedName)
            : t('choiceAutoOnceItsModel'),
    },
    { id: EMBEDDED_DETECTOR, label: t('choiceBuiltInOnly') },
  ];
  for (const m of ready) out.push({ id: m.id, label: m.name });
  if (combinedOf && ready.some((m) => m.id === combinedOf)) out.push({ id: COMBINED_DETECTOR, label: t('choiceCombined') });
  if (!out.some((c) => c.id === current)) out.push({ id: current, label: t('choiceUnavailable', current), disabled: true });
  return out;
}

/** None, and every downloaded zero-shot detector; a stored choice no longer downloaded stays listed, disabled. */
export function zeroShotChoices(models: readonly ModelEntryStatus[], current: string | null): DetectorChoice[] {
  const out: DetectorChoice[] = [{ id: '', label: ZEROSHOT_WORDS.selectNone }];
  for (const m of models) if (m.kind === 'zero-shot' && m.state === 'ready') out.push({ id: m.id, label: m.name });
  if (current && !out.some((c) => c.id === current)) out.push({ id: current, label: `${current} (not downloaded)`, disabled: true });
  return out;
}

/** After deleting `deleted`, the detector setting to fall back to (undefined: leave it). */
export function detectorAfterDelete(current: string, deleted: string, combinedOf?: string): string | undefined {
  if (current === deleted || (current === COMBINED_DETECTOR && deleted === combinedOf)) return AUTO_DETECTOR;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Pages, sites and permissions

const SENSITIVITY_KEYS: Record<Sensitivity, { label: MessageKey; hint: MessageKey; at: MessageKey }> = {
  low: { label: 'sensitivityLow', hint: 'sensitivityLowHint', at: 'summaryAtLow' },
  balanced: { label: 'sensitivityBalanced', hint: 'sensitivityBalancedHint', at: 'summaryAtBalanced' },
  high: { label: 'sensitivityHigh', hint: 'sensitivityHighHint', at: 'summaryAtHigh' },
};

/** A sensitivity's name ("Balanced"), its hint, and the summary's "at balanced sensitivity". */
export function sensitivityText(s: Sensitivity): { label: string; hint: string; at: string } {
  const k = SENSITIVITY_KEYS[s];
  return { label: t(k.label), hint: t(k.hint), at: t(k.at) };
}

export function isSensitivity(v: unknown): v is Sensitivity {
  return SENSITIVITIES.includes(v as Sensitivity);
}

export type PageAccess = { scannable: true; hostname: string | null } | { scannable: false; reason: string };

/** Pages no extension may script (browser pages, extension stores); said up front instead of failing later. */
export function pageAccess(url: string | undefined): PageAccess {
  if (!url) return { scannable: true, hostname: null };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { scannable: true, hostname: null };
  }
  if (u.protocol === 'http:' || u.protocol === 'https:') {
    const store =
      (u.hostname === 'chrome.google.com' && u.pathname.startsWith('/webstore')) ||
      u.hostname === 'chromewebstore.google.com' ||
      u.hostname === 'microsoftedge.microsoft.com' ||
      u.hostname === 'addons.mozilla.org';
    if (store) return { scannable: false, reason: t('pageStore') };
    return { scannable: true, hostname: u.hostname };
  }
  if (u.protocol === 'file:') return { scannable: true, hostname: null };
  return { scannable: false, reason: t('pageBrowser') };
}

/** Per-site overrides, sorted by host name for the options page. */
export function siteList(settings: Pick<Settings, 'sites'>): { host: string; on: boolean }[] {
  return Object.entries(settings.sites)
    .map(([host, on]) => ({ host, on }))
    .sort((a, b) => a.host.localeCompare(b.host));
}

/** `?tab=123` opens the popup for that tab (tests open popup.html in a tab, which would be its own active tab). */
export function parseTabParam(search: string): number | null {
  const raw = new URLSearchParams(search).get('tab');
  if (raw === null || !/^\d+$/.test(raw)) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : null;
}

/** Turns a failed extension request into words a person understands. */
export function describeError(err: unknown, what: 'page' | 'background'): string {
  const msg = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  if (/cannot access|cannot be scripted|missing host permission|chrome:\/\/|about:|restricted/i.test(msg)) {
    return t('errorPageRestricted');
  }
  if (what === 'page') return t('errorNotRunning');
  if (/receiving end does not exist|could not establish connection|no handler|disconnected/i.test(msg)) {
    return t('errorBackgroundSilent');
  }
  return msg ? t('errorBackgroundBecause', msg) : t('errorBackground');
}

// ---------------------------------------------------------------------------------------------
// The embedded model's shipped metadata (models/embedded/meta.json), read defensively: its policy
// and the rates `npm run eval` (corpus test split) and `npm run eval:pages` (held-out real pages)
// measured with it, under `measured`.

export interface MetaRow {
  sensitivity: Sensitivity;
  /** P(machine) from which it flags, and from which an unflagged paragraph is unclear. */
  threshold?: number;
  unclear?: number;
  /** Human-written corpus texts flagged: in the kind of text where most are, and over all test texts. */
  fprWorst?: number;
  fprAll?: number;
  /** Human-written corpus texts marked unclear, in the kind of text where most are. */
  unclearWorst?: number;
  /** Paragraphs of real human-written pages (held-out manuals) flagged, and marked unclear. */
  fprPages?: number;
  unclearPages?: number;
  /** Machine-written corpus texts flagged. */
  tpr?: number;
}

export interface ModelMeta {
  name?: string;
  version?: string;
  minWords?: number;
  languages?: string[];
  /** What the corpus rates were measured on, and the real pages. */
  corpusOn?: string;
  pagesOn?: string;
  rows: MetaRow[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const prob = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1 ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 300) : undefined);
const at = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((x, k) => (isObj(x) ? x[k] : undefined), o);

/** Returns null when `raw` has nothing usable; never throws. */
export function parseMeta(raw: unknown): ModelMeta | null {
  if (!isObj(raw)) return null;
  const rows: MetaRow[] = [];
  for (const s of SENSITIVITIES) {
    const fields: Record<keyof Omit<MetaRow, 'sensitivity'>, unknown> = {
      threshold: at(raw, 'policy', 'thresholds', s),
      unclear: at(raw, 'policy', 'unclear', s),
      fprWorst: at(raw, 'measured', 'corpus', s, 'flaggedWorst'),
      fprAll: at(raw, 'measured', 'corpus', s, 'flagged'),
      unclearWorst: at(raw, 'measured', 'corpus', s, 'unclearWorst'),
      fprPages: at(raw, 'measured', 'pages', s, 'flagged'),
      unclearPages: at(raw, 'measured', 'pages', s, 'unclear'),
      tpr: at(raw, 'measured', 'corpus', s, 'caught'),
    };
    const row: MetaRow = { sensitivity: s };
    for (const [k, v] of Object.entries(fields)) if (prob(v) !== undefined) (row as unknown as Record<string, number>)[k] = prob(v)!;
    if (Object.keys(row).length > 1) rows.push(row);
  }
  const meta: ModelMeta = { rows };
  const name = str(raw.name);
  const version = str(raw.version);
  const corpusOn = str(at(raw, 'measured', 'corpus', 'on'));
  const pagesOn = str(at(raw, 'measured', 'pages', 'on'));
  const minWords = at(raw, 'policy', 'minWords');
  if (name) meta.name = name;
  if (version) meta.version = version;
  if (corpusOn) meta.corpusOn = corpusOn;
  if (pagesOn) meta.pagesOn = pagesOn;
  if (typeof minWords === 'number' && Number.isInteger(minWords) && minWords > 0) meta.minWords = minWords;
  if (Array.isArray(raw.languages)) {
    const langs = raw.languages.filter((l): l is string => typeof l === 'string' && l.length <= 10);
    if (langs.length) meta.languages = langs;
  }
  if (!rows.length && !name && !version && meta.minWords === undefined) return null;
  return meta;
}

/** A measured rate as a percentage with a decimal under 10% (0.4%, 2.1%), where whole percents hide the difference. */
export function formatRate(x: number): string {
  if (!Number.isFinite(x)) return '?';
  const pct = x * 100;
  if (pct > 0 && pct < 0.1) return t('lessThan', formatNumber(0.001, { style: 'percent', minimumFractionDigits: 1 }));
  const digits = pct < 10 ? 1 : 0;
  return formatNumber(Number((pct / 100).toFixed(digits + 2)), { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "About 3 in 100 human-written texts got flagged", from a measured false-positive rate. */
export function fprSentence(fpr: number): string {
  const per100 = fpr * 100;
  if (per100 < 1) {
    const per1000 = Math.round(fpr * 1000);
    return per1000 < 1 ? t('fprFewerThanPerThousand', 1000) : tn('fprPerThousand', per1000, 1000);
  }
  return tn('fprPerHundred', Math.round(per100), 100);
}
