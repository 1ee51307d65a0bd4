/**
 * One build, two browsers: `dist/chrome/` and `dist/firefox/` (unpacked, loadable), the CLI in
 * `dist/cli/`, and with `--package` the store zips in `dist/packages/` (scripts/package.ts).
 * `--out DIR` writes all of it under DIR instead of `dist/`; `--minify`; `--hub-url=URL`; `--lm-variant=fp32|fp16|q8|q4|q4f16`.
 *
 * Chrome and Firefox differ only in the manifest (derived here from the top-level Chrome
 * `manifest.json`) and in the files under `src/platform/<browser>/`, chosen by the `@platform/*` alias.
 *
 * The build is defined once, as esbuild contexts (`createBuild`): `npm run build` rebuilds them once,
 * `npm start` (scripts/dev.ts) watches them. The static files (extension/, the onnxruntime wasm, the
 * embedded model, the manifest) are copied by a plugin after each build of a browser's ES-module
 * bundle, and esbuild's watcher also watches them, so both modes share every step.
 */
import { ORT_DIR, ORT_WASM } from '../src/core/runtime-files.ts';
import { context, type BuildContext, type BuildOptions, type BuildResult, type Plugin } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = root;
const pkgVersion = () => (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

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
      b.onResolve({ filter: /^@platform\// }, (a) => ({ path: join(root, 'src/platform', browser, `${a.path.slice('@platform/'.length)}.ts`) }));
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

/**
 * The English catalogue that src/shared/i18n.ts bundles (its fallback outside the browser's i18n) goes
 * in without the translators' descriptions and examples: about 14 KB less in every bundle.
 */
export const slimCatalogue: Plugin = {
  name: 'slim-catalogue',
  setup(b) {
    b.onLoad({ filter: /[\\/]_locales[\\/][^\\/]+[\\/]messages\.json$/ }, (a) => {
      const cat = JSON.parse(readFileSync(a.path, 'utf8')) as Record<string, { message: string; placeholders?: Record<string, { content: string }> }>;
      const slim = Object.fromEntries(
        Object.entries(cat).map(([k, e]) => [
          k,
          e.placeholders
            ? { message: e.message, placeholders: Object.fromEntries(Object.entries(e.placeholders).map(([n, p]) => [n, { content: p.content }])) }
            : { message: e.message },
        ]),
      );
      return { contents: JSON.stringify(slim), loader: 'json' };
    });
  },
};

export function manifestFor(browser: Browser): Record<string, unknown> {
  const m = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  m.version = pkgVersion();
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

export interface BuildConfig {
  /** Where `chrome/`, `firefox/`, `cli/` (and `packages/`) go; default `dist/` in the repository. */
  out: string;
  minify: boolean;
  /** Download Hub models from this mirror instead of huggingface.co (`models/hub-source.json`). */
  hubUrl?: string;
  /** The zero-shot language models' ONNX file whatever the backend (`models/hub-source.json` `lmVariant`). */
  lmVariant?: string;
  /** A last change to each browser's manifest (the dev loop numbers its builds in `version_name`). */
  manifest?: (m: Record<string, unknown>, browser: Browser) => Record<string, unknown>;
  /** A folder whose files are copied into each browser's folder as they are and watched like extension/ (tests). */
  extraStatic?: string;
}

export type Target = Browser | 'cli';

export const defaultConfig = (): BuildConfig => ({ out: join(root, 'dist'), minify: false });

/** Every file under `dir` (absolute paths), for esbuild's watcher. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

/** The static folders and files each browser's folder is made of, besides the bundles. */
function staticSources(cfg: BuildConfig): { files: string[]; dirs: string[] } {
  const dirs = [join(root, 'extension'), join(root, 'models/embedded'), join(root, 'models/hub'), ...(cfg.extraStatic ? [cfg.extraStatic] : [])];
  const files = [join(root, 'manifest.json'), join(root, 'package.json'), join(root, 'models/registry.json'), ...dirs.flatMap(filesUnder)];
  return { files: files.filter((f) => existsSync(f)), dirs: dirs.filter((d) => existsSync(d)) };
}

/** Copies the static files and writes the manifest into `<out>/<browser>/`. */
function writeStatic(browser: Browser, cfg: BuildConfig): void {
  const out = join(cfg.out, browser);
  cpSync(join(root, 'extension'), out, { recursive: true, filter: (src) => !(browser === 'firefox' && src.endsWith('offscreen.html')) });
  mkdirSync(join(out, ORT_DIR), { recursive: true });
  cpSync(join(root, 'node_modules/onnxruntime-web/dist', ORT_WASM), join(out, ORT_DIR, ORT_WASM));
  mkdirSync(join(out, 'models'), { recursive: true });
  // The embedded model's runtime files only (not the card, eval tables or training by-products).
  cpSync(join(root, 'models/embedded'), join(out, 'models/embedded'), { recursive: true, filter: (s) => !/\.[a-z]+$/.test(s) || /(model\.onnx|meta\.json)$/.test(s) });
  if (existsSync(join(root, 'models/hub'))) cpSync(join(root, 'models/hub'), join(out, 'models/hub'), { recursive: true, filter: (s) => !s.endsWith('.md') });
  if (existsSync(join(root, 'models/registry.json'))) cpSync(join(root, 'models/registry.json'), join(out, 'models/registry.json'));
  if (cfg.hubUrl || cfg.lmVariant) {
    const src = { ...(cfg.hubUrl ? { hubUrl: cfg.hubUrl } : {}), ...(cfg.lmVariant ? { lmVariant: cfg.lmVariant } : {}) };
    writeFileSync(join(out, 'models/hub-source.json'), `${JSON.stringify(src)}\n`);
  }
  if (cfg.extraStatic && existsSync(cfg.extraStatic)) cpSync(cfg.extraStatic, out, { recursive: true });
  const manifest = cfg.manifest ? cfg.manifest(manifestFor(browser), browser) : manifestFor(browser);
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Runs the static step after every successful build of the context it is in, and has esbuild watch
 * the static files (through the entry point's load, one of the two places a plugin can add watched paths).
 */
function staticPlugin(browser: Browser, cfg: BuildConfig, entry: string): Plugin {
  return {
    name: 'static-files',
    setup(b) {
      // onLoad, not onResolve: a path resolved by a plugin loses its package's module type (`"type": "module"`).
      b.onLoad({ filter: new RegExp(`^${entry.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }, (a) => {
        const { files, dirs } = staticSources(cfg);
        return { contents: readFileSync(a.path, 'utf8'), loader: 'ts', watchFiles: files, watchDirs: dirs };
      });
      b.onEnd((r) => {
        if (r.errors.length === 0) writeStatic(browser, cfg);
      });
    },
  };
}

/** The esbuild options of one target: two bundles per browser (ES modules, and the content script as a classic script), one for the CLI. */
export function buildOptions(target: Target, cfg: BuildConfig): BuildOptions[] {
  // Paths in the output (module comments) are relative to the repository wherever it is checked out.
  const where = { absWorkingDir: root, logLevel: 'warning' as const };
  if (target === 'cli') {
    return [{ ...where, entryPoints: [join(root, 'src/cli/telltale.ts')], outfile: join(cfg.out, 'cli/telltale.mjs'), bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', sourcemap: 'linked' }];
  }
  const browser = target;
  const common: BuildOptions = {
    ...where,
    bundle: true,
    outdir: join(cfg.out, browser),
    target: browser === 'chrome' ? 'chrome120' : 'firefox128',
    platform: 'browser',
    sourcemap: 'linked',
    minify: cfg.minify,
    legalComments: 'linked',
    plugins: [platformPlugin(browser), xenovaOrtStub, ortBuildPlugin, slimCatalogue],
    define: { 'process.env.NODE_ENV': '"production"' },
    jsx: 'automatic',
    jsxImportSource: 'preact',
  };
  const esm = ['src/background/index.ts', 'src/popup/index.tsx', 'src/options/index.tsx'];
  if (browser === 'chrome') esm.push('src/offscreen/index.ts');
  const entry = (f: string) => ({ in: join(root, f), out: f.split('/')[1]! === 'background' ? 'background' : f.split('/')[1]! });
  const background = join(root, esm[0]!);
  return [
    { ...common, format: 'esm', entryPoints: esm.filter((f) => existsSync(join(root, f))).map(entry), splitting: false, plugins: [...common.plugins!, staticPlugin(browser, cfg, background)] },
    { ...common, format: 'iife', entryPoints: [{ in: join(root, 'src/content/index.ts'), out: 'content' }] },
  ];
}

export interface BuildHandle {
  /** Builds every target once more (static files included); rejects when esbuild reports errors. */
  rebuild(): Promise<void>;
  /** Starts esbuild's watchers (they build once at the start, then on every change). */
  watch(): Promise<void>;
  dispose(): Promise<void>;
}

export interface BuildHooks {
  onStart?(target: Target): void;
  onEnd?(target: Target, result: BuildResult): void;
}

/**
 * The build of `targets` as esbuild contexts, their output folders emptied first. `hooks` hear the start
 * and end of every build of every context (the dev loop reloads the extension when they are all done).
 */
export async function createBuild(cfg: BuildConfig, targets: Target[], hooks: BuildHooks = {}): Promise<BuildHandle> {
  const contexts: BuildContext[] = [];
  for (const target of targets) {
    const dir = join(cfg.out, target);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const opts of buildOptions(target, cfg)) {
      const notify: Plugin = {
        name: 'notify',
        setup(b) {
          b.onStart(() => void hooks.onStart?.(target));
          b.onEnd((r) => void hooks.onEnd?.(target, r));
        },
      };
      contexts.push(await context({ ...opts, plugins: [...(opts.plugins ?? []), notify] }));
    }
  }
  return {
    async rebuild() {
      // esbuild throws on errors (and has logged them).
      await Promise.all(contexts.map((c) => c.rebuild()));
    },
    async watch() {
      await Promise.all(contexts.map((c) => c.watch()));
    },
    async dispose() {
      await Promise.all(contexts.map((c) => c.dispose()));
    },
  };
}

/** `npm run build`: every target once. */
export async function buildAll(cfg: BuildConfig, targets: Target[] = ['chrome', 'firefox', 'cli']): Promise<void> {
  const b = await createBuild(cfg, targets);
  try {
    await b.rebuild();
  } finally {
    await b.dispose();
  }
}

/** `--out DIR`, `--out=DIR`, `--minify`, `--hub-url=URL`, `--package`. */
export function parseBuildArgs(argv: string[]): BuildConfig & { package: boolean } {
  const cfg = { ...defaultConfig(), package: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--minify') cfg.minify = true;
    else if (a === '--package') cfg.package = true;
    else if (a.startsWith('--hub-url=')) cfg.hubUrl = a.slice('--hub-url='.length);
    else if (/^--lm-variant=(fp32|fp16|q8|q4|q4f16)$/.test(a)) cfg.lmVariant = a.slice('--lm-variant='.length);
    else if (a.startsWith('--out=')) cfg.out = resolve(a.slice('--out='.length));
    else if (a === '--out' && argv[i + 1]) cfg.out = resolve(argv[++i]!);
    else throw new Error(`build: unknown option ${a}`);
  }
  return cfg;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  const cfg = parseBuildArgs(process.argv.slice(2));
  await buildAll(cfg);
  const shown = relative(process.cwd(), cfg.out) || '.';
  console.log(`built ${shown}/chrome, ${shown}/firefox, ${shown}/cli in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (cfg.package) {
    const { packageAll } = await import('./package.ts');
    packageAll(cfg.out);
  }
}
