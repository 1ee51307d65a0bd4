/**
 * Dump the embedded detector's features for the whole corpus, computed by the project's own TypeScript
 * (src/core/embedded/features.ts, after src/core/normalise.ts), so training reads exactly what the
 * shipped detector computes at run time.
 *
 *   npx tsx scripts/train/dump-features.ts [outDir]     (default .cache/embedded)
 *
 * Writes  features.bin : per text  int32 n, int32[n] indices, float32[n] values, float32[D] dense
 *         rows.jsonl   : per text  {id,label,generator,domain,source,split,chars,words} (no text)
 *         config.json  : the feature config, dense names and fingerprint
 * The corpus is read from $TELLTALE_DATA or ../shared/data/mgt relative to the repository root.
 */
import { closeSync, createReadStream, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dataDir, REPO_ROOT } from './paths.ts';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MAX_CHARS } from '../../src/core/judge.ts';
import { countWords, normalise } from '../../src/core/normalise.ts';
import {
  DEFAULT_FEATURE_CONFIG,
  DENSE_DIM,
  DENSE_NAMES,
  extractFeatures,
  featureFingerprint,
} from '../../src/core/embedded/features.ts';


const TRUNCATIONS = [3, 5, 8, 10, 15, 20, 25, 30, 40, 50, 75, 100];

function record(text: string): Buffer {
  const f = extractFeatures(text, DEFAULT_FEATURE_CONFIG);
  const m = f.indices.length;
  const buf = Buffer.alloc(4 + 8 * m + 4 * DENSE_DIM);
  buf.writeInt32LE(m, 0);
  Buffer.from(f.indices.buffer, f.indices.byteOffset, 4 * m).copy(buf, 4);
  Buffer.from(f.values.buffer, f.values.byteOffset, 4 * m).copy(buf, 4 + 4 * m);
  Buffer.from(f.dense.buffer, f.dense.byteOffset, 4 * DENSE_DIM).copy(buf, 4 + 8 * m);
  return buf;
}

async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? join(REPO_ROOT, '.cache', 'embedded'));
  mkdirSync(out, { recursive: true });
  const bin = openSync(join(out, 'features.bin'), 'w');
  const tbin = openSync(join(out, 'truncated.bin'), 'w');
  const rows: string[] = [];
  const truncRows: string[] = [];
  const rl = createInterface({ input: createReadStream(join(dataDir(), 'corpus.jsonl')), crlfDelay: Infinity });
  const t0 = Date.now();
  let n = 0;
  for await (const line of rl) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { id: string; text: string; label: string; generator: string; domain: string; source: string; split: string };
    const raw = r.text.length > MAX_CHARS ? r.text.slice(0, MAX_CHARS) : r.text;
    const { text } = normalise(raw);
    writeSync(bin, record(text));
    // The length curve: long dev/test texts cut to their first w words, so that the curve measures how
    // much text the model needs, not which sources happen to be short.
    if (r.split !== 'train') {
      const ends = [...text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu)].map((m) => m.index! + m[0].length);
      if (ends.length >= 120) {
        for (const w of TRUNCATIONS) {
          writeSync(tbin, record(text.slice(0, ends[w - 1])));
          truncRows.push(JSON.stringify({ row: n, words: w }));
        }
      }
    }
    rows.push(
      JSON.stringify({
        id: r.id,
        label: r.label,
        generator: r.generator,
        domain: r.domain,
        source: r.source.split('/')[0],
        split: r.split,
        chars: text.length,
        words: countWords(text),
      }),
    );
    if (++n % 10000 === 0) console.log(`  ${n} texts, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  closeSync(bin);
  closeSync(tbin);
  writeFileSync(join(out, 'truncated.jsonl'), `${truncRows.join('\n')}\n`);
  writeFileSync(join(out, 'rows.jsonl'), `${rows.join('\n')}\n`);
  writeFileSync(
    join(out, 'config.json'),
    JSON.stringify({ ...DEFAULT_FEATURE_CONFIG, denseNames: DENSE_NAMES, fingerprint: featureFingerprint() }, null, 2),
  );
  console.log(`dumped ${n} texts to ${out} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
