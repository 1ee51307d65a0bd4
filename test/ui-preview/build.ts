/**
 * Builds the popup and options page against a fake `browser` into a folder of plain web pages, for
 * screenshots: `npx tsx test/ui-preview/build.ts /tmp/ui-preview`, then serve that folder over http
 * (module scripts do not load from file://) and open popup.html?scenario=report.
 */
import { build } from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const out = resolve(process.argv[2] ?? '/tmp/ui-preview');
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [
    { in: join(root, 'src/popup/index.tsx'), out: 'popup' },
    { in: join(root, 'src/options/index.tsx'), out: 'options' },
  ],
  bundle: true,
  format: 'esm',
  outdir: out,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  alias: { 'webextension-polyfill': join(root, 'test/ui-preview/fake-browser.ts') },
  logLevel: 'warning',
});
for (const f of ['popup.html', 'options.html', 'ui.css', 'popup.css', 'options.css']) cpSync(join(root, 'extension', f), join(out, f));
console.log(`ui preview in ${out}`);
