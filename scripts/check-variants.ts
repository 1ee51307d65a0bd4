/**
 * Variant check in a real browser (issue 4): the tiny RoBERTa-shaped test model's fp16, 8-bit and fp32
 * files on WebGPU and WebAssembly in headless Chromium, compared with fp32 on WebAssembly on the same
 * windows. Node can only run fp16 through onnxruntime's CPU casts; this runs fp16 arithmetic on WebGPU
 * (SwiftShader's software adapter here, unless the machine has a GPU).
 *
 *   npx tsx scripts/check-variants.ts [--model test/fixtures/tiny-roberta] [--chromium /usr/lib/chromium/chromium]
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import puppeteer from 'puppeteer-core';
import { machineLogit, sigmoid } from '../src/core/roberta/labels.ts';
import { tokenizerFromFiles } from '../src/core/roberta/tokenizer.ts';
import { makeWindows } from '../src/core/roberta/windows.ts';

const arg = (k: string, d: string) => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1]! : d);
const MODEL = arg('--model', 'test/fixtures/tiny-roberta');
const CHROMIUM = arg('--chromium', '/usr/lib/chromium/chromium');
const ORT = 'node_modules/onnxruntime-web/dist';

const TEXTS = [
  'The committee met on Tuesday to discuss the new library opening hours, and most members agreed.',
  'I never liked the smell of rain on hot tarmac, but my grandmother said it meant the garden would finally breathe again.',
  'In conclusion, it is important to note that there are many factors to consider when evaluating remote work.',
  'Numbers: 1, 2, 3, 42, 510 and 2026; punctuation - dashes, "quotes", (brackets), café, naïve, Zürich.',
  Array.from({ length: 40 }, (_, i) => `Paragraph ${i} wanders through the quiet town, noting the bakery and the river.`).join(' '),
];

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
import * as ort from '/ort/ort.webgpu.min.mjs';
ort.env.wasm.wasmPaths = '/ort/';
ort.env.wasm.numThreads = 1;
window.runAll = async (windows, combos) => {
  const adapter = await navigator.gpu?.requestAdapter();
  const info = { webgpu: !!adapter, features: adapter ? [...adapter.features] : [], fallback: adapter?.info?.isFallbackAdapter ?? null };
  const out = {};
  for (const [file, ep] of combos) {
    const key = file + '@' + ep;
    try {
      if (ep === 'webgpu' && !adapter) throw new Error('no WebGPU adapter');
      const s = await ort.InferenceSession.create('/m/' + file, { executionProviders: [ep] });
      const rows = [];
      for (const ids of windows) {
        const t = (a) => new ort.Tensor('int64', BigInt64Array.from(a, BigInt), [1, a.length]);
        const r = await s.run({ input_ids: t(ids), attention_mask: t(ids.map(() => 1)) });
        rows.push(Array.from(r.logits.data, Number));
      }
      out[key] = rows;
      await s.release();
    } catch (e) { out[key] = String(e && e.message || e); }
  }
  return { info, out };
};
window.ready = true;
</script>`;

async function main() {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x').pathname;
    let file: string | undefined;
    if (url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    if (url.startsWith('/ort/')) file = join(ORT, normalize(url.slice(5)));
    if (url.startsWith('/m/')) file = join(MODEL, 'onnx', normalize(url.slice(3)));
    try {
      const body = readFileSync(file!);
      const type = { '.mjs': 'text/javascript', '.wasm': 'application/wasm' }[extname(file!)] ?? 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const tok = tokenizerFromFiles(readFileSync(join(MODEL, 'tokenizer.json')), readFileSync(join(MODEL, 'tokenizer_config.json')));
  const windows = TEXTS.flatMap((t, i) => makeWindows(i, tok.encode(t)).map((w) => w.ids));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM, headless: true, pipe: true,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => m.type() === 'error' && console.error('  page:', m.text().slice(0, 200)));
    await page.goto(base);
    await page.waitForFunction('window.ready === true', { timeout: 30_000 });
    const combos = [['model.onnx', 'wasm'], ['model.onnx', 'webgpu'], ['model_fp16.onnx', 'webgpu'], ['model_fp16.onnx', 'wasm'], ['model_quantized.onnx', 'wasm'], ['model_quantized.onnx', 'webgpu']];
    const { info, out } = (await page.evaluate((w, c) => (window as unknown as { runAll: (windows: unknown, combos: unknown) => Promise<unknown> }).runAll(w, c), windows, combos)) as {
      info: { webgpu: boolean; features: string[]; fallback: boolean | null };
      out: Record<string, number[][] | string>;
    };
    console.log(`Chromium: WebGPU ${info.webgpu ? 'yes' : 'no'}${info.fallback ? ' (fallback/software adapter)' : ''}, shader-f16 ${info.features.includes('shader-f16') ? 'yes' : 'no'}; ${windows.length} windows`);
    const ref = out['model.onnx@wasm'];
    if (!Array.isArray(ref)) throw new Error(`fp32 on wasm failed: ${ref}`);
    const refL = ref.map((r) => machineLogit(r, 0));
    for (const [key, rows] of Object.entries(out)) {
      if (!Array.isArray(rows)) {
        console.log(`${key.padEnd(28)} failed: ${rows.slice(0, 160)}`);
        continue;
      }
      const l = rows.map((r) => machineLogit(r, 0));
      const dl = Math.max(...l.map((x, i) => Math.abs(x - refL[i]!)));
      const dp = Math.max(...l.map((x, i) => Math.abs(sigmoid(x) - sigmoid(refL[i]!))));
      console.log(`${key.padEnd(28)} vs fp32@wasm: max |dP| ${dp.toExponential(2)}, max |dlogit| ${dl.toExponential(2)}`);
    }
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
