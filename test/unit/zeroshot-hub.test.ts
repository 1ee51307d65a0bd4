/**
 * The zero-shot detectors' language models through the same Hub path as the RoBERTa detectors (HubClient:
 * download, progress, verify, pin, resume, integrity failure, offline use, delete), against the mock Hub
 * serving the tiny Llama fixtures under the registry's real repository names.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { HubClient, type DownloadProgress } from '../../src/core/hub/download.ts';
import { HubError, HubIntegrityError } from '../../src/core/hub/hub.ts';
import { TokenizerMismatchError } from '../../src/core/zeroshot/detectors.ts';
import { createZeroShotHubDetector, lmFiles, zeroShotRepos, type ZeroShotHubOptions } from '../../src/core/zeroshot/hub.ts';
import { findZeroShot } from '../../src/core/zeroshot/registry.ts';
import { NodeFileStore } from '../../src/node/hub-store.ts';
import { repoFromDir, startMockHub, type MockHub, type MockRepo } from '../support/mock-hub.ts';
import { LLAMA, LLAMA_INSTRUCT, REFERENCE } from '../support/zeroshot-fixtures.ts';

const BASE = 'HuggingFaceTB/SmolLM2-135M';
const INSTRUCT = 'HuggingFaceTB/SmolLM2-135M-Instruct';
const MODEL = 'onnx/model.onnx';
const one = REFERENCE.cases.filter((c) => c.window === 512);
const close = (a: number, b: number, tol = 1e-4) => Math.abs(a - b) <= tol;

let hub: MockHub;
let base: MockRepo;
let dir: string;
let store: NodeFileStore;
const opts = (o: Partial<ZeroShotHubOptions> = {}): ZeroShotHubOptions => ({ detector: 'fast-detectgpt', hubUrl: hub.url, store, backend: 'wasm', variant: 'fp32', ...o });
const offline: typeof fetch = async () => {
  throw new TypeError('fetch failed (offline)');
};

before(async () => {
  base = repoFromDir(LLAMA);
  const tj = JSON.parse(readFileSync(join(LLAMA_INSTRUCT, 'tokenizer.json'), 'utf8'));
  const [a, b] = Object.keys(tj.model.vocab).slice(300, 302) as [string, string];
  [tj.model.vocab[a], tj.model.vocab[b]] = [tj.model.vocab[b], tj.model.vocab[a]];
  hub = await startMockHub({
    [BASE]: base,
    [INSTRUCT]: repoFromDir(LLAMA_INSTRUCT),
    'someone/tiny-llama': repoFromDir(LLAMA),
    'someone/no-q4': repoFromDir(LLAMA, { 'onnx/model_q4.onnx': null }),
    'someone/other-tokenizer': repoFromDir(LLAMA_INSTRUCT, { 'tokenizer.json': JSON.stringify(tj) }),
  });
});
after(() => hub.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'telltale-zs-hub-'));
  store = new NodeFileStore(dir);
  hub.log.length = 0;
  hub.failures.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('zero-shot detectors from the (mock) Hub', () => {
  test('fast-detectgpt: downloaded with progress, verified, pinned; equals the torch reference; offline afterwards', async () => {
    const progress: DownloadProgress[] = [];
    const d = await createZeroShotHubDetector(opts({ onProgress: (p) => progress.push(p) }));
    assert.deepEqual([d.info.id, d.variant, d.backend, d.calibrated], ['fast-detectgpt', 'fp32', 'wasm', false]);
    assert.deepEqual(d.models, [BASE]);
    assert.ok(progress.some((p) => p.file === MODEL && p.loaded === base.files.get(MODEL)!.length));
    const got = await d.scoreTokens(one.map((c) => c.ids));
    one.forEach((c, i) => {
      assert.ok(close(got[i]!.raw, c.fastdetectgpt.raw), `${c.name}: ${got[i]!.raw}`);
    });
    const pins = await new HubClient({ store }).pins(BASE);
    assert.equal(pins!.refs.main, base.commit);
    await d.dispose?.();

    hub.log.length = 0;
    const again = await createZeroShotHubDetector(opts({ fetch: offline }));
    const got2 = await again.scoreTokens(one.map((c) => c.ids));
    got2.forEach((x, i) => {
      assert.equal(x.raw, got[i]!.raw);
    });
    assert.equal(hub.log.length, 0);
    await again.dispose?.();
  });

  test('binoculars: observer = base, performer = instruct, both repos through the client; equals the torch reference', async () => {
    const d = await createZeroShotHubDetector(opts({ detector: 'binoculars' }));
    assert.deepEqual(d.models, [BASE, INSTRUCT]);
    const got = await d.scoreTokens(one.map((c) => c.ids));
    one.forEach((c, i) => {
      assert.ok(close(got[i]!.raw, c.binoculars.raw), `${c.name}: ${got[i]!.raw}`);
    });
    for (const repo of [BASE, INSTRUCT]) assert.ok((await new HubClient({ store }).pins(repo))?.refs.main);
    assert.deepEqual(zeroShotRepos(findZeroShot('binoculars')!).map((r) => r.repo), [BASE, INSTRUCT]);
    await d.dispose?.();
  });

  test('another pair with --model/--performer is uncalibrated and named by its repos; a different vocabulary is refused', async () => {
    const d = await createZeroShotHubDetector(opts({ detector: 'binoculars', model: 'someone/tiny-llama', performer: INSTRUCT }));
    assert.equal(d.info.id, `binoculars@someone/tiny-llama+${INSTRUCT}`);
    assert.equal(d.calibrated, false);
    await d.dispose?.();
    await assert.rejects(createZeroShotHubDetector(opts({ detector: 'binoculars', model: BASE, performer: 'someone/other-tokenizer' })),
      (e: Error) => e instanceof TokenizerMismatchError && /different vocabularies/.test(e.message));
    await assert.rejects(createZeroShotHubDetector(opts({ detector: 'binoculars', model: BASE })), /needs --performer/);
    await assert.rejects(createZeroShotHubDetector(opts({ performer: INSTRUCT })), /--performer is for Binoculars/);
  });

  test('wasm: the 8-bit file for a repo outside the registry (one window per run); the registry\'s SmolLM2 entry takes its 4-bit file', async () => {
    const d = await createZeroShotHubDetector(opts({ model: 'someone/tiny-llama', variant: undefined }));
    assert.equal(d.variant, 'q8');
    assert.ok(hub.log.some((l) => l.path.endsWith(`someone/tiny-llama/resolve/${base.commit}/onnx/model_quantized.onnx`)));
    await d.dispose?.();
    const f = await lmFiles(BASE, { backend: 'wasm' });
    assert.deepEqual([f.variant, f.files.at(-1)!.path], ['q4', 'onnx/model_q4.onnx']);
    const q4 = await createZeroShotHubDetector(opts({ variant: undefined }));
    assert.equal(q4.variant, 'q4');
    const [x] = await q4.scoreTokens([one[1]!.ids]);
    assert.ok(Number.isFinite(x!.raw));
    await q4.dispose?.();
    // A repo without the file: a clear 404, nothing half-loaded.
    await assert.rejects(createZeroShotHubDetector(opts({ model: 'someone/no-q4', variant: 'q4' })), (e: Error) => e instanceof HubError && /has no file onnx\/model_q4.onnx/.test(e.message));
  });

  test('webgpu with shader-f16 asks for fp16 (in Node the session falls back to wasm); close to fp32', async () => {
    const d = await createZeroShotHubDetector(opts({ variant: undefined, backend: 'webgpu', gpuFeatures: new Set(['shader-f16']) }));
    assert.equal(d.variant, 'fp16');
    assert.ok(hub.log.some((l) => l.path.endsWith('/onnx/model_fp16.onnx')));
    const got = await d.scoreTokens(one.map((c) => c.ids));
    one.forEach((c, i) => {
      assert.ok(Math.abs(got[i]!.raw - c.fastdetectgpt.raw) < 0.5, `${c.name}: ${got[i]!.raw}`);
    });
    await d.dispose?.();
  });

  test('an interrupted model download resumes with HTTP Range; a corrupted one is refused and discarded, then succeeds', async () => {
    hub.failures.push({ kind: 'cut', file: MODEL, afterBytes: 100_000 }, { kind: 'status', file: MODEL, status: 503 });
    const client = new HubClient({ store, hubUrl: hub.url, retryDelayMs: 5, flushBytes: 16 << 10 });
    const d = await createZeroShotHubDetector(opts({ client }));
    const reqs = hub.log.filter((l) => l.path.endsWith(`${BASE}/resolve/${base.commit}/${MODEL}`));
    assert.equal(reqs.length, 3, JSON.stringify(reqs));
    assert.match(reqs[2]!.range ?? '', /^bytes=\d+-$/);
    const [x] = await d.scoreTokens([one[1]!.ids]);
    assert.ok(close(x!.raw, one[1]!.fastdetectgpt.raw));
    await d.dispose?.();

    await client.remove(BASE);
    hub.failures.push({ kind: 'corrupt', file: MODEL });
    await assert.rejects(createZeroShotHubDetector(opts({ client })), (e: Error) => e instanceof HubIntegrityError && /SHA-256 mismatch.*discarded/.test(e.message));
    assert.ok(!(await store.list('')).some((k) => k.key.endsWith(MODEL)));
    const ok = await createZeroShotHubDetector(opts({ client }));
    await ok.dispose?.();
  });

  test('delete frees both models\' space and pins; offline there is then nothing to load, and the error says why', async () => {
    const client = new HubClient({ store, hubUrl: hub.url });
    const d = await createZeroShotHubDetector(opts({ detector: 'binoculars', client }));
    await d.dispose?.();
    for (const { repo } of zeroShotRepos(findZeroShot('binoculars')!)) {
      assert.ok((await client.storedBytes(repo)) > 100_000);
      await client.remove(repo);
      assert.equal(await client.storedBytes(repo), 0);
      assert.equal(await client.pins(repo), null);
    }
    await assert.rejects(createZeroShotHubDetector(opts({ detector: 'binoculars', fetch: offline })), /cannot be reached/);
    await assert.rejects(createZeroShotHubDetector(opts({ hubUrl: 'http://127.0.0.1:9' })), /cannot be reached/);
  });
});
