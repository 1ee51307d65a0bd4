"""Out-of-fold embedded-detector scores for the train texts that anchors.jsonl scores, for fitting the
embedded + RoBERTa combination (scripts/calibrate-combined.ts) on more than dev's 14 human texts.

    /usr/bin/python3 scripts/train/anchor_oof.py [--dump .cache/embedded] [--data ../shared/data/mgt]
                                                 [--out models/embedded/anchor-oof.json]

The shipped model was trained on these texts, so its own scores on them are optimistic. Instead: the
train anchor texts are split by group into K folds; for each fold the model is retrained (same
hyperparameters, one epoch, as the leave-one-out retrains) without any text of the fold's groups,
calibrated on dev exactly like the shipped model (Platt with a length term), and scores the fold.
Output: {id: calibrated p_machine} for those train texts (ids and numbers only, no text).
"""
import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import load_dump  # noqa: E402
from model import Batcher, balanced_weights, predict, train  # noqa: E402
from train import HPARAMS, SEED, calibrated, fit_calibration  # noqa: E402

K = 4
ANCHOR_DETECTOR = 'roberta-base-openai-detector'


def fold_of(group):
    """A fixed fold per group (hash, not position), so the folds do not depend on file order."""
    return int(hashlib.sha256(group.encode()).hexdigest()[:8], 16) % K


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument('--dump', default='.cache/embedded')
    ap.add_argument('--data', default=os.environ.get('TELLTALE_DATA') or os.path.join(here, '..', '..', '..', 'shared', 'data', 'mgt'))
    ap.add_argument('--out', default='models/embedded/anchor-oof.json')
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    t0 = time.time()
    anchored = set()
    for line in open(os.path.join(args.data, 'anchors.jsonl')):
        if line.strip():
            a = json.loads(line)
            if a['detector'] == ANCHOR_DETECTOR:
                anchored.add(a['id'])
    group_of = {}
    for line in open(os.path.join(args.data, 'corpus.jsonl')):
        r = json.loads(line)
        group_of[r['id']] = r['group']
    cfg, rows, off, idx, val, dense = load_dump(args.dump)
    print(f'loaded {len(rows)} texts ({time.time() - t0:.0f} s)', flush=True)
    split = np.array([r['split'] for r in rows])
    tr, dv = np.where(split == 'train')[0], np.where(split == 'dev')[0]
    groups = np.array([group_of[r['id']] for r in rows])
    folds = np.array([fold_of(g) for g in groups])
    is_anchor = np.array([r['id'] in anchored for r in rows])
    mu = dense[tr].mean(0)
    sd = dense[tr].std(0) + 1e-6
    b = Batcher(off, idx, val, dense)
    W = balanced_weights(rows)
    y_dev = np.array([rows[i]['label'] == 'machine' for i in dv], dtype=np.float64)
    words_dev = np.array([rows[i]['words'] for i in dv], dtype=np.float64)
    hp = dict(HPARAMS, epochs=1)
    out = {}
    for k in range(K):
        held_groups = set(groups[tr[is_anchor[tr] & (folds[tr] == k)]])
        held = np.isin(groups, list(held_groups))
        target = tr[is_anchor[tr] & held[tr]]
        net, _ = train(b, rows, tr[~held[tr]], dv, W, 1 << cfg['bucketBits'], dense.shape[1], mu, sd, seed=SEED,
                       log=lambda *a: None, **hp)
        cal = fit_calibration(predict(net, b, dv), words_dev, y_dev)
        words = np.array([rows[i]['words'] for i in target], dtype=np.float64)
        p = calibrated(cal, predict(net, b, target), words)
        for i, pi in zip(target, p):
            out[rows[i]['id']] = round(float(pi), 6)
        print(f'  fold {k + 1}/{K}: {len(held_groups)} groups, {len(target)} anchor texts scored ({time.time() - t0:.0f} s)', flush=True)
    with open(args.out, 'w') as f:
        json.dump({'detector': 'embedded', 'method': f'{K}-fold by group, 1-epoch retrains, Platt on dev', 'seed': SEED,
                   'p': dict(sorted(out.items()))}, f, indent=1)
        f.write('\n')
    print(f'wrote {args.out}: {len(out)} texts ({time.time() - t0:.0f} s)')


if __name__ == '__main__':
    main()
