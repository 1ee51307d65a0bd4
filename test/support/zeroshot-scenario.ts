/**
 * The zero-shot detectors through the real built extension, in any browser: the tiny random-weight
 * Llama fixtures served by the mock Hub under SmolLM2-135M's and -Instruct's repository names, the
 * fp32 file (`lmVariant`, as `--lm-variant=fp32` builds), downloaded through the host's model manager;
 * the selection check's zero-shot verdicts equal the torch reference (test/fixtures/zeroshot-reference.json)
 * to 1e-3 for Fast-DetectGPT and Binoculars; the page scan includes the zero-shot detector on WebGPU
 * only; the deep check runs it paragraph by paragraph and Cancel stops it; offline after the download
 * (where the host can be restarted); delete.
 */
import assert from 'node:assert/strict';
import { REFERENCE } from './zeroshot-fixtures.ts';
import { serveFixtures, sleep, waitFor, type Harness } from './browsers.ts';
import type { MockHub } from './mock-hub.ts';
import { sendFromExtension, storeSettings, tabIdOf } from './scenario.ts';

export const LM_REPOS = { base: 'HuggingFaceTB/SmolLM2-135M', instruct: 'HuggingFaceTB/SmolLM2-135M-Instruct' } as const;
const TOL = 1e-3;
const close = (a: number, b: number) => Math.abs(a - b) <= TOL;

interface ModelRow { id: string; state: string; bytes: number; storedBytes: number; kind?: string; calibrated?: boolean; repos?: string[] }
interface V { state: string; p_machine: number | null; flagged: boolean; detector: string; level?: string; calibrated?: boolean; raw?: number }
interface Report {
  scanning: boolean;
  items: { key: string; state: string; verdict?: V; zeroShot?: V }[];
  selection?: { text: string; verdict: V; zeroShot?: V };
  deep?: { done: number; total: number; running: boolean; cancelled?: boolean; error?: string };
}

/** The reference cases the extension reads as they are (its windows are 512 tokens with 64 of overlap). */
const CASES = REFERENCE.cases.filter((c) => c.window === 512 && c.overlap === 64);

export interface ZeroShotResult { method: string; name: string; state: string; extension: number; reference: number }

export async function runZeroShotScenario(h: Harness, hub: MockHub, opts: { webgpu: boolean; contextMenu: (tabId: number, text: string) => Promise<void>; restartHost?: () => Promise<void> }) {
  const site = await serveFixtures();
  const results: ZeroShotResult[] = [];
  try {
    const control = await h.openExtensionPage('options.html');
    const models = async () => (await sendFromExtension<{ models: ModelRow[] }>(control, 'ui:bg:models', {})).models;
    const row = async (id: string) => (await models()).find((m) => m.id === id)!;
    const fetched = (repo: string) => hub.log.filter((l) => l.method === 'GET' && l.path.startsWith(`/${repo}/resolve/`) && l.path.includes('/onnx/')).map((l) => l.path.split('/').pop());

    // Download: Fast-DetectGPT's one model, then Binoculars', which shares it (only the instruct one is fetched).
    const before = await row('fast-detectgpt');
    assert.deepEqual([before.state, before.kind, before.calibrated, before.repos], ['absent', 'zero-shot', false, [LM_REPOS.base]]);
    for (const id of ['fast-detectgpt', 'binoculars']) {
      assert.deepEqual(await sendFromExtension(control, 'ui:bg:download', { model: id }), { ok: true });
      await waitFor(async () => (await row(id)).state === 'ready', `${id} to download`, 60_000);
    }
    assert.deepEqual(fetched(LM_REPOS.base), ['model.onnx'], 'the fp32 file, once, shared by both detectors');
    assert.deepEqual(fetched(LM_REPOS.instruct), ['model.onnx']);
    assert.ok((await row('binoculars')).storedBytes > (await row('fast-detectgpt')).storedBytes, 'Binoculars stores both models');

    const page = await h.browser.newPage();
    await page.goto(site.url('e2e-article.html'), { waitUntil: 'load' });
    const tabId = await tabIdOf(control, site.url('e2e-article.html'));
    const report = () => sendFromExtension<Report>(control, 'ui:cs:report', {}, tabId);
    const status = await (async () => {
      await storeSettings(control, { zeroShot: 'fast-detectgpt' });
      return sendFromExtension<{ detector: string; ready: boolean; backend: string; calibrated: boolean }>(control, 'ui:bg:zeroshot-status', {});
    })();
    assert.deepEqual(status, { detector: 'fast-detectgpt', ready: true, backend: opts.webgpu ? 'webgpu' : 'wasm', calibrated: false }, 'the host says where it runs');

    const check = async (text: string) => {
      await opts.contextMenu(tabId, text);
      return waitFor(async () => {
        const rep = await report();
        return rep.selection?.text === text ? rep.selection : null;
      }, 'the selection result', 240_000); // a first load on SwiftShader's WebGPU takes half a minute here
    };

    // The selection check includes the zero-shot detector on every backend; its raw statistic equals torch's.
    for (const [method, key] of [['fast-detectgpt', 'fastdetectgpt'], ['binoculars', 'binoculars']] as const) {
      await storeSettings(control, { zeroShot: method });
      for (const c of CASES) {
        const sel = await check(c.text);
        assert.equal(sel.verdict.detector, 'embedded', 'the page detector\'s verdict stays');
        const z = sel.zeroShot;
        assert.ok(z, `${method} ${c.name}: a zero-shot verdict beside it`);
        assert.equal(z.detector, method);
        assert.deepEqual([z.p_machine, z.flagged, z.level, z.calibrated], [null, false, undefined, false], 'uncalibrated: no probability, no level, no flag');
        if (z.state === 'unsupported') continue; // not English to the language check: nothing is scored
        assert.equal(typeof z.raw, 'number', `${method} ${c.name}: ${JSON.stringify(z)}`);
        const reference = c[key].raw;
        results.push({ method, name: c.name, state: z.state, extension: z.raw!, reference });
        assert.ok(close(z.raw!, reference), `${method} ${c.name}: extension ${z.raw} vs torch ${reference}`);
      }
    }
    for (const m of ['fast-detectgpt', 'binoculars']) {
      assert.ok(results.some((r) => r.method === m && r.name === 'long' && r.state === 'scored'), `${m}: the long text (four windows) was scored`);
      assert.ok(results.filter((r) => r.method === m).length >= 5, `${m}: five or more texts compared`);
    }

    // The page scan: with the zero-shot detector automatically on WebGPU, never on wasm.
    await storeSettings(control, { zeroShot: 'fast-detectgpt' });
    assert.deepEqual(await sendFromExtension(control, 'ui:bg:scan-tab', { tabId }), { ok: true });
    const scanned = await waitFor(async () => {
      const rep = await report();
      return !rep.scanning && rep.items.length >= 4 && rep.items.every((i) => i.state !== 'pending') ? rep : null;
    }, 'the scan', 60_000);
    const judged = scanned.items.filter((i) => i.state === 'scored' || i.state === 'too-short');
    assert.ok(judged.length >= 4);
    if (opts.webgpu) assert.ok(judged.every((i) => i.zeroShot?.detector === 'fast-detectgpt'), 'WebGPU: the scan includes it');
    else assert.ok(scanned.items.every((i) => !i.zeroShot), 'wasm: the scan leaves it out');
    assert.ok(scanned.items.every((i) => !i.zeroShot || (!i.zeroShot.flagged && i.zeroShot.level === undefined)));

    if (!opts.webgpu) {
      // The deep check: started and cancelled at once, it stops after the paragraph in flight. Both
      // messages leave the control page in one task (awaiting the start's answer first gave a fast
      // machine time to finish all paragraphs before the cancel came).
      const deep = (action: 'start' | 'cancel') => sendFromExtension<{ ok: boolean }>(control, 'ui:cs:deep', { action }, tabId);
      const [started] = await Promise.all([deep('start'), deep('cancel')]);
      assert.deepEqual(started, { ok: true });
      const stopped = await waitFor(async () => {
        const d = (await report()).deep;
        return d && !d.running ? d : null;
      }, 'the deep check to stop', 30_000);
      assert.equal(stopped.cancelled, true, JSON.stringify(stopped));
      assert.ok(stopped.done < stopped.total && stopped.total <= judged.length, JSON.stringify(stopped));
      await sleep(1500);
      const later = await report();
      assert.equal(later.deep!.done, stopped.done, 'no work after Cancel');
      assert.equal(later.items.filter((i) => i.zeroShot).length, stopped.done);
      // Run to the end: the rest, one at a time.
      assert.deepEqual(await deep('start'), { ok: true });
      const finished = await waitFor(async () => {
        const d = (await report()).deep;
        return d && !d.running ? d : null;
      }, 'the deep check to finish', 60_000);
      assert.deepEqual([finished.done, finished.total, finished.cancelled, finished.error], [judged.length - stopped.done, judged.length - stopped.done, undefined, undefined]);
      const all = await report();
      assert.ok(all.items.filter((i) => i.state === 'scored' || i.state === 'too-short').every((i) => i.zeroShot?.detector === 'fast-detectgpt'));
    }

    // Offline: the Hub goes away, the host restarts, and the zero-shot detector loads from storage.
    if (opts.restartHost) {
      await hub.close();
      await opts.restartHost();
      await storeSettings(control, { zeroShot: 'binoculars' });
      // (The host's verdict cache went with it: this is scored again, from the stored files.)
      const news = CASES.find((c) => c.name === 'news')!;
      const sel = await check(news.text);
      assert.ok(sel.zeroShot && close(sel.zeroShot.raw!, news.binoculars.raw), `offline: ${JSON.stringify(sel.zeroShot)}`);
    }

    // Delete: the language model both detectors share goes, and with it both; no download starts again.
    assert.deepEqual(await sendFromExtension(control, 'ui:bg:delete-model', { model: 'binoculars' }), { ok: true });
    for (const id of ['binoculars', 'fast-detectgpt']) {
      const r = await row(id);
      assert.deepEqual([r.state, r.storedBytes], ['absent', 0], id);
    }
    const requests = hub.log.length;
    await storeSettings(control, { zeroShot: 'fast-detectgpt' });
    const text = `${CASES.find((c) => c.name === 'formal')!.text} (again)`;
    const sel = await check(text);
    assert.equal(sel.zeroShot, undefined, 'no zero-shot verdict once deleted');
    assert.equal(sel.verdict.state, 'scored');
    assert.equal(hub.log.length, requests, 'and nothing was fetched');
    return results;
  } finally {
    await site.close();
  }
}
