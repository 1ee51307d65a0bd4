/** The architecture's rules, checked: they hold because a test fails when they break. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const sources = execFileSync('git', ['ls-files', 'src'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => /\.tsx?$/.test(f));
const read = (f: string) => readFileSync(resolve(ROOT, f), 'utf8');
const code = (f: string) => read(f).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''); // comments may name anything

test('browser-specific APIs appear only in src/platform', () => {
  for (const f of sources.filter((f) => !f.startsWith('src/platform/'))) {
    assert.doesNotMatch(code(f), /\bchrome\.(offscreen|runtime|tabs|storage|scripting)|getBackgroundPage|navigator\.userAgent/, f);
  }
});

test('the core is pure: no extension APIs, no DOM globals, no Node built-ins', () => {
  for (const f of sources.filter((f) => f.startsWith('src/core/'))) {
    const c = code(f);
    assert.doesNotMatch(c, /from 'webextension-polyfill'|from 'node:|\bdocument\.|\bwindow\.|indexedDB|localStorage/, f);
  }
});

test('every message sent names a route of the protocol', () => {
  const { Protocol } = { Protocol: read('src/protocol/messages.ts') };
  const declared = new Set([...Protocol.matchAll(/^\s+'([a-z]+:[a-z]+:[a-z-]+)':/gm)].map((m) => m[1]));
  let sends = 0;
  for (const f of sources) {
    for (const m of code(f).matchAll(/\b(?:request|requestTab|hostRequest|envelope)\(\s*(?:[\w.]+,\s*)?'([^']+)'/g)) {
      sends++;
      assert.ok(declared.has(m[1]), `${f}: ${m[1]} is not in the protocol`);
    }
  }
  assert.ok(declared.size >= 15);
  assert.ok(sends >= 10, `found ${sends} sends: the pattern no longer sees them`);
});

test('entry points depend on the core, the protocol and shared code, never on another context (the background does not import the popup)', () => {
  const contexts = ['background', 'content', 'host', 'offscreen', 'popup', 'options', 'cli', 'node'];
  // Pages may share UI code with each other: options reuses the popup's components.
  const allowed: Record<string, string[]> = { options: ['popup'], offscreen: ['host'], cli: ['node'], platform: ['host'] };
  let imports = 0;
  for (const f of sources) {
    const from = f.split('/')[1]!;
    for (const m of code(f).matchAll(/from '(\.\.?\/[^']+)'/g)) {
      const target = resolve(ROOT, f, '..', m[1]!).slice(ROOT.length + 1).split('/');
      if (target[0] !== 'src') continue;
      imports++;
      const to = target[1]!;
      if (to === from || !contexts.includes(to)) continue;
      assert.ok(allowed[from]?.includes(to), `${f} imports ${m[1]} (src/${from} -> src/${to})`);
    }
  }
  assert.ok(imports > 50, `found ${imports} imports: the pattern no longer sees them`);
});

test('no user text leaves the browser: network requests are made only for extension files and Hub model files', () => {
  // Where a request may be made, and to what: files inside the extension (runtime.getURL), and the
  // Hub client, whose URLs are built from a repository, a revision and a file path (src/core/hub).
  const allowed: Record<string, RegExp> = {
    'src/host/extension-files.ts': /fetch\(browser\.runtime\.getURL\(path\)\)/,
    'src/popup/api.ts': /fetch\(extensionUrl\('models\/embedded\/meta\.json'\)\)/,
    'src/core/hub/download.ts': /fetch\(\.\.\.a\)/,
    'src/popup/hooks.ts': /^\s*fetch\(\)$/m, // a parameter named fetch: the hook's request function
  };
  let seen = 0;
  for (const f of sources) {
    const c = code(f);
    const calls = [...c.matchAll(/\bfetch\(|XMLHttpRequest|WebSocket|sendBeacon|EventSource|importScripts|RTCPeerConnection|\.src\s*=\s*[^;]*http/g)];
    if (calls.length === 0) continue;
    seen++;
    assert.ok(allowed[f], `${f} makes network requests (${calls.map((m) => m[0]).join(', ')}): not on the list of places that may`);
    assert.match(c, allowed[f]!, f);
  }
  assert.ok(seen >= 3, `found ${seen} files with requests: the pattern no longer sees them`);
  // The Hub URLs: a repository, a revision, a path; nothing else goes into them.
  assert.match(code('src/core/hub/hub.ts'), /export function resolveUrl\(hubUrl: string, repo: string, revision: string, file: string\): string \{/);
});

test('every module in scripts/bench exports run(), which `npm run bench` calls; what they share is in scripts/bench/lib', () => {
  const benches = execFileSync('git', ['ls-files', 'scripts/bench'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => /^scripts\/bench\/[^/]+\.ts$/.test(f));
  assert.ok(benches.length >= 5, benches.join(', '));
  for (const f of benches) assert.match(code(f), /export async function run\(\): Promise<void>/, f);
});
