/**
 * A page is its top frame and its frames, each scanned by its own content script: the popup asks
 * every frame for its report and shows one list. Pure (tested in Node); src/popup/api.ts does the asking.
 */
import type { PageReport, ReportItem } from '../protocol/messages.ts';

export interface FrameReport {
  frameId: number;
  report: PageReport;
}

/**
 * One report for the page: the top frame's URL and selection (or a frame's, where the selection was
 * made), scanning while any frame scans, and the items of the top frame and then of each frame in
 * frame order, every item tagged with its frame (a row reveals its paragraph inside that frame).
 */
export function mergeFrameReports(parts: readonly FrameReport[]): PageReport {
  const sorted = [...parts].sort((a, b) => a.frameId - b.frameId);
  const top = sorted.find((p) => p.frameId === 0) ?? sorted[0];
  const items: ReportItem[] = [];
  for (const { frameId, report } of sorted) for (const item of report.items) items.push({ ...item, frameId });
  const merged: PageReport = { url: top?.report.url ?? '', scanning: sorted.some((p) => p.report.scanning), items };
  const selection = top?.report.selection ?? sorted.find((p) => p.report.selection)?.report.selection;
  if (selection) merged.selection = selection;
  // The deep check runs in each frame on its own paragraphs: one progress for the page.
  const deeps = sorted.flatMap((p) => (p.report.deep ? [p.report.deep] : []));
  if (deeps.length) {
    const running = deeps.some((d) => d.running);
    merged.deep = { done: deeps.reduce((n, d) => n + d.done, 0), total: deeps.reduce((n, d) => n + d.total, 0), running };
    if (!running && deeps.some((d) => d.cancelled)) merged.deep.cancelled = true;
    const error = deeps.find((d) => d.error)?.error;
    if (error) merged.deep.error = error;
  }
  return merged;
}

/** A row's identity: keys are per frame, so two frames can both have a `t1`. */
export const rowId = (item: Pick<ReportItem, 'key' | 'frameId'>) => `${item.frameId ?? 0}:${item.key}`;
