/**
 * `npm run bench -- longtask-repeat [runs]`: the row of `longtask` that had a task over 50 ms once in
 * four runs (10,000 distinct paragraphs, the popup open and following its copy of the report), repeated
 * `runs` times (default 20) in one browser, each on a fresh tab. Prints each run's long tasks (Long
 * Tasks API, over 50 ms, from the scan's start to its settling): duration and start after the scan was
 * asked for. Build first (`npm run build`).
 */
import { sleep, waitFor } from '../../test/support/browsers.ts';
import { inChromium, sendFromExtension, tabIdOf } from '../../test/support/scenario.ts';
import type { ReportChanges, ReportCursor } from '../../src/protocol/messages.ts';
import { follow, ReportCopy } from '../../src/popup/report-sync.ts';
import { BIG_DISTINCT, OBSERVE } from './longtask.ts';

export async function run(): Promise<void> {
  const runs = Number(process.argv[3] ?? 20);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer, not ${process.argv[3]}`);
  const all: number[] = [];
  await inChromium({}, async ({ h, site, control }) => {
    for (let k = 0; k < runs; k++) {
      const page = await h.browser.newPage();
      await page.evaluateOnNewDocument(OBSERVE);
      await page.goto(site.url('empty.html'), { waitUntil: 'load' });
      await page.evaluate(BIG_DISTINCT);
      await sleep(1000); // the page's own work is over
      const since = (await page.evaluate('performance.now()')) as number;
      const tabId = await tabIdOf(control, site.url('empty.html'));
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
      const settle = Date.now() - t0;
      await sleep(500);
      const m = (await page.evaluate('window.__telltaleLongTasks')) as { tasks: { start: number; duration: number }[] };
      const tasks = m.tasks.filter((t) => t.start >= since);
      all.push(tasks.length);
      console.log(`run ${k + 1}: settled in ${settle} ms; long tasks over 50 ms: ${tasks.length}${tasks.map((t) => `, ${t.duration.toFixed(0)} ms at ${(t.start - since).toFixed(0)} ms`).join('')}`);
      await page.close();
    }
  });
  console.log(`\n${all.filter((n) => n > 0).length} of ${runs} runs had a task over 50 ms (${all.reduce((a, b) => a + b, 0)} in all)`);
}
