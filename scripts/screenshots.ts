/**
 * `npm run screenshots`: pictures of the real extension for the README, light and dark. Headless
 * Chromium with the built extension (dist/chrome: run `npm run build` first) scans
 * test/fixtures/pages/showcase.html, whose paragraphs the shipped embedded model itself scores
 * flagged, unclear and human at the default sensitivity (nothing is faked: the marks are the
 * extension's own). Writes docs/screenshots/{page,card,popup,options}-{light,dark}.png and prints
 * each file's size and the levels the page got.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { ROOT, sleep, waitFor } from '../test/support/browsers.ts';
import { inChromium, marks, sendFromExtension, tabIdOf } from '../test/support/scenario.ts';

const OUT = join(ROOT, 'docs', 'screenshots');
const SCHEMES = ['light', 'dark'] as const;

async function shoot(p: Page, name: string, opts: { fullPage?: boolean; clip?: { x: number; y: number; width: number; height: number } } = {}): Promise<void> {
  const path = join(OUT, `${name}.png`) as `${string}.png`;
  await p.screenshot({ path, fullPage: opts.fullPage ?? false, captureBeyondViewport: false, ...(opts.clip ? { clip: opts.clip } : {}) });
  console.log(`${name}.png  ${(statSync(path).size / 1024).toFixed(0)} KB`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  await inChromium({}, async ({ h, site, control }) => {
    for (const scheme of SCHEMES) {
      const color = [{ name: 'prefers-color-scheme', value: scheme }];
      // The page with its highlights, scanned in its own colour scheme (marks follow the page's theme).
      const page = await h.browser.newPage();
      await page.setViewport({ width: 800, height: 760 });
      await page.emulateMediaFeatures(color);
      const url = site.url(`showcase.html?scheme=${scheme}`);
      await page.goto(url, { waitUntil: 'load' });
      const tabId = await tabIdOf(control, url);
      await sendFromExtension(control, 'ui:bg:scan-tab', { tabId });
      const settled = await waitFor(async () => {
        const m = await marks(page);
        return m.length > 0 && m.every((x) => x.state !== 'pending') ? m : null;
      }, 'the scan', 60_000);
      if (scheme === 'light') console.log('levels in page order:', settled.map((m) => m.level ?? m.state).join(', '));
      await page.bringToFront();
      await page.mouse.move(790, 750);
      await sleep(300);
      await shoot(page, `page-${scheme}`);

      // The hover card of the first flagged paragraph.
      const flagged = await page.$('[data-telltale-level="generated"]');
      if (!flagged) throw new Error('nothing flagged: the screenshots would not show a highlight');
      // The paragraph's last lines at the top, the card under them.
      await page.setViewport({ width: 800, height: 560 });
      await flagged.evaluate((el) => scrollBy(0, el.getBoundingClientRect().bottom - 110));
      const box = (await flagged.boundingBox())!;
      await page.mouse.move(box.x + 80, box.y + box.height - 12);
      await waitFor(() => page.$('telltale-card[style*="display: block"]'), 'the hover card');
      await sleep(150);
      await shoot(page, `card-${scheme}`);

      // The popup, about that tab, at its own width.
      const popup = await h.openExtensionPage(`popup.html?tab=${tabId}`);
      await popup.setViewport({ width: 400, height: 640 });
      await popup.emulateMediaFeatures(color);
      await waitFor(() => popup.$('[data-testid="chart-svg"]'), 'the popup chart');
      await sleep(300);
      await shoot(popup, `popup-${scheme}`, { fullPage: true });
      await popup.close();

      const options = await h.openExtensionPage('options.html');
      await options.setViewport({ width: 800, height: 900 });
      await options.emulateMediaFeatures(color);
      await waitFor(() => options.$('[data-testid="about"]'), 'the options page');
      await sleep(300);
      await shoot(options, `options-${scheme}`);
      await options.close();
      await page.close();
    }
  });
}

await main();
