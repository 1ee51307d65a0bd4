import { test } from 'node:test';
import { launchFirefox } from '../support/browsers.ts';
import { runScenario } from '../support/scenario.ts';

test('Firefox ESR (background page host, wasm): scan, dynamic content, popup, context menu, forged messages', async (t) => {
  const h = await launchFirefox();
  try {
    const { timings } = await runScenario(h, {
      expectBackend: 'wasm',
      // menus.onClicked has no dispatch in Firefox: call the handler its listener calls.
      contextMenu: (tabId, text) =>
        h.inBackground(`async (bg) => { const tab = await browser.tabs.get(${tabId}); await bg.telltaleBackground.checkSelection(${JSON.stringify(text)}, tab); return true; }`),
    });
    t.diagnostic(`timings (ms): ${JSON.stringify(timings)}`);
  } finally {
    await h.close();
  }
});
