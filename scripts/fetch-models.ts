/**
 * `npm run fetch-models`: puts Hub models into the build for an offline or managed install, instead of
 * downloading on demand in the browser.
 *
 *   npm run fetch-models                                  roberta-base, the variants every backend may pick
 *   npm run fetch-models -- --model roberta-large --variant q8
 *   npm run fetch-models -- --hub http://127.0.0.1:PORT --model some/repo --variant fp32
 *
 * Files go to models/hub/ in the download manager's own store layout (files/<repo>/<commit>/<path>,
 * pins/<repo>.json) plus models/hub/index.json (every key and its size), verified the same way as in the
 * browser (registry hash, else the Hub's, pinned). The extension reads them as a read-only layer under
 * its IndexedDB store (src/host/model-store.ts, BundledFileStore). Where the Hub cannot be reached, it
 * stops with a message saying so and leaves nothing half-written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HubClient } from '../src/core/hub/download.ts';
import { DEFAULT_HUB, HubError, HubIntegrityError } from '../src/core/hub/hub.ts';
import { wantedFiles } from '../src/core/roberta/hub-detector.ts';
import { findEntry, type Variant } from '../src/core/roberta/registry.ts';
import { NodeFileStore } from '../src/node/hub-store.ts';

function args(argv: string[]) {
  const out: { hub: string; models: string[]; variants: Variant[]; out: string } = { hub: DEFAULT_HUB, models: [], variants: [], out: 'models/hub' };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--hub' && v) {
      out.hub = v;
      i++;
    } else if (k === '--model' && v) {
      out.models.push(v);
      i++;
    } else if (k === '--variant' && v) {
      out.variants.push(...(v.split(',') as Variant[]));
      i++;
    } else if (k === '--out' && v) {
      out.out = v;
      i++;
    } else if (k === '--help' || k === '-h') {
      console.log('usage: npm run fetch-models -- [--hub URL] [--model ID|REPO]... [--variant fp32,fp16,q8] [--out models/hub]');
      process.exit(0);
    } else throw new Error(`unknown argument ${k}`);
  }
  if (out.models.length === 0) out.models.push('roberta-base');
  if (out.variants.length === 0) out.variants.push('q8', 'fp16', 'fp32');
  return out;
}

async function main() {
  const a = args(process.argv.slice(2));
  const store = new NodeFileStore(a.out);
  const client = new HubClient({ store, hubUrl: a.hub, retries: 3 });
  for (const m of a.models) {
    const entry = findEntry(m);
    const repo = entry?.repo ?? m;
    const files = new Map(a.variants.flatMap((v) => wantedFiles(entry, v)).map((f) => [f.path, f]));
    console.log(`${repo}: ${[...files.keys()].join(', ')}`);
    let last = 0;
    await client.ensure({
      repo, revision: entry?.revision ?? 'main', files: [...files.values()],
      onProgress: (p) => {
        if (Date.now() - last < 1000 && p.loaded < p.total) return;
        last = Date.now();
        process.stdout.write(`  ${p.file}: ${(p.loaded / 1e6).toFixed(1)} / ${(p.total / 1e6).toFixed(1)} MB\n`);
      },
    });
    const pins = await client.pins(repo);
    console.log(`  pinned ${repo}@${pins?.refs[entry?.revision ?? 'main']}`);
  }
  // Drop partial downloads from the bundle, index the rest.
  for (const p of await store.list('partial/')) await store.delete(p.key);
  const index = (await store.list('')).filter((f) => f.key !== 'index.json');
  mkdirSync(a.out, { recursive: true });
  writeFileSync(join(a.out, 'index.json'), `${JSON.stringify({ files: index }, null, 1)}\n`);
  console.log(`models/hub: ${index.length} files, ${(index.reduce((s, f) => s + f.bytes, 0) / 1e6).toFixed(1)} MB`);
}

main().catch((err) => {
  if (err instanceof HubError && /cannot be reached/.test(err.message)) {
    console.error(`fetch-models: ${err.message}\nThe Hub is not reachable from this machine, so no models were fetched; the extension will download them on demand instead (or run this where the Hub is reachable, or pass --hub URL of a mirror).`);
  } else if (err instanceof HubIntegrityError) {
    console.error(`fetch-models: integrity check failed: ${err.message}`);
  } else {
    console.error(`fetch-models: ${err instanceof Error ? err.message : String(err)}`);
  }
  process.exit(1);
});
