/**
 * Downloaded Hub models in the extension (OpenAI's RoBERTa detectors, and the small language models the
 * zero-shot detectors read): an IndexedDB FileStore (the Cache API cannot key
 * chrome-extension:// URLs, and Firefox has none in private windows) and the model manager the detector
 * host (Chrome offscreen document, Firefox background page) answers `bg:host:models`, `bg:host:download`
 * and `bg:host:delete-model` with. Downloads run here, so they survive the popup closing; a download
 * cut short (network error, host closed) resumes from the bytes already stored.
 *
 * Wiring (src/host/hub-models.ts): `export { createHubModelManager as createHubModels } from './model-store.ts';`
 */
import { HubClient, type WantedFile } from '../core/hub/download.ts';
import { LayeredFileStore, type FileStore } from '../core/hub/store.ts';
import { problemOf, type Problem } from '../core/problem.ts';
import { problemText } from '../shared/problem-words.ts';
import { createHubDetector, wantedFiles } from '../core/roberta/hub-detector.ts';
import { chooseVariant, REGISTRY, type RegistryEntry } from '../core/roberta/registry.ts';
import type { Variant } from '../core/hub/registry.ts';
import { createZeroShotHubDetector, lmFiles, zeroShotRepos } from '../core/zeroshot/hub.ts';
import { ZEROSHOT, type ZeroShotEntry } from '../core/zeroshot/registry.ts';
import { pickBackend, webGpuFeatures, type Backend } from '../core/runtime.ts';
import type { ModelEntryStatus } from '../protocol/messages.ts';
import type { ModelManager } from './models.ts';
import type { LoadedDetector } from './service.ts';

const CHUNK = 16 << 20;
interface Meta {
  key: string;
  size: number;
  chunks: number;
}
interface Chunk {
  key: string;
  i: number;
  data: ArrayBuffer;
}

const req = <T>(r: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
const done = (tx: IDBTransaction) =>
  new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });

/** FileStore on IndexedDB: files as chunk records (so that appending never rewrites), plus a size record per key. */
export class IndexedDbFileStore implements FileStore {
  private db?: Promise<IDBDatabase>;
  constructor(private readonly name = 'telltale-models') {}

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const r = indexedDB.open(this.name, 1);
      r.onupgradeneeded = () => {
        r.result.createObjectStore('meta', { keyPath: 'key' });
        r.result.createObjectStore('chunks', { keyPath: ['key', 'i'] });
      };
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    return this.db;
  }

  private async tx(mode: IDBTransactionMode) {
    const t = (await this.open()).transaction(['meta', 'chunks'], mode);
    return { t, meta: t.objectStore('meta'), chunks: t.objectStore('chunks') };
  }

  private static range(key: string) {
    return IDBKeyRange.bound([key, 0], [key, Number.MAX_SAFE_INTEGER]);
  }

  async get(key: string) {
    const { meta, chunks } = await this.tx('readonly');
    const m = (await req(meta.get(key))) as Meta | undefined;
    if (!m) return null;
    const parts = (await req(chunks.getAll(IndexedDbFileStore.range(key)))) as Chunk[];
    const out = new Uint8Array(m.size);
    let o = 0;
    for (const c of parts.sort((a, b) => a.i - b.i)) {
      out.set(new Uint8Array(c.data), o);
      o += c.data.byteLength;
    }
    return out;
  }

  async put(key: string, data: Uint8Array) {
    const { t, meta, chunks } = await this.tx('readwrite');
    chunks.delete(IndexedDbFileStore.range(key));
    let n = 0;
    for (let o = 0; o < data.length || n === 0; o += CHUNK, n++) chunks.put({ key, i: n, data: data.slice(o, o + CHUNK).buffer });
    meta.put({ key, size: data.length, chunks: n } satisfies Meta);
    await done(t);
  }

  async append(key: string, chunk: Uint8Array) {
    const { t, meta, chunks } = await this.tx('readwrite');
    const m = ((await req(meta.get(key))) as Meta | undefined) ?? { key, size: 0, chunks: 0 };
    chunks.put({ key, i: m.chunks, data: chunk.slice().buffer } satisfies Chunk);
    meta.put({ key, size: m.size + chunk.length, chunks: m.chunks + 1 } satisfies Meta);
    await done(t);
  }

  async size(key: string) {
    const { meta } = await this.tx('readonly');
    return ((await req(meta.get(key))) as Meta | undefined)?.size ?? null;
  }

  async move(from: string, to: string) {
    const { t, meta, chunks } = await this.tx('readwrite');
    const m = (await req(meta.get(from))) as Meta | undefined;
    if (!m) throw new Error(`no such key: ${from}`);
    chunks.delete(IndexedDbFileStore.range(to));
    // One chunk at a time through a cursor: a 500 MB model never sits in memory twice.
    await new Promise<void>((resolve, reject) => {
      const c = chunks.openCursor(IndexedDbFileStore.range(from));
      c.onerror = () => reject(c.error);
      c.onsuccess = () => {
        const cur = c.result;
        if (!cur) return resolve();
        const v = cur.value as Chunk;
        chunks.put({ key: to, i: v.i, data: v.data } satisfies Chunk);
        cur.delete();
        cur.continue();
      };
    });
    meta.delete(from);
    meta.put({ ...m, key: to });
    await done(t);
  }

  async delete(key: string) {
    const { t, meta, chunks } = await this.tx('readwrite');
    chunks.delete(IndexedDbFileStore.range(key));
    meta.delete(key);
    await done(t);
  }

  async list(prefix: string) {
    const { meta } = await this.tx('readonly');
    const all = (await req(meta.getAll(IDBKeyRange.bound(prefix, `${prefix}\uffff`)))) as Meta[];
    return all.map((m) => ({ key: m.key, bytes: m.size }));
  }
}

/**
 * Models put into the build by `npm run fetch-models` (models/hub/ in the extension), read-only:
 * `readFile` is e.g. `(p) => extensionFile(p)`. Absent index (no bundled models): an empty store.
 */
export class BundledFileStore implements FileStore {
  private index?: Promise<Map<string, number>>;
  constructor(private readonly readFile: (path: string) => Promise<Uint8Array>, private readonly base = 'models/hub/') {}
  private files() {
    this.index ??= this.readFile(`${this.base}index.json`).then(
      (b) => new Map((JSON.parse(new TextDecoder().decode(b)) as { files: { key: string; bytes: number }[] }).files.map((f) => [f.key, f.bytes])),
      () => new Map<string, number>(),
    );
    return this.index;
  }
  async get(key: string) {
    return (await this.files()).has(key) ? this.readFile(this.base + key) : null;
  }
  async size(key: string) {
    return (await this.files()).get(key) ?? null;
  }
  async list(prefix: string) {
    return [...(await this.files())].filter(([k]) => k.startsWith(prefix)).map(([key, bytes]) => ({ key, bytes }));
  }
  async put(): Promise<void> {
    throw new Error('bundled models are read-only');
  }
  append = this.put;
  move = this.put;
  async delete() {}
}

/** Quota and usage of this extension's storage, and whether it is persistent (not evicted under pressure). */
export async function storageInfo(): Promise<{ usage?: number; quota?: number; persisted: boolean }> {
  const s = globalThis.navigator?.storage;
  const est = await s?.estimate?.().catch(() => undefined);
  const persisted = (await s?.persisted?.().catch(() => false)) ?? false;
  return { usage: est?.usage, quota: est?.quota, persisted };
}

export interface HubModelManagerOptions {
  /** Default: IndexedDB, layered over `bundled` when given. */
  store?: FileStore;
  /** Reads files packaged in the extension (e.g. `extensionFile`), for models put there by fetch-models. */
  bundled?: (path: string) => Promise<Uint8Array>;
  hubUrl?: string;
  fetch?: typeof fetch;
  /** The RoBERTa classifiers offered (default: the registry's). */
  entries?: readonly RegistryEntry[];
  /** The zero-shot detectors offered (default: the registry's). */
  zeroShot?: readonly ZeroShotEntry[];
  allowWebGpu?: boolean;
  /**
   * The language models' ONNX file, whatever the backend (`models/hub-source.json` `lmVariant`, for a
   * managed install that wants the full-precision file, and for the tests that compare with the fp32
   * reference). Default: chooseLmVariant for the backend.
   */
  lmVariant?: Variant;
}

/** One repo's share of a downloadable detector: what to fetch for this browser's variant. */
interface Part {
  repo: string;
  revision: string;
  files: WantedFile[];
  bytes: number;
}

/** What the user downloads as one item: a RoBERTa classifier (one repo), a zero-shot detector (its language models). */
interface Downloadable {
  id: string;
  name: string;
  kind: 'classifier' | 'zero-shot';
  /** A zero-shot detector without a fitted calibration shows its statistic and flags nothing. */
  calibrated: boolean;
  parts(): Promise<Part[]>;
}

/**
 * The host's model manager: lists the downloadable detectors with their local state, downloads (once,
 * shared, in the background; progress pushed through `onChange`), deletes, and loads detectors from
 * stored files. A zero-shot detector's language models are fetched, verified, cached and deleted
 * through the same client and store as RoBERTa's, repo by repo.
 */
export function createHubModelManager(onChange: (models: ModelEntryStatus[]) => void, opts: HubModelManagerOptions = {}): ModelManager & {
  load(id: string, backend: Backend, onProgress: (p: number) => void, embedded?: (f: string) => Promise<Uint8Array>): Promise<LoadedDetector>;
  /** The backend models run on here (WebGPU when the browser gives an adapter). */
  backend(): Promise<Backend>;
  /** Restarts downloads that a closed host left unfinished (call once when the host starts). */
  resumeInterrupted(): Promise<string[]>;
  client: HubClient;
} {
  const idb = opts.store ?? new IndexedDbFileStore();
  const store = opts.bundled ? new LayeredFileStore(idb, new BundledFileStore(opts.bundled)) : idb;
  const client = new HubClient({ store, hubUrl: opts.hubUrl, fetch: opts.fetch });
  const live = new Map<string, { progress: number; state: 'downloading' | 'error'; problem?: Problem }>();
  /** A problem as the host answers it: the code, and its words (English in the offscreen document). */
  const failed = (problem: Problem) => ({ ok: false, error: problemText(problem), problem });
  let backendP: Promise<{ backend: Backend; features: Set<string> }> | undefined;
  const where = () =>
    (backendP ??= (async () => {
      const backend = await pickBackend(opts.allowWebGpu ?? true);
      return { backend, features: backend === 'webgpu' ? await webGpuFeatures() : new Set<string>() };
    })());
  const classifier = (e: RegistryEntry): Downloadable => ({
    id: e.id, name: e.name, kind: 'classifier', calibrated: true,
    async parts() {
      const { backend, features } = await where();
      const v = chooseVariant(backend, features);
      const variant = e.variants[v];
      return [{ repo: e.repo, revision: e.revision ?? 'main', files: wantedFiles(e, v), bytes: variant?.size ?? variant?.approxBytes ?? 0 }];
    },
  });
  const zeroShot = (z: ZeroShotEntry): Downloadable => ({
    id: z.id, name: z.name, kind: 'zero-shot', calibrated: z.calibration !== null,
    async parts() {
      const { backend, features } = await where();
      return Promise.all(zeroShotRepos(z).map(async ({ repo }) => {
        const f = await lmFiles(repo, { backend, gpuFeatures: features, variant: opts.lmVariant });
        const variant = f.entry?.variants[f.variant];
        return { repo: f.repo, revision: f.revision, files: f.files, bytes: variant?.size ?? variant?.approxBytes ?? 0 };
      }));
    },
  });
  const items: Downloadable[] = [...(opts.entries ?? REGISTRY).map(classifier), ...(opts.zeroShot ?? ZEROSHOT).map(zeroShot)];
  const item = (id: string) => items.find((e) => e.id === id);

  async function status(d: Downloadable): Promise<ModelEntryStatus> {
    const parts = await d.parts();
    const l = live.get(d.id);
    let storedBytes = 0;
    let ready = !l;
    for (const p of parts) {
      storedBytes += await client.storedBytes(p.repo);
      if (ready && !(await client.isStored(p.repo, p.revision, p.files))) ready = false;
    }
    return {
      id: d.id, name: d.name, bytes: parts.reduce((n, p) => n + p.bytes, 0), storedBytes,
      state: l?.state ?? (ready ? 'ready' : 'absent'),
      ...(d.kind === 'zero-shot' ? { kind: 'zero-shot' as const, calibrated: d.calibrated, repos: parts.map((p) => p.repo) } : {}),
      ...(l?.state === 'downloading' ? { progress: l.progress } : {}),
      ...(l?.problem ? { error: problemText(l.problem), problem: l.problem } : {}),
    };
  }
  const list = () => Promise.all(items.map(status));
  let lastPush = 0;
  const push = (force = false) => {
    const now = Date.now();
    if (!force && now - lastPush < 250) return;
    lastPush = now;
    list().then(onChange, () => undefined);
  };

  async function fetchFiles(d: Downloadable, onProgress?: (p: number) => void) {
    live.set(d.id, { state: 'downloading', progress: 0 });
    // Best effort: ask that the models not be evicted under storage pressure (unlimitedStorage helps too).
    void globalThis.navigator?.storage?.persist?.().catch(() => false);
    push(true);
    try {
      const parts = await d.parts();
      const total = Math.max(1, parts.reduce((n, p) => n + p.bytes, 0));
      let before = 0;
      for (const p of parts) {
        await client.ensure({
          repo: p.repo, revision: p.revision, files: p.files,
          onProgress: (x) => {
            const frac = Math.min(1, (before + (x.allTotal ? ((x.allLoaded ?? 0) / x.allTotal) * p.bytes : 0)) / total);
            live.set(d.id, { state: 'downloading', progress: frac });
            onProgress?.(frac);
            push();
          },
        });
        before += p.bytes;
      }
      live.delete(d.id);
    } catch (err) {
      // Out of space, offline, a bad file: say what to do; the bytes already stored stay, so that a retry resumes.
      live.set(d.id, { state: 'error', progress: 0, problem: problemOf(err) });
      throw err;
    } finally {
      push(true);
    }
  }

  return {
    client,
    list,
    backend: () => where().then((w) => w.backend),
    async resumeInterrupted() {
      const ids: string[] = [];
      for (const d of items) {
        if (live.has(d.id)) continue;
        const parts = await d.parts();
        let partial = false;
        for (const p of parts) if ((await store.list(`partial/${p.repo}/`)).length > 0) partial = true;
        if (!partial) continue;
        ids.push(d.id);
        fetchFiles(d).catch(() => undefined);
      }
      return ids;
    },
    async download(id) {
      const d = item(id);
      if (!d) return failed({ code: 'unknown-model', detail: id.slice(0, 100) });
      // Runs on in this page after the reply; the popup follows `host:ui:models`.
      fetchFiles(d).catch(() => undefined);
      return { ok: true };
    },
    async remove(id) {
      const d = item(id);
      if (!d) return failed({ code: 'unknown-model', detail: id.slice(0, 100) });
      if (live.get(id)?.state === 'downloading') return failed({ code: 'downloading' });
      // A language model two detectors share goes with either (the list then shows the other as absent too).
      for (const p of await d.parts()) await client.remove(p.repo);
      live.delete(id);
      push(true);
      return { ok: true };
    },
    async load(id, backend, onProgress) {
      const d = item(id);
      if (!d) throw new Error(`unknown detector "${id}"`);
      const progress = (p: { allLoaded?: number; allTotal?: number }) => onProgress(p.allTotal ? (p.allLoaded ?? 0) / p.allTotal : 0);
      if (d.kind === 'zero-shot') {
        const z = await createZeroShotHubDetector({ detector: id, store, client, backend, onProgress: progress, variant: opts.lmVariant });
        push(true);
        return { detector: z, backend: z.backend };
      }
      const e = (opts.entries ?? REGISTRY).find((x) => x.id === id)!;
      const h = await createHubDetector({ repo: e.repo, store, backend, client, onProgress: progress });
      push(true);
      return { detector: h, backend: h.backend };
    },
  };
}
