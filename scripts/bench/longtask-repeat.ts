/**
 * `npm run bench -- longtask-repeat [runs]`: the row of `longtask` that had a task over 50 ms once in
 * four runs (10,000 distinct paragraphs, the popup open and following its copy of the report), repeated
 * `runs` times (default 20) in one browser, each on a fresh tab. Prints each run's long tasks (Long
 * Tasks API, over 50 ms, from the scan's start to its settling): duration and start after the scan was
 * asked for. Build first (`npm run build`).
 */
import { inChromium } from '../../test/support/scenario.ts';
import { popupOpenScan } from './lib/popup-open-scan.ts';
import { OBSERVE } from './longtask.ts';

export async function run(): Promise<void> {
  const runs = Number(process.argv[3] ?? 20);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer, not ${process.argv[3]}`);
  const all: number[] = [];
  await inChromium({}, async (chromium) => {
    for (let k = 0; k < runs; k++) {
      let since = 0;
      const { page, settleMs: settle } = await popupOpenScan(chromium, {
        onNewDocument: OBSERVE,
        beforeScan: async (p) => {
          since = (await p.evaluate('performance.now()')) as number;
        },
      });
      const m = (await page.evaluate('window.__telltaleLongTasks')) as { tasks: { start: number; duration: number }[] };
      const tasks = m.tasks.filter((t) => t.start >= since);
      all.push(tasks.length);
      console.log(`run ${k + 1}: settled in ${settle} ms; long tasks over 50 ms: ${tasks.length}${tasks.map((t) => `, ${t.duration.toFixed(0)} ms at ${(t.start - since).toFixed(0)} ms`).join('')}`);
      await page.close();
    }
  });
  console.log(`\n${all.filter((n) => n > 0).length} of ${runs} runs had a task over 50 ms (${all.reduce((a, b) => a + b, 0)} in all)`);
}
