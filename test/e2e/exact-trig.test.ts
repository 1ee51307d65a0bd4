/**
 * The rewrite of Sin and Cos (src/core/zeroshot/exact-trig.ts) on Chromium's WebGPU (SwiftShader here):
 * rewritten, they are within 5e-7 of float64 at the rotary angles of a 512-token window and beyond, on
 * WebGPU as on wasm. WebGPU's own Sin and Cos are measured and printed, not asserted: how far they are
 * off is up to the GPU (WGSL bounds them only inside [-pi, pi], to 2^-11).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openCorePage } from '../../scripts/browser/harness.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'sincos.onnx');

/** Positions 0..511 times SmolLM2's inv_freq (theta 100000, head_dim 64), and a sweep of [-50000, 50000]. */
function angles(): number[] {
  const xs: number[] = [];
  for (let i = 0; i < 64; i += 2) for (let p = 0; p < 512; p += 3) xs.push(Math.fround(p * Math.fround(1 / 100_000 ** (i / 64))));
  for (let i = 0; i < 4000; i++) xs.push(Math.fround((i / 4000 - 0.5) * 100_000));
  return xs;
}

test('Chromium WebGPU: Sin and Cos rewritten are within 5e-7 of float64 (WebGPU\'s own: printed)', async (t) => {
  const p = await openCorePage('chromium', 'scripts/browser/zeroshot-page.ts', { '/sincos.onnx': ['application/octet-stream', FIXTURE] }, { webgpu: true });
  try {
    const xs = angles();
    type Api = { trig(u: string, b: string, rewrite: boolean, xs: number[]): Promise<{ backend: string; sin: number[]; cos: number[] }> };
    const run = (backend: string, rewrite: boolean) =>
      p.page.evaluate((b, r, x) => (globalThis as unknown as { telltaleZeroShot: Api }).telltaleZeroShot.trig('/sincos.onnx', b, r, x), backend, rewrite, xs);
    const worst = (r: { sin: number[]; cos: number[] }) => Math.max(...xs.map((x, i) => Math.max(Math.abs(r.sin[i]! - Math.sin(x)), Math.abs(r.cos[i]! - Math.cos(x)))));
    const own = await run('webgpu', false);
    const exact = await run('webgpu', true);
    const wasm = await run('wasm', true);
    assert.equal(own.backend, 'webgpu', 'a WebGPU adapter (SwiftShader here)');
    assert.equal(exact.backend, 'webgpu');
    t.diagnostic(`max |error| over ${xs.length} angles: WebGPU's own ${worst(own).toExponential(2)}, rewritten on WebGPU ${worst(exact).toExponential(2)}, rewritten on wasm ${worst(wasm).toExponential(2)}`);
    assert.ok(worst(exact) < 5e-7, `rewritten on WebGPU: ${worst(exact)}`);
    assert.ok(worst(wasm) < 5e-7, `rewritten on wasm: ${worst(wasm)}`);
  } finally {
    await p.close();
  }
});
