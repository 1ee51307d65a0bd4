/**
 * A model repo's own tokenizer (tokenizer.json + tokenizer_config.json), through @xenova/transformers'
 * tokenizers module only (no ONNX runtime, no sharp), built from bytes we downloaded and verified
 * ourselves rather than fetched by Transformers.js. Used by the RoBERTa detectors (text tokens only;
 * the detector adds `<s>`/`</s>` per window) and the causal language models (the tokenizer's own
 * special tokens, as `tokenizer(text)` adds them in the reference code of Fast-DetectGPT and Binoculars).
 */
import { AutoTokenizer, PreTrainedTokenizer } from '@xenova/transformers/src/tokenizers.js';

export interface TextTokenizer {
  /** Token ids of `text`: text tokens only, unless made with `specialTokens: true`. */
  encode(text: string): number[];
  /** Id to pad batches with: the pad token's, else the eos token's (as Transformers does), else 1. */
  padId: number;
  /** The pad token's id, else the eos token's; undefined when the tokenizer has neither. */
  padTokenId?: number;
  eosId?: number;
}

export interface TokenizerOptions {
  /**
   * Add the special tokens the tokenizer's post-processor adds (a BOS for some models, nothing for
   * GPT-2/SmolLM2/Qwen), like Python's `tokenizer(text)`. Default false: text tokens only.
   */
  specialTokens?: boolean;
}

const json = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>;

export function tokenizerFromFiles(tokenizerJson: Uint8Array, tokenizerConfig: Uint8Array, opts: TokenizerOptions = {}): TextTokenizer {
  const tj = json(tokenizerJson);
  const tc = json(tokenizerConfig);
  const name = String(tc.tokenizer_class ?? '').replace(/Fast$/, '');
  const Cls = AutoTokenizer.TOKENIZER_CLASS_MAPPING[name] ?? PreTrainedTokenizer;
  const tok = new Cls(tj, tc);
  const add = opts.specialTokens ?? false;
  return {
    encode: (text) => tok.encode(text, null, { add_special_tokens: add }),
    padId: tok.pad_token_id ?? 1,
    padTokenId: tok.pad_token_id,
    eosId: tok.eos_token_id,
  };
}

/**
 * The vocabulary as Transformers' `tokenizer.vocab` has it (the model's token -> id map plus the added
 * tokens), in a canonical order, for comparing two tokenizers (Binoculars needs identical ones).
 */
export function vocabularyOf(tokenizerJson: Uint8Array): Map<string, number> {
  const tj = json(tokenizerJson) as { model?: { vocab?: Record<string, number> | [string, number][] }; added_tokens?: { content: string; id: number }[] };
  const out = new Map<string, number>();
  const v = tj.model?.vocab;
  // BPE/WordPiece: an object; Unigram: a list of [piece, score] whose index is the id.
  if (Array.isArray(v)) for (const [i, [piece]] of v.entries()) out.set(piece, i);
  else for (const [k, id] of Object.entries(v ?? {})) out.set(k, id);
  for (const t of tj.added_tokens ?? []) out.set(t.content, t.id);
  return out;
}

/** Whether two vocabularies are the same map; if not, a few differences in words. */
export function compareVocabularies(a: Map<string, number>, b: Map<string, number>): { same: boolean; differences: string[] } {
  const differences: string[] = [];
  if (a.size !== b.size) differences.push(`${a.size} vs ${b.size} tokens`);
  for (const [k, id] of a) {
    if (differences.length >= 5) break;
    const other = b.get(k);
    if (other !== id) differences.push(`${JSON.stringify(k)}: ${id} vs ${other ?? 'absent'}`);
  }
  for (const k of b.keys()) {
    if (differences.length >= 5) break;
    if (!a.has(k)) differences.push(`${JSON.stringify(k)}: absent vs ${b.get(k)}`);
  }
  return { same: differences.length === 0, differences };
}
