/**
 * `createHubDetector`: a RoBERTa detector from a Hub repo in the Transformers.js layout (config.json,
 * tokenizer.json, tokenizer_config.json, onnx/model*.onnx), downloaded through HubClient into a
 * FileStore, verified, and run on onnxruntime-web with the variant that suits the backend.
 * Used by the CLI (`--detector roberta-base`, `--hub URL --model REPO`) and the detector host.
 */
import { HubClient, type DownloadProgress } from '../hub/download.ts';
import { wantedFiles } from '../hub/registry.ts';
import type { FileStore } from '../hub/store.ts';
import { createSession, webGpuFeatures, type Backend } from '../runtime.ts';
import type { JudgingPolicy } from '../types.ts';
import { createRobertaDetector, sessionRunner, type LogitsRunner, type RobertaDetector } from './detector.ts';
import { machineIndex, type ModelConfig } from './labels.ts';
import { chooseVariant, DEFAULT_POLICY, findEntry, type Variant } from './registry.ts';
import { tokenizerFromFiles } from './tokenizer.ts';
import { checkPolicy } from '../levels.ts';

export interface HubDetectorOptions {
  /** Hub repo (`onnx-community/roberta-base-openai-detector-ONNX`) or registry id (`roberta-base`). */
  repo: string;
  /** Default https://huggingface.co. */
  hubUrl?: string;
  /** Default: the registry's pinned commit, else `main` (then pinned on first download). */
  revision?: string;
  fetch?: typeof fetch;
  store: FileStore;
  backend: Backend;
  onProgress?: (p: DownloadProgress) => void;
  /** Force a variant (default: chosen for the backend, see chooseVariant). */
  variant?: Variant;
  /** WebGPU adapter features (default: asked from navigator.gpu). */
  gpuFeatures?: ReadonlySet<string>;
  /** Run batches elsewhere than onnxruntime-web (e.g. onnxruntime-node in benchmarks). */
  runner?: (model: Uint8Array) => Promise<{ run: LogitsRunner; backend: Backend; dispose?: () => Promise<void> }>;
  /**
   * Windows per model run. Default 8, but 1 for the 8-bit variant: its activations are quantised with
   * one scale per tensor, computed over the whole batch, so a window's score would depend on the other
   * windows (and the padding) it happens to be batched with.
   */
  maxBatch?: number;
  signal?: AbortSignal;
  /** Shared client (the host keeps one so that concurrent downloads are shared); made from the options above when absent. */
  client?: HubClient;
}

/** The files a detector needs for one variant (shared with every Hub model: src/core/hub/registry.ts). */
export { wantedFiles };

export async function createHubDetector(opts: HubDetectorOptions): Promise<RobertaDetector & { backend: Backend; variant: string }> {
  const entry = findEntry(opts.repo);
  const repo = entry?.repo ?? opts.repo;
  const features = opts.gpuFeatures ?? (opts.backend === 'webgpu' ? await webGpuFeatures() : new Set<string>());
  const variant = opts.variant ?? chooseVariant(opts.backend, features);
  const files = wantedFiles(entry, variant);
  const client = opts.client ?? new HubClient({ store: opts.store, hubUrl: opts.hubUrl, fetch: opts.fetch });
  const got = await client.ensure({ repo, revision: opts.revision ?? entry?.revision ?? 'main', files, onProgress: opts.onProgress, signal: opts.signal });

  const config = JSON.parse(new TextDecoder().decode(got['config.json']!)) as ModelConfig;
  const m = machineIndex(config, entry?.machineLabel);
  const tokenizer = tokenizerFromFiles(got['tokenizer.json']!, got['tokenizer_config.json']!);
  const model = got[files[3]!.path]!;
  let run: LogitsRunner;
  let backend: Backend;
  let dispose: (() => Promise<void>) | undefined;
  if (opts.runner) {
    ({ run, backend, dispose } = await opts.runner(model));
  } else {
    const s = await createSession(model, opts.backend);
    run = sessionRunner(s.session);
    backend = s.backend;
    dispose = () => s.session.release();
  }
  const policy: JudgingPolicy = entry ? checkPolicy(entry.policy, `models/registry.json ${entry.id}`) : DEFAULT_POLICY;
  const maxPos = config.max_position_embeddings ?? 514;
  const detector = createRobertaDetector({
    info: { id: entry?.id ?? repo, name: entry?.name ?? repo, version: `${variant}`, languages: entry?.languages ?? ['en'] },
    policy,
    tokenizer,
    run,
    machineIndex: m,
    numLabels: Object.keys(config.id2label ?? {}).length || 2,
    maxTextTokens: Math.min(510, maxPos - 4),
    maxBatch: opts.maxBatch ?? (variant === 'q8' ? 1 : 8),
    calibration: entry?.calibration ?? undefined,
    dispose,
  });
  return Object.assign(detector, { backend, variant });
}
