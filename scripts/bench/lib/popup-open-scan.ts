/**
 * The row "10,000 distinct paragraphs, popup open" of `longtask`, once, for the benches that repeat it
 * (`longtask-repeat`, `longtask-trace`): a fresh tab, the page built and left to rest, then a scan
 * followed as the open popup follows it (its copy of the report, what changed every 500 ms) until
 * every paragraph is settled.
 */
import type { Page } from 'puppeteer-core';
import { sleep, waitFor } from '../../../test/support/browsers.ts';
import { sendFromExtension, tabIdOf, type ChromiumRun } from '../../../test/support/scenario.ts';
import type { ReportChanges, ReportCursor } from '../../../src/protocol/messages.ts';
import { follow, ReportCopy } from '../../../src/popup/report-sync.ts';
import { BIG_DISTINCT } from '../longtask.ts';

export interface PopupOpenScan {
  /** Runs in the page before it loads (an observer of its tasks). */
  onNewDocument?: string;
  /** Runs once the page has rested, just before the scan is asked for. */
  beforeScan?: (page: Page) => Promise<void>;
}

/** Returns the tab, still open (the caller reads what it measured, then closes it), and the time to settle. */
export async function popupOpenScan({ h, site, control }: ChromiumRun, opts: PopupOpenScan = {}): Promise<{ page: Page; settleMs: number }> {
  const page = await h.browser.newPage();
  if (opts.onNewDocument) await page.evaluateOnNewDocument(opts.onNewDocument);
  await page.goto(site.url('empty.html'), { waitUntil: 'load' });
  await page.evaluate(BIG_DISTINCT);
  await sleep(1000); // the page's own work is over
  const tabId = await tabIdOf(control, site.url('empty.html'));
  await opts.beforeScan?.(page);
  const t0 = Date.now();
  await sendFromExtension(control, 'ui:bg:scan-tab', { tabId });
  const copy = new ReportCopy();
  await waitFor(
    async () => {
      const r = await follow(copy, (s: ReportCursor | null) => sendFromExtension<ReportChanges>(control, 'ui:cs:changes', { since: s }, tabId));
      return !r.scanning && r.items.length >= 10_000 && r.items.every((i) => i.state !== 'pending');
    },
    'the scan to settle',
    300_000,
    500,
  );
  const settleMs = Date.now() - t0;
  await sleep(500);
  return { page, settleMs };
}
