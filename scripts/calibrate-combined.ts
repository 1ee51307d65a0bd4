/**
 * Fits the embedded + RoBERTa combination (src/core/roberta/combine.ts) on the published RoBERTa scores
 * in ../shared/data/mgt/anchors.jsonl and reports, on the test split: embedded alone, RoBERTa alone,
 * combined (AUROC; TPR and FPR at each one's balanced threshold). Also fits the RoBERTa detectors' own
 * judging policies from their published scores (src/core/policy-fit.ts).
 *
 *   npx tsx scripts/calibrate-combined.ts [--detector roberta-base-openai-detector] [--write]
 *
 * Fit set: the anchored dev texts (scored by the shipped embedded model) and the anchored train texts,
 * scored out of fold (models/embedded/anchor-oof.json, written by scripts/train/anchor_oof.py: the shipped
 * model trained on them, so its own scores there would be optimistic). Grid search of the weights by
 * class-balanced log loss; its policy by the same rule as every detector's, on the fit set's human texts.
 * --write stores the policies and the `combined` block in models/registry.json. Small samples: see the
 * counts printed.
 */
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { combineScores, type Combination } from '../src/core/roberta/combine.ts';
import { embeddedModelDir, loadEmbeddedDetector } from '../src/node/models.ts';
import { countWords, normalise } from '../src/core/normalise.ts';
import { fitPolicy, type HumanGroup } from '../src/core/policy-fit.ts';

const DATA = '../shared/data/mgt';
const det = process.argv.includes('--detector') ? process.argv[process.argv.indexOf('--detector') + 1]! : 'roberta-base-openai-detector';

interface Row { id: string; label: 0 | 1; split: string; domain: string; text: string; rob: number; emb?: number }

function auroc(scores: number[], labels: number[]): number {
  const pos = scores.filter((_, i) => labels[i] === 1);
  const neg = scores.filter((_, i) => labels[i] === 0);
  let s = 0;
  for (const p of pos) for (const n of neg) s += p > n ? 1 : p === n ? 0.5 : 0;
  return s / (pos.length * neg.length);
}
/** Class-balanced log loss: each class weighs half, so the bias does not learn the sample's machine share. */
function logLoss(ps: number[], ys: number[]): number {
  const n1 = ys.filter((y) => y === 1).length;
  const n0 = ys.length - n1;
  return -ps.reduce((s, p, i) => s + (ys[i] ? Math.log(Math.max(p, 1e-9)) / (2 * n1) : Math.log(Math.max(1 - p, 1e-9)) / (2 * n0)), 0);
}
/** Human-written texts of `rows` by domain, with the score `p` gives them (the groups of the policy rule). */
function humanGroups(rows: Row[], p: (r: Row) => number): HumanGroup[] {
  const by = new Map<string, number[]>();
  for (const r of rows) if (r.label === 0) by.set(r.domain, [...(by.get(r.domain) ?? []), p(r)]);
  return [...by].map(([name, scores]) => ({ name, scores }));
}

async function main() {
  if (!existsSync(`${DATA}/anchors.jsonl`)) throw new Error(`${DATA}/anchors.jsonl not found`);
  const published = new Map<string, Map<string, number>>();
  for (const l of readFileSync(`${DATA}/anchors.jsonl`, 'utf8').split('\n')) {
    if (!l) continue;
    const a = JSON.parse(l) as { id: string; detector: string; p_machine: number };
    if (!published.has(a.detector)) published.set(a.detector, new Map());
    published.get(a.detector)!.set(a.id, a.p_machine);
  }
  const anchored = new Set([...published.values()].flatMap((m) => [...m.keys()]));
  const corpus: Omit<Row, 'rob'>[] = [];
  for await (const l of createInterface({ input: createReadStream(`${DATA}/corpus.jsonl`) })) {
    const r = JSON.parse(l) as { id: string; label: string; split: string; domain: string; text: string };
    if (anchored.has(r.id)) corpus.push({ id: r.id, label: r.label === 'machine' ? 1 : 0, split: r.split, domain: r.domain, text: r.text });
  }
  const rowsOf = (detector: string): Row[] =>
    corpus.flatMap((r) => (published.get(detector)?.has(r.id) ? [{ ...r, rob: published.get(detector)!.get(r.id)! }] : []));
  const rows = rowsOf(det);

  // The RoBERTa detectors' own policies, from the original models' published scores on the human texts of
  // train and dev (the models never saw this corpus; test stays for reporting).
  const registryFile = new URL('../models/registry.json', import.meta.url);
  const registry = JSON.parse(readFileSync(registryFile, 'utf8')) as { models: { id: string; policy: { minWords: number } & Record<string, unknown> }[] } & Record<string, unknown>;
  for (const [id, name] of [['roberta-base', 'roberta-base-openai-detector'], ['roberta-large', 'roberta-large-openai-detector']] as const) {
    const entry = registry.models.find((m) => m.id === id);
    const rs = rowsOf(name).filter((r) => r.split !== 'test' && countWords(r.text) >= (entry?.policy.minWords ?? 40));
    if (!entry || rs.length === 0) continue;
    const { policy } = fitPolicy(humanGroups(rs, (r) => r.rob), entry.policy.minWords, { provisional: true });
    const human = rs.filter((r) => r.label === 0).length;
    entry.policy = { ...policy, source: `scripts/calibrate-combined.ts (src/core/policy-fit.ts) on the original model's published P(machine) for ${human} human texts of train and dev (${[...new Set(rs.filter((r) => r.label === 0).map((r) => r.domain))].join(', ')}) in ../shared/data/mgt/anchors.jsonl. Two domains only: other kinds of text need other thresholds.` };
    console.log(`${id} policy (${human} human texts): flag ${JSON.stringify(policy.thresholds)}, unclear ${JSON.stringify(policy.unclear)}`);
  }

  const emb = await loadEmbeddedDetector();
  const oofFile = join(embeddedModelDir(), 'anchor-oof.json');
  const oof: Record<string, number> = existsSync(oofFile) ? (JSON.parse(readFileSync(oofFile, 'utf8')) as { p: Record<string, number> }).p : {};
  const scored = rows.filter((r) => r.split !== 'train');
  const scores = await emb.scoreBatch(scored.map((r) => normalise(r.text).text));
  scored.forEach((r, i) => {
    r.emb = scores[i]!.p;
  });
  for (const r of rows) if (r.split === 'train' && oof[r.id] !== undefined) r.emb = oof[r.id];
  const fit = rows.filter((r) => r.split !== 'test' && r.emb !== undefined);
  const test = rows.filter((r) => r.split === 'test');
  const count = (rs: Row[]) => `${rs.filter((r) => r.label === 0).length} human / ${rs.filter((r) => r.label === 1).length} machine`;
  console.log(`${det}: ${rows.length} anchor texts; fit on ${Object.keys(oof).length ? 'dev + out-of-fold train' : 'dev only (no anchor-oof.json)'} (${count(fit)}), report on test (${count(test)})`);

  let best: Combination & { loss: number } = { wA: 1, wB: 0, bias: 0, loss: Infinity };
  const fitY = fit.map((r) => r.label);
  for (let wA = 0; wA <= 2.001; wA += 0.05)
    for (let wB = 0; wB <= 2.001; wB += 0.05)
      for (let bias = -4; bias <= 4.001; bias += 0.1) {
        const c = { wA, wB, bias };
        const loss = logLoss(fit.map((r) => combineScores(r.emb!, r.rob, c).p), fitY) + 1e-3 * (wA * wA + wB * wB);
        if (loss < best.loss) best = { ...c, loss };
      }
  const c: Combination = { wA: +best.wA.toFixed(2), wB: +best.wB.toFixed(2), bias: +best.bias.toFixed(2) };
  console.log(`combination (embedded = A, RoBERTa = B): ${JSON.stringify(c)}, fit-set log loss ${best.loss.toFixed(3)}`);

  // Policies by the one rule (src/core/policy-fit.ts), on the fit set's human texts by domain: few
  // texts and two domains, so provisional. Only texts the detector would score (enough words).
  const scoredBy = (minWords: number) => fit.filter((r) => countWords(r.text) >= minWords);
  const combined = fitPolicy(humanGroups(scoredBy(emb.policy.minWords), (r) => combineScores(r.emb!, r.rob, c).p), emb.policy.minWords, { provisional: true });
  const combinedThresholds = combined.policy.thresholds;
  console.log(`combined policy (${fitY.filter((y) => y === 0).length} human texts): flag ${JSON.stringify(combinedThresholds)}, unclear ${JSON.stringify(combined.policy.unclear)}`);
  const report = (name: string, p: (r: Row) => number, thr: number) => {
    const ps = test.map(p);
    const ys = test.map((r) => r.label);
    const tp = ps.filter((x, i) => ys[i] === 1 && x >= thr).length / ys.filter((y) => y === 1).length;
    const fp = ps.filter((x, i) => ys[i] === 0 && x >= thr).length / ys.filter((y) => y === 0).length;
    console.log(`${name.padEnd(10)} test AUROC ${auroc(ps, ys).toFixed(3)}   at ${thr.toFixed(3)}: TPR ${tp.toFixed(2)}, FPR ${fp.toFixed(2)}`);
  };
  report('embedded', (r) => r.emb!, emb.policy.thresholds.balanced);
  report('RoBERTa', (r) => r.rob, 0.5);
  report('combined', (r) => combineScores(r.emb!, r.rob, c).p, combinedThresholds.balanced);
  if (process.argv.includes('--write')) {
    registry.combined = {
      of: ['embedded', 'roberta-base'],
      ...c,
      policy: combined.policy,
      provisional: true,
      source: `scripts/calibrate-combined.ts on the ${fit.length} anchored texts of dev and (out of fold) train (${count(fit)}; XSum news and WritingPrompts stories only)`,
    };
    writeFileSync(registryFile, `${JSON.stringify(registry, null, 2)}\n`);
    console.log('wrote the RoBERTa policies and the combined block to models/registry.json');
  }
  await emb.dispose?.();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
