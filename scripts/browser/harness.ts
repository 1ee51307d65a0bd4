/**
 * Serve a browser bundle of core code (the embedded detector's page, the zero-shot benchmark's page) on
 * 127.0.0.1 and drive it in headless Chromium or Firefox ESR with puppeteer-core (flags from
 * docs/browser-testing.md). Used by the e2e parity test and by `npm run bench`.
 */
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { ORT_WASM, ortBuildPlugin } from '../build.ts';
import { CHROMIUM, CHROMIUM_ARGS, FIREFOX } from './flags.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CorePage {
  page: Page;
  browser: Browser;
  url: string;
  close(): Promise<void>;
}

export type EmbeddedPage = CorePage;

const bundles = new Map<string, string>();
async function bundle(entry: string): Promise<string> {
  if (bundles.has(entry)) return bundles.get(entry)!;
  const r = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    // The same onnxruntime-web build as the extension.
    plugins: [ortBuildPlugin],
  });
  bundles.set(entry, r.outputFiles[0]!.text);
  return bundles.get(entry)!;
}

/** Extra files by URL path: [content type, path on disk] (read on each request, so large models are fine). */
export type PageFiles = Record<string, [string, string]>;

async function serve(entry: string, extra: PageFiles): Promise<{ server: Server; url: string }> {
  const js = await bundle(entry);
  const wasm = readFileSync(join(ROOT, 'node_modules/onnxruntime-web/dist', ORT_WASM));
  const files: Record<string, [string, Buffer | string]> = {
    '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>loading</title><script type="module" src="page.js"></script>'],
    '/page.js': ['text/javascript', js],
    '/ort.wasm': ['application/wasm', wasm],
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const f = files[path] ?? (extra[path] ? ([extra[path]![0], readFileSync(extra[path]![1])] as [string, Buffer]) : undefined);
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': f[0], 'cache-control': 'no-store' }).end(f[1]);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${addr.port}/` };
}

export async function openEmbeddedPage(kind: 'chromium' | 'firefox', opts: { webgpu?: boolean } = {}): Promise<EmbeddedPage> {
  return openCorePage(kind, 'scripts/browser/embedded-page.ts', {
    '/model/model.onnx': ['application/octet-stream', join(ROOT, 'models/embedded/model.onnx')],
    '/model/meta.json': ['application/json', join(ROOT, 'models/embedded/meta.json')],
  }, opts);
}

/** A page running `entry` (bundled like the extension, with onnxruntime-web's WebGPU build) next to `files`. */
export async function openCorePage(kind: 'chromium' | 'firefox', entry: string, files: PageFiles, opts: { webgpu?: boolean } = {}): Promise<CorePage> {
  const { server, url } = await serve(entry, files);
  const profile = mkdtempSync(join(tmpdir(), 'telltale-embedded-'));
  let browser: Browser;
  if (kind === 'chromium') {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      pipe: true,
      // A language model's forward pass on a software GPU can take minutes.
      protocolTimeout: 900_000,
      args: [
        ...CHROMIUM_ARGS,
        `--user-data-dir=${profile}`,
        ...(opts.webgpu ? ['--enable-unsafe-webgpu'] : []),
      ],
    });
  } else {
    browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, userDataDir: profile, args: ['--remote-allow-system-access'] });
  }
  const page = await browser.newPage();
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => document.title === 'ready' || document.title.startsWith('error'), { timeout: 30_000 });
  return {
    page,
    browser,
    url,
    async close() {
      await browser.close().catch(() => {});
      await new Promise((ok) => server.close(ok));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
