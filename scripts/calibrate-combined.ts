/**
 * Fits the embedded + RoBERTa combination (src/core/roberta/combine.ts) on the published RoBERTa scores
 * in ../shared/data/mgt/anchors.jsonl and reports, on the test split: embedded alone, RoBERTa alone,
 * combined (AUROC; TPR and FPR at each one's balanced threshold).
 *
 *   npx tsx scripts/calibrate-combined.ts [--detector roberta-base-openai-detector] [--write]
 *
 * Fitted on dev only (the embedded model was trained on train); grid search of the weights by log loss,
 * then the combination's thresholds at the embedded policy's dev false-positive rates. --write prints the
 * JSON block for models/registry.json (`combined`). Small samples: see the counts printed.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { combineScores, type Combination } from '../src/core/roberta/combine.ts';
import { loadEmbeddedDetector } from '../src/node/models.ts';

const DATA = '../shared/data/mgt';
const det = process.argv.includes('--detector') ? process.argv[process.argv.indexOf('--detector') + 1]! : 'roberta-base-openai-detector';

interface Row { id: string; label: 0 | 1; split: string; text: string; rob: number; emb?: number }

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
/** The threshold at which `ps` flags the same share of human texts as `ref` does at `refThr`. */
function matchFpr(ps: number[], ref: number[], ys: number[], refThr: number): number {
  const human = ref.filter((_, i) => ys[i] === 0);
  const fpr = human.filter((p) => p >= refThr).length / human.length;
  const mine = ps.filter((_, i) => ys[i] === 0).sort((a, b) => b - a);
  const k = Math.floor(fpr * mine.length);
  return k === 0 ? Math.min(1, (mine[0] ?? 0.5) + 1e-6) : mine[k - 1]!;
}

async function main() {
  if (!existsSync(`${DATA}/anchors.jsonl`)) throw new Error(`${DATA}/anchors.jsonl not found`);
  const rob = new Map<string, number>();
  for (const l of readFileSync(`${DATA}/anchors.jsonl`, 'utf8').split('\n')) {
    if (!l) continue;
    const a = JSON.parse(l) as { id: string; detector: string; p_machine: number };
    if (a.detector === det) rob.set(a.id, a.p_machine);
  }
  const rows: Row[] = [];
  for await (const l of createInterface({ input: createReadStream(`${DATA}/corpus.jsonl`) })) {
    const r = JSON.parse(l) as { id: string; label: string; split: string; text: string };
    const p = rob.get(r.id);
    if (p !== undefined) rows.push({ id: r.id, label: r.label === 'machine' ? 1 : 0, split: r.split, text: r.text, rob: p });
  }
  const emb = await loadEmbeddedDetector();
  const scores = await emb.scoreBatch(rows.map((r) => r.text));
  rows.forEach((r, i) => (r.emb = scores[i]!.p));
  const dev = rows.filter((r) => r.split === 'dev');
  const test = rows.filter((r) => r.split === 'test');
  const count = (rs: Row[]) => `${rs.filter((r) => r.label === 0).length} human / ${rs.filter((r) => r.label === 1).length} machine`;
  console.log(`${det}: ${rows.length} anchor texts; fit on dev (${count(dev)}), report on test (${count(test)})`);

  let best: Combination & { loss: number } = { wA: 1, wB: 0, bias: 0, loss: Infinity };
  for (let wA = 0; wA <= 2.001; wA += 0.05)
    for (let wB = 0; wB <= 2.001; wB += 0.05)
      for (let bias = -4; bias <= 4.001; bias += 0.1) {
        const c = { wA, wB, bias };
        const loss = logLoss(dev.map((r) => combineScores(r.emb!, r.rob, c).p), dev.map((r) => r.label)) + 1e-3 * (wA * wA + wB * wB);
        if (loss < best.loss) best = { ...c, loss };
      }
  const c: Combination = { wA: +best.wA.toFixed(2), wB: +best.wB.toFixed(2), bias: +best.bias.toFixed(2) };
  console.log(`combination (embedded = A, RoBERTa = B): ${JSON.stringify(c)}, dev log loss ${best.loss.toFixed(3)}`);

  const thresholds = emb.policy.thresholds;
  const devY = dev.map((r) => r.label);
  const devC = dev.map((r) => combineScores(r.emb!, r.rob, c).p);
  const devE = dev.map((r) => r.emb!);
  const combinedThresholds = Object.fromEntries(
    (['low', 'balanced', 'high'] as const).map((k) => [k, +matchFpr(devC, devE, devY, thresholds[k]).toFixed(4)]),
  ) as typeof thresholds;
  console.log(`combined thresholds (same dev FPR as the embedded policy; ${devY.filter((y) => y === 0).length} human dev texts, so coarse): ${JSON.stringify(combinedThresholds)}`);
  const report = (name: string, p: (r: Row) => number, thr: number) => {
    const ps = test.map(p);
    const ys = test.map((r) => r.label);
    const tp = ps.filter((x, i) => ys[i] === 1 && x >= thr).length / ys.filter((y) => y === 1).length;
    const fp = ps.filter((x, i) => ys[i] === 0 && x >= thr).length / ys.filter((y) => y === 0).length;
    console.log(`${name.padEnd(10)} test AUROC ${auroc(ps, ys).toFixed(3)}   at ${thr.toFixed(3)}: TPR ${tp.toFixed(2)}, FPR ${fp.toFixed(2)}`);
  };
  report('embedded', (r) => r.emb!, thresholds.balanced);
  report('RoBERTa', (r) => r.rob, 0.5);
  report('combined', (r) => combineScores(r.emb!, r.rob, c).p, combinedThresholds.balanced);
  if (process.argv.includes('--write')) console.log(JSON.stringify({ combined: { of: ['embedded', 'roberta-base'], ...c, policy: { minWords: emb.policy.minWords, thresholds: combinedThresholds } } }, null, 2));
  await emb.dispose?.();
}

main().catch((e) => (console.error(e instanceof Error ? e.message : e), process.exit(1)));
