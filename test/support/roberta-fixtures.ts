/** Shared helpers for the RoBERTa tests: the tiny model's files, texts the project wrote, a direct onnxruntime-node reference. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { machineLogit } from '../../src/core/roberta/labels.ts';

export const TINY = join(import.meta.dirname, '..', 'fixtures', 'tiny-roberta');
export const TINY_SWAPPED = join(import.meta.dirname, '..', 'fixtures', 'tiny-roberta-swapped');
export const file = (dir: string, f: string) => new Uint8Array(readFileSync(join(dir, f)));

/** Texts written for these tests, of varied length. */
export const TEXTS = [
  'Short one.',
  'The committee met on Tuesday to discuss the new library opening hours, and most members agreed.',
  'I never liked the smell of rain on hot tarmac, but my grandmother said it meant the garden would finally breathe again after weeks of dust.',
  'In conclusion, it is important to note that there are many factors to consider when evaluating the benefits and drawbacks of remote work, including productivity, wellbeing, and collaboration.',
  'Numbers: 1, 2, 3, 42, 510 and 2026; punctuation - dashes, "quotes", (brackets) and an emoji 🙂 with accents: café, naïve, Zürich.',
  'ok',
];

/** A text that tokenises to well over 510 tokens with the tiny tokenizer. */
export const LONG_TEXT = Array.from({ length: 60 }, (_, i) => `Paragraph ${i} wanders through the quiet town, noting the bakery, the bridge and the river.`).join(' ');

/** Machine log-odds from a direct onnxruntime-node run, one window at a time, no padding. */
export async function directLogits(modelPath: string, windows: number[][], machine = 0, runtime: 'node' | 'web' = 'node'): Promise<number[]> {
  const ort = (runtime === 'node' ? ortNode : ortWeb) as typeof ortNode;
  const s = runtime === 'node' ? await ortNode.InferenceSession.create(modelPath) : ((await ortWeb.InferenceSession.create(readFileSync(modelPath))) as unknown as ortNode.InferenceSession);
  const out: number[] = [];
  for (const ids of windows) {
    const t = (a: number[]) => new ort.Tensor('int64', BigInt64Array.from(a, BigInt), [1, a.length]);
    const r = await s.run({ input_ids: t(ids), attention_mask: t(ids.map(() => 1)) });
    out.push(machineLogit(r.logits!.data as Float32Array, machine));
  }
  await s.release();
  return out;
}
