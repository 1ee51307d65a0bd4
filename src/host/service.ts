/**
 * The detector host: owns the ONNX sessions and answers scoring jobs. Runs in the Chrome offscreen
 * document and in the Firefox background page (never in the Chrome service worker, which cannot
 * `import()` and loses its memory when it is stopped). Calls are serialised: one session per model,
 * one job at a time, and a verdict cache keyed by detector and text so that no text is scored twice.
 */
import { LruCache } from '../core/cache.ts';
import { judge } from '../core/judge.ts';
import { atSensitivity } from '../core/levels.ts';
import { pickBackend, type Backend } from '../core/runtime.ts';
import type { Detector, Sensitivity, Verdict } from '../core/types.ts';
import type { DetectorStatus } from '../protocol/messages.ts';
import { problemOf } from '../core/problem.ts';
import { problemText } from '../shared/problem-words.ts';

export interface LoadedDetector {
  detector: Detector;
  backend: Backend;
}

/** How a detector id becomes a loaded detector in this context. */
export type DetectorFactory = (id: string, backend: Backend, onProgress: (p: number) => void) => Promise<LoadedDetector>;

export interface HostEnv {
  factory: DetectorFactory;
  /** Push a status change to whoever listens (the popup). Must not throw. */
  pushStatus(status: DetectorStatus): void;
  /** Allow WebGPU (tests turn it off to exercise the fallback; default on). */
  allowWebGpu?: boolean;
  /** The detector a setting stands for now (`auto` becomes `embedded` or `combined`); default: itself. */
  resolve?(id: string): Promise<string>;
}

const NAMES: Record<string, string> = {
  embedded: 'Telltale embedded detector',
  'roberta-base': 'OpenAI RoBERTa-base GPT-2 detector',
  'roberta-large': 'OpenAI RoBERTa-large GPT-2 detector',
  combined: 'Telltale + RoBERTa combined',
};

/**
 * The verdict cache's key for a text: the detector and the first 128 bits of the text's SHA-256, in
 * base64 (24 characters). The text itself is not kept (a paragraph is most of what an entry would
 * cost), and a page cannot choose a text whose key is another text's, as it could with a short hash.
 */
async function cacheKey(id: string, text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return `${id}\u0000${btoa(String.fromCharCode(...digest.subarray(0, 16)))}`;
}

/** About how many bytes a cached verdict and its key take. */
function verdictCost(key: string, v: Verdict): number {
  let n = 2 * key.length + 400;
  for (const e of v.evidence ?? []) n += 2 * (e.text?.length ?? 0) + 64;
  if (v.reason) n += 2 * v.reason.length;
  return n;
}

/**
 * The verdict cache's budget: 512 KB, some 400 verdicts of 150-250-word paragraphs (about 1.3 KB each
 * in the heap, with their evidence sentences). That serves ten tabs of one page, a change of
 * sensitivity on a page of that size and texts seen again; a longer page is scored again when its
 * sensitivity changes. The host's JS heap is only about 4 MB, and a larger cache would be most of its
 * growth over a long browsing session (`npm run bench -- load`: 8 MB of cache took it from 4.9 to 10.6 MB).
 */
export const VERDICT_CACHE = { entries: 2_000, bytes: 512 << 10 };

export class DetectorService {
  private readonly loaded = new Map<string, Promise<LoadedDetector>>();
  private readonly statuses = new Map<string, DetectorStatus>();
  /** Verdicts by detector and text (see cacheKey and VERDICT_CACHE). */
  readonly cache = new LruCache<string, Verdict>(VERDICT_CACHE.entries, { maxCost: VERDICT_CACHE.bytes, cost: verdictCost });
  private chain: Promise<unknown> = Promise.resolve();
  private lastId = 'embedded';

  constructor(private readonly env: HostEnv) {}

  status(id = this.lastId): DetectorStatus {
    return this.statuses.get(id) ?? { detector: id, name: NAMES[id] ?? id, state: 'idle' };
  }

  /** The status of the detector that the setting `requested` stands for now. */
  async statusOf(requested: string): Promise<DetectorStatus> {
    return this.status(await this.resolve(requested));
  }

  private resolve(requested: string): Promise<string> {
    return this.env.resolve ? this.env.resolve(requested) : Promise.resolve(requested);
  }

  private setStatus(s: DetectorStatus): void {
    this.statuses.set(s.detector, s);
    this.env.pushStatus(s);
  }

  /** The loaded detector, loading it on first use; a failed load is forgotten so that it can be retried. */
  load(id: string): Promise<LoadedDetector> {
    let p = this.loaded.get(id);
    if (!p) {
      const name = NAMES[id] ?? id;
      this.setStatus({ detector: id, name, state: 'loading', progress: 0 });
      p = (async () => {
        const backend = await pickBackend(this.env.allowWebGpu ?? true);
        const onProgress = (progress: number) => this.setStatus({ detector: id, name, state: 'loading', backend, progress });
        return this.env.factory(id, backend, onProgress);
      })();
      this.loaded.set(id, p);
      p.then(
        (l) => this.setStatus({ detector: id, name: l.detector.info.name || name, state: 'ready', backend: l.backend }),
        (err) => {
          this.loaded.delete(id);
          const problem = problemOf(err);
          this.setStatus({ detector: id, name, state: 'error', error: problemText(problem), problem });
        },
      );
    }
    return p;
  }

  /** Scores texts; cached texts are answered without touching the model. */
  score(texts: readonly string[], requested: string, sensitivity: Sensitivity): Promise<Verdict[]> {
    const job = this.chain.then(async (): Promise<Verdict[]> => {
      const id = await this.resolve(requested);
      this.lastId = id;
      let detector: Detector;
      try {
        ({ detector } = await this.load(id));
      } catch (err) {
        const problem = problemOf(err);
        const reasonArgs = problem.detail === undefined ? [problem.code] : [problem.code, problem.detail];
        return texts.map(() => ({ state: 'error', p_machine: null, flagged: false, detector: id, reason: problemText(problem), reasonCode: 'load-failed', reasonArgs }));
      }
      const keys = await Promise.all(texts.map((t) => cacheKey(id, t)));
      const out: (Verdict | undefined)[] = keys.map((k) => this.cache.get(k));
      const missing = [...new Set(texts.filter((_, i) => !out[i]))];
      if (missing.length) {
        const fresh = await judge(detector, missing, { sensitivity });
        const keyOf = new Map(texts.map((t, i) => [t, keys[i]!]));
        missing.forEach((t, i) => {
          if (fresh[i]!.state !== 'error') this.cache.set(keyOf.get(t)!, fresh[i]!);
        });
        const byText = new Map(missing.map((t, i) => [t, fresh[i]!]));
        texts.forEach((t, i) => {
          out[i] ??= byText.get(t);
        });
      }
      // The cache is per text; the flag and the level per sensitivity.
      return out.map((v) => atSensitivity(v!, detector.policy, sensitivity));
    });
    this.chain = job.catch(() => undefined);
    return job;
  }
}
