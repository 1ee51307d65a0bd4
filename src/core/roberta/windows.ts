/**
 * Long text in windows. The model reads at most 512 positions: `<s>` + at most 510 text tokens + `</s>`.
 *
 * Text of up to `maxTokens` (510) tokens is one window. Longer text is cut into windows of exactly
 * `maxTokens` tokens that overlap by at least `overlap` (default 128) tokens; the last window ends at
 * the text's end. Each window's machine log-odds is computed separately, and the text's log-odds is
 * their mean, weighted by the tokens each window holds (equal for full windows); P = sigmoid(mean).
 * Why the mean of log-odds: one confident window should not decide a long text alone (max would), and
 * averaging probabilities would wash out agreement between windows.
 */
export const BOS = 0;
export const EOS = 2;
export const PAD = 1;
export const MAX_TEXT_TOKENS = 510;

export interface Window {
  /** Index of the text it belongs to. */
  text: number;
  /** `<s>` + tokens + `</s>`. */
  ids: number[];
  /** Text tokens it holds (its weight). */
  tokens: number;
}

export function windowStarts(n: number, maxTokens = MAX_TEXT_TOKENS, overlap = 128): number[] {
  if (n <= maxTokens) return [0];
  const stride = Math.max(1, maxTokens - overlap);
  const starts: number[] = [];
  for (let s = 0; s + maxTokens < n; s += stride) starts.push(s);
  starts.push(n - maxTokens);
  return starts;
}

export function makeWindows(textIndex: number, tokens: readonly number[], maxTokens = MAX_TEXT_TOKENS, overlap = 128): Window[] {
  return windowStarts(tokens.length, maxTokens, overlap).map((s) => {
    const part = tokens.slice(s, s + maxTokens);
    return { text: textIndex, ids: [BOS, ...part, EOS], tokens: part.length };
  });
}

/** Token-weighted mean of window log-odds. */
export function combineWindows(scores: readonly { logit: number; tokens: number }[]): number {
  let w = 0;
  let s = 0;
  for (const x of scores) {
    const weight = Math.max(1, x.tokens);
    w += weight;
    s += weight * x.logit;
  }
  return w > 0 ? s / w : 0;
}
