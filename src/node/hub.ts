/** Hub detectors in Node: wired to the download manager in issue 4. */
import type { Detector } from '../core/types.ts';
import type { DetectorChoice } from './detectors.ts';

export async function loadHubDetector(choice: DetectorChoice): Promise<Detector> {
  throw new Error(`detector "${choice.detector}" is not available in this build`);
}
