/**
 * `npm run version -- X.Y.Z`: sets Telltale's version everywhere it is written down:
 *
 *   package.json          "version"
 *   package-lock.json     "version" and packages[""].version
 *   manifest.json         "version" (the build also writes package.json's into each browser's manifest)
 *
 * Only those fields change; the files keep their formatting. The version must be three numbers
 * (`1.4.0`): Chrome and Firefox take only dot-separated numbers up to 65535, so semver's pre-release and
 * build parts (`1.4.0-beta.1`, `+sha`) are refused, as is anything else that is not semver.
 *
 * Because npm runs a script named `version` during `npm version <new>` (after it has changed package.json
 * and the lock file, before its commit), that works too: without an argument there, this copies the new
 * version into manifest.json and `git add`s it, so it lands in npm's commit.
 *
 * `--root DIR` works on another copy of those files (the unit test).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Each file that holds the version, and where in its JSON. */
export const VERSION_FIELDS: Record<string, string[][]> = {
  'package.json': [['version']],
  'package-lock.json': [['version'], ['packages', '', 'version']],
  'manifest.json': [['version']],
};

/** Three numbers, no leading zeros, each at most 65535 (the browsers' limit). */
export function checkVersion(v: string): string | undefined {
  const m = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.exec(v);
  if (!m) {
    if (/^\d+\.\d+\.\d+[-+]/.test(v)) return `${v}: browser stores take only numbers (X.Y.Z), no pre-release or build part`;
    return `${v} is not a semver version X.Y.Z`;
  }
  if (m.slice(1).some((n) => Number(n) > 65535)) return `${v}: each number must be at most 65535 (Chrome's limit)`;
  return undefined;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function getAt(o: Json, path: string[]): Json | undefined {
  let cur: Json | undefined = o;
  for (const k of path) cur = cur && typeof cur === 'object' && !Array.isArray(cur) ? cur[k] : undefined;
  return cur;
}

function setAt(o: Json, path: string[], value: string): void {
  let cur = o as { [k: string]: Json };
  for (const k of path.slice(0, -1)) cur = cur[k] as { [k: string]: Json };
  cur[path.at(-1)!] = value;
}

/**
 * `text` with the fields at `paths` set to `version`, every other byte kept. The fields are the first
 * `"version": "…"` pairs of the file (in the order npm and the manifest write them); the result is
 * parsed and compared with the intended object, so a file laid out otherwise fails instead of being
 * changed in the wrong place.
 */
export function withVersion(file: string, text: string, paths: string[][], version: string): string {
  const before = JSON.parse(text) as Json;
  const expected = structuredClone(before);
  for (const p of paths) {
    if (typeof getAt(before, p) !== 'string') throw new Error(`${file}: no ${p.map((k) => JSON.stringify(k)).join('.')} version`);
    setAt(expected, p, version);
  }
  let n = 0;
  const out = text.replace(/("version"\s*:\s*)"[^"]*"/g, (whole, key: string) => (n++ < paths.length ? `${key}${JSON.stringify(version)}` : whole));
  if (JSON.stringify(JSON.parse(out)) !== JSON.stringify(expected)) throw new Error(`${file}: the version fields are not where expected; change it by hand`);
  return out;
}

/** Sets `version` in every file of VERSION_FIELDS under `root`; returns the files changed. Throws, changing nothing, on a bad version or file. */
export function setVersion(root: string, version: string): string[] {
  const problem = checkVersion(version);
  if (problem) throw new Error(problem);
  const updated = Object.entries(VERSION_FIELDS).map(([file, paths]) => {
    const text = readFileSync(join(root, file), 'utf8');
    return { file, text, out: withVersion(file, text, paths, version) };
  });
  const changed = updated.filter((u) => u.out !== u.text);
  for (const u of changed) writeFileSync(join(root, u.file), u.out);
  return changed.map((u) => u.file);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  let root = ROOT;
  const rootAt = argv.indexOf('--root');
  if (rootAt >= 0) {
    root = resolve(argv[rootAt + 1] ?? '.');
    argv.splice(rootAt, 2);
  }
  // `npm version <new>` runs this script after it has written package.json and the lock file.
  const fromNpmVersion = argv.length === 0 && process.env.npm_command === 'version';
  const version = fromNpmVersion ? (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version : argv[0];
  if (!version || argv.length > 1) {
    console.error('usage: npm run version -- X.Y.Z');
    process.exit(2);
  }
  try {
    const changed = setVersion(root, version);
    console.log(changed.length ? `version ${version}: ${changed.join(', ')}` : `version ${version} already everywhere`);
    if (fromNpmVersion && changed.length) execFileSync('git', ['add', ...changed], { cwd: root, stdio: 'inherit' });
  } catch (err) {
    console.error(`version: ${(err as Error).message}`);
    process.exit(1);
  }
}
