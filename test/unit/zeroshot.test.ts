/**
 * The zero-shot detectors' core against a plain-torch implementation of the authors' formulas
 * (test/fixtures/zeroshot-reference.json, from scripts/zeroshot-reference.py) on the project's tiny
 * random-weight Llama fixtures: fp32 on onnxruntime-web wasm in Node to 1e-4; windowing; batching and
 * padding; the variants; the session checks; verdicts of uncalibrated and calibrated detectors.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { judge, REASONS } from '../../src/core/judge.ts';
import { createCombinedDetector } from '../../src/core/roberta/combine.ts';
import { tokenizerFromFiles, vocabularyOf } from '../../src/core/tokenizer.ts';
import type { Detector } from '../../src/core/types.ts';
import { fitCalibration } from '../../src/core/zeroshot/calibration.ts';
import { lmSessionRunner, lmShapeFromConfig, planLmBatches, type CausalLm } from '../../src/core/zeroshot/causal-lm.ts';
import {
  createBinoculars, createFastDetectGpt, provisionalReading, TokenizerMismatchError, type BinocularsTerms, type FastDetectGptTerms,
} from '../../src/core/zeroshot/detectors.ts';
import { chooseLmVariant, findLanguageModel, findZeroShot, LANGUAGE_MODELS, ZEROSHOT } from '../../src/core/zeroshot/registry.ts';
import { fastTerms } from '../../src/core/zeroshot/stats.ts';
import { makeLmWindows, windowSpans } from '../../src/core/zeroshot/windows.ts';
import { LLAMA, LLAMA_INSTRUCT, localLm, REFERENCE, type ReferenceCase } from '../support/zeroshot-fixtures.ts';

const info = { id: 'zs', name: 'zero-shot test', version: '0', languages: ['en'] };
const TOL = 1e-4;
/** Raw statistics: absolute. The summed terms (ll, mu, var, in the thousands on the long text): relative to max(1, |b|). */
const close = (a: number, b: number, tol = TOL) => Math.abs(a - b) <= tol;
const closeRel = (a: number, b: number, tol = TOL) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
const cases = REFERENCE.cases;
const byWindows = (c: ReferenceCase) => ({ window: c.window, overlap: c.overlap });

let obs: CausalLm;
let perf: CausalLm;
before(async () => {
  obs = await localLm(LLAMA);
  perf = await localLm(LLAMA_INSTRUCT);
});
after(async () => {
  await obs.dispose?.();
  await perf.dispose?.();
});

async function terms(o: { observer?: CausalLm; performer?: CausalLm; tokens: number[][]; window?: number; overlap?: number }) {
  const opts = { info, calibration: null, window: o.window, overlap: o.overlap };
  const fast = await createFastDetectGpt(o.observer ?? obs, opts).scoreTokens(o.tokens);
  const bino = await createBinoculars(o.observer ?? obs, o.performer ?? perf, opts).scoreTokens(o.tokens);
  return { fast, bino };
}

/** Fast-DetectGPT of one window of `ids` computed here from one direct run of the model's own engine. */
async function directDiscrepancy(lm: CausalLm, ids: number[]): Promise<number> {
  const lb = await lm.run(BigInt64Array.from(ids, BigInt), new BigInt64Array(ids.length).fill(1n), BigInt64Array.from(ids, (_, k) => BigInt(k)), 1, ids.length);
  let ll = 0, mu = 0, v = 0;
  for (let t = 0; t < ids.length - 1; t++) {
    const x = fastTerms(lb.row(0, t), ids[t + 1]!);
    ll += x.ll;
    mu += x.mu;
    v += x.var;
  }
  lb.dispose();
  return (ll - mu) / Math.sqrt(v);
}

describe('windows', () => {
  test('every token after the first is predicted exactly once, with at least `overlap` tokens of context, in windows of at most `size`', () => {
    for (const [n, size, overlap] of [[1, 512, 64], [511, 512, 64], [512, 512, 64], [513, 512, 64], [1898, 512, 64], [1000, 50, 1], [777, 64, 16], [129, 64, 63]] as const) {
      const ids = Array.from({ length: n }, (_, i) => i);
      const w = makeLmWindows(0, ids, size, overlap);
      const predicted: number[] = [];
      const xRows: number[] = [];
      for (const x of w) {
        assert.ok(x.ids.length <= size);
        assert.deepEqual(x.ids, ids.slice(x.start, x.start + x.ids.length));
        for (let r = x.rowFrom; r < x.rowTo; r++) {
          xRows.push(x.start + r);
          if (r < x.ids.length - 1) {
            predicted.push(x.start + r + 1);
            if (x.start > 0) assert.ok(r + 1 >= overlap, `label ${x.start + r + 1} has ${r + 1} tokens of context`);
          }
        }
      }
      assert.deepEqual(predicted, ids.slice(1), `n ${n}, size ${size}: labels`);
      assert.deepEqual(xRows, ids, `n ${n}, size ${size}: positions`);
      if (n > size) assert.equal(w.at(-1)!.start + w.at(-1)!.ids.length, n);
    }
    assert.throws(() => windowSpans(10, 8, 8), /bad windows/);
    assert.throws(() => windowSpans(10, 8, 0), /bad windows/);
  });
  test('the same windows as the torch reference', () => {
    for (const c of cases) assert.deepEqual(windowSpans(c.ids.length, c.window, c.overlap), c.windows, c.name);
    assert.ok(cases.some((c) => c.windows.length >= 5));
  });
});

describe('against the authors\' formulas in plain torch (fp32, onnxruntime-web wasm)', () => {
  test('our tokenizer gives the ids the reference used', () => {
    for (const c of cases) assert.deepEqual(obs.tokenizer.encode(c.text), c.ids, c.name);
    assert.equal(obs.tokenizer.padTokenId, REFERENCE.padId);
    assert.ok(cases.some((c) => c.ids.includes(REFERENCE.padId!)), 'one text holds the pad id, which Binoculars masks');
  });
  test('Fast-DetectGPT: discrepancy and its summed terms to 1e-4, one window and many', async () => {
    for (const c of cases) {
      const [x] = (await terms({ tokens: [c.ids], ...byWindows(c) })).fast as FastDetectGptTerms[];
      const r = c.fastdetectgpt;
      assert.equal(x!.n, r.n, c.name);
      assert.ok(close(x!.raw, r.raw), `${c.name} raw: ${x!.raw} vs ${r.raw}`);
      for (const k of ['ll', 'mu', 'var'] as const) assert.ok(closeRel(x![k], r[k]), `${c.name} ${k}: ${x![k]} vs ${r[k]}`);
      if (c.authors) assert.ok(close(x!.raw, c.authors.fastdetectgpt), `${c.name}: authors' function`);
    }
  });
  test('Binoculars: score, log-perplexity and cross-perplexity to 1e-4, one window and many, pad id masked', async () => {
    for (const c of cases) {
      const [x] = (await terms({ tokens: [c.ids], ...byWindows(c) })).bino as BinocularsTerms[];
      const r = c.binoculars;
      assert.deepEqual([x!.nPpl, x!.nX], [r.n_ppl, r.n_x], c.name);
      assert.ok(close(x!.raw, r.raw), `${c.name} raw: ${x!.raw} vs ${r.raw}`);
      assert.ok(close(x!.ppl, r.ppl) && close(x!.xPpl, r.x_ppl), `${c.name}: ${x!.ppl}/${x!.xPpl} vs ${r.ppl}/${r.x_ppl}`);
      if (c.authors) assert.ok(close(x!.raw, c.authors.binoculars), `${c.name}: authors' function`);
    }
    const special = cases.find((c) => c.name === 'special')!;
    assert.equal(special.binoculars.n_x, special.ids.filter((i) => i !== REFERENCE.padId).length);
  });
  test('the same through onnxruntime-node (fp32)', async () => {
    const [o, p] = [await localLm(LLAMA, 'onnx/model.onnx', { runtime: 'node' }), await localLm(LLAMA_INSTRUCT, 'onnx/model.onnx', { runtime: 'node' })];
    try {
      const sel = cases.filter((c) => c.window === 512);
      const { fast, bino } = await terms({ observer: o, performer: p, tokens: sel.map((c) => c.ids) });
      sel.forEach((c, i) => {
        assert.ok(close(fast[i]!.raw, c.fastdetectgpt.raw), `${c.name}: ${fast[i]!.raw}`);
        assert.ok(close(bino[i]!.raw, c.binoculars.raw), `${c.name}: ${bino[i]!.raw}`);
      });
    } finally {
      await o.dispose?.();
      await p.dispose?.();
    }
  });
  test('the per-position terms: a hand-made distribution', () => {
    // Two tokens, logits [0, ln 3]: p = [1/4, 3/4].
    const t = fastTerms([0, Math.log(3)], 0);
    const lp = [Math.log(0.25), Math.log(0.75)];
    const mu = 0.25 * lp[0]! + 0.75 * lp[1]!;
    assert.ok(Math.abs(t.ll - lp[0]!) < 1e-12);
    assert.ok(Math.abs(t.mu - mu) < 1e-12);
    assert.ok(Math.abs(t.var - (0.25 * lp[0]! ** 2 + 0.75 * lp[1]! ** 2 - mu * mu)) < 1e-12);
  });
});

describe('batching and padding', () => {
  test('batches are padded on the right with the pad id, mask 0, positions per row', () => {
    const w = [0, 1, 2].flatMap((i) => makeLmWindows(i, Array.from({ length: [5, 3, 4][i]! }, (_, k) => 10 + k)));
    const [b] = planLmBatches(w, 0, 8, 4096);
    assert.deepEqual(b!.windows, [0, 2, 1]);
    assert.equal(b!.seq, 5);
    const row = (a: BigInt64Array, r: number) => [...a.slice(r * 5, r * 5 + 5)].map(Number);
    assert.deepEqual(row(b!.ids, 2), [10, 11, 12, 0, 0]);
    assert.deepEqual(row(b!.mask, 2), [1, 1, 1, 0, 0]);
    assert.deepEqual(row(b!.positions, 1).slice(0, 4), [0, 1, 2, 3]);
    assert.deepEqual(planLmBatches(w, 0, 2, 4096).map((x) => x.windows), [[0, 2], [1]]);
    assert.deepEqual(planLmBatches(w, 0, 8, 9).map((x) => x.windows), [[0], [2, 1]]);
  });
  test('fp32: texts batched and padded together score as one by one (1e-4), also with long texts cut into windows', async () => {
    const tokens = cases.map((c) => c.ids);
    const many = await terms({ tokens, window: 64, overlap: 16 });
    const one = { fast: [] as FastDetectGptTerms[], bino: [] as BinocularsTerms[] };
    const [o1, p1] = [await localLm(LLAMA, 'onnx/model.onnx', { maxBatch: 1 }), await localLm(LLAMA_INSTRUCT, 'onnx/model.onnx', { maxBatch: 1 })];
    try {
      for (const t of tokens) {
        const r = await terms({ observer: o1, performer: p1, tokens: [t], window: 64, overlap: 16 });
        one.fast.push(r.fast[0] as FastDetectGptTerms);
        one.bino.push(r.bino[0] as BinocularsTerms);
      }
    } finally {
      await o1.dispose?.();
      await p1.dispose?.();
    }
    tokens.forEach((_, i) => {
      assert.ok(close(many.fast[i]!.raw, one.fast[i]!.raw), `fast ${i}: ${many.fast[i]!.raw} vs ${one.fast[i]!.raw}`);
      assert.ok(close(many.bino[i]!.raw, one.bino[i]!.raw), `binoculars ${i}: ${many.bino[i]!.raw} vs ${one.bino[i]!.raw}`);
    });
    const d = Math.max(...tokens.map((_, i) => Math.abs(many.fast[i]!.raw - one.fast[i]!.raw)));
    console.log(`# fp32 batched vs one by one: max |d discrepancy| ${d.toExponential(2)}`);
  });
  test('fp16 (wasm): batched equals one by one (1e-3), and stays near fp32', async () => {
    const sel = cases.filter((c) => c.window === 512 && c.ids.length < 200).map((c) => c.ids);
    const h8 = [await localLm(LLAMA, 'onnx/model_fp16.onnx'), await localLm(LLAMA_INSTRUCT, 'onnx/model_fp16.onnx')];
    const h1 = [await localLm(LLAMA, 'onnx/model_fp16.onnx', { maxBatch: 1 }), await localLm(LLAMA_INSTRUCT, 'onnx/model_fp16.onnx', { maxBatch: 1 })];
    try {
      const a = await terms({ observer: h8[0], performer: h8[1], tokens: sel });
      const b = await terms({ observer: h1[0], performer: h1[1], tokens: sel });
      const f = await terms({ tokens: sel });
      sel.forEach((_, i) => {
        assert.ok(closeRel(a.fast[i]!.raw, b.fast[i]!.raw, 1e-3) && closeRel(a.bino[i]!.raw, b.bino[i]!.raw, 1e-3), `${i}`);
      });
      const dbatch = Math.max(...sel.map((_, i) => Math.max(Math.abs(a.fast[i]!.raw - b.fast[i]!.raw), Math.abs(a.bino[i]!.raw - b.bino[i]!.raw))));
      console.log(`# fp16 batched vs one by one (wasm): max |d| ${dbatch.toExponential(2)}`);
      const df = Math.max(...sel.map((_, i) => Math.abs(a.fast[i]!.raw - f.fast[i]!.raw)));
      const db = Math.max(...sel.map((_, i) => Math.abs(a.bino[i]!.raw - f.bino[i]!.raw)));
      console.log(`# fp16 vs fp32 (wasm): max |d discrepancy| ${df.toExponential(2)}, max |d binoculars| ${db.toExponential(2)}`);
      assert.ok(df < 0.5 && db < 0.01, `${df} ${db}`);
    } finally {
      for (const m of [...h8, ...h1]) await m.dispose?.();
    }
  });
  test('8-bit: activations are quantised per tensor over the batch, so batching changes scores; one window per run matches a direct run', async () => {
    const sel = cases.filter((c) => c.window === 512).map((c) => c.ids);
    const q1 = await localLm(LLAMA, 'onnx/model_quantized.onnx', { maxBatch: 1 });
    const q8 = await localLm(LLAMA, 'onnx/model_quantized.onnx', { maxBatch: 8 });
    try {
      const opts = { info, calibration: null };
      const one = await createFastDetectGpt(q1, opts).scoreTokens(sel);
      const many = await createFastDetectGpt(q8, opts).scoreTokens(sel);
      const d = Math.max(...sel.map((_, i) => Math.abs(one[i]!.raw - many[i]!.raw)));
      console.log(`# q8 batch 8 vs batch 1: max |d discrepancy| ${d.toExponential(2)} (why quantised variants run one window at a time)`);
      // Its own engine, one text per call, computed again here from the session's logits (texts of one window).
      for (const [i, ids] of sel.entries()) {
        if (ids.length > 512) continue;
        assert.ok(close(one[i]!.raw, await directDiscrepancy(q1, ids)), `${i}`);
      }
      const ref = cases.filter((c) => c.window === 512);
      const dq = Math.max(...ref.map((c, i) => Math.abs(one[i]!.raw - c.fastdetectgpt.raw)));
      console.log(`# q8 vs the fp32 torch reference: max |d discrepancy| ${dq.toExponential(2)}`);
    } finally {
      await q1.dispose?.();
      await q8.dispose?.();
    }
  });
});

describe('4-bit (MatMulNBits, as the Hub\'s model_q4.onnx)', () => {
  test('runs on onnxruntime-web wasm; one window per run matches a direct run; batching measured; near fp32', async () => {
    const sel = cases.filter((c) => c.window === 512 && c.ids.length <= 512).map((c) => c.ids);
    const q1 = [await localLm(LLAMA, 'onnx/model_q4.onnx', { maxBatch: 1 }), await localLm(LLAMA_INSTRUCT, 'onnx/model_q4.onnx', { maxBatch: 1 })];
    const q8 = [await localLm(LLAMA, 'onnx/model_q4.onnx', { maxBatch: 8 }), await localLm(LLAMA_INSTRUCT, 'onnx/model_q4.onnx', { maxBatch: 8 })];
    const node = await localLm(LLAMA, 'onnx/model_q4.onnx', { maxBatch: 1, runtime: 'node' });
    try {
      const one = await terms({ observer: q1[0], performer: q1[1], tokens: sel });
      const many = await terms({ observer: q8[0], performer: q8[1], tokens: sel });
      for (const [i, ids] of sel.entries()) assert.ok(close(one.fast[i]!.raw, await directDiscrepancy(q1[0]!, ids)), `${i}`);
      const db = Math.max(...sel.map((_, i) => Math.abs(one.fast[i]!.raw - many.fast[i]!.raw)));
      const ref = cases.filter((c) => c.window === 512 && c.ids.length <= 512);
      const df = Math.max(...ref.map((c, i) => Math.abs(one.fast[i]!.raw - c.fastdetectgpt.raw)));
      const dbin = Math.max(...ref.map((c, i) => Math.abs(one.bino[i]!.raw - c.binoculars.raw)));
      const nat = await createFastDetectGpt(node, { info, calibration: null }).scoreTokens(sel);
      const dn = Math.max(...sel.map((_, i) => Math.abs(nat[i]!.raw - one.fast[i]!.raw)));
      console.log(`# q4 batch 8 vs batch 1: max |d discrepancy| ${db.toExponential(2)}; q4 vs the fp32 torch reference: discrepancy ${df.toExponential(2)}, binoculars ${dbin.toExponential(2)}; onnxruntime-node vs web (q4): ${dn.toExponential(2)}`);
      assert.ok(dbin < 0.05, `${dbin}`);
    } finally {
      for (const m of [...q1, ...q8, node]) await m.dispose?.();
    }
  });
});

describe('the session and config.json are checked', () => {
  test('layers, kv heads and head size must match the model\'s past inputs', async () => {
    const { createSession } = await import('../../src/core/runtime.ts');
    const { session } = await createSession(new Uint8Array(readFileSync(join(LLAMA, 'onnx/model.onnx'))), 'wasm');
    const config = JSON.parse(readFileSync(join(LLAMA, 'config.json'), 'utf8'));
    const shape = lmShapeFromConfig(config);
    assert.deepEqual([shape.layers, shape.heads, shape.kvHeads, shape.headDim], [2, 4, 2, 8]);
    assert.throws(() => lmSessionRunner(session, { ...shape, layers: 3 }), /past inputs do not match config.json's 3 layers/);
    assert.throws(() => lmSessionRunner(session, { ...shape, kvHeads: 4 }), /config.json says 4 kv heads/);
    assert.throws(() => lmShapeFromConfig({ model_type: 'llama' }), /does not describe a decoder-only model/);
    await session.release();
  });
  test('fp16 models take float16 pasts and give float16 logits, decoded', async () => {
    const h = await localLm(LLAMA, 'onnx/model_fp16.onnx');
    const ids = cases[1]!.ids;
    const lb = await h.run(BigInt64Array.from(ids, BigInt), new BigInt64Array(ids.length).fill(1n), BigInt64Array.from(ids, (_, k) => BigInt(k)), 1, ids.length);
    const row = lb.row(0, 3);
    assert.equal(row.length, h.shape.vocab);
    assert.ok(row.every(Number.isFinite) && row.some((x) => x !== 0));
    lb.dispose();
    await h.dispose?.();
  });
});

describe('Binoculars needs one tokenizer', () => {
  test('two vocabularies that differ are refused, with the differences named', () => {
    const tj = JSON.parse(readFileSync(join(LLAMA_INSTRUCT, 'tokenizer.json'), 'utf8'));
    const [a, b] = Object.keys(tj.model.vocab).slice(300, 302) as [string, string];
    [tj.model.vocab[a], tj.model.vocab[b]] = [tj.model.vocab[b], tj.model.vocab[a]];
    const other: CausalLm = { ...perf, id: 'other', vocabulary: vocabularyOf(new TextEncoder().encode(JSON.stringify(tj))) };
    assert.throws(() => createBinoculars(obs, other, { info, calibration: null }), (e: Error) => e instanceof TokenizerMismatchError && /different vocabularies/.test(e.message) && e.message.includes(JSON.stringify(a)));
    assert.throws(() => createBinoculars(obs, { ...perf, shape: { ...perf.shape, vocab: perf.shape.vocab + 1 } }, { info, calibration: null }), /logits over one vocabulary/);
    // The instruct sibling's tokenizer_config differs (bos, eos, pad, chat template); its vocabulary does not.
    assert.doesNotThrow(() => createBinoculars(obs, perf, { info, calibration: null }));
    const tc = tokenizerFromFiles(readFileSync(join(LLAMA_INSTRUCT, 'tokenizer.json')), readFileSync(join(LLAMA_INSTRUCT, 'tokenizer_config.json')), { specialTokens: true });
    assert.notEqual(tc.padTokenId, obs.tokenizer.padTokenId);
  });
});

describe('verdicts', () => {
  const long = cases.find((c) => c.name === 'long' && c.window === 512)!;
  const story = cases.find((c) => c.name === 'story')!;
  test('uncalibrated: scored with the raw statistic, p_machine null, never flagged, said in words; too-short keeps raw; never combined', async () => {
    const d = createFastDetectGpt(obs, { info, calibration: null });
    assert.equal(d.calibrated, false);
    const [v, s] = await judge(d, [long.text, story.text], { sensitivity: 'high' });
    assert.deepEqual([v!.state, v!.p_machine, v!.flagged, v!.calibrated], ['scored', null, false, false]);
    assert.ok(close(v!.raw!, long.fastdetectgpt.raw), `${v!.raw}`);
    assert.equal(v!.reason, REASONS.uncalibrated('Fast-DetectGPT sampling discrepancy'));
    assert.deepEqual([s!.state, s!.p_machine, s!.flagged, s!.calibrated], ['too-short', null, false, false]);
    assert.ok(close(s!.raw!, story.fastdetectgpt.raw));
    const calibratedOne: Detector = { info: { ...info, id: 'embedded' }, policy: d.policy, input: 'normalised', scoreBatch: async (t) => t.map(() => ({ p: 0.5, logit: 0 })) };
    assert.throws(() => createCombinedDetector(calibratedOne, d, { wA: 1, wB: 1, bias: 0 }, d.policy), /has no calibration, so it cannot be part of a combined score/);
    const b = createBinoculars(obs, perf, { info, calibration: null });
    const [vb] = await judge(b, [long.text], { sensitivity: 'high' });
    assert.ok(close(vb!.raw!, long.binoculars.raw));
    assert.deepEqual([vb!.p_machine, vb!.flagged], [null, false]);
  });
  test('calibrated: P(machine) = sigmoid(a raw + b), flagged by the calibration\'s thresholds', async () => {
    // A calibration fitted on made-up statistics around this text's own value.
    const r0 = long.fastdetectgpt.raw;
    const samples = Array.from({ length: 200 }, (_, i) => ({ raw: r0 + (i % 2 ? 1 : -1) * (1 + (i % 17) / 4), machine: i % 2 === 1 }));
    const cal = fitCalibration(samples, { machine: 'higher', minWords: 40, source: 'test', minPerClass: 50 });
    const d = createFastDetectGpt(obs, { info, calibration: cal });
    assert.equal(d.calibrated, true);
    const [s] = await d.scoreBatch([long.text]);
    const p = 1 / (1 + Math.exp(-(cal.a * s!.raw! + cal.b)));
    assert.ok(Math.abs(s!.p! - p) < 1e-12 && Math.abs(s!.logit - (cal.a * s!.raw! + cal.b)) < 1e-12);
    const [v] = await judge(d, [long.text], { sensitivity: 'balanced' });
    assert.equal(v!.calibrated, undefined);
    assert.equal(v!.flagged, s!.p! >= cal.policy.thresholds.balanced);
    assert.equal(v!.level, s!.p! >= cal.policy.thresholds.balanced ? 'generated' : s!.p! >= cal.policy.unclear.balanced ? 'unclear' : 'human');
    assert.equal(v!.flagged, s!.raw! >= cal.rawThresholds.balanced);
    assert.ok(Math.abs(v!.p_machine! - p) < 1e-12);
  });
  test('the provisional reading says what follows and what does not', () => {
    const f = provisionalReading('fast-detectgpt', 3.1);
    assert.match(f, /discrepancy 3\.10/);
    assert.match(f, /mean 0 and spread 1/);
    assert.match(f, /not a probability/);
    assert.match(f, /human text tends to score lower, often below 0, but not always/);
    assert.match(provisionalReading('binoculars', 0.8), /lower means more machine-like.*Falcon-7B/);
  });
});

describe('registry', () => {
  test('language models and zero-shot detectors: unverified, uncalibrated, Binoculars on a base/instruct pair', () => {
    assert.ok(LANGUAGE_MODELS.length >= 6);
    for (const m of LANGUAGE_MODELS) {
      assert.equal(m.revision, null, m.id);
      assert.ok(Object.values(m.files).every((f) => f.sha256 === null && !f.verified));
      assert.ok(Object.values(m.variants).every((v) => v!.sha256 === null && !v!.verified && v!.approxBytes! > 0));
    }
    for (const z of ZEROSHOT) assert.equal(z.calibration, null, z.id);
    const b = findZeroShot('binoculars')!;
    assert.deepEqual([findLanguageModel(b.observer!)!.repo, findLanguageModel(b.performer!)!.repo], ['HuggingFaceTB/SmolLM2-135M', 'HuggingFaceTB/SmolLM2-135M-Instruct']);
    assert.equal(findLanguageModel(findZeroShot('fast-detectgpt')!.scoring!)!.repo, 'HuggingFaceTB/SmolLM2-135M');
    assert.ok(findLanguageModel('onnx-community/Qwen2.5-0.5B-Instruct'));
  });
  test('variant per backend, among what the repo offers', () => {
    const smol = findLanguageModel('smollm2-135m')!;
    const qwen = findLanguageModel('qwen2.5-0.5b')!;
    assert.equal(chooseLmVariant('webgpu', new Set(['shader-f16']), smol), 'fp16');
    assert.equal(chooseLmVariant('webgpu', new Set(), smol), 'fp32');
    assert.equal(chooseLmVariant('wasm', new Set(), smol), 'q4', 'SmolLM2 repos list no 8-bit file');
    assert.equal(chooseLmVariant('wasm', new Set(), qwen), 'q8');
    assert.equal(chooseLmVariant('wasm'), 'q8');
    // Once pinned, a listed variant the Hub did not have is not offered.
    const pinned = { ...qwen, revisionVerified: true, variants: { ...qwen.variants, q8: { ...qwen.variants.q8!, verified: false }, q4: { ...qwen.variants.q4!, verified: true } } };
    assert.equal(chooseLmVariant('wasm', new Set(), pinned), 'q4');
  });
});
