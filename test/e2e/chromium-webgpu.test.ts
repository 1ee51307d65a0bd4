import { test } from 'node:test';
import { launchChromium } from '../support/browsers.ts';
import { runScenario } from '../support/scenario.ts';

test('Chromium (WebGPU, software adapter): scan, dynamic content, popup, context menu, forged messages', async (t) => {
  const h = await launchChromium({ webgpu: true });
  try {
    const worker = await h.worker();
    const { timings } = await runScenario(h, {
      expectBackend: 'webgpu',
      contextMenu: async (tabId, text) => {
        // The real listeners, as a click on the menu item fires them.
        await worker.evaluate(
          (tabId, text) =>
            chrome.tabs.get(tabId).then((tab) =>
              (chrome.contextMenus.onClicked as any).dispatch({ menuItemId: 'telltale-check-selection', selectionText: text, editable: false, pageUrl: tab.url }, tab),
            ),
          tabId,
          text,
        );
      },
    });
    t.diagnostic(`timings (ms): ${JSON.stringify(timings)}`);
  } finally {
    await h.close();
  }
});
