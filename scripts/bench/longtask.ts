/**
 * `npm run bench -- longtask`: the slowest main-thread tasks the content script causes, on the
 * 10,000-paragraph page of test/e2e/hostile.test.ts (its generator repeats texts), on 10,000 distinct
 * paragraphs, and on a typical article
 * (test/fixtures/pages/article.html), in headless Chromium with the built extension. The page's own
 * scripts have finished before the scan is asked for; from then on the page is idle, so the long tasks
 * are the scan's (Long Tasks API, `longtask` entries over 50 ms). The Long Animation Frames API adds
 * script attribution: the longest script run by a frame whose source is the extension's content.js.
 * With the popup open, its poll is included: every 500 ms while the scan runs, what changed since
 * the last poll (`ui:cs:changes`, followed by the popup's own ReportCopy); with it closed, the test
 * reads the public marks from the page instead (2 s apart, a tiny task of its own).
 * Target: no task over 50 ms. Build first (`npm run build`).
 */
import { sleep, waitFor } from '../../test/support/browsers.ts';
import { BIG_PAGE, inChromium, sendFromExtension, tabIdOf } from '../../test/support/scenario.ts';
import type { ReportChanges, ReportCursor } from '../../src/protocol/messages.ts';
import { follow, ReportCopy } from '../../src/popup/report-sync.ts';

export const OBSERVE = `(() => {
  const out = (window.__telltaleLongTasks = { tasks: [], scripts: [] });
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) out.tasks.push({ start: e.startTime, duration: e.duration }); }).observe({ type: 'longtask', buffered: true });
  } catch {}
  try {
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) for (const s of e.scripts || []) out.scripts.push({ start: s.startTime, duration: s.duration, source: s.sourceURL || '', invoker: s.invoker || '', frame: e.duration });
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch {}
})()`;

/** The same, each paragraph made distinct by its number (BIG_PAGE's generator repeats its texts: it loses precision). */
export const BIG_DISTINCT = BIG_PAGE.replace("p.textContent = Array", "p.textContent = 'Paragraph ' + i + ': ' + Array");

interface Measured {
  tasks: { start: number; duration: number }[];
  scripts: { start: number; duration: number; source: string; invoker: string; frame: number }[];
}

export async function run(): Promise<void> {
  await inChromium({}, async ({ h, site, control }) => {
    const rows: string[] = [];
    for (const [name, path, build, n, popup] of [
      ['typical article (article.html)', 'article.html', null, 0, false],
      ['typical article, popup open', 'article.html', null, 0, true],
      ['10,000 paragraphs', 'empty.html', BIG_PAGE, 10_000, false],
      ['10,000 paragraphs, popup open', 'empty.html', BIG_PAGE, 10_000, true],
      ['10,000 distinct paragraphs', 'empty.html', BIG_DISTINCT, 10_000, false],
      ['10,000 distinct paragraphs, popup open', 'empty.html', BIG_DISTINCT, 10_000, true],
      ['typical article (article.html), again', 'article.html', null, 0, false],
      ['10,000 paragraphs, again', 'empty.html', BIG_PAGE, 10_000, false],
    ] as const) {
      const page = await h.browser.newPage();
      await page.evaluateOnNewDocument(OBSERVE);
      await page.goto(site.url(path), { waitUntil: 'load' });
      if (build) await page.evaluate(build);
      await sleep(1000); // the page's own work is over
      const since = (await page.evaluate('performance.now()')) as number;
      const tabId = await tabIdOf(control, site.url(path));
      const t0 = Date.now();
      await sendFromExtension(control, 'ui:bg:scan-tab', { tabId });
      let items = 0;
      // As the open popup does: its copy of the report, followed by what changed.
      const followReport = (copy: ReportCopy) => follow(copy, (since: ReportCursor | null) => sendFromExtension<ReportChanges>(control, 'ui:cs:changes', { since }, tabId));
      const copy = new ReportCopy();
      await waitFor(
        async () => {
          if (!popup) {
            // Popup closed: only the public marks are read (from outside the page's main thread work).
            // Two selector counts: a few ms on the page's main thread, not a long task of the test's own.
            const [all, pending] = (await page.evaluate(`[document.querySelectorAll('[data-telltale-state]').length, document.querySelectorAll('[data-telltale-state="pending"]').length]`)) as [number, number];
            items = all;
            return all >= (n || 1) && pending === 0;
          }
          // As the open popup does.
          const r = await followReport(copy);
          items = r.items.length;
          return !r.scanning && r.items.length >= (n || 1) && r.items.every((i) => i.state !== 'pending');
        },
        `${name} to settle`,
        300_000,
        popup ? 500 : 2000,
      );
      const settle = Date.now() - t0;
      await sleep(500);
      const m = (await page.evaluate('window.__telltaleLongTasks')) as Measured;
      const tasks = m.tasks.filter((t) => t.start >= since);
      const ours = m.scripts.filter((s) => s.start >= since && s.source.startsWith(h.base));
      const maxTask = Math.max(0, ...tasks.map((t) => t.duration));
      const maxScript = Math.max(0, ...ours.map((s) => s.duration));
      const worst = ours.sort((a, b) => b.duration - a.duration)[0];
      rows.push(
        `| ${name} | ${items} | ${settle} | ${tasks.length} | ${maxTask.toFixed(0)} | ${ours.length ? `${maxScript.toFixed(0)} (${worst?.invoker || '?'})` : 'none'} |`,
      );
      console.log(rows.at(-1));
      if (build === BIG_DISTINCT && !popup) {
        // The popup opened on the settled page: its first poll brings all 10,000 items, in parts.
        const from = (await page.evaluate('performance.now()')) as number;
        const t1 = Date.now();
        const r = await followReport(new ReportCopy());
        const filled = Date.now() - t1;
        await sleep(500);
        const after = ((await page.evaluate('window.__telltaleLongTasks')) as Measured).tasks.filter((t) => t.start >= from);
        rows.push(`| ${name}, popup opened after the scan (its first poll; column 3: ms to fill it) | ${r.items.length} | ${filled} | ${after.length} | ${Math.max(0, ...after.map((t) => t.duration)).toFixed(0)} | – |`);
        console.log(rows.at(-1));
      }
      await page.close();
    }
    console.log('\n| page | paragraphs | settled in (ms) | long tasks (> 50 ms) during the scan | longest task (ms) | longest content-script run in a long animation frame (ms, invoker) |');
    console.log('|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
  });
}
