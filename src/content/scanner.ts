/**
 * The scan of one document: finds paragraphs a slice at a time, queues them (visible ones first),
 * sends them for scoring in capped batches with few requests in flight, caches verdicts by text,
 * and follows content added later (MutationObserver, open shadow roots, history navigation).
 *
 * No extension API here: scoring and reporting are injected, so the unit tests drive it with linkedom
 * and a fake scorer. Truth lives in the WeakMap `recs`; the data attributes are output only.
 */
import type { ParagraphState, Verdict } from '../core/types.ts';
import { isVerdict, LIMITS, type DeepProgress, type PageReport, type ReportChanges, type ReportCursor, type ReportItem } from '../protocol/messages.ts';
import { BUSY_MESSAGE } from '../core/fair-queue.ts';
import { t } from '../shared/i18n.ts';
import { walkCandidates, readCandidateText, inPrunedContext, type Candidate, type ExtractOptions } from './extract.ts';

export interface MarksSink {
  apply(el: Element, key: string, state: ParagraphState, verdict: Verdict | undefined): void;
  forget?(el: Element): void;
  ensureStyles?(root: ShadowRoot): void;
  recheckStyles?(): void;
}

export interface ScannerOptions {
  /** Texts per scoring request (at most LIMITS.textsPerMessage). */
  batchTexts: number;
  /** Characters per scoring request (a single longer text still goes alone). */
  batchChars: number;
  /** Scoring requests in flight at once. */
  maxInFlight: number;
  /** Time budget of one slice of DOM work, in ms. */
  sliceMs: number;
  /** Elements visited per slice at most (bounds a slice where the clock is coarse). */
  sliceElements: number;
  /** Delay before content added to the page is scanned (mutations come in bursts). */
  mutationDelayMs: number;
  /**
   * History navigation (popstate, hashchange) rescans the whole document once this long after the
   * first event: events in between join that rescan (a page can fire them in a loop).
   */
  rescanDelayMs: number;
  /** Delay before a badge report that did not arrive is sent again. */
  reportRetryMs: number;
  /**
   * Badge reports go out at most once in this time: changes in between are sent together at its end.
   * A long page settles batch by batch, and each answer changes the counts.
   */
  reportEveryMs: number;
  /** Delay before a failed request is retried once. */
  retryMs: number;
  /** A request unanswered this long counts as failed (a first model load can take a while). */
  requestTimeoutMs: number;
  /**
   * Paragraphs left in `error` are sent again after this delay, doubling while errors persist up to
   * errorRetryMaxMs: once the fault has passed (host restarted, model fetched again), they get a verdict.
   */
  errorRetryMs: number;
  errorRetryMaxMs: number;
  /** The longest wait before sending again when the background says it is busy with this tab. */
  busyRetryMaxMs: number;
  /** Items in one answer to `ui:cs:changes` at most (about 400 bytes each; the rest follow on asking). */
  changesPerAnswer: number;
  /** After a scroll or resize, the paragraphs in view are looked up this much later (once per burst). */
  viewProbeMs: number;
  minWords?: number;
}

export const DEFAULT_OPTIONS: ScannerOptions = {
  batchTexts: 48,
  batchChars: 200_000,
  maxInFlight: 2,
  sliceMs: 8,
  sliceElements: 2000,
  mutationDelayMs: 150,
  rescanDelayMs: 400,
  reportRetryMs: 1000,
  reportEveryMs: 250,
  retryMs: 1000,
  requestTimeoutMs: 180_000,
  errorRetryMs: 2_000,
  errorRetryMaxMs: 60_000,
  busyRetryMaxMs: 10_000,
  changesPerAnswer: 500,
  viewProbeMs: 150,
};

export interface ScannerDeps {
  doc: Document;
  /** `zeroShot`: the zero-shot detector's verdicts beside the page detector's (the scan on WebGPU). */
  score(texts: string[]): Promise<{ verdicts: Verdict[]; zeroShot?: Verdict[] }>;
  /** The deep check: one paragraph at a time with the zero-shot detector (`error`: why it cannot run). */
  deepScore?(texts: string[]): Promise<{ verdicts?: Verdict[]; error?: string }>;
  /** Called after each batch (badge count). Errors are ignored. */
  report?(flagged: number, total: number): unknown;
  marks?: MarksSink;
  /** Whether a node is our own UI (never scanned). */
  isOwn?(node: Node): boolean;
  /** Runs `fn` soon, yielding to the page first. Default: requestIdleCallback (timeout 200 ms) or setTimeout. */
  schedule?(fn: () => void): void;
  now?(): number;
  options?: Partial<ScannerOptions>;
}

export interface Rec {
  el: Element;
  key: string;
  text: string;
  state: ParagraphState;
  verdict?: Verdict;
  /** Discovery order (a tie-breaker for page order). */
  seq: number;
  /** Failed sends of the current text. */
  tries: number;
  /** Scrolled into view and still pending: scored first. */
  visible: boolean;
  /** Text changes followed in the current window (live tickers must not cause a request flood). */
  changes: number;
  changesSince: number;
  /** The scanner's `rev` at this paragraph's last change that a report shows (state, verdict, text, zero-shot verdict). */
  rev: number;
}

/** Verdicts kept by text. */
const CACHE_MAX = 20_000;

/** A paragraph whose text keeps changing is re-scored at most this often per minute. */
const MAX_CHANGES_PER_MINUTE = 4;

const ERROR_DETECTOR = 'none';

function errorVerdict(reason: string, reasonCode: 'no-answer' | 'not-checked', detail?: string): Verdict {
  return { state: 'error', p_machine: null, flagged: false, detector: ERROR_DETECTOR, reason, reasonCode, ...(detail !== undefined ? { reasonArgs: [detail] } : {}) };
}

/** Whether `el`'s box lies within a viewport `vh` px tall, widened by `margin` px above and below. */
function inViewport(el: Element, vh: number, margin: number): boolean {
  const b = el.getBoundingClientRect();
  return b.bottom > -margin && b.top < vh + margin && b.width > 0;
}

/** The element in the document that stands for `el` (its outermost shadow host, or itself). */
function docAnchor(el: Element): Element {
  let e = el;
  for (let i = 0; i < 64; i++) {
    const root = e.getRootNode?.();
    if (root?.nodeType !== 11 || !(root as ShadowRoot).host) break;
    e = (root as ShadowRoot).host;
  }
  return e;
}

export class Scanner {
  readonly opts: ScannerOptions;
  private readonly doc: Document;
  private readonly recs = new WeakMap<Element, Rec>();
  private readonly byKey = new Map<string, Rec>();
  /** Every rec, in discovery order; disconnected ones are pruned now and then. */
  private order: Rec[] = [];
  /** Verdicts by text, for the current settings generation. */
  private readonly cache = new Map<string, Verdict>();
  /** The zero-shot detector's verdicts by text (same generation), shown beside the page detector's. */
  private readonly zeroShot = new Map<string, Verdict>();
  /** The deep check in progress or last run (this settings generation). */
  private deep: (DeepProgress & { gen: number; stop: boolean }) | null = null;
  /** Deep-check requests sent so far (tests: Cancel stops them). */
  deepRequests = 0;
  /** Texts sent and not answered yet, with the paragraphs waiting for them. */
  private waiting = new Map<string, Rec[]>();
  private queue = new Set<Rec>();
  private priority = new Set<Rec>();
  private takeBudgetSpent = false;
  private readonly flaggedRecs = new Set<Rec>();
  /** Walks in progress, each over its root; a new walk of a root replaces those of what it contains. */
  private rescanTimer: ReturnType<typeof setTimeout> | undefined;
  private walkers: { root: Node; started: boolean; it: Generator<Candidate | null, void, void> }[] = [];
  private inFlight = 0;
  private gen = 0;
  private seq = 0;
  /** Bumped by every change a report shows (see Rec.rev); `orderRev`: the last change to the keys or their order. */
  private rev = 0;
  private orderRev = 0;
  /** Tells this scanner's cursors from another's (a reloaded page, a new content script). */
  private readonly epoch = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  private tickQueued = false;
  private started = false;
  private mo: MutationObserver | null = null;
  private viewTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly onViewChange = (): void => {
    if (!this.started || this.viewTimer !== undefined || this.queue.size === 0) return;
    this.viewTimer = setTimeout(() => {
      this.viewTimer = undefined;
      try {
        this.probeView();
      } catch {
        /* no lookup: the paragraphs are scored in page order */
      }
    }, this.opts.viewProbeMs);
  };
  private readonly observedRoots = new WeakSet<Node>();
  private pendingRoots = new Set<Node>();
  private mutationTimer: ReturnType<typeof setTimeout> | undefined;
  private needPrune = false;
  private readonly extractOpts: ExtractOptions;
  /** Requests sent so far (tests and diagnostics). */
  requests = 0;
  /** Slices of DOM work run so far (tests: a big page takes many). */
  slices = 0;
  private signature: string | null = null;
  /** The detector that gave this page's verdicts (the setting `auto` can start naming another one). */
  private detector: string | null = null;
  private readonly idleWaiters: (() => void)[] = [];
  private errorTimer: ReturnType<typeof setTimeout> | undefined;
  private errorDelay = 0;
  private busyDelay = 0;

  constructor(private readonly deps: ScannerDeps) {
    this.doc = deps.doc;
    this.opts = { ...DEFAULT_OPTIONS, ...deps.options };
    this.opts.batchTexts = Math.max(1, Math.min(this.opts.batchTexts, LIMITS.textsPerMessage));
    this.extractOpts = {
      isOwn: (el) => deps.isOwn?.(el) ?? false,
      minWords: this.opts.minWords,
      maxChars: LIMITS.charsPerText,
      onShadowRoot: (sr) => this.observe(sr),
    };
  }

  get isScanning(): boolean {
    return this.started && (this.walkers.length > 0 || this.rescanTimer !== undefined || this.queue.size > 0 || this.inFlight > 0 || this.pendingRoots.size > 0);
  }

  /** Starts scanning the document (idempotent). */
  start(): void {
    if (this.started) {
      // A second "scan" also retries paragraphs whose request failed.
      for (const r of this.order) if (r.state === 'error' && r.el.isConnected) this.enqueue(r);
      this.kick();
      return;
    }
    this.started = true;
    this.walk(this.doc);
    this.observe(this.doc);
    const win = this.doc.defaultView;
    // Capture: scrolls of the page's own scrolling boxes too (their scroll events do not bubble).
    win?.addEventListener('scroll', this.onViewChange, { capture: true, passive: true });
    win?.addEventListener('resize', this.onViewChange, { passive: true });
    const rescan = () => {
      if (this.rescanTimer !== undefined) return;
      this.rescanTimer = setTimeout(() => {
        this.rescanTimer = undefined;
        this.addRoot(this.doc.documentElement);
      }, this.opts.rescanDelayMs);
    };
    win?.addEventListener('popstate', rescan);
    win?.addEventListener('hashchange', rescan);
    this.kick();
  }

  /** Stops observing and drops pending timers (tests; a page being torn down). Marks stay. */
  stop(): void {
    this.mo?.disconnect();
    const win = this.doc.defaultView;
    win?.removeEventListener('scroll', this.onViewChange, { capture: true });
    win?.removeEventListener('resize', this.onViewChange);
    if (this.viewTimer !== undefined) clearTimeout(this.viewTimer);
    this.viewTimer = undefined;
    if (this.mutationTimer !== undefined) clearTimeout(this.mutationTimer);
    if (this.deferTimer !== undefined) clearTimeout(this.deferTimer);
    if (this.errorTimer !== undefined) clearTimeout(this.errorTimer);
    if (this.reportTimer !== undefined) clearTimeout(this.reportTimer);
    if (this.reportHold !== undefined) clearTimeout(this.reportHold);
    this.reportHold = undefined;
    this.reportDue = false;
    if (this.rescanTimer !== undefined) clearTimeout(this.rescanTimer);
    this.mutationTimer = this.deferTimer = this.errorTimer = this.rescanTimer = this.reportTimer = undefined;
    this.walkers = [];
    this.queue.clear();
    this.priority.clear();
    this.pendingRoots.clear();
    this.started = false;
    this.checkIdle();
  }

  /**
   * New settings: when the sensitivity or detector changed (or are not known yet), every paragraph is
   * scored again (the background caches scores, so this is cheap). Returns whether it re-scores.
   */
  refresh(signature: string | null): boolean {
    if (signature !== null && signature === this.signature) return false;
    const first = this.signature === null && signature !== null && this.order.length === 0;
    this.signature = signature;
    if (first) return false;
    this.rescore();
    return true;
  }

  /** Every paragraph scored again; answers to requests already sent are dropped. */
  private rescore(): void {
    this.gen++;
    this.detector = null;
    this.cache.clear();
    this.zeroShot.clear();
    if (this.deep) this.deep.stop = true;
    this.waiting = new Map();
    for (const r of this.order) {
      r.rev = ++this.rev; // its zero-shot verdict is gone
      if (!r.el.isConnected) continue;
      r.tries = 0;
      this.enqueue(r);
    }
    this.kick();
  }

  /** Sets what the settings are without re-scoring (known at start). */
  setSignature(signature: string): void {
    if (this.signature === null) this.signature = signature;
  }

  /** The rec of a paragraph element, if it is one. */
  recOf(el: Element): Rec | undefined {
    return this.recs.get(el);
  }

  byKeyOf(key: string): Rec | undefined {
    const r = this.byKey.get(key);
    return r?.el.isConnected ? r : undefined;
  }

  /** Resolves when no work is left (tests). */
  idle(): Promise<void> {
    if (!this.isScanning && this.mutationTimer === undefined) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  counts(): { flagged: number; total: number } {
    this.prune();
    let flagged = 0;
    for (const r of this.flaggedRecs) if (r.el.isConnected) flagged++;
    return { flagged, total: this.order.length };
  }

  /** Items in page order. */
  items(): ReportItem[] {
    this.prune();
    this.sortOrder();
    return this.order.map((r) => this.itemOf(r));
  }

  private itemOf(r: Rec): ReportItem {
    const item: ReportItem = { key: r.key, state: r.state, preview: r.text.slice(0, 120), chars: r.text.length };
    if (r.verdict) item.verdict = r.verdict;
    const z = this.zeroShot.get(r.text);
    if (z) item.zeroShot = z;
    return item;
  }

  /**
   * Puts `order` in page order. Discovery order usually is page order already (one linear check);
   * content added later in the middle of the page needs a real sort, whose result is kept.
   */
  private sortOrder(): void {
    const anchors = new Map<Rec, Element>();
    const anchor = (r: Rec) => {
      let a = anchors.get(r);
      if (!a) {
        a = docAnchor(r.el);
        anchors.set(r, a);
      }
      return a;
    };
    const cmp = (a: Rec, b: Rec): number => {
      const ea = anchor(a);
      const eb = anchor(b);
      const [x, y] = ea !== eb ? [ea, eb] : [a.el, b.el];
      if (x !== y) {
        const pos = x.compareDocumentPosition(y);
        if (!(pos & 1 /* DISCONNECTED */)) {
          if (pos & 4 /* FOLLOWING */) return -1;
          if (pos & 2 /* PRECEDING */) return 1;
        }
      }
      return a.seq - b.seq;
    };
    let sorted = true;
    for (let i = 1; i < this.order.length && sorted; i++) {
      const a = this.order[i - 1]!;
      const b = this.order[i]!;
      if (a.el.nextElementSibling === b.el) continue; // the common case, without a tree walk
      if (cmp(a, b) > 0) sorted = false;
    }
    if (!sorted) {
      this.order.sort(cmp);
      this.orderRev = ++this.rev;
    }
  }

  /** Paragraphs that pass `keep` (e.g. those with a visible mark), connected, in page order. */
  marked(keep: (r: Rec) => boolean): Rec[] {
    this.prune();
    this.sortOrder();
    return this.order.filter((r) => r.el.isConnected && keep(r));
  }

  report(url: string, selection?: PageReport['selection']): PageReport {
    const rep: PageReport = { url, scanning: this.isScanning, items: this.items() };
    this.addHead(rep, selection);
    return rep;
  }

  private addHead(rep: Pick<PageReport, 'selection' | 'deep'>, selection?: PageReport['selection']): void {
    if (selection) rep.selection = selection;
    if (this.deep && this.deep.gen === this.gen) {
      const { gen: _g, stop: _s, ...progress } = this.deep;
      rep.deep = progress;
    }
  }

  /**
   * What changed since `since` (null, or a cursor of another scanner: everything), for a reader that
   * keeps its own copy (the popup, src/popup/report-sync.ts). A whole report of a 10,000-paragraph
   * page is about 4 MB, and answering one costs the page's main thread some 200 ms; this answers
   * with the items changed since, oldest change first, at most `opts.changesPerAnswer` of them
   * (`more`: ask again at once), and with the keys in page order where they changed.
   */
  changes(since: ReportCursor | null, url: string, selection?: PageReport['selection']): ReportChanges {
    this.prune();
    this.sortOrder();
    const from = since?.epoch === this.epoch ? since : null;
    const after = (r: Rec) => !from || r.rev > from.rev || (r.rev === from.rev && r.seq > from.seq);
    const changed = this.order.filter(after).sort((a, b) => a.rev - b.rev || a.seq - b.seq);
    const more = changed.length > this.opts.changesPerAnswer;
    const sent = more ? changed.slice(0, this.opts.changesPerAnswer) : changed;
    const last = sent.at(-1);
    const cursor: ReportCursor = more && last ? { epoch: this.epoch, rev: last.rev, seq: last.seq } : { epoch: this.epoch, rev: this.rev, seq: Number.MAX_SAFE_INTEGER };
    const out: ReportChanges = { url, scanning: this.isScanning, cursor, items: sent.map((r) => this.itemOf(r)), more };
    if (!from || this.orderRev > from.rev) out.keys = this.order.map((r) => r.key);
    this.addHead(out, selection);
    return out;
  }

  /** The zero-shot verdict of a paragraph, if it has one (hover card). */
  zeroShotOf(rec: Rec): Verdict | undefined {
    return this.zeroShot.get(rec.text);
  }

  /**
   * The deep check: every paragraph on the page that has no zero-shot verdict yet, in page order, one
   * request of one paragraph at a time (on wasm each costs seconds), with progress in the report.
   * `cancelDeep` stops it: no request is sent after the one in flight. Returns false when one runs already.
   */
  startDeep(): boolean {
    if (!this.deps.deepScore || (this.deep?.running && this.deep.gen === this.gen)) return false;
    const todo = this.marked((r) => r.state === 'scored' || r.state === 'too-short').filter((r) => !this.zeroShot.has(r.text));
    const byText = new Map<string, Rec[]>();
    for (const r of todo) byText.set(r.text, [...(byText.get(r.text) ?? []), r]);
    const texts = [...byText.keys()];
    const run = { gen: this.gen, stop: false, done: 0, total: texts.length, running: texts.length > 0 };
    this.deep = run;
    void (async () => {
      for (const text of texts) {
        if (run.stop || run.gen !== this.gen) break;
        if (this.zeroShot.has(text)) {
          run.done++;
          continue;
        }
        this.deepRequests++;
        let res: { verdicts?: Verdict[]; error?: string };
        try {
          res = await this.deps.deepScore!([text]);
        } catch (err) {
          res = { error: t('deepFailedBecause', (err instanceof Error ? err.message : String(err)).slice(0, 300)) };
        }
        if (run.gen !== this.gen) break;
        const v = res?.verdicts?.[0];
        if (!isVerdict(v)) {
          Object.assign(run, { error: typeof res?.error === 'string' ? res.error.slice(0, 300) : t('reasonNoAnswer') });
          break;
        }
        this.zeroShot.set(text, v);
        for (const r of byText.get(text) ?? []) r.rev = ++this.rev;
        run.done++;
      }
      run.running = false;
      if (run.stop && run.done < run.total) Object.assign(run, { cancelled: true });
    })();
    return true;
  }

  cancelDeep(): boolean {
    if (!this.deep?.running) return false;
    this.deep.stop = true;
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Work loop

  private kick(): void {
    if (this.tickQueued) return;
    this.tickQueued = true;
    const run = () => {
      this.tickQueued = false;
      try {
        this.tick();
      } catch {
        // Never let one bad slice stop the scan.
      }
    };
    if (this.deps.schedule) {
      this.deps.schedule(run);
      return;
    }
    // A task of background priority: it runs once the page has nothing more urgent to do (input,
    // rendering, its own tasks), with a timer in case the page never rests. Idle callbacks came too
    // seldom: Chromium runs one per idle period, and one asked for inside a callback waits for the
    // next period. With the popup polling, about one 8 ms slice ran per 50 ms: the walk of 10,000
    // paragraphs took 6 s and the scan 10 to 15 s; this way 1.5 s and 5 to 8 s (`npm run bench --
    // longtask-repeat`). Where there is no scheduler (Firefox 140), idle callbacks.
    const win = this.doc.defaultView as (Window & typeof globalThis & { scheduler?: { postTask?: (fn: () => void, opts: { priority: string }) => Promise<unknown> } }) | null;
    const scheduler = win?.scheduler;
    if (typeof scheduler?.postTask === 'function') {
      let ran = false;
      const once = () => {
        if (ran) return;
        ran = true;
        clearTimeout(timer);
        run();
      };
      const timer = setTimeout(once, 200);
      try {
        scheduler.postTask(once, { priority: 'background' }).catch(() => undefined);
      } catch {
        /* the timer runs it */
      }
    } else if (win && typeof win.requestIdleCallback === 'function') win.requestIdleCallback(run, { timeout: 200 });
    else setTimeout(run, 0);
  }

  private now(): number {
    return this.deps.now ? this.deps.now() : typeof performance !== 'undefined' ? performance.now() : Date.now();
  }

  private tick(): void {
    this.slices++;
    const found = this.walkSlice();
    // Reads first (text, boxes), then writes (attributes): no layout thrash between the two.
    const layout = typeof this.doc.defaultView?.getComputedStyle === 'function';
    const vh = this.doc.defaultView?.innerHeight ?? 0;
    const visible = found.map((c) => {
      if (!layout || !vh) return false;
      try {
        return inViewport(c.el, vh, 0);
      } catch {
        return false;
      }
    });
    found.forEach((c, i) => {
      this.register(c, visible[i]!);
    });
    this.pump();
    // Paragraphs settled from the cache, or gone with the page's changes, change the counts without
    // an answer from the background: the badge follows them here too.
    if (this.started) this.sendReport();
    if (this.walkers.length) this.kick();
    else this.checkIdle();
  }

  private lastReport = '';
  private reportTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set while a report went out less than reportEveryMs ago; reportDue: the counts changed since. */
  private reportHold: ReturnType<typeof setTimeout> | undefined;
  private reportDue = false;

  /**
   * Tells the background (badge) the counts, when they changed since the last time, at most once per
   * reportEveryMs (the last change of a burst goes out at its end). A report that does not arrive (the
   * service worker restarting) is sent again a second later, so that the badge does not keep an old
   * count until the next change.
   */
  private sendReport(): void {
    if (this.reportHold !== undefined) {
      this.reportDue = true;
      return;
    }
    const { flagged, total } = this.counts();
    const now = `${flagged}/${total}`;
    if (now === this.lastReport) return;
    this.lastReport = now;
    this.reportHold = setTimeout(() => {
      this.reportHold = undefined;
      if (!this.reportDue) return;
      this.reportDue = false;
      if (this.started) this.sendReport();
    }, this.opts.reportEveryMs);
    const failed = () => {
      if (this.lastReport !== now || !this.started) return;
      this.lastReport = '';
      if (this.reportTimer !== undefined) return;
      this.reportTimer = setTimeout(() => {
        this.reportTimer = undefined;
        if (this.started) this.sendReport();
      }, this.opts.reportRetryMs);
    };
    try {
      void Promise.resolve(this.deps.report?.(flagged, total)).catch(failed);
    } catch {
      failed();
    }
  }

  /**
   * Starts a walk over `root`, unless one of it (or of something around it) is already waiting to
   * start. Waiting walks of what `root` contains are dropped, the new one covers them; one already
   * under way over `root` itself goes on, and the new one follows it. Without this, a page firing
   * popstate every 150 ms queued a walk of the whole document each time: with 5,000 paragraphs the
   * walks never ended, and while walks run only visible paragraphs are scored, so the rest stayed
   * pending (fuzz seed 1, pages 100, 107, 202 and six more).
   */
  private walk(root: Document | ShadowRoot | Element): void {
    const top: Node = root.nodeType === 1 && root === this.doc.documentElement ? this.doc : root;
    if (this.walkers.some((w) => !w.started && (w.root === top || w.root.contains(top)))) return;
    this.walkers = this.walkers.filter((w) => (w.root === top ? w.started : !top.contains(w.root)));
    this.walkers.push({ root: top, started: false, it: walkCandidates(top as Document | ShadowRoot | Element, this.extractOpts) });
  }

  /** Runs the walkers until the slice budget is spent; returns the candidates found. */
  private walkSlice(): Candidate[] {
    const out: Candidate[] = [];
    const t0 = this.now();
    let visited = 0;
    while (this.walkers.length) {
      const w = this.walkers[0]!;
      let r: IteratorResult<Candidate | null, void>;
      w.started = true;
      try {
        r = w.it.next();
      } catch {
        r = { done: true, value: undefined };
      }
      if (r.done) {
        this.walkers.shift();
        continue;
      }
      if (r.value) out.push(r.value);
      // The clock is read every 32 elements, and after every candidate: a candidate costs far more
      // (its text, style and boxes) than an element passed over, and 32 of them can take 30 ms.
      if (++visited >= this.opts.sliceElements || ((r.value || (visited & 31) === 0) && this.now() - t0 >= this.opts.sliceMs)) break;
    }
    return out;
  }

  private register(c: Candidate, visible: boolean): void {
    let rec = this.recs.get(c.el);
    if (rec && rec.text === c.text) return;
    if (!rec) {
      rec = { el: c.el, key: `t${(++this.seq).toString(36)}`, text: c.text, state: 'pending', seq: this.seq, tries: 0, visible, changes: 0, changesSince: 0, rev: 0 };
      this.recs.set(c.el, rec);
      this.byKey.set(rec.key, rec);
      this.order.push(rec);
      this.orderRev = ++this.rev;
    }
    rec.text = c.text;
    rec.tries = 0;
    rec.visible = rec.visible || visible;
    const cached = this.cache.get(c.text);
    if (cached) this.settle(rec, cached);
    else {
      this.setState(rec, 'pending', undefined);
      this.enqueue(rec);
    }
  }

  private enqueue(rec: Rec): void {
    this.queue.add(rec);
    if (rec.visible) this.priority.add(rec);
  }

  private setState(rec: Rec, state: ParagraphState, verdict: Verdict | undefined): void {
    rec.state = state;
    rec.verdict = verdict;
    rec.rev = ++this.rev;
    if (verdict?.flagged && state === 'scored') this.flaggedRecs.add(rec);
    else this.flaggedRecs.delete(rec);
    this.deps.marks?.apply(rec.el, rec.key, state, verdict);
  }

  private settle(rec: Rec, v: Verdict): void {
    this.queue.delete(rec);
    this.priority.delete(rec);
    this.setState(rec, v.state, v);
    if (v.state === 'error') this.scheduleErrorRetry();
  }

  /** Sends the paragraphs in `error` again later (backoff while errors persist): faults pass. */
  private scheduleErrorRetry(): void {
    if (this.errorTimer !== undefined || !this.started) return;
    this.errorDelay = this.errorDelay ? Math.min(this.errorDelay * 2, this.opts.errorRetryMaxMs) : this.opts.errorRetryMs;
    this.errorTimer = setTimeout(() => {
      this.errorTimer = undefined;
      let any = false;
      for (const r of this.order) {
        if (r.state !== 'error' || !r.el.isConnected || this.waiting.has(r.text)) continue;
        r.tries = 0;
        this.enqueue(r);
        any = true;
      }
      if (any) this.kick();
    }, this.errorDelay);
    // Node (unit tests): a pending retry must not keep the process alive.
    (this.errorTimer as { unref?: () => void }).unref?.();
  }

  /** Sends batches while the cap allows. */
  private pump(): void {
    // While the page is still being walked, only paragraphs in view go out: the ones found first
    // are not necessarily the ones the reader sees (a page opened scrolled down, a long header).
    const visibleOnly = this.walkers.length > 0;
    while (this.inFlight < this.opts.maxInFlight && (visibleOnly ? this.priority.size : this.queue.size) > 0) {
      const batch = this.takeBatch(visibleOnly);
      if (batch.length) this.send(batch);
      if (this.takeBudgetSpent) {
        // The rest in a later task (a page of thousands of repeated paragraphs settles them here).
        this.takeBudgetSpent = false;
        this.kick();
        break;
      }
    }
  }

  private takeBatch(visibleOnly = false): string[] {
    const texts: string[] = [];
    let chars = 0;
    // Paragraphs passed over (repeated texts, settled from the cache or waiting for a text already
    // sent) cost a mark each: at most this many per task.
    let budget = 400;
    const take = (set: Set<Rec>): boolean => {
      for (const rec of set) {
        if (texts.length >= this.opts.batchTexts) return false;
        if (--budget < 0) {
          this.takeBudgetSpent = true;
          return false;
        }
        const t = rec.text;
        const cached = this.cache.get(t);
        if (cached || !rec.el.isConnected) {
          this.queue.delete(rec);
          this.priority.delete(rec);
          if (cached && rec.el.isConnected) this.settle(rec, cached);
          continue;
        }
        const waiting = this.waiting.get(t);
        if (waiting) {
          // Same text already asked for: wait for that answer, no second request.
          if (!waiting.includes(rec)) waiting.push(rec);
          this.queue.delete(rec);
          this.priority.delete(rec);
          continue;
        }
        if (texts.length > 0 && chars + t.length > this.opts.batchChars) return false;
        texts.push(t);
        chars += t.length;
        this.waiting.set(t, [rec]);
        this.queue.delete(rec);
        this.priority.delete(rec);
      }
      return true;
    };
    if (take(this.priority) && !visibleOnly) take(this.queue);
    return texts;
  }

  private send(texts: string[]): void {
    const gen = this.gen;
    this.inFlight++;
    this.requests++;
    // A synchronous throw, a rejection and no answer at all all end as a rejection here.
    const p = new Promise<{ verdicts: Verdict[]; zeroShot?: Verdict[] }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the detector did not answer in time')), this.opts.requestTimeoutMs);
      Promise.resolve()
        .then(() => this.deps.score(texts))
        .then(
          (v) => {
            clearTimeout(timer);
            resolve(v);
          },
          (e: unknown) => {
            clearTimeout(timer);
            reject(e);
          },
        );
    });
    p.then(
      (res) => {
        if (gen !== this.gen) return;
        const verdicts = Array.isArray(res?.verdicts) ? res.verdicts : [];
        // The same setting now means another detector (`auto` once RoBERTa is downloaded, or back after
        // it is deleted): score the whole page again so that it does not mix two detectors' verdicts.
        const from = verdicts.find((v) => isVerdict(v) && v.state !== 'error')?.detector;
        if (from !== undefined && this.detector !== null && from !== this.detector) {
          for (const t of texts) this.waiting.delete(t);
          this.rescore();
          return;
        }
        if (from !== undefined) this.detector = from;
        this.busyDelay = 0;
        if (!verdicts.some((v) => isVerdict(v) && v.state === 'error')) this.errorDelay = 0;
        // Marks written in this task at most: a text repeated thousands of times on a page has the
        // rest settled from the cache by later batches (takeBatch's budget), not all in one long task.
        let budget = 400;
        texts.forEach((t, i) => {
          const v = verdicts[i];
          const recs = this.waiting.get(t) ?? [];
          this.waiting.delete(t);
          const ok = isVerdict(v);
          const cacheable = ok && v.state !== 'error';
          if (cacheable) this.remember(t, v);
          const z = Array.isArray(res.zeroShot) ? res.zeroShot[i] : undefined;
          if (isVerdict(z) && z.state !== 'error') this.zeroShot.set(t, z);
          for (const rec of recs) {
            if (rec.text !== t || !rec.el.isConnected) continue;
            if (--budget < 0 && cacheable) {
              rec.rev = ++this.rev; // its zero-shot verdict may be new
              this.enqueue(rec);
            }
            else this.settle(rec, ok ? v : errorVerdict('The detector gave no usable answer for this paragraph.', 'no-answer'));
          }
        });
        if (budget < 0) this.kick();
      },
      (err: unknown) => {
        if (gen !== this.gen) return;
        // Busy: the background's queue for this tab is full (many frames, or a flood). Not a failure:
        // wait (longer each time) and send again.
        const busy = String(err instanceof Error ? err.message : err).includes(BUSY_MESSAGE);
        const retry: Rec[] = [];
        for (const t of texts) {
          const recs = this.waiting.get(t) ?? [];
          this.waiting.delete(t);
          for (const rec of recs) {
            if (rec.text !== t || !rec.el.isConnected) continue;
            if (busy || ++rec.tries < 2) retry.push(rec);
            else {
              const detail = (err instanceof Error ? err.message : String(err)).slice(0, 280);
              this.settle(rec, errorVerdict(`Could not be checked: ${detail}`, 'not-checked', detail));
            }
          }
        }
        if (busy) this.busyDelay = Math.min(this.opts.busyRetryMaxMs, this.busyDelay ? this.busyDelay * 2 : this.opts.retryMs);
        const delay = busy ? this.busyDelay : this.opts.retryMs;
        if (retry.length) {
          this.inFlight++; // hold the slot until the retry is queued, so idle() waits for it
          setTimeout(() => {
            this.inFlight--;
            for (const r of retry) if (r.el.isConnected && r.text && !this.cache.has(r.text)) this.enqueue(r);
            this.pump();
            this.checkIdle();
          }, delay);
        }
      },
    )
      .catch(() => undefined)
      .finally(() => {
        this.inFlight--;
        this.deps.marks?.recheckStyles?.();
        if (gen === this.gen) this.sendReport();
        this.pump();
        this.checkIdle();
      });
  }

  /** Caches a verdict; the oldest entries go first past CACHE_MAX (long SPA sessions, tickers). */
  private remember(text: string, v: Verdict): void {
    this.cache.set(text, v);
    if (this.cache.size > CACHE_MAX) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    if (this.zeroShot.size > CACHE_MAX) {
      const oldest = this.zeroShot.keys().next();
      if (!oldest.done) {
        this.zeroShot.delete(oldest.value);
        for (const r of this.order) if (r.text === oldest.value) r.rev = ++this.rev;
      }
    }
  }

  private checkIdle(): void {
    if (this.isScanning || this.mutationTimer !== undefined) return;
    const w = this.idleWaiters.splice(0);
    for (const f of w) f();
  }

  private prune(): void {
    if (!this.needPrune) return;
    this.needPrune = false;
    const keep: Rec[] = [];
    for (const r of this.order) {
      if (r.el.isConnected) keep.push(r);
      else {
        this.orderRev = ++this.rev;
        this.byKey.delete(r.key);
        this.recs.delete(r.el);
        this.flaggedRecs.delete(r);
        this.queue.delete(r);
        this.priority.delete(r);
        this.deps.marks?.forget?.(r.el);
      }
    }
    this.order = keep;
  }

  // -------------------------------------------------------------------------------------------
  // Observers

  /**
   * The pending paragraphs in view (with a margin of 200 px) go out next: what the reader scrolled to.
   * An IntersectionObserver did this before, but it watched every pending paragraph, and the page's
   * rendering computed all of them on every frame: 20 to 33 ms of the page's main thread per frame
   * while a page of 10,000 paragraphs was being scored (a trace of `npm run bench -- longtask-repeat`).
   * This looks once per scroll burst instead: hit tests at 15 points of the viewport find paragraphs
   * in view, and their neighbours in page order are read while they stay in view.
   *
   * What it cannot see: a frame scrolled into view by its parent page (the frame's own window does
   * not scroll); its paragraphs are then scored in page order.
   */
  private probeView(): void {
    const win = this.doc.defaultView;
    const vh = win?.innerHeight ?? 0;
    const vw = win?.innerWidth ?? 0;
    if (!vh || !vw || typeof this.doc.elementFromPoint !== 'function') return;
    // Found paragraphs with their place in page order (the order they go out in).
    const found = new Map<Rec, number>();
    for (const fy of [0.1, 0.3, 0.5, 0.7, 0.9]) {
      for (const fx of [0.25, 0.5, 0.75]) {
        const x = fx * vw;
        const y = fy * vh;
        let el = this.doc.elementFromPoint(x, y);
        // Into open shadow roots: the document's hit test gives their host.
        for (let d = 0; el?.shadowRoot && d < 16; d++) {
          const inner = el.shadowRoot.elementFromPoint?.(x, y);
          if (!inner || inner === el) break;
          el = inner;
        }
        const r = el ? this.knownAncestor(el) : undefined;
        if (r?.el.isConnected && !found.has(r)) found.set(r, this.order.indexOf(r));
      }
    }
    // Nothing of ours under the points (an overlay, a page of images): what is in view is not known.
    if (!found.size) return;
    for (const i of [...found.values()]) {
      if (i < 0) continue;
      for (const step of [1, -1]) {
        for (let j = i + step, n = 0; j >= 0 && j < this.order.length && n < 100; j += step, n++) {
          const r = this.order[j]!;
          if (found.has(r) || !r.el.isConnected || !inViewport(r.el, vh, 200)) break;
          found.set(r, j);
        }
      }
    }
    for (const r of this.priority) {
      if (!found.has(r)) {
        r.visible = false;
        this.priority.delete(r);
      }
    }
    let any = false;
    for (const [r] of [...found].sort((a, b) => a[1] - b[1])) {
      if (!this.queue.has(r)) continue;
      r.visible = true;
      if (!this.priority.has(r)) {
        this.priority.add(r);
        any = true;
      }
    }
    if (any) this.pump();
  }

  private observe(root: Document | ShadowRoot): void {
    if (this.observedRoots.has(root)) return;
    this.observedRoots.add(root);
    if (root.nodeType === 11) this.deps.marks?.ensureStyles?.(root as ShadowRoot);
    const win = this.doc.defaultView as (Window & typeof globalThis) | null;
    const MO = win?.MutationObserver ?? (globalThis as { MutationObserver?: typeof MutationObserver }).MutationObserver;
    if (typeof MO !== 'function') return;
    try {
      if (!this.mo) this.mo = new MO((records) => this.onMutations(records));
      this.mo.observe(root, { childList: true, subtree: true, characterData: true });
    } catch {
      /* no observation: content added later is found on the next "scan" */
    }
  }

  private onMutations(records: MutationRecord[]): void {
    const own = (n: Node) => this.deps.isOwn?.(n) ?? false;
    for (const m of records) {
      if (m.type === 'childList') {
        if (m.removedNodes.length) this.needPrune = true;
        m.addedNodes.forEach((n) => {
          if (own(n)) return;
          if (n.nodeType === 1 || n.nodeType === 3) this.pendingRoots.add(n);
        });
      } else if (m.type === 'characterData') {
        this.pendingRoots.add(m.target);
      }
    }
    // Removals alone matter too: the counts (badge) drop what left the page.
    if ((this.pendingRoots.size || this.needPrune) && this.mutationTimer === undefined) {
      this.mutationTimer = setTimeout(() => {
        this.mutationTimer = undefined;
        try {
          this.processMutations();
        } catch {
          /* ignore */
        }
        this.checkIdle();
      }, this.opts.mutationDelayMs);
    }
  }

  private addRoot(n: Node | null): void {
    if (!n) return;
    this.pendingRoots.add(n);
    this.onMutations([]);
  }

  /** Content that changed or appeared: re-read known paragraphs, walk new subtrees. */
  private processMutations(): void {
    const roots = Array.from(this.pendingRoots);
    this.pendingRoots.clear();
    this.prune();
    const seen = new Set<Element>();
    for (const n of roots) {
      if (!n.isConnected) continue;
      let el: Element | null = n.nodeType === 1 ? (n as Element) : n.nodeType === 11 ? null : n.parentElement;
      if (n.nodeType === 11) {
        // A shadow root's own content changed: walk its host's shadow.
        this.walk(n as ShadowRoot);
        continue;
      }
      if (!el) continue;
      // Inside a known paragraph: that paragraph's text changed.
      const known = this.knownAncestor(el);
      if (known) {
        if (seen.has(known.el)) continue;
        seen.add(known.el);
        const text = readCandidateText(known.el, this.extractOpts);
        if (text === known.text) continue;
        const now = Date.now();
        if (now - known.changesSince > 60_000) {
          known.changes = 0;
          known.changesSince = now;
        }
        if (++known.changes > MAX_CHANGES_PER_MINUTE) {
          // Keep following later, but not now: the rescan after the window closes picks it up.
          this.deferChange(known);
          continue;
        }
        this.register({ el: known.el, text }, known.visible);
        continue;
      }
      // New content: walk from the nearest block around it, unless it sits in excluded chrome.
      while (el?.parentElement && isInlineLike(el)) el = el.parentElement;
      if (!el || seen.has(el) || inPrunedContext(el, this.extractOpts)) continue;
      seen.add(el);
      this.walk(el);
    }
    this.kick();
  }

  private deferred = new Set<Rec>();
  private deferTimer: ReturnType<typeof setTimeout> | undefined;

  private deferChange(rec: Rec): void {
    this.deferred.add(rec);
    if (this.deferTimer !== undefined) return;
    this.deferTimer = setTimeout(() => {
      this.deferTimer = undefined;
      for (const r of this.deferred) if (r.el.isConnected) this.pendingRoots.add(r.el);
      this.deferred.clear();
      this.onMutations([]);
    }, 60_000);
  }

  private knownAncestor(el: Element): Rec | undefined {
    let e: Element | null = el;
    for (let i = 0; e && i < 256; i++) {
      const r = this.recs.get(e);
      if (r) return r;
      const parent: Element | null = e.parentElement;
      if (parent) e = parent;
      else {
        const root = e.getRootNode?.();
        e = root && root.nodeType === 11 ? (root as ShadowRoot).host : null;
      }
    }
    return undefined;
  }
}

const INLINE = new Set(['a', 'abbr', 'b', 'bdi', 'bdo', 'br', 'cite', 'data', 'dfn', 'em', 'i', 'mark', 'q', 's', 'small', 'span', 'strong', 'sub', 'sup', 'time', 'u', 'wbr', 'del', 'ins', 'font', 'code']);
function isInlineLike(el: Element): boolean {
  return INLINE.has((el.localName || '').toLowerCase());
}
