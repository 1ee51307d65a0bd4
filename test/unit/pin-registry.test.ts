/**
 * `npm run pin-registry` against the mock Hub: the project's tiny RoBERTa-shaped model served under the
 * real repository names. The revision, sizes and SHA-256s it writes must be those of the served bytes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { RegistryEntry } from '../../src/core/roberta/registry.ts';
import { repoFromDir, startMockHub, type MockHub } from '../support/mock-hub.ts';
import { TINY } from '../support/roberta-fixtures.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BASE = 'onnx-community/roberta-base-openai-detector-ONNX';
const LARGE = 'onnx-community/roberta-large-openai-detector-ONNX';
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'telltale-pin-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

function pinRegistry(hubUrl: string, registry: string) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/pin-registry.ts', '--hub', hubUrl, '--registry', registry], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

function copyOfRegistry(name: string): string {
  const file = join(dir, name);
  copyFileSync(join(ROOT, 'models', 'registry.json'), file);
  return file;
}

test('pins the revision, sizes and SHA-256 of every file the Hub serves, and checks the machine label by name', async () => {
  const tiny = repoFromDir(TINY);
  const hub: MockHub = await startMockHub({ [BASE]: tiny, [LARGE]: tiny });
  try {
    const file = copyOfRegistry('ok.json');
    const r = await pinRegistry(hub.url, file);
    assert.equal(r.status, 0, r.stderr);
    const models = (JSON.parse(readFileSync(file, 'utf8')) as { models: RegistryEntry[] }).models;
    for (const m of models) {
      assert.equal(m.revision, tiny.commit);
      for (const [name, f] of Object.entries(m.files)) {
        assert.deepEqual([f.sha256, f.size, f.verified], [sha256(tiny.files.get(name)!), tiny.files.get(name)!.length, true], name);
      }
      for (const [variant, v] of Object.entries(m.variants)) {
        const served = tiny.files.get(v!.file);
        if (served) assert.deepEqual([v!.sha256, v!.verified], [sha256(served), true], variant);
        else assert.deepEqual([v!.sha256, v!.verified], [null, false], `${variant}: not on the Hub, left unpinned`);
      }
    }
    assert.ok(models.every((m) => Object.values(m.variants).some((v) => v!.verified)));
  } finally {
    await hub.close();
  }
});

test('a config.json without the machine label, or no Hub at all: an error, and the registry is unchanged', async () => {
  const relabelled = repoFromDir(TINY, { 'config.json': JSON.stringify({ model_type: 'roberta', id2label: { 0: 'LABEL_0', 1: 'LABEL_1' } }) });
  const hub = await startMockHub({ [BASE]: relabelled, [LARGE]: relabelled });
  try {
    const file = copyOfRegistry('bad-label.json');
    const before = readFileSync(file, 'utf8');
    const r = await pinRegistry(hub.url, file);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /id2label .* has no "Fake"/);
    assert.equal(readFileSync(file, 'utf8'), before);
  } finally {
    await hub.close();
  }
  const file = copyOfRegistry('offline.json');
  const before = readFileSync(file, 'utf8');
  const r = await pinRegistry('http://127.0.0.1:9', file);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot be reached from here; .* is unchanged/);
  assert.equal(readFileSync(file, 'utf8'), before);
});
