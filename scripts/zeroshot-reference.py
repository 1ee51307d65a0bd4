"""Reference values for the zero-shot detectors, computed with plain torch (called by make-test-models.ts).

The two tiny Llama-shaped fixtures are rebuilt from their config.json and seed (make-test-llama.py builds the
same weights it exported to ONNX), run in fp32 on exactly the token ids Telltale's tokenizer gave, one text at
a time and without padding, and the authors' formulas are applied to their logits in float64:

  Fast-DetectGPT (baoguangsheng/fast-detect-gpt, scripts/fast_detect_gpt.py, get_sampling_discrepancy_analytic),
  one model as both the sampling (reference) and the scoring model, labels = ids[1:], logits = logits[:-1]:
      lp = log_softmax(logits), p = softmax(logits)
      ll = sum_t lp[t, label_t];  mu = sum_t sum_v p * lp;  var = sum_t (sum_v p * lp^2 - (sum_v p * lp)^2)
      discrepancy = (ll - mu) / sqrt(var)                 (sums over tokens, not means)

  Binoculars (ahans30/Binoculars, binoculars/metrics.py and detector.py): observer = the base model,
  performer = the instruct model, pad id = the observer tokenizer's pad (else eos) token:
      ppl   = mean over t of the performer's cross-entropy of label_t (logits shifted, attention mask)
      x_ppl = mean over all positions t with ids[t] != pad of -sum_v softmax(observer_t) * log_softmax(performer_t)
      score = ppl / x_ppl

Texts longer than one window: the rule Telltale documents (src/core/zeroshot/windows.ts), written out again
here independently. Windows of at most W tokens; a window after the first ends W tokens later (the last one
at the text's end) and starts `overlap` tokens (or more, for the last) before the first token it predicts;
each token after the first is predicted exactly once, in the window that first reaches it. The per-token
terms are summed over all windows and normalised once. For text within one window this is exactly the
authors' computation, which the script checks.

Needs Debian's python3-torch (1.13); run with /usr/bin/python3.
"""
import argparse, importlib.util, json, math, os
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('tiny_llama', os.path.join(HERE, 'make-test-llama.py'))
tiny_llama = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tiny_llama)


def load(dir):
    with open(os.path.join(dir, 'config.json')) as f:
        config = json.load(f)
    return tiny_llama.build(config, config['_telltale']['seed']), config


def logits_of(model, config, ids):
    """fp32 forward pass of one unpadded sequence, empty past, as float64 [len, vocab]."""
    t = torch.tensor([ids], dtype=torch.long)
    with torch.no_grad():
        out = model(t, torch.ones_like(t), torch.arange(len(ids))[None], *tiny_llama.empty_past(config, 1))
    return out[0][0].double()


# --- the authors' formulas (batch of one, no padding) -------------------------------------------------------

def sampling_discrepancy_analytic(logits_ref, logits_score, labels):
    labels = labels.unsqueeze(-1)
    lprobs_score = torch.log_softmax(logits_score, dim=-1)
    probs_ref = torch.softmax(logits_ref, dim=-1)
    log_likelihood = lprobs_score.gather(dim=-1, index=labels).squeeze(-1)
    mean_ref = (probs_ref * lprobs_score).sum(dim=-1)
    var_ref = (probs_ref * torch.square(lprobs_score)).sum(dim=-1) - torch.square(mean_ref)
    return ((log_likelihood.sum(dim=-1) - mean_ref.sum(dim=-1)) / var_ref.sum(dim=-1).sqrt()).mean().item()


def binoculars_score(observer_logits, performer_logits, ids, pad_id):
    ids_t = torch.tensor([ids])
    mask = torch.ones_like(ids_t)
    ce = torch.nn.CrossEntropyLoss(reduction='none')
    shifted_logits, shifted_labels, shifted_mask = performer_logits[None, :-1], ids_t[:, 1:], mask[:, 1:]
    ppl = ((ce(shifted_logits.transpose(1, 2), shifted_labels) * shifted_mask).sum(1) / shifted_mask.sum(1)).item()
    vocab = observer_logits.shape[-1]
    p_proba = torch.softmax(observer_logits[None], dim=-1).view(-1, vocab)
    x = ce(input=performer_logits[None].reshape(-1, vocab), target=p_proba).view(-1, len(ids))
    pad_mask = (ids_t != pad_id).to(torch.float64)
    x_ppl = ((x * pad_mask).sum(1) / pad_mask.sum(1)).item()
    return ppl / x_ppl, ppl, x_ppl


# --- long text: per-token terms summed over windows ---------------------------------------------------------

def windows(n, size, overlap):
    """(start, end, first_label) per window: tokens [start, end) are read; labels [first_label, end) are predicted."""
    if n <= size:
        return [(0, n, 1)]
    out, end = [], min(size, n)
    out.append((0, end, 1))
    while end < n:
        nxt = min(end - overlap + size, n)
        start = nxt - size
        out.append((start, nxt, end))
        end = nxt
    return out


def terms(observer, performer, ids, size, overlap, pad_id):
    ll = mu = var = 0.0
    n_fast = 0
    ce_sum = x_sum = 0.0
    n_ppl = n_x = 0
    wins = windows(len(ids), size, overlap)
    for k, (s, e, first) in enumerate(wins):
        part = ids[s:e]
        lo = logits_of(*observer, part)
        lq = logits_of(*performer, part)
        lp = torch.log_softmax(lo, dim=-1)
        p = lp.exp()
        lpq = torch.log_softmax(lq, dim=-1)
        po = torch.softmax(lo, dim=-1)
        last_row = e - s if k == len(wins) - 1 else e - s - 1
        for r in range(first - 1 - s, last_row):
            if r < e - s - 1:
                y = part[r + 1]
                mean_r = (p[r] * lp[r]).sum().item()
                ll += lp[r, y].item()
                mu += mean_r
                var += (p[r] * lp[r] ** 2).sum().item() - mean_r ** 2
                n_fast += 1
                ce_sum += -lpq[r, y].item()
                n_ppl += 1
            if part[r] != pad_id:
                x_sum += -(po[r] * lpq[r]).sum().item()
                n_x += 1
    fast = (ll - mu) / math.sqrt(var) if var > 0 else float('nan')
    ppl, x_ppl = ce_sum / n_ppl, x_sum / n_x
    return {
        'fastdetectgpt': {'raw': fast, 'll': ll, 'mu': mu, 'var': var, 'n': n_fast},
        'binoculars': {'raw': ppl / x_ppl, 'ppl': ppl, 'x_ppl': x_ppl, 'n_ppl': n_ppl, 'n_x': n_x},
        'windows': [[s, e, f] for s, e, f in wins],
    }


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--observer', required=True)
    ap.add_argument('--performer', required=True)
    ap.add_argument('--request', required=True, help='JSON: {padId, cases: [{name, text, ids, window, overlap}]}')
    ap.add_argument('--out', required=True)
    a = ap.parse_args()
    observer, performer = load(a.observer), load(a.performer)
    with open(a.request) as f:
        req = json.load(f)
    pad_id = req['padId']
    out = []
    for c in req['cases']:
        ids, size, overlap = c['ids'], c['window'], c['overlap']
        r = terms(observer, performer, ids, size, overlap, pad_id)
        if len(ids) <= size:
            # One window: the authors' own computation must give the same numbers.
            lo, lq = logits_of(*observer, ids), logits_of(*performer, ids)
            labels = torch.tensor([ids[1:]])
            authors_fast = sampling_discrepancy_analytic(lo[None, :-1], lo[None, :-1], labels)
            authors_bino, ppl, x_ppl = binoculars_score(lo, lq, ids, pad_id)
            assert abs(authors_fast - r['fastdetectgpt']['raw']) < 1e-9, (authors_fast, r['fastdetectgpt'])
            assert abs(authors_bino - r['binoculars']['raw']) < 1e-9, (authors_bino, r['binoculars'])
            r['authors'] = {'fastdetectgpt': authors_fast, 'binoculars': authors_bino}
        out.append({**c, **r})
        print(f"{c['name']}: {len(ids)} tokens, {len(r['windows'])} window(s), fast-detectgpt {r['fastdetectgpt']['raw']:.6f}, binoculars {r['binoculars']['raw']:.6f}")
    with open(a.out, 'w') as f:
        json.dump({'note': 'written by scripts/make-test-models.ts (torch reference: scripts/zeroshot-reference.py); random-weight models, the numbers mean nothing',
                   'observer': os.path.basename(a.observer), 'performer': os.path.basename(a.performer), 'padId': pad_id, 'cases': out}, f, indent=1)
        f.write('\n')
