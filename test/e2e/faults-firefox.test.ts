/**
 * Faults while a 400-paragraph page is being scored, in Firefox ESR (see test/support/faults.ts), where
 * they exist there: Firefox has no offscreen document (the host runs in the background page) and its
 * background page is not stopped while a test holds it, so those two faults are Chromium's only. Here:
 * the page reloaded, ten tabs at once, a flooding content script, storage writes refused for lack of
 * space (storage.session; IndexedDB during a model download), and the RoBERTa model cache corrupted
 * and truncated in IndexedDB before the host first loads it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchFirefox, waitFor } from '../support/browsers.ts';
import { Baseline, compromisedContentScript, faultRun, floodWhileScanning, idb, ROBERTA_REPO, serveRuns, setSettings, tenTabs, undisturbedRun, type RunContext } from '../support/faults.ts';
import { repoFromDir, startMockHub } from '../support/mock-hub.ts';
import { TINY } from '../support/roberta-fixtures.ts';
import { sendFromExtension, tabIdOf } from '../support/scenario.ts';

interface ModelRow { id: string; state: string; error?: string }

test('Firefox ESR: faults mid-scan leave every paragraph settled with its undisturbed score', async (t) => {
  const hub = await startMockHub({ [ROBERTA_REPO]: repoFromDir(TINY) });
  const h = await launchFirefox({ hubUrl: hub.url });
  const site = await serveRuns();
  const baseline = new Baseline(hub.url);
  try {
    const control = await h.openExtensionPage('options.html');
    const ctx: RunContext = { h, control, site, baseline, log: (s) => t.diagnostic(s) };
    const models = () => sendFromExtension<{ models: ModelRow[] }>(control, 'ui:bg:models', {}).then((r) => r.models.find((m) => m.id === 'roberta-base')!);
    await setSettings(control, 'embedded');
    await h.inBackground('async () => true'); // opens the page that reaches the background, so that faults go in at once

    await undisturbedRun(ctx, 0);
    await faultRun(ctx, 'page reloaded', 3, (page) => page.reload({ waitUntil: 'load' }).then(() => undefined), 'embedded', 'part-way');
    await tenTabs(ctx, 4);
    await floodWhileScanning(ctx, site.url(0).replace(/run-0\.html$/, 'flood.html'), 5);
    // The tab of run 5 is gone; the control page's tab is the victim (its badge is empty and must stay so).
    await compromisedContentScript(ctx, site.url(0).replace(/run-0\.html$/, 'flood.html'), await tabIdOf(control, `${h.base}options.html`));

    await faultRun(ctx, 'storage.session writes refused (quota)', 6, async () => {
      await h.inBackground(`async (bg) => {
        const area = bg.browser.storage.session;
        bg.__telltaleSet = area.set;
        area.set = () => Promise.reject(new Error('QUOTA_BYTES quota exceeded'));
        return true;
      }`);
    }, 'embedded', 'armed');
    await h.inBackground(`async (bg) => { bg.browser.storage.session.set = bg.__telltaleSet; return true; }`);

    await h.inBackground(`async (bg) => {
      const P = bg.IDBObjectStore.prototype;
      bg.__telltalePut = P.put;
      P.put = function () { throw new bg.DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
      return true;
    }`);
    await faultRun(
      ctx,
      'IndexedDB writes refused (quota) during a model download',
      7,
      async () => void assert.deepEqual(await sendFromExtension(control, 'ui:bg:download', { model: 'roberta-base' }), { ok: true }),
      'embedded',
      'part-way',
    );
    const failed = await waitFor(async () => ((await models()).state === 'error' ? models() : null), 'the download to fail');
    assert.match(failed.error ?? '', /not enough storage space.*Free some disk space/);
    const options = await h.openExtensionPage('options.html');
    await waitFor(async () => await options.evaluate(() => [...document.querySelectorAll('body *')].some((e) => /Download failed: There is not enough storage space/.test(e.textContent ?? '') && e.checkVisibility())), 'the options page to say so');
    await options.close();
    await h.inBackground(`async (bg) => { bg.IDBObjectStore.prototype.put = bg.__telltalePut; return true; }`);
    assert.deepEqual(await sendFromExtension(control, 'ui:bg:download', { model: 'roberta-base' }), { ok: true });
    await waitFor(async () => (await models()).state === 'ready', 'the download to succeed with space again', 60_000);

    // Damaged before the host first loads the model: detected when it loads, fetched again, never used.
    await baseline.scores(['Load the Node reference model now, so that its download is not in the log below.'], 'roberta-base');
    ctx.log(`corrupted ${await idb.corrupt(control, 'model_quantized.onnx')}, truncated ${await idb.truncate(control, 'tokenizer.json')}`);
    hub.log.length = 0;
    await setSettings(control, 'roberta-base');
    await faultRun(ctx, 'model cache corrupted and truncated in IndexedDB', 8, async () => undefined, 'roberta-base');
    const refetched = [...new Set(hub.log.filter((l) => l.method === 'GET' && l.path.includes('/resolve/')).map((l) => l.path.split('/').pop()))].sort();
    assert.deepEqual(refetched, ['model_quantized.onnx', 'tokenizer.json'], 'exactly the damaged files were fetched again');
    await control.close();
  } finally {
    await baseline.close();
    await site.close();
    await h.close();
    await hub.close();
  }
});
