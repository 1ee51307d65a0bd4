/**
 * A page's report as a file a reader can take away: JSON (the whole structure) and CSV (one row per
 * paragraph, the page's facts repeated on each row so that every row stands alone in a spreadsheet).
 * Pure (no DOM, no extension API): the popup builds the Blob, tests parse the text back.
 *
 * CSV: RFC 4180 (comma-separated, CRLF line ends, a field holding a comma, quote, CR or LF is quoted,
 * quotes doubled; a header row). Cells a spreadsheet would run as a formula (starting with = + - @,
 * a tab or a CR) get a leading apostrophe, the OWASP guard against CSV injection: a page's own text
 * ends up in the excerpt and evidence cells. `bom: true` puts a UTF-8 byte-order mark first, which
 * Excel needs to read the file as UTF-8; the popup's downloads carry it.
 */
import type { HumanShare, Level, ParagraphState, Sensitivity, Verdict } from '../core/types.ts';
import type { PageReport } from '../protocol/messages.ts';
import { shareShort } from './verdict-words.ts';

export const EXPORT_FORMAT = 'telltale-report';
export const EXPORT_SCHEMA = 1;
/** Characters of a paragraph kept in the export (the report's preview is at most 120). */
export const EXCERPT_CHARS = 100;
/** Evidence sentences kept per paragraph (the strongest, as the card shows). */
export const EVIDENCE_MAX = 3;

export interface ExportModel {
  /** Detector id (`embedded`, `roberta-base`, …). */
  id: string;
  /** Its version as the extension knows it: the embedded model's meta.json version, a Hub model's pinned revision. */
  version: string;
}

export interface ExportContext {
  /** ISO 8601 time of the export. */
  time: string;
  /** The detector the settings resolve to (`combined` when both run), and its name. */
  detector: string;
  detectorName?: string;
  /** The models behind it, each with its version. */
  models: ExportModel[];
  sensitivity: Sensitivity;
}

export interface ExportParagraph {
  /** 1-based position in page order: the top frame's paragraphs, then each frame's. */
  index: number;
  /** The frame it is in (0: the page itself). */
  frame: number;
  excerpt: string;
  state: ParagraphState;
  /** Calibrated P(machine) under equal prior odds; null where none was given. */
  p_machine: number | null;
  level: Level | null;
  /** How often human-written text scores this high (share of the reference, 0..1), in numbers and words. */
  human_share: (HumanShare & { words: string }) | null;
  /** Id of the detector that judged it. */
  detector: string | null;
  evidence: string[];
  /** Why it was not judged, where it was not. */
  reason?: string;
}

export interface ExportDoc extends ExportContext {
  format: typeof EXPORT_FORMAT;
  schema: typeof EXPORT_SCHEMA;
  url: string;
  paragraphs: ExportParagraph[];
}

/** Collapses whitespace and cuts to `max` code points with an ellipsis. */
function excerpt(text: string, max = EXCERPT_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

function evidenceTexts(v: Verdict | undefined): string[] {
  return (v?.evidence ?? [])
    .filter((e) => e && typeof e.text === 'string' && e.weight > 0 && e.text.trim())
    .sort((a, b) => b.weight - a.weight)
    .slice(0, EVIDENCE_MAX)
    .map((e) => e.text.replace(/\s+/g, ' ').trim());
}

/** The report as one document (JSON's content, and the CSV's rows). */
export function buildExport(report: PageReport, ctx: ExportContext): ExportDoc {
  const paragraphs = report.items.map((item, i): ExportParagraph => {
    const v = item.verdict;
    const p: ExportParagraph = {
      index: i + 1,
      frame: item.frameId ?? 0,
      excerpt: excerpt(item.preview),
      state: item.state,
      p_machine: typeof v?.p_machine === 'number' && Number.isFinite(v.p_machine) ? v.p_machine : null,
      level: item.state === 'scored' ? (v?.level ?? null) : null,
      human_share: item.state === 'scored' && v?.humanShare ? { ...v.humanShare, words: shareShort(v.humanShare) } : null,
      detector: v?.detector ?? null,
      evidence: evidenceTexts(v),
    };
    if (v?.reason) p.reason = v.reason;
    return p;
  });
  return { format: EXPORT_FORMAT, schema: EXPORT_SCHEMA, url: report.url, ...ctx, paragraphs };
}

export function reportToJson(doc: ExportDoc): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export const CSV_COLUMNS = [
  'url',
  'time',
  'detector',
  'model_version',
  'sensitivity',
  'frame',
  'index',
  'excerpt',
  'state',
  'p_machine',
  'level',
  'human_share',
  'evidence_1',
  'evidence_2',
  'evidence_3',
  'reason',
] as const;

/** One CSV field: the injection guard, then RFC 4180 quoting. */
export function csvCell(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** "embedded 1.0.0; roberta-base main": every model behind the detector with its version. */
export const modelVersionText = (models: readonly ExportModel[]) => models.map((m) => `${m.id} ${m.version}`).join('; ');

export function reportToCsv(doc: ExportDoc, opts: { bom?: boolean } = {}): string {
  const lines = [CSV_COLUMNS.join(',')];
  const version = modelVersionText(doc.models);
  for (const p of doc.paragraphs) {
    const row: Record<(typeof CSV_COLUMNS)[number], string | number | null> = {
      url: doc.url,
      time: doc.time,
      detector: doc.detector,
      model_version: version,
      sensitivity: doc.sensitivity,
      frame: p.frame,
      index: p.index,
      excerpt: p.excerpt,
      state: p.state,
      p_machine: p.p_machine,
      level: p.level,
      human_share: p.human_share?.words ?? null,
      evidence_1: p.evidence[0] ?? null,
      evidence_2: p.evidence[1] ?? null,
      evidence_3: p.evidence[2] ?? null,
      reason: p.reason ?? null,
    };
    lines.push(CSV_COLUMNS.map((c) => csvCell(row[c])).join(','));
  }
  return `${(opts.bom ? '\uFEFF' : '') + lines.join('\r\n')}\r\n`;
}

/** `telltale-news.example.org-2026-12-01T23-40-00Z.csv`: the host and the time, safe in any file system. */
export function exportFileName(url: string, time: string, ext: 'json' | 'csv'): string {
  let host = 'page';
  try {
    host = new URL(url).hostname || 'page';
  } catch {
    /* keep "page" */
  }
  const safe = (s: string) => s.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'page';
  const stamp = time.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return `telltale-${safe(host)}-${safe(stamp)}.${ext}`;
}
