/**
 * `telltale`: the extension's detectors from the command line, on the same core.
 *
 *   telltale check [FILE|-]            per-paragraph report of a plain-text file (blank lines split paragraphs)
 *   telltale score --jsonl FILE|-      lines {"id","text"} in, lines {"id","p_machine","state","flagged"} out, in order
 *                                      (p_machine: P(machine) under equal prior odds; flagged: at --sensitivity)
 *
 * Options: --detector NAME (embedded | roberta-base | roberta-large | combined), --hub URL --model REPO (any
 * Hub-layout model), --sensitivity low|balanced|high, --json (check: machine-readable output).
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { judge } from '../core/judge.ts';
import { preview, splitParagraphs } from '../core/text.ts';
import { SENSITIVITIES, type Detector, type Sensitivity, type Verdict } from '../core/types.ts';
import { loadDetector } from '../node/detectors.ts';
import { LEVEL_WORDS, shareShort, verdictHeadline } from '../shared/verdict-words.ts';

const USAGE = `Usage:
  telltale check [FILE|-] [--json]
  telltale score --jsonl FILE|-
Options:
  --detector NAME       embedded (default), roberta-base, roberta-large, combined (embedded + roberta-base)
  --hub URL             Hugging Face Hub (or mirror) base URL, for --model or a Hub --detector
  --model REPO          a Hub repository in the Transformers.js layout, e.g. onnx-community/roberta-base-openai-detector-ONNX
  --sensitivity LEVEL   low, balanced (default), high
  -h, --help            this text`;

class UsageError extends Error {}

const BATCH = 256;

function round(p: number | null): number | null {
  return p === null ? null : Math.round(p * 1e6) / 1e6;
}

export function jsonlLine(id: unknown, v: Verdict): string {
  return JSON.stringify({ id, p_machine: round(v.p_machine), state: v.state, flagged: v.flagged });
}

async function scoreJsonl(detector: Detector, file: string, sensitivity: Sensitivity): Promise<void> {
  const input = file === '-' ? process.stdin : createReadStream(file, 'utf8');
  const lines = createInterface({ input, crlfDelay: Infinity });
  let pending: { id: unknown; text: string | null; error?: string }[] = [];
  const flush = async () => {
    const valid = pending.filter((p) => p.text !== null);
    const verdicts = await judge(detector, valid.map((p) => p.text!), { sensitivity });
    let j = 0;
    const out: string[] = [];
    for (const p of pending) {
      if (p.text === null) out.push(JSON.stringify({ id: p.id, p_machine: null, state: 'error', flagged: false, error: p.error }));
      else out.push(jsonlLine(p.id, verdicts[j++]!));
    }
    if (out.length) process.stdout.write(out.join('\n') + '\n');
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
    process.stdout.write(JSON.stringify(paragraphs.map((p, i) => ({ index: i + 1, text: p, ...verdicts[i] })), null, 2) + '\n');
    return;
  }
  const out: string[] = [
    `Telltale · ${detector.info.name} · sensitivity ${sensitivity}`,
    'Each paragraph: its level, then how often human-written text scored as high in our tests.',
    '',
  ];
  verdicts.forEach((v, i) => {
    const level = v.state === 'scored' && v.level ? LEVEL_WORDS[v.level].short : verdictHeadline(v).toLowerCase();
    const share = v.state === 'scored' && v.humanShare ? shareShort(v.humanShare) : '';
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
  process.stdout.write(out.join('\n') + '\n');
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
      sensitivity: { type: 'string', default: 'balanced' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, file] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE + '\n');
    return values.help ? 0 : 2;
  }
  if (!SENSITIVITIES.includes(values.sensitivity as Sensitivity)) throw new UsageError(`unknown sensitivity "${values.sensitivity}"`);
  if (values.hub && !values.model && values.detector === 'embedded') throw new UsageError('--hub needs --model REPO or a Hub detector (--detector roberta-base|roberta-large|combined)');
  if (command !== 'check' && command !== 'score') throw new UsageError(`unknown command "${command}"`);
  if (command === 'score' && !values.jsonl) throw new UsageError('score needs --jsonl FILE (or - for standard input)');

  const detector = await loadDetector({
    detector: values.detector!,
    hubUrl: values.hub,
    model: values.model,
    onProgress: (f, loaded, total) => process.stderr.write(`\rdownloading ${f}: ${total ? Math.round((100 * loaded) / total) : 0}%   `),
  });
  const sensitivity = values.sensitivity as Sensitivity;
  try {
    if (command === 'check') await check(detector, file ?? '-', sensitivity, values.json!);
    else await scoreJsonl(detector, values.jsonl!, sensitivity);
  } finally {
    await detector.dispose?.();
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`telltale: ${err instanceof Error ? err.message : String(err)}\n${usage ? USAGE + '\n' : ''}`);
    process.exit(usage ? 2 : 1);
  },
);
