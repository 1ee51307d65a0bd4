/** Scoring jobs between tabs: round-robin, a bounded queue per tab, a flood cannot starve another tab. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUSY_MESSAGE, FairQueue } from '../../src/core/fair-queue.ts';

const tick = () => new Promise((r) => setTimeout(r, 1));

test('a flooding tab cannot starve another: the other tab is served next in turn', async () => {
  const q = new FairQueue<string>({ concurrency: 1, maxQueuedPerLane: 100_000, busyDelayMs: 0 });
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
  for (let i = 0; i < 3; i++) {
    for (const t of ['a', 'b', 'c']) {
      all.push(
        q.submit(t, 1, async () => {
          order.push(`${t}${i}`);
          return `${t}${i}`;
        }),
      );
    }
  }
  await Promise.all(all);
  assert.deepEqual(order, ['a0', 'b0', 'c0', 'a1', 'b1', 'c1', 'a2', 'b2', 'c2']);
});

test('a lane past its cap of queued texts is refused (after the busy delay), other lanes are not; results and errors reach their callers', async () => {
  const q = new FairQueue<number>({ concurrency: 1, maxQueuedPerLane: 100, busyDelayMs: 30 });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  // Runs at once (not queued).
  const running = q.submit('tab:1', 50, async () => {
    await gate;
    return 1;
  });
  const queued = [q.submit('tab:1', 60, async () => 2), q.submit('tab:1', 40, async () => 3)];
  assert.equal(q.queued('tab:1'), 100);
  const t0 = Date.now();
  await assert.rejects(q.submit('tab:1', 1, async () => 4), new RegExp(BUSY_MESSAGE));
  assert.ok(Date.now() - t0 >= 25, 'a refusal is not answered at once (a flood that asks again is slowed)');
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

test('lanes share by texts, not by requests: a tab sending 240-text jobs gets no more texts than one sending 48', async () => {
  const q = new FairQueue<void>({ concurrency: 1, maxQueuedPerLane: 100_000, quantum: 48 });
  const done: { lane: string; size: number }[] = [];
  const all: Promise<void>[] = [];
  for (let i = 0; i < 10; i++) {
    all.push(q.submit('flood', 240, async () => void done.push({ lane: 'flood', size: 240 })));
    all.push(q.submit('tab', 48, async () => void done.push({ lane: 'tab', size: 48 })));
  }
  await Promise.all(all);
  // By the time the other tab's 480 texts are all served, the flood has had about as many (plus its first job, which ran alone).
  let flood = 0;
  let tab = 0;
  for (const d of done) {
    if (d.lane === 'flood') flood += d.size;
    else tab += d.size;
    if (tab >= 480) break;
  }
  assert.ok(flood <= 480 + 2 * 240, `the flood got ${flood} texts while the other tab got its ${tab} (request round-robin: 2,400)`);
});
