/**
 * Zero-shot calibration: the fit on synthetic statistics, and `npm run calibrate` end to end against the
 * mock Hub (the tiny fixture under the registry's repo name, a corpus written by this test) and without a Hub.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { applyCalibration, auroc, CalibrationError, fitCalibration, fitLogistic } from '../../src/core/zeroshot/calibration.ts';
import { checkPolicy } from '../../src/core/levels.ts';
import { FLAG_RATE } from '../../src/core/policy-fit.ts';
import type { ZeroShotEntry } from '../../src/core/zeroshot/registry.ts';
import { ROOT, runCli } from '../support/cli.ts';
import { repoFromDir, startMockHub, type MockHub } from '../support/mock-hub.ts';
import { LLAMA } from '../support/zeroshot-fixtures.ts';

function normals(n: number, mean: number, sd: number, seed: number): number[] {
  let s = seed;
  const u = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s + 1) / (2 ** 31 + 1);
  };
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

describe('the fit', () => {
  const humans = normals(400, -1, 1, 1).map((raw) => ({ raw, machine: false }));
  const machines = normals(400, 1.5, 1, 2).map((raw) => ({ raw, machine: true }));
  test('AUROC counts pairs, ties one half', () => {
    assert.equal(auroc([{ raw: 1, machine: true }, { raw: 0, machine: false }]), 1);
    assert.equal(auroc([{ raw: 1, machine: true }, { raw: 0, machine: false }], 'lower'), 0);
    assert.equal(auroc([{ raw: 0, machine: true }, { raw: 0, machine: false }]), 0.5);
    assert.equal(auroc([{ raw: 3, machine: true }, { raw: 1, machine: true }, { raw: 2, machine: false }]), 0.5);
  });
  test('logistic regression recovers a known slope', () => {
    // Labels drawn from sigmoid(2x - 1) on a grid: the fit lands near (2, -1).
    const xs: number[] = [];
    const ys: (0 | 1)[] = [];
    for (let i = 0; i < 4000; i++) {
      const x = -3 + (6 * i) / 4000;
      const p = 1 / (1 + Math.exp(-(2 * x - 1)));
      xs.push(x);
      ys.push(((i * 0.6180339887) % 1) < p ? 1 : 0);
    }
    const { a, b } = fitLogistic(xs, ys, 0);
    // The classes weigh equally: the slope is the generating one, the intercept moves by the log of the
    // sample's class odds (P(machine) under equal prior odds).
    const n1 = ys.filter((y) => y === 1).length;
    const shift = Math.log((ys.length - n1) / n1);
    assert.ok(Math.abs(a - 2) < 0.25 && Math.abs(b - (-1 + shift)) < 0.2, `${a} ${b} (shift ${shift})`);
  });
  test('higher means machine (Fast-DetectGPT): slope > 0, the policy by the one rule (flag rates of every detector), in order', () => {
    const c = fitCalibration([...humans, ...machines], { machine: 'higher', minWords: 40, source: 'synthetic' });
    assert.ok(c.a > 0 && c.auroc > 0.9, `${c.a} ${c.auroc}`);
    checkPolicy(c.policy, 'fitted');
    assert.ok(c.policy.humanShare && c.policy.humanShare.length > 3, 'a human reference curve for the number beside a level');
    for (const s of ['low', 'balanced', 'high'] as const) {
      assert.ok(c.humanFlagRate[s] <= FLAG_RATE[s], `${s}: ${c.humanFlagRate[s]}`);
      assert.ok(c.humanFlagRate[s] >= FLAG_RATE[s] - 1 / humans.length, `${s}: ${c.humanFlagRate[s]}`);
      assert.ok(Math.abs(applyCalibration(c, c.rawThresholds[s]) - c.policy.thresholds[s]) < 1e-9);
      assert.equal(c.humanFlagRate[s], humans.filter((h) => applyCalibration(c, h.raw) >= c.policy.thresholds[s]).length / humans.length);
    }
    assert.ok(c.machineFlagRate.high > c.machineFlagRate.low);
  });
  test('lower means machine (Binoculars): slope < 0, the same guarantees mirrored', () => {
    const flip = [...humans, ...machines].map((s) => ({ ...s, raw: -s.raw }));
    const c = fitCalibration(flip, { machine: 'lower', minWords: 40, source: 'synthetic' });
    assert.ok(c.a < 0);
    assert.equal(c.humanFlagRate.balanced, humans.filter((h) => -h.raw <= c.rawThresholds.balanced).length / humans.length);
    assert.ok(c.humanFlagRate.balanced <= 0.05);
    assert.ok(applyCalibration(c, -5) > applyCalibration(c, 5));
  });
  test('refuses: the wrong direction, too few texts', () => {
    assert.throws(() => fitCalibration([...humans, ...machines], { machine: 'lower', minWords: 40, source: 'x' }), (e: Error) => e instanceof CalibrationError && /does not separate/.test(e.message));
    assert.throws(() => fitCalibration([...humans.slice(0, 10), ...machines], { machine: 'higher', minWords: 40, source: 'x' }), /too few texts to calibrate: 10 human/);
  });
});

describe('npm run calibrate', () => {
  let hub: MockHub;
  let dir: string;
  before(async () => {
    hub = await startMockHub({ 'HuggingFaceTB/SmolLM2-135M': repoFromDir(LLAMA) });
    dir = mkdtempSync(join(tmpdir(), 'telltale-calibrate-'));
  });
  after(async () => {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const registry = (name: string) => {
    const f = join(dir, name);
    copyFileSync(join(ROOT, 'models/registry.json'), f);
    return f;
  };
  const calibrate = (args: string[]) => runCli(args, '', dir, 'scripts/calibrate.ts');

  test('without the real model: a clear message, nothing written', async () => {
    const f = registry('offline.json');
    const before = readFileSync(f, 'utf8');
    const r = await calibrate(['--detector', 'fast-detectgpt', '--hub', 'http://127.0.0.1:9', '--registry', f]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /fast-detectgpt needs its language model \(HuggingFaceTB\/SmolLM2-135M\), which cannot be downloaded from http:\/\/127\.0\.0\.1:9 here/);
    assert.match(r.stderr, /Calibration needs the real model, so nothing was fitted and .* is unchanged/);
    assert.equal(readFileSync(f, 'utf8'), before);
    const bad = await calibrate(['--detector', 'roberta-base']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /must name a zero-shot detector: fast-detectgpt, /);
  });

  test('with the (tiny, random) model from the mock Hub: fits on the dev split and writes the calibration, or refuses one that would invert the detector', async () => {
    // A corpus written here: 2 x 14 texts of 40+ words, dev and train splits, one group per text.
    const A = ['The ferry left the harbour late because the fog had not lifted', 'My brother kept bees behind the shed and sold the honey at the Saturday market',
      'We walked home along the canal while the lamps came on one by one', 'Grandmother read the letters aloud and laughed at the spelling of her younger self'];
    const B = ['It is important to note that effective communication plays a crucial role in every organisation', 'In conclusion, the benefits of this approach outweigh its potential drawbacks in most cases',
      'Furthermore, stakeholders should consider a range of factors when evaluating these options', 'Overall, this demonstrates the significance of careful planning and continuous improvement'];
    const text = (pool: string[], i: number) => Array.from({ length: 4 }, (_, k) => pool[(i + k) % pool.length] + (k % 2 ? ', and nobody minded.' : '.')).join(' ');
    const rows = (swap: boolean) => Array.from({ length: 28 }, (_, i) => {
      const human = i % 2 === 0;
      return { id: `t${i}`, text: text(human ? A : B, i), label: human !== swap ? 'human' : 'machine', split: i < 24 ? 'dev' : 'train', group: `g${i}`, domain: 'test' };
    });
    const results: { status: number | null; written: ZeroShotEntry['calibration']; out: string }[] = [];
    for (const swap of [false, true]) {
      const corpus = join(dir, `corpus-${swap}.jsonl`);
      writeFileSync(corpus, `${rows(swap).map((r) => JSON.stringify(r)).join('\n')}\n`);
      const f = registry(`reg-${swap}.json`);
      const r = await calibrate(['--detector', 'fast-detectgpt', '--hub', hub.url, '--variant', 'fp32', '--corpus', corpus, '--min-per-class', '10', '--write', '--registry', f]);
      const written = (JSON.parse(readFileSync(f, 'utf8')) as { zeroshot: ZeroShotEntry[] }).zeroshot.find((z) => z.id === 'fast-detectgpt')!.calibration;
      results.push({ status: r.status, written, out: r.stdout + r.stderr });
    }
    // The same texts with the labels exchanged: exactly one of the two points the method's way.
    const ok = results.filter((r) => r.status === 0);
    const refused = results.filter((r) => r.status === 1);
    assert.equal(ok.length, 1, results.map((r) => r.out).join('\n---\n'));
    assert.equal(refused.length, 1);
    assert.match(refused[0]!.out, /does not separate machine from human text in the method's direction .* is unchanged/);
    assert.equal(refused[0]!.written, null);
    const c = ok[0]!.written!;
    assert.ok(c.a > 0 && c.auroc > 0.5, JSON.stringify(c));
    assert.match(c.source, /12 human and 12 machine texts .* dev split.*HuggingFaceTB\/SmolLM2-135M@[0-9a-f]{12}, variant fp32/);
    assert.match(ok[0]!.out, /AUROC .* on 12 human \/ 12 machine texts/);
    assert.ok(['low', 'balanced', 'high'].every((s) => Number.isFinite(c.policy.thresholds[s as 'low']) && Number.isFinite(c.rawThresholds[s as 'low'])));
  });
});
