/**
 * OpenAI's RoBERTa detector from the Hub, in the extension: the project's tiny RoBERTa-shaped model
 * (random weights) is served by a local mock Hub under the real repository name. First use downloads
 * it with progress, it is stored, the right variant is chosen for the backend, and the extension's
 * scores equal the CLI's (Node) for the same model and text.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judge } from '../../src/core/judge.ts';
import { createNodeHubDetector } from '../../src/node/hub-store.ts';
import { loadEmbeddedDetector } from '../../src/node/models.ts';
import { combineScores } from '../../src/core/roberta/combine.ts';
import { COMBINED, type Variant } from '../../src/core/roberta/registry.ts';
import { serveFixtures, waitFor, type Harness } from './browsers.ts';
import type { MockHub } from './mock-hub.ts';
import { sendFromExtension, storeSettings, tabIdOf } from './scenario.ts';

export const REPO = 'onnx-community/roberta-base-openai-detector-ONNX';

const TEXTS = [
  'The ferry left at six, and by the time we reached the island the fog had lifted enough to see the lighthouse and the row of white cottages below it, each with a boat pulled up on the shingle. Nobody was about except a man mending nets, who nodded at us as if we came every week and went back to his knots without a word.',
  'It is important to note that effective time management strategies can significantly enhance productivity, reduce stress levels, and foster a healthier balance between professional responsibilities and personal well-being. Moreover, by prioritizing tasks and setting clear goals, individuals can navigate complex challenges with greater confidence and achieve sustainable success in every area of their lives.',
];

interface ModelRow { id: string; state: string; bytes: number; storedBytes: number; progress?: number }

export async function runHubScenario(h: Harness, hub: MockHub, opts: { variant: Variant; contextMenu: (tabId: number, text: string) => Promise<void>; restartHost?: () => Promise<void> }) {
  const site = await serveFixtures();
  const cache = mkdtempSync(join(tmpdir(), 'telltale-hub-cli-'));
  try {
    const control = await h.openExtensionPage('options.html');
    // Collect the host's progress pushes, as the popup does.
    await control.evaluate(`(() => {
      const api = globalThis.browser ?? globalThis.chrome;
      globalThis.__pushes = [];
      api.runtime.onMessage.addListener((m) => { if (m && m.type === 'host:ui:models') globalThis.__pushes.push(m.payload.models); });
    })()`);
    const before = await sendFromExtension<{ models: ModelRow[] }>(control, 'ui:bg:models', {});
    const row = before.models.find((m) => m.id === 'roberta-base')!;
    assert.equal(row.state, 'absent');
    assert.ok(row.bytes > 0, 'the size of the download is known before it starts');

    assert.deepEqual(await sendFromExtension(control, 'ui:bg:download', { model: 'roberta-base' }), { ok: true });
    await waitFor(async () => {
      const r = await sendFromExtension<{ models: ModelRow[] }>(control, 'ui:bg:models', {});
      return r.models.find((m) => m.id === 'roberta-base')?.state === 'ready';
    }, 'the download to finish', 60_000);
    const pushes = (await control.evaluate('globalThis.__pushes')) as ModelRow[][];
    assert.ok(pushes.some((ms) => ms.some((m) => m.id === 'roberta-base' && m.state === 'downloading')), 'progress was pushed');
    const stored = (await sendFromExtension<{ models: ModelRow[] }>(control, 'ui:bg:models', {})).models.find((m) => m.id === 'roberta-base')!;
    assert.ok(stored.storedBytes > 0, 'the space used is shown');
    const fetched = hub.log.filter((l) => l.method === 'GET' && l.path.includes('/onnx/')).map((l) => l.path.split('/').pop());
    assert.deepEqual([...new Set(fetched)], [opts.variant === 'q8' ? 'model_quantized.onnx' : 'model.onnx'], `the ${opts.variant} variant was chosen`);

    // Score with it: the context-menu check, with the RoBERTa detector chosen in the settings.
    await storeSettings(control, { detector: 'roberta-base' });
    const page = await h.browser.newPage();
    await page.goto(site.url('e2e-article.html'), { waitUntil: 'load' });
    const tabId = await tabIdOf(control, site.url('e2e-article.html'));
    const fromExtension: number[] = [];
    for (const text of TEXTS) {
      await opts.contextMenu(tabId, text);
      const r = await waitFor(async () => {
        const rep = await sendFromExtension<{ selection?: { text: string; verdict: { state: string; p_machine: number; detector: string } } }>(control, 'ui:cs:report', {}, tabId);
        return rep.selection?.text === text ? rep.selection : null;
      }, 'the selection result', 180_000); // the first on SwiftShader's WebGPU took 51-62 s here at a load of 12 (main's build too)
      assert.equal(r.verdict.detector, 'roberta-base');
      assert.equal(r.verdict.state, 'scored');
      fromExtension.push(r.verdict.p_machine);
    }

    // Both detectors available: the default setting (`auto`) now means the combination, which shows one
    // calibrated score and keeps each detector's own.
    assert.ok(COMBINED, 'the build ships a calibrated combination (models/registry.json `combined`)');
    await storeSettings(control, { detector: 'auto' });
    const combinedText = TEXTS[1]!.replace('every area', 'each area');
    await opts.contextMenu(tabId, combinedText);
    const combined = await waitFor(async () => {
      const rep = await sendFromExtension<{ selection?: { text: string; verdict: { state: string; p_machine: number; detector: string; level?: string; parts?: Record<string, { p_machine: number; level?: string }> } } }>(control, 'ui:cs:report', {}, tabId);
      return rep.selection?.text === combinedText ? rep.selection.verdict : null;
    }, 'the combined result', 60_000);
    assert.equal(combined.detector, 'combined');
    assert.equal(combined.state, 'scored', JSON.stringify(combined));
    assert.deepEqual(Object.keys(combined.parts ?? {}).sort(), ['embedded', 'roberta-base']);
    assert.ok(Math.abs(combined.p_machine - combineScores(combined.parts!.embedded!.p_machine, combined.parts!['roberta-base']!.p_machine, COMBINED).p) < 1e-9, 'the combined score is the shipped combination of the two');
    const status = await sendFromExtension<{ detector: string; state: string }>(control, 'ui:bg:status', {});
    assert.deepEqual([status.detector, status.state], ['combined', 'ready'], 'the status line names what `auto` stands for');

    // The CLI's path in Node (same registry entry, same variant, its own download) gives the same scores.
    const node = await createNodeHubDetector({ model: 'roberta-base', hubUrl: hub.url, cacheDir: cache, bundledDir: null, variant: opts.variant });
    const nodeScores = (await judge(node, [...TEXTS, combinedText], { sensitivity: 'balanced' })).map((v) => v.p_machine!);
    const fromNode = nodeScores.slice(0, TEXTS.length);
    const nodeCombinedPart = nodeScores[TEXTS.length]!;
    await node.dispose?.();
    fromExtension.forEach((p, i) => {
      assert.ok(Math.abs(p - fromNode[i]!) < 1e-4, `text ${i}: extension ${p} vs CLI ${fromNode[i]}`);
    });
    const embedded = await loadEmbeddedDetector();
    const nodeEmbeddedPart = (await judge(embedded, [combinedText], { sensitivity: 'balanced' }))[0]!.p_machine!;
    await embedded.dispose?.();
    assert.ok(Math.abs(combined.parts!['roberta-base']!.p_machine - nodeCombinedPart) < 1e-4, `combined: RoBERTa part ${combined.parts!['roberta-base']!.p_machine} vs CLI ${nodeCombinedPart}`);
    assert.ok(Math.abs(combined.parts!.embedded!.p_machine - nodeEmbeddedPart) < 1e-4, `combined: built-in part ${combined.parts!.embedded!.p_machine} vs CLI ${nodeEmbeddedPart}`);
    for (const part of Object.values(combined.parts!)) assert.ok(['generated', 'unclear', 'human'].includes(part.level!), 'each detector\'s own level, side by side');
    await storeSettings(control, { detector: 'roberta-base' });

    // Offline after caching: the Hub goes away, the host restarts, and the model still loads.
    if (opts.restartHost) {
      await hub.close();
      await opts.restartHost();
      const text = TEXTS[0]!.replace('six', 'seven');
      await opts.contextMenu(tabId, text);
      const r = await waitFor(async () => {
        const rep = await sendFromExtension<{ selection?: { text: string; verdict: { state: string } } }>(control, 'ui:cs:report', {}, tabId);
        return rep.selection?.text === text ? rep.selection : null;
      }, 'a result with the Hub offline', 60_000);
      assert.equal(r.verdict.state, 'scored');
    }

    // Deleting frees the space.
    assert.deepEqual(await sendFromExtension(control, 'ui:bg:delete-model', { model: 'roberta-base' }), { ok: true });
    const after = (await sendFromExtension<{ models: ModelRow[] }>(control, 'ui:bg:models', {})).models.find((m) => m.id === 'roberta-base')!;
    assert.equal(after.state, 'absent');
    assert.equal(after.storedBytes, 0);

    // With the model gone, `auto` is the built-in detector again.
    await storeSettings(control, { detector: 'auto' });
    const lastText = TEXTS[0]!.replace('six', 'eight');
    await opts.contextMenu(tabId, lastText);
    const last = await waitFor(async () => {
      const rep = await sendFromExtension<{ selection?: { text: string; verdict: { state: string; detector: string; parts?: unknown } } }>(control, 'ui:cs:report', {}, tabId);
      return rep.selection?.text === lastText ? rep.selection.verdict : null;
    }, 'a result after deleting the model', 60_000);
    assert.deepEqual([last.detector, last.state, last.parts], ['embedded', 'scored', undefined]);
    return { fromExtension, fromNode };
  } finally {
    rmSync(cache, { recursive: true, force: true });
    await site.close();
  }
}
