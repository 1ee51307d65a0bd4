/**
 * One measurement of a detector's speed, shared by the Node and the browser benchmarks (no Node or
 * DOM imports): a warm-up, latencies of one paragraph per call, then paragraphs per second in batches.
 */
import type { Detector } from '../../../src/core/types.ts';

export async function measureDetector(
  det: Pick<Detector, 'scoreBatch'>,
  paragraphs: string[],
  batch: number,
  rounds: { latency: number; batch: number },
): Promise<{ latencies: number[]; batchPerSecond: number }> {
  // Warm-up: JIT of the feature code and the session's first runs.
  for (const p of paragraphs.slice(0, 64)) await det.scoreBatch([p]);
  await det.scoreBatch(paragraphs.slice(0, batch));
  const latencies: number[] = [];
  for (let r = 0; r < rounds.latency; r++) {
    for (const p of paragraphs) {
      const t = performance.now();
      await det.scoreBatch([p]);
      latencies.push(performance.now() - t);
    }
  }
  const t0 = performance.now();
  let n = 0;
  for (let r = 0; r < rounds.batch; r++) {
    for (let i = 0; i < paragraphs.length; i += batch) {
      await det.scoreBatch(paragraphs.slice(i, i + batch));
      n += Math.min(batch, paragraphs.length - i);
    }
  }
  return { latencies, batchPerSecond: n / ((performance.now() - t0) / 1000) };
}
