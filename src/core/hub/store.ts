/**
 * Where downloaded model files live. Implementations: src/node/hub-store.ts (a directory, for the CLI)
 * and src/host/model-store.ts (IndexedDB, for the extension). Keys are `/`-separated paths; values
 * are bytes. `append` + `move` let a download grow a partial file in place and publish it only once
 * it has been verified, without holding two copies.
 */
export interface FileStore {
  /** The whole value, or null when absent. */
  get(key: string): Promise<Uint8Array | null>;
  /** Replaces the value. */
  put(key: string, data: Uint8Array): Promise<void>;
  /** Appends to the value, creating it when absent. */
  append(key: string, chunk: Uint8Array): Promise<void>;
  /** Stored length in bytes, or null when absent. */
  size(key: string): Promise<number | null>;
  /** Renames `from` to `to`, replacing `to`. */
  move(from: string, to: string): Promise<void>;
  /** Removes one key (no error when absent). */
  delete(key: string): Promise<void>;
  /** Every key that starts with `prefix`, with its size. */
  list(prefix: string): Promise<{ key: string; bytes: number }[]>;
}

/** A FileStore in memory: for tests, and as a reference for the semantics. */
export class MemoryFileStore implements FileStore {
  readonly data = new Map<string, Uint8Array>();
  async get(key: string) {
    const v = this.data.get(key);
    return v ? v.slice() : null;
  }
  async put(key: string, data: Uint8Array) {
    this.data.set(key, data.slice());
  }
  async append(key: string, chunk: Uint8Array) {
    const old = this.data.get(key) ?? new Uint8Array(0);
    const next = new Uint8Array(old.length + chunk.length);
    next.set(old);
    next.set(chunk, old.length);
    this.data.set(key, next);
  }
  async size(key: string) {
    return this.data.get(key)?.length ?? null;
  }
  async move(from: string, to: string) {
    const v = this.data.get(from);
    if (!v) throw new Error(`no such key: ${from}`);
    this.data.set(to, v);
    this.data.delete(from);
  }
  async delete(key: string) {
    this.data.delete(key);
  }
  async list(prefix: string) {
    return [...this.data].filter(([k]) => k.startsWith(prefix)).map(([key, v]) => ({ key, bytes: v.length }));
  }
}

/** Writable store over a read-only one: reads try `top` first; writes and deletes go to `top`. */
export class LayeredFileStore implements FileStore {
  constructor(private readonly top: FileStore, private readonly bottom: FileStore) {}
  async get(key: string) {
    return (await this.top.get(key)) ?? this.bottom.get(key);
  }
  async size(key: string) {
    return (await this.top.size(key)) ?? this.bottom.size(key);
  }
  async list(prefix: string) {
    const top = await this.top.list(prefix);
    const seen = new Set(top.map((f) => f.key));
    return [...top, ...(await this.bottom.list(prefix)).filter((f) => !seen.has(f.key))];
  }
  put(key: string, data: Uint8Array) {
    return this.top.put(key, data);
  }
  append(key: string, chunk: Uint8Array) {
    return this.top.append(key, chunk);
  }
  move(from: string, to: string) {
    return this.top.move(from, to);
  }
  delete(key: string) {
    return this.top.delete(key);
  }
}

/** A write refused for lack of space: IndexedDB's QuotaExceededError, storage.local's QUOTA_BYTES, a full disk. */
export function isQuotaError(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  const msg = err instanceof Error ? err.message : String(err);
  return name === 'QuotaExceededError' || /quota|QUOTA_BYTES|no space left|disk is full|ENOSPC/i.test(msg);
}
