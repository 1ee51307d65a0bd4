/**
 * `npm run pin-registry`: fills models/registry.json from the Hub, on a machine that can reach it.
 *
 *   npm run pin-registry                                  every registry model, at the Hub's `main`
 *   npm run pin-registry -- --hub URL --registry FILE     a mirror, another registry file (the tests use both)
 *
 * For each model: the commit of `main` becomes the pinned `revision`; every listed file and variant gets
 * its size and SHA-256 from the Hub API (LFS files) or, for small git files, from the bytes downloaded
 * here; config.json is downloaded and its `id2label` must name the registry's `machineLabel` (the label
 * that means "machine" is read by name, never by position). What was checked is marked `verified: true`.
 * The project's own machines cannot reach the Hub: there it stops with a message and writes nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_HUB, fetchRevision, HubError, resolveUrl, sha256Hex } from '../src/core/hub/hub.ts';
import type { RegistryEntry } from '../src/core/roberta/registry.ts';

interface Registry {
  models: (RegistryEntry & { revisionVerified?: boolean; labelsVerified?: boolean })[];
  [k: string]: unknown;
}

function args(argv: string[]) {
  const out = { hub: DEFAULT_HUB, registry: 'models/registry.json' };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--hub' && v) (out.hub = v), i++;
    else if (k === '--registry' && v) (out.registry = v), i++;
    else throw new Error(`unknown argument ${k} (usage: npm run pin-registry -- [--hub URL] [--registry FILE])`);
  }
  return out;
}

async function download(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new HubError(`${url}: HTTP ${res.status}`, res.status);
  return new Uint8Array(await res.arrayBuffer());
}

async function pin(entry: Registry['models'][number], hub: string): Promise<void> {
  const rev = await fetchRevision(fetch, hub, entry.repo, 'main');
  const config = await download(resolveUrl(hub, entry.repo, rev.commit, 'config.json'));
  const id2label = (JSON.parse(new TextDecoder().decode(config)) as { id2label?: Record<string, string> }).id2label ?? {};
  if (!Object.values(id2label).includes(entry.machineLabel)) {
    throw new Error(`${entry.repo}@${rev.commit}: config.json id2label ${JSON.stringify(id2label)} has no "${entry.machineLabel}"`);
  }
  const meta = async (file: string) => {
    const m = rev.files.get(file);
    if (!m) throw new Error(`${entry.repo}@${rev.commit} has no ${file}`);
    if (m.sha256 && m.size !== undefined) return { sha256: m.sha256, size: m.size };
    // A plain git file (the Hub gives only its git blob id): small, so hash the bytes themselves.
    const bytes = file === 'config.json' ? config : await download(resolveUrl(hub, entry.repo, rev.commit, file));
    return { sha256: await sha256Hex(bytes), size: bytes.length };
  };
  for (const [file, f] of Object.entries(entry.files)) Object.assign(f, await meta(file), { verified: true });
  for (const v of Object.values(entry.variants)) {
    if (!v || !rev.files.has(v.file)) continue; // a variant the repo no longer has stays unpinned
    const m = await meta(v.file);
    Object.assign(v, { sha256: m.sha256, size: m.size, approxBytes: m.size, verified: true });
  }
  entry.revision = rev.commit;
  entry.revisionVerified = true;
  entry.labelsVerified = true;
  console.log(`${entry.id}: ${entry.repo}@${rev.commit}, ${Object.keys(entry.files).length} files and ${Object.values(entry.variants).filter((v) => v?.verified).length} variants pinned; id2label ${JSON.stringify(id2label)}`);
}

async function main() {
  const a = args(process.argv.slice(2));
  const registry = JSON.parse(readFileSync(a.registry, 'utf8')) as Registry;
  try {
    for (const entry of registry.models) await pin(entry, a.hub);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const offline = err instanceof TypeError || /fetch failed|ENOTFOUND|ECONNREFUSED|EAI_AGAIN/.test(msg + String((err as { cause?: unknown }).cause ?? ''));
    console.error(offline ? `pin-registry: the Hub (${a.hub}) cannot be reached from here; ${a.registry} is unchanged.` : `pin-registry: ${msg}; ${a.registry} is unchanged.`);
    process.exit(1);
  }
  registry.note = `Pinned from ${a.hub} by npm run pin-registry on ${new Date().toISOString().slice(0, 10)}.`;
  writeFileSync(a.registry, JSON.stringify(registry, null, 2) + '\n');
  console.log(`wrote ${a.registry}`);
}

void main();
