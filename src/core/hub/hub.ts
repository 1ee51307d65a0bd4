/**
 * The Hugging Face Hub as Telltale uses it: the URL layout, a revision's file metadata (the Hub's own
 * per-file hashes) and the hash functions that check downloads. Pure: fetch and crypto.subtle only.
 */
export const DEFAULT_HUB = 'https://huggingface.co';

/** Thrown when bytes do not match the hash they must have, or no hash is known to check them. */
export class HubIntegrityError extends Error {
  override name = 'HubIntegrityError';
}

/** Thrown for answers from the Hub that retrying will not fix (404, 401, 403, malformed metadata). */
export class HubError extends Error {
  override name = 'HubError';
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

const trimSlash = (u: string) => u.replace(/\/+$/, '');
const encPath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

/** `{hub}/{repo}/resolve/{revision}/{file}`: the layout the Hub and our mock serve. */
export function resolveUrl(hubUrl: string, repo: string, revision: string, file: string): string {
  return `${trimSlash(hubUrl)}/${encPath(repo)}/resolve/${encodeURIComponent(revision)}/${encPath(file)}`;
}

/** `{hub}/api/models/{repo}/revision/{revision}?blobs=true`: commit id and per-file size and hashes. */
export function revisionApiUrl(hubUrl: string, repo: string, revision: string): string {
  return `${trimSlash(hubUrl)}/api/models/${encPath(repo)}/revision/${encodeURIComponent(revision)}?blobs=true`;
}

export const isCommit = (s: string) => /^[0-9a-f]{40}$/.test(s);
export const isSha256 = (s: string) => /^[0-9a-f]{64}$/.test(s);

export interface HubFileMeta {
  size?: number;
  /** SHA-256 of the content (the Hub gives it for LFS files). */
  sha256?: string;
  /** Git blob id (SHA-1 of `blob <size>\0<content>`), which the Hub gives for every file. */
  gitOid?: string;
}

export interface HubRevision {
  commit: string;
  files: Map<string, HubFileMeta>;
}

/** The revision's commit and its files' hashes, from the Hub API. Throws HubError (status) when unavailable. */
export async function fetchRevision(fetchFn: typeof fetch, hubUrl: string, repo: string, revision: string, signal?: AbortSignal): Promise<HubRevision> {
  const url = revisionApiUrl(hubUrl, repo, revision);
  const res = await fetchFn(url, { signal });
  if (!res.ok) throw new HubError(`Hub metadata for ${repo}@${revision}: HTTP ${res.status}`, res.status);
  const body = (await res.json()) as {
    sha?: unknown;
    siblings?: { rfilename?: unknown; size?: unknown; blobId?: unknown; lfs?: { sha256?: unknown; size?: unknown } }[];
  };
  if (typeof body.sha !== 'string' || !isCommit(body.sha) || !Array.isArray(body.siblings)) {
    throw new HubError(`Hub metadata for ${repo}@${revision} is malformed`);
  }
  const files = new Map<string, HubFileMeta>();
  for (const s of body.siblings) {
    if (typeof s.rfilename !== 'string') continue;
    const meta: HubFileMeta = {};
    const size = s.lfs?.size ?? s.size;
    if (typeof size === 'number') meta.size = size;
    if (typeof s.lfs?.sha256 === 'string' && isSha256(s.lfs.sha256)) meta.sha256 = s.lfs.sha256;
    if (typeof s.blobId === 'string' && isCommit(s.blobId)) meta.gitOid = s.blobId;
    files.set(s.rfilename, meta);
  }
  return { commit: body.sha, files };
}

/**
 * Hashes the Hub states in a file response's headers: `X-Linked-ETag` (LFS: the SHA-256) or `ETag`
 * (LFS: SHA-256; plain git files: the blob's SHA-1). Browsers lose these when the Hub redirects to its
 * CDN, which is why the API above comes first.
 */
export function headerMeta(headers: Headers): HubFileMeta {
  const meta: HubFileMeta = {};
  for (const name of ['x-linked-etag', 'etag']) {
    const v = headers.get(name)?.replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
    if (!v) continue;
    if (isSha256(v)) meta.sha256 ??= v;
    else if (isCommit(v) && !meta.sha256) meta.gitOid ??= v;
  }
  const size = Number(headers.get('x-linked-size'));
  if (Number.isFinite(size) && size > 0) meta.size = size;
  return meta;
}

const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');

export async function sha256Hex(data: Uint8Array): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
}

/** Git's blob id: SHA-1 of `blob <length>\0` followed by the content. */
export async function gitBlobSha1(data: Uint8Array): Promise<string> {
  const head = new TextEncoder().encode(`blob ${data.length}\0`);
  const all = new Uint8Array(head.length + data.length);
  all.set(head);
  all.set(data, head.length);
  return hex(await crypto.subtle.digest('SHA-1', all));
}
