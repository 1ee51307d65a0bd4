/**
 * Stands in for the onnxruntime 1.14 that `@xenova/transformers` imports, in browser bundles only.
 * We use transformers.js for tokenizers and Hub file resolution; inference runs on our own
 * onnxruntime-web. Its tensor module needs only a `Tensor` class and an `env` object from the runtime,
 * so this keeps the old runtime (and its 1.14 wasm files) out of the extension.
 */
export class Tensor {
  type: string;
  data: unknown;
  dims: number[];
  size: number;
  constructor(type: string, data: ArrayLike<unknown>, dims: number[]) {
    this.type = type;
    this.data = data;
    this.dims = dims;
    this.size = dims.reduce((a, b) => a * b, 1);
  }
}
export const env = { wasm: {} as Record<string, unknown> };
export default { Tensor, env };
