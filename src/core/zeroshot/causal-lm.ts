/**
 * A causal language model in the Transformers.js / optimum ONNX layout for decoder-only models, run in one
 * pass per window: inputs `input_ids`, `attention_mask`, `position_ids` and `past_key_values.{i}.key` /
 * `.value` (empty: past length 0), output `logits` [batch, seq, vocab]. The runner is injected, so the
 * same code runs on onnxruntime-web (wasm or WebGPU: extension, CLI) and onnxruntime-node (bench, tests).
 *
 * Batches are padded on the right (pad id, attention mask 0) with position ids 0..len-1 per row. In a
 * causal model a real token never attends to a later position, and the mask keeps pads out of the
 * attention of everything, so a window's logits do not depend on what it is batched with, up to float
 * noise. Except with 8-bit models: onnxruntime's dynamic quantisation (DynamicQuantizeLinear) computes
 * one activation scale per tensor, over the whole batch including the padding, so there a window's
 * logits would depend on its neighbours. Quantised variants therefore run one window at a time.
 */
import { ort } from '../runtime.ts';
import type { Variant } from '../hub/registry.ts';
import type { Backend } from '../runtime.ts';
import type { TextTokenizer } from '../tokenizer.ts';
import type { LmWindow } from './windows.ts';
import { halfToFloat } from '../float16.ts';

/** What the runner needs from config.json. */
export interface LmShape {
  modelType?: string;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  maxPositions?: number;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Reads the shape of the model from its config.json (Llama, Qwen2, and similar decoder-only configs). */
export function lmShapeFromConfig(config: Record<string, unknown>): LmShape {
  const layers = num(config.num_hidden_layers) ?? num(config.n_layer);
  const heads = num(config.num_attention_heads) ?? num(config.n_head);
  const hidden = num(config.hidden_size) ?? num(config.n_embd);
  const kvHeads = num(config.num_key_value_heads) ?? heads;
  const headDim = num(config.head_dim) ?? (hidden && heads ? hidden / heads : undefined);
  const vocab = num(config.vocab_size);
  if (!layers || !heads || !kvHeads || !headDim || !vocab || !Number.isInteger(headDim)) {
    throw new Error(`config.json does not describe a decoder-only model (layers ${layers}, heads ${heads}, kv heads ${kvHeads}, head_dim ${headDim}, vocab ${vocab})`);
  }
  return { modelType: typeof config.model_type === 'string' ? config.model_type : undefined, layers, heads, kvHeads, headDim, vocab, maxPositions: num(config.max_position_embeddings) };
}

/** Logits of one padded batch, position by position. */
export interface LogitsBatch {
  vocab: number;
  /**
   * Logits of position `t` of row `b` as float32: a view of the output when the model gives float32,
   * else decoded (float16) into `out` or a new buffer. Valid until dispose().
   */
  row(b: number, t: number, out?: Float32Array): Float32Array;
  dispose(): void;
}

/** Runs one padded batch (row-major [batch, seq] int64 inputs). */
export type LmRunner = (ids: BigInt64Array, mask: BigInt64Array, positions: BigInt64Array, batch: number, seq: number) => Promise<LogitsBatch>;

interface TensorLike {
  type: string;
  data: unknown;
  dims: readonly number[];
  dispose?(): void;
}
interface LmSessionLike {
  inputNames: readonly string[];
  outputNames: readonly string[];
  inputMetadata?: readonly { name: string; isTensor: boolean; type?: string; shape?: readonly (number | string)[] }[];
  run(feeds: Record<string, unknown>, fetches: readonly string[]): Promise<Record<string, TensorLike>>;
}
type TensorCtor = new (type: string, data: unknown, dims: number[]) => unknown;

const HALF = (() => {
  const t = new Float32Array(65536);
  for (let i = 0; i < 65536; i++) t[i] = halfToFloat(i);
  return t;
})();

export interface LmRunnerOptions {
  /** onnxruntime-web's Tensor by default; pass onnxruntime-node's to run there. */
  Tensor?: TensorCtor;
  /** Type of the past key/value inputs when the session does not say (fp16 variants: float16). */
  kvType?: 'float32' | 'float16';
}

/**
 * A runner over an ONNX Runtime session. Checks the session's inputs against config.json: one key and one
 * value input per layer, with the kv heads and head size config.json gives, and a `logits` output.
 */
export function lmSessionRunner(session: LmSessionLike, shape: LmShape, opts: LmRunnerOptions = {}): LmRunner {
  const Tensor = opts.Tensor ?? (ort.Tensor as unknown as TensorCtor);
  for (const name of ['input_ids', 'attention_mask']) {
    if (!session.inputNames.includes(name)) throw new Error(`the model has no input "${name}" (inputs: ${session.inputNames.join(', ')})`);
  }
  if (!session.outputNames.includes('logits')) throw new Error(`the model has no output "logits" (outputs: ${session.outputNames.join(', ')})`);
  const past = session.inputNames.filter((n) => n.startsWith('past_key_values.'));
  const pastNames: string[] = [];
  if (past.length > 0) {
    for (let i = 0; i < shape.layers; i++) pastNames.push(`past_key_values.${i}.key`, `past_key_values.${i}.value`);
    const missing = pastNames.filter((n) => !past.includes(n));
    const extra = past.filter((n) => !pastNames.includes(n));
    if (missing.length || extra.length) {
      throw new Error(`the model's past inputs do not match config.json's ${shape.layers} layers (missing ${missing.slice(0, 3).join(', ') || 'none'}; unexpected ${extra.slice(0, 3).join(', ') || 'none'})`);
    }
  }
  let kvType: string = opts.kvType ?? 'float32';
  const meta = session.inputMetadata?.find((m) => m.name === pastNames[0]);
  if (meta?.isTensor && meta.type) {
    kvType = meta.type;
    const [, h, , d] = meta.shape ?? [];
    if ((typeof h === 'number' && h !== shape.kvHeads) || (typeof d === 'number' && d !== shape.headDim)) {
      throw new Error(`the model's past inputs are [batch, ${h}, past, ${d}], config.json says ${shape.kvHeads} kv heads of size ${shape.headDim}`);
    }
  }
  if (kvType !== 'float32' && kvType !== 'float16') throw new Error(`past key/value inputs of type ${kvType} are not supported`);
  const positions = session.inputNames.includes('position_ids');
  const cacheBranch = session.inputNames.includes('use_cache_branch');

  return async (ids, mask, pos, batch, seq) => {
    const feeds: Record<string, unknown> = {
      input_ids: new Tensor('int64', ids, [batch, seq]),
      attention_mask: new Tensor('int64', mask, [batch, seq]),
    };
    if (positions) feeds.position_ids = new Tensor('int64', pos, [batch, seq]);
    if (cacheBranch) feeds.use_cache_branch = new Tensor('bool', new Uint8Array([0]), [1]);
    for (const name of pastNames) {
      feeds[name] = new Tensor(kvType, kvType === 'float16' ? new Uint16Array(0) : new Float32Array(0), [batch, shape.kvHeads, 0, shape.headDim]);
    }
    const res = await session.run(feeds, ['logits']);
    const t = res.logits!;
    const [b, s, vocab] = t.dims;
    if (b !== batch || s !== seq || !vocab) throw new Error(`logits of shape [${t.dims.join(', ')}] for a [${batch}, ${seq}] batch`);
    for (const v of Object.values(feeds)) (v as { dispose?(): void }).dispose?.();
    const data = t.data;
    const row = (r: number, p: number, out?: Float32Array): Float32Array => {
      const at = (r * seq + p) * vocab;
      if (data instanceof Float32Array) return data.subarray(at, at + vocab);
      if (t.type === 'float16' && data instanceof Uint16Array) {
        const o = out ?? new Float32Array(vocab);
        for (let i = 0; i < vocab; i++) o[i] = HALF[data[at + i]!]!;
        return o;
      }
      throw new Error(`logits of type ${t.type} are not supported`);
    };
    return { vocab, row, dispose: () => t.dispose?.() };
  };
}

/** A loaded causal language model: what the detectors need. */
export interface CausalLm {
  /** Repo or name, for messages. */
  id: string;
  /** The model's own tokenizer, with its special tokens (as `tokenizer(text)` in the reference code). */
  tokenizer: TextTokenizer;
  /** tokenizer.json's vocabulary (Binoculars checks that its two models share it). */
  vocabulary?: Map<string, number>;
  shape: LmShape;
  run: LmRunner;
  /** Windows per run. 1 for 8-bit and 4-bit variants (see the top of this file). */
  maxBatch: number;
  /** Padded positions per run: bounds the logits held at once (positions x vocab floats). */
  maxBatchTokens: number;
  variant?: Variant;
  backend?: Backend;
  dispose?(): Promise<void>;
}

/** About 128 MB of float32 logits per run, but always room for one full window. */
export function defaultBatchTokens(vocab: number, window: number): number {
  return Math.max(window, Math.floor((32 << 20) / Math.max(1, vocab)));
}

/** Variants whose activations may be quantised per tensor, batch included: run one window at a time. */
export const isQuantised = (v: Variant | undefined) => v === 'q8' || v === 'q4' || v === 'q4f16';

export interface LmBatch {
  /** Indices into the windows array, one per row. */
  windows: number[];
  seq: number;
  ids: BigInt64Array;
  mask: BigInt64Array;
  positions: BigInt64Array;
}

/** Windows into padded batches, longest first, at most `maxBatch` rows and `maxTokens` padded positions each. */
export function planLmBatches(windows: readonly LmWindow[], padId: number, maxBatch: number, maxTokens: number): LmBatch[] {
  const order = windows.map((_, i) => i).sort((a, b) => windows[b]!.ids.length - windows[a]!.ids.length || a - b);
  const out: LmBatch[] = [];
  let cur: number[] = [];
  let seq = 0;
  const close = () => {
    if (cur.length === 0) return;
    const n = cur.length * seq;
    const ids = new BigInt64Array(n).fill(BigInt(padId));
    const mask = new BigInt64Array(n);
    const positions = new BigInt64Array(n).fill(1n);
    cur.forEach((w, r) => {
      windows[w]!.ids.forEach((id, c) => {
        ids[r * seq + c] = BigInt(id);
        mask[r * seq + c] = 1n;
        positions[r * seq + c] = BigInt(c);
      });
    });
    out.push({ windows: cur, seq, ids, mask, positions });
    cur = [];
    seq = 0;
  };
  for (const w of order) {
    const len = windows[w]!.ids.length;
    if (cur.length >= Math.max(1, maxBatch) || (cur.length > 0 && (cur.length + 1) * seq > maxTokens)) close();
    if (cur.length === 0) seq = len;
    cur.push(w);
  }
  close();
  return out;
}

/**
 * Runs every window through each model (same batches for all, one model after the other) and hands each
 * window's logits to `visit` (one LogitsBatch per model, and the window's row in them). Logits are
 * released after each batch.
 */
export async function forEachWindow(
  models: readonly CausalLm[],
  windows: readonly LmWindow[],
  visit: (window: number, row: number, logits: LogitsBatch[]) => void,
): Promise<void> {
  const maxBatch = Math.min(...models.map((m) => m.maxBatch));
  const maxTokens = Math.min(...models.map((m) => m.maxBatchTokens));
  const padId = models[0]!.tokenizer.padId;
  for (const b of planLmBatches(windows, padId, maxBatch, maxTokens)) {
    const logits: LogitsBatch[] = [];
    try {
      for (const m of models) logits.push(await m.run(b.ids, b.mask, b.positions, b.windows.length, b.seq));
      b.windows.forEach((w, r) => {
        visit(w, r, logits);
      });
    } finally {
      for (const l of logits) l.dispose();
    }
  }
}
