/**
 * `npm run test-models`: makes the project's own RoBERTa-shaped and Llama-shaped models.
 *
 *   npx tsx scripts/make-test-models.ts            tiny models -> test/fixtures/tiny-roberta{,-swapped}/ and
 *                                                  tiny-llama{,-instruct}/ + zeroshot-reference.json (committed)
 *   npx tsx scripts/make-test-models.ts --only roberta|llama    one family
 *   npx tsx scripts/make-test-models.ts --bench    RoBERTa-base-sized model -> models/bench/roberta-base/ (gitignored)
 *   npx tsx scripts/make-test-models.ts --bench-lm SmolLM2-135M-shaped model -> models/bench/smollm2-135m/ (gitignored)
 *
 * The tokenizer (byte-level BPE, GPT-2/RoBERTa style) is trained here, in TypeScript, on text
 * written for this script (TRAINING_TEXT below), so it is deterministic and owes nothing to anyone.
 * The ONNX graphs (random weights, fixed seed) come from scripts/make-test-models.py (RoBERTa) and
 * make-test-llama.py (causal LMs; reference values: zeroshot-reference.py), which need
 * Debian's python3-torch and python3-onnx: `apt-get install -y python3-torch python3-onnx`, run with
 * /usr/bin/python3. CI never runs this: the tiny outputs are committed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Our own prose, the only source of the BPE merges. */
export const TRAINING_TEXT = `
Telltale reads the paragraphs on the pages you visit and says which of them look machine-written.
It runs on your own computer: no text leaves the browser, and the models are stored locally once
they have been downloaded. The detector is a small network that turns each paragraph into numbers,
reads those numbers in windows of at most five hundred and ten tokens, and gives a probability.
A probability is not a verdict. People who write formal English, people who learned English as a
second language, and people who write about technical subjects are flagged more often than others,
so the extension is careful: it shows how sure it is, it explains what it looked at, and it never
hides a paragraph from you. The settings have three sensitivities; the balanced one is the default.
When a model is missing, the extension downloads it on demand, shows the progress, checks every
byte against a known hash before using it, and keeps it for offline use. Deleting the model frees
the space again. Tests run against a tiny model with random weights, which is why its opinions are
worthless: they only prove that the plumbing is right. The quick brown fox jumps over the lazy dog;
the five boxing wizards jump quickly; pack my box with five dozen liquor jugs. Numbers such as 1, 2,
42, 510 and 2026 appear too, as do punctuation marks: commas, semicolons, colons, dashes - and
quotation marks "like these", 'these', and (parentheses). Is this text written by a person or by a
language model? Nobody can tell for sure from a single sentence, and the longer the text, the more
the score means. The window slides over long text with an overlap, so no sentence is judged only at
an edge. Scores from the windows are combined by a weighted mean of their logits.
`;

const SPECIALS = ['<s>', '<pad>', '</s>', '<unk>'] as const;

/** GPT-2's reversible byte -> printable character map. */
function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  const out: string[] = new Array(256);
  bs.forEach((b, i) => {
    out[b] = String.fromCodePoint(cs[i]!);
  });
  return out;
}

const PRETOKENIZE = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * Trains `nMerges` byte-level BPE merges on `text`. Deterministic (ties broken by first appearance).
 * Ids: `specials` first, then the 256 byte symbols, then the merges, then `trailing` (RoBERTa's `<mask>`).
 */
export function trainBpe(
  text: string, nMerges: number, specials: readonly string[] = SPECIALS, trailing: readonly string[] = ['<mask>'],
): { vocab: Record<string, number>; merges: string[] } {
  const b2u = bytesToUnicode();
  const enc = new TextEncoder();
  const wordCounts = new Map<string, number>();
  for (const m of text.matchAll(PRETOKENIZE)) {
    const w = [...enc.encode(m[0])].map((b) => b2u[b]!).join('');
    wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
  }
  const words = [...wordCounts].map(([w, c]) => ({ parts: [...w], count: c }));
  const vocab: Record<string, number> = {};
  specials.forEach((s, i) => {
    vocab[s] = i;
  });
  for (const ch of b2u) vocab[ch] = Object.keys(vocab).length;
  const merges: string[] = [];
  for (let k = 0; k < nMerges; k++) {
    const counts = new Map<string, number>();
    for (const w of words) {
      for (let i = 0; i + 1 < w.parts.length; i++) {
        const key = `${w.parts[i]} ${w.parts[i + 1]}`;
        counts.set(key, (counts.get(key) ?? 0) + w.count);
      }
    }
    let best: string | undefined;
    let bestCount = 1;
    for (const [key, c] of counts) if (c > bestCount) [best, bestCount] = [key, c];
    if (!best) break;
    const [a, b] = best.split(' ') as [string, string];
    merges.push(best);
    vocab[a + b] = Object.keys(vocab).length;
    for (const w of words) {
      const next: string[] = [];
      for (let i = 0; i < w.parts.length; i++) {
        if (i + 1 < w.parts.length && w.parts[i] === a && w.parts[i + 1] === b) {
          next.push(a + b);
          i++;
        } else next.push(w.parts[i]!);
      }
      w.parts = next;
    }
  }
  for (const t of trailing) vocab[t] = Object.keys(vocab).length;
  return { vocab, merges };
}

export function tokenizerFiles(nMerges = 400): { tokenizer: object; tokenizerConfig: object; vocabSize: number } {
  const { vocab, merges } = trainBpe(TRAINING_TEXT, nMerges);
  const special = (content: string, id: number) => ({
    id, content, single_word: false, lstrip: content === '<mask>', rstrip: false, normalized: false, special: true,
  });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...SPECIALS.map((s, i) => special(s, i)), special('<mask>', vocab['<mask>']!)],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '',
      fuse_unk: false, byte_fallback: false, vocab, merges,
    },
  };
  const tokenizerConfig = {
    tokenizer_class: 'RobertaTokenizer',
    model_max_length: 512,
    bos_token: '<s>', eos_token: '</s>', sep_token: '</s>', cls_token: '<s>', unk_token: '<unk>', pad_token: '<pad>',
    mask_token: '<mask>', add_prefix_space: false, errors: 'replace', trim_offsets: true, clean_up_tokenization_spaces: true,
  };
  return { tokenizer, tokenizerConfig, vocabSize: Object.keys(vocab).length };
}

function config(vocabSize: number, hidden: number, layers: number, heads: number, swapped: boolean): object {
  const id2label = swapped ? { 0: 'Real', 1: 'Fake' } : { 0: 'Fake', 1: 'Real' };
  const label2id = swapped ? { Real: 0, Fake: 1 } : { Fake: 0, Real: 1 };
  return {
    architectures: ['RobertaForSequenceClassification'], model_type: 'roberta',
    vocab_size: vocabSize, hidden_size: hidden, num_hidden_layers: layers, num_attention_heads: heads,
    intermediate_size: hidden * 4, hidden_act: 'gelu', max_position_embeddings: 514, type_vocab_size: 1,
    pad_token_id: 1, bos_token_id: 0, eos_token_id: 2, layer_norm_eps: 1e-5, id2label, label2id,
    _telltale: 'random weights, generated by scripts/make-test-models.ts; scores mean nothing',
  };
}

function python(args: string[], script = 'make-test-models.py'): void {
  const py = '/usr/bin/python3';
  const check = spawnSync(py, ['-c', 'import torch, onnx'], { encoding: 'utf8' });
  if (check.status !== 0) {
    console.error(`make-test-models needs Debian python3-torch and python3-onnx:\n  apt-get install -y python3-torch python3-onnx\n${check.stderr ?? ''}`);
    process.exit(1);
  }
  const r = spawnSync(py, [join(ROOT, 'scripts', script), ...args], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function writeJson(path: string, obj: object): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(obj, null, 2)}\n`);
}

export function makeModel(dir: string, o: { hidden: number; layers: number; heads: number; vocab?: number; seed: number; swapped?: boolean; variants: string }): void {
  const { tokenizer, tokenizerConfig, vocabSize } = tokenizerFiles();
  const vocab = o.vocab ?? vocabSize;
  writeJson(join(dir, 'tokenizer.json'), tokenizer);
  writeJson(join(dir, 'tokenizer_config.json'), tokenizerConfig);
  writeJson(join(dir, 'config.json'), config(vocab, o.hidden, o.layers, o.heads, !!o.swapped));
  python(['--out', join(dir, 'onnx'), '--vocab', String(vocab), '--hidden', String(o.hidden), '--layers', String(o.layers),
    '--heads', String(o.heads), '--seed', String(o.seed), '--variants', o.variants, ...(o.swapped ? ['--swap'] : [])]);
}

// --- Llama-shaped causal language models (the zero-shot detectors' fixtures) ------------------------------

/** SmolLM2's special tokens, ids 0-2, as its tokenizer has them. */
export const LM_SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;

/**
 * A GPT-2 / SmolLM2-style byte-level BPE tokenizer (no BOS or EOS added to encoded text, as SmolLM2's),
 * trained on TRAINING_TEXT. `instruct`: the tokenizer_config.json of an instruct sibling (other bos/eos/pad
 * and a chat template), with the same tokenizer.json: the vocabulary is identical, as Binoculars needs.
 */
export function lmTokenizerFiles(instruct: boolean): { tokenizer: object; tokenizerConfig: object; vocabSize: number } {
  const { vocab, merges } = trainBpe(TRAINING_TEXT, 400, LM_SPECIALS, []);
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: LM_SPECIALS.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, vocab, merges },
  };
  const common = {
    tokenizer_class: 'GPT2Tokenizer', model_max_length: 8192, add_prefix_space: false, clean_up_tokenization_spaces: false,
    additional_special_tokens: ['<|im_start|>', '<|im_end|>'], unk_token: '<|endoftext|>', vocab_size: Object.keys(vocab).length,
  };
  const tokenizerConfig = instruct
    ? { ...common, bos_token: '<|im_start|>', eos_token: '<|im_end|>', pad_token: '<|im_end|>',
        chat_template: "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}" }
    : { ...common, bos_token: '<|endoftext|>', eos_token: '<|endoftext|>' };
  return { tokenizer, tokenizerConfig, vocabSize: Object.keys(vocab).length };
}

export interface LlamaShape {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  intermediate: number;
  /** Default: the tokenizer's size. */
  vocab?: number;
}

export function makeLlama(dir: string, o: LlamaShape & { seed: number; instruct: boolean; variants: string }): void {
  const { tokenizer, tokenizerConfig, vocabSize } = lmTokenizerFiles(o.instruct);
  writeJson(join(dir, 'tokenizer.json'), tokenizer);
  writeJson(join(dir, 'tokenizer_config.json'), tokenizerConfig);
  python(['--out', dir, '--vocab', String(o.vocab ?? vocabSize), '--hidden', String(o.hidden), '--intermediate', String(o.intermediate),
    '--layers', String(o.layers), '--heads', String(o.heads), '--kv-heads', String(o.kvHeads), '--seed', String(o.seed),
    '--bos', o.instruct ? '1' : '0', '--eos', o.instruct ? '2' : '0', '--variants', o.variants], 'make-test-llama.py');
}

/** SmolLM2-135M's shape (its public config.json): for the benchmark only, random weights. */
export const SMOLLM2_135M: LlamaShape = { hidden: 576, layers: 30, heads: 9, kvHeads: 3, intermediate: 1536, vocab: 49152 };

/** Texts for the reference values (written for this script). */
export const ZEROSHOT_TEXTS: Record<string, string> = {
  short: 'The ferry was late again.',
  news: 'The council voted on Thursday to keep the harbour library open on Sundays, after a petition signed by more than two thousand residents.',
  story: 'My grandmother kept a tin of buttons on the windowsill, and on wet afternoons she let me sort them by colour while the radio murmured about the weather in places we would never visit.',
  formal: 'In conclusion, it is important to note that the benefits of remote work depend on many factors, including the nature of the task, the tools available and the wellbeing of the people involved.',
  mixed: 'Numbers: 1, 2, 42 and 2026; punctuation - dashes, "quotes", (brackets); accents: café, naïve, Zürich. 🙂',
  // The tokenizer matches its special tokens in text: id 0 inside the ids, which Binoculars' x_ppl masks as padding.
  special: 'A page may contain <|endoftext|> by accident, in the middle of a sentence about quiet towns.',
  long: Array.from({ length: 40 }, (_, i) => `Paragraph ${i} walks through the quiet town, past the bakery, the bridge and the river.`).join(' '),
};

async function makeZeroShotReference(observer: string, performer: string, out: string): Promise<void> {
  const { tokenizerFromFiles } = await import('../src/core/tokenizer.ts');
  const { readFileSync } = await import('node:fs');
  const tok = tokenizerFromFiles(readFileSync(join(observer, 'tokenizer.json')), readFileSync(join(observer, 'tokenizer_config.json')), { specialTokens: true });
  const cases: { name: string; text: string; ids: number[]; window: number; overlap: number }[] = [];
  for (const [name, text] of Object.entries(ZEROSHOT_TEXTS)) cases.push({ name, text, ids: tok.encode(text), window: 512, overlap: 64 });
  const long = ZEROSHOT_TEXTS.long!;
  cases.push({ name: 'long-w64-o16', text: long, ids: tok.encode(long), window: 64, overlap: 16 });
  cases.push({ name: 'long-w50-o1', text: long, ids: tok.encode(long), window: 50, overlap: 1 });
  const req = join(ROOT, 'test/.tmp/zeroshot-request.json');
  writeJson(req, { padId: tok.padId, cases });
  python(['--observer', observer, '--performer', performer, '--request', req, '--out', out], 'zeroshot-reference.py');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  if (process.argv.includes('--bench')) {
    const dir = join(ROOT, 'models/bench/roberta-base');
    makeModel(dir, { hidden: 768, layers: 12, heads: 12, vocab: 50265, seed: 7, variants: 'fp32,q8' });
    console.log(`bench model in ${dir}`);
  } else if (process.argv.includes('--bench-lm')) {
    const dir = join(ROOT, 'models/bench/smollm2-135m');
    makeLlama(dir, { ...SMOLLM2_135M, seed: 7, instruct: false, variants: 'fp32,q8,q4' });
    console.log(`bench model in ${dir}`);
  } else {
    const base = join(ROOT, 'test/fixtures');
    if (!only || only === 'roberta') {
      makeModel(join(base, 'tiny-roberta'), { hidden: 32, layers: 2, heads: 4, seed: 1, variants: 'fp32,q8,fp16' });
      // Same weights with the two classifier rows exchanged and id2label swapped: must score identically.
      makeModel(join(base, 'tiny-roberta-swapped'), { hidden: 32, layers: 2, heads: 4, seed: 1, swapped: true, variants: 'fp32' });
      if (!existsSync(join(base, 'tiny-roberta/onnx/model.onnx'))) process.exit(1);
      console.log('tiny models in test/fixtures/tiny-roberta{,-swapped}');
    }
    if (!only || only === 'llama') {
      // Observer (a base model) and performer (its instruct sibling): one tokenizer, different weights.
      const shape = { hidden: 32, layers: 2, heads: 4, kvHeads: 2, intermediate: 64 };
      makeLlama(join(base, 'tiny-llama'), { ...shape, seed: 11, instruct: false, variants: 'fp32,q8,fp16,q4' });
      makeLlama(join(base, 'tiny-llama-instruct'), { ...shape, seed: 12, instruct: true, variants: 'fp32,q8,fp16,q4' });
      await makeZeroShotReference(join(base, 'tiny-llama'), join(base, 'tiny-llama-instruct'), join(base, 'zeroshot-reference.json'));
      // Sin and Cos alone, for the exact rewrite of the rotary embedding (src/core/zeroshot/exact-trig.ts).
      python(['--sincos', join(base, 'sincos.onnx')], 'make-test-llama.py');
      console.log('tiny causal LMs in test/fixtures/tiny-llama{,-instruct}, torch reference in test/fixtures/zeroshot-reference.json');
    }
  }
}
