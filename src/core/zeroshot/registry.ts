/**
 * models/registry.json's causal language models (`languageModels`) and the zero-shot detectors built on
 * them (`zeroshot`), typed; and the choice of ONNX variant for a backend among those a repo offers.
 */
import registryJson from '../../../models/registry.json' with { type: 'json' };
import { offeredVariants, type HubModelEntry, type Variant } from '../hub/registry.ts';
import type { Backend } from '../runtime.ts';
import type { ZeroShotCalibration } from './calibration.ts';
import type { ZeroShotMethod } from './detectors.ts';

/** A decoder-only language model in the Transformers.js ONNX layout. */
export interface LanguageModelEntry extends HubModelEntry {
  /** config.json's model_type (`llama`, `qwen2`); pin-registry checks it. */
  modelType: string;
  /** What config.json says, once pin-registry has read it (null until then). */
  shape: { layers: number; heads: number; kvHeads: number; headDim: number; vocab: number } | null;
}

/** A zero-shot detector: a method on one (Fast-DetectGPT) or two (Binoculars) language models. */
export interface ZeroShotEntry {
  id: string;
  name: string;
  method: ZeroShotMethod;
  /** Fast-DetectGPT: the sampling-and-scoring model (a LanguageModelEntry id). */
  scoring?: string;
  /** Binoculars: the observer (base model) and the performer (its instruct sibling). */
  observer?: string;
  performer?: string;
  /** Fewer words: too short to judge (the calibration's own, once it has one). */
  minWords: number;
  /** Fitted by `npm run calibrate -- --detector ID`; null: none fitted, the detector flags nothing. */
  calibration: ZeroShotCalibration | null;
}

const json = registryJson as unknown as { languageModels?: LanguageModelEntry[]; zeroshot?: ZeroShotEntry[] };
export const LANGUAGE_MODELS: readonly LanguageModelEntry[] = json.languageModels ?? [];
export const ZEROSHOT: readonly ZeroShotEntry[] = json.zeroshot ?? [];

export function findLanguageModel(idOrRepo: string, models: readonly LanguageModelEntry[] = LANGUAGE_MODELS): LanguageModelEntry | undefined {
  return models.find((e) => e.id === idOrRepo || e.repo === idOrRepo);
}

export function findZeroShot(id: string, entries: readonly ZeroShotEntry[] = ZEROSHOT): ZeroShotEntry | undefined {
  return entries.find((e) => e.id === id);
}

/** The language models a zero-shot detector reads, in order (Binoculars: observer, performer). */
export function modelsOf(e: ZeroShotEntry): string[] {
  return e.method === 'binoculars' ? [e.observer!, e.performer!] : [e.scoring!];
}

/**
 * WebGPU with `shader-f16` -> fp16; WebGPU without -> fp32 (8-bit has produced garbage on WebGPU); wasm
 * -> the 8-bit file when the repo has one, else the 4-bit (MatMulNBits) one, else fp32. Among what the
 * registry entry offers; a repo outside the registry gets the standard names and the same order.
 */
export function chooseLmVariant(backend: Backend, gpuFeatures: ReadonlySet<string> = new Set(), entry?: LanguageModelEntry): Variant {
  const offered = entry ? offeredVariants(entry) : (['fp32', 'fp16', 'q8'] as Variant[]);
  const order: Variant[] = backend === 'webgpu' ? (gpuFeatures.has('shader-f16') ? ['fp16', 'fp32'] : ['fp32']) : ['q8', 'q4', 'fp32'];
  const v = order.find((x) => offered.includes(x));
  if (!v) throw new Error(`${entry?.id ?? 'the model'} offers no variant for ${backend} (${offered.join(', ') || 'none'})`);
  return v;
}
