import { test } from 'node:test';
import { firefoxContextMenu, launchFirefox } from '../support/browsers.ts';
import { runScenario } from '../support/scenario.ts';

test('Firefox ESR (background page host, wasm): scan, dynamic content, badge, popup, context menu, forged messages', async (t) => {
  const h = await launchFirefox();
  try {
    const { timings } = await runScenario(h, { expectBackend: 'wasm', contextMenu: firefoxContextMenu(h) });
    t.diagnostic(`timings (ms): ${JSON.stringify(timings)}`);
  } finally {
    await h.close();
  }
});
