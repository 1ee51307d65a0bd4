/**
 * Downloading Hub files into a FileStore: resumable (HTTP Range), retried, verified before use.
 *
 * Trust (see models/README.md): a file is used only when its bytes match a SHA-256 (or, for small git
 * files, a git blob SHA-1) from, in this order: the registry (models/registry.json), the pin recorded
 * when this profile first downloaded the file, the Hub API's metadata for the commit, the response's
 * `X-Linked-ETag`/`ETag`. No hash from any of them: the file is refused. A mismatch deletes what was
 * downloaded and throws HubIntegrityError. After the first verified download the commit and the
 * SHA-256 of every file are pinned (trust on first use): later loads and re-downloads must match.
 */
import {
  DEFAULT_HUB, fetchRevision, gitBlobSha1, headerMeta, HubError, HubIntegrityError, isCommit, resolveUrl, sha256Hex,
  type HubFileMeta, type HubRevision,
} from './hub.ts';
import { isQuotaError, type FileStore } from './store.ts';

export interface DownloadProgress {
  file: string;
  loaded: number;
  total: number;
  /** Over all files of the current `ensure` call. */
  allLoaded?: number;
  allTotal?: number;
}

export interface HubClientOptions {
  store: FileStore;
  hubUrl?: string;
  fetch?: typeof fetch;
  /** Attempts after the first, per file (default 5). */
  retries?: number;
  /** First retry delay; doubles each time (default 500 ms). */
  retryDelayMs?: number;
  /** Bytes buffered before each append to the store (default 4 MiB). */
  flushBytes?: number;
  /** Re-hash stored files against their pins before handing them out (default true). */
  verifyOnLoad?: boolean;
}

/** A file wanted from a repo, with what the registry knows about it. */
export interface WantedFile {
  path: string;
  sha256?: string | null;
  size?: number | null;
}

export interface EnsureOptions {
  repo: string;
  /** Branch, tag or commit (default `main`); a registry-pinned commit goes here. */
  revision?: string;
  files: readonly WantedFile[];
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
}

/** What is pinned for a repo after its first verified download. */
export interface Pins {
  repo: string;
  /** revision asked for -> commit it resolved to. */
  refs: Record<string, string>;
  /** `${commit}/${path}` -> hash and size. */
  files: Record<string, { sha256: string; size: number }>;
}

const KEY = {
  pins: (repo: string) => `pins/${repo}.json`,
  file: (repo: string, commit: string, path: string) => `files/${repo}/${commit}/${path}`,
  part: (repo: string, commit: string, path: string) => `partial/${repo}/${commit}/${path}`,
};

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });

const isAbort = (err: unknown) => err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');

export class HubClient {
  readonly hubUrl: string;
  private readonly store: FileStore;
  private readonly fetchFn: typeof fetch;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly flushBytes: number;
  private readonly verifyOnLoad: boolean;
  private readonly inFlight = new Map<string, Promise<Record<string, Uint8Array>>>();

  constructor(opts: HubClientOptions) {
    this.store = opts.store;
    this.hubUrl = opts.hubUrl ?? DEFAULT_HUB;
    this.fetchFn = opts.fetch ?? ((...a) => fetch(...a));
    this.retries = opts.retries ?? 5;
    this.retryDelayMs = opts.retryDelayMs ?? 500;
    this.flushBytes = opts.flushBytes ?? 4 << 20;
    this.verifyOnLoad = opts.verifyOnLoad ?? true;
  }

  async pins(repo: string): Promise<Pins | null> {
    const raw = await this.store.get(KEY.pins(repo));
    return raw ? (JSON.parse(new TextDecoder().decode(raw)) as Pins) : null;
  }

  private async savePins(p: Pins): Promise<void> {
    await this.store.put(KEY.pins(p.repo), new TextEncoder().encode(JSON.stringify(p)));
  }

  /** Bytes stored for a repo (complete and partial files). */
  async storedBytes(repo: string): Promise<number> {
    const all = [...(await this.store.list(`files/${repo}/`)), ...(await this.store.list(`partial/${repo}/`))];
    return all.reduce((s, f) => s + f.bytes, 0);
  }

  /** Whether every wanted file is stored, complete, for the pinned commit of `revision` (no network). */
  async isStored(repo: string, revision: string, files: readonly WantedFile[]): Promise<boolean> {
    const pins = await this.pins(repo);
    const commit = isCommit(revision) ? revision : pins?.refs[revision];
    if (!commit || !pins) return false;
    for (const f of files) {
      const pin = pins.files[`${commit}/${f.path}`];
      if (!pin || (await this.store.size(KEY.file(repo, commit, f.path))) !== pin.size) return false;
    }
    return true;
  }

  /** Deletes a repo's files, partial downloads and pins (the next download trusts the Hub afresh). */
  async remove(repo: string): Promise<void> {
    for (const prefix of [`files/${repo}/`, `partial/${repo}/`]) {
      for (const { key } of await this.store.list(prefix)) await this.store.delete(key);
    }
    await this.store.delete(KEY.pins(repo));
  }

  /**
   * The files' verified bytes, downloading what is missing. Concurrent calls for the same repo and
   * files share one download. Works offline once everything is stored and pinned.
   */
  ensure(opts: EnsureOptions): Promise<Record<string, Uint8Array>> {
    const id = `${opts.repo}@${opts.revision ?? 'main'}:${opts.files.map((f) => f.path).join(',')}`;
    let p = this.inFlight.get(id);
    if (!p) {
      p = this.doEnsure(opts).finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, p);
    }
    return p;
  }

  private async doEnsure(opts: EnsureOptions): Promise<Record<string, Uint8Array>> {
    const { repo, files, signal } = opts;
    const revision = opts.revision ?? 'main';
    const pins: Pins = (await this.pins(repo)) ?? { repo, refs: {}, files: {} };
    let commit = isCommit(revision) ? revision : pins.refs[revision];
    const out: Record<string, Uint8Array> = {};

    // Offline path: everything stored and pinned. A stored file that fails its hash is deleted by
    // loadStored (never used) and fetched again below.
    let corrupt: HubIntegrityError | null = null;
    if (commit && (await this.isStored(repo, commit, files))) {
      try {
        for (const f of files) out[f.path] = await this.loadStored(repo, commit, f, pins);
        return out;
      } catch (err) {
        if (!(err instanceof HubIntegrityError)) throw err;
        corrupt = err;
      }
    }

    // Online: the commit and the Hub's hashes for it.
    let meta: HubRevision | undefined;
    try {
      meta = await fetchRevision(this.fetchFn, this.hubUrl, repo, commit ?? revision, signal);
    } catch (err) {
      if (isAbort(err)) throw err;
      if (err instanceof HubError && err.status === 404 && !commit) {
        // No API (a plain file server) or no such repo: learn the commit from a file response.
        commit = await this.commitFromHeaders(repo, revision, files[0]!.path, signal);
      } else if (!(err instanceof HubError) && (!commit || corrupt)) {
        const why = `The Hub (${this.hubUrl}) cannot be reached: ${err instanceof Error ? err.message : String(err)}`;
        throw corrupt ? new HubIntegrityError(`${corrupt.message}. ${why}`) : new HubError(why);
      }
    }
    if (meta) {
      if (commit && meta.commit !== commit) throw new HubIntegrityError(`${repo}: the Hub answered commit ${meta.commit} for pinned ${commit}`);
      commit = meta.commit;
    }
    if (!commit) throw new HubError(`${repo}@${revision}: cannot tell which commit to download`);

    const sizes = files.map((f) => f.size ?? meta?.files.get(f.path)?.size ?? 0);
    const allTotal = sizes.reduce((a, b) => a + b, 0);
    let done = 0;
    for (const [i, f] of files.entries()) {
      const pin = pins.files[`${commit}/${f.path}`];
      const hub = meta?.files.get(f.path) ?? {};
      if (meta && !meta.files.has(f.path)) throw new HubError(`${repo}@${commit.slice(0, 7)} has no file ${f.path}`, 404);
      const expected: HubFileMeta = { size: f.size ?? pin?.size ?? hub.size, sha256: f.sha256 ?? pin?.sha256 ?? hub.sha256, gitOid: hub.gitOid };
      for (const [what, want] of [['registry', f.sha256], ['pinned', pin?.sha256]] as const) {
        if (want && hub.sha256 && want !== hub.sha256) {
          throw new HubIntegrityError(`${repo}/${f.path}: the Hub's SHA-256 ${hub.sha256} differs from the ${what} ${want}; not downloading`);
        }
      }
      const finalKey = KEY.file(repo, commit, f.path);
      const stored = await this.store.size(finalKey);
      let bytes: Uint8Array;
      let fromStore: Uint8Array | null = null;
      if (pin && stored === pin.size) {
        // Corrupt: deleted by loadStored, downloaded again just below.
        fromStore = await this.loadStored(repo, commit, f, pins).catch((err: unknown) => {
          if (err instanceof HubIntegrityError) return null;
          throw err;
        });
      }
      if (fromStore) {
        bytes = fromStore;
      } else {
        const onProgress = opts.onProgress
          ? (loaded: number, total: number) => opts.onProgress!({ file: f.path, loaded, total, allLoaded: done + loaded, allTotal: Math.max(allTotal, done + total) })
          : undefined;
        bytes = await this.download(repo, commit, f.path, expected, onProgress, signal);
      }
      pins.files[`${commit}/${f.path}`] = { sha256: await sha256Hex(bytes), size: bytes.length };
      out[f.path] = bytes;
      done += Math.max(sizes[i] ?? 0, bytes.length);
    }
    if (!isCommit(revision)) pins.refs[revision] = commit;
    pins.refs[commit] = commit;
    await this.savePins(pins);
    return out;
  }

  private async loadStored(repo: string, commit: string, f: WantedFile, pins: Pins): Promise<Uint8Array> {
    const key = KEY.file(repo, commit, f.path);
    const bytes = await this.store.get(key);
    const pin = pins.files[`${commit}/${f.path}`];
    if (!bytes || !pin) throw new HubError(`${repo}/${f.path} is not stored`);
    if (this.verifyOnLoad || f.sha256) {
      const got = await sha256Hex(bytes);
      const want = f.sha256 ?? pin.sha256;
      if (got !== want) {
        await this.store.delete(key);
        throw new HubIntegrityError(`${repo}/${f.path}: stored file is corrupt (SHA-256 ${got}, expected ${want}); deleted, download it again`);
      }
    }
    return bytes;
  }

  private async commitFromHeaders(repo: string, revision: string, path: string, signal?: AbortSignal): Promise<string> {
    const res = await this.fetchFn(resolveUrl(this.hubUrl, repo, revision, path), { method: 'HEAD', signal });
    const c = res.headers.get('x-repo-commit');
    if (!res.ok || !c || !isCommit(c)) throw new HubError(`${repo}@${revision}: HTTP ${res.status}, no commit id`, res.status);
    return c;
  }

  /** One file into `partial/…`, resumed and retried; verified, then moved to `files/…`. */
  private async download(
    repo: string, commit: string, path: string, expected: HubFileMeta,
    onProgress: ((loaded: number, total: number) => void) | undefined, signal?: AbortSignal,
  ): Promise<Uint8Array> {
    const url = resolveUrl(this.hubUrl, repo, commit, path);
    const part = KEY.part(repo, commit, path);
    let fromHeaders: HubFileMeta = {};
    let lastError: unknown;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) {
        if (attempt > this.retries) {
          throw new HubError(`${repo}/${path}: download failed after ${attempt} attempts: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
        }
        await sleep(this.retryDelayMs * 2 ** (attempt - 1), signal);
      }
      let have = (await this.store.size(part)) ?? 0;
      const size = expected.size ?? fromHeaders.size;
      if (size !== undefined && have > size) {
        await this.store.delete(part);
        have = 0;
      }
      if (size !== undefined && have === size && have > 0) break;
      let res: Response;
      try {
        res = await this.fetchFn(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, signal });
      } catch (err) {
        if (isAbort(err)) throw err;
        lastError = err;
        continue;
      }
      if (res.status === 416 && have > 0) break; // nothing left to fetch: verify what we have
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
          throw new HubError(`${repo}/${path}: HTTP ${res.status}`, res.status);
        }
        lastError = new HubError(`HTTP ${res.status}`, res.status);
        continue;
      }
      fromHeaders = { ...headerMeta(res.headers), ...stripUndefined(fromHeaders) };
      if (have > 0) {
        const m = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
        if (res.status !== 206 || !m || Number(m[1]) !== have) {
          await this.store.delete(part); // server ignored the range: start over
          have = 0;
        }
      }
      const length = Number(res.headers.get('content-length'));
      const total = expected.size ?? (Number.isFinite(length) && length > 0 ? have + length : have);
      let loaded = have;
      onProgress?.(loaded, total);
      const pending: Uint8Array[] = [];
      let pendingBytes = 0;
      const flush = async () => {
        if (pendingBytes === 0) return;
        const buf = new Uint8Array(pendingBytes);
        let o = 0;
        for (const c of pending) {
          buf.set(c, o);
          o += c.length;
        }
        pending.length = 0;
        pendingBytes = 0;
        await this.store.append(part, buf);
      };
      try {
        const reader = res.body!.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          pending.push(value);
          pendingBytes += value.length;
          loaded += value.length;
          if (pendingBytes >= this.flushBytes) await flush();
          onProgress?.(loaded, Math.max(total, loaded));
        }
        await flush();
        if (total > 0 && loaded < total) throw new HubError(`connection closed at ${loaded} of ${total} bytes`);
        break;
      } catch (err) {
        // No space: retrying cannot help; the person has to free some (the bytes stored so far stay).
        if (isQuotaError(err)) throw err;
        await flush(); // keep what arrived: the next attempt resumes from there
        if (isAbort(err)) throw err;
        lastError = err;
      }
    }

    const bytes = (await this.store.get(part)) ?? new Uint8Array(0);
    const want = { ...stripUndefined(fromHeaders), ...stripUndefined(expected) };
    const fail = async (why: string) => {
      await this.store.delete(part);
      throw new HubIntegrityError(`${repo}/${path}: ${why}; the download was discarded`);
    };
    if (want.size !== undefined && bytes.length !== want.size) await fail(`expected ${want.size} bytes, got ${bytes.length}`);
    if (want.sha256) {
      const got = await sha256Hex(bytes);
      if (got !== want.sha256) await fail(`SHA-256 mismatch (expected ${want.sha256}, got ${got})`);
    } else if (want.gitOid) {
      const got = await gitBlobSha1(bytes);
      if (got !== want.gitOid) await fail(`git blob id mismatch (expected ${want.gitOid}, got ${got})`);
    } else {
      await fail('no hash is known for this file (not in the registry, not pinned, none from the Hub), so it is refused');
    }
    await this.store.move(part, KEY.file(repo, commit, path));
    return bytes;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
