/**
 * What went wrong in the detector host, as a stable code that the extension says in the reader's
 * language (src/shared/problem-words.ts): the host is the Chrome offscreen document, which has no
 * `chrome.i18n`, so it sends codes, not sentences. `detail` is the technical message (in English, as
 * the runtime or the Hub gave it): the words of `hub-refused` and `failed` include it, the others say
 * what to do instead.
 */
import { HubError, HubIntegrityError } from './hub/hub.ts';
import { isQuotaError } from './hub/store.ts';

export const PROBLEM_CODES = [
  /** The Hub (or the model's URL) could not be reached. */
  'offline',
  /** The Hub answered, but not with the files (404, 401, a commit that is not the pinned one). */
  'hub-refused',
  /** A file did not match its hash: discarded (a download) or deleted (a stored file). */
  'integrity',
  /** A write was refused for lack of space. */
  'storage-full',
  /** Not enough memory to load the model. */
  'memory',
  /** The model is downloading (it cannot be deleted now). */
  'downloading',
  /** No such model in this version. */
  'unknown-model',
  /** Anything else: the detail says what. */
  'failed',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

export interface Problem {
  code: ProblemCode;
  /** The technical message (English), at most 300 characters. */
  detail?: string;
}

const clip = (s: string) => s.slice(0, 300);

/** The problem an error stands for. */
export function problemOf(err: unknown): Problem {
  const msg = clip(err instanceof Error ? err.message : String(err));
  if (isQuotaError(err)) return { code: 'storage-full', detail: msg };
  if (err instanceof HubIntegrityError) return { code: 'integrity', detail: msg };
  if (err instanceof HubError) return { code: 'hub-refused', detail: msg };
  if (/Failed to fetch|NetworkError|network|fetch failed|ECONNREFUSED|ENOTFOUND|ERR_INTERNET/i.test(msg)) return { code: 'offline', detail: msg };
  if (/out of memory|memory|allocation/i.test(msg)) return { code: 'memory', detail: msg };
  return { code: 'failed', detail: msg };
}

export function isProblem(p: unknown): p is Problem {
  if (typeof p !== 'object' || p === null) return false;
  const { code, detail } = p as { code?: unknown; detail?: unknown };
  return PROBLEM_CODES.includes(code as ProblemCode) && (detail === undefined || (typeof detail === 'string' && detail.length <= 300));
}
