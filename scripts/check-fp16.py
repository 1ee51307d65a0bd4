"""fp16 arithmetic check of the RoBERTa-shaped test models on a CUDA GPU (torch), for the variant choice.

The ONNX fp16 file can only be run with fp32 arithmetic here (onnxruntime's CPU provider casts), and
headless Chromium's software WebGPU adapter has no shader-f16. This rebuilds the same model as
make-test-models.py (same code, same seed), checks it reproduces model.onnx in fp32, then runs it in
float16 on the GPU on the same windows and reports the largest difference. torch accumulates fp16 matmuls
in fp32, so this bounds weight+activation rounding, not a WebGPU kernel that accumulates in fp16.

  python3 scripts/check-fp16.py WINDOWS.json [test/fixtures/tiny-roberta]
"""
import json, os, sys
import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
src = open(os.path.join(here, 'make-test-models.py')).read()
exec(src[: src.index("if len(sys.argv) > 1 and sys.argv[1] == '--requantize'")])  # classes and helpers only

windows = json.load(open(sys.argv[1]))
model_dir = sys.argv[2] if len(sys.argv) > 2 else 'test/fixtures/tiny-roberta'
cfg = json.load(open(os.path.join(model_dir, 'config.json')))


class A: pass


def build(vocab, hidden, layers, heads, seed, std):
    global ARGS
    ARGS = A(); ARGS.seed = seed
    torch.manual_seed(seed)
    m = Roberta(vocab, hidden, layers, heads).eval()
    init(m, std)
    return m


def run(m, ws, dtype, dev):
    m = m.to(dev).to(dtype)
    out = []
    with torch.no_grad():
        for ids in ws:
            t = torch.tensor([ids], device=dev)
            out.append(m(t, torch.ones_like(t)).float().cpu().numpy()[0])
    return np.array(out)


def mlogit(l):  # machine = index 0 for these configs
    return l[:, 0] - l[:, 1]


dev = 'cuda' if torch.cuda.is_available() else 'cpu'
tiny = build(cfg['vocab_size'], cfg['hidden_size'], cfg['num_hidden_layers'], cfg['num_attention_heads'], 1, 0.25)
ref = run(tiny, windows, torch.float32, 'cpu')
try:
    import onnxruntime as ort
    s = ort.InferenceSession(os.path.join(model_dir, 'onnx/model.onnx'), providers=['CPUExecutionProvider'])
    onnx_l = np.array([s.run(None, {'input_ids': np.array([w]), 'attention_mask': np.ones((1, len(w)), np.int64)})[0][0] for w in windows])
    print(f'rebuilt torch model vs model.onnx (fp32): max |dlogit| {np.abs(mlogit(ref) - mlogit(onnx_l)).max():.2e}')
except ImportError:
    print('onnxruntime not installed: cannot confirm the rebuilt weights equal model.onnx')
if dev == 'cuda':
    f32 = run(tiny, windows, torch.float32, dev)
    torch.backends.cuda.matmul.allow_tf32 = False
    f16 = run(tiny, windows, torch.float16, dev)
    sig = lambda x: 1 / (1 + np.exp(-x))
    print(f'tiny model, {len(windows)} windows, fp16 on {torch.cuda.get_device_name()} vs fp32: max |dlogit| {np.abs(mlogit(f16) - mlogit(f32)).max():.2e}, max |dP| {np.abs(sig(mlogit(f16)) - sig(mlogit(f32))).max():.2e}')
    base = build(50265, 768, 12, 12, 7, 0.02)
    rng = np.random.default_rng(0)
    bw = [[0] + list(rng.integers(4, 50000, n - 2)) + [2] for n in (128, 128, 512, 512, 300)]
    b32, b16 = run(base, bw, torch.float32, dev), run(base, bw, torch.float16, dev)
    print(f'RoBERTa-base-sized random model, 5 windows (128-512), fp16 vs fp32: max |dlogit| {np.abs(mlogit(b16) - mlogit(b32)).max():.2e} (fp32 logits span {np.ptp(mlogit(b32)):.2e})')
else:
    print('no CUDA: fp16 arithmetic not checked')
