/** Scoring jobs between tabs: round-robin, a bounded queue per tab, a flood cannot starve another tab. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUSY_MESSAGE, FairQueue } from '../../src/core/fair-queue.ts';

const tick = () => new Promise((r) => setTimeout(r, 1));

test('a flooding tab cannot starve another: the other tab is served next in turn', async () => {
  const q = new FairQueue<string>({ concurrency: 1, maxQueuedPerLane: 100_000 });
  const order: string[] = [];
  const job = (name: string) => async () => {
    await tick();
    order.push(name);
    return name;
  };
  const flood = Array.from({ length: 200 }, (_, i) => q.submit('tab:1', 48, job(`flood-${i}`)));
  await tick();
  const quiet = q.submit('tab:2', 10, job('quiet'));
  assert.equal(await quiet, 'quiet');
  assert.ok(order.indexOf('quiet') <= 2, `the other tab's job ran after at most two flood jobs (at ${order.indexOf('quiet')})`);
  await Promise.all(flood);
  assert.equal(order.length, 201);
});

test('round-robin between three tabs, in order within each tab', async () => {
  const q = new FairQueue<string>({ concurrency: 1 });
  const order: string[] = [];
  const all: Promise<string>[] = [];
  for (let i = 0; i < 3; i++) for (const t of ['a', 'b', 'c']) all.push(q.submit(t, 1, async () => (order.push(`${t}${i}`), `${t}${i}`)));
  await Promise.all(all);
  assert.deepEqual(order, ['a0', 'b0', 'c0', 'a1', 'b1', 'c1', 'a2', 'b2', 'c2']);
});

test('a lane past its cap of queued texts is refused at once, other lanes are not; results and errors reach their callers', async () => {
  const q = new FairQueue<number>({ concurrency: 1, maxQueuedPerLane: 100 });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const running = q.submit('tab:1', 50, async () => (await gate, 1)); // runs at once (not queued)
  const queued = [q.submit('tab:1', 60, async () => 2), q.submit('tab:1', 40, async () => 3)];
  assert.equal(q.queued('tab:1'), 100);
  await assert.rejects(q.submit('tab:1', 1, async () => 4), new RegExp(BUSY_MESSAGE));
  const other = q.submit('tab:2', 100, async () => 5);
  const failing = q.submit('tab:3', 1, async () => {
    throw new Error('model failed');
  });
  release();
  assert.deepEqual(await Promise.all([running, ...queued, other]), [1, 2, 3, 5]);
  await assert.rejects(failing, /model failed/);
  assert.equal(q.active, 0);
  // A single job larger than the cap still runs when its lane is empty (the message limit bounds it).
  assert.equal(await q.submit('tab:1', 256, async () => 6), 6);
});

test('concurrency: at most N jobs run at once', async () => {
  const q = new FairQueue<void>({ concurrency: 2 });
  let now = 0;
  let max = 0;
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      q.submit(`tab:${i % 4}`, 1, async () => {
        max = Math.max(max, ++now);
        await tick();
        now--;
      }),
    ),
  );
  assert.equal(max, 2);
});
