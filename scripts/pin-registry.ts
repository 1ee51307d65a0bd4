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
 * The causal language models (`languageModels`, for the zero-shot detectors) the same way, except that their
 * config.json must describe a `*ForCausalLM` of the registry's `modelType`, whose shape (layers, heads, kv
 * heads, head size, vocabulary) is recorded; and the two models of every Binoculars detector must have the
 * same tokenizer vocabulary. Nothing is written unless every model passes.
 * The project's own machines cannot reach the Hub: there it stops with a message and writes nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_HUB, fetchRevision, HubError, resolveUrl, sha256Hex, type HubRevision } from '../src/core/hub/hub.ts';
import type { HubModelEntry } from '../src/core/hub/registry.ts';
import type { RegistryEntry } from '../src/core/roberta/registry.ts';
import { compareVocabularies, vocabularyOf } from '../src/core/tokenizer.ts';
import { lmShapeFromConfig } from '../src/core/zeroshot/causal-lm.ts';
import type { LanguageModelEntry, ZeroShotEntry } from '../src/core/zeroshot/registry.ts';

interface Registry {
  models: (RegistryEntry & { revisionVerified?: boolean; labelsVerified?: boolean })[];
  languageModels?: (LanguageModelEntry & { configVerified?: boolean })[];
  zeroshot?: ZeroShotEntry[];
  [k: string]: unknown;
}

function args(argv: string[]) {
  const out = { hub: DEFAULT_HUB, registry: 'models/registry.json' };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--hub' && v) {
      out.hub = v;
      i++;
    } else if (k === '--registry' && v) {
      out.registry = v;
      i++;
    } else throw new Error(`unknown argument ${k} (usage: npm run pin-registry -- [--hub URL] [--registry FILE])`);
  }
  return out;
}

async function download(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new HubError(`${url}: HTTP ${res.status}`, res.status);
  return new Uint8Array(await res.arrayBuffer());
}

/** Sizes and SHA-256s of an entry's files and variants at `rev`; returns the bytes it downloaded (small git files). */
async function pinFiles(entry: HubModelEntry, rev: HubRevision, hub: string, have: Record<string, Uint8Array>): Promise<Record<string, Uint8Array>> {
  const got: Record<string, Uint8Array> = { ...have };
  const meta = async (file: string) => {
    const m = rev.files.get(file);
    if (!m) throw new Error(`${entry.repo}@${rev.commit} has no ${file}`);
    if (m.sha256 && m.size !== undefined) return { sha256: m.sha256, size: m.size };
    // A plain git file (the Hub gives only its git blob id): small, so hash the bytes themselves.
    let bytes = got[file];
    if (bytes === undefined) {
      bytes = await download(resolveUrl(hub, entry.repo, rev.commit, file));
      got[file] = bytes;
    }
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
  return got;
}

async function pin(entry: Registry['models'][number], hub: string): Promise<void> {
  const rev = await fetchRevision(fetch, hub, entry.repo, 'main');
  const config = await download(resolveUrl(hub, entry.repo, rev.commit, 'config.json'));
  const id2label = (JSON.parse(new TextDecoder().decode(config)) as { id2label?: Record<string, string> }).id2label ?? {};
  if (!Object.values(id2label).includes(entry.machineLabel)) {
    throw new Error(`${entry.repo}@${rev.commit}: config.json id2label ${JSON.stringify(id2label)} has no "${entry.machineLabel}"`);
  }
  await pinFiles(entry, rev, hub, { 'config.json': config });
  entry.labelsVerified = true;
  console.log(`${entry.id}: ${entry.repo}@${rev.commit}, ${Object.keys(entry.files).length} files and ${Object.values(entry.variants).filter((v) => v?.verified).length} variants pinned; id2label ${JSON.stringify(id2label)}`);
}

/** A causal language model: config.json must be a *ForCausalLM of the entry's model_type; its shape is recorded. Returns its tokenizer.json. */
async function pinLanguageModel(entry: NonNullable<Registry['languageModels']>[number], hub: string): Promise<Uint8Array> {
  const rev = await fetchRevision(fetch, hub, entry.repo, 'main');
  const configBytes = await download(resolveUrl(hub, entry.repo, rev.commit, 'config.json'));
  const config = JSON.parse(new TextDecoder().decode(configBytes)) as Record<string, unknown>;
  const archs = Array.isArray(config.architectures) ? (config.architectures as unknown[]).map(String) : [];
  if (config.model_type !== entry.modelType || !archs.some((a) => a.endsWith('ForCausalLM'))) {
    throw new Error(`${entry.repo}@${rev.commit}: config.json is model_type ${JSON.stringify(config.model_type)}, architectures ${JSON.stringify(archs)}; expected a ${entry.modelType} *ForCausalLM`);
  }
  const shape = lmShapeFromConfig(config);
  const got = await pinFiles(entry, rev, hub, { 'config.json': configBytes });
  const tokenizer = got['tokenizer.json'] ?? (await download(resolveUrl(hub, entry.repo, rev.commit, 'tokenizer.json')));
  entry.shape = { layers: shape.layers, heads: shape.heads, kvHeads: shape.kvHeads, headDim: shape.headDim, vocab: shape.vocab };
  entry.configVerified = true;
  console.log(`${entry.id}: ${entry.repo}@${rev.commit}, ${Object.values(entry.variants).filter((v) => v?.verified).length} variants pinned (${Object.entries(entry.variants).filter(([, v]) => v?.verified).map(([k]) => k).join(', ')}); ${JSON.stringify(entry.shape)}`);
  return tokenizer;
}

async function main() {
  const a = args(process.argv.slice(2));
  const registry = JSON.parse(readFileSync(a.registry, 'utf8')) as Registry;
  try {
    for (const entry of registry.models) await pin(entry, a.hub);
    const tokenizers = new Map<string, Uint8Array>();
    for (const entry of registry.languageModels ?? []) tokenizers.set(entry.id, await pinLanguageModel(entry, a.hub));
    for (const z of registry.zeroshot ?? []) {
      if (z.method !== 'binoculars') continue;
      const [o, p] = [tokenizers.get(z.observer!), tokenizers.get(z.performer!)];
      if (!o || !p) throw new Error(`${z.id}: observer ${z.observer} or performer ${z.performer} is not in languageModels`);
      const cmp = compareVocabularies(vocabularyOf(o), vocabularyOf(p));
      if (!cmp.same) throw new Error(`${z.id}: ${z.observer} and ${z.performer} have different tokenizer vocabularies (${cmp.differences.join('; ')}); Binoculars needs one`);
      console.log(`${z.id}: ${z.observer} and ${z.performer} share one vocabulary`);
    }
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const offline = err instanceof TypeError || /fetch failed|ENOTFOUND|ECONNREFUSED|EAI_AGAIN/.test(msg + String((err as { cause?: unknown }).cause ?? ''));
    console.error(offline ? `pin-registry: the Hub (${a.hub}) cannot be reached from here; ${a.registry} is unchanged.` : `pin-registry: ${msg}; ${a.registry} is unchanged.`);
    process.exit(1);
  }
  registry.note = `Pinned from ${a.hub} by npm run pin-registry on ${new Date().toISOString().slice(0, 10)}.`;
  writeFileSync(a.registry, `${JSON.stringify(registry, null, 2)}\n`);
  console.log(`wrote ${a.registry}`);
}

void main();
