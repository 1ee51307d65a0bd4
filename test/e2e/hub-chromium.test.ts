import { test } from 'node:test';
import { chromiumContextMenu, launchChromium } from '../support/browsers.ts';
import { repoFromDir, startMockHub } from '../support/mock-hub.ts';
import { TINY } from '../support/roberta-fixtures.ts';
import { REPO, runHubScenario } from '../support/hub-scenario.ts';

for (const webgpu of [false, true]) {
  test(`Chromium ${webgpu ? 'WebGPU (no shader-f16: fp32)' : 'wasm (8-bit)'}: RoBERTa from a mock Hub — download, variant, CLI agreement, offline, delete`, async (t) => {
    const hub = await startMockHub({ [REPO]: repoFromDir(TINY) });
    const h = await launchChromium({ webgpu, hubUrl: hub.url });
    try {
      const worker = await h.worker();
      const { fromExtension, fromNode } = await runHubScenario(h, hub, {
        variant: webgpu ? 'fp32' : 'q8',
        contextMenu: chromiumContextMenu(worker),
        // The offscreen document dies; the next request re-creates it, and it loads the model from IndexedDB.
        restartHost: () => worker.evaluate(() => chrome.offscreen.closeDocument()),
      });
      t.diagnostic(`extension ${JSON.stringify(fromExtension)} vs CLI ${JSON.stringify(fromNode)}`);
    } finally {
      await h.close();
      await hub.close();
    }
  });
}
