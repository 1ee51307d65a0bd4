/**
 * Zero-shot detector speed (issue 9): `npm run bench -- zeroshot`; alone: `npx tsx scripts/bench/zeroshot.ts`.
 *
 * Model: SmolLM2-135M's shape (hidden 576, 30 layers, 9 heads, 3 kv heads, intermediate 1536, vocab 49152,
 * from its public config.json) with random weights, fp32, 8-bit and 4-bit (MatMulNBits, block 32), generated into
 * models/bench/smollm2-135m/ on first use (needs python3-torch and python3-onnx; a few minutes, about 1 GB). Random weights cost
 * what real ones cost; their scores mean nothing.
 * Engines, each in its own process (onnxruntime-web fixes its thread count at first use):
 *   web-1t / web-2t    onnxruntime-web 1.30 wasm (what the extension and the CLI run), 1 and 2 threads
 *   node-1t / node-2t  onnxruntime-node 1.30 native CPU
 * Cells, one text per run (batch 1) through the Fast-DetectGPT detector (forward pass + the per-position
 * statistics over the 49,152-token vocabulary):
 *   para  a 200-token window: a 150-word paragraph at about 1.3 SmolLM2 tokens per word (an assumption; our
 *         bench tokenizer is not SmolLM2's, so the bench feeds token ids directly)
 *   512   a full window
 * and `fwd`: the 200-token forward pass alone. Binoculars runs two such models: about twice `para`.
 *   chromium-wasm      onnxruntime-web 1.30 (the extension's WebGPU build) on wasm, 1 thread, in headless Chromium
 *   chromium-webgpu    the same on WebGPU with --enable-unsafe-webgpu: SwiftShader here, a software rasteriser
 *                      on the CPU, NOT a real GPU; fp32 only (what a GPU without shader-f16 gets); no 512 cell
 * (chromium engines when /usr/lib/chromium/chromium exists; TELLTALE_BENCH_ENGINES picks engines, e.g. web-1t,node-1t).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchMain, ensureBenchModel, spawnChild as spawnChildOf } from './lib/child.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIR = join(ROOT, 'models/bench/smollm2-135m');
const FILES = { q8: 'onnx/model_quantized.onnx', q4: 'onnx/model_q4.onnx', fp32: 'onnx/model.onnx' } as const;
type V = keyof typeof FILES;
const PARA = 200;
const VARIANTS = (process.env.TELLTALE_BENCH_VARIANTS ?? 'q8,q4,fp32').split(',') as V[];

interface Result {
  engine: string;
  variant: V;
  cell: string;
  ms: number;
  tokens: number;
  n: number;
  raw?: number;
}

function ensureModel(): void {
  ensureBenchModel(Object.values(FILES).every((f) => existsSync(join(DIR, f))) && existsSync(join(DIR, 'config.json')), '--bench-lm', 'models/bench/smollm2-135m (SmolLM2-135M-shaped, random weights; a few minutes)');
}

/** Fastest of a few runs (the machine is shared); a run over 20 s is timed once. */
async function time(fn: () => Promise<unknown>): Promise<{ ms: number; n: number }> {
  const t = async () => {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  };
  const first = await t(); // warm-up (first runs allocate)
  if (first > 20_000) return { ms: first, n: 1 };
  const runs: number[] = [];
  const start = performance.now();
  while (runs.length < 2 || (runs.length < 4 && performance.now() - start < 15_000)) runs.push(await t());
  return { ms: Math.min(...runs), n: runs.length };
}

/** Headless Chromium (one wasm thread as in extension pages, or WebGPU: SwiftShader here, a CPU emulation, not a GPU). */
async function chromium(engine: string, variant: V, para: number[], full: number[]): Promise<Result[]> {
  const { openCorePage } = await import('../browser/harness.ts');
  const webgpu = engine === 'chromium-webgpu';
  const page = await openCorePage('chromium', 'scripts/browser/zeroshot-page.ts', {
    '/m/model.onnx': ['application/octet-stream', join(DIR, FILES[variant])],
    '/m/config.json': ['application/json', join(DIR, 'config.json')],
  }, { webgpu });
  try {
    type Api = { available(): Promise<{ backend: string; features: string[] }>; bench(...a: unknown[]): Promise<{ backend: string; sessionMs: number; para: { ms: number; n: number }; fwd: { ms: number; n: number }; full?: { ms: number; n: number }; raw: number }> };
    const avail = await page.page.evaluate(() => (globalThis as unknown as { telltaleZeroShot: Api }).telltaleZeroShot.available());
    if (webgpu && avail.backend !== 'webgpu') throw new Error('no WebGPU adapter in headless Chromium');
    const r = await page.page.evaluate((b, p, f, budget) => (globalThis as unknown as { telltaleZeroShot: Api }).telltaleZeroShot.bench('/m/model.onnx', '/m/config.json', b, p, f, budget),
      webgpu ? 'webgpu' : 'wasm', para, webgpu ? [] : full, webgpu ? 60_000 : 20_000);
    if (webgpu && r.backend !== 'webgpu') throw new Error('the WebGPU session failed and fell back to wasm');
    const label = `${engine}${webgpu ? ` (${avail.features.includes('shader-f16') ? 'shader-f16' : 'no shader-f16'})` : ''}`;
    console.error(`  ${label}: session ${(r.sessionMs / 1000).toFixed(1)} s`);
    const out: Result[] = [
      { engine, variant, cell: 'para', ms: r.para.ms, tokens: para.length, n: r.para.n, raw: r.raw },
      { engine, variant, cell: 'fwd', ms: r.fwd.ms, tokens: para.length, n: r.fwd.n },
    ];
    if (r.full) out.push({ engine, variant, cell: '512', ms: r.full.ms, tokens: full.length, n: r.full.n });
    return out;
  } finally {
    await page.close();
  }
}

async function child(engine: string, variant: V): Promise<Result[]> {
  if (engine.startsWith('chromium')) {
    const shape = JSON.parse(readFileSync(join(DIR, 'config.json'), 'utf8')) as { vocab_size: number };
    const ids = (n: number, seed: number) => Array.from({ length: n }, (_, i) => 3 + ((i * 7919 + seed * 104729) % (shape.vocab_size - 3)));
    return chromium(engine, variant, ids(PARA, 1), ids(512, 2));
  }
  const threads = Number(/-(\d)t$/.exec(engine)?.[1] ?? 1);
  const { lmSessionRunner, lmShapeFromConfig, defaultBatchTokens } = await import('../../src/core/zeroshot/causal-lm.ts');
  const { createFastDetectGpt } = await import('../../src/core/zeroshot/detectors.ts');
  const shape = lmShapeFromConfig(JSON.parse(readFileSync(join(DIR, 'config.json'), 'utf8')));
  const model = join(DIR, FILES[variant]);
  let run: import('../../src/core/zeroshot/causal-lm.ts').LmRunner;
  if (engine.startsWith('node')) {
    const ort = await import('onnxruntime-node');
    const s = await ort.InferenceSession.create(model, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    run = lmSessionRunner(s as never, shape, { Tensor: ort.Tensor as never });
  } else {
    const { configureRuntime, createSession } = await import('../../src/core/runtime.ts');
    configureRuntime({ threads });
    run = lmSessionRunner((await createSession(readFileSync(model), 'wasm')).session, shape);
  }
  const lm = {
    id: 'bench', tokenizer: { encode: () => [], padId: 0 }, shape, run, maxBatch: 1, maxBatchTokens: defaultBatchTokens(shape.vocab, 512), variant,
  };
  const det = createFastDetectGpt(lm, { info: { id: 'bench', name: 'bench', version: '', languages: ['en'] }, calibration: null });
  const ids = (n: number, seed: number) => Array.from({ length: n }, (_, i) => 3 + ((i * 7919 + seed * 104729) % (shape.vocab - 3)));
  const out: Result[] = [];
  const para = ids(PARA, 1);
  let raw = NaN;
  const p = await time(async () => (raw = (await det.scoreTokens([para]))[0]!.raw));
  out.push({ engine, variant, cell: 'para', ms: p.ms, tokens: PARA, n: p.n, raw });
  const f = await time(async () => {
    const b = await run(BigInt64Array.from(para, BigInt), new BigInt64Array(PARA).fill(1n), BigInt64Array.from(para, (_, i) => BigInt(i)), 1, PARA);
    b.dispose();
  });
  out.push({ engine, variant, cell: 'fwd', ms: f.ms, tokens: PARA, n: f.n });
  const full = ids(512, 2);
  const w = await time(() => det.scoreTokens([full]));
  out.push({ engine, variant, cell: '512', ms: w.ms, tokens: 512, n: w.n });
  return out;
}

const spawnChild = (engine: string, variant: V) => spawnChildOf<Result>(fileURLToPath(import.meta.url), engine, variant, true);

export async function run(): Promise<void> {
  ensureModel();
  const { CHROMIUM } = await import('../browser/flags.ts');
  const browser = existsSync(CHROMIUM) ? ',chromium-wasm,chromium-webgpu' : '';
  const engines = (process.env.TELLTALE_BENCH_ENGINES ?? `web-1t,web-2t,node-1t,node-2t${browser}`).split(',');
  const results: Result[] = [];
  for (const variant of VARIANTS) {
    for (const engine of engines) {
      // WebGPU gets fp32 (no shader-f16 on SwiftShader; 8-bit has produced garbage on WebGPU).
      if (engine === 'chromium-webgpu' && variant !== 'fp32') continue;
      const t0 = Date.now();
      results.push(...(await spawnChild(engine, variant)));
      console.log(`  ${engine} ${variant}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  }
  console.log(`\nFast-DetectGPT on a SmolLM2-135M-shaped model (random weights), one text per run, 2 shared cores.`);
  console.log(`para: ${PARA} tokens (~150 words); fwd: its forward pass alone; 512: a full window. ms (tokens/s).`);
  console.log(['engine', 'variant', 'para', 'fwd', '512'].map((c, i) => c.padEnd(i === 0 ? 17 : i === 1 ? 9 : 18)).join(''));
  for (const variant of VARIANTS) {
    for (const engine of engines) {
      const cells = ['para', 'fwd', '512'].map((c) => results.find((r) => r.engine === engine && r.variant === variant && r.cell === c));
      if (cells.every((c) => !c)) continue;
      const fmt = (r?: Result) => (r ? `${r.ms.toFixed(0)} (${((r.tokens * 1000) / r.ms).toFixed(0)})${r.n === 1 ? '*' : ''}` : '-');
      console.log(engine.padEnd(17) + variant.padEnd(9) + cells.map((r) => fmt(r).padEnd(18)).join(''));
    }
  }
  console.log('(fastest of 2-4 runs after a warm-up; * timed once. Binoculars reads two models: about 2x para.)');
  for (const e of engines) {
    const r = (v: V) => results.find((x) => x.engine === e && x.variant === v && x.cell === 'para')?.raw;
    const [q, q4, f] = [r('q8'), r('q4'), r('fp32')];
    if (f !== undefined) console.log(`${e}: discrepancy of the same 200 ids: fp32 ${f.toFixed(3)}, 8-bit ${q?.toFixed(3) ?? '-'}, 4-bit ${q4?.toFixed(3) ?? '-'}`);
  }
  const web = (v: V) => results.find((x) => x.engine === 'web-1t' && x.variant === v && x.cell === 'para')?.raw;
  const nat = (v: V) => results.find((x) => x.engine === 'node-1t' && x.variant === v && x.cell === 'para')?.raw;
  for (const v of VARIANTS) {
    const [a, b] = [web(v), nat(v)];
    if (a !== undefined && b !== undefined) console.log(`${v}: onnxruntime-web vs onnxruntime-node discrepancy |d| ${Math.abs(a - b).toExponential(2)} (information; quantised kernels differ by CPU)`);
  }
}

benchMain(import.meta.url, (engine, variant) => child(engine, variant as V), run);
