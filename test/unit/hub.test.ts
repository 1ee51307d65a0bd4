import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { HubClient, type DownloadProgress } from '../../src/core/hub/download.ts';
import { gitBlobSha1, HubError, HubIntegrityError, resolveUrl, sha256Hex } from '../../src/core/hub/hub.ts';
import { MemoryFileStore } from '../../src/core/hub/store.ts';
import { createHubDetector, wantedFiles } from '../../src/core/roberta/hub-detector.ts';
import { tokenizerFromFiles } from '../../src/core/roberta/tokenizer.ts';
import { NodeFileStore } from '../../src/node/hub-store.ts';
import { repoFromDir, startMockHub, type MockHub, type MockRepo } from '../support/mock-hub.ts';
import { directLogits, file, TEXTS, TINY, TINY_SWAPPED } from '../support/roberta-fixtures.ts';

const REPO = 'telltale/tiny-roberta';
const SWAPPED = 'telltale/tiny-roberta-swapped';
const MODEL = 'onnx/model.onnx';
const files = wantedFiles(undefined, 'fp32');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let hub: MockHub;
let tiny: MockRepo;
let dir: string;
let store: NodeFileStore;
const client = (o: Partial<ConstructorParameters<typeof HubClient>[0]> = {}) =>
  new HubClient({ store, hubUrl: hub.url, retryDelayMs: 5, flushBytes: 16 << 10, ...o });

before(async () => {
  tiny = repoFromDir(TINY);
  hub = await startMockHub({ [REPO]: tiny, [SWAPPED]: repoFromDir(TINY_SWAPPED) });
});
after(() => hub.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'telltale-hub-'));
  store = new NodeFileStore(dir);
  hub.log.length = 0;
  hub.failures.length = 0;
  hub.apiDisabled = false;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('hashes and URLs', () => {
  test('URL layout and git blob ids', async () => {
    assert.equal(resolveUrl('http://h/', 'a/b', 'main', 'onnx/model.onnx'), 'http://h/a/b/resolve/main/onnx/model.onnx');
    // `git hash-object` of "hello\n"
    assert.equal(await gitBlobSha1(new TextEncoder().encode('hello\n')), 'ce013625030ba8dba906f756967f9e9ca394464a');
    assert.equal(await sha256Hex(new Uint8Array([1, 2, 3])), sha(new Uint8Array([1, 2, 3])));
  });
});

describe('download manager', () => {
  test('first use: downloads with progress, verifies, stores, pins; second use makes no request', async () => {
    const events: DownloadProgress[] = [];
    const got = await client().ensure({ repo: REPO, files, onProgress: (p) => events.push(p) });
    for (const f of files) assert.deepEqual(got[f.path], tiny.files.get(f.path));
    const model = events.filter((e) => e.file === MODEL);
    assert.ok(model.length > 3, 'several progress events for the model');
    for (let i = 1; i < model.length; i++) assert.ok(model[i]!.loaded >= model[i - 1]!.loaded);
    assert.equal(model.at(-1)!.loaded, tiny.files.get(MODEL)!.length);
    assert.equal(model.at(-1)!.total, tiny.files.get(MODEL)!.length);
    assert.equal(events.at(-1)!.allLoaded, events.at(-1)!.allTotal);
    const pins = await client().pins(REPO);
    assert.equal(pins!.refs.main, tiny.commit);
    assert.equal(pins!.files[`${tiny.commit}/${MODEL}`]!.sha256, sha(tiny.files.get(MODEL)!));
    assert.ok((await client().storedBytes(REPO)) > 250_000);

    hub.log.length = 0;
    const again = await client().ensure({ repo: REPO, files });
    assert.deepEqual(again[MODEL], tiny.files.get(MODEL));
    assert.equal(hub.log.length, 0, 'not downloaded twice');
  });

  test('integrity failure: clear error, nothing kept', async () => {
    hub.failures.push({ kind: 'corrupt', file: MODEL });
    await assert.rejects(client().ensure({ repo: REPO, files }), (e: Error) => e instanceof HubIntegrityError && /SHA-256 mismatch.*discarded/.test(e.message));
    const kept = await store.list('');
    assert.ok(!kept.some((k) => k.key.endsWith(MODEL)), JSON.stringify(kept));
    // The next attempt starts clean and succeeds.
    const got = await client().ensure({ repo: REPO, files });
    assert.deepEqual(got[MODEL], tiny.files.get(MODEL));
  });

  test('a registry hash that differs from the Hub refuses before downloading', async () => {
    const bad = files.map((f) => (f.path === MODEL ? { ...f, sha256: '0'.repeat(64) } : f));
    await assert.rejects(client().ensure({ repo: REPO, files: bad }), /differs from the registry/);
    assert.ok(!hub.log.some((l) => l.path.endsWith(MODEL)));
  });

  test('interrupted download resumes with HTTP Range', async () => {
    const size = tiny.files.get(MODEL)!.length;
    hub.failures.push({ kind: 'cut', file: MODEL, afterBytes: 100_000 }, { kind: 'status', file: MODEL, status: 503 });
    const got = await client().ensure({ repo: REPO, files });
    assert.deepEqual(got[MODEL], tiny.files.get(MODEL));
    const reqs = hub.log.filter((l) => l.path.endsWith(MODEL));
    assert.equal(reqs.length, 3, JSON.stringify(reqs));
    assert.equal(reqs[0]!.status, 503);
    assert.equal(reqs[1]!.range, undefined);
    assert.equal(reqs[1]!.status, 200);
    assert.match(reqs[2]!.range ?? '', /^bytes=\d+-$/);
    const from = Number(/bytes=(\d+)-/.exec(reqs[2]!.range!)![1]);
    // How much of the 100,000 bytes sent before the cut arrives depends on the socket's timing (a loaded
    // machine gets less): the resume starts from what was stored, which is more than nothing and no more than was sent.
    assert.ok(from > 0 && from <= 100_000 && from < size, `resumed from ${from}`);
  });

  test('a partial download left by a closed host resumes on the next call', async () => {
    const size = tiny.files.get(MODEL)!.length;
    await store.append(`partial/${REPO}/${tiny.commit}/${MODEL}`, tiny.files.get(MODEL)!.subarray(0, 70_000));
    await client().ensure({ repo: REPO, files });
    const req = hub.log.find((l) => l.path.endsWith(MODEL))!;
    assert.equal(req.range, 'bytes=70000-');
    assert.ok(size > 70_000);
  });

  test('a server that ignores Range: starts over, still correct', async () => {
    hub.failures.push({ kind: 'cut', file: MODEL, afterBytes: 50_000 }, { kind: 'ignore-range', file: MODEL });
    const got = await client().ensure({ repo: REPO, files });
    assert.deepEqual(got[MODEL], tiny.files.get(MODEL));
  });

  test('gives up after the retries with a clear error', async () => {
    hub.failures.push({ kind: 'status', file: MODEL, status: 500, times: 10 });
    await assert.rejects(client({ retries: 2 }).ensure({ repo: REPO, files }), /failed after 3 attempts/);
  });

  test('404 is not retried', async () => {
    await assert.rejects(client().ensure({ repo: REPO, files: [{ path: 'onnx/missing.onnx' }] }), (e: Error) => e instanceof HubError && /no file/.test(e.message));
  });

  test('without the API, hashes come from ETag / X-Linked-ETag headers', async () => {
    hub.apiDisabled = true;
    const got = await client().ensure({ repo: REPO, files });
    assert.deepEqual(got[MODEL], tiny.files.get(MODEL));
    hub.failures.push({ kind: 'corrupt', file: 'config.json' });
    await client().remove(REPO);
    await assert.rejects(client().ensure({ repo: REPO, files }), /git blob id mismatch/);
  });

  test('no hash from anywhere: the file is refused', async () => {
    hub.apiDisabled = true;
    const stripping: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const h = new Headers(res.headers);
      h.delete('etag');
      h.delete('x-linked-etag');
      return new Response(res.body, { status: res.status, headers: h });
    };
    await assert.rejects(client({ fetch: stripping }).ensure({ repo: REPO, files }), /no hash is known.*refused/);
    assert.equal((await store.list('files/')).length, 0);
  });

  test('trust on first use: a file changed on the Hub after pinning is refused', async () => {
    await client().ensure({ repo: REPO, files });
    const original = tiny.files.get(MODEL)!;
    const changed = original.slice();
    changed[1000]! ^= 1;
    tiny.files.set(MODEL, changed);
    try {
      await store.delete(`files/${REPO}/${tiny.commit}/${MODEL}`);
      await assert.rejects(client().ensure({ repo: REPO, files }), /differs from the pinned/);
    } finally {
      tiny.files.set(MODEL, original);
    }
  });

  test('a stored file corrupted or truncated on disk is detected, never used, and fetched again', async () => {
    await client().ensure({ repo: REPO, files });
    for (const [path, damage] of [
      [
        'config.json',
        (b: Uint8Array) => {
          b[5]! ^= 1;
          return b;
        },
      ],
      [
        MODEL,
        (b: Uint8Array) => {
          b[1000]! ^= 0xff;
          return b;
        },
      ],
      [MODEL, (b: Uint8Array) => b.subarray(0, b.length - 4096)],
    ] as const) {
      const key = `files/${REPO}/${tiny.commit}/${path}`;
      await store.put(key, damage((await store.get(key))!.slice()));
      hub.log.length = 0;
      const got = await client().ensure({ repo: REPO, files });
      assert.deepEqual(got[path], tiny.files.get(path), `${path}: the Hub's bytes, not the damaged ones`);
      assert.equal(hub.log.filter((l) => l.method === 'GET' && l.path.endsWith(path)).length, 1, `${path} fetched again`);
      assert.deepEqual(await store.get(key), tiny.files.get(path), `${path} stored again`);
    }
  });

  test('a corrupted stored file with the Hub unreachable: a clear error, and the file is not used', async () => {
    await client().ensure({ repo: REPO, files });
    const key = `files/${REPO}/${tiny.commit}/config.json`;
    const bytes = (await store.get(key))!;
    bytes[5]! ^= 1;
    await store.put(key, bytes);
    await assert.rejects(client({ hubUrl: 'http://127.0.0.1:9', retries: 0 }).ensure({ repo: REPO, files }), /corrupt.*cannot be reached|cannot be reached.*corrupt/s);
    assert.equal(await store.size(key), null, 'the corrupt copy is gone');
  });

  test('concurrent calls share one download; remove() frees the space', async () => {
    const c = client();
    const [a, b] = await Promise.all([c.ensure({ repo: REPO, files }), c.ensure({ repo: REPO, files })]);
    assert.equal(a, b);
    assert.equal(hub.log.filter((l) => l.path.endsWith(MODEL)).length, 1);
    await c.remove(REPO);
    assert.equal(await c.storedBytes(REPO), 0);
    assert.equal(await c.pins(REPO), null);
  });

  test('unreachable Hub and nothing stored: clear error', async () => {
    await assert.rejects(new HubClient({ store, hubUrl: 'http://127.0.0.1:9', retryDelayMs: 1 }).ensure({ repo: REPO, files }), /cannot be reached/);
  });

  test('memory store behaves like the file store', async () => {
    const mem = new MemoryFileStore();
    const got = await new HubClient({ store: mem, hubUrl: hub.url }).ensure({ repo: REPO, files });
    assert.deepEqual(got[MODEL], tiny.files.get(MODEL));
    assert.ok([...mem.data.keys()].every((k) => !k.startsWith('partial/')));
  });
});

describe('fetch-models', () => {
  test('puts a repo into a build directory in the store layout, with an index; unreachable Hub fails clearly', async () => {
    const { execFile } = await import('node:child_process');
    const run = (args: string[]) =>
      new Promise<{ code: number; out: string }>((resolve) =>
        execFile(process.execPath, ['--import', 'tsx', 'scripts/fetch-models.ts', ...args], (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr })));
    const out = join(dir, 'bundle');
    const ok = await run(['--hub', hub.url, '--model', REPO, '--variant', 'fp32', '--out', out]);
    assert.equal(ok.code, 0, ok.out);
    const bundled = new NodeFileStore(out);
    const index = JSON.parse(new TextDecoder().decode((await bundled.get('index.json'))!));
    assert.ok(index.files.some((f: { key: string }) => f.key === `files/${REPO}/${tiny.commit}/${MODEL}`));
    // The bundle is a complete, pinned store: usable with no network at all.
    const got = await new HubClient({ store: bundled, hubUrl: 'http://127.0.0.1:9' }).ensure({ repo: REPO, files });
    assert.deepEqual(got[MODEL], tiny.files.get(MODEL));
    const bad = await run(['--hub', 'http://127.0.0.1:9', '--model', REPO, '--out', join(dir, 'none')]);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /cannot be reached/);
  });
});

describe('createHubDetector', () => {
  test('from the mock Hub: scores equal a direct onnxruntime-node run; offline afterwards', async () => {
    const progress: DownloadProgress[] = [];
    const d = await createHubDetector({ repo: REPO, hubUrl: hub.url, store, backend: 'wasm', variant: 'fp32', onProgress: (p) => progress.push(p) });
    assert.equal(d.variant, 'fp32');
    assert.equal(d.backend, 'wasm');
    assert.ok(progress.length > 0);
    const scores = await d.scoreBatch(TEXTS);
    const tok = tokenizerFromFiles(file(TINY, 'tokenizer.json'), file(TINY, 'tokenizer_config.json'));
    const direct = await directLogits(join(TINY, MODEL), TEXTS.map((t) => [0, ...tok.encode(t), 2]));
    scores.forEach((s, i) => {
      assert.ok(Math.abs(s.logit - direct[i]!) < 1e-4, `${s.logit} vs ${direct[i]}`);
    });

    const offline: typeof fetch = async () => {
      throw new TypeError('fetch failed (offline)');
    };
    const d2 = await createHubDetector({ repo: REPO, hubUrl: hub.url, store, backend: 'wasm', variant: 'fp32', fetch: offline });
    const again = await d2.scoreBatch(TEXTS);
    again.forEach((s, i) => {
      assert.ok(Math.abs(s.p - scores[i]!.p) < 1e-6);
    });
  });

  test('wasm picks the 8-bit variant; swapped labels still report machine', async () => {
    const d = await createHubDetector({ repo: REPO, hubUrl: hub.url, store, backend: 'wasm' });
    assert.equal(d.variant, 'q8');
    assert.ok(hub.log.some((l) => l.path.endsWith('onnx/model_quantized.onnx')));
    const a = await createHubDetector({ repo: REPO, hubUrl: hub.url, store, backend: 'wasm', variant: 'fp32' });
    const b = await createHubDetector({ repo: SWAPPED, hubUrl: hub.url, store, backend: 'wasm', variant: 'fp32' });
    const [sa, sb] = [await a.scoreBatch(TEXTS), await b.scoreBatch(TEXTS)];
    sa.forEach((s, i) => {
      assert.ok(Math.abs(s.p - sb[i]!.p) < 1e-5);
    });
  });

  test('CLI factory: cache dir, models/hub layer optional', async () => {
    const { createNodeHubDetector } = await import('../../src/node/hub-store.ts');
    const d = await createNodeHubDetector({ model: REPO, hubUrl: hub.url, cacheDir: dir, bundledDir: null, variant: 'fp32' });
    assert.equal(d.info.id, REPO);
    assert.equal((await d.scoreBatch(TEXTS)).length, TEXTS.length);
    assert.ok((await store.list(`files/${REPO}/`)).length === 4);
  });

  test('webgpu without shader-f16 asks for fp32, with it fp16 (session falls back to wasm in Node)', async () => {
    const d = await createHubDetector({ repo: REPO, hubUrl: hub.url, store, backend: 'webgpu', gpuFeatures: new Set(['shader-f16']) });
    assert.equal(d.variant, 'fp16');
    assert.ok(hub.log.some((l) => l.path.endsWith('onnx/model_fp16.onnx')));
  });
});
