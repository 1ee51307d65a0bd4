/**
 * Long text in windows for a causal language model, so that every token after the first is predicted
 * exactly once.
 *
 * The authors' code reads a text in one pass (Binoculars truncates it to 512 tokens first). We read at most
 * `size` (512) tokens at a time:
 *   - text of up to `size` tokens is one window: exactly the authors' computation;
 *   - longer text: the first window holds tokens [0, size); each next window holds `size` tokens and starts
 *     `overlap` tokens (default 64) before the first token it has to predict, except the last, which ends at
 *     the text's end (and so may start earlier, with more context);
 *   - a window predicts only the tokens no earlier window predicted: the `overlap` tokens it starts with are
 *     context, read again but not counted twice.
 * So each prediction sees at least `overlap` tokens of left context (except near the text's start, as in
 * one pass), and at most `size - 1`. The detectors sum their per-token terms over all windows and
 * normalise once (see detectors.ts), so a long text gets one statistic, as if read in one pass with a
 * context that restarts at window starts.
 */
export const MAX_WINDOW = 512;
export const DEFAULT_OVERLAP = 64;

export interface LmWindow {
  /** Index of the text it belongs to. */
  text: number;
  /** Absolute index of its first token. */
  start: number;
  ids: number[];
  /**
   * Logit rows whose terms count: [rowFrom, rowTo). Row r (r < ids.length - 1) predicts ids[r + 1]; the
   * last window's last row (r = ids.length - 1) predicts past the text, which only Binoculars' cross-
   * perplexity uses (the authors average it over every position).
   */
  rowFrom: number;
  rowTo: number;
}

/** [start, end, firstLabel) per window, for a text of `n` tokens. */
export function windowSpans(n: number, size = MAX_WINDOW, overlap = DEFAULT_OVERLAP): [number, number, number][] {
  if (!(size >= 2) || !(overlap >= 1) || overlap >= size) throw new Error(`bad windows: size ${size}, overlap ${overlap}`);
  if (n <= size) return [[0, n, 1]];
  const spans: [number, number, number][] = [[0, size, 1]];
  let end = size;
  while (end < n) {
    const next = Math.min(end - overlap + size, n);
    spans.push([next - size, next, end]);
    end = next;
  }
  return spans;
}

export function makeLmWindows(textIndex: number, ids: readonly number[], size = MAX_WINDOW, overlap = DEFAULT_OVERLAP): LmWindow[] {
  if (ids.length === 0) return [];
  const spans = windowSpans(ids.length, size, overlap);
  return spans.map(([start, end, first], k) => ({
    text: textIndex,
    start,
    ids: ids.slice(start, end),
    rowFrom: first - 1 - start,
    rowTo: k === spans.length - 1 ? end - start : end - start - 1,
  }));
}
