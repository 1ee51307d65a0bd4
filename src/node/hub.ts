/** Hub detectors in Node (CLI): files from models/hub (fetch-models) or the download cache, else downloaded and verified. */
import { createCombinedDetector } from '../core/roberta/combine.ts';
import { COMBINED } from '../core/roberta/registry.ts';
import type { Detector } from '../core/types.ts';
import type { DetectorChoice } from './detectors.ts';
import { createNodeHubDetector } from './hub-store.ts';
import { loadEmbeddedDetector } from './models.ts';

export async function loadHubDetector(choice: DetectorChoice): Promise<Detector> {
  const progress = choice.onProgress && ((p: { file: string; loaded: number; total: number }) => choice.onProgress!(p.file, p.loaded, p.total));
  if (choice.detector === 'combined' && !choice.model) {
    if (!COMBINED) throw new Error('no calibrated combination ships with this build');
    const [embedded, hub] = await Promise.all([loadEmbeddedDetector(), createNodeHubDetector({ model: COMBINED.of[1], hubUrl: choice.hubUrl, onProgress: progress })]);
    return createCombinedDetector(embedded, hub, COMBINED, COMBINED.policy);
  }
  return createNodeHubDetector({ model: choice.model ?? choice.detector, hubUrl: choice.hubUrl, variant: choice.variant, onProgress: progress });
}
