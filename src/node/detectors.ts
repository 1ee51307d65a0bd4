/** Detectors for Node (CLI, eval, bench, calibrate), by name: the same core as the extension, files from disk. */
import type { Detector } from '../core/types.ts';
import { findZeroShot } from '../core/zeroshot/registry.ts';
import { loadEmbeddedDetector } from './models.ts';

export interface DetectorChoice {
  /**
   * `embedded` (default), `roberta-base`, `roberta-large`, `combined`; with `model`, any Hub-layout repo.
   * A zero-shot detector from the registry (`fast-detectgpt`, `binoculars`, ...): `model` replaces its
   * language model (Binoculars: the observer, with `performer`).
   */
  detector: string;
  hubUrl?: string;
  model?: string;
  /** Binoculars' performer model (with `model`, the observer). */
  performer?: string;
  /** A Hub model's ONNX variant (default: chosen for the backend). */
  variant?: import('../core/hub/registry.ts').Variant;
  onProgress?: (file: string, loaded: number, total: number) => void;
}

export function isZeroShot(detector: string): boolean {
  return findZeroShot(detector) !== undefined;
}

export async function loadDetector(choice: DetectorChoice): Promise<Detector> {
  if (choice.detector === 'embedded' && !choice.model) return loadEmbeddedDetector();
  const progress = choice.onProgress && ((p: { file: string; loaded: number; total: number }) => choice.onProgress!(p.file, p.loaded, p.total));
  if (isZeroShot(choice.detector)) {
    const { createNodeZeroShotDetector } = await import('./hub-store.ts');
    return createNodeZeroShotDetector({ detector: choice.detector, model: choice.model, performer: choice.performer, hubUrl: choice.hubUrl, variant: choice.variant, onProgress: progress });
  }
  if (choice.performer) throw new Error('--performer is for --detector binoculars');
  const { loadHubDetector } = await import('./hub.ts');
  return loadHubDetector(choice);
}
