"""Shared helpers for the embedded detector's training: load the dumped features, metrics."""
import json
import os

import numpy as np


def load_dump(path):
    cfg = json.load(open(os.path.join(path, 'config.json')))
    rows = [json.loads(l) for l in open(os.path.join(path, 'rows.jsonl')) if l.strip()]
    D = len(cfg['denseNames'])
    off, idx, val, dense = read_records(os.path.join(path, 'features.bin'), len(rows), D)
    return cfg, rows, off, idx, val, dense


def load_truncated(path, D):
    trows = [json.loads(l) for l in open(os.path.join(path, 'truncated.jsonl')) if l.strip()]
    return (trows,) + read_records(os.path.join(path, 'truncated.bin'), len(trows), D)


def read_records(file, n, D):
    raw = np.fromfile(file, dtype=np.uint8)
    offsets = np.zeros(n + 1, dtype=np.int64)  # into the flat idx/val arrays
    idx_parts, val_parts = [], []
    dense = np.zeros((n, D), dtype=np.float32)
    pos = 0
    tot = 0
    for i in range(n):
        m = int(raw[pos:pos + 4].view(np.int32)[0])
        pos += 4
        idx_parts.append(raw[pos:pos + 4 * m].view(np.int32))
        pos += 4 * m
        val_parts.append(raw[pos:pos + 4 * m].view(np.float32))
        pos += 4 * m
        dense[i] = raw[pos:pos + 4 * D].view(np.float32)
        pos += 4 * D
        tot += m
        offsets[i + 1] = tot
    assert pos == raw.size, (pos, raw.size)
    idx = np.concatenate(idx_parts).astype(np.int64)
    val = np.concatenate(val_parts)
    return offsets, idx, val, dense


def auroc(y, s):
    y = np.asarray(y).astype(bool)
    s = np.asarray(s, dtype=np.float64)
    npos, nneg = y.sum(), (~y).sum()
    if npos == 0 or nneg == 0:
        return float('nan')
    order = np.argsort(s, kind='mergesort')
    ranks = np.empty(len(s), dtype=np.float64)
    ss = s[order]
    # average ranks for ties
    i = 0
    r = np.arange(1, len(s) + 1, dtype=np.float64)
    uniq, inv, counts = np.unique(ss, return_inverse=True, return_counts=True)
    csum = np.cumsum(counts)
    avg = csum - (counts - 1) / 2.0
    ranks[order] = avg[inv]
    return float((ranks[y].sum() - npos * (npos + 1) / 2) / (npos * nneg))


def eval_sets(rows, idxs, scores, min_per_class=20):
    """(source, domain, generator) sets: machine texts of one generator vs the human texts of the same source+domain."""
    by_sd_h = {}
    by_sdg_m = {}
    for k, i in enumerate(idxs):
        r = rows[i]
        key = (r['source'], r['domain'])
        if r['label'] == 'human':
            by_sd_h.setdefault(key, []).append(k)
        else:
            by_sdg_m.setdefault(key + (r['generator'],), []).append(k)
    out = []
    for key, m in sorted(by_sdg_m.items()):
        h = by_sd_h.get(key[:2], [])
        if len(h) >= min_per_class and len(m) >= min_per_class:
            y = np.r_[np.zeros(len(h)), np.ones(len(m))]
            s = np.r_[scores[h], scores[m]]
            out.append((key, len(h), len(m), auroc(y, s)))
    return out
