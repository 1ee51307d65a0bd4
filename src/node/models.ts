/**
 * Node-only loading of the shipped models (CLI, eval, bench, tests): reads models/embedded/* with fs.
 * The repository root is found by walking up from this file to the folder holding models/embedded/,
 * so it also works from a bundle in bin/ or dist/. TELLTALE_MODELS overrides the models folder.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEmbeddedDetector, type EmbeddedDetector, type EmbeddedOptions } from '../core/embedded/detector.ts';

export function modelsDir(): string {
  if (process.env.TELLTALE_MODELS) return resolve(process.env.TELLTALE_MODELS);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'models', 'embedded', 'meta.json'))) return join(dir, 'models');
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return resolve(process.cwd(), 'models');
}

export function embeddedModelDir(): string {
  return join(modelsDir(), 'embedded');
}

export async function loadEmbeddedDetector(opts: EmbeddedOptions = {}): Promise<EmbeddedDetector> {
  const dir = embeddedModelDir();
  return createEmbeddedDetector(async (file) => new Uint8Array(await readFile(join(dir, file))), { backend: 'wasm', ...opts });
}
