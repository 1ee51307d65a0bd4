/**
 * "Export JSON" / "Export CSV": the page's report as a file (src/shared/export.ts formats it). The
 * file is a Blob behind an `<a download>`, which extension pages may do in Chrome and Firefox without
 * the `downloads` permission.
 */
import { useState } from 'preact/hooks';
import { COMBINED, findEntry } from '../core/roberta/registry.ts';
import type { Sensitivity } from '../core/types.ts';
import type { PageReport } from '../protocol/messages.ts';
import { buildExport, exportFileName, reportToCsv, reportToJson, type ExportContext, type ExportModel } from '../shared/export.ts';
import { messageGroup, t } from '../shared/i18n.ts';

/** The export's words (one place, for the translation catalogue). */
export const EXPORT_WORDS = messageGroup(
  { group: 'exportGroup', json: 'exportJson', csv: 'exportCsv' },
  { saved: (name: string) => t('exportSaved', name), failed: (why: string) => t('exportFailed', why) },
);

/** The models behind a detector id, each with the version the extension knows for it. */
export function modelsOf(detector: string, embeddedVersion: string | undefined): ExportModel[] {
  const ids = detector === 'combined' ? (COMBINED?.of ?? ['embedded']) : [detector];
  return ids.map((id) => {
    if (id === 'embedded') return { id, version: embeddedVersion ?? 'unknown' };
    const entry = findEntry(id);
    return { id, version: entry ? (entry.revision ?? 'main (revision not pinned)') : 'unknown' };
  });
}

export function exportContext(opts: { detector: string; detectorName?: string; embeddedVersion?: string; sensitivity: Sensitivity; now?: Date }): ExportContext {
  const ctx: ExportContext = {
    time: (opts.now ?? new Date()).toISOString(),
    detector: opts.detector,
    models: modelsOf(opts.detector, opts.embeddedVersion),
    sensitivity: opts.sensitivity,
  };
  if (opts.detectorName) ctx.detectorName = opts.detectorName;
  return ctx;
}

function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The browser has the file by then; the popup may close sooner, which frees it anyway.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

export function ExportButtons(props: { report: PageReport; context: () => ExportContext | null }) {
  const [note, setNote] = useState('');
  function save(kind: 'json' | 'csv') {
    try {
      const ctx = props.context();
      if (!ctx) throw new Error('the settings are not loaded yet');
      const doc = buildExport(props.report, ctx);
      const name = exportFileName(doc.url, doc.time, kind);
      if (kind === 'json') download(name, reportToJson(doc), 'application/json');
      else download(name, reportToCsv(doc, { bom: true }), 'text/csv;charset=utf-8');
      setNote(EXPORT_WORDS.saved(name));
    } catch (err) {
      setNote(EXPORT_WORDS.failed(err instanceof Error ? err.message : String(err)));
    }
  }
  return (
    <fieldset class="export">
      <legend class="visually-hidden">{EXPORT_WORDS.group}</legend>
      <button type="button" onClick={() => save('json')} data-testid="export-json">
        {EXPORT_WORDS.json}
      </button>
      <button type="button" onClick={() => save('csv')} data-testid="export-csv">
        {EXPORT_WORDS.csv}
      </button>
      <span class="hint export-note" aria-live="polite" data-testid="export-note">
        {note}
      </span>
    </fieldset>
  );
}
