// Types for the one module of @xenova/transformers v2 that Telltale imports (the package's own
// types cover its root entry, which cannot be imported in Node without sharp).
declare module '@xenova/transformers/src/tokenizers.js' {
  export class PreTrainedTokenizer {
    constructor(tokenizerJSON: object, tokenizerConfig: object);
    encode(text: string, text_pair?: string | null, options?: { add_special_tokens?: boolean }): number[];
    decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
    pad_token_id?: number;
    eos_token_id?: number;
    bos_token_id?: number;
    model_max_length?: number;
  }
  // A class with only static members in the library; typed as the value it is used as.
  export const AutoTokenizer: {
    TOKENIZER_CLASS_MAPPING: Record<string, typeof PreTrainedTokenizer>;
    from_pretrained(name: string, options?: { revision?: string }): Promise<PreTrainedTokenizer>;
  };
}
declare module '@xenova/transformers/src/env.js' {
  export const env: {
    allowRemoteModels: boolean;
    allowLocalModels: boolean;
    localModelPath: string;
    remoteHost: string;
    remotePathTemplate: string;
    useBrowserCache: boolean;
    useFSCache: boolean;
    [k: string]: unknown;
  };
}
