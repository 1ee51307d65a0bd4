/**
 * The embedded detector gives the same answer in browsers as in Node: identical features (indices,
 * values, dense) and model scores within 1e-5, in headless Chromium on wasm, Chromium on WebGPU
 * (SwiftShader adapter via --enable-unsafe-webgpu) and Firefox ESR on wasm. The bundle is the core
 * code plus onnxruntime-web, served on 127.0.0.1 in a plain page (scripts/browser/harness.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { normalise } from '../../src/core/normalise.ts';
import { extractFeatures } from '../../src/core/embedded/features.ts';
import type { EmbeddedDetector } from '../../src/core/embedded/detector.ts';
import type { CalibratedScore } from '../../src/core/types.ts';
import { loadEmbeddedDetector } from '../../src/node/models.ts';
import type { EmbeddedApi } from '../../scripts/browser/embedded-page.ts';
import { openEmbeddedPage, type EmbeddedPage } from '../../scripts/browser/harness.ts';
import { paragraph } from '../../scripts/bench/embedded.ts';
import { SAMPLE_TEXTS } from '../fixtures/embedded-samples.ts';

const TEXTS = [
  ...Object.values(SAMPLE_TEXTS),
  paragraph(50, 1),
  paragraph(150, 2),
  paragraph(400, 3),
  'Tоdаy wе wеnt\u200b tо thе   MARKET аnd bоught ﬁsh.', // look-alikes, zero-width, ligature, spacing
  'Emoji 😀 and CJK 漢字 mixed with English words in one sentence, plus a surrogate pair 𝔘.',
];

type Feat = { indices: number[]; values: number[]; dense: number[] };

let det: EmbeddedDetector;
let nodeFeatures: Feat[];
let nodeScores: CalibratedScore[];

before(async () => {
  det = await loadEmbeddedDetector();
  nodeFeatures = TEXTS.map((t) => {
    const f = extractFeatures(normalise(t).text);
    return { indices: [...f.indices], values: [...f.values], dense: [...f.dense] };
  });
  nodeScores = await det.scoreBatch(TEXTS.map((t) => normalise(t).text));
});
after(async () => {
  await det.dispose?.();
});

function compare(where: string, feats: Feat[], scores: CalibratedScore[]): void {
  assert.equal(feats.length, TEXTS.length);
  feats.forEach((f, i) => {
    assert.deepEqual(f.indices, nodeFeatures[i]!.indices, `${where}: indices of text ${i}`);
    assert.deepEqual(f.values, nodeFeatures[i]!.values, `${where}: values of text ${i}`);
    assert.deepEqual(f.dense, nodeFeatures[i]!.dense, `${where}: dense of text ${i}`);
  });
  scores.forEach((s, i) => {
    const n = nodeScores[i]!;
    assert.ok(Math.abs(s.p - n.p) <= 1e-5, `${where}: p of text ${i}: ${s.p} vs ${n.p}`);
    assert.ok(Math.abs(s.logit - n.logit) <= 1e-5, `${where}: logit of text ${i}: ${s.logit} vs ${n.logit}`);
    assert.deepEqual(s.evidence?.map((e) => [e.start, e.end]), n.evidence?.map((e) => [e.start, e.end]), `${where}: evidence of text ${i}`);
  });
}

async function check(page: EmbeddedPage, backend: 'wasm' | 'webgpu', where: string): Promise<void> {
  const feats = (await page.page.evaluate((ts) => (globalThis as unknown as { telltaleEmbedded: EmbeddedApi }).telltaleEmbedded.features(ts), TEXTS)) as Feat[];
  const r = (await page.page.evaluate((ts, b) => (globalThis as unknown as { telltaleEmbedded: EmbeddedApi }).telltaleEmbedded.score(ts, b), TEXTS, backend)) as { backend: string; scores: CalibratedScore[] };
  assert.equal(r.backend, backend, `${where}: ran on ${r.backend}, not ${backend}`);
  compare(where, feats, r.scores);
}

describe('embedded detector parity with Node', { timeout: 180_000 }, () => {
  it('Chromium, wasm (one thread)', async () => {
    const page = await openEmbeddedPage('chromium');
    try {
      await check(page, 'wasm', 'chromium/wasm');
    } finally {
      await page.close();
    }
  });

  it('Chromium, WebGPU (--enable-unsafe-webgpu)', async () => {
    const page = await openEmbeddedPage('chromium', { webgpu: true });
    try {
      const available = await page.page.evaluate(() => (globalThis as unknown as { telltaleEmbedded: EmbeddedApi }).telltaleEmbedded.available());
      assert.equal(available, 'webgpu', 'no WebGPU adapter in headless Chromium');
      await check(page, 'webgpu', 'chromium/webgpu');
    } finally {
      await page.close();
    }
  });

  it('Firefox ESR, wasm (one thread)', async () => {
    const page = await openEmbeddedPage('firefox');
    try {
      await check(page, 'wasm', 'firefox/wasm');
    } finally {
      await page.close();
    }
  });
});
