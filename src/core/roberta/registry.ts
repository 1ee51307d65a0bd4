/** models/registry.json, typed, and the choice of variant for a backend. */
import registryJson from '../../../models/registry.json' with { type: 'json' };
import type { HubModelEntry, Variant } from '../hub/registry.ts';
import type { Backend } from '../runtime.ts';
import type { JudgingPolicy } from '../types.ts';

export { VARIANT_FILES, type FileEntry, type Variant } from '../hub/registry.ts';

/** A sequence classifier (`models` in registry.json): the detector is the model itself. */
export interface RegistryEntry extends HubModelEntry {
  machineLabel: string;
  policy: JudgingPolicy & { source?: string };
  calibration: { scale: number; bias: number } | null;
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
