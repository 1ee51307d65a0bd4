/**
 * The builds and the store packages: what they carry, that two builds give byte-identical zips, that
 * the Firefox zip lints and the Chrome zip loads, and that the source zip rebuilds the same zips.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { launchChromium, ROOT } from '../support/browsers.ts';

const webExt = join(ROOT, 'node_modules/.bin/web-ext');
const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
const ZIPS = ['chrome', 'firefox', 'source'].map((k) => `telltale-${k}-${version}.zip`);
const sha256 = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const filesUnder = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile()).sort();

/** `npm run package`, into `out` instead of dist/ (`cwd`: the tree to build). */
function packageInto(out: string, cwd = ROOT, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--package', '--out', out], { cwd, env, encoding: 'utf8' });
}

function unzipInto(zip: string, dir: string): void {
  for (const [name, data] of Object.entries(unzipSync(readFileSync(zip)))) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
}

let tmp = '';
const outA = () => join(tmp, 'a');
const outB = () => join(tmp, 'b');
const zip = (out: string, kind: 'chrome' | 'firefox' | 'source') => join(out, 'packages', `telltale-${kind}-${version}.zip`);

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'telltale-package-'));
  packageInto(outA());
  packageInto(outB());
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('our code never writes HTML from strings', () => {
  const files = execFileSync('git', ['ls-files', 'src'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter((f) => /\.tsx?$/.test(f));
  assert.ok(files.length > 20);
  for (const f of files) {
    assert.doesNotMatch(readFileSync(join(ROOT, f), 'utf8'), /\.innerHTML\s*=|outerHTML\s*=|insertAdjacentHTML|dangerouslySetInnerHTML|document\.write\(/, f);
  }
});

test('both builds carry the runtime, the embedded model and no remote code', () => {
  for (const browser of ['chrome', 'firefox']) {
    const dir = join(ROOT, 'dist', browser);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.manifest_version, 3);
    for (const f of ['background.js', 'content.js', 'popup.js', 'popup.html', 'options.html', 'models/embedded/model.onnx', 'models/embedded/meta.json']) {
      assert.ok(existsSync(join(dir, f)), `${browser}: ${f}`);
    }
    assert.ok(statSync(join(dir, 'ort/ort-wasm-simd-threaded.asyncify.wasm')).size > 1_000_000, `${browser}: onnxruntime wasm`);
    for (const f of ['background.js', 'content.js', 'popup.js']) {
      assert.doesNotMatch(readFileSync(join(dir, f), 'utf8'), /https:\/\/cdn\.jsdelivr|unpkg\.com/, `${browser}/${f} loads nothing from a CDN`);
    }
  }
  assert.ok(existsSync(join(ROOT, 'dist/chrome/offscreen.html')));
  assert.ok(!existsSync(join(ROOT, 'dist/firefox/offscreen.html')));
});

test('npm run package: a second build gives the same files and byte-identical zips', () => {
  const hashes = ZIPS.map((z) => [z, sha256(join(outA(), 'packages', z)), sha256(join(outB(), 'packages', z))] as const);
  for (const [z, a, b] of hashes) assert.equal(a, b, `${z}: ${a} then ${b}`);
  console.log(hashes.map(([z, a]) => `${a}  ${z}`).join('\n'));
  // esbuild's output too (source maps included), not only what the zips keep.
  for (const browser of ['chrome', 'firefox']) {
    const [a, b] = [join(outA(), browser), join(outB(), browser)];
    assert.deepEqual(filesUnder(a), filesUnder(b));
    for (const f of filesUnder(a)) assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${browser}/${f} differs between builds`);
  }
});

test('the store zips hold the build without source maps, sorted, with one timestamp and fixed permissions', () => {
  for (const browser of ['chrome', 'firefox'] as const) {
    const entries = unzipSync(readFileSync(zip(outA(), browser)));
    const names = Object.keys(entries);
    assert.deepEqual(names, [...names].sort());
    assert.deepEqual(names, filesUnder(join(outA(), browser)).filter((f) => !f.endsWith('.map')));
    for (const n of names) assert.ok(Buffer.from(entries[n]!).equals(readFileSync(join(outA(), browser, n))), n);
    assert.ok(statSync(zip(outA(), browser)).size > 1_000_000);
  }
  // Every entry's header as the central directory has it: one timestamp, Unix permissions, no extra fields.
  const rows = centralDirectory(readFileSync(zip(outA(), 'source')));
  assert.equal(new Set(rows.map((r) => r.dosTime)).size, 1, 'one timestamp');
  for (const r of rows) {
    assert.equal(r.os, 3, r.name);
    assert.equal(r.extra, 0, r.name);
    assert.ok(r.mode === 0o100644 || r.mode === 0o100755, `${r.name}: ${r.mode.toString(8)}`);
  }
  assert.equal(rows.find((r) => r.name === 'bin/telltale.js')?.mode, 0o100755, 'executables keep their x bit');
  assert.equal(rows.find((r) => r.name === 'README.md')?.mode, 0o100644);
});

/** The central directory's entries of a zip (no zip64, no archive comment: what scripts/package.ts writes). */
function centralDirectory(buf: Buffer): { name: string; os: number; dosTime: number; mode: number; extra: number }[] {
  const eocd = buf.length - 22;
  assert.equal(buf.readUInt32LE(eocd), 0x06054b50, 'end of central directory');
  const rows = [];
  for (let i = 0, at = buf.readUInt32LE(eocd + 16); i < buf.readUInt16LE(eocd + 10); i++) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50);
    const [nameLen, extraLen, commentLen] = [buf.readUInt16LE(at + 28), buf.readUInt16LE(at + 30), buf.readUInt16LE(at + 32)];
    rows.push({ name: buf.toString('utf8', at + 46, at + 46 + nameLen), os: buf[at + 5]!, dosTime: buf.readUInt32LE(at + 12), mode: buf.readUInt32LE(at + 38) >>> 16, extra: extraLen });
    at += 46 + nameLen + extraLen + commentLen;
  }
  return rows;
}

test('web-ext lint: the Firefox zip has no errors', () => {
  const dir = join(tmp, 'firefox-unzipped');
  unzipInto(zip(outA(), 'firefox'), dir);
  const r = spawnSync(webExt, ['lint', '--source-dir', dir, '--output', 'json', '--no-config-discovery'], { encoding: 'utf8' });
  const report = JSON.parse(r.stdout) as { errors: { code: string; message: string }[]; warnings: { code: string; message: string; file?: string }[] };
  assert.deepEqual(report.errors.map((e) => `${e.code}: ${e.message}`), []);
  // The warnings come from libraries: onnxruntime-web (dynamic import, Function) and Preact's
  // dangerouslySetInnerHTML support, which our code never uses (checked below).
  assert.ok(report.warnings.length <= 6, report.warnings.map((w) => `${w.code} ${w.file}`).join('\n'));
});

test('the Chrome zip loads in Chromium: its service worker starts and the popup renders', async () => {
  const dir = join(tmp, 'chrome-unzipped');
  unzipInto(zip(outA(), 'chrome'), dir);
  const h = await launchChromium({ webgpu: false, extension: dir });
  try {
    assert.equal(await h.inBackground('async (bg) => typeof bg.telltaleBackground'), 'object');
    const popup = await h.openExtensionPage('popup.html');
    await popup.waitForSelector('body *', { timeout: 10_000 });
    assert.equal(await h.inBackground('async () => chrome.runtime.getManifest().version'), version);
  } finally {
    await h.close();
  }
});

test('the source zip: every tracked file and BUILD.md; built by its instructions outside git, it gives the same browser zips', () => {
  const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter((f) => f && existsSync(join(ROOT, f)));
  const src = join(tmp, 'source');
  try {
    unzipInto(zip(outA(), 'source'), src);
    assert.deepEqual(filesUnder(src), [...tracked, 'BUILD.md'].sort());
    for (const f of tracked) assert.ok(readFileSync(join(src, f)).equals(readFileSync(join(ROOT, f))), f);
    const md = readFileSync(join(src, 'BUILD.md'), 'utf8');
    for (const needed of ['npm ci --ignore-scripts', 'npm run build', 'dist/firefox/', `Node.js ${process.version}`, 'OS: ']) assert.ok(md.includes(needed), needed);
    const epoch = /SOURCE_DATE_EPOCH=(\d+) npm run package/.exec(md)?.[1];
    assert.ok(epoch, 'BUILD.md gives the timestamp');
    assert.ok(md.includes(sha256(zip(outA(), 'firefox'))), 'BUILD.md gives the Firefox zip’s SHA-256');
    // In place of `npm ci`: a hard-linked copy of node_modules (same lock file, no download); a real
    // folder, not a symlink, so that module paths are the same as in a real install.
    execFileSync('cp', ['-al', join(ROOT, 'node_modules'), join(src, 'node_modules')]);
    const out = join(tmp, 'from-source');
    const log = packageInto(out, src, { ...process.env, SOURCE_DATE_EPOCH: epoch });
    assert.match(log, /not a git checkout: no source zip/);
    for (const browser of ['chrome', 'firefox'] as const) assert.equal(sha256(zip(out, browser)), sha256(zip(outA(), browser)), browser);
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
});
