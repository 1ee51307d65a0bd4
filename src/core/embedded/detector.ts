/**
 * The embedded detector: hashed char/word n-grams and stylometric features (features.ts), a linear
 * table plus a small dense head in ONNX (models/embedded/model.onnx), calibrated on dev (meta.json).
 * Pure: no fs, no fetch, no DOM. The caller hands over a loader for the files in models/embedded/.
 */
import { createSession, ort, type Backend } from '../runtime.ts';
import { countWords } from '../normalise.ts';
import { checkPolicy } from '../levels.ts';
import type { CalibratedDetector, CalibratedScore, Evidence, JudgingPolicy } from '../types.ts';
import {
  DEFAULT_FEATURE_CONFIG,
  DENSE_DIM,
  DENSE_NAMES,
  extractFeatures,
  featureFingerprint,
  splitSentences,
  type FeatureConfig,
  type Features,
  type Occurrences,
} from './features.ts';

export interface EmbeddedMeta {
  format: 'telltale-embedded';
  version: string;
  features: FeatureConfig & { denseNames: string[]; fingerprint: number };
  /** p = sigmoid(a * logit + b + c * ln(1 + words)). */
  calibration: { a: number; b: number; c: number };
  policy: JudgingPolicy;
  languages: string[];
}

export interface EmbeddedOptions {
  backend?: Backend;
  /** Sentences returned as evidence, at most (those that pushed the score up most). */
  maxEvidence?: number;
  /** Largest batch * features tensor per session run; longer batches are split. */
  maxCells?: number;
}

export type EmbeddedDetector = CalibratedDetector & {
  backend: Backend;
  meta: EmbeddedMeta;
  /** The raw features, for tests and tools. */
  featuresOf(text: string): Features;
  /** Every sentence's exact share of the logit (in text order), and the paragraph-level head term. */
  explain(text: string): Promise<{ logit: number; head: number; sentences: Evidence[] }>;
};

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function calibrate(meta: EmbeddedMeta, logit: number, words: number): number {
  const { a, b, c } = meta.calibration;
  return sigmoid(a * logit + b + c * Math.log1p(words));
}

/** Identifies a calibration: scores recorded under another one (npm run eval:pages) must be measured again. */
export function calibrationTag(meta: Pick<EmbeddedMeta, 'version' | 'calibration'>): string {
  const c = meta.calibration;
  return `${meta.version}:${c.a.toFixed(6)}:${c.b.toFixed(6)}:${c.c.toFixed(6)}`;
}

export function parseMeta(bytes: Uint8Array): EmbeddedMeta {
  const meta = JSON.parse(new TextDecoder().decode(bytes)) as EmbeddedMeta;
  if (meta.format !== 'telltale-embedded') throw new Error('meta.json is not a Telltale embedded model');
  const f = meta.features;
  const mine = DEFAULT_FEATURE_CONFIG;
  if (f.version !== mine.version || f.seed !== mine.seed || f.bucketBits !== mine.bucketBits || f.charMin !== mine.charMin ||
      f.charMax !== mine.charMax || f.wordMax !== mine.wordMax) {
    throw new Error('embedded model was trained with another feature configuration: retrain it (npm run train)');
  }
  if (f.denseNames.join(',') !== DENSE_NAMES.join(',')) throw new Error('embedded model expects other dense features');
  if (f.fingerprint !== featureFingerprint(f)) throw new Error('feature extraction differs from the one the model was trained with');
  checkPolicy(meta.policy, 'meta.json');
  return meta;
}

interface Prepared {
  text: string;
  f: Features & { occurrences?: Occurrences };
}

export async function createEmbeddedDetector(
  load: (file: string) => Promise<Uint8Array>,
  opts: EmbeddedOptions = {},
): Promise<EmbeddedDetector> {
  const meta = parseMeta(await load('meta.json'));
  const model = await load('model.onnx');
  const { session, backend } = await createSession(model, opts.backend ?? 'wasm');
  const config: FeatureConfig = meta.features;
  const maxEvidence = opts.maxEvidence ?? 3;
  const maxCells = opts.maxCells ?? 1 << 18;

  async function runRaw(items: Prepared[]): Promise<{ contrib: Float32Array; head: Float32Array; N: number }> {
    const B = items.length;
    let N = 1;
    for (const it of items) N = Math.max(N, it.f.indices.length);
    const idx = new Int32Array(B * N);
    const val = new Float32Array(B * N);
    const dense = new Float32Array(B * DENSE_DIM);
    items.forEach((it, b) => {
      idx.set(it.f.indices, b * N);
      val.set(it.f.values, b * N);
      dense.set(it.f.dense, b * DENSE_DIM);
    });
    const feeds = {
      idx: new ort.Tensor('int32', idx, [B, N]),
      val: new ort.Tensor('float32', val, [B, N]),
      dense: new ort.Tensor('float32', dense, [B, DENSE_DIM]),
    };
    const out = await session.run(feeds);
    const contrib = (await out.contrib!.getData()) as Float32Array;
    const head = (await out.head!.getData()) as Float32Array;
    for (const t of Object.values(feeds)) t.dispose();
    for (const t of Object.values(out)) t.dispose();
    return { contrib, head, N };
  }

  async function runChunk(items: Prepared[]): Promise<CalibratedScore[]> {
    const { contrib, head, N } = await runRaw(items);
    return items.map((it, b) => {
      const m = it.f.indices.length;
      // The logit is summed here, in float64 and a fixed order, from the model's exact per-feature
      // contributions: the same on every backend and for any batch composition.
      let logit = head[b]!;
      for (let j = 0; j < m; j++) logit += contrib[b * N + j]!;
      const p = calibrate(meta, logit, countWords(it.text));
      const evidence = maxEvidence > 0 ? sentenceEvidence(it, contrib.subarray(b * N, b * N + m), maxEvidence) : undefined;
      return evidence?.length ? { p, logit, evidence } : { p, logit };
    });
  }

  const detector: EmbeddedDetector = {
    info: { id: 'embedded', name: 'Telltale embedded', version: meta.version, languages: meta.languages },
    policy: meta.policy,
    // Trained and calibrated on normalise()d text.
    input: 'normalised',
    backend,
    meta,
    featuresOf: (text) => extractFeatures(text, config),
    async scoreBatch(texts) {
      const prepared: Prepared[] = texts.map((text) => ({ text, f: extractFeatures(text, config, maxEvidence > 0) }));
      // Similar lengths together, so short paragraphs are not padded to the longest one.
      const order = prepared.map((_, i) => i).sort((x, y) => prepared[x]!.f.indices.length - prepared[y]!.f.indices.length);
      const results: CalibratedScore[] = new Array(texts.length);
      let i = 0;
      while (i < order.length) {
        let j = i + 1;
        while (j < order.length && (j - i + 1) * Math.max(1, prepared[order[j]!]!.f.indices.length) <= maxCells) j++;
        const chunk = order.slice(i, j);
        const scores = await runChunk(chunk.map((k) => prepared[k]!));
        chunk.forEach((k, t) => {
          results[k] = scores[t]!;
        });
        i = j;
      }
      return results;
    },
    async explain(text) {
      const it: Prepared = { text, f: extractFeatures(text, config, true) };
      const { contrib, head } = await runRaw([it]);
      const sentences = sentenceWeights(it, contrib);
      let logit = head[0]!;
      for (let j = 0; j < it.f.indices.length; j++) logit += contrib[j]!;
      return { logit, head: head[0]!, sentences };
    },
    async dispose() {
      await session.release();
    },
  };
  return detector;
}

/**
 * Each feature's contribution to the logit is shared equally by its occurrences; a sentence's weight
 * is the sum over the occurrences that start in it. Sentence weights add up to the logit minus the
 * paragraph-level head (length, rhythm, punctuation rates).
 */
export function sentenceEvidence(it: Prepared, contrib: Float32Array, max: number): Evidence[] {
  return sentenceWeights(it, contrib)
    .filter((e) => e.weight > 0)
    .sort((x, y) => y.weight - x.weight)
    .slice(0, max);
}

/** Every sentence with its share of the logit, in text order. */
export function sentenceWeights(it: Prepared, contrib: Float32Array): Evidence[] {
  const occ = it.f.occurrences;
  if (!occ) return [];
  const sentences = splitSentences(it.text);
  if (sentences.length === 0) return [];
  const starts = sentences.map((s) => s.start);
  const weights = new Float64Array(sentences.length);
  for (let o = 0; o < occ.slot.length; o++) {
    const slot = occ.slot[o]!;
    const pos = occ.pos[o]!;
    // Last sentence starting at or before pos.
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    weights[lo]! += contrib[slot]! / occ.count[slot]!;
  }
  return sentences.map((s, i) => ({ text: it.text.slice(s.start, s.end), start: s.start, end: s.end, weight: weights[i]! }));
}
