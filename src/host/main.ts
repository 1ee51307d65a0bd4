/**
 * Starts the detector host in the current page (Chrome offscreen document or Firefox background page):
 * the runtime's files come from inside the extension, models load on first use.
 */
import browser from 'webextension-polyfill';
import { createEmbeddedDetector } from '../core/embedded/detector.ts';
import { configureRuntime } from '../core/runtime.ts';
import { ORT_DIR, ORT_WASM } from '../core/runtime-files.ts';
import { envelope, type Req } from '../protocol/messages.ts';
import { extensionFile } from './extension-files.ts';
import type { Variant } from '../core/hub/registry.ts';
import { hostHandlers } from './handlers.ts';
import type { ModelManager } from './models.ts';
import { createHubModels } from './hub-models.ts';
import { DetectorService, type DetectorFactory } from './service.ts';

/**
 * The Hub (or a mirror) that models come from: a build option (`npm run build -- --hub-url URL`) for
 * managed installs behind a mirror, and for the tests' local mock Hub. Default: huggingface.co.
 */
async function hubSource(): Promise<{ hubUrl?: string; lmVariant?: Variant }> {
  try {
    const { hubUrl, lmVariant } = JSON.parse(new TextDecoder().decode(await extensionFile('models/hub-source.json'))) as { hubUrl?: unknown; lmVariant?: unknown };
    return {
      ...(typeof hubUrl === 'string' && /^https?:\/\//.test(hubUrl) ? { hubUrl } : {}),
      // The language models' ONNX file for a managed install (`npm run build -- --lm-variant=fp32`).
      ...(LM_VARIANTS.includes(lmVariant as Variant) ? { lmVariant: lmVariant as Variant } : {}),
    };
  } catch {
    return {};
  }
}
const LM_VARIANTS: readonly Variant[] = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'];

export function startHost() {
  configureRuntime({ wasmUrl: browser.runtime.getURL(`${ORT_DIR}/${ORT_WASM}`), threads: 1 });
  const push = <T extends 'host:ui:status' | 'host:ui:models'>(type: T, payload: Req<T>) =>
    // Nobody may be listening (popup closed): that is fine.
    browser.runtime.sendMessage(envelope(type, payload)).catch(() => undefined);
  const factory: DetectorFactory = async (id, backend, onProgress) => {
    if (id === 'embedded') {
      const detector = await createEmbeddedDetector((f) => extensionFile(`models/embedded/${f}`), { backend });
      return { detector, backend: detector.backend };
    }
    return hub.load(id, backend, onProgress);
  };
  const service = new DetectorService({
    factory,
    pushStatus: (s) => push('host:ui:status', s),
    resolve: (id): Promise<string> => hub.resolve(id),
  });
  const hubP: Promise<ReturnType<typeof createHubModels>> = hubSource().then((src) =>
    createHubModels((models) => push('host:ui:models', { models }), extensionFile, () => service.load('embedded'), src.hubUrl, src.lmVariant),
  );
  const hub: ModelManager & Pick<ReturnType<typeof createHubModels>, 'load' | 'resolve'> = {
    zeroShotStatus: (id) => hubP.then((h) => h.zeroShotStatus(id)),
    list: () => hubP.then((h) => h.list()),
    download: (id) => hubP.then((h) => h.download(id)),
    remove: (id) => hubP.then((h) => h.remove(id)),
    load: (id, backend, onProgress) => hubP.then((h) => h.load(id, backend, onProgress)),
    resolve: (id) => hubP.then((h) => h.resolve(id)),
  };
  return { service, handlers: hostHandlers(service, hub) };
}
