/**
 * Everything the popup and options page compute that is not rendering: the page summary, how scores,
 * states and sizes are put into words, which detectors can be chosen, which pages can be scanned.
 * Pure functions only (no DOM, no extension API), so they run and are tested in Node.
 */
import { AUTO_DETECTOR, detectorLabel } from '../core/settings.ts';
export { ALL_SITES_PATTERN, patchForGrant, PENDING_GRANT_MAX_AGE_MS, sitePattern, type PendingGrant } from '../core/settings.ts';
import { SENSITIVITIES, type Sensitivity, type Verdict } from '../core/types.ts';
import type { Backend, DetectorStatus, ModelEntryStatus, PageReport, ReportItem, Settings } from '../protocol/messages.ts';

// ---------------------------------------------------------------------------------------------
// Numbers and words

/** A probability as a whole percentage; never "0%" or "100%", which would claim a certainty no detector has. */
export function formatPercent(p: number): string {
  if (!Number.isFinite(p)) return '?';
  const pct = p * 100;
  if (pct < 1) return '<1%';
  if (pct > 99) return '>99%';
  return `${Math.round(pct)}%`;
}

const MB = 1_000_000;

/** Download and storage sizes in decimal megabytes, as the Hub lists them. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 MB';
  if (bytes >= 1000 * MB) return `${(bytes / (1000 * MB)).toFixed(1)} GB`;
  if (bytes < MB) return '<1 MB';
  const mb = bytes / MB;
  return mb < 10 ? `${mb.toFixed(1)} MB` : `${Math.round(mb)} MB`;
}

const plural = (n: number, one: string, many = one + 's') => `${n} ${n === 1 ? one : many}`;

/** Collapses whitespace and cuts `text` to `max` characters (by code point), ending with an ellipsis. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  if (chars.length <= max) return flat;
  return chars.slice(0, Math.max(1, max - 1)).join('').trimEnd() + '…';
}

/** One honest sentence about what a calibrated P(machine) means. */
export function meaningOfScore(p: number): string {
  const n = Math.min(100, Math.max(0, Math.round(p * 100)));
  return (
    `P(machine) ${p.toFixed(2)} means: among texts that got a score like this in our evaluation, ` +
    `about ${n} in 100 were machine-written. It is not proof about this text.`
  );
}

// ---------------------------------------------------------------------------------------------
// Paragraph badges

export type BadgeKind = 'flagged' | 'scored' | 'too-short' | 'unsupported' | 'error' | 'pending';

export interface Badge {
  kind: BadgeKind;
  /** Short text on the badge: a percentage, or words (never a bare number for unscored states). */
  text: string;
  /** Longer words for screen readers and the tooltip. */
  label: string;
}

/** `unsupported` covers both "not English" and "not text": say which when the reason tells. */
function unsupportedWord(reason: string | undefined): string {
  return reason && /english/i.test(reason) ? 'not English' : 'not judged';
}

export function badgeFor(item: Pick<ReportItem, 'state' | 'verdict'>): Badge {
  const v = item.verdict;
  const reason = v?.reason;
  switch (item.state) {
    case 'pending':
      return { kind: 'pending', text: 'checking…', label: 'Still being checked' };
    case 'too-short':
      return { kind: 'too-short', text: 'too short', label: reason ?? 'Too short to judge' };
    case 'unsupported': {
      const word = unsupportedWord(reason);
      return { kind: 'unsupported', text: word, label: reason ?? 'Not judged: the detectors read English prose only' };
    }
    case 'error':
      return { kind: 'error', text: 'error', label: reason ?? 'The detector failed on this paragraph' };
    case 'scored': {
      if (!v || v.p_machine === null) return { kind: 'error', text: 'error', label: 'No score came back' };
      const pct = formatPercent(v.p_machine);
      return v.flagged
        ? { kind: 'flagged', text: pct, label: `Flagged: ${pct} likely machine-generated` }
        : { kind: 'scored', text: pct, label: `Not flagged: ${pct} likely machine-generated` };
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

/** Each detector's own score when a verdict combines several ("Built-in 62% · RoBERTa-base 81%"); '' otherwise. */
export function partsText(v: Verdict | undefined): string {
  if (v?.state !== 'scored' || !v.parts) return '';
  const parts = Object.entries(v.parts).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]));
  return parts.map(([id, p]) => `${detectorLabel(id)} ${formatPercent(p)}`).join(' · ');
}

// ---------------------------------------------------------------------------------------------
// Page summary

export interface Summary {
  total: number;
  scored: number;
  flagged: number;
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
        if (it.verdict?.flagged) {
          s.flagged++;
          s.flaggedChars += chars;
        }
        break;
    }
  }
  s.flaggedShare = s.judgedChars > 0 ? s.flaggedChars / s.judgedChars : null;
  return s;
}

export interface SummaryText {
  headline: string;
  /** How much of the judged text sits in flagged paragraphs, when anything is flagged. */
  share?: string;
  /** Secondary facts, each a short phrase. */
  details: string[];
}

export function summaryText(s: Summary, scanning: boolean): SummaryText {
  const details: string[] = [];
  if (s.tooShort) details.push(`${s.tooShort} too short to judge`);
  if (s.unsupported) details.push(`${s.unsupported} not judged (not English or not prose)`);
  if (s.errors) details.push(`${s.errors} failed`);
  if (s.pending) details.push(`${s.pending} still being checked`);
  let headline: string;
  let share: string | undefined;
  if (s.total === 0) headline = scanning ? 'Scanning the page…' : 'No paragraphs to check on this page.';
  else if (s.scored === 0) headline = s.pending ? `Checking ${plural(s.total, 'paragraph')}…` : 'No paragraph could be judged.';
  else {
    headline = `${s.flagged} of ${plural(s.scored, 'judged paragraph')} flagged`;
    if (s.flaggedShare !== null && s.flagged > 0) {
      share = `${formatShare(s.flaggedShare)} of the judged text (by characters) is in flagged paragraphs`;
    }
  }
  return share ? { headline, share, details } : { headline, details };
}

function formatShare(x: number): string {
  if (x > 0 && x < 0.01) return '<1%';
  return `${Math.round(x * 100)}%`;
}

/** Keep asking the content script while it is still working. */
export function shouldPoll(report: PageReport | null | undefined): boolean {
  return !!report && (report.scanning || report.items.some((i) => i.state === 'pending'));
}

/** Page order, as the content script reports it; a stable sort so equal keys keep their order. */
export function flaggedFirst(items: readonly ReportItem[]): ReportItem[] {
  return items
    .map((it, i) => ({ it, i }))
    .sort((a, b) => Number(!!b.it.verdict?.flagged) - Number(!!a.it.verdict?.flagged) || a.i - b.i)
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
  if (!st) return { tone: 'idle', text: 'Detector status unknown.' };
  const name = st.name || st.detector;
  const be = backendName(st.backend);
  switch (st.state) {
    case 'idle':
      return { tone: 'idle', text: `${name}: not loaded yet (it loads on the first scan).` };
    case 'loading': {
      const p = typeof st.progress === 'number' && Number.isFinite(st.progress) ? clamp01(st.progress) : undefined;
      return {
        tone: 'busy',
        text: `Loading ${name}${p !== undefined ? ` (${Math.round(p * 100)}%)` : ''}…`,
        ...(p !== undefined ? { progress: p } : {}),
      };
    }
    case 'ready':
      return { tone: 'ok', text: `${name} ready${be ? ` · runs on ${be}` : ''}` };
    case 'error':
      return {
        tone: 'error',
        text: `${name} could not start: ${st.error?.trim() || 'an unknown problem. Reopening the browser may help.'}`,
      };
  }
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

export function modelStateText(m: ModelEntryStatus): string {
  switch (m.state) {
    case 'absent':
      return `Not downloaded · ${formatBytes(m.bytes)}`;
    case 'downloading': {
      const p = typeof m.progress === 'number' ? clamp01(m.progress) : m.bytes > 0 ? clamp01(m.storedBytes / m.bytes) : 0;
      return `Downloading ${Math.round(p * 100)}% of ${formatBytes(m.bytes)}`;
    }
    case 'ready':
      return `Downloaded · ${formatBytes(m.storedBytes || m.bytes)}`;
    case 'error':
      return `Download failed${m.error ? `: ${m.error}` : ''}`;
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
  const ready = models.filter((m) => m.state === 'ready');
  const combinedName = models.find((m) => m.id === combinedOf)?.name;
  const out: DetectorChoice[] = [
    {
      id: AUTO_DETECTOR,
      label: !combinedOf
        ? 'Automatic (built-in model)'
        : ready.some((m) => m.id === combinedOf)
          ? 'Automatic (built-in + downloaded, combined)'
          : `Automatic (built-in; combined once ${combinedName ?? 'its model'} is downloaded)`,
    },
    { id: EMBEDDED_DETECTOR, label: 'Built-in model only (small, fast)' },
  ];
  for (const m of ready) out.push({ id: m.id, label: m.name });
  if (combinedOf && ready.some((m) => m.id === combinedOf)) out.push({ id: COMBINED_DETECTOR, label: 'Combined (built-in + downloaded)' });
  if (!out.some((c) => c.id === current)) out.push({ id: current, label: `${current} (not available)`, disabled: true });
  return out;
}

/** After deleting `deleted`, the detector setting to fall back to (undefined: leave it). */
export function detectorAfterDelete(current: string, deleted: string, combinedOf?: string): string | undefined {
  if (current === deleted || (current === COMBINED_DETECTOR && deleted === combinedOf)) return AUTO_DETECTOR;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Pages, sites and permissions

export const SENSITIVITY_TEXT: Record<Sensitivity, { label: string; hint: string }> = {
  low: { label: 'Low', hint: 'only very likely text; fewest false alarms.' },
  balanced: { label: 'Balanced', hint: 'the default middle ground.' },
  high: { label: 'High', hint: 'flags more; expect more false alarms.' },
};

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
    if (store) return { scannable: false, reason: 'The browser does not let extensions read its add-on store pages.' };
    return { scannable: true, hostname: u.hostname };
  }
  if (u.protocol === 'file:') return { scannable: true, hostname: null };
  return { scannable: false, reason: 'This is a browser page: extensions cannot read it. Open a web page to scan it.' };
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
    return 'The browser does not let extensions read this page.';
  }
  if (what === 'page') return 'Telltale is not running on this page yet.';
  if (/receiving end does not exist|could not establish connection|no handler|disconnected/i.test(msg)) {
    return 'Telltale’s background is not answering (it may be restarting). Try again in a moment.';
  }
  return `Something went wrong talking to Telltale’s background${msg ? ` (${msg})` : ''}. Try again in a moment.`;
}

// ---------------------------------------------------------------------------------------------
// The embedded model's shipped metadata (models/embedded/meta.json), read defensively.

export interface MetaRow {
  sensitivity: Sensitivity;
  threshold?: number;
  /** Share of human-written texts flagged at this threshold, measured on the test split. */
  fpr?: number;
  /** Share of machine-written texts flagged. */
  tpr?: number;
}

export interface ModelMeta {
  name?: string;
  version?: string;
  minWords?: number;
  languages?: string[];
  /** What the rates were measured on, if the file says. */
  evaluatedOn?: string;
  rows: MetaRow[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const prob = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1 ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 200) : undefined);

/** Looks up a per-sensitivity number under any of `keys`, in `obj` or its `policy` / `eval` / `metrics` parts. */
function perSensitivity(obj: Record<string, unknown>, keys: string[], s: Sensitivity): number | undefined {
  const places = [obj, obj.policy, obj.eval, obj.evaluation, obj.metrics, obj.measured].filter(isObj);
  for (const place of places) {
    for (const k of keys) {
      const table = place[k];
      if (isObj(table)) {
        const v = table[s];
        const p = prob(v) ?? (isObj(v) ? prob(v.fpr ?? v.value) : undefined);
        if (p !== undefined) return p;
      }
    }
  }
  // { sensitivities: { low: { threshold, fpr, tpr } } }
  const bySens = obj.sensitivities;
  if (isObj(bySens) && isObj(bySens[s])) {
    const row = bySens[s] as Record<string, unknown>;
    for (const k of keys) if (prob(row[k]) !== undefined) return prob(row[k]);
  }
  return undefined;
}

/** Returns null when `raw` has nothing usable; never throws. */
export function parseMeta(raw: unknown): ModelMeta | null {
  if (!isObj(raw)) return null;
  const rows: MetaRow[] = [];
  for (const s of SENSITIVITIES) {
    const row: MetaRow = { sensitivity: s };
    const threshold = perSensitivity(raw, ['thresholds', 'threshold'], s);
    const fpr = perSensitivity(raw, ['fpr', 'fprs', 'falsePositiveRate', 'falsePositiveRates', 'false_positive_rate'], s);
    const tpr = perSensitivity(raw, ['tpr', 'tprs', 'truePositiveRate', 'truePositiveRates', 'recall'], s);
    if (threshold !== undefined) row.threshold = threshold;
    if (fpr !== undefined) row.fpr = fpr;
    if (tpr !== undefined) row.tpr = tpr;
    if (threshold !== undefined || fpr !== undefined || tpr !== undefined) rows.push(row);
  }
  const policy = isObj(raw.policy) ? raw.policy : {};
  const minWordsRaw = raw.minWords ?? policy.minWords;
  const meta: ModelMeta = { rows };
  const name = str(raw.name);
  const version = str(raw.version);
  const evaluatedOn = str(raw.evaluatedOn ?? raw.testSet ?? raw.split ?? raw.dataset);
  if (name) meta.name = name;
  if (version) meta.version = version;
  if (evaluatedOn) meta.evaluatedOn = evaluatedOn;
  if (typeof minWordsRaw === 'number' && Number.isInteger(minWordsRaw) && minWordsRaw > 0) meta.minWords = minWordsRaw;
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
  if (pct > 0 && pct < 0.1) return '<0.1%';
  return pct < 10 ? `${pct.toFixed(1)}%` : `${Math.round(pct)}%`;
}

/** "About 3 in 100 human-written paragraphs get flagged", from a measured false-positive rate. */
export function fprSentence(fpr: number): string {
  const per100 = fpr * 100;
  if (per100 < 1) {
    const per1000 = Math.round(fpr * 1000);
    return per1000 < 1 ? 'Fewer than 1 in 1,000 human-written paragraphs got flagged' : `About ${per1000} in 1,000 human-written paragraphs got flagged`;
  }
  return `About ${Math.round(per100)} in 100 human-written paragraphs got flagged`;
}
