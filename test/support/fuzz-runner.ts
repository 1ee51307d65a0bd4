/**
 * Runs generated hostile pages (./fuzz-pages.ts) through the built extension in headless Chromium and
 * measures, per page:
 *
 * - **our errors**: uncaught exceptions and unhandled rejections thrown in the extension's own contexts
 *   (the content script's isolated world in every frame, the service worker, the offscreen document),
 *   told apart from the page's own by execution context (CDP `Runtime.executionContextCreated` names the
 *   extension's isolated world) and by the script URL in the stack (`chrome-extension://ID/`); plus
 *   console warnings and errors whose text starts with "Telltale" (our own prefix) from any context.
 *   The page's own errors are counted separately (the generator's pages throw on purpose).
 * - **changes to the page**: a snapshot of every frame before the scan and after it settled, taken
 *   with DOM accessors saved before any page script ran (pages replace textContent getters,
 *   getAttribute, getBoundingClientRect…). Compared, in document order over the flat tree (open shadow
 *   roots included), leaving out our own nodes (telltale-card hosts, our <style data-telltale>) and the
 *   inside of `data-fuzz-volatile` boxes (the page's own churn; the box itself stays in):
 *     text: every text node's value (hashed);
 *     layout: every element's border box in document coordinates (to 1/64 px), and the document's scroll size;
 *     attributes: every attribute but `data-telltale-*` and an `aria-description` that starts with
 *     "Telltale:" (ours); a page's own aria-description or tabindex that we changed shows as a change.
 * - **unsettled**: `data-fuzz="prose"` elements without a final state, report items still pending,
 *   and frames whose content script did not answer, when the page's deadline passes.
 * - **hidden judged**: any element in a `data-fuzz="none"` subtree that got a state.
 * - **settle time**: from the scan request until every frame's report has settled.
 * - **forged accepted**: before the scan (content scripts present, automatic scanning off) a forged
 *   `bg:cs:scan` must not have started one; after it, no forged selection, the badge equal to the sum
 *   of the frames' flagged paragraphs, storage.local unchanged, nothing but frame counts in
 *   storage.session, and the prose the page forged our attributes on listed as judged by us.
 */
import { createServer, type Server } from 'node:http';
import type { CDPSession, Frame, Page, Target } from 'puppeteer-core';
import { launchChromium, sleep, waitFor } from './browsers.ts';
import { generatePage, type FuzzPage, type ServedFile } from './fuzz-pages.ts';
import { framesOf, sendFromExtension, storeSettings, tabIdOf } from './scenario.ts';

export interface PageResult {
  index: number;
  name: string;
  kinds: string[];
  ourErrors: string[];
  pageErrors: number;
  textChanges: string[];
  layoutChanges: string[];
  attrChanges: string[];
  unsettled: string[];
  hiddenJudged: string[];
  forged: string[];
  settleMs: number | null;
  paragraphs: number;
  errorStates: number;
  frames: number;
}

export interface FuzzSummary {
  pages: number;
  seed: number;
  pagesWithOurErrors: number;
  ourErrors: number;
  pageErrors: number;
  pagesWithTextChanges: number;
  pagesWithLayoutChanges: number;
  pagesWithAttrChanges: number;
  unsettled: number;
  pagesUnsettled: number;
  hiddenJudged: number;
  forgedAccepted: number;
  paragraphs: number;
  errorStates: number;
  settleMs: { p50: number; p90: number; max: number };
  wallMs: number;
}

/** Installed before any page script, in every frame: the snapshot with DOM accessors the page cannot replace. */
const SNAPSHOT_KEY = '__telltaleFuzzSnapshot_7f3a';
const SNAPSHOT_SOURCE = `(() => {
  const KEY = ${JSON.stringify(SNAPSHOT_KEY)};
  const R = Reflect.apply;
  const get = (o, k) => { for (let p = o; p; p = Object.getPrototypeOf(p)) { const d = Object.getOwnPropertyDescriptor(p, k); if (d) return d.get; } };
  const firstChild = get(Node.prototype, 'firstChild'), nextSibling = get(Node.prototype, 'nextSibling');
  const nodeType = get(Node.prototype, 'nodeType'), nodeValue = get(Node.prototype, 'nodeValue');
  const localName = get(Element.prototype, 'localName'), shadowRoot = get(Element.prototype, 'shadowRoot');
  const attributes = get(Element.prototype, 'attributes');
  const nnLength = get(NamedNodeMap.prototype, 'length'), nnItem = NamedNodeMap.prototype.item;
  const attrName = get(Attr.prototype, 'name'), attrValue = get(Attr.prototype, 'value');
  const rect = Element.prototype.getBoundingClientRect, getAttribute = Element.prototype.getAttribute;
  const docEl = get(Document.prototype, 'documentElement');
  const scrollW = get(Element.prototype, 'scrollWidth'), scrollH = get(Element.prototype, 'scrollHeight');
  const sx = get(window, 'scrollX'), sy = get(window, 'scrollY');
  const charCodeAt = String.prototype.charCodeAt, startsWith = String.prototype.startsWith, slice = String.prototype.slice;
  const round = Math.round;
  const hash = (s) => { let h = 2166136261; const n = s.length; for (let i = 0; i < n; i++) { h ^= R(charCodeAt, s, [i]); h = Math.imul(h, 16777619); } return (h >>> 0).toString(36) + ':' + n; };
  const q = (x) => round(x * 64) / 64;
  const snap = (expectOnly) => {
    const text = [], layout = [], attrs = [], expect = [];
    const X = R(sx, window, []), Y = R(sy, window, []);
    const root = R(docEl, document, []);
    if (root) layout[layout.length] = 'doc|' + R(scrollW, root, []) + 'x' + R(scrollH, root, []);
    // [node, inside data-fuzz=none]
    const stack = root ? [[root, false]] : [];
    let i = 0;
    while (stack.length) {
      const top = stack[stack.length - 1]; stack.length--;
      const node = top[0]; let none = top[1];
      const t = R(nodeType, node, []);
      if (t === 3) { if (!expectOnly) text[text.length] = hash(R(nodeValue, node, []) || ''); continue; }
      if (t !== 1 && t !== 11) continue;
      let volatile = false;
      if (t === 1) {
        const name = R(localName, node, []);
        if (name === 'telltale-card') continue;
        if (name === 'style' && R(getAttribute, node, ['data-telltale']) !== null) continue;
        i++;
        if (!expectOnly) {
          const r = R(rect, node, []);
          layout[layout.length] = i + '|' + name + '|' + q(r.left + X) + ',' + q(r.top + Y) + ',' + q(r.width) + ',' + q(r.height);
          const list = R(attributes, node, []);
          const n = R(nnLength, list, []);
          let a = name;
          for (let k = 0; k < n; k++) {
            const at = R(nnItem, list, [k]);
            const an = R(attrName, at, []), av = R(attrValue, at, []);
            if (R(startsWith, an, ['data-telltale-'])) continue;
            if (an === 'aria-description' && R(startsWith, av, ['Telltale:'])) continue;
            a += ' ' + an + '=' + hash(av);
          }
          attrs[attrs.length] = a;
        }
        const fuzz = R(getAttribute, node, ['data-fuzz']);
        const state = R(getAttribute, node, ['data-telltale-state']);
        const label = name + '#' + (R(getAttribute, node, ['id']) || i);
        if (fuzz === 'none') none = true;
        if (none && state !== null) expect[expect.length] = 'judged-hidden|' + label + '|' + state;
        if (fuzz === 'prose') expect[expect.length] = 'prose|' + label + '|' + state;
        volatile = R(getAttribute, node, ['data-fuzz-volatile']) !== null;
      }
      if (volatile) continue;
      const kids = [];
      for (let c = R(firstChild, node, []); c; c = R(nextSibling, c, [])) kids[kids.length] = c;
      for (let k = kids.length - 1; k >= 0; k--) stack[stack.length] = [kids[k], none];
      if (t === 1) { const sr = R(shadowRoot, node, []); if (sr) stack[stack.length] = [sr, none]; }
    }
    return { text, layout, attrs, expect };
  };
  Object.defineProperty(window, KEY, { value: snap, enumerable: false });
})();`;

interface Snapshot {
  text: string[];
  layout: string[];
  attrs: string[];
  expect: string[];
}

/** First differences between two lists, in words. */
function diff(what: string, a: string[], b: string[], max = 3): string[] {
  const out: string[] = [];
  if (a.length !== b.length) out.push(`${what}: ${a.length} entries before, ${b.length} after`);
  for (let i = 0; i < Math.min(a.length, b.length) && out.length < max; i++) if (a[i] !== b[i]) out.push(`${what}[${i}]: ${a[i]} -> ${b[i]}`);
  return out;
}

interface Served {
  origin: string;
  close(): Promise<void>;
}

function serve(files: Map<string, ServedFile>): Promise<Served> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/(elsewhere\/)?/, '');
    const f = files.get(path);
    if (!f) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...f.headers });
    res.end(f.body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      }),
    ),
  );
}

interface Report {
  scanning: boolean;
  items: { key: string; state: string; preview: string; verdict?: { flagged: boolean } }[];
  selection?: unknown;
}

const percentile = (xs: number[], p: number) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** Collects our errors and the page's own from one CDP session (a page with its frames, a worker, the offscreen document). */
function watchErrors(session: CDPSession, extOrigin: string, sink: { ours: string[]; page: number }, allOurs: boolean): void {
  const ourContexts = new Set<number>();
  session.on('Runtime.executionContextCreated', (e: { context: { id: number; origin: string; name: string; auxData?: { type?: string } } }) => {
    if (e.context.origin?.startsWith(extOrigin) || e.context.name === 'Telltale') ourContexts.add(e.context.id);
  });
  const isOurs = (ctx: number | undefined, urls: (string | undefined)[]) =>
    allOurs || (ctx !== undefined && ourContexts.has(ctx)) || urls.some((u) => !!u && u.startsWith(extOrigin));
  session.on('Runtime.exceptionThrown', (e: { exceptionDetails: { text: string; url?: string; executionContextId?: number; exception?: { description?: string }; stackTrace?: { callFrames: { url: string }[] } } }) => {
    const d = e.exceptionDetails;
    const urls = [d.url, ...(d.stackTrace?.callFrames.map((f) => f.url) ?? [])];
    if (isOurs(d.executionContextId, urls)) sink.ours.push(`${d.text} ${d.exception?.description ?? ''}`.slice(0, 400));
    else sink.page++;
  });
  session.on('Runtime.consoleAPICalled', (e: { type: string; executionContextId?: number; args: { value?: unknown; description?: string }[]; stackTrace?: { callFrames: { url: string }[] } }) => {
    if (e.type !== 'warning' && e.type !== 'error' && e.type !== 'assert') return;
    const first = String(e.args[0]?.value ?? e.args[0]?.description ?? '');
    const urls = e.stackTrace?.callFrames.map((f) => f.url) ?? [];
    if (first.startsWith('Telltale') || isOurs(e.executionContextId, urls)) sink.ours.push(`console.${e.type}: ${e.args.map((a) => a.value ?? a.description).join(' ')}`.slice(0, 400));
  });
  void session.send('Runtime.enable').catch(() => undefined);
}

export interface FuzzOptions {
  pages: number;
  seed: number;
  /** Per page: how long to wait for every frame to settle. */
  settleTimeoutMs?: number;
  /** Only these page indices (reproducing one page). */
  only?: number[];
  log?: (line: string) => void;
  onPage?: (r: PageResult) => void;
  /**
   * On the first page, check the error capture itself: an error thrown in the extension's isolated
   * world must be counted as ours and one thrown by the page as the page's (then both are taken out).
   * Default on.
   */
  selfCheck?: boolean;
}

export async function runFuzz(opts: FuzzOptions): Promise<{ results: PageResult[]; summary: FuzzSummary }> {
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const files = new Map<string, ServedFile>();
  const a = await serve(files);
  const b = await serve(files);
  const h = await launchChromium({ webgpu: false });
  const results: PageResult[] = [];
  const current = { ours: [] as string[], page: 0 };
  try {
    const worker = await h.worker();
    const extOrigin = h.base.replace(/\/$/, '');
    // The service worker and the offscreen document: every error there is ours.
    const attach = async (target: Target) => {
      const url = target.url();
      if (!url.startsWith(extOrigin)) return;
      if (!(target.type() === 'service_worker' || url.endsWith('/offscreen.html'))) return;
      try {
        watchErrors(await target.createCDPSession(), extOrigin, current, true);
      } catch {
        /* a target that went away */
      }
    };
    for (const t of h.browser.targets()) await attach(t);
    h.browser.on('targetcreated', (t: Target) => void attach(t));
    void worker;

    const control = await h.openExtensionPage('options.html');
    await storeSettings(control, { sensitivity: 'high' });
    const storageLocal = () => control.evaluate(`(globalThis.browser ?? globalThis.chrome).storage.local.get(null).then((x) => JSON.stringify(x))`) as Promise<string>;
    const storageSession = () => control.evaluate(`(globalThis.browser ?? globalThis.chrome).storage.session.get(null).then((x) => Object.keys(x))`) as Promise<string[]>;

    const indices = opts.only ?? Array.from({ length: opts.pages }, (_, i) => i);
    for (const index of indices) {
      const fp: FuzzPage = generatePage(opts.seed, index, opts.pages, b.origin);
      files.clear();
      for (const [k, v] of Object.entries(fp.files)) files.set(k, v);
      current.ours = [];
      current.page = 0;
      const r: PageResult = {
        index, name: fp.name, kinds: fp.kinds, ourErrors: [], pageErrors: 0, textChanges: [], layoutChanges: [], attrChanges: [],
        unsettled: [], hiddenJudged: [], forged: [], settleMs: null, paragraphs: 0, errorStates: 0, frames: 0,
      };
      const page: Page = await h.browser.newPage();
      try {
        const session = await page.createCDPSession();
        watchErrors(session, extOrigin, current, false);
        await page.evaluateOnNewDocument(SNAPSHOT_SOURCE);
        const url = `${a.origin}/${fp.name}`;
        const localBefore = await storageLocal();
        await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
        await sleep(400);
        const tabId = await tabIdOf(control, url);
        const snapAll = async (expectOnly = false): Promise<Snapshot[]> => {
          const out: Snapshot[] = [];
          for (const f of page.frames()) {
            const s = (await f.evaluate(`window[${JSON.stringify(SNAPSHOT_KEY)}]?.(${expectOnly})`).catch(() => null)) as Snapshot | null;
            out.push(s ?? { text: [], layout: [], attrs: [], expect: [] });
          }
          return out;
        };
        // Before the scan: the forgers have run; nothing may have started a scan.
        const frames = await framesOf(control, tabId);
        r.frames = frames.length;
        /** Every frame's report of the moment, as the popup asks for them (null: the frame did not answer). */
        const reportsNow = async () => {
          const fr = await framesOf(control, tabId).catch(() => frames);
          return { fr, reports: await Promise.all(fr.map((f) => sendFromExtension<Report>(control, 'ui:cs:report', {}, tabId, f.frameId).catch(() => null))) };
        };
        const early = await reportsNow();
        early.reports.forEach((rep, i) => {
          if (rep && (rep.items.length > 0 || rep.selection)) r.forged.push(`frame ${early.fr[i]!.frameId} had ${rep.items.length} items${rep.selection ? ' and a selection' : ''} before any scan was asked for`);
        });
        const before = await snapAll();
        const frameUrlsBefore = page.frames().map((f: Frame) => f.url());

        const ts = Date.now();
        const scan = await sendFromExtension<{ ok: boolean; error?: string }>(control, 'ui:bg:scan-tab', { tabId });
        if (!scan?.ok) r.unsettled.push(`scan refused: ${scan?.error}`);
        const deadline = ts + (opts.settleTimeoutMs ?? 60_000);
        let reports: (Report | null)[] = [];
        let lastWhy: string[] = [];
        for (;;) {
          const now = await reportsNow();
          const fr = now.fr;
          reports = now.reports;
          const snaps = await snapAll(true);
          const why: string[] = [];
          reports.forEach((rep, i) => {
            if (!rep) why.push(`frame ${fr[i]!.frameId} (${fr[i]!.url.slice(0, 60)}) did not answer`);
            else {
              if (rep.scanning) why.push(`frame ${fr[i]!.frameId} still scanning`);
              const pending = rep.items.filter((it) => it.state === 'pending').length;
              if (pending) why.push(`frame ${fr[i]!.frameId}: ${pending} items pending`);
            }
          });
          snaps.forEach((s, i) => {
            for (const e of s.expect) {
              const [kind, label, state] = e.split('|');
              if (kind === 'prose' && (state === 'null' || state === 'pending' || state === '')) why.push(`${page.frames()[i]?.url().slice(-40)} ${label}: ${state || 'no state'}`);
            }
          });
          lastWhy = why;
          if (why.length === 0 || Date.now() > deadline) break;
          await sleep(250);
        }
        if (lastWhy.length === 0) r.settleMs = Date.now() - ts;
        else r.unsettled.push(...lastWhy.slice(0, 20), ...(lastWhy.length > 20 ? [`… ${lastWhy.length - 20} more`] : []));
        await sleep(300);
        const after = await snapAll();
        const frameUrlsAfter = page.frames().map((f: Frame) => f.url());
        if (frameUrlsAfter.join('\n') === frameUrlsBefore.join('\n')) {
          before.forEach((bs, i) => {
            const as = after[i]!;
            const where = i === 0 ? '' : `frame ${i} `;
            r.textChanges.push(...diff(`${where}text`, bs.text, as.text));
            r.layoutChanges.push(...diff(`${where}layout`, bs.layout, as.layout));
            r.attrChanges.push(...diff(`${where}attrs`, bs.attrs, as.attrs));
          });
        } else r.unsettled.push('the page changed its frames during the scan: not compared');
        for (const s of after) for (const e of s.expect) if (e.startsWith('judged-hidden|')) r.hiddenJudged.push(e);
        // Forged messages: nothing changed that we did not do.
        const all = reports.filter((x): x is Report => !!x);
        r.paragraphs = all.reduce((n, x) => n + x.items.length, 0);
        r.errorStates = all.reduce((n, x) => n + x.items.filter((it) => it.state === 'error').length, 0);
        if (all.some((x) => x.selection)) r.forged.push('a selection result appeared that nobody asked for');
        // The badge against the frames' counts of the moment: a page whose script still changes it (the
        // mutator runs for up to 3 s, longer than a scan from the cache) changes them after the reports above.
        const flaggedNow = async () =>
          (await reportsNow()).reports.reduce((n, x) => n + (x?.items.filter((it) => it.verdict?.flagged).length ?? 0), 0);
        let flagged = 0;
        const badge = await waitFor(
          async () => {
            flagged = await flaggedNow();
            const t = await h.inBackground<string>(`async (bg) => bg.chrome.action.getBadgeText({ tabId: ${tabId} })`);
            return t === (flagged > 0 ? (flagged > 999 ? '999+' : String(flagged)) : '') ? { t } : null;
          },
          'the badge',
          5_000,
        ).catch(async () => ({ t: `mismatch: ${await h.inBackground<string>(`async (bg) => bg.chrome.action.getBadgeText({ tabId: ${tabId} })`)}` }));
        if (badge.t.startsWith('mismatch')) r.forged.push(`badge ${badge.t} but the frames flag ${flagged}`);
        if ((await storageLocal()) !== localBefore) r.forged.push('storage.local changed');
        const sessionKeys = await storageSession();
        if (sessionKeys.some((k) => !/^frames:\d+$/.test(k))) r.forged.push(`storage.session has ${sessionKeys.join(', ')}`);
        if (fp.kinds.includes('forge')) {
          const forgedText = await page.evaluate(`(document.getElementById('fz-forged')?.firstChild?.data ?? '').replace(/\\s+/g, ' ').trim().slice(0, 40)`);
          if (forgedText && !all.some((x) => x.items.some((it) => it.preview.startsWith(forgedText as string) && it.state !== 'pending'))) r.unsettled.push('#fz-forged (forged attributes) is not in the report as judged');
        }
        if (opts.selfCheck !== false && results.length === 0) {
          const ours0 = current.ours.length;
          const page0 = current.page;
          await control.evaluate(`(globalThis.browser ?? globalThis.chrome).scripting.executeScript({ target: { tabId: ${tabId} }, func: () => { setTimeout(() => { throw new Error('telltale-fuzz-selfcheck'); }, 0); } })`);
          await page.evaluate(`setTimeout(() => { throw new Error('page-selfcheck'); }, 0)`);
          await waitFor(() => current.ours.length > ours0 && current.page > page0, 'the self-check errors to be seen', 5_000).catch(() => undefined);
          const seen = current.ours.slice(ours0);
          if (!seen.some((e) => e.includes('telltale-fuzz-selfcheck')) || current.page <= page0) {
            throw new Error(`fuzz self-check failed: the error capture does not tell our errors from the page's (ours: ${JSON.stringify(seen)}, page: ${current.page - page0})`);
          }
          current.ours.length = ours0;
          current.page = page0;
          // The page comparison itself: a changed text node and a resized element must show.
          await page.evaluate(`(() => { const p = document.querySelector('main > p'); p.firstChild.appendData('!'); p.style.width = '123px'; p.setAttribute('data-x', '1'); })()`);
          const changed = (await snapAll())[0]!;
          const found = [diff('text', after[0]!.text, changed.text), diff('layout', after[0]!.layout, changed.layout), diff('attrs', after[0]!.attrs, changed.attrs)];
          if (found.some((d) => d.length === 0)) throw new Error(`fuzz self-check failed: the page comparison missed a change (${JSON.stringify(found)})`);
        }
      } catch (err) {
        if (String(err).includes('fuzz self-check failed')) throw err;
        r.unsettled.push(`runner: ${String(err).slice(0, 300)}`);
      } finally {
        await sleep(100);
        r.ourErrors = [...current.ours];
        r.pageErrors = current.page;
        await page.close().catch(() => undefined);
      }
      results.push(r);
      opts.onPage?.(r);
      const bad = r.ourErrors.length + r.textChanges.length + r.layoutChanges.length + r.attrChanges.length + r.unsettled.length + r.hiddenJudged.length + r.forged.length;
      log(`${String(index).padStart(4)} ${bad ? 'FAIL' : 'ok  '} ${String(r.settleMs ?? '-').padStart(6)} ms ${String(r.paragraphs).padStart(5)} paragraphs ${r.frames} frames  ${fp.kinds.join(',')}${bad ? `\n${JSON.stringify({ ourErrors: r.ourErrors, text: r.textChanges, layout: r.layoutChanges, attrs: r.attrChanges, unsettled: r.unsettled, hidden: r.hiddenJudged, forged: r.forged })}` : ''}`);
    }
    await control.close();
  } finally {
    await h.close();
    await a.close();
    await b.close();
  }
  const settle = results.map((r) => r.settleMs).filter((x): x is number => x !== null);
  const summary: FuzzSummary = {
    pages: results.length,
    seed: opts.seed,
    pagesWithOurErrors: results.filter((r) => r.ourErrors.length).length,
    ourErrors: results.reduce((n, r) => n + r.ourErrors.length, 0),
    pageErrors: results.reduce((n, r) => n + r.pageErrors, 0),
    pagesWithTextChanges: results.filter((r) => r.textChanges.length).length,
    pagesWithLayoutChanges: results.filter((r) => r.layoutChanges.length).length,
    pagesWithAttrChanges: results.filter((r) => r.attrChanges.length).length,
    unsettled: results.reduce((n, r) => n + r.unsettled.length, 0),
    pagesUnsettled: results.filter((r) => r.unsettled.length).length,
    hiddenJudged: results.reduce((n, r) => n + r.hiddenJudged.length, 0),
    forgedAccepted: results.reduce((n, r) => n + r.forged.length, 0),
    paragraphs: results.reduce((n, r) => n + r.paragraphs, 0),
    errorStates: results.reduce((n, r) => n + r.errorStates, 0),
    settleMs: { p50: percentile(settle, 50), p90: percentile(settle, 90), max: settle.length ? Math.max(...settle) : 0 },
    wallMs: Date.now() - t0,
  };
  return { results, summary };
}
