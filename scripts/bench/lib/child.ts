/**
 * What the benchmarks that run each engine in a process of its own share (scripts/bench/roberta.ts,
 * zeroshot.ts; onnxruntime-web fixes its thread count at first use, so each engine needs a fresh process):
 * generating the random-weight bench model on first use, the parent's side of a child run, and the
 * script's entry (`--child ENGINE VARIANT` runs one engine and prints `RESULT <json>`).
 */
import { execFile, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Generates a bench model with scripts/make-test-models.ts `flag` (Debian's python3-torch and python3-onnx) unless `present`. */
export function ensureBenchModel(present: boolean, flag: '--bench' | '--bench-lm', what: string): void {
  if (present) return;
  const ok = spawnSync('/usr/bin/python3', ['-c', 'import torch, onnx'], { stdio: 'ignore' }).status === 0;
  if (!ok) {
    throw new Error(`The bench model is generated with Debian python3-torch and python3-onnx:\n  apt-get install -y python3-torch python3-onnx\nthen: npx tsx scripts/make-test-models.ts ${flag}`);
  }
  console.log(`generating ${what}…`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/make-test-models.ts'), flag], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('bench model generation failed');
}

/**
 * Runs `script --child engine variant` and returns its results; a failed child prints why and gives none.
 * `echoProgress`: the child's stderr lines that start with two spaces are passed on (its own progress).
 */
export function spawnChild<R>(script: string, engine: string, variant: string, echoProgress = false): Promise<R[]> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', script, '--child', engine, variant], { maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (echoProgress && !err) for (const l of stderr.split('\n')) if (l.startsWith('  ')) console.log(l);
      if (err || !line) {
        console.error(`  ${engine} ${variant} failed: ${(stderr || String(err)).split('\n').slice(0, 6).join('\n  ')}`);
        resolve([]);
      } else resolve(JSON.parse(line.slice(7)) as R[]);
    });
  });
}

/** The entry of a bench script (`import.meta.url`): a child run with `--child`, else `run` when it is the main module. */
export function benchMain(url: string, child: (engine: string, variant: string) => Promise<unknown>, run: () => Promise<void>): void {
  if (process.argv[2] === '--child') {
    child(process.argv[3]!, process.argv[4]!).then(
      (r) => {
        console.log(`RESULT ${JSON.stringify(r)}`);
        process.exit(0);
      },
      (e) => {
        console.error(e);
        process.exit(1);
      },
    );
  } else if (process.argv[1] === fileURLToPath(url)) {
    run().catch((e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
  }
}
