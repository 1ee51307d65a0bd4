/**
 * Faults while a 400-paragraph page is being scored, in Firefox ESR (see test/support/faults.ts), where
 * they exist there: Firefox has no offscreen document (the host runs in the background page) and its
 * background page is not stopped while a test holds it, so those two faults are Chromium's only. Here:
 * the page reloaded, ten tabs at once, a flooding content script, storage writes refused for lack of
 * space (storage.session; IndexedDB during a model download), and the RoBERTa model cache corrupted
 * and truncated in IndexedDB before the host first loads it.
 */
import { test } from 'node:test';
import { launchFirefox } from '../support/browsers.ts';
import { Baseline, compromisedContentScript, corruptedCacheRun, faultRun, floodWhileScanning, ROBERTA_REPO, serveRuns, setSettings, storageQuotaFaults, tenTabs, undisturbedRun, type RunContext } from '../support/faults.ts';
import { repoFromDir, startMockHub } from '../support/mock-hub.ts';
import { TINY } from '../support/roberta-fixtures.ts';
import { ownTabId } from '../support/scenario.ts';

test('Firefox ESR: faults mid-scan leave every paragraph settled with its undisturbed score', async (t) => {
  const hub = await startMockHub({ [ROBERTA_REPO]: repoFromDir(TINY) });
  const h = await launchFirefox({ hubUrl: hub.url });
  const site = await serveRuns();
  const baseline = new Baseline(hub.url);
  try {
    const control = await h.openExtensionPage('options.html');
    const ctx: RunContext = { h, control, site, baseline, log: (s) => t.diagnostic(s) };
    await setSettings(control, 'embedded');
    await h.inBackground('async () => true'); // opens the page that reaches the background, so that faults go in at once

    await undisturbedRun(ctx, 0);
    await faultRun(ctx, 'page reloaded', 3, (page) => page.reload({ waitUntil: 'load' }).then(() => undefined), 'embedded', 'part-way');
    await tenTabs(ctx, 4);
    await floodWhileScanning(ctx, site.url(0).replace(/run-0\.html$/, 'flood.html'), 5);
    // The tab of run 5 is gone; the control page's tab is the victim (its badge is empty and must stay so).
    await compromisedContentScript(ctx, site.url(0).replace(/run-0\.html$/, 'flood.html'), await ownTabId(control));

    // Storage refused for lack of space: storage.session and IndexedDB, both in the background page (the host).
    await storageQuotaFaults(ctx, (fn) => h.inBackground(`async (bg) => { (${fn})(bg); return true; }`));

    // Damaged before the host first loads the model: detected when it loads, fetched again, never used.
    await corruptedCacheRun(ctx, hub, async () => undefined);
    await control.close();
  } finally {
    await baseline.close();
    await site.close();
    await h.close();
    await hub.close();
  }
});
