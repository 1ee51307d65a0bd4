/**
 * A RoBERTa sequence classifier (OpenAI's GPT-2 output detector, or anything with the same inputs and
 * outputs) as a Detector: tokenise, cut into windows, batch by length, run, map the label by name,
 * combine the windows. The runner is injected so that the same code runs on onnxruntime-web (wasm or
 * WebGPU, extension and CLI) and on onnxruntime-node (benchmarks, reference tests).
 */
import { ort } from '../runtime.ts';
import type { CalibratedDetector, CalibratedScore, DetectorInfo, JudgingPolicy } from '../types.ts';
import { planBatches } from './batching.ts';
import { machineLogit, sigmoid } from './labels.ts';
import type { TextTokenizer } from './tokenizer.ts';
import { combineWindows, makeWindows, MAX_TEXT_TOKENS, type Window } from './windows.ts';
import { halfToFloat } from '../float16.ts';

/** Runs one padded batch; returns logits, row-major [batch, numLabels]. */
export type LogitsRunner = (ids: BigInt64Array, mask: BigInt64Array, batch: number, seq: number) => Promise<Float32Array>;

interface TensorLike {
  type: string;
  data: unknown;
  dispose?(): void;
}
interface SessionLike {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, TensorLike>>;
  release?(): Promise<void>;
}
type TensorCtor = new (type: 'int64', data: BigInt64Array, dims: number[]) => unknown;

/** Logits as float32 whatever the model's output type (fp16 variants may return float16). */
export function toFloat32(t: TensorLike): Float32Array {
  if (t.type === 'float16' && t.data instanceof Uint16Array) return Float32Array.from(t.data, halfToFloat);
  if (t.data instanceof Float32Array) return t.data;
  return Float32Array.from(t.data as ArrayLike<number>);
}

/** A runner over an ONNX Runtime session (onnxruntime-web by default; pass onnxruntime-node's Tensor to use that). */
export function sessionRunner(session: SessionLike, Tensor: TensorCtor = ort.Tensor as unknown as TensorCtor): LogitsRunner {
  const out = session.outputNames.includes('logits') ? 'logits' : session.outputNames[0]!;
  for (const name of ['input_ids', 'attention_mask']) {
    if (!session.inputNames.includes(name)) throw new Error(`the model has no input "${name}" (inputs: ${session.inputNames.join(', ')})`);
  }
  const typeIds = session.inputNames.includes('token_type_ids');
  return async (ids, mask, batch, seq) => {
    const feeds: Record<string, unknown> = {
      input_ids: new Tensor('int64', ids, [batch, seq]),
      attention_mask: new Tensor('int64', mask, [batch, seq]),
    };
    if (typeIds) feeds.token_type_ids = new Tensor('int64', new BigInt64Array(batch * seq), [batch, seq]);
    const res = await session.run(feeds);
    const t = res[out]!;
    const data = toFloat32(t).slice();
    for (const v of Object.values(res)) v.dispose?.();
    return data;
  };
}

export interface RobertaDetectorOptions {
  info: DetectorInfo;
  policy: JudgingPolicy;
  tokenizer: TextTokenizer;
  run: LogitsRunner;
  /** Output index meaning machine-written (from config.json id2label, see labels.ts). */
  machineIndex: number;
  numLabels?: number;
  /** Text tokens per window (default 510: 512 positions less `<s>` and `</s>`). */
  maxTextTokens?: number;
  /** Minimum overlap of consecutive windows, in tokens (default 128). */
  overlap?: number;
  /** Windows per model run (default 8). */
  maxBatch?: number;
  /** Padded positions per model run (default 4096). */
  maxBatchTokens?: number;
  /** P(machine) = sigmoid(scale * logit + bias); identity (the model's own softmax) by default. */
  calibration?: { scale: number; bias: number };
  dispose?: () => Promise<void>;
}

export interface RobertaDetector extends CalibratedDetector {
  /** Per-window raw machine log-odds for already-tokenised texts (no specials); for tests and evaluation. */
  scoreTokens(tokens: readonly (readonly number[])[]): Promise<{ logit: number; windows: number[] }[]>;
}

export function createRobertaDetector(o: RobertaDetectorOptions): RobertaDetector {
  const numLabels = o.numLabels ?? 2;
  const maxText = Math.min(o.maxTextTokens ?? MAX_TEXT_TOKENS, MAX_TEXT_TOKENS);
  const cal = o.calibration ?? { scale: 1, bias: 0 };

  async function scoreTokens(tokens: readonly (readonly number[])[]) {
    const windows: Window[] = tokens.flatMap((t, i) => makeWindows(i, t, maxText, o.overlap ?? 128));
    const logits = new Array<number>(windows.length);
    for (const b of planBatches(windows, { maxBatch: o.maxBatch ?? 8, maxTokens: o.maxBatchTokens ?? 4096 })) {
      const out = await o.run(b.ids, b.mask, b.windows.length, b.seq);
      if (out.length !== b.windows.length * numLabels) throw new Error(`model returned ${out.length} logits for ${b.windows.length} windows`);
      b.windows.forEach((w, r) => {
        logits[w] = machineLogit(out.subarray(r * numLabels, (r + 1) * numLabels), o.machineIndex);
      });
    }
    return tokens.map((_, i) => {
      const mine = windows.map((w, j) => ({ w, j })).filter(({ w }) => w.text === i);
      const per = mine.map(({ w, j }) => ({ logit: logits[j]!, tokens: w.tokens }));
      return { logit: combineWindows(per), windows: per.map((p) => p.logit) };
    });
  }

  return {
    info: o.info,
    policy: o.policy,
    // Trained on WebText as people wrote it: typography and line breaks reach the tokenizer unchanged.
    input: 'as-written',
    scoreTokens,
    async scoreBatch(texts: readonly string[]): Promise<CalibratedScore[]> {
      const scored = await scoreTokens(texts.map((t) => o.tokenizer.encode(t)));
      return scored.map(({ logit }) => ({ logit, p: sigmoid(cal.scale * logit + cal.bias) }));
    },
    dispose: o.dispose,
  };
}
