/**
 * A local stand-in for the Hugging Face Hub, on 127.0.0.1, for tests: the same URL layout
 * (`{repo}/resolve/{revision}/{file}`, `api/models/{repo}/revision/{revision}?blobs=true`), HTTP Range,
 * the Hub's hash headers (LFS files: `ETag` and `X-Linked-ETag` = SHA-256; others: `ETag` = git blob
 * SHA-1; `X-Repo-Commit`), and failure injection.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';

export interface MockRepo {
  commit: string;
  files: Map<string, Uint8Array>;
}

/** What the next matching requests should suffer. Each rule applies `times` times (default 1), then is dropped. */
export type Failure =
  | { kind: 'cut'; file: string; afterBytes: number; times?: number }
  | { kind: 'status'; file: string; status: number; times?: number }
  | { kind: 'corrupt'; file: string; times?: number }
  | { kind: 'ignore-range'; file: string; times?: number };

export interface MockHub {
  url: string;
  repos: Map<string, MockRepo>;
  failures: Failure[];
  /** Every request: method, path, Range header. */
  log: { method: string; path: string; range?: string; status: number }[];
  /** 404 for the metadata API (a plain file server): the client must use headers. */
  apiDisabled: boolean;
  close(): Promise<void>;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const gitOid = (b: Uint8Array) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
const isLfs = (path: string) => /\.(onnx|onnx_data|bin|safetensors)$/.test(path);

/** Reads a model directory (config.json, tokenizer files, onnx/*) into a repo with a made-up commit id. */
export function repoFromDir(dir: string, overrides: Record<string, Uint8Array | string | null> = {}): MockRepo {
  const files = new Map<string, Uint8Array>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(relative(dir, p).split('\\').join('/'), new Uint8Array(readFileSync(p)));
    }
  };
  walk(dir);
  for (const [k, v] of Object.entries(overrides)) {
    if (v === null) files.delete(k);
    else files.set(k, typeof v === 'string' ? new TextEncoder().encode(v) : v);
  }
  const h = createHash('sha1');
  for (const [k, v] of [...files].sort(([a], [b]) => a.localeCompare(b))) h.update(k).update(v);
  return { commit: h.digest('hex'), files };
}

export async function startMockHub(repos: Record<string, MockRepo>): Promise<MockHub> {
  const hub: MockHub = { url: '', repos: new Map(Object.entries(repos)), failures: [], log: [], apiDisabled: false, close: async () => {} };

  const take = (file: string, kind: Failure['kind'], method = 'GET'): Failure | undefined => {
    if (method === 'HEAD') return undefined; // failures are for downloads
    const i = hub.failures.findIndex((f) => f.kind === kind && f.file === file);
    if (i < 0) return undefined;
    const f = hub.failures[i]!;
    f.times = (f.times ?? 1) - 1;
    if (f.times <= 0) hub.failures.splice(i, 1);
    return f;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname);
    const send = (status: number, body: string | Uint8Array = '', headers: Record<string, string | number> = {}) => {
      hub.log.push({ method: req.method ?? 'GET', path, range: req.headers.range, status });
      // The Hub answers cross-origin requests (CORS); extension pages without host access rely on it.
      res.writeHead(status, {
        'access-control-allow-origin': '*',
        'access-control-expose-headers': 'etag, x-linked-etag, x-linked-size, content-range, content-length, x-repo-commit',
        ...headers,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };

    const api = /^\/api\/models\/(.+)\/revision\/([^/]+)$/.exec(path);
    if (api) {
      const repo = hub.repos.get(api[1]!);
      if (hub.apiDisabled || !repo || (api[2] !== 'main' && api[2] !== repo.commit)) return send(404, '{"error":"not found"}');
      const siblings = [...repo.files].map(([rfilename, b]) => ({
        rfilename, size: b.length, blobId: gitOid(isLfs(rfilename) ? new TextEncoder().encode(`lfs pointer ${sha256(b)}`) : b),
        ...(isLfs(rfilename) ? { lfs: { sha256: sha256(b), size: b.length, pointerSize: 134 } } : {}),
      }));
      return send(200, JSON.stringify({ id: api[1], sha: repo.commit, siblings }), { 'content-type': 'application/json' });
    }

    const m = /^\/(.+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    const repo = m ? hub.repos.get(m[1]!) : undefined;
    if (!m || !repo || (m[2] !== 'main' && m[2] !== repo.commit)) return send(404, 'Repository not found');
    const file = m[3]!;
    const original = repo.files.get(file);
    if (!original) return send(404, 'Entry not found', { 'x-repo-commit': repo.commit });

    const status = take(file, 'status', req.method);
    if (status && status.kind === 'status') return send(status.status, 'injected failure');

    let body = original;
    if (take(file, 'corrupt', req.method)) {
      body = original.slice();
      body[body.length >> 1]! ^= 0xff;
    }
    const headers: Record<string, string | number> = {
      'x-repo-commit': repo.commit,
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
      etag: `"${isLfs(file) ? sha256(original) : gitOid(original)}"`,
    };
    if (isLfs(file)) Object.assign(headers, { 'x-linked-etag': `"${sha256(original)}"`, 'x-linked-size': original.length });

    let start = 0;
    let end = body.length - 1;
    let code = 200;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range && !take(file, 'ignore-range', req.method)) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), end) : end;
      if (start >= body.length) return send(416, '', { ...headers, 'content-range': `bytes */${body.length}` });
      code = 206;
      headers['content-range'] = `bytes ${start}-${end}/${body.length}`;
    }
    const slice = body.subarray(start, end + 1);
    headers['content-length'] = slice.length;
    const cut = take(file, 'cut', req.method);
    if (cut && cut.kind === 'cut' && req.method !== 'HEAD') {
      hub.log.push({ method: req.method ?? 'GET', path, range: req.headers.range, status: code });
      res.writeHead(code, headers);
      res.write(slice.subarray(0, Math.min(cut.afterBytes, slice.length)), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    send(code, slice, headers);
  };

  const server: Server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  hub.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return hub;
}
