/**
 * Zero-shot detectors from Hub repos: each language model's files (config.json, tokenizer.json,
 * tokenizer_config.json, onnx/model*.onnx) come through the same HubClient as the RoBERTa detectors'
 * (registry hashes, else pinned, else the Hub's; resumable; verified before use; pinned after the first
 * download; deleted with HubClient.remove), into any FileStore (a directory for the CLI, IndexedDB in
 * the extension). Used by the CLI (`--detector fast-detectgpt|binoculars [--model REPO [--performer REPO]]`)
 * and, later, the detector host.
 */
import { HubClient, type DownloadProgress, type WantedFile } from '../hub/download.ts';
import { wantedFiles, type Variant } from '../hub/registry.ts';
import type { FileStore } from '../hub/store.ts';
import { createSession, webGpuFeatures, type Backend } from '../runtime.ts';
import { tokenizerFromFiles, vocabularyOf } from '../tokenizer.ts';
import type { DetectorInfo } from '../types.ts';
import { defaultBatchTokens, isQuantised, lmSessionRunner, lmShapeFromConfig, type CausalLm, type LmRunner, type LmShape } from './causal-lm.ts';
import { modelForBackend } from './exact-trig.ts';
import { createBinoculars, createFastDetectGpt, DEFAULT_MIN_WORDS, type ZeroShotDetector, type ZeroShotMethod } from './detectors.ts';
import { chooseLmVariant, findLanguageModel, findZeroShot, modelsOf, type LanguageModelEntry, type ZeroShotEntry } from './registry.ts';
import { MAX_WINDOW } from './windows.ts';

export interface HubSource {
  /** Default https://huggingface.co. */
  hubUrl?: string;
  fetch?: typeof fetch;
  store: FileStore;
  /** Shared client (the host keeps one so that concurrent downloads are shared); made from the options above when absent. */
  client?: HubClient;
  backend: Backend;
  /** Force a variant (default: chooseLmVariant for the backend among what the registry entry offers). */
  variant?: Variant;
  /** WebGPU adapter features (default: asked from navigator.gpu). */
  gpuFeatures?: ReadonlySet<string>;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Run batches elsewhere than onnxruntime-web (onnxruntime-node in benchmarks). */
  runner?: (model: Uint8Array, shape: LmShape, variant: Variant) => Promise<{ run: LmRunner; backend: Backend; dispose?: () => Promise<void> }>;
  /** Windows per run (default 8; 1 for quantised variants, see causal-lm.ts). */
  maxBatch?: number;
}

/** One language model's repo, registry entry (if any) and the files it needs for a variant. */
export interface LmFiles {
  repo: string;
  revision: string;
  entry?: LanguageModelEntry;
  variant: Variant;
  files: WantedFile[];
}

/** What must be downloaded for a language model on a backend: for the host's download and delete path too. */
export async function lmFiles(repoOrId: string, src: Pick<HubSource, 'backend' | 'variant' | 'gpuFeatures'> & { revision?: string }): Promise<LmFiles> {
  const entry = findLanguageModel(repoOrId);
  const features = src.gpuFeatures ?? (src.backend === 'webgpu' ? await webGpuFeatures() : new Set<string>());
  const variant = src.variant ?? chooseLmVariant(src.backend, features, entry);
  return { repo: entry?.repo ?? repoOrId, revision: src.revision ?? entry?.revision ?? 'main', entry, variant, files: wantedFiles(entry, variant) };
}

/** Downloads (or finds stored), verifies and loads one causal language model. */
export async function loadCausalLm(repoOrId: string, src: HubSource & { revision?: string }): Promise<CausalLm> {
  const f = await lmFiles(repoOrId, src);
  const client = src.client ?? new HubClient({ store: src.store, hubUrl: src.hubUrl, fetch: src.fetch });
  const got = await client.ensure({ repo: f.repo, revision: f.revision, files: f.files, onProgress: src.onProgress, signal: src.signal });
  const config = JSON.parse(new TextDecoder().decode(got['config.json']!)) as Record<string, unknown>;
  const shape = lmShapeFromConfig(config);
  const model = got[f.files.at(-1)!.path]!;
  let run: LmRunner;
  let backend: Backend;
  let dispose: (() => Promise<void>) | undefined;
  if (src.runner) {
    ({ run, backend, dispose } = await src.runner(model, shape, f.variant));
  } else {
    // On WebGPU, the rotary embedding's Sin and Cos computed exactly (see exact-trig.ts).
    const s = await createSession(modelForBackend(model, src.backend, f.variant), src.backend);
    const kvType = f.variant === 'fp16' || f.variant === 'q4f16' ? 'float16' : 'float32';
    run = lmSessionRunner(s.session, shape, { kvType });
    backend = s.backend;
    dispose = () => s.session.release();
  }
  return {
    id: f.repo,
    tokenizer: tokenizerFromFiles(got['tokenizer.json']!, got['tokenizer_config.json']!, { specialTokens: true }),
    vocabulary: vocabularyOf(got['tokenizer.json']!),
    shape,
    run,
    maxBatch: isQuantised(f.variant) ? 1 : (src.maxBatch ?? 8),
    maxBatchTokens: defaultBatchTokens(shape.vocab, MAX_WINDOW),
    variant: f.variant,
    backend,
    dispose,
  };
}

export interface ZeroShotHubOptions extends HubSource {
  /** A registry detector id (`fast-detectgpt`, `binoculars`, `binoculars-smollm2-360m`, ...). */
  detector: string;
  /** Another language model (repo or registry id): Fast-DetectGPT's scoring model, Binoculars' observer. */
  model?: string;
  /** Binoculars' performer (needed with `model`). */
  performer?: string;
}

export type LoadedZeroShot = ZeroShotDetector & { backend: Backend; variant: string; models: string[] };

/**
 * A zero-shot detector with its language models from the Hub. The registry's calibration applies only to
 * the registry's own models: with `model`/`performer` naming others, the detector is uncalibrated.
 */
export async function createZeroShotHubDetector(o: ZeroShotHubOptions): Promise<LoadedZeroShot> {
  const entry = findZeroShot(o.detector);
  if (!entry) throw new Error(`unknown zero-shot detector "${o.detector}"`);
  const method: ZeroShotMethod = entry.method;
  const defaults = modelsOf(entry).map((id) => findLanguageModel(id)?.repo ?? id);
  let repos: string[];
  if (method === 'binoculars') {
    if (o.model && !o.performer) throw new Error('Binoculars with --model needs --performer: the observer and the performer are two models that share one tokenizer');
    repos = o.model ? [o.model, o.performer!] : defaults;
  } else {
    if (o.performer) throw new Error('--performer is for Binoculars; Fast-DetectGPT reads one model');
    repos = [o.model ?? defaults[0]!];
  }
  const resolved = repos.map((r) => findLanguageModel(r)?.repo ?? r);
  const own = resolved.every((r, i) => r === defaults[i]);
  const calibration = own ? entry.calibration : null;
  const info: DetectorInfo = {
    id: own ? entry.id : `${entry.method}@${resolved.join('+')}`,
    name: own ? entry.name : `${method === 'binoculars' ? 'Binoculars' : 'Fast-DetectGPT'} on ${resolved.join(' / ')}`,
    version: '',
    languages: ['en'],
  };
  const lms: CausalLm[] = [];
  try {
    // One after the other: the host shares one client, and a second download would only compete for bandwidth.
    for (const r of repos) lms.push(await loadCausalLm(r, o));
  } catch (err) {
    await Promise.all(lms.map((l) => l.dispose?.()));
    throw err;
  }
  info.version = lms.map((l) => l.variant).join('+');
  const opts = { info, calibration, minWords: entry.minWords ?? DEFAULT_MIN_WORDS };
  let detector: ZeroShotDetector;
  try {
    detector = method === 'binoculars' ? createBinoculars(lms[0]!, lms[1]!, opts) : createFastDetectGpt(lms[0]!, opts);
  } catch (err) {
    await Promise.all(lms.map((l) => l.dispose?.()));
    throw err;
  }
  return Object.assign(detector, { backend: lms[0]!.backend!, variant: info.version, models: resolved });
}

/** For the host: the registry entry of a zero-shot detector and the repos it reads (download/delete). */
export function zeroShotRepos(e: ZeroShotEntry): { id: string; repo: string; entry?: LanguageModelEntry }[] {
  return modelsOf(e).map((id) => {
    const lm = findLanguageModel(id);
    return { id, repo: lm?.repo ?? id, entry: lm };
  });
}
