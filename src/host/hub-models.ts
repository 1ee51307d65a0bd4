/**
 * Hub models in the detector host: downloads into IndexedDB (over files that `npm run fetch-models`
 * bundled into the build, if any), the combined detector when a RoBERTa model is ready, and what the
 * default setting `auto` stands for.
 */
import { createCombinedDetector } from '../core/roberta/combine.ts';
import { COMBINED } from '../core/roberta/registry.ts';
import { AUTO_DETECTOR } from '../core/settings.ts';
import type { Backend } from '../core/runtime.ts';
import type { Variant } from '../core/hub/registry.ts';
import type { Detector } from '../core/types.ts';
import type { ModelEntryStatus, ZeroShotStatus } from '../protocol/messages.ts';
import { findZeroShot } from '../core/zeroshot/registry.ts';
import { createHubModelManager } from './model-store.ts';
import type { LoadedDetector } from './service.ts';

export function createHubModels(
  onChange: (models: ModelEntryStatus[]) => void,
  bundled: (path: string) => Promise<Uint8Array>,
  loadEmbedded: (backend: Backend) => Promise<LoadedDetector>,
  hubUrl?: string,
  lmVariant?: Variant,
) {
  // Whether the combination's Hub model is ready, known from the last listing; every change re-lists.
  let combinable: Promise<boolean> | null = null;
  // The models downloaded, known from the last listing (every download and delete re-lists).
  let ready: Promise<Set<string>> | null = null;
  const readySet = (models: readonly ModelEntryStatus[]) => new Set(models.filter((m) => m.state === 'ready').map((m) => m.id));
  const manager = createHubModelManager(
    (models) => {
      combinable = Promise.resolve(isCombinable(models));
      ready = Promise.resolve(readySet(models));
      onChange(models);
    },
    { bundled, hubUrl, lmVariant },
  );
  // A download cut short by a closed browser or a crashed host goes on where it stopped.
  void manager.resumeInterrupted().catch(() => undefined);
  return {
    list: manager.list,
    download: manager.download,
    remove: manager.remove,
    async zeroShotStatus(id: string): Promise<ZeroShotStatus | null> {
      const z = findZeroShot(id);
      if (!z) return null;
      ready ??= manager.list().then(readySet, () => new Set<string>());
      return { detector: id, ready: (await ready).has(id), backend: await manager.backend(), calibrated: z.calibration !== null };
    },
    /** `auto`: the combination once its Hub model is ready, else the built-in detector. Other ids stay. */
    async resolve(id: string): Promise<string> {
      if (id !== AUTO_DETECTOR) return id;
      combinable ??= manager.list().then(isCombinable, () => false);
      return (await combinable) ? 'combined' : 'embedded';
    },
    async load(id: string, backend: Backend, onProgress: (p: number) => void): Promise<LoadedDetector> {
      if (id !== 'combined') return manager.load(id, backend, onProgress);
      if (!COMBINED) throw new Error('no calibrated combination ships with this build');
      const [embedded, hub] = await Promise.all([loadEmbedded(backend), manager.load(COMBINED.of[1], backend, onProgress)]);
      const detector: Detector = createCombinedDetector(embedded.detector, hub.detector, COMBINED, COMBINED.policy);
      return { detector, backend: hub.backend };
    },
  };
}

function isCombinable(models: readonly ModelEntryStatus[]): boolean {
  return COMBINED !== undefined && models.some((m) => m.id === COMBINED!.of[1] && m.state === 'ready');
}
