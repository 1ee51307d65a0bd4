/**
 * `npm run eval`: the SHIPPED embedded model (models/embedded) on the corpus `test` split, through
 * createEmbeddedDetector + judge() on onnxruntime-web (wasm) in Node. Prints every table the issue asks
 * for and writes models/embedded/eval.json.
 *
 *   npm run eval [-- --limit N] [--no-write]
 *
 * Corpus: $TELLTALE_DATA or ../shared/data/mgt relative to the repository root.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { judge } from '../src/core/judge.ts';
import { levelAt } from '../src/core/levels.ts';
import { normalise } from '../src/core/normalise.ts';
import type { Sensitivity, Verdict } from '../src/core/types.ts';
import { embeddedModelDir, loadEmbeddedDetector } from '../src/node/models.ts';
import { dataDir } from './train/paths.ts';

interface Row {
  id: string;
  text: string;
  label: 'human' | 'machine';
  generator: string;
  domain: string;
  source: string;
  split: string;
}

const ANCHORS: Record<string, string> = {
  'roberta-base-openai-detector': 'RoBERTa-base',
  'roberta-large-openai-detector': 'RoBERTa-large',
  'gpt-j-6B_gpt-neo-2.7B.sampling_discrepancy_analytic': 'Fast-DetectGPT',
};

export function auroc(y: readonly boolean[], s: readonly number[]): number {
  const n = y.length;
  const order = [...Array(n).keys()].sort((a, b) => s[a]! - s[b]!);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && s[order[j + 1]!] === s[order[i]!]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = r;
    i = j + 1;
  }
  let pos = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (y[i]) {
      pos++;
      sum += ranks[i]!;
    }
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (sum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** True-positive rate at the score threshold that flags at most 1% of the human texts. */
export function tprAtFpr(y: readonly boolean[], s: readonly number[], fpr = 0.01): number {
  const h = s.filter((_, i) => !y[i]).sort((a, b) => b - a);
  const m = s.filter((_, i) => y[i]);
  if (!h.length || !m.length) return NaN;
  const k = Math.floor(fpr * h.length); // humans allowed strictly above the threshold
  const thr = h[k]!;
  return m.filter((x) => x > thr).length / m.length;
}

/**
 * Expected calibration error, class-balanced: each class carries half the weight, which is what
 * P(machine) under equal prior odds promises (the test split is not half machine).
 */
export function ece(p: readonly number[], y: readonly boolean[], bins = 15): number {
  const n1 = Math.max(1, y.filter(Boolean).length);
  const n0 = Math.max(1, y.length - n1);
  const w = (i: number) => (y[i] ? 0.5 / n1 : 0.5 / n0);
  let e = 0;
  for (let b = 0; b < bins; b++) {
    const lo = b / bins;
    const hi = (b + 1) / bins;
    const idx = p.map((x, i) => [x, i] as const).filter(([x]) => x >= lo && (b === bins - 1 ? x <= hi : x < hi));
    if (!idx.length) continue;
    const W = idx.reduce((a, [, i]) => a + w(i), 0);
    const mp = idx.reduce((a, [x, i]) => a + w(i) * x, 0) / W;
    const my = idx.reduce((a, [, i]) => a + w(i) * (y[i] ? 1 : 0), 0) / W;
    e += W * Math.abs(mp - my);
  }
  return e;
}

// ---- perturbations (the attacks normalisation must undo) -------------------------------------------
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const TO_CYRILLIC: Record<string, string> = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', y: 'у', x: 'х', i: 'і', A: 'А', E: 'Е', O: 'О', P: 'Р', C: 'С', T: 'Т', H: 'Н' };
export const PERTURBATIONS: Record<string, (t: string, r: () => number) => string> = {
  homoglyphs: (t, r) => [...t].map((c) => (TO_CYRILLIC[c] && r() < 0.5 ? TO_CYRILLIC[c]! : c)).join(''),
  'zero-width': (t, r) => [...t].map((c) => (r() < 0.3 ? c + ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad'][Math.floor(r() * 6)] : c)).join(''),
  case: (t, r) => [...t].map((c) => (r() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join(''),
  whitespace: (t, r) => t.replace(/ /g, () => [' ', '  ', '\u00a0', '\t', ' \n', '\u2003', '\u3000 '][Math.floor(r() * 7)]!),
};
PERTURBATIONS.all = (t, r) => PERTURBATIONS.whitespace!(PERTURBATIONS['zero-width']!(PERTURBATIONS.homoglyphs!(PERTURBATIONS.case!(t, r), r), r), r);

const f4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '  -   ');
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');

function table(title: string, head: string[], body: (string | number)[][]): void {
  console.log(`\n## ${title}`);
  const cells = [head, ...body.map((r) => r.map(String))];
  const w = head.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  for (const [i, r] of cells.entries()) {
    console.log(r.map((x, c) => (c === 0 ? x.padEnd(w[c]!) : x.padStart(w[c]!))).join('  '));
    if (i === 0) console.log(w.map((n) => '-'.repeat(n)).join('  '));
  }
}

async function main(): Promise<void> {
  const limitArg = process.argv.indexOf('--limit');
  const limit = limitArg > 0 ? Number(process.argv[limitArg + 1]) : Infinity;
  const write = !process.argv.includes('--no-write');
  const t0 = Date.now();
  const rows: Row[] = [];
  for (const line of readFileSync(join(dataDir(), 'corpus.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as Row;
    if (r.split !== 'test') continue;
    r.source = r.source.split('/')[0]!;
    rows.push(r);
  }
  const test = rows.slice(0, limit);
  const anchors = new Map<string, Record<string, number>>();
  for (const line of readFileSync(join(dataDir(), 'anchors.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const a = JSON.parse(line) as { id: string; detector: string; p_machine: number };
    const rec = anchors.get(a.id) ?? {};
    rec[ANCHORS[a.detector] ?? a.detector] = a.p_machine;
    anchors.set(a.id, rec);
  }

  const detector = await loadEmbeddedDetector({ maxEvidence: 0 });
  const { policy } = detector;
  console.log(`Telltale embedded ${detector.info.version} on ${detector.backend}, ${test.length} test texts; minWords ${policy.minWords}; thresholds ${JSON.stringify(policy.thresholds)}`);

  async function scoreAll(texts: string[]): Promise<{ p: number[]; verdicts: Verdict[] }> {
    const verdicts = await judge(detector, texts, { sensitivity: 'balanced', batchSize: 256 });
    const p = verdicts.map((v) => v.p_machine ?? NaN);
    // Texts judge() refuses (language check, empty) still get the model's score for the AUROC tables.
    const missing = p.map((x, i) => (Number.isFinite(x) ? -1 : i)).filter((i) => i >= 0);
    if (missing.length) {
      const s = await detector.scoreBatch(missing.map((i) => normalise(texts[i]!).text || ' '));
      missing.forEach((i, k) => {
        p[i] = s[k]!.p;
      });
    }
    return { p, verdicts };
  }

  const t1 = Date.now();
  const { p, verdicts } = await scoreAll(test.map((r) => r.text));
  const secs = (Date.now() - t1) / 1000;
  const y = test.map((r) => r.label === 'machine');
  const states: Record<string, number> = {};
  for (const v of verdicts) states[v.state] = (states[v.state] ?? 0) + 1;

  const out: Record<string, unknown> = { model: detector.info, policy, n: test.length, states, secondsToScore: secs };
  const overall = { auroc: auroc(y, p), tprAt1: tprAtFpr(y, p), ece: ece(p, y) };
  out.overall = overall;
  table('Overall (test)', ['', 'texts', 'AUROC', 'TPR@1%FPR', 'ECE'], [['all', test.length, f4(overall.auroc), pct(overall.tprAt1), f4(overall.ece)]]);
  console.log(`verdict states: ${JSON.stringify(states)}; scored ${test.length} texts in ${secs.toFixed(1)} s`);

  // (source, domain, generator) sets with the anchors on the same texts.
  const humansBy = new Map<string, number[]>();
  const machinesBy = new Map<string, number[]>();
  test.forEach((r, i) => {
    const sd = `${r.source}|${r.domain}`;
    if (r.label === 'human') humansBy.set(sd, [...(humansBy.get(sd) ?? []), i]);
    else machinesBy.set(`${sd}|${r.generator}`, [...(machinesBy.get(`${sd}|${r.generator}`) ?? []), i]);
  });
  const sets: Record<string, unknown>[] = [];
  const setRows: (string | number)[][] = [];
  for (const [key, m] of [...machinesBy.entries()].sort()) {
    const [src, dom] = key.split('|');
    const h = humansBy.get(`${src}|${dom}`) ?? [];
    if (h.length < 20 || m.length < 20) continue;
    const ids = [...h, ...m];
    const yy = ids.map((i) => y[i]!);
    const ss = ids.map((i) => p[i]!);
    const rec: Record<string, unknown> = { set: key, human: h.length, machine: m.length, auroc: auroc(yy, ss), tprAt1: tprAtFpr(yy, ss) };
    sets.push(rec);
    setRows.push([key.replace(/\|/g, ' / '), h.length, m.length, f4(rec.auroc as number), pct(rec.tprAt1 as number), rec.auroc as number >= 0.85 ? 'ok' : 'BELOW']);
  }
  out.sets = sets;
  table('By (source / domain / generator): machine texts of one generator vs human texts of that source+domain (20+ per class)',
    ['set', 'human', 'machine', 'AUROC', 'TPR@1%', '>= 0.85'], setRows);
  const worst = sets.reduce((a, b) => ((a.auroc as number) <= (b.auroc as number) ? a : b));
  const below = sets.filter((s) => (s.auroc as number) < 0.85).length;
  console.log(`worst set: ${worst.set} AUROC ${f4(worst.auroc as number)}; ${below} of ${sets.length} sets below 0.85`);
  out.worstSet = worst;

  // Anchors: anchors.jsonl scores only some fast-detect-gpt texts (writing/xsum x davinci, GPT-3.5, GPT-4),
  // with few human texts, so those sets are under 20 per class in test. Compare on exactly the texts that
  // have anchor scores: test alone, and dev+test (dev was only used for epoch choice and calibration).
  const devRows: Row[] = [];
  for (const line of readFileSync(join(dataDir(), 'corpus.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as Row;
    if (r.split === 'dev' && anchors.has(r.id)) {
      r.source = r.source.split('/')[0]!;
      devRows.push(r);
    }
  }
  const devScores = await scoreAll(devRows.map((r) => r.text));
  const anchorOut: Record<string, unknown>[] = [];
  const anchorRows: (string | number)[][] = [];
  for (const scope of ['test', 'dev+test'] as const) {
    const pool = [
      ...test.map((r, i) => ({ r, p: p[i]! })),
      ...(scope === 'dev+test' ? devRows.map((r, i) => ({ r, p: devScores.p[i]! })) : []),
    ].filter((x) => anchors.has(x.r.id));
    const gens = [...new Set(pool.filter((x) => x.r.label === 'machine').map((x) => `${x.r.source}|${x.r.domain}|${x.r.generator}`))].sort();
    for (const g of gens) {
      const [src, dom, gen] = g.split('|');
      const items = pool.filter((x) => x.r.source === src && x.r.domain === dom && (x.r.label === 'human' || x.r.generator === gen));
      const yy = items.map((x) => x.r.label === 'machine');
      const nh = yy.filter((v) => !v).length;
      const nm = yy.length - nh;
      if (nh < 5 || nm < 5) continue;
      const rec: Record<string, number | string> = { scope, set: g, human: nh, machine: nm, embedded: auroc(yy, items.map((x) => x.p)) };
      for (const name of Object.values(ANCHORS)) rec[name] = auroc(yy, items.map((x) => anchors.get(x.r.id)![name] ?? NaN));
      anchorOut.push(rec);
      anchorRows.push([scope, g.replace(/\|/g, ' / '), nh, nm, ...['embedded', ...Object.values(ANCHORS)].map((k) => f4(rec[k] as number))]);
    }
  }
  out.anchors = anchorOut;
  table('Side by side with published detectors on the same texts (all texts with anchor scores; 5+ per class)',
    ['split', 'set', 'human', 'machine', 'embedded', 'RoBERTa-base', 'RoBERTa-large', 'Fast-DetectGPT'], anchorRows);

  // Length bands.
  const bands: [string, number, number][] = [['<200 chars', 0, 200], ['200-500', 200, 500], ['500-1500', 500, 1500], ['>=1500', 1500, Infinity]];
  const bandOut: Record<string, unknown> = {};
  table('By length band (normalised characters)', ['band', 'texts', 'human', 'machine', 'AUROC', 'TPR@1%'], bands.map(([name, lo, hi]) => {
    const ids = test.map((r, i) => [normalise(r.text).text.length, i] as const).filter(([n]) => n >= lo && n < hi).map(([, i]) => i);
    const yy = ids.map((i) => y[i]!);
    const ss = ids.map((i) => p[i]!);
    const a = auroc(yy, ss);
    bandOut[name] = { n: ids.length, auroc: a, tprAt1: tprAtFpr(yy, ss) };
    return [name, ids.length, yy.filter((v) => !v).length, yy.filter(Boolean).length, f4(a), pct(tprAtFpr(yy, ss))];
  }));
  out.lengthBands = bandOut;

  // What a reader meets, per domain and sensitivity, among the texts the detector scores (enough words,
  // English): human texts flagged (false alarms) and marked unclear, machine texts flagged (caught).
  const sens: Sensitivity[] = ['low', 'balanced', 'high'];
  const domains = [...new Set(test.map((r) => r.domain))].sort();
  const scoredIdx = test.map((_, i) => i).filter((i) => verdicts[i]!.state === 'scored');
  const levelOf = (i: number, s: Sensitivity) => levelAt(policy, p[i]!, s);
  const share = (ids: number[], s: Sensitivity, level: string) => ids.filter((i) => levelOf(i, s) === level).length / Math.max(1, ids.length);
  const fprOut: Record<string, unknown> = {};
  const fprRows: (string | number)[][] = [];
  const worstBy = { flagged: Object.fromEntries(sens.map((s) => [s, 0])), unclear: Object.fromEntries(sens.map((s) => [s, 0])) } as Record<'flagged' | 'unclear', Record<Sensitivity, number>>;
  for (const d of domains) {
    if (test.filter((r, i) => r.domain === d && !y[i]).length < 100) continue;
    const hs = scoredIdx.filter((i) => test[i]!.domain === d && !y[i]);
    const ms = scoredIdx.filter((i) => test[i]!.domain === d && y[i]);
    fprOut[d] = Object.fromEntries(sens.map((s) => [s, { human: hs.length, machine: ms.length, flagged: share(hs, s, 'generated'), unclear: share(hs, s, 'unclear'), caught: share(ms, s, 'generated') }]));
    for (const s of sens) {
      worstBy.flagged[s] = Math.max(worstBy.flagged[s], share(hs, s, 'generated'));
      worstBy.unclear[s] = Math.max(worstBy.unclear[s], share(hs, s, 'unclear'));
    }
    fprRows.push([d, hs.length, ms.length, ...sens.flatMap((s) => [pct(share(hs, s, 'generated')), pct(share(hs, s, 'unclear')), pct(share(ms, s, 'generated'))])]);
  }
  out.flagRates = fprOut;
  table('By domain (test domains with 100+ human texts; texts the detector scores): human flagged (false alarms), human unclear, machine caught',
    ['domain', 'human', 'machine', 'low flag', 'low uncl', 'low TPR', 'bal flag', 'bal uncl', 'bal TPR', 'high flag', 'high uncl', 'high TPR'], fprRows);
  const allH = scoredIdx.filter((i) => !y[i]);
  const allM = scoredIdx.filter((i) => y[i]);
  const measured = Object.fromEntries(sens.map((s) => [s, {
    flagged: share(allH, s, 'generated'), flaggedWorst: worstBy.flagged[s], unclear: share(allH, s, 'unclear'), unclearWorst: worstBy.unclear[s], caught: share(allM, s, 'generated'),
  }]));
  for (const s of sens) {
    const m = measured[s]!;
    console.log(`${s.padEnd(8)}: human flagged ${pct(m.flagged)} (worst domain ${pct(m.flaggedWorst)}), unclear ${pct(m.unclear)} (worst ${pct(m.unclearWorst)}); machine caught ${pct(m.caught)}`);
  }
  out.worstDomainFprBalanced = worstBy.flagged.balanced;
  out.measured = measured;
  const corpusOn = `the corpus's test split, ${allH.length.toLocaleString('en-US')} human-written and ${allM.length.toLocaleString('en-US')} machine-written texts, ${Object.keys(fprOut).length} kinds of text`;

  // Calibration curve, class-balanced like P(machine) itself: each text weighs 1 / (2 x its class's count).
  const calRows: (string | number)[][] = [];
  const nM = y.filter(Boolean).length;
  const nH = y.length - nM;
  const wt = (i: number) => (y[i] ? 0.5 / nM : 0.5 / nH);
  for (let b = 0; b < 10; b++) {
    const ids = p.map((x, i) => [x, i] as const).filter(([x]) => x >= b / 10 && (b === 9 ? x <= 1 : x < (b + 1) / 10)).map(([, i]) => i);
    if (!ids.length) continue;
    const W = ids.reduce((a, i) => a + wt(i), 0);
    calRows.push([`${(b / 10).toFixed(1)}-${((b + 1) / 10).toFixed(1)}`, ids.length, f4(ids.reduce((a, i) => a + wt(i) * p[i]!, 0) / W), f4(ids.filter((i) => y[i]).reduce((a, i) => a + wt(i), 0) / W)]);
  }
  table(`Calibration on test, classes weighted equally (ECE ${f4(overall.ece)}, target <= 0.05)`, ['p bin', 'texts', 'mean p', 'machine share'], calRows);

  // Perturbations.
  const pertOut: Record<string, unknown> = {};
  const pertRows: (string | number)[][] = [];
  for (const [name, fn] of Object.entries(PERTURBATIONS)) {
    const r = rng(12345);
    const texts = test.map((row) => fn(row.text, r));
    const { p: pp, verdicts: vv } = await scoreAll(texts);
    const noticed = vv.filter((v) => v.normalisation && v.normalisation.homoglyphs + v.normalisation.invisibles + v.normalisation.other > 0).length;
    const maxDiff = pp.reduce((a, x, i) => Math.max(a, Math.abs(x - p[i]!)), 0);
    pertOut[name] = { auroc: auroc(y, pp), tprAt1: tprAtFpr(y, pp), normalisationReported: noticed / texts.length, maxAbsDeltaP: maxDiff };
    pertRows.push([name, f4(auroc(y, pp)), pct(tprAtFpr(y, pp)), pct(noticed / texts.length), f4(maxDiff)]);
  }
  out.perturbations = pertOut;
  table(`Robustness: AUROC on test with the perturbation applied to every text (clean: ${f4(overall.auroc)})`,
    ['perturbation', 'AUROC', 'TPR@1%', 'normalisation reported', 'max |dp| vs clean'], pertRows);

  // Leave-one-out results come from training (they need retrains).
  const loFile = join(embeddedModelDir(), 'logo-lodo.json');
  if (existsSync(loFile)) {
    const lo = JSON.parse(readFileSync(loFile, 'utf8')) as { families: Record<string, { auroc: number; machine: number; human: number }>; domains: Record<string, { auroc: number; machine: number; human: number }> };
    table('Leave-one-generator-family-out (trained without it, tested on it; from npm run train)', ['family', 'machine', 'human', 'AUROC'],
      Object.entries(lo.families).map(([k, v]) => [k, v.machine, v.human, f4(v.auroc)]));
    table('Leave-one-domain-out (trained without it, tested on it; from npm run train)', ['domain', 'machine', 'human', 'AUROC'],
      Object.entries(lo.domains).map(([k, v]) => [k, v.machine, v.human, f4(v.auroc)]));
    out.leaveOneOut = lo;
  }

  if (write && limit === Infinity) {
    writeFileSync(join(embeddedModelDir(), 'eval.json'), `${JSON.stringify(out, null, 2)}\n`);
    // The options page shows these (the build ships meta.json): measured with this very policy.
    const metaFile = join(embeddedModelDir(), 'meta.json');
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Record<string, unknown> & { measured?: Record<string, unknown> };
    meta.measured = { ...meta.measured, corpus: { on: corpusOn, ...measured } };
    writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
    console.log(`\nwrote ${join(embeddedModelDir(), 'eval.json')} and the measured rates in meta.json`);
  }
  console.log(`eval took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  await detector.dispose?.();
}

await main();
