/** The detector host's message handlers, shared by the Chrome offscreen document and the Firefox background page. */
import type { Handlers } from '../protocol/client.ts';
import type { DetectorService } from './service.ts';
import type { ModelManager } from './models.ts';

export function hostHandlers(service: DetectorService, models: ModelManager): Handlers {
  return {
    'bg:host:score': ({ texts, detector, sensitivity }) => service.score(texts, detector, sensitivity).then((verdicts) => ({ verdicts })),
    'bg:host:status': ({ detector }) => service.statusOf(detector),
    'bg:host:models': async () => ({ models: await models.list() }),
    'bg:host:download': ({ model }) => models.download(model),
    'bg:host:delete-model': ({ model }) => models.remove(model),
    'bg:host:zeroshot-status': async ({ detector }) =>
      (await models.zeroShotStatus?.(detector)) ?? { detector, ready: false, backend: 'wasm', calibrated: false },
    // Only a downloaded zero-shot detector scores (loading one that is absent would download it), and
    // with `webgpuOnly` (the page scan) only where it runs on WebGPU.
    'bg:host:zeroshot': async ({ texts, detector, sensitivity, webgpuOnly }) => {
      const st = await models.zeroShotStatus?.(detector);
      if (!st) return { skipped: 'unknown' as const };
      if (!st.ready) return { skipped: 'absent' as const };
      if (webgpuOnly && st.backend !== 'webgpu') return { skipped: 'wasm' as const };
      return { verdicts: await service.score(texts, detector, sensitivity) };
    },
  };
}
