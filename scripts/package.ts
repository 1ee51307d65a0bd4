/**
 * `npm run package` (after the build, in scripts/build.ts): the store zips and the source zip AMO's
 * review asks for, in `<out>/packages/`:
 *
 *   telltale-chrome-X.Y.Z.zip    dist/chrome without source maps
 *   telltale-firefox-X.Y.Z.zip   dist/firefox without source maps
 *   telltale-source-X.Y.Z.zip    every git-tracked file as it is in the working tree, and BUILD.md
 *
 * The zips are written here, not by web-ext (whose zips carry each file's modification time, so two
 * builds never match): entries sorted by path, one fixed timestamp (SOURCE_DATE_EPOCH, else the time of
 * the HEAD commit), fixed permissions (0644, 0755 for files git marks executable), deflate level 9, no
 * extra fields, no directory entries. The compressor is fflate, plain JavaScript pinned by the lock file,
 * so the bytes do not depend on the zlib that comes with Node either. Two builds of the same tree give
 * byte-identical zips (test/e2e/lint-package.test.ts).
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { arch, release, type } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync, type Zippable } from 'fflate';

// Not imported from build.ts, which imports this module while it runs.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** 1980-01-01T00:00:00Z, the earliest time a zip can hold. */
export const ZIP_EPOCH_MIN = 315_532_800;

export interface ZipEntry {
  /** Forward slashes, no leading slash. */
  path: string;
  data: Uint8Array;
  /** Unix permission bits, e.g. 0o644. */
  mode: number;
}

/**
 * The timestamp every entry gets, in seconds since 1970: SOURCE_DATE_EPOCH (the reproducible-builds
 * convention) if set, else the HEAD commit's time, else 1980-01-01.
 */
export function sourceDateEpoch(root = ROOT): number {
  const env = process.env.SOURCE_DATE_EPOCH;
  if (env !== undefined && env !== '') {
    if (!/^\d+$/.test(env)) throw new Error(`SOURCE_DATE_EPOCH must be whole seconds, not ${env}`);
    return Math.max(Number(env), ZIP_EPOCH_MIN);
  }
  const commit = isCheckout(root) ? git(root, ['log', '-1', '--format=%ct']) : undefined;
  return commit ? Math.max(Number(commit.trim()), ZIP_EPOCH_MIN) : ZIP_EPOCH_MIN;
}

/** A zip whose bytes depend only on the entries and `epoch`. */
export function deterministicZip(entries: ZipEntry[], epoch: number): Uint8Array {
  const mtime = new Date(Math.max(epoch, ZIP_EPOCH_MIN) * 1000);
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const files: Zippable = {};
  for (const e of sorted) {
    if (e.path in files) throw new Error(`zip: ${e.path} twice`);
    // fflate keeps insertion order, except that object keys which look like array indices come first.
    if (/^(0|[1-9]\d*)$/.test(e.path)) throw new Error(`zip: a top-level file named ${e.path} would be reordered`);
    files[e.path] = [e.data, { level: 9, mtime, os: 3, attrs: ((0o100000 | e.mode) << 16) >>> 0 }];
  }
  // Zip times are wall-clock fields, which fflate takes from the Date in the local time zone: zip in UTC,
  // so the time zone of the machine never shows (Node rereads TZ when it is set).
  const tz = process.env.TZ;
  process.env.TZ = 'UTC';
  try {
    return zipSync(files);
  } finally {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  }
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

function git(root: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  } catch {
    return undefined;
  }
}

/** A browser's built folder, source maps left out (the stores get the code as it runs). */
export function storeEntries(dir: string): ZipEntry[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => !f.endsWith('.map') && statSync(join(dir, f)).isFile())
    .map((f) => ({ path: f.split(sep).join('/'), data: readFileSync(join(dir, f)), mode: 0o644 }));
}

/** Whether `root` is the top of a git checkout (not a folder inside some other repository). */
export function isCheckout(root = ROOT): boolean {
  const top = git(root, ['rev-parse', '--show-toplevel'])?.trim();
  return top !== undefined && realpathSync(top) === realpathSync(root);
}

/** Every file git tracks, read from the working tree (files deleted there are left out). Undefined outside a git checkout. */
export function trackedEntries(root = ROOT): ZipEntry[] | undefined {
  const listing = isCheckout(root) ? git(root, ['ls-files', '-s', '-z']) : undefined;
  if (listing === undefined) return undefined;
  const entries: ZipEntry[] = [];
  for (const line of listing.split('\0')) {
    const m = /^(\d{6}) [0-9a-f]+ \d\t(.+)$/s.exec(line);
    if (!m) continue;
    const [, mode, path] = m as unknown as [string, string, string];
    if (mode === '160000') continue; // a submodule: not a file
    const file = join(root, path);
    if (!existsSync(file)) continue;
    entries.push({ path, data: readFileSync(file), mode: mode === '100755' ? 0o755 : 0o644 });
  }
  return entries;
}

function osName(): string {
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    if (pretty) return `${pretty}, ${arch()}`;
  } catch {
    // not Linux
  }
  return `${type()} ${release()}, ${arch()}`;
}

function npmVersion(): string {
  const fromAgent = /\bnpm\/(\S+)/.exec(process.env.npm_config_user_agent ?? '')?.[1];
  if (fromAgent) return fromAgent;
  return execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim();
}

export interface BuildInfo {
  version: string;
  epoch: number;
  commit?: string;
  dirty: boolean;
  node: string;
  npm: string;
  os: string;
  zips: { name: string; sha256: string }[];
}

/** BUILD.md, the source zip's instructions for AMO reviewers. */
export function buildInstructions(i: BuildInfo): string {
  const at = i.commit ? `commit \`${i.commit}\`${i.dirty ? ' with uncommitted changes' : ''}` : 'a tree that was not a git checkout';
  const [chrome, firefox] = [i.zips.find((z) => z.name.includes('-chrome-')), i.zips.find((z) => z.name.includes('-firefox-'))];
  return `# Building Telltale ${i.version} from source

This archive holds every file of the Telltale repository that git tracks, as they were when the
packages were made (${at}).

The add-on's code is bundled by esbuild from \`src/\` (not minified; the versions of every tool are
pinned in \`package-lock.json\`); the other files are copied as they are from \`extension/\`,
\`models/\`, \`manifest.json\` (Firefox's manifest is derived from it) and
\`node_modules/onnxruntime-web/dist/\`. \`scripts/build.ts\` does all of it.

## What the packages were built with

- OS: ${i.os} (any Linux or macOS should give the same files)
- Node.js ${i.node}
- npm ${i.npm}

## Steps

1. Install Node.js ${i.node.replace(/\.\d+\.\d+$/, '')} (the packages were made with ${i.node}) and npm ${i.npm}
   (\`npm install -g npm@${i.npm}\`).
2. In the folder this archive was unpacked into:

   \`\`\`sh
   npm ci --ignore-scripts
   npm run build
   \`\`\`

   \`npm ci\` installs the exact versions in \`package-lock.json\` from the npm registry;
   \`--ignore-scripts\` skips install scripts, which the build does not need (they download native
   binaries for the tests' and benchmarks' optional tools).
3. The output is in \`dist/\`: \`dist/firefox/\` is the Firefox add-on, \`dist/chrome/\` the Chrome
   extension (\`dist/cli/\` is the command-line tool, not part of the add-on). The files of
   \`dist/firefox/\` other than the source maps (\`*.map\`) are the files of the submitted
   \`telltale-firefox-${i.version}.zip\`, byte for byte.
4. To remake the submitted zip itself, byte for byte:

   \`\`\`sh
   SOURCE_DATE_EPOCH=${i.epoch} npm run package
   sha256sum dist/packages/telltale-firefox-${i.version}.zip
   \`\`\`

   SOURCE_DATE_EPOCH is the one timestamp every file in the zip carries${i.commit ? ' (the commit time)' : ''}.
   The zips of this build had these SHA-256s:

${[firefox, chrome].filter((z) => z).map((z) => `   - \`${z!.name}\`: \`${z!.sha256}\``).join('\n')}

   (Outside a git checkout \`npm run package\` makes the two browser zips and skips the source zip.)
`;
}

/** Writes the zips for the build in `out` (`out/chrome`, `out/firefox`) into `out/packages/`; returns each zip's path and SHA-256. */
export function packageAll(out: string, root = ROOT): { path: string; sha256: string }[] {
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const epoch = sourceDateEpoch(root);
  const dir = join(out, 'packages');
  mkdirSync(dir, { recursive: true });
  const written: { path: string; sha256: string }[] = [];
  const write = (name: string, entries: ZipEntry[]) => {
    const path = join(dir, name);
    rmSync(path, { force: true });
    const zip = deterministicZip(entries, epoch);
    writeFileSync(path, zip);
    written.push({ path, sha256: sha256(zip) });
  };
  for (const browser of ['chrome', 'firefox'] as const) write(`telltale-${browser}-${version}.zip`, storeEntries(join(out, browser)));

  const tracked = trackedEntries(root);
  if (!tracked) {
    console.log('not a git checkout: no source zip');
  } else {
    if (tracked.some((e) => e.path === 'BUILD.md')) throw new Error('BUILD.md is tracked: the source zip writes its own');
    const commit = git(root, ['rev-parse', 'HEAD'])?.trim();
    const dirty = (git(root, ['status', '--porcelain', '--untracked-files=no']) ?? '').trim() !== '';
    const info: BuildInfo = {
      version,
      epoch,
      commit,
      dirty,
      node: process.version,
      npm: npmVersion(),
      os: osName(),
      zips: written.map((w) => ({ name: w.path.slice(dir.length + 1), sha256: w.sha256 })),
    };
    const md = new TextEncoder().encode(buildInstructions(info));
    write(`telltale-source-${version}.zip`, [...tracked, { path: 'BUILD.md', data: md, mode: 0o644 }]);
  }
  for (const w of written) console.log(`${relative(process.cwd(), w.path)}  sha256 ${w.sha256}`);
  return written;
}
