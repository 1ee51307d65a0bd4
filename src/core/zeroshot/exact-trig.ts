/**
 * Exact sines and cosines for a language model's rotary position embeddings on WebGPU.
 *
 * Why: decoder-only exports in the Transformers.js / optimum layout compute the rotary embedding in the
 * graph, `Cos` and `Sin` of `position_ids * inv_freq`, angles of up to hundreds of radians (511 for the
 * first frequency at the last position of a 512-token window). WGSL's `sin` and `cos`, which
 * onnxruntime-web's WebGPU kernels use, need only be within 2^-11 of the truth inside [-pi, pi] and have no
 * bound outside it. Measured here on Chromium's WebGPU (SwiftShader): an absolute error of 1.9e-4 at every
 * angle from 0 to 511, where wasm's is 3e-8. That rotates every query and key slightly wrong, and over the
 * 1,898 tokens of the long test text it moved Fast-DetectGPT's statistic by 1.3e-3 against the torch
 * reference. With the rewrite below the same run differs by 9e-7 (test/e2e/zeroshot-browsers.test.ts).
 *
 * What: every float32 `Sin` and `Cos` node of the main graph becomes the same function out of additions,
 * multiplications and `Floor`, which WebGPU computes to float32 rounding: Cody-Waite reduction by pi/2 in
 * three parts (exact for |x| < 2^15 * pi/2, about 51,000; RoPE angles stay below the window, 512), then the minimax polynomials of Cephes' sinf and
 * cosf on [-pi/4, pi/4], then the quadrant. Accurate to a few float32 ulps (test/unit/exact-trig.test.ts).
 * Nothing else in the model changes: the nodes in between are copied byte for byte, and so are the weights.
 *
 * How: the ONNX file is a protobuf ModelProto; only its GraphProto's `node` fields are parsed, the rest is
 * copied, once (a model's size of memory more while its session is made). Float16 models (the fp16 and
 * q4f16 variants) are left alone: their Sin and Cos may take half precision inputs, and the loader
 * (hub.ts, modelForBackend below) does not rewrite them.
 */

/** What came of the rewrite: the new model bytes (the input itself when nothing was replaced). */
export interface ExactTrigResult {
  bytes: Uint8Array;
  /** How many Sin and Cos nodes were replaced. */
  replaced: number;
}

// --- protobuf, only as much as this needs -------------------------------------------------------------

interface Field {
  field: number;
  wire: number;
  /** Offsets of the whole field (tag included) and of its payload (length-delimited: the bytes after the length). */
  start: number;
  dataStart: number;
  end: number;
}

function readVarint(b: Uint8Array, pos: number): [value: number, next: number] {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= b.length) throw new Error('truncated varint');
    const byte = b[pos++]!;
    v += (byte & 0x7f) * mul;
    if (byte < 0x80) return [v, pos];
    mul *= 128;
  }
  throw new Error('varint too long');
}

/** The fields of a message in b[from, to). */
function* fields(b: Uint8Array, from: number, to: number): Generator<Field> {
  let pos = from;
  while (pos < to) {
    const start = pos;
    const [tag, p] = readVarint(b, pos);
    pos = p;
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    let dataStart = pos;
    if (wire === 0) pos = readVarint(b, pos)[1];
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, q] = readVarint(b, pos);
      dataStart = q;
      pos = q + len;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    if (pos > to) throw new Error('truncated protobuf message');
    yield { field, wire, start, dataStart, end: pos };
  }
}

const utf8 = new TextDecoder();
const enc = new TextEncoder();

function varint(v: number): number[] {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** A length-delimited field. */
function ld(field: number, payload: Uint8Array | number[]): number[] {
  return [...varint(field * 8 + 2), ...varint(payload.length), ...payload];
}
const str = (field: number, s: string) => ld(field, [...enc.encode(s)]);

// ONNX field numbers (onnx.proto3).
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 };
const ATTR = { name: 1, t: 5, type: 20 };
const ATTR_TENSOR = 4;
const TENSOR = { dataType: 2, rawData: 9 };
const FLOAT = 1;

function nodeProto(opType: string, inputs: string[], output: string, name: string, attrs: number[] = []): number[] {
  return [...inputs.flatMap((i) => str(NODE.input, i)), ...str(NODE.output, output), ...str(NODE.name, name), ...str(NODE.opType, opType), ...attrs];
}

function constantNode(output: string, value: number): number[] {
  const raw = new Uint8Array(new Float32Array([value]).buffer);
  // A float32 scalar: no dims, data_type FLOAT, 4 bytes of raw data (little-endian, as ONNX stores them).
  const tensor = [...varint(TENSOR.dataType * 8), ...varint(FLOAT), ...ld(TENSOR.rawData, raw)];
  const attr = [...str(ATTR.name, 'value'), ...varint(ATTR.type * 8), ...varint(ATTR_TENSOR), ...ld(ATTR.t, tensor)];
  return nodeProto('Constant', [], output, output, ld(NODE.attribute, attr));
}

// --- the function ----------------------------------------------------------------------------------------

const PREFIX = '/telltale/exact_trig';
/**
 * pi/2 in three parts: the first two of 8 significant bits each, so that k times them is exact for
 * |k| < 2^15; the third is the float32 of the rest (Cephes' own split is exact only for smaller k).
 */
const PIO2 = [1.5703125, 4.84466552734375e-4, -6.397578431460715e-7];
/** Cephes sinf and cosf on [-pi/4, pi/4]. */
const SIN = [-1.6666654611e-1, 8.3321608736e-3, -1.9515295891e-4];
const COS = [4.166664568298827e-2, -1.388731625493765e-3, 2.443315711809948e-5];

const CONSTANTS = {
  twoOverPi: 2 / Math.PI,
  half: 0.5,
  one: 1,
  two: 2,
  four: 4,
  quarter: 0.25,
  p1: PIO2[0]!,
  p2: PIO2[1]!,
  p3: PIO2[2]!,
  s0: SIN[0]!,
  s1: SIN[1]!,
  s2: SIN[2]!,
  c0: COS[0]!,
  c1: COS[1]!,
  c2: COS[2]!,
};
type ConstantName = keyof typeof CONSTANTS;
const constName = (c: ConstantName) => `${PREFIX}/const/${c}`;

/** The nodes that compute `output = sin(input)` (or cos) from float32 elementwise operations. */
function trigNodes(input: string, output: string, cos: boolean, id: number): number[][] {
  const nodes: number[][] = [];
  let n = 0;
  const op = (opType: string, ...ins: (string | { c: ConstantName })[]): string => {
    const out = `${PREFIX}/${id}/${opType}_${n++}`;
    nodes.push(nodeProto(opType, ins.map((i) => (typeof i === 'string' ? i : constName(i.c))), out, out));
    return out;
  };
  const k = op('Floor', op('Add', op('Mul', input, { c: 'twoOverPi' }), { c: 'half' }));
  // r = x - k pi/2 in [-pi/4, pi/4], in three steps (Cody-Waite).
  const r = op('Sub', op('Sub', op('Sub', input, op('Mul', k, { c: 'p1' })), op('Mul', k, { c: 'p2' })), op('Mul', k, { c: 'p3' }));
  const z = op('Mul', r, r);
  const sinR = op('Add', r, op('Mul', op('Mul', z, r), op('Add', { c: 's0' }, op('Mul', z, op('Add', { c: 's1' }, op('Mul', z, { c: 's2' }))))));
  const cosR = op(
    'Add',
    op('Sub', { c: 'one' }, op('Mul', z, { c: 'half' })),
    op('Mul', op('Mul', z, z), op('Add', { c: 'c0' }, op('Mul', z, op('Add', { c: 'c1' }, op('Mul', z, { c: 'c2' }))))),
  );
  // sin(k pi/2 + r) by k mod 4: sin r, cos r, -sin r, -cos r; cos(x) = sin(x + pi/2) is quadrant k + 1.
  const kq = cos ? op('Add', k, { c: 'one' }) : k;
  const q = op('Sub', kq, op('Mul', { c: 'four' }, op('Floor', op('Mul', kq, { c: 'quarter' }))));
  const hi = op('Floor', op('Mul', q, { c: 'half' }));
  const odd = op('Sub', q, op('Mul', { c: 'two' }, hi));
  const base = op('Add', op('Mul', sinR, op('Sub', { c: 'one' }, odd)), op('Mul', cosR, odd));
  const sign = op('Sub', { c: 'one' }, op('Mul', { c: 'two' }, hi));
  nodes.push(nodeProto('Mul', [base, sign], output, `${PREFIX}/${id}/out`));
  return nodes;
}

interface TrigNode {
  opType: 'Sin' | 'Cos';
  input: string;
  output: string;
}

/** A default-domain Sin or Cos node with one input and one output, else null. */
function asTrig(b: Uint8Array, f: Field): TrigNode | null {
  let opType = '';
  let domain = '';
  const inputs: string[] = [];
  const outputs: string[] = [];
  for (const g of fields(b, f.dataStart, f.end)) {
    if (g.wire !== 2) continue;
    const s = () => utf8.decode(b.subarray(g.dataStart, g.end));
    if (g.field === NODE.opType) opType = s();
    else if (g.field === NODE.domain) domain = s();
    else if (g.field === NODE.input) inputs.push(s());
    else if (g.field === NODE.output) outputs.push(s());
  }
  if ((opType !== 'Sin' && opType !== 'Cos') || (domain !== '' && domain !== 'ai.onnx') || inputs.length !== 1 || outputs.length !== 1) return null;
  return { opType, input: inputs[0]!, output: outputs[0]! };
}

/**
 * The model with every Sin and Cos of its main graph computed exactly (see the top of this file). Only
 * for models whose Sin and Cos are float32. Throws on a file that is not a protobuf ModelProto with a graph.
 */
export function exactTrig(model: Uint8Array): ExactTrigResult {
  let graph: Field | undefined;
  for (const f of fields(model, 0, model.length)) if (f.field === MODEL_GRAPH && f.wire === 2) graph = f;
  if (!graph) throw new Error('not an ONNX model: no graph');
  // The graph's fields, with each Sin or Cos node replaced by its nodes (the constants once, before the first).
  const parts: Uint8Array[] = [];
  let copyFrom = graph.dataStart;
  let replaced = 0;
  for (const f of fields(model, graph.dataStart, graph.end)) {
    if (f.field !== GRAPH_NODE || f.wire !== 2) continue;
    const trig = asTrig(model, f);
    if (!trig) continue;
    parts.push(model.subarray(copyFrom, f.start));
    const nodes: number[][] = [];
    if (replaced === 0) for (const c of Object.keys(CONSTANTS) as ConstantName[]) nodes.push(constantNode(constName(c), CONSTANTS[c]));
    nodes.push(...trigNodes(trig.input, trig.output, trig.opType === 'Cos', replaced));
    parts.push(Uint8Array.from(nodes.flatMap((n) => ld(GRAPH_NODE, n))));
    copyFrom = f.end;
    replaced++;
  }
  if (replaced === 0) return { bytes: model, replaced: 0 };
  parts.push(model.subarray(copyFrom, graph.end));
  const graphLength = parts.reduce((s, p) => s + p.length, 0);
  const head = Uint8Array.from([...varint(MODEL_GRAPH * 8 + 2), ...varint(graphLength)]);
  const out = new Uint8Array(graph.start + head.length + graphLength + (model.length - graph.end));
  let at = 0;
  for (const p of [model.subarray(0, graph.start), head, ...parts, model.subarray(graph.end)]) {
    out.set(p, at);
    at += p.length;
  }
  return { bytes: out, replaced };
}

/**
 * The model bytes to give onnxruntime-web on `backend`: on WebGPU, float32 variants with exact Sin and Cos
 * (above); everything else as it is (wasm's sinf and cosf are exact to float32; the float16 variants are
 * left alone). A file this cannot read is passed on unchanged, for the session to accept or refuse.
 */
export function modelForBackend(model: Uint8Array, backend: 'webgpu' | 'wasm', variant: string | undefined): Uint8Array {
  if (backend !== 'webgpu' || variant === 'fp16' || variant === 'q4f16') return model;
  try {
    return exactTrig(model).bytes;
  } catch (err) {
    console.warn('Telltale: could not rewrite Sin and Cos of the model, using it as it is', err);
    return model;
  }
}
