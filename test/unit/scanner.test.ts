/**
 * The scanner on linkedom: batching and request caps, the text cache, chunked work on a 10,000
 * paragraph page, errors, content added later, settings changes, visible-first order, and the
 * public marks it writes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHTML } from 'linkedom';
import type { Verdict } from '../../src/core/types.ts';
import { atSensitivity } from '../../src/core/levels.ts';
import { LIMITS, type ReportCursor } from '../../src/protocol/messages.ts';
import { Scanner, type ScannerDeps } from '../../src/content/scanner.ts';
import { Marks } from '../../src/content/marks.ts';
import { follow, ReportCopy } from '../../src/popup/report-sync.ts';

/** A whole document (linkedom treats a bare `<body>` string as a fragment-like document). */
const page = (html: string) => (html.startsWith('<html') ? html : `<!doctype html><html><head></head>${html}</html>`);
const dom = (html: string) => parseHTML(page(html)).document as unknown as Document;
const paras = (n: number, f = (i: number) => `Paragraph number ${i} has a few words of prose.`) =>
  Array.from({ length: n }, (_, i) => `<p id="p${i}">${f(i)}</p>`).join('');

/** The policy the fake background judges by: flagged from 0.9, unclear from 0.75. */
const POLICY = { minWords: 3, thresholds: { low: 0.95, balanced: 0.9, high: 0.8 }, unclear: { low: 0.9, balanced: 0.75, high: 0.6 } };
const scored = (p: number, detector: string): Verdict => atSensitivity({ state: 'scored', p_machine: p, flagged: false, detector }, POLICY, 'balanced');

/** A fake background: p_machine from the text, levels by POLICY; records every request. */
function fakeScorer(opts: { delayMs?: number; fail?: (texts: string[]) => boolean } = {}) {
  const calls: string[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const score = async (texts: string[]): Promise<{ verdicts: Verdict[] }> => {
    calls.push(texts);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await new Promise((r) => setTimeout(r, opts.delayMs ?? 1));
      if (opts.fail?.(texts)) throw new Error('background went away');
      return {
        verdicts: texts.map((t) => {
          const p = t.includes('machine') ? 0.912345 : t.includes('maybe') ? 0.8 : 0.1;
          return scored(p, 'fake');
        }),
      };
    } finally {
      inFlight--;
    }
  };
  return { calls, score, get maxInFlight() { return maxInFlight; } };
}

function scanner(doc: Document, deps: Partial<ScannerDeps> & Pick<ScannerDeps, 'score'>) {
  return new Scanner({ doc, schedule: (fn) => setImmediate(fn), marks: new Marks(doc), ...deps, options: { mutationDelayMs: 5, retryMs: 5, reportEveryMs: REPORT_EVERY_MS, ...deps.options } });
}

/** Badge reports in these tests go out at most every REPORT_EVERY_MS: waits until the last one has. */
const REPORT_EVERY_MS = 20;
const reportsSent = () => new Promise((r) => setTimeout(r, REPORT_EVERY_MS * 3));

async function waitUntil(ok: () => boolean, ms = 5_000): Promise<void> {
  for (const t0 = Date.now(); !ok(); ) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('scores every paragraph, writes the public marks, reports in page order', async () => {
  const doc = dom(`<body><nav><p>Navigation text that is skipped entirely.</p></nav><p id="a">A machine wrote this paragraph, it says.</p><p id="b">A person wrote this one on a train.</p><p id="c">Too short.</p><p id="d">Could be a bot, maybe, nobody can say.</p></body>`);
  const bg = fakeScorer();
  const reports: [number, number][] = [];
  const s = scanner(doc, { score: bg.score, report: (f, t) => reports.push([f, t]) });
  s.start();
  s.start(); // idempotent
  await s.idle();
  const a = doc.getElementById('a')!;
  assert.equal(a.getAttribute('data-telltale-state'), 'scored');
  assert.equal(a.getAttribute('data-telltale-score'), '0.912');
  assert.equal(a.getAttribute('data-telltale-level'), 'generated');
  assert.equal(a.hasAttribute('tabindex'), false, 'flagged paragraphs are no tab stops (the page keeps its focus path)');
  assert.match(a.getAttribute('aria-description') ?? '', /^Telltale: Likely machine-generated\.$/, 'the level in words; no P(machine) beside it');
  const b = doc.getElementById('b')!;
  assert.equal(b.getAttribute('data-telltale-score'), '0.100');
  assert.equal(b.getAttribute('data-telltale-level'), 'human', 'every scored paragraph carries its level');
  assert.match(b.getAttribute('aria-description') ?? '', /Likely human-written/);
  assert.equal(b.hasAttribute('tabindex'), false);
  assert.equal(doc.getElementById('d')!.getAttribute('data-telltale-level'), 'unclear');
  assert.equal(doc.querySelector('nav p')!.hasAttribute('data-telltale-state'), false);
  const rep = s.report('https://example.test/');
  assert.equal(rep.url, 'https://example.test/');
  assert.equal(rep.scanning, false);
  assert.deepEqual(rep.items.map((i) => i.key), ['a', 'b', 'c', 'd'].map((id) => doc.getElementById(id)!.getAttribute('data-telltale-key')));
  assert.equal(new Set(rep.items.map((i) => i.key)).size, 4);
  assert.equal(rep.items[0]!.preview, 'A machine wrote this paragraph, it says.');
  assert.equal(rep.items[0]!.chars, 40);
  assert.equal(rep.items[0]!.verdict?.flagged, true);
  await reportsSent();
  assert.deepEqual(reports.at(-1), [1, 4]);
});

test('cache: the same text is requested once, also when it appears again later', async () => {
  const same = 'Exactly the same words appear in three places here.';
  const doc = dom(`<body><p>${same}</p><div><p>${same}</p></div><p>A different paragraph of some words.</p><p>${same}</p></body>`);
  const bg = fakeScorer();
  const s = scanner(doc, { score: bg.score });
  s.start();
  await s.idle();
  const sent = bg.calls.flat();
  assert.equal(sent.filter((t) => t === same).length, 1);
  assert.equal(doc.querySelectorAll('[data-telltale-state="scored"]').length, 4);
  const requests = bg.calls.length;
  const p = doc.createElement('p');
  p.textContent = same;
  doc.body.append(p);
  await new Promise((r) => setTimeout(r, 30));
  await s.idle();
  assert.equal(p.getAttribute('data-telltale-state'), 'scored', 'content added later is scored');
  assert.equal(bg.calls.length, requests, 'from the cache, no new request');
});

test('batches respect LIMITS and options; requests in flight are capped', async () => {
  const doc = dom(`<body>${paras(700)}<p id="huge">${'long '.repeat(30_000)}</p></body>`);
  const bg = fakeScorer({ delayMs: 3 });
  const s = scanner(doc, { score: bg.score, options: { batchTexts: 10_000, maxInFlight: 3, batchChars: 50_000 } });
  s.start();
  await s.idle();
  assert.ok(bg.calls.every((c) => c.length <= LIMITS.textsPerMessage), 'never more than LIMITS.textsPerMessage texts');
  assert.ok(bg.calls.every((c) => c.every((t) => t.length <= LIMITS.charsPerText)), 'texts cut to LIMITS.charsPerText');
  assert.ok(bg.calls.every((c) => c.length === 1 || c.reduce((n, t) => n + t.length, 0) <= 50_000), 'char budget per request');
  assert.ok(bg.maxInFlight <= 3, `at most 3 in flight (saw ${bg.maxInFlight})`);
  assert.equal(bg.calls.flat().length, 701);
  const huge = doc.getElementById('huge')!;
  assert.equal(huge.getAttribute('data-telltale-state'), 'scored');
  assert.equal(bg.calls.flat().find((t) => t.startsWith('long'))!.length, LIMITS.charsPerText);
});

test('10,000 paragraphs: the work is cut into slices and each paragraph is sent once', async () => {
  const doc = dom(`<body><main>${paras(10_000)}</main></body>`);
  const bg = fakeScorer({ delayMs: 0 });
  let longest = 0;
  let ticks = 0;
  const s = new Scanner({
    doc,
    score: bg.score,
    marks: new Marks(doc),
    schedule: (fn) =>
      setImmediate(() => {
        const t0 = performance.now();
        fn();
        ticks++;
        longest = Math.max(longest, performance.now() - t0);
      }),
    options: { sliceElements: 500, batchTexts: 256 },
  });
  const t0 = performance.now();
  s.start();
  await s.idle();
  assert.ok(s.slices >= 20, `walked in slices (${s.slices})`);
  assert.ok(ticks >= 20);
  // Time is measured by `npm run bench -- longtask` in a browser, not asserted here (a loaded machine
  // stretches any slice); the slices above bound the work per task by element count.
  console.log(`# longest slice ${longest.toFixed(0)} ms over ${ticks} tasks`);
  assert.equal(bg.calls.flat().length, 10_000);
  assert.equal(new Set(bg.calls.flat()).size, 10_000);
  assert.equal(doc.querySelectorAll('[data-telltale-state="scored"]').length, 10_000);
  assert.equal(s.report('x').items.length, 10_000);
  console.log(`# 10,000 paragraphs in ${(performance.now() - t0).toFixed(0)} ms`);
});

test('a failing background: one retry, then state error with the paragraph intact', async () => {
  const doc = dom(`<body><p id="a">This paragraph will never be answered by anyone.</p><p id="b">This paragraph is answered after one failure.</p></body>`);
  let failures = 0;
  const bg = fakeScorer({
    fail: (texts) => texts.some((t) => t.includes('never')) || (texts.some((t) => t.includes('after one')) && failures++ < 1),
    delayMs: 0,
  });
  const s = scanner(doc, { score: bg.score, options: { batchTexts: 1 } });
  s.start();
  await s.idle();
  const a = doc.getElementById('a')!;
  assert.equal(a.getAttribute('data-telltale-state'), 'error');
  assert.equal(a.hasAttribute('data-telltale-score'), false);
  assert.equal(a.textContent, 'This paragraph will never be answered by anyone.');
  assert.equal(doc.getElementById('b')!.getAttribute('data-telltale-state'), 'scored');
  const item = s.report('x').items[0]!;
  assert.equal(item.state, 'error');
  assert.equal(item.verdict?.state, 'error');
  assert.match(item.verdict?.reason ?? '', /background went away/);
});

test('once a fault has passed, paragraphs left in error are scored: the scanner retries them with backoff', async () => {
  const doc = dom(`<body>${paras(6)}</body>`);
  let down = true;
  const bg = fakeScorer({ fail: () => down, delayMs: 0 });
  const s = scanner(doc, { score: bg.score, options: { batchTexts: 2, errorRetryMs: 20, errorRetryMaxMs: 80 } });
  s.start();
  await s.idle();
  assert.deepEqual(new Set(s.report('x').items.map((i) => i.state)), new Set(['error']));
  await new Promise((r) => setTimeout(r, 150));
  down = false;
  const t0 = Date.now();
  while (s.report('x').items.some((i) => i.state !== 'scored') && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(s.report('x').items.map((i) => i.state), Array(6).fill('scored'));
  s.stop();
});

test('a busy background (per-tab queue full) is waited for: sent again later, no error shown meanwhile', async () => {
  const { BUSY_MESSAGE } = await import('../../src/core/fair-queue.ts');
  const doc = dom(`<body>${paras(3)}</body>`);
  let refusals = 0;
  const states: string[] = [];
  const marks = new Marks(doc);
  const s = scanner(doc, {
    marks: {
      ...marks,
      apply: (el, key, state, v) => {
        states.push(state);
        marks.apply(el, key, state, v);
      },
    },
    score: async (texts) => {
      if (refusals++ < 6) throw new Error(BUSY_MESSAGE);
      return { verdicts: texts.map(() => scored(0.2, 'fake')) };
    },
    options: { retryMs: 5 },
  });
  s.start();
  await s.idle();
  assert.deepEqual(s.report('x').items.map((i) => i.state), ['scored', 'scored', 'scored']);
  assert.ok(!states.includes('error'), 'never shown as an error');
  assert.ok(refusals > 6);
});

test('malformed answers and throwing scorers become errors, never exceptions', async () => {
  const doc = dom(`<body><p>One paragraph with enough words in it.</p><p>Two paragraph with enough words in it.</p></body>`);
  const s = scanner(doc, { score: async () => ({ verdicts: [{ nonsense: true } as unknown as Verdict] }) });
  s.start();
  await s.idle();
  assert.deepEqual(
    s.report('x').items.map((i) => i.state),
    ['error', 'error'],
  );
  const doc2 = dom(`<body><p>One paragraph with enough words in it.</p></body>`);
  const s2 = scanner(doc2, {
    score: () => {
      throw new Error('sync throw');
    },
  });
  s2.start();
  await s2.idle();
  assert.equal(s2.report('x').items[0]!.state, 'error');
});

test('content added later (infinite scroll) and changed text are scored as they appear', async () => {
  const doc = dom(`<body><main id="feed"><p id="a">The first post on this page, with words.</p></main><nav id="nav"></nav></body>`);
  const bg = fakeScorer();
  const s = scanner(doc, { score: bg.score });
  s.start();
  await s.idle();
  const feed = doc.getElementById('feed')!;
  for (let i = 0; i < 3; i++) {
    const art = doc.createElement('article');
    art.innerHTML = `<p>Appended post ${i} arrives while the reader scrolls down.</p>`;
    feed.append(art);
  }
  const navP = doc.createElement('p');
  navP.textContent = 'A menu entry added into the navigation later.';
  doc.getElementById('nav')!.append(navP);
  await new Promise((r) => setTimeout(r, 30));
  await s.idle();
  assert.equal(doc.querySelectorAll('article p[data-telltale-state="scored"]').length, 3);
  assert.equal(navP.hasAttribute('data-telltale-state'), false, 'added chrome stays excluded');
  // A paragraph whose text changes in place is scored again, under the same key.
  const a = doc.getElementById('a')!;
  const key = a.getAttribute('data-telltale-key');
  a.textContent = 'A machine rewrote the first post, it now reads differently.';
  await new Promise((r) => setTimeout(r, 30));
  await s.idle();
  assert.equal(a.getAttribute('data-telltale-key'), key);
  assert.equal(a.getAttribute('data-telltale-score'), '0.912');
  // Removed paragraphs leave the report.
  feed.lastElementChild!.remove();
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(s.report('x').items.length, 3);
});

test('settings: a new sensitivity re-scores everything once; the same settings change nothing', async () => {
  const doc = dom(`<body><p>First paragraph of text for the settings test.</p><p>Second paragraph of text for the settings test.</p></body>`);
  const bg = fakeScorer();
  const s = scanner(doc, { score: bg.score });
  s.setSignature('balanced|embedded');
  s.start();
  await s.idle();
  assert.equal(bg.calls.flat().length, 2);
  assert.equal(s.refresh('balanced|embedded'), false);
  assert.equal(s.refresh('high|embedded'), true);
  await s.idle();
  assert.equal(bg.calls.flat().length, 4);
  assert.equal(s.refresh('high|embedded'), false);
  await s.idle();
  assert.equal(bg.calls.flat().length, 4);
});

test('a settings change while a request is in flight drops the stale answer', async () => {
  const doc = dom(`<body><p>Only paragraph of text for the race test.</p></body>`);
  let flag = true;
  const seen: boolean[] = [];
  let sent!: () => void;
  const firstSent = new Promise<void>((r) => {
    sent = r;
  });
  const s = scanner(doc, {
    score: async (texts) => {
      const f = flag;
      sent();
      await new Promise((r) => setTimeout(r, 20));
      seen.push(f);
      return { verdicts: texts.map(() => scored(f ? 0.95 : 0.05, 'x')) };
    },
  });
  s.setSignature('balanced|x');
  s.start();
  // The change comes while the first request is in flight (waited for, not timed: a loaded machine).
  await firstSent;
  flag = false;
  s.refresh('low|x');
  await new Promise((r) => setTimeout(r, 60));
  await s.idle();
  assert.equal(doc.querySelector('p')!.getAttribute('data-telltale-score'), '0.050');
  assert.deepEqual(seen, [true, false]);
});

test('verdicts from another detector for the same setting (auto after a download) re-score the whole page once', async () => {
  const doc = dom(`<body><p id="a">First paragraph of text for the detector test.</p><p id="b">Second paragraph of text for the detector test.</p></body>`);
  let detector = 'embedded';
  const calls: string[][] = [];
  const s = scanner(doc, {
    score: async (texts) => {
      calls.push(texts);
      await new Promise((r) => setTimeout(r, 1));
      return { verdicts: texts.map(() => scored(detector === 'embedded' ? 0.2 : 0.6, detector)) };
    },
    options: { batchTexts: 1 },
  });
  s.setSignature('balanced|auto');
  s.start();
  await s.idle();
  assert.equal(calls.flat().length, 2);
  detector = 'combined';
  doc.body.insertAdjacentHTML('beforeend', '<p id="c">A third paragraph of text arrives after the download.</p>');
  await new Promise((r) => setTimeout(r, 30));
  await s.idle();
  assert.deepEqual(['a', 'b', 'c'].map((id) => doc.getElementById(id)!.getAttribute('data-telltale-score')), ['0.600', '0.600', '0.600'], 'no mix of two detectors on one page');
  const settled = calls.flat().length;
  assert.ok(settled <= 6, `re-scored once, not in a loop (${settled} texts sent)`);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(calls.flat().length, settled);
});

/**
 * A minimal layout for linkedom: every element styled as visible prose, a viewport of 800 by 1,000 px
 * (boxes are the test's own). Returns what takes it away again: linkedom windows can share these
 * objects between documents.
 */
function fakeLayout(window: unknown): () => void {
  const w = window as Record<string, unknown>;
  w.getComputedStyle = () => ({
    visibility: 'visible', display: 'block', opacity: '1', fontSize: '16px', color: 'rgb(0, 0, 0)', position: 'static',
    overflowX: 'visible', overflowY: 'visible', clip: 'auto', clipPath: 'none', getPropertyValue: () => '',
  });
  w.innerHeight = 800;
  w.innerWidth = 1000;
  return () => {
    delete w.getComputedStyle;
    delete w.innerHeight;
    delete w.innerWidth;
  };
}

test('visible paragraphs are sent first', async () => {
  const { document, window } = parseHTML(page(`<body>${paras(40)}</body>`));
  const doc = document as unknown as Document;
  // Give linkedom a minimal layout: paragraphs 30..39 are in the viewport.
  const unfake = fakeLayout(window);
  for (const p of Array.from(doc.querySelectorAll('p'))) {
    const i = Number(p.id.slice(1));
    const top = i >= 30 ? (i - 30) * 40 : 5000 + i * 40;
    Object.assign(p, { getClientRects: () => [{}], getBoundingClientRect: () => ({ top, bottom: top + 30, left: 0, right: 600, width: 600, height: 30 }) });
  }
  const bg = fakeScorer();
  const s = scanner(doc, { score: bg.score, options: { batchTexts: 10, maxInFlight: 1, sliceElements: 8 } }); // found over several slices
  try {
    s.start();
    await s.idle();
  } finally {
    unfake();
  }
  const order = bg.calls.flat().map((t) => Number(/number (\d+)/.exec(t)![1]));
  assert.deepEqual(order.slice(0, 10), [30, 31, 32, 33, 34, 35, 36, 37, 38, 39], 'every visible paragraph before any other');
  assert.equal(order.length, 40);
});

test('after a scroll, the pending paragraphs now in view go out next; those scrolled away lose their turn', async () => {
  const { document, window } = parseHTML(page(`<body>${paras(60)}</body>`));
  const doc = document as unknown as Document;
  // A minimal layout: paragraph i is 40 px tall at 40 * i - scrollY; the viewport is 800 px tall.
  const unfake = fakeLayout(window);
  let scrollY = 0;
  const ps = Array.from(doc.querySelectorAll('p'));
  for (const [i, p] of ps.entries()) {
    const box = () => ({ top: i * 40 - scrollY, bottom: i * 40 - scrollY + 30, left: 0, right: 600, width: 600, height: 30 });
    Object.assign(p, { getClientRects: () => [box()], getBoundingClientRect: box });
  }
  const hits: [number, number][] = [];
  Object.assign(doc, {
    elementFromPoint: (x: number, y: number) => {
      hits.push([x, y]);
      return x < 600 ? (ps[Math.floor((y + scrollY) / 40)] ?? doc.body) : doc.body;
    },
  });
  // Answers wait until released: the scroll comes while the first batch is out.
  const calls: string[][] = [];
  const release: (() => void)[] = [];
  const score = async (texts: string[]) => {
    calls.push(texts);
    await new Promise<void>((r) => release.push(r));
    return { verdicts: texts.map(() => scored(0.1, 'fake')) };
  };
  const numbers = (batch: string[]) => batch.map((t) => Number(/number (\d+)/.exec(t)![1]));
  const s = scanner(doc, { score, options: { batchTexts: 10, maxInFlight: 1, viewProbeMs: 5 } });
  try {
    s.start();
    await waitUntil(() => calls.length === 1);
    assert.deepEqual(numbers(calls[0]!), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'the paragraphs in view at the start go first');
    // The reader scrolls to paragraphs 40 to 59 (1,600 px down) before the first answer arrives.
    scrollY = 1600;
    window.dispatchEvent(new window.Event('scroll'));
    window.dispatchEvent(new window.Event('scroll'));
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(hits.length, 15, 'one lookup for a burst of scroll events (15 hit tests)');
    for (let k = 0; k < 6 && release.length; k++) {
      release.shift()!();
      await waitUntil(() => calls.length === k + 2 || (k === 5 && !s.isScanning));
    }
  } finally {
    s.stop();
    unfake();
  }
  const after = calls.slice(1).map(numbers);
  // In view with the 200 px margin: 35 (top 1,400) to 59; paragraphs 10 to 19 were in view at the
  // start, but the reader has left them: they wait their turn in page order.
  assert.deepEqual(after[0], [35, 36, 37, 38, 39, 40, 41, 42, 43, 44]);
  assert.deepEqual(after[1], [45, 46, 47, 48, 49, 50, 51, 52, 53, 54]);
  assert.deepEqual(after[2]!.slice(0, 5), [55, 56, 57, 58, 59], 'then the rest in page order');
  assert.deepEqual(after[2]!.slice(5), [10, 11, 12, 13, 14]);
});

test('hostile page: forged public attributes are overwritten, truth is kept in memory', async () => {
  const doc = dom(`<body><p id="a" data-telltale-state="scored" data-telltale-score="0.999" data-telltale-key="forged">A person wrote this one on a train.</p></body>`);
  const bg = fakeScorer();
  const s = scanner(doc, { score: bg.score });
  s.start();
  await s.idle();
  const a = doc.getElementById('a')!;
  assert.equal(a.getAttribute('data-telltale-score'), '0.100');
  assert.notEqual(a.getAttribute('data-telltale-key'), 'forged');
  a.setAttribute('data-telltale-state', 'error');
  a.setAttribute('data-telltale-key', 'forged');
  const item = s.report('x').items[0]!;
  assert.equal(item.state, 'scored');
  assert.notEqual(item.key, 'forged');
  assert.equal(s.byKeyOf('forged'), undefined);
  assert.equal(s.byKeyOf(item.key)!.el, a);
});

test('an empty page scans to nothing without errors', async () => {
  const doc = dom('<html><body></body></html>');
  const bg = fakeScorer();
  const reports: unknown[] = [];
  const s = scanner(doc, { score: bg.score, report: (f, t) => reports.push([f, t]) });
  s.start();
  await s.idle();
  assert.deepEqual(s.report('about:blank'), { url: 'about:blank', scanning: false, items: [] });
  assert.equal(bg.calls.length, 0);
});

test('a paragraph whose text keeps changing (a live ticker) is not re-scored forever', async () => {
  const doc = dom(`<body><p id="t">The live score is updating right now: <span id="n">0</span> and counting.</p></body>`);
  const bg = fakeScorer({ delayMs: 0 });
  const s = scanner(doc, { score: bg.score });
  s.start();
  await s.idle();
  for (let i = 1; i <= 20; i++) {
    doc.getElementById('n')!.textContent = String(i);
    await new Promise((r) => setTimeout(r, 12));
  }
  await s.idle();
  const sent = bg.calls.flat().length;
  assert.ok(sent >= 2 && sent <= 1 + 4, `scored ${sent} times`);
  assert.notEqual(doc.getElementById('t')!.getAttribute('data-telltale-state'), 'pending');
  s.stop();
});


test('the badge report follows the final counts: paragraphs settled from the cache, and flagged ones the page removes', async () => {
  const doc = dom(`<body>${paras(1200, (i) => (i % 2 ? 'A machine wrote this repeated paragraph.' : 'A person wrote this repeated one.'))}<p id="last">Another machine paragraph stands here at the end.</p></body>`);
  const bg = fakeScorer({ delayMs: 100 });
  const reports: [number, number][] = [];
  const s = scanner(doc, { score: bg.score, report: (f, t) => reports.push([f, t]) });
  s.start();
  await s.idle();
  await reportsSent();
  assert.deepEqual(s.counts(), { flagged: 601, total: 1201 });
  assert.deepEqual(reports.at(-1), [601, 1201], 'the last report is the final count');
  doc.getElementById('last')!.remove();
  await new Promise((r) => setTimeout(r, 100));
  await s.idle();
  await reportsSent();
  assert.deepEqual(reports.at(-1), [600, 1200], 'a flagged paragraph the page removed is no longer counted');
  s.stop();
});

test('badge reports are spaced: a scan answered batch by batch sends one report per reportEveryMs at most, the final counts last', async () => {
  const doc = dom(`<body>${paras(1200, (i) => (i % 3 ? `A person wrote this repeated one, ${i}` : `A machine wrote this paragraph, ${i}`))}</body>`);
  const bg = fakeScorer({ delayMs: 15 });
  const every = 150;
  const reports: { at: number; counts: [number, number] }[] = [];
  const s = scanner(doc, { score: bg.score, report: (f, t) => reports.push({ at: performance.now(), counts: [f, t] }), options: { batchTexts: 20, reportEveryMs: every } });
  s.start();
  await s.idle();
  await new Promise((r) => setTimeout(r, every * 2));
  assert.ok(bg.calls.length >= 60, `answered in ${bg.calls.length} batches`);
  assert.ok(reports.length < bg.calls.length / 3, `${reports.length} reports for ${bg.calls.length} answers`);
  for (let i = 1; i < reports.length; i++) {
    // Timers may fire a little early by the clock's rounding, never a whole interval early.
    assert.ok(reports[i]!.at - reports[i - 1]!.at >= every - 5, `reports ${i - 1} and ${i} ${(reports[i]!.at - reports[i - 1]!.at).toFixed(0)} ms apart`);
  }
  assert.deepEqual(reports.at(-1)!.counts, [400, 1200], 'the last report is the final count');
  s.stop();
});

test('a badge report that does not arrive is sent again, with the counts of then', async () => {
  const doc = dom(`<body>${paras(6, (i) => (i % 2 ? 'A machine wrote this repeated paragraph.' : 'A person wrote this repeated one.'))}</body>`);
  const bg = fakeScorer();
  const calls: [number, number][] = [];
  let refuse = true;
  const s = scanner(doc, {
    score: bg.score,
    report: async (f, t) => {
      calls.push([f, t]);
      if (refuse) throw new Error('Could not establish connection. Receiving end does not exist.');
    },
    options: { reportRetryMs: 30 },
  });
  s.start();
  await s.idle();
  await reportsSent();
  const refused = calls.length;
  assert.deepEqual(calls.at(-1), [3, 6]);
  refuse = false;
  for (let i = 0; i < 100 && calls.length === refused; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(calls.length > refused, 'sent again');
  assert.deepEqual(calls.at(-1), [3, 6], 'the final counts again, once the background answers');
  const delivered = calls.length;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(calls.length, delivered, 'nothing more once one arrived');
  s.stop();
});

test('a page that fires popstate again and again does not pile up walks of the whole document: one walk at a time covers it', async () => {
  const run = async (popstates: number) => {
    const doc = dom(`<body>${paras(2000)}</body>`);
    const win = doc.defaultView as unknown as Window;
    let slices = 0;
    const bg = fakeScorer();
    const s = scanner(doc, { score: bg.score, schedule: (fn) => {
        slices++;
        setImmediate(fn);
      }, options: { sliceElements: 40 } });
    s.start();
    for (let i = 0; i < popstates; i++) {
      await new Promise((r) => setTimeout(r, 8));
      win.dispatchEvent(new (win as unknown as { Event: typeof Event }).Event('popstate'));
    }
    await s.idle();
    assert.equal(s.report('x').items.filter((i) => i.state === 'scored').length, 2000, 'every paragraph scored');
    s.stop();
    return slices;
  };
  const once = await run(0);
  const stormed = await run(25);
  // History events join one rescan of the document, and walks of one root are not stacked: 25
  // popstates cost one more walk, not 25 (before: 1,342 slices against 59).
  assert.ok(stormed < once * 4, `slices: ${stormed} with 25 popstates vs ${once} without`);
});

test("the popup's copy (ui:cs:changes) equals the whole report at every poll, and only changes cross after the first", async () => {
  const n = 1234;
  const doc = dom(`<body><main id="m">${paras(n, (i) => (i % 7 === 0 ? `A machine wrote paragraph ${i}, it says here.` : `Paragraph number ${i} has a few words of prose.`))}</main></body>`);
  const bg = fakeScorer({ delayMs: 2 });
  const deep = (texts: string[]) => Promise.resolve({ verdicts: texts.map(() => scored(0.5, 'fast-detectgpt')) });
  const s = scanner(doc, { score: bg.score, deepScore: deep, options: { changesPerAnswer: 100, batchTexts: 40 } });
  const url = 'https://example.test/';
  let answers = 0;
  let itemsSent = 0;
  const ask = (scan: Scanner) => (since: ReportCursor | null) => {
    const c = scan.changes(since, url);
    answers++;
    itemsSent += c.items.length;
    assert.ok(c.items.length <= 100, 'an answer holds changesPerAnswer items at most');
    return Promise.resolve(c);
  };
  const copy = new ReportCopy();
  const same = async (what: string, scan = s) => {
    const mine = await follow(copy, ask(scan));
    assert.deepEqual(mine, scan.report(url), what);
  };
  s.start();
  let polls = 0;
  while (s.isScanning) {
    await same(`poll ${++polls} during the scan`);
    await new Promise((r) => setTimeout(r, 3));
  }
  await s.idle();
  await same('after the scan');
  assert.ok(polls >= 5, `${polls} polls during the scan`);
  assert.ok(itemsSent < 3 * n, `${itemsSent} items crossed in ${polls + 1} polls of ${n} paragraphs: only the changes`);
  // Nothing changed: one answer, no items, no keys.
  const before = answers;
  const quiet = s.changes(copy.since, url);
  assert.deepEqual([quiet.items.length, quiet.keys, quiet.more], [0, undefined, false]);
  await same('nothing changed');
  assert.equal(answers, before + 1);
  /** A change to the page, then the scanner's follow-up: the copy must equal the report again. */
  const afterChange = async (what: string, change: () => void) => {
    change();
    await new Promise((r) => setTimeout(r, 30));
    await s.idle();
    await same(what);
  };
  const paragraph = (text: string) => Object.assign(doc.createElement('p'), { textContent: text });
  await afterChange('after removals (nothing else changes)', () => {
    for (let i = 1; i < 40; i += 4) doc.getElementById(`p${i}`)!.remove();
  });
  await afterChange('after a move (the same element and text: only the order changes)', () => doc.getElementById('p3')!.before(doc.getElementById('p60')!));
  await afterChange('after an append (the order stays sorted)', () => doc.getElementById('m')!.append(paragraph('A paragraph appended at the very end of the page, by a person.')));
  await afterChange('after an insertion in the middle and a rewrite', () => {
    doc.getElementById('p2')!.before(paragraph('A machine inserted this paragraph near the top of the page.'));
    doc.getElementById('p100')!.textContent = 'Paragraph one hundred was rewritten, by a machine this time.';
  });
  // The deep check's zero-shot verdicts reach the copy, and a re-score takes them away again.
  assert.equal(s.startDeep(), true);
  await waitUntil(() => s.report(url).deep?.running === false);
  await same('after the deep check');
  assert.ok(copy.report().items.every((i) => i.zeroShot?.detector === 'fast-detectgpt'));
  s.refresh('high|embedded');
  await same('a re-score asked for: the zero-shot verdicts are gone at once');
  await s.idle();
  await same('after a re-score');
  assert.ok(copy.report().items.every((i) => !i.zeroShot));
  // Another content script (the page reloaded): its first answer starts from nothing.
  const again = scanner(doc, { score: bg.score, options: { changesPerAnswer: 100 } });
  again.start();
  await again.idle();
  await same('another scanner', again);
  s.stop();
  again.stop();
});

test('a ui:cs:changes answer that is not one is refused, not merged', async () => {
  const copy = new ReportCopy();
  await assert.rejects(follow(copy, () => Promise.resolve({ items: 'x' })), /no report/);
  await assert.rejects(follow(copy, () => Promise.resolve(undefined)), /no report/);
});

test('two follows of one copy at once take turns: the later answer is the one that stays', async () => {
  const doc = dom(`<body>${paras(30)}</body>`);
  const s = scanner(doc, { score: fakeScorer().score, options: { changesPerAnswer: 4 } });
  s.start();
  await s.idle();
  const copy = new ReportCopy();
  const asked: (ReportCursor | null)[] = [];
  // Answers computed at once, delivered in reverse order of asking (the first one last).
  let delay = 20;
  const ask = (since: ReportCursor | null) => {
    asked.push(since);
    const c = s.changes(since, 'u');
    delay = Math.max(0, delay - 5);
    const wait = delay;
    return new Promise((r) => setTimeout(() => r(c), wait));
  };
  const [a, b] = await Promise.all([follow(copy, ask), follow(copy, ask)]);
  assert.deepEqual(a, s.report('u'));
  assert.deepEqual(b, s.report('u'));
  assert.equal(asked.length, 8 + 1, 'the second follow asked after the first was done: 8 parts, then one empty answer');
  assert.deepEqual(asked.at(-1), copy.since);
});
