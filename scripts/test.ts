/**
 * `npm test`: unit tests (Node), then a build, then the end-to-end tests in real Chromium and Firefox.
 * `npm test unit` or `npm test e2e` runs one part. Uses Node's own test runner with tsx for TypeScript.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const which = process.argv[2];
const parts = which ? [which] : ['unit', 'e2e'];
const files = (dir: string) =>
  readdirSync(join('test', dir))
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => join('test', dir, f));

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

for (const part of parts) {
  if (part === 'e2e') run('npx', ['tsx', 'scripts/build.ts']);
  const list = files(part);
  if (list.length === 0) continue;
  // One file at a time for e2e: two browsers on two cores gain nothing and flake.
  const concurrency = part === 'e2e' ? '1' : '2';
  run(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...list]);
}
