/**
 * The four defects of issue 11 in a real browser (test/fixtures/pages/defects.html): paragraphs in
 * same- and cross-origin frames are scanned, reported per frame, summed in the badge and revealed
 * inside their frame from the popup; paragraphs nested 300 boxes deep are scanned; invisible text is
 * never judged; the scan adds no tab stops, and the keyboard command moves focus between marks.
 */
import assert from 'node:assert/strict';
import type { Frame, Page } from 'puppeteer-core';
import { serveFixtures, waitFor, type Harness } from './browsers.ts';
import { framesOf, sendFromExtension, storeSettings, tabIdOf } from './scenario.ts';

interface Item { key: string; state: string; preview: string; verdict?: { flagged: boolean; state: string } }
interface Report { scanning: boolean; items: Item[] }

/** `[id, state]` of every element marked data-expect in a frame. */
const expectations = (f: Frame) =>
  f.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-expect]')].map((el) => ({
      id: el.id || el.className,
      expect: el.dataset.expect!,
      state: el.getAttribute('data-telltale-state'),
    })),
  );

/** Elements in the sequential focus order through a tabindex (>= 0); tabindex="-1" takes no tab stop. */
const tabStops = (f: Frame) =>
  f.evaluate(() =>
    [...document.querySelectorAll('[tabindex]')].filter((el) => Number(el.getAttribute('tabindex')) >= 0).map((el) => `${el.id || el.localName}=${el.getAttribute('tabindex')}`),
  );
/** Every tabindex attribute, -1 included. */
const tabindexes = (f: Frame) => f.evaluate(() => [...document.querySelectorAll('[tabindex]')].map((el) => `${el.id || el.localName}=${el.getAttribute('tabindex')}`));

export async function runDefectsScenario(
  h: Harness,
  opts: {
    command: (tabId: number, name: string) => Promise<void>;
    /**
     * Whether blur() fires `blur` in a frame whose document has no focus. Chromium does; Firefox
     * moves activeElement without an event there, so the reveal's tabindex="-1" (which is no tab stop)
     * stays until focus next moves in that document.
     */
    blurWithoutFocus: boolean;
  },
): Promise<Record<string, number>> {
  const site = await serveFixtures();
  const other = await serveFixtures();
  const timings: Record<string, number> = {};
  try {
    const control = await h.openExtensionPage('options.html');
    await storeSettings(control, { sensitivity: 'high' });
    const page: Page = await h.browser.newPage();
    const crossBase = other.url('');
    const url = site.url(`defects.html?x=${encodeURIComponent(crossBase)}`);
    await page.goto(url, { waitUntil: 'load' });
    await waitFor(() => page.frames().length >= 3 && page.frames().every((f) => f.url() !== 'about:blank'), 'both frames to load');
    const tabId = await tabIdOf(control, url);
    const stopsBefore = await Promise.all(page.frames().map(tabStops));
    const indexesBefore = await Promise.all(page.frames().map(tabindexes));

    const t0 = Date.now();
    assert.deepEqual(await sendFromExtension(control, 'ui:bg:scan-tab', { tabId }), { ok: true });
    const frames = await framesOf(control, tabId);
    assert.equal(frames.length, 3, `three frames: ${JSON.stringify(frames)}`);
    // Every frame reports for itself, and every report settles.
    const reports = await waitFor(async () => {
      const out: { frameId: number; url: string; report: Report }[] = [];
      for (const f of frames) {
        const report = await sendFromExtension<Report>(control, 'ui:cs:report', {}, tabId, f.frameId);
        if (!report || report.scanning || report.items.length === 0 || report.items.some((i) => i.state === 'pending')) return null;
        out.push({ ...f, report });
      }
      return out;
    }, 'every frame to report a settled scan', 90_000);
    timings.settle = Date.now() - t0;

    // Defects 1-3: frames scanned, deep paragraphs scanned, invisible text never judged.
    for (const f of page.frames()) {
      for (const e of await expectations(f)) {
        if (e.expect === 'prose') assert.ok(e.state && e.state !== 'pending', `${f.url()} #${e.id} (visible prose) got state ${e.state}`);
        else assert.equal(e.state, null, `${f.url()} #${e.id} (invisible) must not be judged`);
      }
    }
    const sameFrame = reports.find((r) => r.url.includes('f=same'))!;
    const crossFrame = reports.find((r) => r.url.includes('f=cross'))!;
    assert.ok(sameFrame && crossFrame, 'the same-origin and the cross-origin frame both report');
    for (const r of [sameFrame, crossFrame]) assert.equal(r.report.items.length, 2, `${r.url}: its own two paragraphs`);
    const top = reports.find((r) => r.frameId === 0)!;
    assert.ok(!top.report.items.some((i) => /lives in a frame/.test(i.preview)), 'the top frame does not report its frames\' paragraphs');

    // The badge sums the flagged paragraphs of every frame.
    const flagged = reports.reduce((n, r) => n + r.report.items.filter((i) => i.verdict?.flagged).length, 0);
    const framesFlagged = sameFrame.report.items.filter((i) => i.verdict?.flagged).length;
    assert.ok(framesFlagged >= 1, 'a frame paragraph is flagged at high sensitivity');
    await waitFor(async () => {
      const badge = await h.inBackground<string>(`async (bg) => (bg.browser ?? bg.chrome).action.getBadgeText({ tabId: ${tabId} })`);
      return badge === String(flagged);
    }, `the badge to show ${flagged}, the sum over frames`);

    // The popup lists every frame's rows; a click on a frame's row scrolls inside that frame.
    const popup = await h.openExtensionPage(`popup.html?tab=${tabId}`);
    const total = reports.reduce((n, r) => n + r.report.items.length, 0);
    await waitFor(async () => (await popup.$$('[data-testid="row"]')).length === total, `the popup to list all ${total} rows`, 20_000);
    const crossFrameEl = page.frames().find((f) => f.url().includes('f=cross'))!;
    const lastKey = crossFrame.report.items.find((i) => /revitalized/.test(i.preview))!.key;
    assert.equal(await crossFrameEl.evaluate(() => scrollY), 0);
    await popup.click(`[data-testid="row"][data-frame="${crossFrame.frameId}"][data-key="${lastKey}"]`);
    await page.bringToFront();
    await waitFor(
      () =>
        crossFrameEl.evaluate(() => {
          const r = document.getElementById('frame-last')!.getBoundingClientRect();
          return scrollY > 0 && r.top >= 0 && r.top < innerHeight;
        }),
      'the cross-origin frame to scroll to the clicked paragraph',
    );
    await popup.close();

    // Defect 4: the scan added no tab stops anywhere (the reveal's tabindex="-1" went with the blur).
    // Focus leaves the revealed paragraph (in its frame, then the frame itself in the top page).
    await crossFrameEl.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const stopsAfter = await Promise.all(page.frames().map(tabStops));
    assert.deepEqual(stopsAfter, stopsBefore, 'no element gained or lost a tab stop');
    if (opts.blurWithoutFocus) assert.deepEqual(await Promise.all(page.frames().map(tabindexes)), indexesBefore, 'the reveal\'s tabindex="-1" went with the blur');

    // Keyboard access without tab stops: the "next mark" / "previous mark" commands.
    const markedIds = await page.evaluate(() =>
      [...document.querySelectorAll('[data-telltale-level="generated"], [data-telltale-level="unclear"]')].map((e) => e.id),
    );
    assert.ok(markedIds.length >= 2, `at least two marks on the top page (${markedIds})`);
    await page.bringToFront();
    const focused = () =>
      page.evaluate(() => {
        const a = document.activeElement as HTMLElement | null;
        const card = document.querySelector('telltale-card[style*="block"]');
        return { id: a?.id ?? '', tabindex: a?.getAttribute('tabindex') ?? null, card: !!card };
      });
    await opts.command(tabId, 'next-mark');
    const first = await waitFor(async () => ((await focused()).id === markedIds[0] ? focused() : null), 'the first mark to take focus');
    assert.equal(first.tabindex, '-1', 'focusable only while focused');
    assert.ok(first.card, 'the hover card shows for the focused mark');
    await opts.command(tabId, 'next-mark');
    await waitFor(async () => (await focused()).id === markedIds[1], 'the second mark to take focus');
    assert.equal(await page.evaluate((id) => document.getElementById(id)!.hasAttribute('tabindex'), markedIds[0]!), false, 'the first mark is no tab stop again');
    await opts.command(tabId, 'prev-mark');
    await waitFor(async () => (await focused()).id === markedIds[0], 'the previous mark to take focus again');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    assert.deepEqual(await Promise.all(page.frames().map(tabStops)), stopsBefore, 'no tab stop left behind by the commands');
    assert.deepEqual((await tabindexes(page.mainFrame())), indexesBefore[0], 'the commands\' tabindex="-1" went with the blur');

    await page.close();
    await control.close();
    return timings;
  } finally {
    await site.close();
    await other.close();
  }
}
