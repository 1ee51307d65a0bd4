/**
 * `telltale score` with the zero-shot detectors (and `--raw` for every detector) against the mock Hub:
 * the output contract, the raw statistics against the torch reference, the 8-bit default against its own
 * engine, usage errors.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { calibrate, parseMeta } from '../../src/core/embedded/detector.ts';
import { countWords, normalise } from '../../src/core/normalise.ts';
import { createFastDetectGpt } from '../../src/core/zeroshot/detectors.ts';
import { runCli } from '../support/cli.ts';
import { repoFromDir, startMockHub, type MockHub } from '../support/mock-hub.ts';
import { TINY } from '../support/roberta-fixtures.ts';
import { LLAMA, LLAMA_INSTRUCT, localLm, REFERENCE } from '../support/zeroshot-fixtures.ts';

const ref = (name: string) => REFERENCE.cases.find((c) => c.name === name && c.window === 512)!;
const close = (a: number, b: number, tol = 1e-4) => Math.abs(a - b) <= tol;
type Line = { id: unknown; p_machine: number | null; state: string; flagged: boolean; calibrated?: boolean; raw?: number | null; error?: string };

let hub: MockHub;
let home: string;
before(async () => {
  hub = await startMockHub({
    'HuggingFaceTB/SmolLM2-135M': repoFromDir(LLAMA),
    'HuggingFaceTB/SmolLM2-135M-Instruct': repoFromDir(LLAMA_INSTRUCT),
    'someone/tiny-llama': repoFromDir(LLAMA),
    'someone/tiny-roberta-ONNX': repoFromDir(TINY),
  });
  home = mkdtempSync(join(tmpdir(), 'telltale-zs-cli-'));
});
after(async () => {
  await hub.close();
  rmSync(home, { recursive: true, force: true });
});

const INPUT = `${[
  { id: 'long', text: ref('long').text },
  { id: 'story', text: ref('story').text },
  { id: 'mixed', text: ref('mixed').text },
].map((l) => JSON.stringify(l)).join('\n')}\nnot json\n`;

async function score(...args: string[]): Promise<{ lines: Line[]; stderr: string }> {
  const r = await runCli(['score', '--jsonl', '-', ...(args.includes('--no-hub') ? args.filter((a) => a !== '--no-hub') : ['--hub', hub.url, ...args])], INPUT, home);
  assert.equal(r.status, 0, r.stderr);
  return { lines: r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Line), stderr: r.stderr };
}

test('fast-detectgpt --raw: the output contract plus "calibrated": false and "raw", equal to the torch reference; cached afterwards, and without --raw no "raw"', async () => {
  const { lines, stderr } = await score('--detector', 'fast-detectgpt', '--model', 'someone/tiny-llama', '--variant', 'fp32', '--raw');
  assert.deepEqual(lines.map((l) => l.id), ['long', 'story', 'mixed', null]);
  const [long, story, mixed, bad] = lines;
  assert.deepEqual(Object.keys(long!), ['id', 'p_machine', 'state', 'flagged', 'calibrated', 'raw']);
  assert.deepEqual([long!.state, long!.p_machine, long!.flagged, long!.calibrated], ['scored', null, false, false]);
  assert.ok(close(long!.raw!, ref('long').fastdetectgpt.raw), `${long!.raw}`);
  assert.deepEqual([story!.state, story!.p_machine, story!.flagged], ['too-short', null, false]);
  assert.ok(close(story!.raw!, ref('story').fastdetectgpt.raw));
  assert.deepEqual([mixed!.state, mixed!.raw], ['unsupported', null]);
  assert.deepEqual([bad!.state, bad!.raw], ['error', null]);
  assert.match(stderr, /has no calibration yet: p_machine is null and nothing is flagged/);
  const downloads = hub.log.filter((l) => l.method === 'GET' && l.path.includes('/resolve/')).length;
  const again = await score('--detector', 'fast-detectgpt', '--model', 'someone/tiny-llama', '--variant', 'fp32');
  assert.deepEqual(again.lines, lines.map(({ raw: _, ...rest }) => rest));
  assert.match(again.stderr, /--raw prints its statistic/);
  assert.equal(hub.log.filter((l) => l.method === 'GET' && l.path.includes('/resolve/')).length, downloads);
});

test('the default wasm variant (8-bit) equals a direct 8-bit run one window at a time', async () => {
  const withRaw = await score('--detector', 'fast-detectgpt', '--model', 'someone/tiny-llama', '--raw');
  const q8 = await localLm(LLAMA, 'onnx/model_quantized.onnx', { maxBatch: 1 });
  try {
    const [s] = await createFastDetectGpt(q8, { info: { id: 'q8', name: 'q8', version: '', languages: ['en'] }, calibration: null }).scoreBatch([normalise(ref('long').text).text]);
    assert.ok(close(withRaw.lines[0]!.raw!, s!.raw!), `${withRaw.lines[0]!.raw} vs ${s!.raw}`);
    console.log(`# CLI q8 vs the fp32 reference: |d discrepancy| ${Math.abs(withRaw.lines[0]!.raw! - ref('long').fastdetectgpt.raw).toExponential(2)}`);
  } finally {
    await q8.dispose?.();
  }
});

test('binoculars: the registry pair by default, or --model OBSERVER --performer PERFORMER; equal to the torch reference', async () => {
  for (const args of [[], ['--model', 'someone/tiny-llama', '--performer', 'HuggingFaceTB/SmolLM2-135M-Instruct']]) {
    const { lines } = await score('--detector', 'binoculars', '--variant', 'fp32', '--raw', ...args);
    assert.deepEqual([lines[0]!.state, lines[0]!.p_machine, lines[0]!.flagged, lines[0]!.calibrated], ['scored', null, false, false]);
    assert.ok(close(lines[0]!.raw!, ref('long').binoculars.raw), `${args.join(' ')}: ${lines[0]!.raw}`);
    assert.ok(close(lines[1]!.raw!, ref('story').binoculars.raw));
  }
});

test('--raw for the calibrated detectors: RoBERTa\'s machine logit, the embedded model\'s logit; lines unchanged otherwise', async () => {
  const rob = await score('--model', 'someone/tiny-roberta-ONNX', '--variant', 'fp32', '--raw');
  const plain = await score('--model', 'someone/tiny-roberta-ONNX', '--variant', 'fp32');
  assert.deepEqual(Object.keys(plain.lines[0]!), ['id', 'p_machine', 'state', 'flagged']);
  for (const [i, l] of rob.lines.entries()) {
    assert.equal(l.p_machine, plain.lines[i]!.p_machine);
    if (l.state === 'scored' || l.state === 'too-short') assert.ok(Math.abs(1 / (1 + Math.exp(-l.raw!)) - l.p_machine!) < 1e-5, `${l.raw} ${l.p_machine}`);
    else assert.equal(l.raw, null);
  }
  const emb = await score('--raw', '--no-hub');
  const meta = parseMeta(new Uint8Array(readFileSync(join(import.meta.dirname, '../../models/embedded/meta.json'))));
  const l = emb.lines[0]!;
  assert.equal(l.state, 'scored');
  assert.ok(Math.abs(calibrate(meta, l.raw!, countWords(normalise(ref('long').text).text)) - l.p_machine!) < 1e-5);
});

test('check: an uncalibrated detector shows its statistic and says so', async () => {
  const r = await runCli(['check', '-', '--hub', hub.url, '--detector', 'fast-detectgpt', '--model', 'someone/tiny-llama', '--variant', 'fp32'], `${ref('long').text}\n`, home);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Not calibrated: each paragraph shows the raw Fast-DetectGPT sampling discrepancy \(higher means more machine-like\), not a probability; nothing is flagged/);
  assert.match(r.stdout, new RegExp(`not calibrated\\s+raw ${ref('long').fastdetectgpt.raw.toFixed(2).replace('-', '\\-')}\\s`));
  assert.match(r.stdout, /0 of 1 judged paragraphs likely machine-generated, 0 unclear/);
});

test('usage errors: --performer without binoculars, binoculars --model without --performer, an unknown variant', async () => {
  for (const args of [
    ['--detector', 'fast-detectgpt', '--performer', 'x/y'],
    ['--detector', 'binoculars', '--model', 'someone/tiny-llama'],
    ['--detector', 'fast-detectgpt', '--variant', 'int3'],
  ]) {
    const r = await runCli(['score', '--jsonl', '-', '--hub', hub.url, ...args], '', home);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /Usage:/);
  }
});
