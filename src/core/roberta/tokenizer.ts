/** The RoBERTa detectors' tokenizer: text tokens only (see src/core/tokenizer.ts, shared with the causal language models). */
export { tokenizerFromFiles, type TextTokenizer } from '../tokenizer.ts';
