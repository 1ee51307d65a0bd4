/**
 * The exact rewrite of Sin and Cos (src/core/zeroshot/exact-trig.ts), run on onnxruntime-web wasm in
 * Node: the rewritten functions against float64 Math.sin/Math.cos at the rotary angles of real configs
 * and beyond; the tiny Llama fixture rewritten still equals the torch reference to 1e-4 and the original's
 * logits; models without Sin or Cos come back unchanged; junk is refused. That WebGPU gains from it is
 * shown by test/e2e/zeroshot-browsers.test.ts (Chromium's WebGPU).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createSession, ort } from '../../src/core/runtime.ts';
import { lmSessionRunner, lmShapeFromConfig } from '../../src/core/zeroshot/causal-lm.ts';
import { createFastDetectGpt } from '../../src/core/zeroshot/detectors.ts';
import { exactTrig, modelForBackend } from '../../src/core/zeroshot/exact-trig.ts';
import { LLAMA, REFERENCE } from '../support/zeroshot-fixtures.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const bytes = (p: string) => new Uint8Array(readFileSync(p));

/** The angles a rotary embedding feeds Sin and Cos: positions 0..4095 times inv_freq of (theta, head_dim). */
function ropeAngles(theta: number, headDim: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < headDim; i += 2) {
    const inv = Math.fround(1 / theta ** (i / headDim));
    for (let p = 0; p < 4096; p += 7) out.push(Math.fround(p * inv));
  }
  return out;
}

test('Sin and Cos rewritten: within 2e-7 of float64 at every rotary angle of SmolLM2 and Qwen2.5 and on [-50000, 50000]', async () => {
  const { bytes: model, replaced } = exactTrig(bytes(join(FIXTURES, 'sincos.onnx')));
  assert.equal(replaced, 2);
  const xs = [...ropeAngles(100_000, 64), ...ropeAngles(1_000_000, 64), 0, -0, Math.PI / 4, Math.PI / 2, Math.PI, -Math.PI, 1e-30];
  for (let i = 0; i < 20_000; i++) xs.push((i / 20_000 - 0.5) * 100_000);
  const x = Float32Array.from(xs);
  const run = async (m: Uint8Array) => {
    const { session } = await createSession(m, 'wasm');
    const r = await session.run({ x: new ort.Tensor('float32', x, [x.length]) });
    await session.release();
    return { sin: r.sin!.data as Float32Array, cos: r.cos!.data as Float32Array };
  };
  const exact = await run(model);
  const native = await run(bytes(join(FIXTURES, 'sincos.onnx')));
  let worst = 0;
  let worstNative = 0;
  for (let i = 0; i < x.length; i++) {
    worst = Math.max(worst, Math.abs(exact.sin[i]! - Math.sin(x[i]!)), Math.abs(exact.cos[i]! - Math.cos(x[i]!)));
    worstNative = Math.max(worstNative, Math.abs(native.sin[i]! - Math.sin(x[i]!)), Math.abs(native.cos[i]! - Math.cos(x[i]!)));
  }
  assert.ok(worst < 2e-7, `rewritten: max |error| ${worst}`);
  // For scale: wasm's own sinf/cosf, which the rewrite does not replace there (only on WebGPU).
  assert.ok(worstNative < 4e-7, `wasm's own: ${worstNative}`);
});

test('the tiny Llama rewritten: 2 nodes replaced, logits as the original\'s to 1e-4, Fast-DetectGPT equals torch to 1e-4', async () => {
  const original = bytes(join(LLAMA, 'onnx/model.onnx'));
  const { bytes: model, replaced } = exactTrig(original);
  assert.equal(replaced, 2);
  assert.ok(model.length > original.length);
  const shape = lmShapeFromConfig(JSON.parse(readFileSync(join(LLAMA, 'config.json'), 'utf8')));
  const a = await createSession(original, 'wasm');
  const b = await createSession(model, 'wasm');
  try {
    const ids = REFERENCE.cases.find((c) => c.name === 'long')!.ids.slice(0, 512);
    const n = ids.length;
    const args = [BigInt64Array.from(ids, BigInt), new BigInt64Array(n).fill(1n), BigInt64Array.from(ids, (_, i) => BigInt(i)), 1, n] as const;
    const la = await lmSessionRunner(a.session, shape)(...args);
    const lb = await lmSessionRunner(b.session, shape)(...args);
    let d = 0;
    let big = 0;
    for (let t = 0; t < n; t++) {
      const ra = la.row(0, t);
      const rb = lb.row(0, t);
      for (let v = 0; v < ra.length; v++) {
        d = Math.max(d, Math.abs(ra[v]! - rb[v]!));
        big = Math.max(big, Math.abs(ra[v]!));
      }
    }
    la.dispose();
    lb.dispose();
    // Float32 noise (measured 1.0e-5 on logits of up to 7.2): the sines differ by at most 2e-7.
    assert.ok(d < 1e-4, `logits differ by ${d} (largest logit ${big})`);
    const lm = { id: 'x', tokenizer: { encode: () => [], padId: 0 }, shape, run: lmSessionRunner(b.session, shape), maxBatch: 4, maxBatchTokens: 1 << 20 };
    for (const c of REFERENCE.cases) {
      const det = createFastDetectGpt(lm, { info: { id: 'x', name: 'x', version: '', languages: ['en'] }, calibration: null, window: c.window, overlap: c.overlap });
      const [r] = await det.scoreTokens([c.ids]);
      assert.ok(Math.abs(r!.raw - c.fastdetectgpt.raw) < 1e-4, `${c.name}: ${r!.raw} vs ${c.fastdetectgpt.raw}`);
    }
  } finally {
    await a.session.release();
    await b.session.release();
  }
});

test('a model without Sin or Cos comes back as it was; what is not an ONNX model is refused', () => {
  const roberta = bytes(join(FIXTURES, 'tiny-roberta/onnx/model.onnx'));
  const r = exactTrig(roberta);
  assert.equal(r.replaced, 0);
  assert.equal(r.bytes, roberta);
  assert.throws(() => exactTrig(new Uint8Array([0xff, 0xff, 0xff])), /varint|truncated|wire type/);
  assert.throws(() => exactTrig(new TextEncoder().encode('<!doctype html><title>404</title>')), /wire type|truncated|no graph/);
  const sincos = bytes(join(FIXTURES, 'sincos.onnx'));
  assert.throws(() => exactTrig(sincos.subarray(0, sincos.length - 20)), /truncated|no graph/);
  assert.throws(() => exactTrig(new Uint8Array(0)), /no graph/);
});

test('what the host loads: rewritten on WebGPU for float32 variants only; on wasm and for float16 variants, the file as it is', () => {
  const fp32 = bytes(join(LLAMA, 'onnx/model.onnx'));
  for (const v of ['fp32', 'q8', 'q4', undefined]) assert.equal(exactTrig(modelForBackend(fp32, 'webgpu', v)).replaced, 0, `${v}: already rewritten`);
  assert.notEqual(modelForBackend(fp32, 'webgpu', 'fp32'), fp32);
  assert.equal(modelForBackend(fp32, 'wasm', 'fp32'), fp32);
  const fp16 = bytes(join(LLAMA, 'onnx/model_fp16.onnx'));
  for (const v of ['fp16', 'q4f16']) assert.equal(modelForBackend(fp16, 'webgpu', v), fp16);
  // A file it cannot read goes on unchanged, for the session to refuse.
  const junk = new Uint8Array([0xff, 0xff, 0xff]);
  assert.equal(modelForBackend(junk, 'webgpu', 'fp32'), junk);
});
