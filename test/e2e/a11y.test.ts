/**
 * Accessibility, checked by a machine: axe-core in real Chromium on the popup and the options page, in
 * light and dark colour schemes, and on a scanned page where our marks are. No serious or critical
 * violation may remain. The hover card lives in a closed shadow root that axe cannot reach: it is
 * checked through the browser's accessibility tree instead.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import type { Page } from 'puppeteer-core';
import { waitFor } from '../support/browsers.ts';
import { inChromium, marks, sendFromExtension, tabIdOf } from '../support/scenario.ts';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation { id: string; impact: string | null; help: string; nodes: { target: string[]; failureSummary?: string }[] }

/** axe-core's serious and critical violations on the page as it is now. */
async function axe(page: Page, scheme: 'light' | 'dark'): Promise<Violation[]> {
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
  // Evaluated through the debugger protocol: extension pages' CSP refuses an injected <script>.
  if (!(await page.evaluate('typeof globalThis.axe === "object"'))) await page.evaluate(AXE);
  const r = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as { violations: Violation[] };
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

const describe = (vs: Violation[]) => vs.map((v) => `${v.id} (${v.impact}, ${v.nodes.length}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`).join('\n');

test('axe-core finds no serious or critical violation in the popup, the options page and a scanned page, light and dark', async (t) => {
  await inChromium({ sensitivity: 'high' }, async ({ h, site, control }) => {
    const page = await h.browser.newPage();
    await page.goto(site.url('e2e-article.html'), { waitUntil: 'load' });
    const tabId = await tabIdOf(control, site.url('e2e-article.html'));
    // The test page has faults of its own (an unlabelled textarea): only what our marks add counts there.
    const own = new Set<string>();
    for (const scheme of ['light', 'dark'] as const) for (const v of await axe(page, scheme)) for (const n of v.nodes) own.add(`${v.id} ${n.target.join(' ')}`);
    assert.deepEqual(await sendFromExtension(control, 'ui:bg:scan-tab', { tabId }), { ok: true });
    await waitFor(async () => {
      const m = await marks(page);
      return m.length > 0 && m.every((x) => x.state !== 'pending') && m.some((x) => x.level === 'generated');
    }, 'the page to be scanned, with a flagged paragraph', 60_000);

    const popup = await h.openExtensionPage(`popup.html?tab=${tabId}`);
    await waitFor(() => popup.$$eval('[data-testid="row"]', (r) => r.length > 0), 'the popup rows');
    const options = await h.openExtensionPage('options.html');
    await waitFor(() => options.$('[data-testid="about"]'), 'the options page');
    const found: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      for (const [name, p] of [['popup', popup], ['options page', options], ['scanned page', page]] as const) {
        const vs = (await axe(p, scheme))
          .map((v) => ({ ...v, nodes: p === page ? v.nodes.filter((n) => !own.has(`${v.id} ${n.target.join(' ')}`)) : v.nodes }))
          .filter((v) => v.nodes.length > 0);
        t.diagnostic(`${name}, ${scheme}: ${vs.length} serious or critical`);
        if (vs.length) found.push(`${name}, ${scheme}:\n${describe(vs)}`);
      }
    }
    assert.deepEqual(found, [], found.join('\n\n'));
  });
});
