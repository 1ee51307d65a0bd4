/** The background's per-frame counts: the badge sums frames; old documents' reports drop out. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyFrameReport, frameIds, MAX_FRAMES_PER_TAB, sumFrames, type TabFrames } from '../../src/core/tab-frames.ts';

test('the badge is the sum over frames; a frame replaces its own counts', () => {
  let s: TabFrames | undefined;
  s = applyFrameReport(s, 0, { flagged: 2, total: 10, since: 1000 });
  s = applyFrameReport(s, 7, { flagged: 1, total: 3, since: 1100 });
  s = applyFrameReport(s, 9, { flagged: 4, total: 4, since: 1200 });
  assert.deepEqual(sumFrames(s), { flagged: 7, total: 17 });
  s = applyFrameReport(s, 7, { flagged: 0, total: 3, since: 1100 });
  assert.deepEqual(sumFrames(s), { flagged: 6, total: 17 });
  assert.deepEqual(frameIds(s), [0, 7, 9]);
  assert.deepEqual(frameIds(undefined), [0], 'the top frame is always asked');
});

test('a new top document drops the frames of the previous page; a late report of a gone document is ignored', () => {
  let s = applyFrameReport(undefined, 0, { flagged: 2, total: 10, since: 1000 });
  s = applyFrameReport(s, 5, { flagged: 3, total: 3, since: 1050 });
  // Reload: the new top document starts at 5000; its frames start after it.
  s = applyFrameReport(s, 0, { flagged: 1, total: 8, since: 5000 });
  assert.deepEqual(sumFrames(s), { flagged: 1, total: 8 });
  assert.deepEqual(frameIds(s), [0]);
  s = applyFrameReport(s, 6, { flagged: 1, total: 2, since: 5100 });
  // The old top document's pagehide report (0, 0) arrives late: ignored.
  s = applyFrameReport(s, 0, { flagged: 0, total: 0, since: 1000 });
  assert.deepEqual(sumFrames(s), { flagged: 2, total: 10 });
  // A frame navigates: its new document replaces its old one.
  s = applyFrameReport(s, 6, { flagged: 0, total: 1, since: 6000 });
  assert.deepEqual(sumFrames(s), { flagged: 1, total: 9 });
});

test('a page with hundreds of frames cannot grow the state without bound', () => {
  let s = applyFrameReport(undefined, 0, { flagged: 1, total: 1, since: 1 });
  for (let i = 1; i <= 500; i++) s = applyFrameReport(s, i, { flagged: 1, total: 1, since: 1 + i });
  assert.equal(Object.keys(s).length, MAX_FRAMES_PER_TAB);
  assert.ok(s[0], 'the top frame stays');
  assert.ok(s[500], 'the newest frames stay');
});
