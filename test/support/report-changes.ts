/**
 * Test helper: a whole report as an answer to `ui:cs:changes` (every item and every key, nothing
 * more waiting), for the fake extensions that hold a report instead of a scanner. By the protocol a
 * reader may be sent unchanged items again, so this answer is always a correct one.
 */
import type { PageReport, ReportChanges } from '../../src/protocol/messages.ts';

export function wholeChanges(report: PageReport): ReportChanges {
  const { items, ...head } = structuredClone(report);
  return { ...head, cursor: { epoch: 'fake', rev: 0, seq: 0 }, items, keys: items.map((i) => i.key), more: false };
}
