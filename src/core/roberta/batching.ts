/**
 * Windows into model batches: sorted by length so that each batch holds windows of similar length
 * (little padding), at most `maxBatch` windows and `maxTokens` padded positions per batch. Padding is
 * id 1 (`<pad>`) with attention mask 0; RoBERTa derives positions from ids != pad, so padded and
 * unpadded runs give the same logits.
 */
import { PAD, type Window } from './windows.ts';

export interface Batch {
  windows: number[];
  seq: number;
  ids: BigInt64Array;
  mask: BigInt64Array;
}

export interface BatchOptions {
  maxBatch?: number;
  /** Padded positions per batch (batch x seq), bounding memory. */
  maxTokens?: number;
}

export function planBatches(windows: readonly Window[], opts: BatchOptions = {}): Batch[] {
  const maxBatch = Math.max(1, opts.maxBatch ?? 8);
  const maxTokens = Math.max(512, opts.maxTokens ?? 8 * 512);
  const order = windows.map((_, i) => i).sort((a, b) => windows[b]!.ids.length - windows[a]!.ids.length || a - b);
  const batches: Batch[] = [];
  let cur: number[] = [];
  let seq = 0;
  const close = () => {
    if (cur.length === 0) return;
    const ids = new BigInt64Array(cur.length * seq).fill(BigInt(PAD));
    const mask = new BigInt64Array(cur.length * seq);
    cur.forEach((w, r) => {
      windows[w]!.ids.forEach((id, c) => {
        ids[r * seq + c] = BigInt(id);
        mask[r * seq + c] = 1n;
      });
    });
    batches.push({ windows: cur, seq, ids, mask });
    cur = [];
    seq = 0;
  };
  for (const w of order) {
    const len = windows[w]!.ids.length;
    // Sorted longest first: the first window of a batch sets its length.
    if (cur.length >= maxBatch || (cur.length > 0 && (cur.length + 1) * seq > maxTokens)) close();
    if (cur.length === 0) seq = len;
    cur.push(w);
  }
  close();
  return batches;
}
