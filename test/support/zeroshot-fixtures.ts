/** Shared helpers for the zero-shot tests: the tiny Llama fixtures, their torch reference, causal LMs loaded from disk. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import { createSession } from '../../src/core/runtime.ts';
import { tokenizerFromFiles, vocabularyOf } from '../../src/core/tokenizer.ts';
import { defaultBatchTokens, lmSessionRunner, lmShapeFromConfig, type CausalLm } from '../../src/core/zeroshot/causal-lm.ts';

export const LLAMA = join(import.meta.dirname, '..', 'fixtures', 'tiny-llama');
export const LLAMA_INSTRUCT = join(import.meta.dirname, '..', 'fixtures', 'tiny-llama-instruct');
const file = (dir: string, f: string) => new Uint8Array(readFileSync(join(dir, f)));

export interface ReferenceCase {
  name: string;
  text: string;
  ids: number[];
  window: number;
  overlap: number;
  windows: [number, number, number][];
  fastdetectgpt: { raw: number; ll: number; mu: number; var: number; n: number };
  binoculars: { raw: number; ppl: number; x_ppl: number; n_ppl: number; n_x: number };
  authors?: { fastdetectgpt: number; binoculars: number };
}

/** Written by scripts/make-test-models.ts with scripts/zeroshot-reference.py (plain torch, the authors' formulas). */
export const REFERENCE = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'zeroshot-reference.json'), 'utf8')) as { padId: number; cases: ReferenceCase[] };

/** A causal LM from a fixture folder: onnxruntime-web wasm (as the extension and CLI) or onnxruntime-node. */
export async function localLm(dir: string, model = 'onnx/model.onnx', o: { maxBatch?: number; maxBatchTokens?: number; runtime?: 'web' | 'node' } = {}): Promise<CausalLm> {
  const config = JSON.parse(new TextDecoder().decode(file(dir, 'config.json'))) as Record<string, unknown>;
  const shape = lmShapeFromConfig(config);
  const session = o.runtime === 'node'
    ? await ortNode.InferenceSession.create(join(dir, model))
    : (await createSession(file(dir, model), 'wasm')).session;
  const run = lmSessionRunner(session as never, shape, o.runtime === 'node' ? { Tensor: ortNode.Tensor as never } : {});
  return {
    id: dir.split('/').at(-1)!,
    tokenizer: tokenizerFromFiles(file(dir, 'tokenizer.json'), file(dir, 'tokenizer_config.json'), { specialTokens: true }),
    vocabulary: vocabularyOf(file(dir, 'tokenizer.json')),
    shape,
    run,
    maxBatch: o.maxBatch ?? 8,
    maxBatchTokens: o.maxBatchTokens ?? defaultBatchTokens(shape.vocab, 512),
    dispose: () => session.release(),
  };
}
