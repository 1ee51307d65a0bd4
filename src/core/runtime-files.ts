/**
 * The onnxruntime-web runtime file the extension ships (the WebGPU build's asyncify wasm: the default
 * JSEP build gave wrong RoBERTa logits on WebGPU). scripts/build.ts copies it to `ORT_DIR/ORT_WASM`; the
 * detector host loads it from there.
 */
export const ORT_WASM = 'ort-wasm-simd-threaded.asyncify.wasm';
export const ORT_DIR = 'ort';
