/**
 * The embedded detector in Node: features (pinned values on project-written strings), the shipped
 * model on onnxruntime-web (wasm), calibration, batching, evidence, and the normalisation invariants.
 * All texts here are written for these tests.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { judge } from '../../src/core/judge.ts';
import { normalise } from '../../src/core/normalise.ts';
import {
  canonicalise,
  DEFAULT_FEATURE_CONFIG,
  DENSE_DIM,
  extractFeatures,
  featureFingerprint,
  fnv1a,
  splitSentences,
} from '../../src/core/embedded/features.ts';
import { parseMeta, type EmbeddedDetector } from '../../src/core/embedded/detector.ts';
import { embeddedModelDir, loadEmbeddedDetector } from '../../src/node/models.ts';
import { PINNED, SAMPLE_TEXTS, summarise } from '../fixtures/embedded-samples.ts';

describe('embedded features', () => {
  it('hash is FNV-1a over UTF-16 code units', () => {
    assert.equal(fnv1a('', 0x811c9dc5), 0x811c9dc5);
    assert.equal(fnv1a('a', 0x811c9dc5), 0xe40c292c);
    assert.equal(fnv1a('foobar', 0x811c9dc5), 0xbf9cf968);
  });

  it('buckets follow the documented scheme (independent re-implementation for one text)', () => {
    // Spec: char n-gram hash = FNV-1a(seed ^ "CHAR") over the n code units of " " + canon + " ", then
    // imul(h, 31) ^ n, murmur3 fmix32, low bucketBits bits. Word unigram: FNV-1a(seed ^ "WORD") of the word.
    const fmix = (x: number) => {
      x ^= x >>> 16; x = Math.imul(x, 0x85ebca6b); x ^= x >>> 13; x = Math.imul(x, 0xc2b2ae35); x ^= x >>> 16;
      return x >>> 0;
    };
    const fnv = (s: string, h: number) => {
      for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
      return h >>> 0;
    };
    const { seed, bucketBits } = DEFAULT_FEATURE_CONFIG;
    const mask = (1 << bucketBits) - 1;
    const f = extractFeatures('Ab');
    const tri = fmix(Math.imul(fnv(' ab', (seed ^ 0x43484152) >>> 0), 31) ^ 3) & mask;
    const four = fmix(Math.imul(fnv(' ab ', (seed ^ 0x43484152) >>> 0), 31) ^ 4) & mask;
    const uni = fmix(fnv('ab', (seed ^ 0x574f5244) >>> 0)) & mask;
    assert.deepEqual([...f.indices], [tri, four, fmix(Math.imul(fnv('ab ', (seed ^ 0x43484152) >>> 0), 31) ^ 3) & mask, uni]);
  });

  it('canonical form folds case, digits and whitespace runs, with offsets into the input', () => {
    const { canon, map } = canonicalise('  Hello,\n\tWORLD 2024 ');
    assert.equal(canon, 'hello, world 0000');
    assert.equal(map.length, canon.length);
    assert.equal(map[0], 2); // 'H'
    assert.equal(map[7], 10); // 'W' after the whitespace run
  });

  it('is deterministic and matches the pinned values', () => {
    for (const [name, text] of Object.entries(SAMPLE_TEXTS)) {
      const a = summarise(extractFeatures(text));
      const b = summarise(extractFeatures(text));
      assert.deepEqual(a, b);
      assert.deepEqual(a, PINNED[name], `features of sample "${name}" changed: retrain the model and update the pins`);
    }
    assert.equal(featureFingerprint(), PINNED.fingerprint);
  });

  it('values are L2-normalised per group and indices are unique and in range', () => {
    const f = extractFeatures(SAMPLE_TEXTS.essay!);
    assert.equal(new Set(f.indices).size, f.indices.length);
    for (const i of f.indices) assert.ok(i >= 0 && i < 1 << DEFAULT_FEATURE_CONFIG.bucketBits);
    let sq = 0;
    for (const v of f.values) {
      assert.ok(v > 0 && v <= 1);
      sq += v * v;
    }
    assert.ok(Math.abs(sq - 2) < 1e-4, `two groups of unit norm, got ${sq}`);
    assert.equal(f.dense.length, DENSE_DIM);
    for (const v of f.dense) assert.ok(Number.isFinite(v));
  });

  it('case games and whitespace games give identical features', () => {
    const clean = SAMPLE_TEXTS.essay!;
    const games = [
      clean.toUpperCase(),
      [...clean].map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join(''),
      clean.replace(/ /g, '  \t'),
      clean.replace(/ /g, '\n'),
    ];
    const ref = summarise(extractFeatures(clean));
    for (const g of games) assert.deepEqual(summarise(extractFeatures(g)), ref);
  });

  it('different texts give different features', () => {
    assert.notDeepEqual(summarise(extractFeatures(SAMPLE_TEXTS.essay!)), summarise(extractFeatures(SAMPLE_TEXTS.chat!)));
  });

  it('splits sentences with valid offsets', () => {
    const t = 'First one here. Second, with "quotes!" Third?\nFourth line without a stop';
    const s = splitSentences(t);
    assert.deepEqual(s.map((r) => t.slice(r.start, r.end)), ['First one here.', 'Second, with "quotes!"', 'Third?', 'Fourth line without a stop']);
  });
});

describe('embedded detector (onnxruntime-web wasm in Node)', () => {
  let det: EmbeddedDetector;
  before(async () => {
    det = await loadEmbeddedDetector({ maxEvidence: 100 });
  });
  after(async () => {
    await det.dispose?.();
  });

  it('loads the shipped model and policy', () => {
    assert.equal(det.info.id, 'embedded');
    assert.equal(det.backend, 'wasm');
    const { thresholds, minWords } = det.policy;
    assert.ok(minWords >= 1 && minWords <= 100);
    assert.ok(thresholds.high <= thresholds.balanced && thresholds.balanced <= thresholds.low);
    for (const t of Object.values(thresholds)) assert.ok(t > 0 && t < 1);
  });

  it('model.onnx is at most 20 MB and meta.json is versioned and checked', () => {
    const size = readFileSync(join(embeddedModelDir(), 'model.onnx')).length;
    assert.ok(size <= 20 * 1024 * 1024, `model is ${size} bytes`);
    const meta = JSON.parse(readFileSync(join(embeddedModelDir(), 'meta.json'), 'utf8'));
    assert.match(meta.version, /^\d+\.\d+\.\d+$/);
    const bad = { ...meta, features: { ...meta.features, seed: meta.features.seed + 1 } };
    assert.throws(() => parseMeta(new TextEncoder().encode(JSON.stringify(bad))), /feature configuration/);
    const badPrint = { ...meta, features: { ...meta.features, fingerprint: meta.features.fingerprint ^ 1 } };
    assert.throws(() => parseMeta(new TextEncoder().encode(JSON.stringify(badPrint))), /feature extraction differs/);
  });

  it('gives finite calibrated probabilities and logits', async () => {
    const texts = Object.values(SAMPLE_TEXTS);
    const scores = await det.scoreBatch(texts);
    assert.equal(scores.length, texts.length);
    for (const s of scores) {
      assert.ok(Number.isFinite(s.logit));
      assert.ok(s.p > 0 && s.p < 1);
    }
    // Calibration is monotone in the logit for texts of equal length.
    const { a } = det.meta.calibration;
    assert.ok(a > 0);
    const ps = new Set(scores.map((s) => s.p.toFixed(6)));
    assert.ok(ps.size > 1, 'every text got the same score');
  });

  it('scores a batch exactly as one text at a time, in any order', async () => {
    const texts = Object.values(SAMPLE_TEXTS);
    const batch = await det.scoreBatch(texts);
    const reversed = (await det.scoreBatch([...texts].reverse())).reverse();
    for (const [i, t] of texts.entries()) {
      const [single] = await det.scoreBatch([t]);
      assert.ok(Math.abs(single!.logit - batch[i]!.logit) < 1e-6, `${single!.logit} vs ${batch[i]!.logit}`);
      assert.ok(Math.abs(reversed[i]!.logit - batch[i]!.logit) < 1e-6);
    }
    // Splitting into several session runs (tiny maxCells) changes nothing.
    const small = await loadEmbeddedDetector({ maxCells: 512, maxEvidence: 0 });
    const split = await small.scoreBatch(texts);
    for (const [i] of texts.entries()) assert.ok(Math.abs(split[i]!.logit - batch[i]!.logit) < 1e-6);
    await small.dispose?.();
  });

  it('evidence: valid offsets, positive weights, sorted, adding up to the logit with the rest', async () => {
    const text = SAMPLE_TEXTS.chat!;
    const [s] = await det.scoreBatch([text]);
    const ev = s!.evidence ?? [];
    assert.ok(ev.length > 0, 'no evidence');
    for (const e of ev) {
      assert.ok(e.start >= 0 && e.end <= text.length && e.start < e.end);
      assert.equal(e.text, text.slice(e.start, e.end));
      assert.ok(e.weight > 0);
    }
    for (let i = 1; i < ev.length; i++) assert.ok(ev[i - 1]!.weight >= ev[i]!.weight);
    const ex = await det.explain(text);
    const total = ex.sentences.reduce((a, e) => a + e.weight, 0) + ex.head;
    assert.ok(Math.abs(total - s!.logit) < 1e-4, `${total} vs ${s!.logit}`);
    assert.equal(ex.sentences.length, splitSentences(text).length);
  });

  it('look-alike letters, invisible characters, case and spacing games do not move the score', async () => {
    const clean = SAMPLE_TEXTS.essay!;
    const cyr: Record<string, string> = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с' };
    const attacked = [
      [...clean].map((c) => cyr[c] ?? c).join(''),
      [...clean].map((c, i) => (i % 3 === 0 ? `${c}\u200b` : c)).join('').replace(/e/g, 'e\u00ad'),
      [...clean].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join(''),
      clean.replace(/ /g, ' \u00a0 \u2003'),
    ];
    const [ref] = await judge(det, [clean], { sensitivity: 'balanced' });
    const verdicts = await judge(det, attacked, { sensitivity: 'balanced' });
    for (const v of verdicts) {
      assert.equal(v.state, ref!.state);
      assert.ok(Math.abs(v.p_machine! - ref!.p_machine!) < 1e-9, `${v.p_machine} vs ${ref!.p_machine}`);
      assert.ok(v.normalisation, 'the normaliser reports what it undid');
    }
    assert.ok(verdicts[0]!.normalisation!.homoglyphs > 10);
    assert.ok(verdicts[1]!.normalisation!.invisibles > 10);
  });

  it('judge(): too-short texts get state too-short with an estimate, long ones are scored', async () => {
    const [short, long] = await judge(det, ['Three little words.', SAMPLE_TEXTS.essay!], { sensitivity: 'balanced' });
    assert.equal(short!.state, 'too-short');
    assert.ok(short!.p_machine !== null && short!.flagged === false);
    assert.equal(long!.state, 'scored');
    assert.equal(long!.flagged, long!.p_machine! >= det.policy.thresholds.balanced);
  });

  it('normalise() output is what the detector reads (no hidden re-normalisation)', async () => {
    const { text } = normalise('Тhе  quісk brown fox.');
    assert.equal(text, 'The quick brown fox.');
  });
});
