/**
 * What the background knows of a tab's frames: each frame's content script reports its own counts
 * (flagged, total); the badge shows the sum. Pure, so that the rules are tested in Node; the background
 * keeps the state in `storage.session` (src/background/frames.ts).
 *
 * A report carries `since`, its document's `performance.timeOrigin`. That tells documents apart without
 * any navigation events: a report older than the one stored for its frame comes from a document that
 * is gone (a late `pagehide` report), and when the top frame reports a new document, every frame report
 * older than it belonged to the previous page.
 */

export interface FrameCounts {
  flagged: number;
  total: number;
  /** The reporting document's time origin (ms since the epoch). */
  since: number;
}

/** Frame id -> its latest counts. */
export type TabFrames = Record<string, FrameCounts>;

/** Frames per tab at most (a page cannot grow the state without bound). */
export const MAX_FRAMES_PER_TAB = 64;

export function applyFrameReport(state: TabFrames | undefined, frameId: number, report: FrameCounts): TabFrames {
  const next: TabFrames = { ...(state ?? {}) };
  const cur = next[frameId];
  if (cur && report.since < cur.since) return next;
  next[frameId] = { flagged: report.flagged, total: report.total, since: report.since };
  if (frameId === 0 && (!cur || report.since > cur.since)) {
    for (const [id, c] of Object.entries(next)) if (id !== '0' && c.since < report.since) delete next[id];
  }
  const ids = Object.keys(next);
  if (ids.length > MAX_FRAMES_PER_TAB) {
    // Keep the top frame and the most recently started documents.
    const oldest = ids.filter((id) => id !== '0').sort((a, b) => next[a]!.since - next[b]!.since).slice(0, ids.length - MAX_FRAMES_PER_TAB);
    for (const id of oldest) delete next[id];
  }
  return next;
}

export function sumFrames(state: TabFrames | undefined): { flagged: number; total: number } {
  let flagged = 0;
  let total = 0;
  for (const c of Object.values(state ?? {})) {
    flagged += c.flagged;
    total += c.total;
  }
  return { flagged, total };
}

/** Frame ids known to have a content script, top frame first. */
export function frameIds(state: TabFrames | undefined): number[] {
  const ids = new Set(Object.keys(state ?? {}).map(Number).filter(Number.isSafeInteger));
  ids.add(0);
  return [...ids].sort((a, b) => a - b);
}
