/**
 * Browser entry for the embedded detector's parity tests and benchmarks: the same core code as the
 * extension, bundled with onnxruntime-web, exposed on `globalThis.telltaleEmbedded`. Served by
 * scripts/browser/harness.ts on 127.0.0.1 next to the model files and the runtime's .wasm.
 */
import { configureRuntime, pickBackend, type Backend } from '../../src/core/runtime.ts';
import { createEmbeddedDetector, type EmbeddedDetector } from '../../src/core/embedded/detector.ts';
import { extractFeatures } from '../../src/core/embedded/features.ts';
import { normalise } from '../../src/core/normalise.ts';
import { measureDetector } from '../bench/lib/measure.ts';

configureRuntime({ wasmUrl: new URL('ort.wasm', location.href).href, threads: 1 });

const detectors = new Map<Backend, Promise<EmbeddedDetector>>();
async function get(backend: Backend): Promise<EmbeddedDetector> {
  if (!detectors.has(backend)) {
    detectors.set(backend, createEmbeddedDetector(async (file) => new Uint8Array(await (await fetch(`model/${file}`)).arrayBuffer()), { backend }));
  }
  return detectors.get(backend)!;
}

const api = {
  async available(): Promise<Backend> {
    return pickBackend(true);
  },
  features(texts: string[]) {
    return texts.map((t) => {
      const f = extractFeatures(normalise(t).text);
      return { indices: [...f.indices], values: [...f.values], dense: [...f.dense] };
    });
  },
  async score(texts: string[], backend: Backend) {
    const det = await get(backend);
    const scores = await det.scoreBatch(texts.map((t) => normalise(t).text));
    return { backend: det.backend, scores };
  },
  /** Latencies (ms) of one paragraph per call, and paragraphs/s in batches. */
  async bench(paragraphs: string[], backend: Backend, batch: number, rounds: number) {
    const det = await get(backend);
    return { backend: det.backend, ...(await measureDetector(det, paragraphs, batch, { latency: rounds, batch: rounds })) };
  },
};
/** What the page exposes on `globalThis.telltaleEmbedded`, for the callers' page.evaluate(). */
export type EmbeddedApi = typeof api;
(globalThis as unknown as { telltaleEmbedded: EmbeddedApi }).telltaleEmbedded = api;
document.title = 'ready';
