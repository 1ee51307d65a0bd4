/**
 * Per-position terms of the two zero-shot statistics, from one position's logits, in float64.
 *
 * Fast-DetectGPT (Bao et al., ICLR 2024; baoguangsheng/fast-detect-gpt, scripts/fast_detect_gpt.py,
 * get_sampling_discrepancy_analytic), with the scoring model also the sampling (reference) model. At a
 * position whose next token is y, with lp = log_softmax(logits) and p = softmax(logits):
 *   ll = lp[y],  mu = sum_v p_v lp_v,  var = sum_v p_v lp_v^2 - mu^2.
 * Over a text: discrepancy = (sum ll - sum mu) / sqrt(sum var). Sums over tokens, not means: the authors'
 * code sums along the sequence (`.sum(dim=-1)`) and only its last `.mean()` is over the batch of one.
 * (Their sampling version, get_sampling_discrepancy, does take means of log-likelihoods: a different
 * statistic, not used here.)
 *
 * Binoculars (Hans et al., ICML 2024; ahans30/Binoculars, binoculars/metrics.py, detector.py):
 *   ce = -log_softmax(performer)[y]                      (perplexity(): shifted labels, attention mask)
 *   x  = -sum_v softmax(observer)_v log_softmax(performer)_v   (entropy(): every position, unshifted,
 *                                                         masked where the input id is the pad id)
 * Over a text: score = mean(ce) / mean(x); lower means more machine-like.
 */

/** Fast-DetectGPT's terms at one position; `label` is the next token. */
export function fastTerms(logits: ArrayLike<number>, label: number, buf?: Float64Array): { ll: number; mu: number; var: number } {
  const n = logits.length;
  const e = buf && buf.length >= n ? buf : new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[i]! > max) max = logits[i]!;
  let s = 0;
  for (let i = 0; i < n; i++) s += (e[i] = Math.exp(logits[i]! - max));
  const shift = max + Math.log(s);
  let mu = 0;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const lp = logits[i]! - shift;
    const pl = e[i]! * lp;
    mu += pl;
    m2 += pl * lp;
  }
  // sum_v p_v lp_v and sum_v p_v lp_v^2, with p_v = e_v / s
  mu /= s;
  m2 /= s;
  return { ll: logits[label]! - shift, mu, var: m2 - mu * mu };
}

/** Binoculars' terms at one position: `ce` when there is a next token (`label`), and `x`. */
export function binocularsTerms(observer: ArrayLike<number>, performer: ArrayLike<number>, label: number | undefined, buf?: Float64Array): { ce?: number; x: number } {
  const n = observer.length;
  if (performer.length !== n) throw new Error(`observer and performer logits differ in width (${n} vs ${performer.length})`);
  const e = buf && buf.length >= n ? buf : new Float64Array(n);
  let maxO = -Infinity;
  let maxP = -Infinity;
  for (let i = 0; i < n; i++) {
    if (observer[i]! > maxO) maxO = observer[i]!;
    if (performer[i]! > maxP) maxP = performer[i]!;
  }
  let sO = 0;
  let sP = 0;
  for (let i = 0; i < n; i++) {
    sO += (e[i] = Math.exp(observer[i]! - maxO));
    sP += Math.exp(performer[i]! - maxP);
  }
  const lseP = maxP + Math.log(sP);
  // x = -sum_v softmax(observer)_v * (performer_v - lseP)
  let dot = 0;
  for (let i = 0; i < n; i++) dot += e[i]! * (performer[i]! - lseP);
  const x = -dot / sO;
  return label === undefined ? { x } : { ce: lseP - performer[label]!, x };
}
