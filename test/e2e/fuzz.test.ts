/**
 * The fuzz suite's small set (the large run is `npm run fuzz -- --pages 1000 --seed 1`): generated
 * hostile pages covering every kind in test/support/fuzz-pages.ts, through the built extension in
 * Chromium. Every measure must be clean: none of our errors, no change to the pages' text, layout or
 * attributes, every paragraph settled, nothing hidden judged, nothing forged accepted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runFuzz } from '../support/fuzz-runner.ts';

test('Chromium: 8 generated hostile pages (every kind of the fuzz generator), all measures clean', async (t) => {
  const { results, summary } = await runFuzz({ pages: 8, seed: 11, settleTimeoutMs: 45_000 });
  t.diagnostic(JSON.stringify(summary));
  const bad = results.filter((r) => r.ourErrors.length + r.textChanges.length + r.layoutChanges.length + r.attrChanges.length + r.unsettled.length + r.hiddenJudged.length + r.forged.length > 0);
  assert.deepEqual(
    bad.map((r) => ({ page: r.index, kinds: r.kinds, ourErrors: r.ourErrors, text: r.textChanges, layout: r.layoutChanges, attrs: r.attrChanges, unsettled: r.unsettled, hidden: r.hiddenJudged, forged: r.forged })),
    [],
  );
  assert.equal(summary.pages, 8);
  assert.ok(summary.paragraphs > 1000, `paragraphs were judged (${summary.paragraphs})`);
  assert.equal(new Set(results.flatMap((r) => r.kinds)).size, 17, 'every kind of page ran');
});
