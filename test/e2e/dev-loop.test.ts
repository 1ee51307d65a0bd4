/**
 * `npm start`'s loop, headless in Chromium: it builds (into a temp folder, not dist/), loads the
 * extension, and after a rebuild, asked for or caused by a changed watched file, the browser runs a new
 * service worker of the new build.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDev } from '../../scripts/dev.ts';
import { waitFor } from '../support/browsers.ts';

test('npm start: rebuilds reload the extension in Chromium, and stop() closes the browser', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'telltale-dev-'));
  const watched = join(tmp, 'watched');
  mkdirSync(watched);
  writeFileSync(join(watched, 'probe.txt'), 'one');
  const lines: string[] = [];
  const loop = await startDev({ browser: 'chrome', headless: true, out: join(tmp, 'out'), profile: join(tmp, 'profile'), extraStatic: watched, log: (l) => lines.push(l) });
  try {
    const manifest = async () => (await loop.worker()).evaluate(() => chrome.runtime.getManifest() as chrome.runtime.Manifest & { version_name?: string });
    assert.match((await manifest()).version_name ?? '', / dev build 1$/);
    assert.match(lines.join('\n'), /Chromium runs .*build 1/);

    // A rebuild through the test hook: a new service worker (the old one's globals are gone) reading the new manifest.
    await (await loop.worker()).evaluate(() => {
      (globalThis as { devMark?: string }).devMark = 'old worker';
    });
    await loop.rebuild();
    const w = await loop.worker();
    assert.equal(await w.evaluate(() => (globalThis as { devMark?: string }).devMark ?? 'new worker'), 'new worker');
    assert.equal((await manifest()).version_name, `${(await manifest()).version} dev build 2`);
    assert.match(lines.at(-1)!, /reloaded the extension \(build 2\)/);

    // A changed file that esbuild's watcher watches: rebuilt and reloaded on its own.
    writeFileSync(join(watched, 'probe.txt'), 'two');
    await waitFor(async () => / dev build 3$/.test((await manifest()).version_name ?? ''), 'the watcher to rebuild', 15_000, 200);
    assert.equal(await (await loop.worker()).evaluate(() => fetch(chrome.runtime.getURL('probe.txt')).then((r) => r.text())), 'two');
    assert.match(lines.join('\n'), /reloaded the extension \(build 3\)/);
  } finally {
    await loop.stop();
    await loop.done;
    rmSync(tmp, { recursive: true, force: true });
  }
  assert.ok(loop.browser && !loop.browser.connected, 'the browser is closed');
});
