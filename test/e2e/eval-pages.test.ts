/**
 * `npm run eval:pages` itself: the built extension in headless Chromium scans pages served from a
 * folder (here two short human-written pages of the project's own), and the summary counts what the
 * page marks say. The real measurement runs the same code over Debian's manuals (see the README).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/browsers.ts';

test('eval:pages scans every page with the built extension and reports by page', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'telltale-eval-pages-')), 'summary.json');
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/eval-pages.ts', '--dir', 'test/fixtures/manual-pages', '--out', out, '--quiet'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const s = JSON.parse(readFileSync(out, 'utf8')) as { total: { pages: number; scored: number; flagged: number; unclear: number; tooShort: number; errors: number }; pages: { path: string; scored: number; tooShort: number }[]; policy: { thresholds: object } };
  assert.equal(s.total.pages, 2);
  assert.deepEqual(s.pages.map((p) => p.path.split('/').pop()).sort(), ['allotment.html', 'ferry.html']);
  // Four long paragraphs each; the one-line ones are too short; the <pre> is never considered.
  assert.equal(s.total.scored, 6, r.stdout);
  assert.ok(s.total.tooShort >= 1, 'the short paragraphs are counted as too short');
  assert.equal(s.total.errors, 0);
  assert.ok(s.total.flagged + s.total.unclear <= s.total.scored);
  assert.ok(s.policy.thresholds, 'the summary names the policy it measured');
});
