import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeFileStore } from '../../src/node/hub-store.ts';
import { after, before, describe, test } from 'node:test';
import { HubClient } from '../../src/core/hub/download.ts';
import { wantedFiles } from '../../src/core/roberta/hub-detector.ts';
import type { RegistryEntry } from '../../src/core/roberta/registry.ts';
import { ZEROSHOT } from '../../src/core/zeroshot/registry.ts';
import { LLAMA, LLAMA_INSTRUCT, REFERENCE } from '../support/zeroshot-fixtures.ts';
import { createHubModelManager, IndexedDbFileStore } from '../../src/host/model-store.ts';
import type { ModelEntryStatus } from '../../src/protocol/messages.ts';
import { repoFromDir, startMockHub, type MockHub, type MockRepo } from '../support/mock-hub.ts';
import { TEXTS, TINY } from '../support/roberta-fixtures.ts';

const REPO = 'telltale/tiny-roberta';
const BASE = 'HuggingFaceTB/SmolLM2-135M';
const INSTRUCT = 'HuggingFaceTB/SmolLM2-135M-Instruct';
let hub: MockHub;
let tiny: MockRepo;
before(async () => {
  tiny = repoFromDir(TINY);
  hub = await startMockHub({ [REPO]: tiny });
});
after(() => hub.close());

describe('IndexedDB file store (fake-indexeddb)', () => {
  test('put, append, size, move, list, delete', async () => {
    const s = new IndexedDbFileStore('t1');
    assert.equal(await s.get('a'), null);
    await s.put('a/x', new Uint8Array([1, 2, 3]));
    await s.append('a/y', new Uint8Array([4]));
    await s.append('a/y', new Uint8Array([5, 6]));
    assert.deepEqual(await s.get('a/y'), new Uint8Array([4, 5, 6]));
    assert.equal(await s.size('a/y'), 3);
    await s.move('a/y', 'b/z');
    assert.equal(await s.get('a/y'), null);
    assert.deepEqual(await s.get('b/z'), new Uint8Array([4, 5, 6]));
    assert.deepEqual((await s.list('a/')).map((x) => x.key), ['a/x']);
    await s.put('b/z', new Uint8Array(0));
    assert.deepEqual(await s.get('b/z'), new Uint8Array(0));
    await s.delete('b/z');
    assert.equal(await s.size('b/z'), null);
  });

  test('a download interrupted and resumed into IndexedDB is byte-exact', async () => {
    const store = new IndexedDbFileStore('t2');
    hub.failures.push({ kind: 'cut', file: 'onnx/model.onnx', afterBytes: 123_456 });
    const c = new HubClient({ store, hubUrl: hub.url, retryDelayMs: 5, flushBytes: 32 << 10 });
    const got = await c.ensure({ repo: REPO, files: wantedFiles(undefined, 'fp32') });
    assert.deepEqual(got['onnx/model.onnx'], tiny.files.get('onnx/model.onnx'));
    assert.ok(hub.log.some((l) => l.range?.startsWith('bytes=')));
    assert.deepEqual(await store.get(`files/${REPO}/${tiny.commit}/onnx/model.onnx`), tiny.files.get('onnx/model.onnx'));
  });
});

describe('host model manager', () => {
  const entry: RegistryEntry = {
    id: 'tiny', name: 'Tiny test model', repo: REPO, revision: null, languages: ['en'], machineLabel: 'Fake',
    policy: { minWords: 3, thresholds: { low: 0.9, balanced: 0.5, high: 0.2 }, unclear: { low: 0.8, balanced: 0.4, high: 0.1 } }, calibration: null, files: {},
    variants: { q8: { file: 'onnx/model_quantized.onnx', sha256: null, verified: false, approxBytes: 150_000 }, fp32: { file: 'onnx/model.onnx', sha256: null, verified: false } },
  };
  test('lists, downloads in the background with progress pushes, loads, deletes', async () => {
    const pushes: ModelEntryStatus[][] = [];
    const m = createHubModelManager((s) => pushes.push(s), { store: new IndexedDbFileStore('t3'), hubUrl: hub.url, entries: [entry], zeroShot: [] });
    assert.deepEqual((await m.list()).map((s) => [s.id, s.state, s.storedBytes, s.bytes]), [['tiny', 'absent', 0, 150_000]]);
    assert.deepEqual(await m.download('tiny'), { ok: true });
    for (let i = 0; i < 200 && (await m.list())[0]!.state !== 'ready'; i++) await new Promise((r) => setTimeout(r, 20));
    const [s] = await m.list();
    assert.equal(s!.state, 'ready');
    assert.ok(s!.storedBytes > 100_000);
    assert.ok(pushes.some((p) => p[0]!.state === 'downloading'));
    const progress: number[] = [];
    const { detector, backend } = await m.load('tiny', 'wasm', (p) => progress.push(p));
    assert.equal(backend, 'wasm');
    assert.equal((await detector.scoreBatch(TEXTS)).length, TEXTS.length);
    assert.deepEqual(await m.remove('tiny'), { ok: true });
    assert.equal((await m.list())[0]!.state, 'absent');
    assert.equal((await m.list())[0]!.storedBytes, 0);
    assert.deepEqual(await m.download('nope'), { ok: false, error: 'This model is not offered in this version.', problem: { code: 'unknown-model', detail: 'nope' } });
  });

  test('a download refused for lack of space (QuotaExceededError) says what to do, fails fast, and succeeds once there is space', async () => {
    const store = new IndexedDbFileStore('t6');
    const put = IDBObjectStore.prototype.put;
    let full = true;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...a: Parameters<IDBObjectStore['put']>) {
      if (full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, a);
    } as IDBObjectStore['put'];
    try {
      const m = createHubModelManager(() => {}, { store, hubUrl: hub.url, entries: [entry] });
      hub.log.length = 0;
      await m.download('tiny');
      for (let i = 0; i < 200 && (await m.list())[0]!.state !== 'error'; i++) await new Promise((r) => setTimeout(r, 20));
      const [s] = await m.list();
      assert.equal(s!.state, 'error');
      assert.match(s!.error ?? '', /not enough storage space.*Free some disk space/);
      assert.equal(s!.problem?.code, 'storage-full');
      assert.ok(hub.log.filter((l) => l.method === 'GET').length <= 2, 'no retries against a full disk');
      full = false;
      await m.download('tiny');
      for (let i = 0; i < 200 && (await m.list())[0]!.state !== 'ready'; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal((await m.list())[0]!.state, 'ready');
    } finally {
      IDBObjectStore.prototype.put = put;
    }
  });

  test('a download left unfinished by a closed host is resumed when the host starts', async () => {
    const store = new IndexedDbFileStore('t5');
    await store.append(`partial/${REPO}/${tiny.commit}/onnx/model_quantized.onnx`, tiny.files.get('onnx/model_quantized.onnx')!.subarray(0, 40_000));
    hub.log.length = 0;
    const m = createHubModelManager(() => {}, { store, hubUrl: hub.url, entries: [entry], zeroShot: [] });
    assert.deepEqual(await m.resumeInterrupted(), ['tiny']);
    for (let i = 0; i < 200 && (await m.list())[0]!.state !== 'ready'; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal((await m.list())[0]!.state, 'ready');
    assert.ok(hub.log.some((l) => l.range === 'bytes=40000-'));
    assert.deepEqual(await m.resumeInterrupted(), []);
  });

  test('models bundled by fetch-models are ready with no network', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'telltale-bundle-'));
    try {
      const bundle = new NodeFileStore(dir);
      const variantFiles = wantedFiles(entry, 'q8');
      await new HubClient({ store: bundle, hubUrl: hub.url }).ensure({ repo: REPO, files: variantFiles });
      writeFileSync(join(dir, 'index.json'), JSON.stringify({ files: await bundle.list('') }));
      const readFile = async (p: string) => new Uint8Array(readFileSync(join(dir, p.replace(/^models\/hub\//, ''))));
      const m = createHubModelManager(() => {}, { store: new IndexedDbFileStore('t4'), bundled: readFile, hubUrl: 'http://127.0.0.1:9', entries: [entry], zeroShot: [] });
      assert.equal((await m.list())[0]!.state, 'ready');
      const { detector } = await m.load('tiny', 'wasm', () => {});
      assert.equal((await detector.scoreBatch(TEXTS)).length, TEXTS.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a zero-shot detector is one download of its language models: listed with both, loaded, scored without a probability, deleted', async () => {
    const zhub = await startMockHub({ [BASE]: repoFromDir(LLAMA), [INSTRUCT]: repoFromDir(LLAMA_INSTRUCT) });
    try {
      const pushes: ModelEntryStatus[][] = [];
      const z = ZEROSHOT.find((e) => e.id === 'binoculars')!;
      const m = createHubModelManager((s) => pushes.push(s), { store: new IndexedDbFileStore('t6'), hubUrl: zhub.url, entries: [], zeroShot: [z, ZEROSHOT.find((e) => e.id === 'fast-detectgpt')!] });
      const before = await m.list();
      assert.deepEqual(before.map((s) => [s.id, s.state, s.kind, s.calibrated]), [['binoculars', 'absent', 'zero-shot', false], ['fast-detectgpt', 'absent', 'zero-shot', false]]);
      assert.deepEqual(before[0]!.repos, [BASE, INSTRUCT]);
      assert.ok(before[0]!.bytes > before[1]!.bytes, 'two models weigh more than one');
      assert.deepEqual(await m.download('binoculars'), { ok: true });
      for (let i = 0; i < 300 && (await m.list())[0]!.state !== 'ready'; i++) await new Promise((r) => setTimeout(r, 20));
      const after = await m.list();
      assert.deepEqual(after.map((s) => s.state), ['ready', 'ready'], 'Fast-DetectGPT reads the base model Binoculars brought');
      const fractions = pushes.flatMap((p) => p.filter((s) => s.id === 'binoculars' && s.state === 'downloading').map((s) => s.progress!));
      assert.ok(fractions.length > 0 && fractions.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= fractions[i - 1]!)), `progress over both models: ${fractions}`);
      const { detector } = await m.load('fast-detectgpt', 'wasm', () => {});
      assert.equal(detector.calibrated, false);
      const ref = REFERENCE.cases.find((c) => c.window === 512)!;
      const [s] = await detector.scoreBatch([ref.text]);
      assert.equal(s!.p, null);
      // The registry's wasm choice for SmolLM2 is the 4-bit file: its own engine's numbers, not the fp32 reference.
      assert.ok(Number.isFinite(s!.raw), `raw ${s!.raw}`);
      await detector.dispose?.();
      assert.deepEqual(await m.remove('binoculars'), { ok: true });
      assert.deepEqual((await m.list()).map((s) => [s.state, s.storedBytes]), [['absent', 0], ['absent', 0]], 'a shared model goes with either detector');
    } finally {
      await zhub.close();
    }
  });
});
