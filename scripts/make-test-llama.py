"""Llama-shaped causal language models with random weights, in the Transformers.js / optimum ONNX layout for
decoder-only models (called by make-test-models.ts; the reference numbers come from zeroshot-reference.py,
which imports the model from here).

Writes, into --out:
  model.onnx            fp32, exported by torch (opset 17). Inputs input_ids, attention_mask (past + current
                        length), position_ids int64, past_key_values.{i}.key / .value float32
                        [batch, kv_heads, past_len, head_dim]; outputs logits float32 [batch, seq, vocab] and
                        present.{i}.key / .value.
  model_quantized.onnx  8-bit as onnxruntime's quantize_dynamic makes it (DynamicQuantizeLinear -> MatMulInteger,
                        int8 weights with per-column scales, activations quantised with one scale per tensor),
                        made by make-test-models.py --requantize
  model_fp16.onnx       every float tensor in float16, including the past/present inputs and outputs and the
                        logits (as the Hub's fp16 exports have them)
  model_q4.onnx         4-bit weights as the Hub's q4 exports have them: every MatMul with a constant weight
                        becomes com.microsoft MatMulNBits (bits 4, block 32, a scale per block and column, no
                        zero points: zero point 8), fp32 activations; embeddings stay fp32

`make-test-llama.py --sincos FILE` writes instead a graph of one Sin and one Cos of a float32 input (for
test/unit/exact-trig.test.ts).

The architecture is LlamaForCausalLM's (RMSNorm, rotary embeddings with rotate_half, grouped-query attention,
SwiGLU MLP, tied input/output embeddings), written out here in plain torch so that it needs no `transformers`.
Needs Debian's python3-torch (1.13) and python3-onnx; run with /usr/bin/python3.
"""
import argparse, json, math, os, subprocess, sys
import numpy as np
import torch
from torch import nn
import onnx
from onnx import helper, numpy_helper, TensorProto
from onnx_fp16 import to_fp16


class RMSNorm(nn.Module):
    def __init__(s, h, eps):
        super().__init__()
        s.weight, s.eps = nn.Parameter(torch.ones(h)), eps

    def forward(s, x):
        return s.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + s.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Layer(nn.Module):
    def __init__(s, c):
        super().__init__()
        h, s.heads, s.kv, s.d = c['hidden_size'], c['num_attention_heads'], c['num_key_value_heads'], c['head_dim']
        s.q_proj = nn.Linear(h, s.heads * s.d, bias=False)
        s.k_proj = nn.Linear(h, s.kv * s.d, bias=False)
        s.v_proj = nn.Linear(h, s.kv * s.d, bias=False)
        s.o_proj = nn.Linear(s.heads * s.d, h, bias=False)
        s.gate_proj = nn.Linear(h, c['intermediate_size'], bias=False)
        s.up_proj = nn.Linear(h, c['intermediate_size'], bias=False)
        s.down_proj = nn.Linear(c['intermediate_size'], h, bias=False)
        s.input_layernorm = RMSNorm(h, c['rms_norm_eps'])
        s.post_attention_layernorm = RMSNorm(h, c['rms_norm_eps'])

    def forward(s, x, cos, sin, bias, past_k, past_v):
        b, t, _ = x.shape
        y = s.input_layernorm(x)
        q = s.q_proj(y).view(b, t, s.heads, s.d).transpose(1, 2)
        k = s.k_proj(y).view(b, t, s.kv, s.d).transpose(1, 2)
        v = s.v_proj(y).view(b, t, s.kv, s.d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        rep = s.heads // s.kv
        total = k.shape[2]
        kk = k[:, :, None].expand(b, s.kv, rep, total, s.d).reshape(b, s.heads, total, s.d)
        vv = v[:, :, None].expand(b, s.kv, rep, total, s.d).reshape(b, s.heads, total, s.d)
        att = torch.softmax(q @ kk.transpose(-1, -2) / math.sqrt(s.d) + bias, dim=-1)
        x = x + s.o_proj((att @ vv).transpose(1, 2).reshape(b, t, s.heads * s.d))
        y = s.post_attention_layernorm(x)
        return x + s.down_proj(nn.functional.silu(s.gate_proj(y)) * s.up_proj(y)), k, v


class Llama(nn.Module):
    def __init__(s, c):
        super().__init__()
        s.c = c
        s.embed_tokens = nn.Embedding(c['vocab_size'], c['hidden_size'])
        s.layers = nn.ModuleList([Layer(c) for _ in range(c['num_hidden_layers'])])
        s.norm = RMSNorm(c['hidden_size'], c['rms_norm_eps'])
        d = c['head_dim']
        s.register_buffer('inv_freq', 1.0 / (c['rope_theta'] ** (torch.arange(0, d, 2, dtype=torch.float32) / d)), persistent=False)

    def forward(s, input_ids, attention_mask, position_ids, *past):
        x = s.embed_tokens(input_ids)
        freqs = position_ids[:, :, None].to(torch.float32) * s.inv_freq[None, None, :]
        emb = torch.cat([freqs, freqs], dim=-1)
        cos, sin = emb.cos()[:, None], emb.sin()[:, None]
        t = input_ids.shape[1]
        past_len = past[0].shape[2]
        total = attention_mask.shape[1]
        # Query i sits at absolute position past_len + i and sees key j when j <= past_len + i and the mask allows j.
        causal = torch.arange(total)[None, :] <= (torch.arange(t)[:, None] + past_len)
        allowed = causal[None, None] & (attention_mask[:, None, None, :] > 0)
        bias = (~allowed).to(x.dtype) * -10000.0
        presents = []
        for i, layer in enumerate(s.layers):
            x, k, v = layer(x, cos, sin, bias, past[2 * i], past[2 * i + 1])
            presents += [k, v]
        logits = s.norm(x) @ s.embed_tokens.weight.t()
        return (logits, *presents)


def init(model, seed, std):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if 'layernorm' in name or name == 'norm.weight':
                p.copy_(1.0 + torch.randn(p.shape, generator=g) * 0.1)
            else:
                p.copy_(torch.randn(p.shape, generator=g) * std)


def build(config, seed, std=None):
    """The model for a config.json and seed, deterministic (zeroshot-reference.py rebuilds it the same way)."""
    torch.manual_seed(seed)
    m = Llama(config).eval()
    init(m, seed, std if std is not None else (0.3 if config['hidden_size'] <= 64 else 0.02))
    return m


def empty_past(config, batch):
    return [torch.zeros(batch, config['num_key_value_heads'], 0, config['head_dim']) for _ in range(2 * config['num_hidden_layers'])]


def export(model, config, path):
    L = config['num_hidden_layers']
    b, t, p = 2, 3, 2
    ids = torch.randint(4, config['vocab_size'], (b, t))
    mask = torch.ones(b, p + t, dtype=torch.long)
    pos = torch.arange(p, p + t)[None].expand(b, t).contiguous()
    past = [torch.randn(b, config['num_key_value_heads'], p, config['head_dim']) * 0.1 for _ in range(2 * L)]
    past_names = [f'past_key_values.{i}.{kv}' for i in range(L) for kv in ('key', 'value')]
    present_names = [f'present.{i}.{kv}' for i in range(L) for kv in ('key', 'value')]
    dyn = {'input_ids': {0: 'batch_size', 1: 'sequence_length'}, 'attention_mask': {0: 'batch_size', 1: 'total_sequence_length'},
           'position_ids': {0: 'batch_size', 1: 'sequence_length'}, 'logits': {0: 'batch_size', 1: 'sequence_length'}}
    for n in past_names:
        dyn[n] = {0: 'batch_size', 2: 'past_sequence_length'}
    for n in present_names:
        dyn[n] = {0: 'batch_size', 2: 'total_sequence_length'}
    with torch.no_grad():
        torch.onnx.export(model, (ids, mask, pos, *past), path, input_names=['input_ids', 'attention_mask', 'position_ids', *past_names],
                          output_names=['logits', *present_names], dynamic_axes=dyn, opset_version=17, do_constant_folding=True)
    m = onnx.load(path)
    m.producer_name = 'telltale make-test-models'
    onnx.save(m, path)


def to_q4(src, dst, block=32):
    m = onnx.load(src)
    g = m.graph
    inits = {t.name: t for t in g.initializer}
    nodes, drop = [], set()
    for n in g.node:
        w = inits.get(n.input[1]) if n.op_type == 'MatMul' and len(n.input) > 1 else None
        if w is None or len(w.dims) != 2:
            nodes.append(n)
            continue
        W = numpy_helper.to_array(w).astype(np.float32)  # [K, N]: y = x @ W
        K, N = W.shape
        kb = (K + block - 1) // block
        Wp = np.zeros((kb * block, N), np.float32)
        Wp[:K] = W
        blocks = Wp.T.reshape(N, kb, block)  # per column, per block along K
        scale = np.maximum(np.abs(blocks).max(axis=2), 1e-12) / 7.0
        q = np.clip(np.round(blocks / scale[:, :, None]) + 8, 0, 15).astype(np.uint8)
        packed = (q[:, :, 0::2] | (q[:, :, 1::2] << 4)).astype(np.uint8)  # element 2i low nibble, 2i+1 high
        b = n.output[0]
        g.initializer.extend([numpy_helper.from_array(packed, w.name + '_q4'), numpy_helper.from_array(scale.reshape(-1).astype(np.float32), w.name + '_q4_scales')])
        drop.add(w.name)
        nodes.append(helper.make_node('MatMulNBits', [n.input[0], w.name + '_q4', w.name + '_q4_scales'], [b], name=b + '_q4',
                                      domain='com.microsoft', K=K, N=N, bits=4, block_size=block))
    keep = [t for t in g.initializer if t.name not in drop]
    del g.initializer[:]
    g.initializer.extend(keep)
    del g.node[:]
    g.node.extend(nodes)
    del g.value_info[:]
    if not any(o.domain == 'com.microsoft' for o in m.opset_import):
        m.opset_import.append(helper.make_opsetid('com.microsoft', 1))
    onnx.save(m, dst)


def write_sincos(path):
    """Sin and Cos of one float32 input x [n] (outputs sin, cos): for test/unit/exact-trig.test.ts."""
    F = TensorProto.FLOAT
    g = helper.make_graph([helper.make_node('Sin', ['x'], ['sin'], name='sin'), helper.make_node('Cos', ['x'], ['cos'], name='cos')], 'sincos',
                          [helper.make_tensor_value_info('x', F, ['n'])],
                          [helper.make_tensor_value_info('sin', F, ['n']), helper.make_tensor_value_info('cos', F, ['n'])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)], producer_name='telltale make-test-models')
    onnx.checker.check_model(m)
    onnx.save(m, path)


def config_for(a):
    return {
        'architectures': ['LlamaForCausalLM'], 'model_type': 'llama',
        'vocab_size': a.vocab, 'hidden_size': a.hidden, 'intermediate_size': a.intermediate,
        'num_hidden_layers': a.layers, 'num_attention_heads': a.heads, 'num_key_value_heads': a.kv_heads,
        'head_dim': a.hidden // a.heads, 'hidden_act': 'silu', 'max_position_embeddings': a.max_positions,
        'rms_norm_eps': 1e-5, 'rope_theta': a.rope_theta, 'rope_scaling': None, 'tie_word_embeddings': True,
        'attention_bias': False, 'mlp_bias': False, 'bos_token_id': a.bos, 'eos_token_id': a.eos,
        'torch_dtype': 'float32', 'use_cache': True,
        'transformers.js_config': {'kv_cache_dtype': {'fp16': 'float16', 'q4f16': 'float16'}},
        '_telltale': {'seed': a.seed, 'note': 'random weights, generated by scripts/make-test-models.ts; scores mean nothing'},
    }


if __name__ == '__main__':
    p = argparse.ArgumentParser()
    if len(sys.argv) == 3 and sys.argv[1] == '--sincos':
        write_sincos(sys.argv[2])
        sys.exit(0)
    p.add_argument('--out', required=True, help='model folder (config.json is written there, the ONNX files into onnx/)')
    p.add_argument('--vocab', type=int, required=True)
    p.add_argument('--hidden', type=int, default=32)
    p.add_argument('--intermediate', type=int, default=64)
    p.add_argument('--layers', type=int, default=2)
    p.add_argument('--heads', type=int, default=4)
    p.add_argument('--kv-heads', type=int, default=2)
    p.add_argument('--max-positions', type=int, default=2048)
    p.add_argument('--rope-theta', type=float, default=100000.0)
    p.add_argument('--bos', type=int, default=0)
    p.add_argument('--eos', type=int, default=0)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--variants', default='fp32,q8,fp16,q4')
    a = p.parse_args()
    config = config_for(a)
    model = build(config, a.seed)
    onnx_dir = os.path.join(a.out, 'onnx')
    os.makedirs(onnx_dir, exist_ok=True)
    with open(os.path.join(a.out, 'config.json'), 'w') as f:
        json.dump(config, f, indent=2)
        f.write('\n')
    fp32 = os.path.join(onnx_dir, 'model.onnx')
    export(model, config, fp32)
    variants = a.variants.split(',')
    if 'q8' in variants:
        here = os.path.dirname(os.path.abspath(__file__))
        subprocess.check_call([sys.executable, os.path.join(here, 'make-test-models.py'), '--requantize', fp32,
                               os.path.join(onnx_dir, 'model_quantized.onnx'), 'int8', str(a.vocab)])
    if 'fp16' in variants:
        to_fp16(fp32, os.path.join(onnx_dir, 'model_fp16.onnx'), io='float16')
    if 'q4' in variants:
        to_q4(fp32, os.path.join(onnx_dir, 'model_q4.onnx'))
    for f in sorted(os.listdir(onnx_dir)):
        print(f, os.path.getsize(os.path.join(onnx_dir, f)))
