/**
 * Step 2b of `npm run train`: the embedded detector's judging policy (thresholds per sensitivity, the
 * unclear band, the human reference curve), by the rule in src/core/policy-fit.ts, fitted on
 *   - the corpus's dev split: the human-written texts the detector would score, by domain, and
 *   - real pages: the `tuning` packages of Debian's manuals, as the built extension scored them
 *     (.cache/eval-pages/paragraphs.json from `npm run eval:pages`), by package.
 * The corpus's test split and the `held-out` manuals are never read here: they measure the result
 * (npm run eval, npm run eval:pages).
 *
 *   npx tsx scripts/train/policy.ts [--no-pages]
 *
 * Scores come through the product path (createEmbeddedDetector + judge() on onnxruntime-web). Page
 * scores depend on the calibration only, so they must come from a build with the current one: the
 * script checks that, and says which command to run when they are stale or missing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calibrationTag, createEmbeddedDetector, parseMeta, type EmbeddedMeta } from '../../src/core/embedded/detector.ts';
import { judge } from '../../src/core/judge.ts';
import { embeddedModelDir } from '../../src/node/models.ts';
import { PACKAGES } from '../pages/manuals.ts';
import { dataDir, REPO_ROOT } from './paths.ts';
import { fitPolicy, type HumanGroup } from '../../src/core/policy-fit.ts';

interface Row { text: string; label: string; domain: string; split: string }

async function main() {
  const dir = embeddedModelDir();
  const metaFile = join(dir, 'meta.json');
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as EmbeddedMeta & Record<string, unknown>;
  // Scores do not depend on the policy: score with a placeholder that this script then replaces.
  const scoringMeta = { ...meta, policy: { minWords: meta.policy.minWords, thresholds: { low: 1, balanced: 1, high: 1 }, unclear: { low: 1, balanced: 1, high: 1 } } };
  parseMeta(new TextEncoder().encode(JSON.stringify(scoringMeta)));
  const detector = await createEmbeddedDetector(
    async (f) => (f === 'meta.json' ? new TextEncoder().encode(JSON.stringify(scoringMeta)) : new Uint8Array(readFileSync(join(dir, f)))),
    { backend: 'wasm', maxEvidence: 0 },
  );

  const dev: Row[] = [];
  for (const line of readFileSync(join(dataDir(), 'corpus.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as Row;
    if (r.split === 'dev' && r.label === 'human') dev.push(r);
  }
  const verdicts = await judge(detector, dev.map((r) => r.text), { sensitivity: 'balanced', batchSize: 256 });
  const byDomain = new Map<string, number[]>();
  verdicts.forEach((v, i) => {
    if (v.state !== 'scored' || v.p_machine === null) return;
    const d = `corpus:${dev[i]!.domain}`;
    byDomain.set(d, [...(byDomain.get(d) ?? []), v.p_machine]);
  });
  const groups: HumanGroup[] = [...byDomain].map(([name, scores]) => ({ name, scores }));

  if (!process.argv.includes('--no-pages')) {
    const file = join(REPO_ROOT, '.cache/eval-pages/paragraphs.json');
    if (!existsSync(file)) throw new Error(`no page scores: run \`npm run build && npm run eval:pages -- --split tuning\` first (or pass --no-pages)`);
    const pages = JSON.parse(readFileSync(file, 'utf8')) as { calibration?: string; paragraphs: { pkg: string; p: number }[] };
    if (pages.calibration !== calibrationTag(meta)) {
      throw new Error(`the page scores in ${file} come from another calibration (${pages.calibration ?? 'unknown'}): run \`npm run build && npm run eval:pages -- --split tuning\` again`);
    }
    const tuning = new Set(PACKAGES.filter((p) => p.split === 'tuning').map((p) => p.pkg));
    const byPkg = new Map<string, number[]>();
    for (const x of pages.paragraphs) if (tuning.has(x.pkg)) byPkg.set(`pages:${x.pkg}`, [...(byPkg.get(`pages:${x.pkg}`) ?? []), x.p]);
    if (byPkg.size === 0) throw new Error(`${file} has no paragraphs of the tuning packages: run \`npm run eval:pages -- --split tuning\``);
    groups.push(...[...byPkg].map(([name, scores]) => ({ name, scores })));
  }

  const { policy, fit } = fitPolicy(groups, meta.policy.minWords);
  meta.policy = policy;
  meta.policyFit = { ...fit, calibration: calibrationTag(meta), fittedOn: 'corpus dev split (human texts the detector scores, by domain) + Debian manuals, tuning packages (by package)' };
  delete (meta as Record<string, unknown>).measured; // measured again by npm run eval and npm run eval:pages
  parseMeta(new TextEncoder().encode(JSON.stringify(meta)));
  writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
  console.log(`groups: ${groups.map((g) => `${g.name} ${g.scores.length}`).join(', ')}`);
  console.log(`flag ${JSON.stringify(policy.thresholds)}\nunclear ${JSON.stringify(policy.unclear)}\nhuman reference: ${policy.humanShare!.length} points\nwrote ${metaFile}`);
  await detector.dispose?.();
}

if (process.argv[1]?.endsWith('policy.ts')) await main();
