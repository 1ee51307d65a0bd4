/**
 * What every downloadable Hub model in models/registry.json has, whatever it is used for (a RoBERTa
 * classifier in `models`, a causal language model in `languageModels`): its repo, pinned revision, files
 * and ONNX variants with what is known of their hashes. The download path (HubClient) needs only this.
 */
import type { WantedFile } from './download.ts';

/** ONNX variants in the Transformers.js layout: fp32, fp16, 8-bit (dynamic int8), 4-bit (MatMulNBits, fp32 or fp16 activations). */
export type Variant = 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';

export interface FileEntry {
  sha256: string | null;
  size?: number | null;
  verified: boolean;
}

export interface VariantEntry extends FileEntry {
  file: string;
  approxBytes?: number;
}

export interface HubModelEntry {
  id: string;
  name: string;
  repo: string;
  upstream?: string;
  /** Pinned commit; null: resolve `main` on first download and pin that (trust on first use). */
  revision: string | null;
  /** Set by `npm run pin-registry` once the revision and file list were read from the Hub. */
  revisionVerified?: boolean;
  license?: string;
  languages: string[];
  files: Record<string, FileEntry>;
  variants: Partial<Record<Variant, VariantEntry>>;
}

/** Standard Transformers.js file names, for Hub repos that are not in the registry. */
export const VARIANT_FILES: Record<Variant, string> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  q8: 'onnx/model_quantized.onnx',
  q4: 'onnx/model_q4.onnx',
  q4f16: 'onnx/model_q4f16.onnx',
};

/** The small files every model needs besides its ONNX graph. */
export const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;

/**
 * The files a model needs for one variant, with what the registry knows of them: the small files first,
 * the ONNX graph last. A registry entry without that variant throws.
 */
export function wantedFiles(entry: HubModelEntry | undefined, variant: Variant): WantedFile[] {
  const fixed = MODEL_FILES.map((path) => ({ path, sha256: entry?.files[path]?.sha256 ?? null, size: entry?.files[path]?.size ?? null }));
  const v = entry?.variants[variant];
  if (entry && !v) throw new Error(`${entry.id} has no ${variant} variant`);
  return [...fixed, { path: v?.file ?? VARIANT_FILES[variant], sha256: v?.sha256 ?? null, size: v?.size ?? null }];
}

/**
 * The variants an entry offers: listed, and, once `pin-registry` has read the repo (`revisionVerified`),
 * found there (a listed variant the Hub did not have stays unverified and is not offered).
 */
export function offeredVariants(entry: HubModelEntry): Variant[] {
  return (Object.entries(entry.variants) as [Variant, VariantEntry | undefined][])
    .filter(([, v]) => v && (!entry.revisionVerified || v.verified))
    .map(([k]) => k);
}
