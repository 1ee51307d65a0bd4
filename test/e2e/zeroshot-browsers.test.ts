/**
 * Zero-shot detectors in the browsers (issue 9): Chromium wasm, Chromium WebGPU (SwiftShader, no
 * shader-f16) and Firefox wasm, each with the fp32 fixture models from a mock Hub; raw statistics equal
 * the torch reference to 1e-3, absolute (the Node tests: 1e-4), for Fast-DetectGPT and Binoculars (see
 * test/support/zeroshot-scenario.ts). On WebGPU that holds because the host computes the rotary embedding's
 * Sin and Cos exactly (src/core/zeroshot/exact-trig.ts): with WGSL's own, the long text was off by 1.3e-3.
 */
import { test } from 'node:test';
import { chromiumContextMenu, firefoxContextMenu, launchChromium, launchFirefox } from '../support/browsers.ts';
import { repoFromDir, startMockHub } from '../support/mock-hub.ts';
import { LLAMA, LLAMA_INSTRUCT } from '../support/zeroshot-fixtures.ts';
import { LM_REPOS, runZeroShotScenario, type ZeroShotResult } from '../support/zeroshot-scenario.ts';

const hubRepos = () => ({ [LM_REPOS.base]: repoFromDir(LLAMA), [LM_REPOS.instruct]: repoFromDir(LLAMA_INSTRUCT) });
/** The largest differences to torch, absolute (the tolerance) and relative to max(1, |reference|). */
const worst = (r: ZeroShotResult[]) =>
  ['fast-detectgpt', 'binoculars']
    .map((m) => {
      const mine = r.filter((x) => x.method === m);
      const abs = Math.max(...mine.map((x) => Math.abs(x.extension - x.reference)));
      const rel = Math.max(...mine.map((x) => Math.abs(x.extension - x.reference) / Math.max(1, Math.abs(x.reference))));
      const each = mine.map((x) => `${x.name} ${x.reference.toFixed(3)}: ${Math.abs(x.extension - x.reference).toExponential(1)}`).join(', ');
      return `${m}: max |d| ${abs.toExponential(2)}, relative ${rel.toExponential(2)} over ${mine.length} texts (${each})`;
    })
    .join('; ');

for (const webgpu of [false, true]) {
  test(`Chromium ${webgpu ? 'WebGPU (SwiftShader)' : 'wasm'}: Fast-DetectGPT and Binoculars (fp32) equal torch to 1e-3; scan on WebGPU only, deep check and Cancel, offline, delete`, async (t) => {
    const hub = await startMockHub(hubRepos());
    const h = await launchChromium({ webgpu, hubUrl: hub.url, lmVariant: 'fp32' });
    try {
      const worker = await h.worker();
      const results = await runZeroShotScenario(h, hub, {
        webgpu,
        contextMenu: chromiumContextMenu(worker),
        restartHost: () => worker.evaluate(() => chrome.offscreen.closeDocument()),
      });
      t.diagnostic(worst(results));
    } finally {
      await h.close();
      await hub.close();
    }
  });
}

test('Firefox wasm: Fast-DetectGPT and Binoculars (fp32) equal torch to 1e-3; no scan on wasm, deep check and Cancel, delete', async (t) => {
  const hub = await startMockHub(hubRepos());
  const h = await launchFirefox({ hubUrl: hub.url, lmVariant: 'fp32' });
  try {
    const results = await runZeroShotScenario(h, hub, { webgpu: false, contextMenu: firefoxContextMenu(h) });
    t.diagnostic(worst(results));
  } finally {
    await h.close();
    await hub.close();
  }
});
