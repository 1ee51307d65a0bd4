/**
 * One build, two browsers: `dist/chrome/` and `dist/firefox/` (unpacked, loadable), the CLI in
 * `dist/cli/`, and with `--package` the store zips in `dist/packages/`.
 *
 * Chrome and Firefox differ only in the manifest (derived here from the top-level Chrome
 * `manifest.json`) and in the files under `src/platform/<browser>/`, chosen by the `@platform/*` alias.
 */
import { ORT_DIR, ORT_WASM } from '../src/core/runtime-files.ts';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const args = new Set(process.argv.slice(2));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

export type Browser = 'chrome' | 'firefox';
export const GECKO_ID = 'telltale@telltale.dev';
/**
 * The extension ships one onnxruntime-web build: `onnxruntime-web/webgpu` (WebAssembly, and WebGPU
 * through the native WebGPU execution provider). The default build's JSEP WebGPU kernels gave wrong
 * RoBERTa logits here (0.29 against 0.12 on wasm for the same window; the tiny test model, SwiftShader),
 * while this build agrees with wasm to 1e-6 (test/e2e/hub-chromium.test.ts).
 */
export { ORT_WASM };
const ORT_BROWSER_BUILD = 'node_modules/onnxruntime-web/dist/ort.webgpu.bundle.min.mjs';

/** Our `import 'onnxruntime-web'` becomes the WebGPU build in browser bundles (Node keeps the package's own). */
export const ortBuildPlugin: Plugin = {
  name: 'ort-build',
  setup(b) {
    b.onResolve({ filter: /^onnxruntime-web$/ }, (a) =>
      a.importer.includes(`${'node_modules'}/@xenova/`) ? undefined : { path: join(root, ORT_BROWSER_BUILD) },
    );
  },
};

/** Swap `@platform/x` for `src/platform/<browser>/x.ts`. */
function platformPlugin(browser: Browser): Plugin {
  return {
    name: 'platform',
    setup(b) {
      b.onResolve({ filter: /^@platform\// }, (a) => ({ path: join(root, 'src/platform', browser, a.path.slice('@platform/'.length) + '.ts') }));
    },
  };
}

/** transformers.js v2 imports onnxruntime 1.14; we only use its tokenizers, so give it a stub (see the stub's comment). */
export const xenovaOrtStub: Plugin = {
  name: 'xenova-ort-stub',
  setup(b) {
    b.onResolve({ filter: /^onnxruntime-(web|node|common)$/ }, (a) =>
      a.importer.includes(`${'node_modules'}/@xenova/transformers/`) ? { path: join(root, 'src/shared/xenova-ort-stub.ts') } : undefined,
    );
    // Node built-ins that transformers.js imports behind environment checks.
    b.onResolve({ filter: /^(fs|path|url|sharp|stream|stream\/web)$/ }, (a) =>
      a.importer.includes('@xenova/transformers') ? { path: a.path, namespace: 'empty' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export default {};', loader: 'js' }));
    // transformers.js points its (stubbed, never used) runtime at a CDN; no remote URL for code ships with us.
    b.onLoad({ filter: /@xenova[\\/]transformers[\\/]src[\\/]env\.js$/ }, (a) => {
      const src = readFileSync(a.path, 'utf8');
      const patched = src.replace(/`https:\/\/cdn\.jsdelivr\.net[^`]*`/, "''");
      if (patched === src) throw new Error('transformers.js env.js changed: review the CDN patch in scripts/build.ts');
      return { contents: patched, loader: 'js' };
    });
  },
};

export function manifestFor(browser: Browser): Record<string, unknown> {
  const m = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  m.version = pkg.version;
  if (browser === 'firefox') {
    // Firefox has no offscreen API and no background service worker: an event page hosts the detector.
    m.background = { scripts: ['background.js'], type: 'module' };
    m.permissions = (m.permissions as string[]).filter((p) => p !== 'offscreen');
    m.browser_specific_settings = {
      gecko: {
        id: GECKO_ID,
        strict_min_version: '140.0',
        data_collection_permissions: { required: ['none'] },
      },
    };
    delete m.minimum_chrome_version;
  }
  return m;
}

async function buildBrowser(browser: Browser): Promise<void> {
  const out = join(dist, browser);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const common: BuildOptions = {
    bundle: true,
    outdir: out,
    target: browser === 'chrome' ? 'chrome120' : 'firefox128',
    platform: 'browser',
    sourcemap: 'linked',
    minify: args.has('--minify'),
    legalComments: 'linked',
    logLevel: 'warning',
    plugins: [platformPlugin(browser), xenovaOrtStub, ortBuildPlugin],
    define: { 'process.env.NODE_ENV': '"production"' },
    jsx: 'automatic',
    jsxImportSource: 'preact',
  };
  const esm = ['src/background/index.ts', 'src/popup/index.tsx', 'src/options/index.tsx'];
  if (browser === 'chrome') esm.push('src/offscreen/index.ts');
  const entry = (f: string) => ({ in: join(root, f), out: f.split('/')[1]! === 'background' ? 'background' : f.split('/')[1]! });
  await build({ ...common, format: 'esm', entryPoints: esm.filter((f) => existsSync(join(root, f))).map(entry), splitting: false });
  await build({ ...common, format: 'iife', entryPoints: [{ in: join(root, 'src/content/index.ts'), out: 'content' }] });

  cpSync(join(root, 'extension'), out, { recursive: true, filter: (src) => !(browser === 'firefox' && src.endsWith('offscreen.html')) });
  mkdirSync(join(out, ORT_DIR), { recursive: true });
  cpSync(join(root, 'node_modules/onnxruntime-web/dist', ORT_WASM), join(out, ORT_DIR, ORT_WASM));
  mkdirSync(join(out, 'models'), { recursive: true });
  // The embedded model's runtime files only (not the card, eval tables or training by-products).
  cpSync(join(root, 'models/embedded'), join(out, 'models/embedded'), { recursive: true, filter: (s) => !/\.[a-z]+$/.test(s) || /(model\.onnx|meta\.json)$/.test(s) });
  if (existsSync(join(root, 'models/hub'))) cpSync(join(root, 'models/hub'), join(out, 'models/hub'), { recursive: true, filter: (s) => !s.endsWith('.md') });
  if (existsSync(join(root, 'models/registry.json'))) cpSync(join(root, 'models/registry.json'), join(out, 'models/registry.json'));
  // `--hub-url URL`: download Hub models from a mirror instead of huggingface.co.
  const hubUrl = process.argv.find((a) => a.startsWith('--hub-url='))?.slice('--hub-url='.length);
  if (hubUrl) writeFileSync(join(out, 'models/hub-source.json'), JSON.stringify({ hubUrl }) + '\n');
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifestFor(browser), null, 2) + '\n');
}

async function buildCli(): Promise<void> {
  await build({
    entryPoints: [join(root, 'src/cli/telltale.ts')],
    outfile: join(dist, 'cli/telltale.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

function packageZips(): void {
  const outDir = join(dist, 'packages');
  mkdirSync(outDir, { recursive: true });
  for (const browser of ['chrome', 'firefox'] as const) {
    const name = `telltale-${browser}-${pkg.version}.zip`;
    rmSync(join(outDir, name), { force: true });
    execFileSync(join(root, 'node_modules/.bin/web-ext'), ['build', '--source-dir', join(dist, browser), '--artifacts-dir', outDir, '--filename', name, '--overwrite-dest', '--ignore-files', '*.map', '--no-config-discovery'], { stdio: 'inherit' });
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('build.ts')) {
  const t0 = Date.now();
  await Promise.all([buildBrowser('chrome'), buildBrowser('firefox'), buildCli()]);
  if (args.has('--package')) packageZips();
  console.log(`built dist/chrome, dist/firefox, dist/cli in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
