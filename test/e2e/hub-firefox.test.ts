import { test } from 'node:test';
import { firefoxContextMenu, launchFirefox } from '../support/browsers.ts';
import { repoFromDir, startMockHub } from '../support/mock-hub.ts';
import { TINY } from '../support/roberta-fixtures.ts';
import { REPO, runHubScenario } from '../support/hub-scenario.ts';

test('Firefox wasm (8-bit): RoBERTa from a mock Hub — download, variant, CLI agreement, delete', async (t) => {
  const hub = await startMockHub({ [REPO]: repoFromDir(TINY) });
  const h = await launchFirefox({ hubUrl: hub.url });
  try {
    const { fromExtension, fromNode } = await runHubScenario(h, hub, {
      variant: 'q8',
      contextMenu: firefoxContextMenu(h),
    });
    t.diagnostic(`extension ${JSON.stringify(fromExtension)} vs CLI ${JSON.stringify(fromNode)}`);
  } finally {
    await h.close();
    await hub.close();
  }
});
