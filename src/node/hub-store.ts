/**
 * FileStore on the filesystem, for the CLI: `~/.cache/telltale/hub` by default (XDG_CACHE_HOME
 * respected), or any directory. Keys map to paths below the root; `..` and absolute keys are refused.
 */
import { appendFile, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { FileStore } from '../core/hub/store.ts';

export function defaultCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'telltale', 'hub');
}

export class NodeFileStore implements FileStore {
  readonly root: string;
  constructor(root: string = defaultCacheDir()) {
    this.root = resolve(root);
  }

  private path(key: string): string {
    const p = resolve(this.root, key);
    if (!p.startsWith(this.root + sep) || key.split('/').includes('..')) throw new Error(`bad store key: ${key}`);
    return p;
  }

  async get(key: string) {
    try {
      return new Uint8Array(await readFile(this.path(key)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
  async put(key: string, data: Uint8Array) {
    const p = this.path(key);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(`${p}.tmp`, data);
    await rename(`${p}.tmp`, p);
  }
  async append(key: string, chunk: Uint8Array) {
    const p = this.path(key);
    await mkdir(dirname(p), { recursive: true });
    await appendFile(p, chunk);
  }
  async size(key: string) {
    try {
      return (await stat(this.path(key))).size;
    } catch {
      return null;
    }
  }
  async move(from: string, to: string) {
    const t = this.path(to);
    await mkdir(dirname(t), { recursive: true });
    await rename(this.path(from), t);
  }
  async delete(key: string) {
    await rm(this.path(key), { force: true });
  }
  async list(prefix: string) {
    const out: { key: string; bytes: number }[] = [];
    const walk = async (dir: string) => {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        return;
      }
      for (const name of names) {
        const p = join(dir, name);
        const s = await stat(p);
        if (s.isDirectory()) await walk(p);
        else {
          const key = relative(this.root, p).split(sep).join('/');
          if (key.startsWith(prefix) && !key.endsWith('.tmp')) out.push({ key, bytes: s.size });
        }
      }
    };
    await walk(this.root);
    return out;
  }
}

export interface NodeHubDetectorOptions {
  /** Registry id (`roberta-base`, `roberta-large`) or any Hub repo in the Transformers.js layout. */
  model: string;
  hubUrl?: string;
  revision?: string;
  /** Download cache (default ~/.cache/telltale/hub). */
  cacheDir?: string;
  /** Read-only models put there by `npm run fetch-models` (default models/hub when it exists). */
  bundledDir?: string | null;
  variant?: import('../core/hub/registry.ts').Variant;
  onProgress?: (p: import('../core/hub/download.ts').DownloadProgress) => void;
  fetch?: typeof fetch;
}

/** The CLI's store: the download cache, over models/hub (fetch-models) when that exists. */
export async function nodeHubStore(cacheDir?: string, bundled?: string | null): Promise<FileStore> {
  const { existsSync } = await import('node:fs');
  const { LayeredFileStore } = await import('../core/hub/store.ts');
  const cache = new NodeFileStore(cacheDir);
  const bundledDir = bundled === undefined ? (existsSync('models/hub/index.json') ? 'models/hub' : null) : bundled;
  return bundledDir ? new LayeredFileStore(cache, new NodeFileStore(bundledDir)) : cache;
}

/**
 * A Hub detector for the CLI: files from models/hub (fetch-models) or the download cache, downloading
 * what is missing; runs on onnxruntime-web's WebAssembly like the extension, so both give the same scores.
 */
export async function createNodeHubDetector(o: NodeHubDetectorOptions) {
  const { createHubDetector } = await import('../core/roberta/hub-detector.ts');
  const store = await nodeHubStore(o.cacheDir, o.bundledDir);
  return createHubDetector({ repo: o.model, hubUrl: o.hubUrl, revision: o.revision, store, backend: 'wasm', variant: o.variant, onProgress: o.onProgress, fetch: o.fetch });
}

export interface NodeZeroShotOptions extends Omit<NodeHubDetectorOptions, 'model' | 'revision'> {
  /** A zero-shot detector id from the registry (`fast-detectgpt`, `binoculars`, ...). */
  detector: string;
  /** Another language model: Fast-DetectGPT's scoring model, Binoculars' observer. */
  model?: string;
  /** Binoculars' performer. */
  performer?: string;
  /** onnxruntime-web threads (default 1, as in the extension). */
  threads?: number;
}

/** A zero-shot detector for the CLI and `npm run calibrate`: same store and runtime as createNodeHubDetector. */
export async function createNodeZeroShotDetector(o: NodeZeroShotOptions) {
  const { createZeroShotHubDetector } = await import('../core/zeroshot/hub.ts');
  if (o.threads) (await import('../core/runtime.ts')).configureRuntime({ threads: o.threads });
  const store = await nodeHubStore(o.cacheDir, o.bundledDir);
  return createZeroShotHubDetector({
    detector: o.detector, model: o.model, performer: o.performer, hubUrl: o.hubUrl, store, backend: 'wasm',
    variant: o.variant, onProgress: o.onProgress, fetch: o.fetch,
  });
}
