/**
 * `telltale`: the extension's detectors from the command line, on the same core.
 *
 *   telltale check [FILE|-]            per-paragraph report of a plain-text file (blank lines split paragraphs)
 *   telltale score --jsonl FILE|-      lines {"id","text"} in, lines {"id","p_machine","state","flagged"} out, in order
 *                                      (p_machine: P(machine) under equal prior odds; flagged: at --sensitivity)
 *
 * Options: --detector NAME (embedded | roberta-base | roberta-large | combined | fast-detectgpt | binoculars | a
 * registry zero-shot id), --hub URL --model REPO (any Hub-layout model; for the zero-shot detectors the language
 * model, Binoculars' observer), --performer REPO (Binoculars), --raw (adds each detector's uncalibrated statistic),
 * --sensitivity low|balanced|high, --json (check: machine-readable output).
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { judge } from '../core/judge.ts';
import { VARIANT_FILES, type Variant } from '../core/hub/registry.ts';
import { ZEROSHOT } from '../core/zeroshot/registry.ts';
import { preview, splitParagraphs } from '../core/text.ts';
import { SENSITIVITIES, type Detector, type Sensitivity, type Verdict } from '../core/types.ts';
import { loadDetector } from '../node/detectors.ts';
import { levelWords, shareShort, verdictHeadline } from '../shared/verdict-words.ts';

const USAGE = `Usage:
  telltale check [FILE|-] [--json]
  telltale score --jsonl FILE|- [--raw]
Options:
  --detector NAME       embedded (default), roberta-base, roberta-large, combined (embedded + roberta-base),
                        fast-detectgpt, binoculars (zero-shot, on small language models; also ${ZEROSHOT.filter((z) => z.id !== 'fast-detectgpt' && z.id !== 'binoculars').map((z) => z.id).join(', ')})
  --hub URL             Hugging Face Hub (or mirror) base URL, for --model or a Hub --detector
  --model REPO          a Hub repository in the Transformers.js layout, e.g. onnx-community/roberta-base-openai-detector-ONNX;
                        with fast-detectgpt the language model, with binoculars the observer (base model)
  --performer REPO      with binoculars and --model: the performer (instruct model), same tokenizer as the observer
  --variant NAME        a Hub model's ONNX variant: fp32, fp16, q8, q4 (default: q8 for RoBERTa; for the language models the
                        8-bit file where the repo has one, else the 4-bit one)
  --raw                 score: add "raw", the detector's uncalibrated statistic (Fast-DetectGPT discrepancy, Binoculars
                        score, RoBERTa's machine logit, the embedded model's logit)
  --sensitivity LEVEL   low, balanced (default), high
  -h, --help            this text`;

class UsageError extends Error {}

const VARIANTS = Object.keys(VARIANT_FILES) as Variant[];

const BATCH = 256;

function round(p: number | null | undefined): number | null {
  return p === null || p === undefined || !Number.isFinite(p) ? null : Math.round(p * 1e6) / 1e6;
}

/**
 * One output line: {"id","p_machine","state","flagged"}, then `"calibrated": false` from a detector without
 * a calibration (p_machine is then null), then `"raw"` with --raw (null where nothing was scored).
 */
export function jsonlLine(id: unknown, v: Verdict, raw = false): string {
  return JSON.stringify({
    id, p_machine: round(v.p_machine), state: v.state, flagged: v.flagged,
    ...(v.calibrated === false ? { calibrated: false } : {}),
    ...(raw ? { raw: round(v.raw) } : {}),
  });
}

async function scoreJsonl(detector: Detector, file: string, sensitivity: Sensitivity, raw: boolean): Promise<void> {
  const input = file === '-' ? process.stdin : createReadStream(file, 'utf8');
  const lines = createInterface({ input, crlfDelay: Infinity });
  let pending: { id: unknown; text: string | null; error?: string }[] = [];
  const flush = async () => {
    const valid = pending.filter((p) => p.text !== null);
    const verdicts = await judge(detector, valid.map((p) => p.text!), { sensitivity });
    let j = 0;
    const out: string[] = [];
    for (const p of pending) {
      if (p.text === null) out.push(JSON.stringify({ id: p.id, p_machine: null, state: 'error', flagged: false, ...(raw ? { raw: null } : {}), error: p.error }));
      else out.push(jsonlLine(p.id, verdicts[j++]!, raw));
    }
    if (out.length) process.stdout.write(`${out.join('\n')}\n`);
    pending = [];
  };
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    try {
      const obj = JSON.parse(line) as unknown;
      if (typeof obj !== 'object' || obj === null || typeof (obj as { text?: unknown }).text !== 'string') {
        pending.push({ id: (obj as { id?: unknown } | null)?.id ?? null, text: null, error: `line ${lineNo}: expected {"id", "text"}` });
      } else {
        pending.push({ id: (obj as { id?: unknown }).id ?? null, text: (obj as { text: string }).text });
      }
    } catch {
      pending.push({ id: null, text: null, error: `line ${lineNo}: not JSON` });
    }
    if (pending.length >= BATCH) await flush();
  }
  await flush();
}

async function check(detector: Detector, file: string, sensitivity: Sensitivity, json: boolean): Promise<void> {
  const text = readFileSync(file === '-' ? 0 : file, 'utf8');
  const paragraphs = splitParagraphs(text);
  const verdicts = await judge(detector, paragraphs, { sensitivity });
  if (json) {
    process.stdout.write(`${JSON.stringify(paragraphs.map((p, i) => ({ index: i + 1, text: p, ...verdicts[i] })), null, 2)}\n`);
    return;
  }
  const uncalibrated = detector.calibrated === false;
  const out: string[] = [`Telltale · ${detector.info.name} · sensitivity ${sensitivity}`];
  out.push(
    uncalibrated
      ? `Not calibrated: each paragraph shows the raw ${detector.statistic?.name ?? 'statistic'} (${detector.statistic?.machine ?? 'higher'} means more machine-like), not a probability; nothing is flagged.`
      : 'Each paragraph: its level, then how often human-written text scored as high in our tests.',
  );
  out.push('');
  verdicts.forEach((v, i) => {
    const level = v.state !== 'scored' ? verdictHeadline(v).toLowerCase() : v.level ? levelWords(v.level).short : 'not calibrated';
    const share = v.state !== 'scored' ? '' : v.humanShare ? shareShort(v.humanShare) : v.raw !== undefined ? `raw ${v.raw.toFixed(2)}` : '';
    const flag = v.flagged ? '!' : ' ';
    out.push(`${String(i + 1).padStart(3)} ${flag} ${level.padEnd(20)} ${share.padEnd(22)} ${preview(paragraphs[i]!, 60)}`);
    if (v.reason && v.state !== 'scored') out.push(`          ${v.reason}`);
    if (v.evidence?.length && v.flagged) {
      const top = [...v.evidence].sort((a, b) => b.weight - a.weight)[0]!;
      out.push(`          strongest sign: "${preview(top.text, 70)}"`);
    }
  });
  const count = (s: Verdict['state']) => verdicts.filter((v) => v.state === s).length;
  const flagged = verdicts.filter((v) => v.flagged).length;
  const unclear = verdicts.filter((v) => v.level === 'unclear').length;
  out.push('', `${flagged} of ${count('scored')} judged paragraphs likely machine-generated, ${unclear} unclear; ${count('too-short')} too short; ${count('unsupported')} not judged; ${count('error')} errors.`);
  process.stdout.write(`${out.join('\n')}\n`);
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      jsonl: { type: 'string' },
      json: { type: 'boolean', default: false },
      detector: { type: 'string', default: 'embedded' },
      hub: { type: 'string' },
      model: { type: 'string' },
      performer: { type: 'string' },
      variant: { type: 'string' },
      raw: { type: 'boolean', default: false },
      sensitivity: { type: 'string', default: 'balanced' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, file] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (!SENSITIVITIES.includes(values.sensitivity as Sensitivity)) throw new UsageError(`unknown sensitivity "${values.sensitivity}"`);
  if (values.hub && !values.model && values.detector === 'embedded') throw new UsageError('--hub needs --model REPO or a Hub detector (--detector roberta-base|roberta-large|combined)');
  if (command !== 'check' && command !== 'score') throw new UsageError(`unknown command "${command}"`);
  if (command === 'score' && !values.jsonl) throw new UsageError('score needs --jsonl FILE (or - for standard input)');
  if (values.variant && !VARIANTS.includes(values.variant as Variant)) throw new UsageError(`unknown variant "${values.variant}" (${VARIANTS.join(', ')})`);
  if (values.variant && values.detector === 'embedded' && !values.model) throw new UsageError('--variant is for Hub models');
  const zeroShot = ZEROSHOT.find((z) => z.id === values.detector);
  if (values.performer && zeroShot?.method !== 'binoculars') throw new UsageError('--performer REPO is for --detector binoculars');
  if (zeroShot?.method === 'binoculars' && values.model && !values.performer) {
    throw new UsageError('--detector binoculars --model OBSERVER_REPO needs --performer PERFORMER_REPO (two models sharing one tokenizer)');
  }

  let progressed = false;
  const detector = await loadDetector({
    detector: values.detector!,
    hubUrl: values.hub,
    model: values.model,
    performer: values.performer,
    variant: values.variant as Variant | undefined,
    onProgress: (f, loaded, total) => {
      progressed = true;
      process.stderr.write(`\rdownloading ${f}: ${total ? Math.round((100 * loaded) / total) : 0}%   `);
    },
  });
  if (progressed) process.stderr.write('\n');
  const sensitivity = values.sensitivity as Sensitivity;
  if (detector.calibrated === false && command === 'score') {
    process.stderr.write(`telltale: ${detector.info.name} has no calibration yet: p_machine is null and nothing is flagged${values.raw ? '' : '; --raw prints its statistic'} (${detector.statistic?.name}, ${detector.statistic?.machine} means more machine-like).\n`);
  }
  try {
    if (command === 'check') await check(detector, file ?? '-', sensitivity, values.json!);
    else await scoreJsonl(detector, values.jsonl!, sensitivity, values.raw!);
  } finally {
    await detector.dispose?.();
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`telltale: ${err instanceof Error ? err.message : String(err)}\n${usage ? `${USAGE}\n` : ''}`);
    process.exit(usage ? 2 : 1);
  },
);
