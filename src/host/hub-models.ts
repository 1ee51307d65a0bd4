/**
 * Hub models in the detector host: downloads into IndexedDB (over files that `npm run fetch-models`
 * bundled into the build, if any), and the combined detector when a RoBERTa model is ready.
 */
import { createCombinedDetector } from '../core/roberta/combine.ts';
import { COMBINED } from '../core/roberta/registry.ts';
import type { Backend } from '../core/runtime.ts';
import type { Detector } from '../core/types.ts';
import type { ModelEntryStatus } from '../protocol/messages.ts';
import { createHubModelManager } from './model-store.ts';
import type { LoadedDetector } from './service.ts';

export function createHubModels(
  onChange: (models: ModelEntryStatus[]) => void,
  bundled: (path: string) => Promise<Uint8Array>,
  loadEmbedded: (backend: Backend) => Promise<LoadedDetector>,
  hubUrl?: string,
) {
  const manager = createHubModelManager(onChange, { bundled, hubUrl });
  // A download cut short by a closed browser or a crashed host goes on where it stopped.
  void manager.resumeInterrupted().catch(() => undefined);
  return {
    list: manager.list,
    download: manager.download,
    remove: manager.remove,
    async load(id: string, backend: Backend, onProgress: (p: number) => void): Promise<LoadedDetector> {
      if (id !== 'combined') return manager.load(id, backend, onProgress);
      if (!COMBINED) throw new Error('no calibrated combination ships with this build');
      const [embedded, hub] = await Promise.all([loadEmbedded(backend), manager.load(COMBINED.of[1], backend, onProgress)]);
      const detector: Detector = createCombinedDetector(embedded.detector, hub.detector, COMBINED, COMBINED.policy);
      return { detector, backend: hub.backend };
    },
  };
}
