/**
 * Faults injected while a 400-paragraph page is being scored (test/e2e/faults-*.test.ts). Every run
 * uses its own paragraphs (so that the model really scores them during the fault, not the host's
 * cache), waits until some are scored and some still pending, injects the fault, and then requires:
 * every paragraph in a final state, none left in `error`, and every score equal to an undisturbed
 * run's to 1e-3. The undisturbed run is the same detector in Node on the same texts; the first run of
 * each browser checks that an undisturbed run in the browser equals it too.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { judge } from '../../src/core/judge.ts';
import type { Detector } from '../../src/core/types.ts';
import { createNodeHubDetector } from '../../src/node/hub-store.ts';
import { loadEmbeddedDetector } from '../../src/node/models.ts';
import { sleep, waitFor, type Harness } from './browsers.ts';
import type { MockHub } from './mock-hub.ts';
import { sendFromExtension, storeSettings, tabIdOf } from './scenario.ts';

export const PARAGRAPHS = 400;
export const ROBERTA_REPO = 'onnx-community/roberta-base-openai-detector-ONNX';

const SENTENCES = [
  'We walked down to the harbour wall after supper and sat on the cold stones while the boats knocked together in the dark.',
  'My brother swore he saw a seal that night, and he sulked the whole way home when nobody believed him.',
  'The bakery on the corner opens at six, and by noon there is nothing left but crumbs and a handwritten sign.',
  'I lost about half the onions this year, mostly to the wet spell in July, and the rest are small but sweet.',
  'She kept the letters in a biscuit tin under the stairs and never told anyone what was in them.',
  'The train was forty minutes late, so we shared a bag of chips on the platform and watched the pigeons.',
  'In conclusion, coastal communities offer a unique blend of natural beauty, rich cultural heritage, and vibrant traditions.',
  'Overall, it is important to note that maintaining infrastructure plays a crucial role in ensuring the well-being of residents.',
  'Additionally, the revitalized waterfront serves as a testament to the power of community collaboration and shared vision.',
  'Furthermore, by fostering sustainable practices, we can ensure these places continue to thrive for generations to come.',
  'Grandad fixed the radio with a paperclip and a length of fuse wire, and it worked for another ten years.',
  'When the storm finally came in February it took the end of the wall clean off, and the lorries arrived on Monday.',
];

/** The paragraphs of run `set`: unique (a numbered opening), 150-250 words, a seeded mix of human and machine-like sentences. */
export function paragraphs(set: number, n = PARAGRAPHS): string[] {
  let seed = (set + 1) * 2654435761 >>> 0;
  const rnd = () => {
    seed = (Math.imul(seed, 48271) + 11) >>> 0;
    return seed / 4294967296;
  };
  return Array.from({ length: n }, (_, i) => {
    const k = 8 + Math.floor(rnd() * 6);
    const machiney = rnd() < 0.4;
    const pool = machiney ? SENTENCES.slice(6, 10).concat(SENTENCES.slice(0, 2)) : SENTENCES;
    return [`Note ${set}-${i}.`, ...Array.from({ length: k }, () => pool[Math.floor(rnd() * pool.length)]!)].join(' ');
  });
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Serves `/run-SET.html` (the paragraphs of `paragraphs(SET)`) and `/flood.html` on 127.0.0.1. */
export async function serveRuns(): Promise<{ url(set: number): string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const m = /^\/run-(\d+)\.html$/.exec(req.url ?? '');
    const body = m
      ? `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>run ${m[1]}</title></head><body><main>${paragraphs(Number(m[1])).map((t) => `<p>${esc(t)}</p>`).join('\n')}</main></body></html>`
      : req.url === '/flood.html'
        ? '<!doctype html><html><head><meta charset="utf-8"><title>flood</title></head><body><p>A tab whose content script floods the background.</p></body></html>'
        : null;
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: (set) => `http://127.0.0.1:${port}/run-${set}.html`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

interface Item {
  key: string;
  state: string;
  preview: string;
  verdict?: { p_machine: number | null; state: string; detector: string; flagged: boolean; reason?: string };
}
export interface Report {
  scanning: boolean;
  items: Item[];
}

export const report = (control: Page, tabId: number) => sendFromExtension<Report>(control, 'ui:cs:report', {}, tabId);

/** Scores of an undisturbed run of the same detector in Node. */
export class Baseline {
  private embedded?: Promise<Detector>;
  private roberta?: Promise<Detector>;
  private readonly cache = mkdtempSync(join(tmpdir(), 'telltale-faults-'));
  constructor(private readonly hubUrl?: string) {}
  private detector(id: 'embedded' | 'roberta-base'): Promise<Detector> {
    if (id === 'embedded') {
      this.embedded ??= loadEmbeddedDetector();
      return this.embedded;
    }
    this.roberta ??= createNodeHubDetector({ model: ROBERTA_REPO, hubUrl: this.hubUrl!, cacheDir: this.cache, bundledDir: null, variant: 'q8' });
    return this.roberta;
  }
  async scores(texts: string[], id: 'embedded' | 'roberta-base'): Promise<(number | null)[]> {
    const v = await judge(await this.detector(id), texts, { sensitivity: 'high' });
    return v.map((x) => (x.state === 'scored' ? x.p_machine : null));
  }
  async close(): Promise<void> {
    for (const d of [this.embedded, this.roberta]) await (await d?.catch(() => undefined))?.dispose?.();
    rmSync(this.cache, { recursive: true, force: true });
  }
}

/** Waits until the page is being scored: some paragraphs scored, some still pending. */
export async function midScan(control: Page, tabId: number, n = PARAGRAPHS): Promise<{ scored: number; pending: number }> {
  return waitFor(
    async () => {
      const r = await report(control, tabId);
      const scored = r.items.filter((i) => i.state !== 'pending').length;
      const pending = n - scored;
      return scored >= 1 && pending >= n * 0.2 ? { scored, pending } : null;
    },
    'the page to be part-way through its scan',
    60_000,
    40,
  );
}

/** Waits until every paragraph has a final state and none is left in error (errors are retried with backoff). */
export async function settled(control: Page, tabId: number, what: string, n = PARAGRAPHS, timeout = 120_000): Promise<Report> {
  let last = null as Report | null;
  try {
    return await waitFor(
      async () => {
        const r = await report(control, tabId);
        last = r;
        return !r.scanning && r.items.length === n && r.items.every((i) => i.state !== 'pending' && i.state !== 'error') ? r : null;
      },
      `${what}: every paragraph settled, none in error`,
      timeout,
      250,
    );
  } catch (err) {
    const states: Record<string, number> = {};
    for (const i of last?.items ?? []) states[i.state] = (states[i.state] ?? 0) + 1;
    const reasons = [...new Set((last?.items ?? []).filter((i) => i.state === 'error').map((i) => i.verdict?.reason))].slice(0, 3);
    throw new Error(`${String(err)}; states ${JSON.stringify(states)} of ${last?.items.length}; errors: ${JSON.stringify(reasons)}`);
  }
}

/** Every item is its paragraph (page order) and its score equals the undisturbed run's to 1e-3. */
export function assertScores(what: string, r: Report, texts: string[], expected: (number | null)[], detector: string): number {
  assert.equal(r.items.length, texts.length, `${what}: one item per paragraph`);
  let maxDiff = 0;
  r.items.forEach((it, i) => {
    assert.equal(it.preview, texts[i]!.slice(0, 120), `${what}: item ${i} is paragraph ${i}`);
    const e = expected[i];
    if (e === null || e === undefined) {
      assert.notEqual(it.state, 'scored', `${what}: paragraph ${i} is not scored in the undisturbed run`);
      return;
    }
    assert.equal(it.state, 'scored', `${what}: paragraph ${i}`);
    assert.equal(it.verdict!.detector, detector, `${what}: paragraph ${i} scored by ${detector}`);
    const d = Math.abs(it.verdict!.p_machine! - e);
    maxDiff = Math.max(maxDiff, d);
    assert.ok(d <= 1e-3, `${what}: paragraph ${i}: ${it.verdict!.p_machine} vs undisturbed ${e}`);
  });
  return maxDiff;
}

export function setSettings(control: Page, detector: string): Promise<void> {
  return storeSettings(control, { sensitivity: 'high', autoScan: true, detector });
}

export interface RunContext {
  h: Harness;
  control: Page;
  site: Awaited<ReturnType<typeof serveRuns>>;
  baseline: Baseline;
  log: (s: string) => void;
}

/**
 * One fault run: opens run `set` (scanned automatically), waits until it is part-way, injects, waits
 * until it settled and compares. `inject` may return the page to read afterwards (a reload keeps the tab).
 */
export async function faultRun(
  ctx: RunContext,
  name: string,
  set: number,
  inject: (page: Page, tabId: number) => Promise<void>,
  detector: 'embedded' | 'roberta-base' = 'embedded',
  /**
   * When the fault comes: part-way through the scan, with paragraphs still pending in the same document
   * just after it; `part-way`, asserted pending when it is injected (a reload makes a new document, a
   * download fails within milliseconds, after which the scan may finish); or `armed`:
   * in place before the page opens and through its whole scan (a fault in the background that a fast
   * scan would otherwise outrun while it is injected), asserted to be there while the page is part-way.
   */
  when: 'mid-scan' | 'part-way' | 'armed' = 'mid-scan',
): Promise<void> {
  const texts = paragraphs(set);
  // First, so that the reference run in this process does not compete with the browser for the CPU.
  const expected = await ctx.baseline.scores(texts, detector);
  const page = await ctx.h.browser.newPage();
  const t0 = Date.now();
  if (when === 'armed') await inject(page, -1);
  await page.goto(ctx.site.url(set), { waitUntil: 'load' });
  const tabId = await tabIdOf(ctx.control, ctx.site.url(set));
  const at = await midScan(ctx.control, tabId);
  if (when !== 'armed') await inject(page, tabId);
  // The fault came while paragraphs were still waiting for their verdict (else it tested nothing).
  const left = when === 'mid-scan' ? ((await report(ctx.control, tabId).catch(() => null))?.items.filter((i) => i.state === 'pending').length ?? PARAGRAPHS) : at.pending;
  assert.ok(left > 0, `${name}: the fault came after the scan had finished (at ${at.scored}/${PARAGRAPHS} scored)`);
  const r = await settled(ctx.control, tabId, name);
  const maxDiff = assertScores(name, r, texts, expected, detector);
  await badgeMatches(ctx, tabId, r, name);
  const moment = when === 'armed' ? `in place from the start; at ${at.scored}/${PARAGRAPHS} scored, ${left} pending` : `fault at ${at.scored}/${PARAGRAPHS} scored (${left} pending ${when === 'mid-scan' ? 'just after it' : 'at it'})`;
  ctx.log(`${name}: ${moment}; all settled in ${Date.now() - t0} ms; max |Δp| ${maxDiff.toExponential(1)}`);
  await page.close();
}

/** The badge shows the tab's flagged paragraphs (kept also when the session store refuses writes). */
export async function badgeMatches(ctx: RunContext, tabId: number, r: Report, what: string): Promise<void> {
  const flagged = r.items.filter((i) => i.verdict?.flagged).length;
  const want = flagged > 0 ? String(flagged) : '';
  let got = '';
  await waitFor(
    async () => {
      got = await ctx.h.inBackground<string>(`async (bg) => (bg.browser ?? bg.chrome).action.getBadgeText({ tabId: ${tabId} })`);
      return got === want;
    },
    `${what}: the badge to show ${want}`,
    10_000,
  ).catch(() => assert.fail(`${what}: badge "${got}", but ${flagged} paragraphs are flagged`));
}

/** An undisturbed run in the browser: its scores equal Node's (what the fault runs are compared with). */
export async function undisturbedRun(ctx: RunContext, set: number): Promise<number> {
  const texts = paragraphs(set);
  const expected = await ctx.baseline.scores(texts, 'embedded');
  const page = await ctx.h.browser.newPage();
  const t0 = Date.now();
  await page.goto(ctx.site.url(set), { waitUntil: 'load' });
  const tabId = await tabIdOf(ctx.control, ctx.site.url(set));
  const r = await settled(ctx.control, tabId, 'undisturbed');
  const ms = Date.now() - t0;
  const maxDiff = assertScores('undisturbed run vs Node', r, texts, expected, 'embedded');
  ctx.log(`undisturbed: settled in ${ms} ms; max |Δp| to Node ${maxDiff.toExponential(1)}`);
  await page.close();
  return ms;
}

/** Ten tabs open the same page at once. */
export async function tenTabs(ctx: RunContext, set: number): Promise<void> {
  const texts = paragraphs(set);
  const expected = await ctx.baseline.scores(texts, 'embedded');
  const t0 = Date.now();
  const pages = await Promise.all(Array.from({ length: 10 }, () => ctx.h.browser.newPage()));
  await Promise.all(pages.map((p) => p.goto(ctx.site.url(set), { waitUntil: 'load' })));
  const tabIds = (await ctx.control.evaluate(
    `(globalThis.browser ?? globalThis.chrome).tabs.query({}).then((ts) => ts.filter((t) => t.url === ${JSON.stringify(ctx.site.url(set))}).map((t) => t.id))`,
  )) as number[];
  assert.equal(tabIds.length, 10);
  for (const [i, tabId] of tabIds.entries()) assertScores(`ten tabs, tab ${i}`, await settled(ctx.control, tabId, `ten tabs, tab ${i}`), texts, expected, 'embedded');
  ctx.log(`ten tabs: all 10 x ${PARAGRAPHS} settled in ${Date.now() - t0} ms`);
  await Promise.all(pages.map((p) => p.close()));
}

/**
 * A content script floods the background (a compromised one: the code runs in the extension's
 * isolated world of its tab, like ours, through scripting.executeScript) while another tab is scanned.
 * The flood keeps 24 requests of 200 new texts each in flight, sending again at once when refused,
 * until the other tab has settled: that tab settles while the flood goes on, the flood is refused
 * (busy) past its tab's cap, and its scores are the undisturbed ones.
 */
export async function floodWhileScanning(ctx: RunContext, floodUrl: string, set: number, limitMs = 90_000): Promise<{ settleMs: number; busy: number; accepted: number }> {
  const texts = paragraphs(set);
  const expected = await ctx.baseline.scores(texts, 'embedded');
  const floodPage = await ctx.h.browser.newPage();
  await floodPage.goto(floodUrl, { waitUntil: 'load' });
  const floodTab = await tabIdOf(ctx.control, floodUrl);
  const api = '(globalThis.browser ?? globalThis.chrome)';
  const flood = ctx.control.evaluate(`${api}.scripting.executeScript({ target: { tabId: ${floodTab} }, func: async (limit) => {
    const api = globalThis.browser ?? globalThis.chrome;
    const end = Date.now() + limit;
    let n = 0, busy = 0, accepted = 0, failed = 0;
    const one = async () => {
      while (!globalThis.__telltaleStopFlood && Date.now() < end) {
        const texts = Array.from({ length: 200 }, () => 'Flood text number ' + (n++) + ' is sent to keep the detector busy for everyone else on this computer.');
        try {
          const r = await api.runtime.sendMessage({ telltale: 1, type: 'cs:bg:score', target: 'bg', payload: { texts } });
          if (r && r.verdicts) accepted++; else failed++;
        } catch (e) { if (String(e).includes('busy')) busy++; else failed++; }
      }
    };
    await Promise.all(Array.from({ length: 24 }, one));
    return { busy, accepted, failed, stopped: !!globalThis.__telltaleStopFlood };
  }, args: [${limitMs}] }).then((r) => r[0].result)`) as Promise<{ busy: number; accepted: number; failed: number; stopped: boolean }>;
  await sleep(1500); // the flood is going
  const page = await ctx.h.browser.newPage();
  const t0 = Date.now();
  await page.goto(ctx.site.url(set), { waitUntil: 'load' });
  const tabId = await tabIdOf(ctx.control, ctx.site.url(set));
  const r = await settled(ctx.control, tabId, 'scan during a flood', PARAGRAPHS, limitMs);
  const settleMs = Date.now() - t0;
  await ctx.control.evaluate(`${api}.scripting.executeScript({ target: { tabId: ${floodTab} }, func: () => { globalThis.__telltaleStopFlood = true; } })`);
  const f = await flood;
  assert.ok(f.stopped, `the other tab settled while the flood was still going (${JSON.stringify(f)})`);
  assert.ok(f.busy > 0, `the flood was refused past its tab's cap (${JSON.stringify(f)})`);
  assertScores('scan during a flood', r, texts, expected, 'embedded');
  ctx.log(`flood: the other tab settled in ${settleMs} ms during the flood (${f.accepted} flood jobs of 200 texts served meanwhile, ${f.busy} refused as busy, ${f.failed} failed)`);
  await page.close();
  await floodPage.close();
  return { settleMs, busy: f.busy, accepted: f.accepted };
}

interface ModelRow { id: string; state: string; error?: string }
/** The RoBERTa detector's row of the model list, as the options page gets it. */
export const robertaRow = (ctx: RunContext) =>
  sendFromExtension<{ models: ModelRow[] }>(ctx.control, 'ui:bg:models', {}).then((r) => r.models.find((m) => m.id === 'roberta-base')!);

/**
 * Storage refused for lack of space, in both browsers: storage.session writes in the background while
 * run 6 is scored (the badge is kept from memory), then IndexedDB writes in the detector host while a
 * model downloads during run 7 (the scan unharmed; a clear message where action is needed; with space
 * again the download succeeds). `inHost` runs the source of a function of the host's global object
 * there (Chromium: the offscreen document; Firefox: the background page).
 */
export async function storageQuotaFaults(ctx: RunContext, inHost: (fn: string) => Promise<unknown>): Promise<void> {
  await faultRun(ctx, 'storage.session writes refused (quota)', 6, async () => {
    await ctx.h.inBackground(`async (bg) => {
      const area = bg.browser.storage.session;
      bg.__telltaleSet = area.set;
      area.set = () => Promise.reject(new Error('QUOTA_BYTES quota exceeded'));
      return true;
    }`);
  }, 'embedded', 'armed');
  // The badge was kept without the store; the store works again afterwards.
  await ctx.h.inBackground(`async (bg) => { bg.browser.storage.session.set = bg.__telltaleSet; return true; }`);

  await inHost(`(g) => {
    const P = g.IDBObjectStore.prototype;
    g.__telltalePut = P.put;
    P.put = function () { throw new g.DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
  }`);
  // (The download starts mid-scan and fails within milliseconds, so the scan may finish after it.)
  await faultRun(
    ctx,
    'IndexedDB writes refused (quota) during a model download',
    7,
    async () => void assert.deepEqual(await sendFromExtension(ctx.control, 'ui:bg:download', { model: 'roberta-base' }), { ok: true }),
    'embedded',
    'part-way',
  );
  const failed = await waitFor(async () => ((await robertaRow(ctx)).state === 'error' ? robertaRow(ctx) : null), 'the download to fail');
  assert.match(failed.error ?? '', /not enough storage space.*Free some disk space/);
  const options = await ctx.h.openExtensionPage('options.html');
  await waitFor(async () => await options.evaluate(() => [...document.querySelectorAll('body *')].some((e) => /Download failed: There is not enough storage space/.test(e.textContent ?? '') && e.checkVisibility())), 'the options page to say so');
  await options.close();
  await inHost(`(g) => { g.IDBObjectStore.prototype.put = g.__telltalePut; }`);
  assert.deepEqual(await sendFromExtension(ctx.control, 'ui:bg:download', { model: 'roberta-base' }), { ok: true });
  await waitFor(async () => (await robertaRow(ctx)).state === 'ready', 'the download to succeed with space again', 60_000);
}

/**
 * The RoBERTa model's cache damaged in IndexedDB (the model corrupted, the tokenizer truncated) before
 * run 8 is scored with it: the damage is detected when the host loads the files, exactly those two are
 * fetched again, and every paragraph gets its undisturbed score. `inject` is what makes the host load
 * them during the run (Chromium: the offscreen document closed mid-scan; Firefox: its first load).
 */
export async function corruptedCacheRun(ctx: RunContext, hub: MockHub, inject: () => Promise<unknown>): Promise<void> {
  await ctx.baseline.scores(['Load the Node reference model now, so that its download is not in the log below.'], 'roberta-base');
  ctx.log(`corrupted ${await idb.corrupt(ctx.control, 'model_quantized.onnx')}, truncated ${await idb.truncate(ctx.control, 'tokenizer.json')}`);
  hub.log.length = 0;
  await setSettings(ctx.control, 'roberta-base');
  await faultRun(ctx, 'model cache corrupted and truncated in IndexedDB', 8, async () => void (await inject()), 'roberta-base');
  const refetched = [...new Set(hub.log.filter((l) => l.method === 'GET' && l.path.includes('/resolve/')).map((l) => l.path.split('/').pop()))].sort();
  assert.deepEqual(refetched, ['model_quantized.onnx', 'tokenizer.json'], 'exactly the damaged files were fetched again');
}

/** Model storage (IndexedDB `telltale-models`, shared by every page of the extension's origin), run in an extension page. */
export const idb = {
  /** Flips bytes in a stored file (same size: only its SHA-256 can tell). */
  corrupt: (control: Page, suffix: string) => control.evaluate(idbScript(suffix, 'corrupt')) as Promise<string>,
  /** Cuts a stored file short (its size and its bytes). */
  truncate: (control: Page, suffix: string) => control.evaluate(idbScript(suffix, 'truncate')) as Promise<string>,
};

function idbScript(suffix: string, how: 'corrupt' | 'truncate'): string {
  return `new Promise((resolve, reject) => {
    const open = indexedDB.open('telltale-models');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const t = db.transaction(['meta', 'chunks'], 'readwrite');
      const meta = t.objectStore('meta'), chunks = t.objectStore('chunks');
      const all = meta.getAll();
      let done = '';
      all.onsuccess = () => {
        const m = all.result.find((x) => x.key.startsWith('files/') && x.key.endsWith(${JSON.stringify(suffix)}));
        if (!m) return reject(new Error('no stored file ends with ${suffix}: ' + all.result.map((x) => x.key).join(', ')));
        const last = chunks.get([m.key, m.chunks - 1]);
        last.onsuccess = () => {
          const c = last.result;
          const bytes = new Uint8Array(c.data);
          if (${JSON.stringify(how)} === 'corrupt') {
            for (let i = 0; i < Math.min(64, bytes.length); i++) bytes[Math.floor(bytes.length / 2) + i - 32] ^= 0x5a;
            chunks.put({ key: c.key, i: c.i, data: bytes.buffer });
          } else {
            const cut = Math.min(bytes.length, 64);
            chunks.put({ key: c.key, i: c.i, data: bytes.slice(0, bytes.length - cut).buffer });
            meta.put({ ...m, size: m.size - cut });
          }
          done = m.key;
        };
      };
      t.oncomplete = () => (db.close(), resolve(done));
      t.onerror = () => reject(t.error);
    };
  })`;
}

/**
 * A compromised content script (code in the extension's isolated world of a web tab) tries every
 * route that is not its own, and to set another tab's badge: no answer, no effect.
 */
export async function compromisedContentScript(ctx: RunContext, evilUrl: string, victimTab: number): Promise<void> {
  const page = await ctx.h.browser.newPage();
  await page.goto(evilUrl, { waitUntil: 'load' });
  const evilTab = await tabIdOf(ctx.control, evilUrl);
  const badgeOf = (tabId: number) => ctx.h.inBackground<string>(`async (bg) => (bg.browser ?? bg.chrome).action.getBadgeText({ tabId: ${tabId} })`);
  const victimBadge = await badgeOf(victimTab);
  const modelsBefore = JSON.stringify(await sendFromExtension(ctx.control, 'ui:bg:models', {}));
  const settingsBefore = await ctx.control.evaluate(`(globalThis.browser ?? globalThis.chrome).storage.local.get('settings').then((s) => JSON.stringify(s))`);
  const answers = (await ctx.control.evaluate(`(globalThis.browser ?? globalThis.chrome).scripting.executeScript({ target: { tabId: ${evilTab} }, func: async (victim) => {
    const api = globalThis.browser ?? globalThis.chrome;
    const env = (type, payload) => ({ telltale: 1, type, target: type.split(':')[1], payload });
    const tries = [
      env('ui:bg:scan-tab', { tabId: victim }), env('ui:bg:frames', { tabId: victim }), env('ui:bg:download', { model: 'roberta-large' }),
      env('ui:bg:delete-model', { model: 'roberta-base' }), env('ui:bg:models', {}), env('ui:bg:status', {}),
      env('bg:host:score', { texts: ['x'], detector: 'embedded', sensitivity: 'high' }), env('bg:host:models', {}),
      env('host:bg:ready', {}), env('host:ui:status', { detector: 'x', name: 'x', state: 'error', error: 'forged' }),
      env('bg:cs:selection', { text: 'forged', verdict: { state: 'scored', p_machine: 1, flagged: true, detector: 'embedded' } }),
      env('cs:bg:report', { flagged: -5, total: 1 }), env('cs:bg:score', { texts: Array(300).fill('x') }),
    ];
    const out = [];
    for (const m of tries) {
      try { const r = await api.runtime.sendMessage(m); out.push([m.type, r === undefined ? 'no answer' : JSON.stringify(r).slice(0, 80)]); }
      catch (e) { out.push([m.type, 'no answer (' + String(e).slice(0, 60) + ')']); }
    }
    // Its own route may set only its own tab's badge.
    try { await api.runtime.sendMessage(env('cs:bg:report', { flagged: 777, total: 777, since: Date.now() })); } catch {}
    out.push(['tabs.sendMessage', typeof api.tabs?.sendMessage]);
    out.push(['storage.session', String(await api.storage.session?.get(null).then((x) => JSON.stringify(x), (e) => 'refused: ' + e))]);
    return out;
  }, args: [${victimTab}] }).then((r) => r[0].result)`)) as [string, string][];
  ctx.log(`compromised content script: ${JSON.stringify(answers)}`);
  for (const [type, a] of answers.slice(0, 13)) assert.match(a, /^no answer/, `${type} from a content script must get no answer`);
  assert.equal(answers.find(([t]) => t === 'tabs.sendMessage')?.[1], 'undefined', 'a content script cannot message other tabs');
  assert.match(answers.find(([t]) => t === 'storage.session')?.[1] ?? '', /refused|undefined|^\{\}$/, 'the frame counts of all tabs are not readable from a content script');
  assert.equal(await badgeOf(victimTab), victimBadge, "another tab's badge is untouched");
  assert.equal(await badgeOf(evilTab), '777', 'its own report sets only its own badge');
  assert.equal(JSON.stringify(await sendFromExtension(ctx.control, 'ui:bg:models', {})), modelsBefore, 'no download started or model deleted');
  assert.equal(await ctx.control.evaluate(`(globalThis.browser ?? globalThis.chrome).storage.local.get('settings').then((s) => JSON.stringify(s))`), settingsBefore);
  await page.close();
}
