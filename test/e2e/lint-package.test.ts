import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/browsers.ts';

const webExt = join(ROOT, 'node_modules/.bin/web-ext');

test('web-ext lint: the Firefox build has no errors', () => {
  const r = spawnSync(webExt, ['lint', '--source-dir', join(ROOT, 'dist/firefox'), '--output', 'json', '--no-config-discovery'], { encoding: 'utf8' });
  const report = JSON.parse(r.stdout) as { errors: { code: string; message: string }[]; warnings: { code: string; message: string; file?: string }[] };
  assert.deepEqual(report.errors.map((e) => `${e.code}: ${e.message}`), []);
  // The warnings come from libraries: onnxruntime-web (dynamic import, Function) and Preact's
  // dangerouslySetInnerHTML support, which our code never uses (checked below).
  assert.ok(report.warnings.length <= 6, report.warnings.map((w) => `${w.code} ${w.file}`).join('\n'));
});

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

test('npm run package makes store zips', () => {
  execFileSync('npx', ['tsx', 'scripts/build.ts', '--package'], { cwd: ROOT, stdio: 'ignore' });
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  for (const b of ['chrome', 'firefox']) assert.ok(statSync(join(ROOT, `dist/packages/telltale-${b}-${version}.zip`)).size > 1_000_000);
});
