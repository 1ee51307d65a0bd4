/** Where the repository and the labelled corpus are (TELLTALE_DATA overrides ../shared/data/mgt). */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function dataDir(): string {
  return process.env.TELLTALE_DATA ? resolve(process.env.TELLTALE_DATA) : resolve(REPO_ROOT, '..', 'shared', 'data', 'mgt');
}
