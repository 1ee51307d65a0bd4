/**
 * Fair scheduling of scoring jobs between tabs. The detector host runs one job at a time; without
 * this, a content script that floods the background with requests would queue ahead of every other
 * tab. Jobs wait in one lane per tab, a few run at once, and free slots go to the lanes in turn by
 * deficit round-robin: each turn gives a lane a quantum of texts, and a job runs once its lane has
 * saved up its size, so lanes share the host by texts, not by requests (a flood of 256-text requests
 * gets no more than a tab sending 48 at a time). A lane holds a bounded number of queued texts; past
 * that, new jobs are refused with BUSY_MESSAGE, after a delay (the content script waits and sends again).
 *
 * Pure (no extension API): the background owns one (src/background/index.ts), in memory, since the
 * callers' pending requests die with the service worker anyway.
 */

export const BUSY_MESSAGE = 'Telltale is busy with this tab; try again shortly';

export interface FairQueueOptions {
  /** Jobs running at once (handed to the host). */
  concurrency: number;
  /** Texts queued (not yet running) per lane at most. */
  maxQueuedPerLane: number;
  /** Texts a lane earns per turn (the content script's batch size). */
  quantum: number;
  /**
   * A refusal is answered after this delay: a sender that asks again at once when refused (a flood)
   * is held to a few messages a second per request in flight, instead of burning the CPU on refusals.
   */
  busyDelayMs: number;
}

export const DEFAULT_FAIR_QUEUE: FairQueueOptions = { concurrency: 2, maxQueuedPerLane: 1024, quantum: 48, busyDelayMs: 1000 };

interface Job<T> {
  size: number;
  run: () => Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

export class FairQueue<T> {
  private readonly opts: FairQueueOptions;
  /** Lanes with queued jobs, in turn order: the first is served next, then goes to the back. */
  private readonly lanes = new Map<string, { jobs: Job<T>[]; queued: number; deficit: number }>();
  private running = 0;
  /** Jobs started per lane (tests and diagnostics). */
  readonly started = new Map<string, number>();

  constructor(opts: Partial<FairQueueOptions> = {}) {
    this.opts = { ...DEFAULT_FAIR_QUEUE, ...opts };
  }

  /** Queues `run` in `lane` (`size`: its number of texts); resolves or rejects with its result. */
  submit(lane: string, size: number, run: () => Promise<T>): Promise<T> {
    let l = this.lanes.get(lane);
    const queued = l?.queued ?? 0;
    if (queued > 0 && queued + size > this.opts.maxQueuedPerLane) {
      return new Promise<T>((_, reject) => setTimeout(() => reject(new Error(BUSY_MESSAGE)), this.opts.busyDelayMs));
    }
    return new Promise<T>((resolve, reject) => {
      if (!l) {
        l = { jobs: [], queued: 0, deficit: 0 };
        this.lanes.set(lane, l);
      }
      l.jobs.push({ size, run, resolve, reject });
      l.queued += size;
      this.pump();
    });
  }

  /** Texts waiting in a lane. */
  queued(lane: string): number {
    return this.lanes.get(lane)?.queued ?? 0;
  }

  get active(): number {
    return this.running;
  }

  private pump(): void {
    while (this.running < this.opts.concurrency) {
      const first = this.lanes.entries().next();
      if (first.done) return;
      const [name, lane] = first.value;
      const head = lane.jobs[0]!;
      this.lanes.delete(name);
      if (lane.deficit < head.size) {
        // Not enough saved up for its next job: earn a quantum, wait for the next turn.
        lane.deficit += Math.max(1, this.opts.quantum);
        this.lanes.set(name, lane);
        continue;
      }
      const job = lane.jobs.shift()!;
      lane.deficit -= job.size;
      lane.queued -= job.size;
      if (lane.jobs.length > 0) this.lanes.set(name, lane); // to the back of the line
      this.running++;
      this.started.set(name, (this.started.get(name) ?? 0) + 1);
      Promise.resolve()
        .then(job.run)
        .then(job.resolve, job.reject)
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }
}
