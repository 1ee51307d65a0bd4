/**
 * `npm run calibrate -- --detector NAME`: fits a zero-shot detector's calibration (src/core/zeroshot/
 * calibration.ts) on the corpus's dev split, with the detector's real language model(s), and with --write
 * stores it in models/registry.json (`zeroshot[].calibration`).
 *
 *   npm run calibrate -- --detector fast-detectgpt                      prints the fit, writes nothing
 *   npm run calibrate -- --detector binoculars --per-class 300 --write
 *   options: --hub URL  --corpus FILE (default ../shared/data/mgt/corpus.jsonl)  --split dev  --per-class N (400)
 *            --seed N  --min-per-class N (50)  --variant fp32|q8|q4|...  --threads N (1)  --registry FILE
 *
 * Texts: the split's records, sampled by `group` (a machine text and the human text it continued are kept or
 * dropped together), at most --per-class of each label, English and with at least the detector's minWords
 * words (what the detector would judge). The fit: logistic regression of the label on the raw statistic,
 * classes weighted equally, and the judging policy by the rule every detector's follows
 * (src/core/policy-fit.ts) on the dev human texts by domain. It refuses to write a
 * calibration that points the other way than the method says. Needs the real model: where the Hub cannot be
 * reached it stops with a message and changes nothing.
 */
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { HubClient } from '../src/core/hub/download.ts';
import { DEFAULT_HUB } from '../src/core/hub/hub.ts';
import { VARIANT_FILES, type Variant } from '../src/core/hub/registry.ts';
import { judge } from '../src/core/judge.ts';
import { countWords, normalise } from '../src/core/normalise.ts';
import { auroc, CalibrationError, fitCalibration, type ZeroShotCalibration } from '../src/core/zeroshot/calibration.ts';
import { findZeroShot, ZEROSHOT, type ZeroShotEntry } from '../src/core/zeroshot/registry.ts';
import { zeroShotRepos } from '../src/core/zeroshot/hub.ts';
import { createNodeZeroShotDetector, nodeHubStore } from '../src/node/hub-store.ts';
import { dataDir } from './train/paths.ts';

interface Args {
  detector?: string;
  hub: string;
  corpus: string;
  split: string;
  perClass: number;
  seed: number;
  minPerClass: number;
  variant?: Variant;
  threads: number;
  write: boolean;
  registry: string;
}

function args(argv: string[]): Args {
  const a: Args = { hub: DEFAULT_HUB, corpus: `${dataDir()}/corpus.jsonl`, split: 'dev', perClass: 400, seed: 1, minPerClass: 50, threads: 1, write: false, registry: 'models/registry.json' };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = [argv[i]!, argv[i + 1]];
    const need = () => {
      if (v === undefined) throw new Error(`${k} needs a value`);
      i++;
      return v;
    };
    if (k === '--detector') a.detector = need();
    else if (k === '--hub') a.hub = need();
    else if (k === '--corpus') a.corpus = need();
    else if (k === '--split') a.split = need();
    else if (k === '--per-class') a.perClass = Number(need());
    else if (k === '--seed') a.seed = Number(need());
    else if (k === '--min-per-class') a.minPerClass = Number(need());
    else if (k === '--variant') a.variant = need() as Variant;
    else if (k === '--threads') a.threads = Number(need());
    else if (k === '--registry') a.registry = need();
    else if (k === '--write') a.write = true;
    else throw new Error(`unknown argument ${k}`);
  }
  if (a.variant && !(a.variant in VARIANT_FILES)) throw new Error(`unknown variant ${a.variant}`);
  return a;
}

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Row { id: string; text: string; machine: boolean; domain: string; generator: string }

async function sample(a: Args): Promise<Row[]> {
  if (!existsSync(a.corpus)) throw new Error(`the corpus ${a.corpus} is not there (set --corpus or TELLTALE_DATA)`);
  const groups = new Map<string, Row[]>();
  for await (const line of createInterface({ input: createReadStream(a.corpus) })) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { id: string; text: string; label: string; split: string; group?: string; domain?: string; generator?: string };
    if (r.split !== a.split || typeof r.text !== 'string') continue;
    const g = r.group ?? r.id;
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push({ id: r.id, text: r.text, machine: r.label === 'machine', domain: r.domain ?? '?', generator: r.generator ?? '?' });
  }
  const keys = [...groups.keys()].sort();
  const rand = rng(a.seed);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  const out: Row[] = [];
  const n = { human: 0, machine: 0 };
  for (const k of keys) {
    if (n.human >= a.perClass && n.machine >= a.perClass) break;
    const rows = groups.get(k)!;
    // Whole groups only, and only while both classes the group adds still have room.
    if (rows.some((r) => n[r.machine ? 'machine' : 'human'] >= a.perClass)) continue;
    for (const r of rows) {
      out.push(r);
      n[r.machine ? 'machine' : 'human']++;
    }
  }
  return out;
}

async function pinsOf(entry: ZeroShotEntry): Promise<string[]> {
  const client = new HubClient({ store: await nodeHubStore() });
  return Promise.all(zeroShotRepos(entry).map(async ({ repo, entry: e }) => `${repo}@${(await client.pins(repo))?.refs[e?.revision ?? 'main']?.slice(0, 12) ?? '?'}`));
}

async function main(): Promise<number> {
  const a = args(process.argv.slice(2));
  const entry = a.detector ? findZeroShot(a.detector) : undefined;
  if (!entry) {
    console.error(`calibrate: --detector must name a zero-shot detector: ${ZEROSHOT.map((z) => z.id).join(', ')}`);
    return 2;
  }
  const repos = zeroShotRepos(entry).map((r) => r.repo);
  let detector: Awaited<ReturnType<typeof createNodeZeroShotDetector>>;
  try {
    detector = await createNodeZeroShotDetector({ detector: entry.id, hubUrl: a.hub, variant: a.variant, threads: a.threads });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const offline = /cannot be reached/.test(msg) || err instanceof TypeError;
    console.error(offline
      ? `calibrate: ${entry.id} needs its language model${repos.length > 1 ? 's' : ''} (${repos.join(', ')}), which cannot be downloaded from ${a.hub} here: ${msg}\nCalibration needs the real model, so nothing was fitted and ${a.registry} is unchanged. Run it where the Hub (or a mirror, --hub URL) can be reached.`
      : `calibrate: could not load ${entry.id} (${repos.join(', ')}) from ${a.hub}: ${msg}\nNothing was fitted and ${a.registry} is unchanged.`);
    return 1;
  }
  const rows = await sample(a);
  console.log(`${entry.id}: ${repos.join(' / ')} (${detector.variant}, onnxruntime-web wasm, ${a.threads} thread${a.threads > 1 ? 's' : ''}); ${rows.length} texts of ${a.corpus} split ${a.split} sampled by group (seed ${a.seed})`);
  const samples: { raw: number; machine: boolean; domain: string }[] = [];
  const t0 = Date.now();
  const batch = 16;
  for (let i = 0; i < rows.length; i += batch) {
    const part = rows.slice(i, i + batch);
    const verdicts = await judge(detector, part.map((r) => r.text), { sensitivity: 'balanced', batchSize: batch });
    verdicts.forEach((v, j) => {
      const r = part[j]!;
      if ((v.state === 'scored' || v.state === 'too-short') && v.raw !== undefined && countWords(normalise(r.text).text) >= entry.minWords) {
        samples.push({ raw: v.raw, machine: r.machine, domain: r.domain });
      }
    });
    if ((i / batch) % 10 === 9 || i + batch >= rows.length) {
      const done = Math.min(i + batch, rows.length);
      process.stderr.write(`  ${done} / ${rows.length} texts, ${((Date.now() - t0) / done).toFixed(0)} ms each\n`);
    }
  }
  await detector.dispose?.();
  const nH = samples.filter((s) => !s.machine).length;
  const nM = samples.length - nH;
  const source = `npm run calibrate on ${new Date().toISOString().slice(0, 10)}: ${nH} human and ${nM} machine texts (at least ${entry.minWords} words, English) of the corpus's ${a.split} split, sampled by group (seed ${a.seed}); models ${(await pinsOf(entry)).join(', ')}, variant ${detector.variant}, onnxruntime-web wasm`;
  let cal: ZeroShotCalibration;
  try {
    cal = fitCalibration(samples, { machine: detector.statistic.machine, minWords: entry.minWords, source, minPerClass: a.minPerClass });
  } catch (err) {
    if (!(err instanceof CalibrationError)) throw err;
    console.error(`calibrate: ${err.message}; ${a.registry} is unchanged.`);
    return 1;
  }
  console.log(`\n${detector.statistic.name} (${detector.statistic.machine} means machine): AUROC ${cal.auroc.toFixed(3)} on ${nH} human / ${nM} machine texts`);
  const domains = [...new Set(samples.map((s) => s.domain))].sort();
  for (const d of domains) {
    const s = samples.filter((x) => x.domain === d);
    const h = s.filter((x) => !x.machine).length;
    if (h > 0 && h < s.length) console.log(`  ${d.padEnd(16)} AUROC ${auroc(s, detector.statistic.machine).toFixed(3)} (${h} human, ${s.length - h} machine)`);
  }
  console.log(`P(machine) = sigmoid(${cal.a.toPrecision(4)} * raw + ${cal.b.toPrecision(4)})`);
  console.log('sensitivity  raw threshold  P threshold  human flagged  machine flagged   (cuts: src/core/policy-fit.ts, on the dev human texts by domain)');
  for (const s of ['low', 'balanced', 'high'] as const) {
    console.log(`${s.padEnd(12)} ${cal.rawThresholds[s].toFixed(4).padStart(13)}  ${cal.policy.thresholds[s].toFixed(4).padStart(11)}  ${(100 * cal.humanFlagRate[s]).toFixed(1).padStart(12)}%  ${(100 * cal.machineFlagRate[s]).toFixed(1).padStart(14)}%`);
  }
  if (!a.write) {
    console.log(`\nnot written (add --write to store it in ${a.registry})`);
    console.log(JSON.stringify(cal, null, 2));
    return 0;
  }
  const registry = JSON.parse(readFileSync(a.registry, 'utf8')) as { zeroshot?: ZeroShotEntry[] };
  const target = registry.zeroshot?.find((z) => z.id === entry.id);
  if (!target) throw new Error(`${a.registry} has no zero-shot entry ${entry.id}`);
  target.calibration = cal;
  writeFileSync(a.registry, `${JSON.stringify(registry, null, 2)}\n`);
  console.log(`\nwrote the calibration of ${entry.id} to ${a.registry}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`calibrate: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
