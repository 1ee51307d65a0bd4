/** `npm run version -- X.Y.Z` on a temp copy of the files that hold the version (scripts/version.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkVersion, setVersion, VERSION_FIELDS } from '../../scripts/version.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FILES = Object.keys(VERSION_FIELDS);
const current = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'telltale-version-'));
  for (const f of FILES) copyFileSync(join(ROOT, f), join(dir, f));
  return dir;
}
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
/** The lines of `a` and `b` that differ (same line count expected). */
function changedLines(a: string, b: string): string[] {
  const [x, y] = [a.split('\n'), b.split('\n')];
  assert.equal(x.length, y.length);
  return y.filter((line, i) => line !== x[i]);
}

test('sets the version in package.json, both places in package-lock.json and manifest.json, and nothing else', () => {
  const dir = copy();
  try {
    assert.deepEqual(setVersion(dir, '2.13.4').sort(), [...FILES].sort());
    const pkg = JSON.parse(read(dir, 'package.json'));
    const lock = JSON.parse(read(dir, 'package-lock.json'));
    const manifest = JSON.parse(read(dir, 'manifest.json'));
    assert.equal(pkg.version, '2.13.4');
    assert.equal(lock.version, '2.13.4');
    assert.equal(lock.packages[''].version, '2.13.4');
    assert.equal(manifest.version, '2.13.4');
    // Only the version lines changed; the formatting (the manifest's one-line objects, npm's layout) is kept.
    for (const f of FILES) {
      const lines = changedLines(read(ROOT, f), read(dir, f));
      assert.equal(lines.length, VERSION_FIELDS[f]!.length, f);
      for (const l of lines) assert.match(l, /^\s*"version": "2\.13\.4",?$/, f);
    }
    // Dependencies that happen to have the old number keep it.
    const sameNumber = Object.entries(JSON.parse(read(ROOT, 'package-lock.json')).packages as Record<string, { version?: string }>).filter(([k, v]) => k !== '' && v.version === current);
    for (const [k] of sameNumber) assert.equal(lock.packages[k].version, current, k);
    assert.deepEqual(setVersion(dir, '2.13.4'), [], 'a second run changes nothing');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('refuses what is not X.Y.Z semver, or what the browsers cannot take, and changes no file', () => {
  for (const bad of ['1.2', '1.2.3.4', 'v1.2.3', '01.2.3', '1.2.3-beta.1', '1.2.3+abc', '1.70000.0', '', 'latest']) assert.ok(checkVersion(bad), bad);
  for (const good of ['0.0.1', '1.2.3', '10.0.65535']) assert.equal(checkVersion(good), undefined, good);
  const dir = copy();
  try {
    assert.throws(() => setVersion(dir, '1.2.3-beta.1'), /no pre-release/);
    for (const f of FILES) assert.equal(read(dir, f), read(ROOT, f), f);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('npm run version -- X.Y.Z: the script, on a copy (--root), and its exit status on a bad version', () => {
  const dir = copy();
  try {
    const script = join(ROOT, 'scripts/version.ts');
    const bad = spawnSync(process.execPath, ['--import', 'tsx', script, '--root', dir, '3.0'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(bad.stderr, /not a semver version/);
    const out = execFileSync(process.execPath, ['--import', 'tsx', script, '--root', dir, '3.0.1'], { cwd: ROOT, encoding: 'utf8' });
    assert.match(out, /version 3\.0\.1: package\.json, package-lock\.json, manifest\.json/);
    assert.equal(JSON.parse(read(dir, 'manifest.json')).version, '3.0.1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no other tracked file holds the version (a new one belongs in VERSION_FIELDS)', () => {
  const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter((f) => f && !/\.(png|onnx|bin|wasm)$/.test(f));
  const pattern = new RegExp(`(^|[^\\w.-])${current.replace(/\./g, '\\.')}($|[^\\w.-])`);
  const holding = files.filter((f) => f !== 'package-lock.json' && pattern.test(readFileSync(join(ROOT, f), 'utf8')));
  assert.deepEqual(holding.sort(), FILES.filter((f) => f !== 'package-lock.json').sort());
});
