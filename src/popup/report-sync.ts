/**
 * The popup's copy of one frame's report, kept up to date from `ui:cs:changes` answers: the first
 * answer brings everything (in parts, for a long page), later ones only what changed. The content
 * script then serialises a few hundred items per poll instead of the whole page (about 4 MB and some
 * 200 ms of the page's main thread for 10,000 paragraphs). Pure (tested in Node); api.ts asks.
 */
import type { PageReport, ReportChanges, ReportCursor, ReportItem } from '../protocol/messages.ts';

/** Answers in a row for one poll at most (500 items each: a page of 100,000 paragraphs). */
export const MAX_ROUNDS = 200;

export class ReportCopy {
  private cursor: ReportCursor | null = null;
  private keys: string[] = [];
  private readonly items = new Map<string, ReportItem>();
  private head: Omit<PageReport, 'items'> = { url: '', scanning: true };
  /** The follow in progress: follows of one copy take turns (an older answer must not land last). */
  turn: Promise<unknown> = Promise.resolve();

  /** What to ask with next. */
  get since(): ReportCursor | null {
    return this.cursor;
  }

  /** Takes an answer in; returns whether more changes wait (ask again at once). */
  apply(c: ReportChanges): boolean {
    if (!this.cursor || c.cursor.epoch !== this.cursor.epoch) {
      // Another content script (the page was reloaded): its answer starts from nothing.
      this.items.clear();
      this.keys = [];
    }
    if (c.keys) {
      this.keys = c.keys;
      const live = new Set(c.keys);
      for (const k of this.items.keys()) if (!live.has(k)) this.items.delete(k);
    }
    for (const item of c.items) this.items.set(item.key, item);
    this.cursor = c.cursor;
    const { cursor: _c, items: _i, keys: _k, more: _m, ...head } = c;
    this.head = head;
    return c.more;
  }

  /** The frame's report as `ui:cs:report` would give it. */
  report(): PageReport {
    const items: ReportItem[] = [];
    for (const k of this.keys) {
      const item = this.items.get(k);
      if (item) items.push(item);
    }
    return { ...this.head, items };
  }
}

/** A well-formed `ui:cs:changes` answer (the content script's renderer is not trusted to send one). */
export function isChanges(v: unknown): v is ReportChanges {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Partial<ReportChanges>;
  return (
    typeof c.cursor === 'object' &&
    c.cursor !== null &&
    typeof c.cursor.epoch === 'string' &&
    Array.isArray(c.items) &&
    (c.keys === undefined || Array.isArray(c.keys)) &&
    typeof c.more === 'boolean'
  );
}

/**
 * Follows a frame to its present state: asks with the copy's cursor until no more changes wait (or
 * MAX_ROUNDS answers came), and returns the copy's report. A follow of the same copy that is still
 * running (a poll and a click at once) finishes first.
 */
export function follow(copy: ReportCopy, ask: (since: ReportCursor | null) => Promise<unknown>): Promise<PageReport> {
  const run = copy.turn.then(async () => {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const answer = await ask(copy.since);
      if (!isChanges(answer)) throw new Error('the page gave no report');
      if (!copy.apply(answer)) break;
    }
    return copy.report();
  });
  copy.turn = run.catch(() => undefined);
  return run;
}
