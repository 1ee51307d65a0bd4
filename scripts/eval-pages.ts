/**
 * `npm run eval:pages`: false alarms on real pages. Serves human-written HTML manuals that Debian
 * packages ship (written by people, almost all of it before LLMs existed, and never part of the
 * training corpus) from 127.0.0.1, drives the BUILT extension (dist/chrome) in headless Chromium with
 * automatic scanning on, and reads back every paragraph's verdict. Reports by page and by package:
 * paragraphs judged, flagged, marked unclear.
 *
 *   npm run eval:pages [-- --per-package N] [--packages a,b] [--split tuning|held-out|all] [--out FILE]
 *                      [--dir DIR]   (every .html under DIR instead of the Debian manuals; tests use it)
 *
 * The manuals come from Debian's packages (install them with the command printed when they are
 * missing). Pages are chosen by a fixed hash of their path, so every run reads the same pages.
 * Packages are split in two: thresholds may be chosen on `tuning`; `held-out` is only ever reported.
 * Per-paragraph scores go to .cache/eval-pages/ (not committed: they are numbers about Debian's text,
 * but the text itself stays out of the repository); the summary to --out (default
 * models/embedded/eval-pages.json).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium, ROOT, sleep, waitFor } from '../test/support/browsers.ts';
import { sendFromExtension, storeSettings, tabIdOf } from '../test/support/scenario.ts';
import type { PageReport } from '../src/protocol/messages.ts';
import { calibrationTag, type EmbeddedMeta } from '../src/core/embedded/detector.ts';
import { levelAt } from '../src/core/levels.ts';
import { SENSITIVITIES } from '../src/core/types.ts';
import { PACKAGES } from './pages/manuals.ts';


interface PageResult {
  pkg: string;
  path: string;
  split: string;
  paragraphs: number;
  scored: number;
  flagged: number;
  unclear: number;
  tooShort: number;
  unsupported: number;
  errors: number;
  ms: number;
}

/** A paragraph's verdict, kept for choosing thresholds (numbers only). */
interface ParagraphScore {
  pkg: string;
  page: string;
  p: number;
  level: string | null;
  chars: number;
}

/** HTML files under `dir`, of at least `minBytes` (the manuals' tiny index and redirect pages hold no prose). */
function listPages(dir: string, match: RegExp | undefined, minBytes = 4000): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else if ((match ? match.test(name) : /\.html?$/.test(name)) && s.size >= minBytes) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** The same pages every run: the `n` paths with the smallest hash. */
function choose(paths: string[], n: number): string[] {
  const h = (p: string) => createHash('sha256').update(`telltale-eval-pages:${p}`).digest('hex');
  return paths.map((p) => [h(p), p] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1)).slice(0, n).map((x) => x[1]).sort();
}

const TYPES: Record<string, string> = { '.css': 'text/css', '.js': 'text/javascript', '.png': 'image/png', '.gif': 'image/gif', '.svg': 'image/svg+xml', '.jpg': 'image/jpeg' };

/** Serves files under `roots` (and nothing else) from 127.0.0.1. */
async function serve(roots: string[]) {
  const server = createServer((req, res) => {
    const path = resolve('/', decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!roots.some((r) => path.startsWith(`${r}/`)) || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    const html = /\.html?(\.[a-z-]+)?$/.test(path);
    res.writeHead(200, { 'content-type': html ? 'text/html; charset=utf-8' : (TYPES[extname(path)] ?? 'application/octet-stream') });
    res.end(readFileSync(path));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: (p: string) => `http://127.0.0.1:${port}${p.split('/').map(encodeURIComponent).join('/')}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      'per-package': { type: 'string', default: '12' },
      packages: { type: 'string' },
      split: { type: 'string', default: 'all' },
      out: { type: 'string' },
      dir: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const perPackage = Number(values['per-package']);
  let pages: { pkg: string; path: string; split: string }[] = [];
  let roots: string[];
  if (values.dir) {
    const dir = resolve(values.dir);
    roots = [dir];
    pages = listPages(dir, /\.html$/, 0).map((path) => ({ pkg: relative(ROOT, dir) || dir, path, split: 'held-out' }));
  } else {
    const wanted = values.packages?.split(',');
    const chosen = PACKAGES.filter((p) => (!wanted || wanted.includes(p.pkg)) && (values.split === 'all' || p.split === values.split));
    const missing = chosen.filter((p) => !existsSync(p.dir));
    if (missing.length) {
      console.error(`eval:pages: these manuals are not installed: apt-get install -y --no-install-recommends ${missing.map((p) => p.pkg).join(' ')}`);
      process.exit(2);
    }
    for (const p of chosen) for (const path of choose(listPages(p.dir, p.match), perPackage)) pages.push({ pkg: p.pkg, path, split: p.split });
    roots = chosen.map((p) => p.dir);
  }
  if (!existsSync(join(ROOT, 'dist/chrome/manifest.json'))) {
    console.error('eval:pages: build the extension first (npm run build)');
    process.exit(2);
  }
  const meta = JSON.parse(readFileSync(join(ROOT, 'dist/chrome/models/embedded/meta.json'), 'utf8')) as EmbeddedMeta;

  const site = await serve(roots);
  const h = await launchChromium({ webgpu: false });
  const results: PageResult[] = [];
  const paragraphs: ParagraphScore[] = [];
  const t0 = Date.now();
  try {
    await h.worker();
    const control = await h.openExtensionPage('options.html');
    await storeSettings(control, { autoScan: true });
    const page = await h.browser.newPage();
    for (const [i, pg] of pages.entries()) {
      const url = site.url(pg.path);
      const start = Date.now();
      await page.goto(url, { waitUntil: 'load' });
      const tabId = await tabIdOf(control, url);
      let report: PageReport | null = null;
      try {
        report = await waitFor(async () => {
          const r = await sendFromExtension<PageReport>(control, 'ui:cs:report', {}, tabId);
          return r && !r.scanning && r.items.every((x) => x.state !== 'pending') ? r : null;
        }, `${pg.path} to be scanned`, 120_000, 200);
      } catch (err) {
        console.error(`eval:pages: ${pg.path}: ${err instanceof Error ? err.message : String(err)}`);
      }
      const items = report?.items ?? [];
      const levels = await page.evaluate(() =>
        Object.fromEntries([...document.querySelectorAll<HTMLElement>('[data-telltale-key]')].map((el) => [el.dataset.telltaleKey!, el.dataset.telltaleLevel ?? null])),
      );
      const r: PageResult = {
        pkg: pg.pkg, path: pg.path, split: pg.split, paragraphs: items.length,
        scored: 0, flagged: 0, unclear: 0, tooShort: 0, unsupported: 0, errors: 0, ms: Date.now() - start,
      };
      for (const it of items) {
        if (it.state === 'scored') r.scored++;
        else if (it.state === 'too-short') r.tooShort++;
        else if (it.state === 'unsupported') r.unsupported++;
        else if (it.state === 'error') r.errors++;
        const level = levels[it.key] ?? null;
        if (it.state === 'scored' && it.verdict?.flagged) r.flagged++;
        else if (it.state === 'scored' && (level === 'unclear' || level === 'uncertain')) r.unclear++;
        if (it.state === 'scored' && it.verdict?.p_machine != null) {
          paragraphs.push({ pkg: pg.pkg, page: pg.path, p: it.verdict.p_machine, level, chars: it.chars });
        }
      }
      results.push(r);
      if (!values.quiet) {
        const pct = (n: number) => (r.scored ? `${((100 * n) / r.scored).toFixed(1)}%` : '-');
        console.log(`${String(i + 1).padStart(4)}/${pages.length} ${pg.pkg.padEnd(20)} ${relative(dirname(PACKAGES.find((p) => p.pkg === pg.pkg)?.dir ?? roots[0]!), pg.path).slice(0, 56).padEnd(56)} scored ${String(r.scored).padStart(4)}  flagged ${pct(r.flagged).padStart(6)}  unclear ${pct(r.unclear).padStart(6)}`);
      }
      await sleep(20);
    }
  } finally {
    await h.close();
    await site.close();
  }

  const sum = (rs: PageResult[]) => {
    const s = { pages: rs.length, scored: 0, flagged: 0, unclear: 0, tooShort: 0, unsupported: 0, errors: 0 };
    for (const r of rs) for (const k of ['scored', 'flagged', 'unclear', 'tooShort', 'unsupported', 'errors'] as const) s[k] += r[k];
    return { ...s, flaggedRate: s.scored ? s.flagged / s.scored : null, unclearRate: s.scored ? s.unclear / s.scored : null };
  };
  const byPackage = Object.fromEntries([...new Set(results.map((r) => r.pkg))].map((pkg) => [pkg, sum(results.filter((r) => r.pkg === pkg))]));
  const bySplit = Object.fromEntries([...new Set(results.map((r) => r.split))].map((s) => [s, sum(results.filter((r) => r.split === s))]));
  const total = sum(results);

  const summary = {
    what: 'Built extension (dist/chrome), headless Chromium, automatic scanning, sensitivity balanced, detector embedded',
    model: meta.version,
    policy: { thresholds: meta.policy.thresholds, unclear: meta.policy.unclear },
    seconds: Math.round((Date.now() - t0) / 1000),
    total,
    bySplit,
    byPackage,
    pages: results.map(({ ms: _ms, ...r }) => r),
  };
  console.log('\npackage                 split     pages  scored  flagged  unclear  too-short  not judged');
  for (const [pkg, s] of Object.entries(byPackage)) {
    const split = results.find((r) => r.pkg === pkg)!.split;
    console.log(`${pkg.padEnd(22)}  ${split.padEnd(8)}  ${String(s.pages).padStart(5)}  ${String(s.scored).padStart(6)}  ${fmt(s.flaggedRate).padStart(7)}  ${fmt(s.unclearRate).padStart(7)}  ${String(s.tooShort).padStart(9)}  ${String(s.unsupported).padStart(10)}`);
  }
  for (const [split, s] of Object.entries(bySplit)) console.log(`${(`all ${split}`).padEnd(32)}  ${String(s.pages).padStart(5)}  ${String(s.scored).padStart(6)}  ${fmt(s.flaggedRate).padStart(7)}  ${fmt(s.unclearRate).padStart(7)}`);
  console.log(`${'all'.padEnd(32)}  ${String(total.pages).padStart(5)}  ${String(total.scored).padStart(6)}  ${fmt(total.flaggedRate).padStart(7)}  ${fmt(total.unclearRate).padStart(7)}   (${summary.seconds} s)`);
  // The same paragraphs at every sensitivity, from their scores and the build's policy (the run itself
  // used balanced, and its marks gave the counts above).
  const rates = (split: string) => {
    const ps = paragraphs.filter((x) => results.find((r) => r.path === x.page)?.split === split);
    return Object.fromEntries(SENSITIVITIES.map((s) => {
      const levels = ps.map((x) => levelAt(meta.policy, x.p, s));
      return [s, { flagged: levels.filter((l) => l === 'generated').length / Math.max(1, ps.length), unclear: levels.filter((l) => l === 'unclear').length / Math.max(1, ps.length) }];
    }));
  };
  for (const split of Object.keys(bySplit)) {
    const r = rates(split);
    console.log(`${split}: ${SENSITIVITIES.map((s) => `${s} flagged ${fmt(r[s]!.flagged)} unclear ${fmt(r[s]!.unclear)}`).join('; ')}`);
  }
  const heldOut = bySplit['held-out'];
  if (!values.dir && heldOut && !values.packages && values.out === undefined) {
    const metaFile = join(ROOT, 'models/embedded/meta.json');
    const shipped = JSON.parse(readFileSync(metaFile, 'utf8')) as Record<string, unknown> & { measured?: Record<string, unknown> };
    if (calibrationTag(shipped as unknown as EmbeddedMeta) === calibrationTag(meta) && JSON.stringify(shipped.policy) === JSON.stringify(meta.policy)) {
      const pkgs = new Set(results.filter((r) => r.split === 'held-out').map((r) => r.pkg));
      shipped.measured = { ...shipped.measured, pages: { on: `${heldOut.pages} pages of ${pkgs.size} Debian manuals no threshold was chosen on, ${heldOut.scored.toLocaleString('en-US')} paragraphs`, ...rates('held-out') } };
      writeFileSync(metaFile, `${JSON.stringify(shipped, null, 2)}\n`);
      console.log('wrote the held-out rates in models/embedded/meta.json (rebuild to ship them)');
    } else console.log('models/embedded/meta.json differs from the build\'s: not writing its measured rates (npm run build, then run again)');
  }
  const cache = join(ROOT, '.cache/eval-pages');
  mkdirSync(cache, { recursive: true });
  // Only the manuals' scores are what scripts/train/policy.ts reads; a --dir run keeps its own.
  const paragraphsFile = join(cache, values.dir ? 'paragraphs-dir.json' : 'paragraphs.json');
  writeFileSync(paragraphsFile, JSON.stringify({ calibration: calibrationTag(meta), paragraphs }));
  const out = values.out ?? (values.dir ? join(cache, 'summary.json') : join(ROOT, 'models/embedded/eval-pages.json'));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`wrote ${relative(process.cwd(), out)}; per-paragraph scores in ${relative(process.cwd(), paragraphsFile)}`);
  if (total.errors > 0 || total.pages === 0) process.exitCode = 1;
}

function fmt(x: number | null): string {
  return x === null ? '-' : `${(100 * x).toFixed(1)}%`;
}

if (process.argv[1]?.endsWith('eval-pages.ts')) {
  await main();
  process.exit(process.exitCode ?? 0);
}
