"""RoBERTa-for-sequence-classification-shaped ONNX graphs with random weights (called by make-test-models.ts).

Writes, into --out:
  model.onnx            fp32, exported by torch (opset 17): inputs input_ids, attention_mask int64 [batch, seq],
                        output logits float32 [batch, 2]
  model_quantized.onnx  8-bit, made the way onnxruntime's quantize_dynamic does it (DynamicQuantizeLinear ->
                        MatMulInteger -> Cast -> Mul by a_scale*b_scale, int8 weights with per-column scales),
                        word embeddings stored int8 (Gather -> DequantizeLinear)
  model_fp16.onnx       every float tensor in float16; logits cast back to float32 at the end

Needs Debian's python3-torch (1.13) and python3-onnx; run with /usr/bin/python3.
"""
import argparse, math, os, sys
import numpy as np
import torch
from torch import nn
import onnx
from onnx import helper, numpy_helper, TensorProto
from onnx_fp16 import to_fp16

PAD = 1


class Layer(nn.Module):
    def __init__(s, h, heads):
        super().__init__()
        s.heads, s.d = heads, h // heads
        s.q, s.k, s.v, s.o = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        s.ln1, s.ln2 = nn.LayerNorm(h, eps=1e-5), nn.LayerNorm(h, eps=1e-5)
        s.fc1, s.fc2 = nn.Linear(h, 4 * h), nn.Linear(4 * h, h)

    def split(s, x):
        b, t, _ = x.shape
        return x.view(b, t, s.heads, s.d).transpose(1, 2)

    def forward(s, x, bias):
        q, k, v = s.split(s.q(x)), s.split(s.k(x)), s.split(s.v(x))
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(s.d) + bias, dim=-1)
        ctx = (att @ v).transpose(1, 2).reshape(x.shape)
        x = s.ln1(x + s.o(ctx))
        return s.ln2(x + s.fc2(nn.functional.gelu(s.fc1(x))))


class Roberta(nn.Module):
    def __init__(s, vocab, h, layers, heads):
        super().__init__()
        s.word = nn.Embedding(vocab, h, padding_idx=PAD)
        s.pos = nn.Embedding(514, h, padding_idx=PAD)
        s.typ = nn.Embedding(1, h)
        s.ln = nn.LayerNorm(h, eps=1e-5)
        s.layers = nn.ModuleList([Layer(h, heads) for _ in range(layers)])
        s.dense, s.out = nn.Linear(h, h), nn.Linear(h, 2)

    def forward(s, input_ids, attention_mask):
        # RoBERTa's positions: padding_idx + 1 + index among non-pad tokens; pads get padding_idx.
        m = (input_ids != PAD).long()
        pos = torch.cumsum(m, dim=1) * m + PAD
        x = s.ln(s.word(input_ids) + s.pos(pos) + s.typ.weight[0])
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
        for layer in s.layers:
            x = layer(x, bias)
        return s.out(torch.tanh(s.dense(x[:, 0, :])))


def init(model, std):
    g = torch.Generator().manual_seed(ARGS.seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith('bias'):
                p.copy_(torch.randn(p.shape, generator=g) * 0.1)
            elif 'ln' in name:
                p.copy_(1.0 + torch.randn(p.shape, generator=g) * 0.1)
            else:
                p.copy_(torch.randn(p.shape, generator=g) * std)


def quantize(src, dst, mode='int8'):
    m = onnx.load(src)
    g = m.graph
    inits = {t.name: t for t in g.initializer}
    nodes, drop = [], set()
    for n in g.node:
        w = inits.get(n.input[1]) if n.op_type == 'MatMul' and len(n.input) > 1 else None
        if w is not None and len(w.dims) == 2:
            W = numpy_helper.to_array(w).astype(np.float32)
            if mode == 'uint8':
                # per tensor, asymmetric uint8 (onnxruntime's older quantize_dynamic default)
                lo, hi = min(float(W.min()), 0.0), max(float(W.max()), 0.0)
                scale = np.array(max(hi - lo, 1e-12) / 255.0, np.float32)
                zp = np.array(np.clip(np.round(-lo / scale), 0, 255), np.uint8)
                Wq = np.clip(np.round(W / scale) + zp, 0, 255).astype(np.uint8)
            elif mode == 'int8-tensor':
                scale = np.array(max(float(np.abs(W).max()), 1e-12) / 127.0, np.float32)
                zp = np.array(0, np.int8)
                Wq = np.clip(np.round(W / scale), -127, 127).astype(np.int8)
            else:
                scale = (np.maximum(np.abs(W).max(axis=0), 1e-12) / 127.0).astype(np.float32)
                zp = np.zeros(W.shape[1], np.int8)
                Wq = np.clip(np.round(W / scale), -127, 127).astype(np.int8)
            b = n.output[0]
            g.initializer.extend([
                numpy_helper.from_array(Wq, w.name + '_quantized'),
                numpy_helper.from_array(scale, w.name + '_scale'),
                numpy_helper.from_array(zp, w.name + '_zero_point'),
            ])
            drop.add(w.name)
            a = n.input[0]
            nodes += [
                helper.make_node('DynamicQuantizeLinear', [a], [b + '_aq', b + '_as', b + '_az'], name=b + '_dql'),
                helper.make_node('MatMulInteger', [b + '_aq', w.name + '_quantized', b + '_az', w.name + '_zero_point'], [b + '_i32'], name=b + '_mmi'),
                helper.make_node('Cast', [b + '_i32'], [b + '_f'], to=TensorProto.FLOAT, name=b + '_cast'),
                helper.make_node('Mul', [b + '_as', w.name + '_scale'], [b + '_s'], name=b + '_scale_mul'),
                helper.make_node('Mul', [b + '_f', b + '_s'], [b], name=b + '_mul'),
            ]
        elif n.op_type == 'Gather' and n.input[0] in inits and inits[n.input[0]].dims[0] == ARGS.vocab:
            e = inits[n.input[0]]
            E = numpy_helper.to_array(e).astype(np.float32)
            s = max(float(np.abs(E).max()), 1e-12) / 127.0
            g.initializer.extend([
                numpy_helper.from_array(np.clip(np.round(E / s), -127, 127).astype(np.int8), e.name + '_quantized'),
                numpy_helper.from_array(np.array(s, np.float32), e.name + '_scale'),
                numpy_helper.from_array(np.array(0, np.int8), e.name + '_zero_point'),
            ])
            drop.add(e.name)
            o = n.output[0]
            nodes += [
                helper.make_node('Gather', [e.name + '_quantized', n.input[1]], [o + '_q'], name=o + '_gather_q', axis=0),
                helper.make_node('DequantizeLinear', [o + '_q', e.name + '_scale', e.name + '_zero_point'], [o], name=o + '_dq'),
            ]
        else:
            nodes.append(n)
    keep = [t for t in g.initializer if t.name not in drop]
    del g.initializer[:]
    g.initializer.extend(keep)
    del g.node[:]
    g.node.extend(nodes)
    del g.value_info[:]
    onnx.checker.check_model(m)
    onnx.save(m, dst)


if len(sys.argv) > 1 and sys.argv[1] == '--requantize':
    # make-test-models.py --requantize SRC DST MODE VOCAB: another 8-bit scheme, for comparisons
    class _A: vocab = int(sys.argv[5])
    ARGS = _A()
    quantize(sys.argv[2], sys.argv[3], sys.argv[4])
    sys.exit(0)

p = argparse.ArgumentParser()
p.add_argument('--out', required=True)
p.add_argument('--vocab', type=int, required=True)
p.add_argument('--hidden', type=int, default=32)
p.add_argument('--layers', type=int, default=2)
p.add_argument('--heads', type=int, default=4)
p.add_argument('--seed', type=int, default=1)
p.add_argument('--std', type=float, default=None)
p.add_argument('--swap', action='store_true')
p.add_argument('--variants', default='fp32,q8,fp16')
ARGS = p.parse_args()

torch.manual_seed(ARGS.seed)
model = Roberta(ARGS.vocab, ARGS.hidden, ARGS.layers, ARGS.heads).eval()
init(model, ARGS.std if ARGS.std is not None else (0.25 if ARGS.hidden <= 64 else 0.02))
if ARGS.swap:
    with torch.no_grad():
        model.out.weight.copy_(model.out.weight.flip(0))
        model.out.bias.copy_(model.out.bias.flip(0))
os.makedirs(ARGS.out, exist_ok=True)
fp32 = os.path.join(ARGS.out, 'model.onnx')
ids = torch.tensor([[0, 100, 200, 300, 2], [0, 150, 2, 1, 1]], dtype=torch.long)
mask = (ids != PAD).long()
torch.onnx.export(model, (ids, mask), fp32, input_names=['input_ids', 'attention_mask'], output_names=['logits'],
                  dynamic_axes={'input_ids': {0: 'batch', 1: 'sequence'}, 'attention_mask': {0: 'batch', 1: 'sequence'},
                                'logits': {0: 'batch'}}, opset_version=17, do_constant_folding=True)
m = onnx.load(fp32)
m.producer_name = 'telltale make-test-models'
onnx.save(m, fp32)
variants = ARGS.variants.split(',')
if 'q8' in variants:
    quantize(fp32, os.path.join(ARGS.out, 'model_quantized.onnx'))
if 'fp16' in variants:
    to_fp16(fp32, os.path.join(ARGS.out, 'model_fp16.onnx'), io='float32')
with torch.no_grad():
    print('torch logits', model(ids, mask).numpy().round(4).tolist())
for f in sorted(os.listdir(ARGS.out)):
    print(f, os.path.getsize(os.path.join(ARGS.out, f)))
