/**
 * Embedded detector speed: paragraphs/s and latency percentiles on ONE wasm thread, in Node
 * (onnxruntime-web) and in headless Chromium, for 50-, 150- and 400-word paragraphs. The paragraphs
 * are generated here from a word list written for this benchmark (no corpus text). Features,
 * normalisation, the ONNX run, calibration and evidence are all included in the timings.
 */
import { configureRuntime } from '../../src/core/runtime.ts';
import { judge } from '../../src/core/judge.ts';
import { normalise } from '../../src/core/normalise.ts';
import type { RawScore } from '../../src/core/types.ts';
import { loadEmbeddedDetector } from '../../src/node/models.ts';
import type { EmbeddedApi } from '../browser/embedded-page.ts';
import { openEmbeddedPage } from '../browser/harness.ts';
import { measureDetector } from './lib/measure.ts';

const WORDS = (
  'the a of and to in that it with as for on was is by at from his her they we you this which but not or have ' +
  'river morning window letter garden station winter market engine signal bridge harbour meadow lantern ' +
  'village teacher doctor farmer pilot sailor painter council budget report season history language science ' +
  'carried opened noticed wondered argued decided measured promised answered followed remembered built ' +
  'quiet bright narrow careful sudden ancient modern gentle heavy patient curious distant familiar useful ' +
  'slowly often never almost perhaps quickly rather still again together however because although while'
).split(/\s+/);

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function paragraph(words: number, seed: number): string {
  const r = rng(seed);
  const out: string[] = [];
  let sentence = 0;
  const sentLen = () => 6 + Math.floor(r() * 18);
  let left = sentLen();
  for (let i = 0; i < words; i++) {
    let w = WORDS[Math.floor(r() * WORDS.length)]!;
    if (sentence === 0) w = w[0]!.toUpperCase() + w.slice(1);
    sentence++;
    if (--left === 0 || i === words - 1) {
      w += r() < 0.85 ? '.' : r() < 0.5 ? '?' : '!';
      sentence = 0;
      left = sentLen();
    } else if (r() < 0.08) w += ',';
    out.push(w);
  }
  return out.join(' ');
}

function pctl(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

const SIZES = [50, 150, 400];
const BATCH = 64;

export async function run(): Promise<void> {
  configureRuntime({ threads: 1 });
  const rows: string[][] = [];
  const det = await loadEmbeddedDetector();
  for (const words of SIZES) {
    const paras = Array.from({ length: 256 }, (_, i) => normalise(paragraph(words, 1000 * words + i)).text);
    const { latencies: lat, batchPerSecond: perS } = await measureDetector(det, paras, BATCH, { latency: 1, batch: 2 });
    rows.push(['node wasm x1', String(words), (1000 / (lat.reduce((a, b) => a + b, 0) / lat.length)).toFixed(0), perS.toFixed(0),
      pctl(lat, 0.5).toFixed(2), pctl(lat, 0.9).toFixed(2), pctl(lat, 0.99).toFixed(2)]);
  }
  // The whole judgement the detector host and the CLI run: normalisation, language check, scoring, levels.
  const judged = { scoreBatch: (ps: readonly string[]) => judge(det, ps, { sensitivity: 'balanced', batchSize: BATCH }) as unknown as Promise<RawScore[]> };
  const paras = Array.from({ length: 256 }, (_, i) => paragraph(150, 150_000 + i).replace(/ it /g, ' it’s “quoted” — ').replace(/\./g, '.\u00a0'));
  const { latencies: lat, batchPerSecond: perS } = await measureDetector(judged, paras, BATCH, { latency: 1, batch: 2 });
  rows.push(['node wasm x1, judge()', '150', (1000 / (lat.reduce((a, b) => a + b, 0) / lat.length)).toFixed(0), perS.toFixed(0),
    pctl(lat, 0.5).toFixed(2), pctl(lat, 0.9).toFixed(2), pctl(lat, 0.99).toFixed(2)]);
  await det.dispose?.();

  try {
    const page = await openEmbeddedPage('chromium');
    try {
      for (const words of SIZES) {
        const paras = Array.from({ length: 128 }, (_, i) => normalise(paragraph(words, 1000 * words + i)).text);
        const r = await page.page.evaluate(
          (ps, b) => (globalThis as unknown as { telltaleEmbedded: EmbeddedApi }).telltaleEmbedded.bench(ps, 'wasm', b, 2),
          paras,
          BATCH,
        ) as { latencies: number[]; batchPerSecond: number; backend: string };
        const lat = r.latencies;
        rows.push([`chromium ${r.backend} x1`, String(words), (1000 / (lat.reduce((a, b) => a + b, 0) / lat.length)).toFixed(0),
          r.batchPerSecond.toFixed(0), pctl(lat, 0.5).toFixed(2), pctl(lat, 0.9).toFixed(2), pctl(lat, 0.99).toFixed(2)]);
      }
    } finally {
      await page.close();
    }
  } catch (err) {
    rows.push(['chromium', `failed: ${err instanceof Error ? err.message : String(err)}`, '', '', '', '', '']);
  }

  const head = ['runtime', 'words', 'para/s (1 per call)', `para/s (batch ${BATCH})`, 'p50 ms', 'p90 ms', 'p99 ms'];
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  console.log('Embedded detector, one wasm thread (features + normalised text in, calibrated p + evidence out)');
  for (const r of [head, w.map((n) => '-'.repeat(n)), ...rows]) console.log(r.map((x, c) => (c < 1 ? x.padEnd(w[c]!) : x.padStart(w[c]!))).join('  '));
  console.log('target: >= 200 paragraphs of 150 words per second in Node on one thread');
}
