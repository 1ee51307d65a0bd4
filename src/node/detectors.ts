/** Detectors for Node (CLI, eval, bench), by name: the same core as the extension, files from disk. */
import type { Detector } from '../core/types.ts';
import { loadEmbeddedDetector } from './models.ts';

export interface DetectorChoice {
  /** `embedded` (default), `roberta-base`, `roberta-large`; with `model`, any Hub-layout repo. */
  detector: string;
  hubUrl?: string;
  model?: string;
  onProgress?: (file: string, loaded: number, total: number) => void;
}

export async function loadDetector(choice: DetectorChoice): Promise<Detector> {
  if (choice.detector === 'embedded' && !choice.model) return loadEmbeddedDetector();
  const { loadHubDetector } = await import('./hub.ts');
  return loadHubDetector(choice);
}
