/**
 * `npm run bench`: runs every module in scripts/bench/ in turn (alphabetical). Each exports
 * `async function run(): Promise<void>` and prints its own table. `npm run bench -- NAME` runs one.
 * What they share is in scripts/bench/lib/ (not benchmarks: not run).
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'bench');
const only = process.argv[2];
const modules = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .filter((f) => !only || f.replace(/\.ts$/, '') === only)
  .sort();
for (const f of modules) {
  console.log(`\n# bench: ${f.replace(/\.ts$/, '')}`);
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') throw new Error(`${f} does not export run()`);
  await mod.run();
}
process.exit(0);
