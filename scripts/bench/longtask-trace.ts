/**
 * `npm run bench -- longtask-trace [runs]`: the row "10,000 distinct paragraphs, popup open" of
 * `longtask`, `runs` times (default 10), each under a Chromium trace. The Long Tasks API reports only
 * tasks over 50 ms; the trace shows every task of the page's renderer main thread, with its wall time
 * and its thread time (the CPU time it got: on a busy machine a task's wall time is the larger, the
 * thread waiting for a core), and what ran in it. Per run: the page's longest tasks; at the end, the
 * longest of all runs and the counts over 30 and 50 ms. Build first (`npm run build`).
 */
import { inChromium } from '../../test/support/scenario.ts';
import { popupOpenScan } from './lib/popup-open-scan.ts';

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { functionName?: string } };
}

interface Task {
  wall: number;
  thread: number;
  what: string;
}

const MARKER = 'telltale-longtask-trace';
/** Events that only wrap others: a task is named by what they hold. */
const WRAPPERS = new Set(['ThreadControllerImpl::RunTask', 'RunTask', 'SimpleWatcher::OnHandleReady', 'BlinkScheduler_PerformMicrotaskCheckpoint', 'V8.GC_MARK_COMPACTOR', 'V8.GC_SCAVENGER', 'v8.callFunction']);

/** The page's renderer main thread's tasks, longest first. */
function pageTasks(events: TraceEvent[]): Task[] {
  const mark = events.find((e) => e.name === MARKER);
  if (!mark) throw new Error('the trace has no marker from the page: its renderer is not known');
  const mine = events.filter((e) => e.pid === mark.pid && e.tid === mark.tid && e.ph === 'X' && e.dur !== undefined);
  const tops = mine.filter((e) => e.name === 'ThreadControllerImpl::RunTask');
  const tasks = tops.map((t) => {
    // What ran: the events inside that take at least 40% of it, outermost first.
    const inside = mine.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur! <= t.ts + t.dur! && e.dur! >= 0.4 * t.dur! && !WRAPPERS.has(e.name));
    inside.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
    const names = inside.slice(0, 3).map((e) => (e.args?.data?.functionName ? `${e.name} ${e.args.data.functionName}` : e.name));
    return { wall: t.dur! / 1000, thread: (t.tdur ?? Number.NaN) / 1000, what: names.join(' > ') || '(not named)' };
  });
  return tasks.sort((a, b) => b.wall - a.wall);
}

export async function run(): Promise<void> {
  const runs = Number(process.argv[3] ?? 10);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer, not ${process.argv[3]}`);
  const all: Task[] = [];
  await inChromium({}, async (chromium) => {
    for (let k = 0; k < runs; k++) {
      const { page, settleMs: settle } = await popupOpenScan(chromium, {
        beforeScan: async (p) => {
          await p.tracing.start({ categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing'] });
          await p.evaluate(`performance.mark(${JSON.stringify(MARKER)})`);
        },
      });
      const raw = await page.tracing.stop();
      await page.close();
      const tasks = pageTasks((JSON.parse(Buffer.from(raw!).toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents);
      all.push(...tasks);
      const top = tasks.slice(0, 3).map((t) => `${t.wall.toFixed(1)} ms (thread ${t.thread.toFixed(1)} ms): ${t.what}`);
      console.log(`run ${k + 1}: settled in ${settle} ms; ${tasks.length} tasks; longest: ${top.join('; ')}`);
    }
  });
  all.sort((a, b) => b.wall - a.wall);
  const over = (ms: number) => all.filter((t) => t.wall > ms).length;
  const longest = all[0];
  console.log(`\n${runs} runs, ${all.length} tasks of the page's main thread: over 50 ms ${over(50)}, over 30 ms ${over(30)}, over 20 ms ${over(20)}`);
  if (longest) console.log(`longest: ${longest.wall.toFixed(1)} ms (thread ${longest.thread.toFixed(1)} ms): ${longest.what}`);
  const byThread = [...all].sort((a, b) => b.thread - a.thread)[0];
  if (byThread) console.log(`most thread time: ${byThread.thread.toFixed(1)} ms (wall ${byThread.wall.toFixed(1)} ms): ${byThread.what}`);
}
