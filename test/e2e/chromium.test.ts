import { test } from 'node:test';
import { chromiumContextMenu, launchChromium } from '../support/browsers.ts';
import { runScenario } from '../support/scenario.ts';

for (const webgpu of [false, true]) {
  const kind = webgpu ? 'WebGPU, software adapter' : 'no WebGPU adapter: wasm fallback';
  test(`Chromium (${kind}): scan, dynamic content, badge, popup, context menu, forged messages`, async (t) => {
    const h = await launchChromium({ webgpu });
    try {
      const worker = await h.worker();
      const { timings } = await runScenario(h, { expectBackend: webgpu ? 'webgpu' : 'wasm', contextMenu: chromiumContextMenu(worker) });
      t.diagnostic(`timings (ms): ${JSON.stringify(timings)}`);
    } finally {
      await h.close();
    }
  });
}
