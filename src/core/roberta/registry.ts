/** models/registry.json, typed, and the choice of variant for a backend. */
import registryJson from '../../../models/registry.json' with { type: 'json' };
import type { Backend } from '../runtime.ts';
import type { JudgingPolicy } from '../types.ts';

export type Variant = 'fp32' | 'fp16' | 'q8' | 'q4f16';

export interface FileEntry {
  sha256: string | null;
  size?: number | null;
  verified: boolean;
}

export interface RegistryEntry {
  id: string;
  name: string;
  repo: string;
  upstream?: string;
  /** Pinned commit; null: resolve `main` on first download and pin that (trust on first use). */
  revision: string | null;
  license?: string;
  languages: string[];
  machineLabel: string;
  policy: JudgingPolicy & { source?: string };
  calibration: { scale: number; bias: number } | null;
  files: Record<string, FileEntry>;
  variants: Partial<Record<Variant, FileEntry & { file: string; approxBytes?: number }>>;
}

export const REGISTRY: readonly RegistryEntry[] = (registryJson as unknown as { models: RegistryEntry[] }).models;

/** The embedded + Hub combination fitted by scripts/calibrate-combined.ts, when the registry carries one. */
export interface CombinedEntry {
  of: [string, string];
  wA: number;
  wB: number;
  bias: number;
  policy: JudgingPolicy;
}
export const COMBINED: CombinedEntry | undefined = (registryJson as unknown as { combined?: CombinedEntry }).combined;

/** Standard Transformers.js file names, for Hub repos that are not in the registry. */
export const VARIANT_FILES: Record<Variant, string> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  q8: 'onnx/model_quantized.onnx',
  q4f16: 'onnx/model_q4f16.onnx',
};

/** For Hub models the registry does not know (`--hub URL --model REPO`): nothing was measured, so it says so. */
export const DEFAULT_POLICY: JudgingPolicy = {
  minWords: 40,
  thresholds: { low: 0.98, balanced: 0.9, high: 0.7 },
  unclear: { low: 0.9, balanced: 0.7, high: 0.5 },
  provisional: true,
};

export function findEntry(idOrRepo: string): RegistryEntry | undefined {
  return REGISTRY.find((e) => e.id === idOrRepo || e.repo === idOrRepo);
}

/**
 * WebGPU with `shader-f16` -> fp16; WebGPU without -> fp32 (q8 has produced garbage on WebGPU);
 * wasm -> 8-bit (MatMulInteger kernels, a quarter of the download). q4f16 is not chosen by default:
 * our generator makes no 4-bit model, so it is unchecked.
 */
export function chooseVariant(backend: Backend, gpuFeatures: ReadonlySet<string> = new Set()): Variant {
  if (backend === 'webgpu') return gpuFeatures.has('shader-f16') ? 'fp16' : 'fp32';
  return 'q8';
}
