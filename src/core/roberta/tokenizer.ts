/**
 * The model repo's own tokenizer (tokenizer.json + tokenizer_config.json), through @xenova/transformers'
 * tokenizers module only (no ONNX runtime, no sharp), built from bytes we downloaded and verified
 * ourselves rather than fetched by Transformers.js.
 */
import { AutoTokenizer, PreTrainedTokenizer } from '@xenova/transformers/src/tokenizers.js';

export interface TextTokenizer {
  /** Text tokens only: no `<s>`/`</s>`. */
  encode(text: string): number[];
  padId: number;
}

const json = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>;

export function tokenizerFromFiles(tokenizerJson: Uint8Array, tokenizerConfig: Uint8Array): TextTokenizer {
  const tj = json(tokenizerJson);
  const tc = json(tokenizerConfig);
  const name = String(tc.tokenizer_class ?? '').replace(/Fast$/, '');
  const Cls = AutoTokenizer.TOKENIZER_CLASS_MAPPING[name] ?? PreTrainedTokenizer;
  const tok = new Cls(tj, tc);
  return {
    encode: (text) => tok.encode(text, null, { add_special_tokens: false }),
    padId: tok.pad_token_id ?? 1,
  };
}
