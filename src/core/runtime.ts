/**
 * onnxruntime-web, set up the same way in Node and in every browser context. One build of the
 * runtime (the default `onnxruntime-web` entry: WebAssembly plus WebGPU through JSEP) ships in the
 * extension; Node resolves the package's own `node` build (WebAssembly).
 */
import * as ort from 'onnxruntime-web';

export type Backend = 'webgpu' | 'wasm';
export { ort };

export interface RuntimeOptions {
  /** URL of the runtime's `.wasm` file (extension: `runtime.getURL(...)`); Node finds its own. */
  wasmUrl?: string;
  /** WebAssembly threads. Extension pages are not cross-origin isolated, so 1 there. */
  threads?: number;
}

let configured = false;

export function configureRuntime(opts: RuntimeOptions = {}): void {
  if (opts.wasmUrl) ort.env.wasm.wasmPaths = { wasm: opts.wasmUrl };
  ort.env.wasm.numThreads = opts.threads ?? 1;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  configured = true;
}

/** WebGPU when the browser gives an adapter, else WebAssembly. Never throws. */
export async function pickBackend(allowWebGpu = true): Promise<Backend> {
  if (!allowWebGpu) return 'wasm';
  try {
    const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } } | undefined)?.gpu;
    if (!gpu) return 'wasm';
    const adapter = await gpu.requestAdapter();
    return adapter ? 'webgpu' : 'wasm';
  } catch {
    return 'wasm';
  }
}

/** Adapter features, for choosing model variants (`shader-f16`). Empty without WebGPU. */
export async function webGpuFeatures(): Promise<Set<string>> {
  try {
    const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<{ features: Set<string> } | null> } } | undefined)?.gpu;
    const adapter = await gpu?.requestAdapter();
    return new Set(adapter ? [...adapter.features] : []);
  } catch {
    return new Set();
  }
}

/**
 * A session on the chosen backend. If WebGPU fails to create the session (driver trouble, missing
 * kernels), falls back to WebAssembly and says so in `backend`.
 */
export async function createSession(
  model: Uint8Array,
  backend: Backend,
): Promise<{ session: ort.InferenceSession; backend: Backend }> {
  if (!configured) configureRuntime();
  if (backend === 'webgpu') {
    try {
      const session = await ort.InferenceSession.create(model, { executionProviders: ['webgpu'] });
      return { session, backend: 'webgpu' };
    } catch (err) {
      console.warn('Telltale: WebGPU session failed, using WebAssembly', err);
    }
  }
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  return { session, backend: 'wasm' };
}
