import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { combineScores } from '../../src/core/roberta/combine.ts';
import { COMBINED } from '../../src/core/roberta/registry.ts';
import { repoFromDir, startMockHub } from '../support/mock-hub.ts';
import { TINY } from '../support/roberta-fixtures.ts';
import { runCli } from '../support/cli.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const cli = (args: string[], input: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/telltale.ts', ...args], { cwd: ROOT, input, encoding: 'utf8' });

const LONG_A =
  'We walked down to the harbour wall after supper, the way we always did when Gran was still around, and sat on the cold stones with our legs hanging over the water while the boats knocked together in the dark.';
const LONG_B =
  'Overall, it is important to note that maintaining harbour infrastructure plays a crucial role in ensuring the safety and well-being of residents, and investing in modern solutions can help communities adapt to evolving challenges.';

test('score --jsonl: one line per input, in order, with the documented fields', () => {
  const lines = [
    { id: 'a', text: LONG_A },
    { id: 7, text: 'Hello there, friend.' },
    { id: 'fr', text: "Le port était calme ce soir-là, et les bateaux dormaient les uns contre les autres sous un ciel sans lune." },
    { id: 'b', text: LONG_B },
    { id: 'empty', text: '' },
  ];
  const input = `${lines.map((l) => JSON.stringify(l)).join('\n')}\nnot json\n{"id":"x"}\n`;
  const r = cli(['score', '--jsonl', '-'], input);
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(out.map((o) => o.id), ['a', 7, 'fr', 'b', 'empty', null, 'x']);
  for (const o of out) assert.deepEqual(Object.keys(o).slice(0, 4), ['id', 'p_machine', 'state', 'flagged']);
  const [a, short, fr, b, empty, bad, noText] = out;
  for (const s of [a, b]) {
    assert.equal(s.state, 'scored');
    assert.ok(s.p_machine >= 0 && s.p_machine <= 1);
    assert.equal(typeof s.flagged, 'boolean');
  }
  assert.equal(short.state, 'too-short');
  assert.ok(short.p_machine >= 0 && short.p_machine <= 1, 'too-short still carries the estimate');
  assert.equal(short.flagged, false);
  assert.equal(fr.state, 'unsupported');
  assert.equal(fr.p_machine, null);
  assert.equal(empty.state, 'unsupported');
  assert.equal(bad.state, 'error');
  assert.equal(noText.state, 'error');
});

test('check: a per-paragraph report that names each state in words', () => {
  const r = cli(['check', '-'], `${LONG_A}\n\nToo short.\n\n${LONG_B}\n\nDer Ausschuss trat am Dienstag zusammen und beschloss, die Brücke vor dem Winter zu reparieren.\n`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /too short to judge/);
  assert.match(r.stdout, /not judged/);
  assert.match(r.stdout, /of 2 judged paragraphs likely machine-generated, \d unclear; 1 too short; 1 not judged; 0 errors/);
  // Each judged paragraph: its level in words, then how often human-written text scores as high; never a bare P(machine).
  const rows = r.stdout.split('\n').filter((l) => /^\s+\d+ /.test(l));
  assert.equal(rows.length, 4);
  for (const row of [rows[0]!, rows[2]!]) assert.match(row, /(likely generated|unclear|likely human) +(1 in [\d,]+|fewer than 1 in [\d,]+|\d in 10|nearly all) /);
  assert.doesNotMatch(r.stdout, /\d+%/);
  const json = cli(['check', '-', '--json'], `${LONG_A}\n\n${LONG_B}\n`);
  const parsed = JSON.parse(json.stdout);
  assert.equal(parsed.length, 2);
  assert.equal(parsed[0].state, 'scored');
  assert.ok(['generated', 'unclear', 'human'].includes(parsed[0].level), 'the level is in the JSON');
  assert.ok(parsed[0].humanShare.share > 0 && parsed[0].humanShare.share <= 1);
  assert.equal(parsed[0].flagged, parsed[0].level === 'generated');
});

test('bad usage is answered with the usage text and exit status 2', () => {
  for (const args of [['frobnicate'], ['score'], ['check', '-', '--sensitivity', 'paranoid'], ['check', '--hub', 'http://127.0.0.1:9']]) {
    const r = cli(args, '');
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /Usage:/);
  }
});

test('--hub URL --model REPO: any Hub-layout model, downloaded, verified and cached, same output contract', async () => {
  const hub = await startMockHub({ 'someone/tiny-roberta-ONNX': repoFromDir(TINY) });
  const home = mkdtempSync(join(tmpdir(), 'telltale-cli-home-'));
  // Asynchronous: the mock Hub runs in this process.
  const run = (input: string) => runCli(['score', '--jsonl', '-', '--hub', hub.url, '--model', 'someone/tiny-roberta-ONNX'], input, home);
  try {
    const input = [{ id: 1, text: `${LONG_A} ${LONG_B}` }, { id: 2, text: 'Too short to say.' }].map((l) => JSON.stringify(l)).join('\n');
    const first = await run(input);
    assert.equal(first.status, 0, first.stderr);
    const out = first.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(out.map((o) => o.id), [1, 2]);
    assert.equal(out[0].state, 'scored');
    assert.equal(out[1].state, 'too-short');
    const downloads = hub.log.filter((l) => l.method === 'GET' && l.path.includes('/resolve/')).length;
    assert.ok(downloads > 0);
    // Second run: from the cache, nothing downloaded again, same scores.
    const second = await run(input);
    assert.equal(second.stdout, first.stdout);
    assert.equal(hub.log.filter((l) => l.method === 'GET' && l.path.includes('/resolve/')).length, downloads);
  } finally {
    await hub.close();
    rmSync(home, { recursive: true, force: true });
  }
});

test('--detector combined: one calibrated score from the embedded detector and roberta-base, as the registry combines them', async () => {
  const hub = await startMockHub({ 'onnx-community/roberta-base-openai-detector-ONNX': repoFromDir(TINY) });
  const home = mkdtempSync(join(tmpdir(), 'telltale-cli-home-'));
  try {
    const input = [{ id: 'a', text: LONG_A }, { id: 'b', text: LONG_B }].map((l) => JSON.stringify(l)).join('\n');
    const score = async (...args: string[]) => {
      const r = await runCli(['score', '--jsonl', '-', ...args], input, home);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; p_machine: number; state: string });
    };
    const combined = await score('--detector', 'combined', '--hub', hub.url);
    const embedded = await score('--detector', 'embedded');
    const roberta = await score('--detector', 'roberta-base', '--hub', hub.url);
    const c0 = COMBINED;
    assert.ok(c0, 'the build ships a combination');
    combined.forEach((c, i) => {
      assert.equal(c.state, 'scored');
      const want = combineScores(embedded[i]!.p_machine, roberta[i]!.p_machine, c0).p;
      assert.ok(Math.abs(c.p_machine - want) < 1e-4, `${c.id}: ${c.p_machine} vs ${want}`);
    });
  } finally {
    await hub.close();
    rmSync(home, { recursive: true, force: true });
  }
});
