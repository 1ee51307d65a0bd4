/**
 * Faults while a 400-paragraph page is being scored, in Chromium (one browser for all, see
 * test/support/faults.ts): the offscreen document closed, the service worker stopped, the page
 * reloaded, ten tabs at once, a content script flooding the background, storage writes refused for
 * lack of space (storage.session in the worker; IndexedDB during a model download), and the RoBERTa
 * model cache corrupted and truncated in IndexedDB.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WebWorker } from 'puppeteer-core';
import { launchChromium, waitFor } from '../support/browsers.ts';
import { Baseline, compromisedContentScript, corruptedCacheRun, faultRun, floodWhileScanning, ROBERTA_REPO, serveRuns, setSettings, storageQuotaFaults, tenTabs, undisturbedRun, type RunContext } from '../support/faults.ts';
import { repoFromDir, startMockHub } from '../support/mock-hub.ts';
import { TINY } from '../support/roberta-fixtures.ts';
import { ownTabId } from '../support/scenario.ts';


test('Chromium: faults mid-scan leave every paragraph settled with its undisturbed score', async (t) => {
  const hub = await startMockHub({ [ROBERTA_REPO]: repoFromDir(TINY) });
  const h = await launchChromium({ webgpu: false, hubUrl: hub.url });
  const site = await serveRuns();
  const baseline = new Baseline(hub.url);
  try {
    let worker: WebWorker = await h.worker();
    const control = await h.openExtensionPage('options.html');
    const ctx: RunContext = { h, control, site, baseline, log: (s) => t.diagnostic(s) };
    await setSettings(control, 'embedded');

    await undisturbedRun(ctx, 0);

    // Closed by the worker itself when the page's second scoring request arrives: the first batch may be
    // answered, the second and the rest of the page are not (a close from outside, timed by polling,
    // could come after a fast scan had finished).
    await faultRun(ctx, 'offscreen document closed', 1, async () => {
      await worker.evaluate(`(() => {
        globalThis.__telltaleScoreRequests = 0;
        chrome.runtime.onMessage.addListener((m) => {
          if (m?.type === 'cs:bg:score' && ++globalThis.__telltaleScoreRequests === 2) {
            globalThis.__telltaleClosed = chrome.offscreen.closeDocument().then(() => 'closed', (e) => String(e));
          }
          return undefined;
        });
      })()`);
    }, 'embedded', 'armed');
    assert.equal(await worker.evaluate('globalThis.__telltaleClosed'), 'closed', 'the offscreen document was closed at the second scoring request');

    await faultRun(ctx, 'service worker stopped', 2, async () => {
      await worker.evaluate('globalThis.__telltaleFaultMarker = 1');
      // Puppeteer's session keeps a worker alive: detach it first (docs/browser-testing.md).
      await (worker as unknown as { client: { detach(): Promise<void> } }).client.detach();
      const cdp = await control.createCDPSession();
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      await cdp.detach();
    });
    worker = await h.worker();
    assert.equal(await worker.evaluate('globalThis.__telltaleFaultMarker'), undefined, 'the service worker really stopped (its memory is gone)');

    await faultRun(ctx, 'page reloaded', 3, (page) => page.reload({ waitUntil: 'load' }).then(() => undefined), 'embedded', 'part-way');

    await tenTabs(ctx, 4);

    await floodWhileScanning(ctx, site.url(0).replace(/run-0\.html$/, 'flood.html'), 5);
    // The tab of run 5 is gone; the control page's tab is the victim (its badge is empty and must stay so).
    await compromisedContentScript(ctx, site.url(0).replace(/run-0\.html$/, 'flood.html'), await ownTabId(control));

    // Storage refused for lack of space: storage.session in the worker, IndexedDB in the offscreen document.
    const offscreen = await waitFor(() => h.browser.targets().find((x) => x.url().endsWith('/offscreen.html')), 'the offscreen document');
    const offscreenPage = (await offscreen.asPage())!;
    await storageQuotaFaults(ctx, (fn) => offscreenPage.evaluate(`(${fn})(globalThis)`));

    // The model cache is damaged while the host has the model in memory; mid-scan the host restarts,
    // so it loads from IndexedDB: the damage is detected, the files fetched again, never used.
    await setSettings(control, 'roberta-base');
    await worker.evaluate(`globalThis.telltaleBackground.checkSelection('The host loads the RoBERTa model from the cache for this text.', undefined)`);
    await corruptedCacheRun(ctx, hub, () => worker.evaluate(() => chrome.offscreen.closeDocument()));
    await control.close();
  } finally {
    await baseline.close();
    await site.close();
    await h.close();
    await hub.close();
  }
});
