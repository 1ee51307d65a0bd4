#!/usr/bin/env node
// The CLI is bundled from src/cli/telltale.ts by `npm run build` (esbuild); this stub only starts it.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/telltale.mjs', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('telltale: the CLI is not built yet. Run `npm run build` in the Telltale folder first.\n');
  process.exit(1);
}
await import(cli.href);
