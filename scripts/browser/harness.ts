/**
 * Serve the embedded detector's browser bundle on 127.0.0.1 and drive it in headless Chromium or
 * Firefox ESR with puppeteer-core (flags from docs/browser-testing.md). Used by the e2e parity test
 * and by `npm run bench`.
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

export interface EmbeddedPage {
  page: Page;
  browser: Browser;
  url: string;
  close(): Promise<void>;
}

let bundleCache: string | undefined;
async function bundle(): Promise<string> {
  if (bundleCache) return bundleCache;
  const r = await build({
    entryPoints: [join(ROOT, 'scripts/browser/embedded-page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    // The same onnxruntime-web build as the extension.
    plugins: [ortBuildPlugin],
  });
  bundleCache = r.outputFiles[0]!.text;
  return bundleCache;
}

async function serve(): Promise<{ server: Server; url: string }> {
  const js = await bundle();
  const wasm = readFileSync(join(ROOT, 'node_modules/onnxruntime-web/dist', ORT_WASM));
  const files: Record<string, [string, Buffer | string]> = {
    '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>loading</title><script type="module" src="page.js"></script>'],
    '/page.js': ['text/javascript', js],
    '/ort.wasm': ['application/wasm', wasm],
    '/model/model.onnx': ['application/octet-stream', readFileSync(join(ROOT, 'models/embedded/model.onnx'))],
    '/model/meta.json': ['application/json', readFileSync(join(ROOT, 'models/embedded/meta.json'))],
  };
  const server = createServer((req, res) => {
    const f = files[(req.url ?? '/').split('?')[0]!];
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
  const { server, url } = await serve();
  const profile = mkdtempSync(join(tmpdir(), 'telltale-embedded-'));
  let browser: Browser;
  if (kind === 'chromium') {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      pipe: true,
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
