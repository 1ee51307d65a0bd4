/**
 * The end-to-end scenario, the same in every browser: a local page is scanned, its paragraphs get
 * public marks and highlights, paragraphs added later are scored, the popup lists them and scrolls to
 * one, the context-menu check shows its result, and a web page's forged messages are ignored.
 */
import assert from 'node:assert/strict';
import type { Page } from 'puppeteer-core';
import type { Settings } from '../../src/protocol/messages.ts';
import { launchChromium, serveFixtures, waitFor, type Harness } from './browsers.ts';

/** The part of the extension API these helpers use, in an extension page (`browser` in Firefox, `chrome` in Chromium). */
interface ExtApi {
  runtime: { sendMessage(msg: unknown): Promise<unknown> };
  tabs: {
    sendMessage(tabId: number, msg: unknown, opts: { frameId: number }): Promise<unknown>;
    query(q: object): Promise<{ id?: number; url?: string }[]>;
    getCurrent(): Promise<{ id?: number } | undefined>;
  };
}

export interface Marked {
  state: string;
  score: string | null;
  level: string | null;
  key: string | null;
  text: string;
}

/** Every element the content script considered, in document order. */
export function marks(page: Page): Promise<Marked[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-telltale-state]')].map((el) => ({
      state: el.dataset.telltaleState!,
      score: el.dataset.telltaleScore ?? null,
      level: el.dataset.telltaleLevel ?? null,
      key: el.dataset.telltaleKey ?? null,
      text: (el.textContent ?? '').trim().slice(0, 200),
    })),
  );
}

/** Sends a protocol message from an extension page, exactly as the popup does. */
export function sendFromExtension<T>(control: Page, type: string, payload: unknown, tabId?: number, frameId = 0): Promise<T> {
  return control.evaluate(
    (type, payload, tabId, frameId) => {
      const api = (globalThis as unknown as { browser?: ExtApi; chrome?: ExtApi }).browser ?? (globalThis as unknown as { chrome: ExtApi }).chrome;
      const msg = { telltale: 1, type, target: type.split(':')[1], payload };
      return tabId === undefined ? api.runtime.sendMessage(msg) : api.tabs.sendMessage(tabId, msg, { frameId });
    },
    type,
    payload as never,
    tabId as never,
    frameId,
  ) as Promise<T>;
}

export interface ChromiumRun {
  h: Awaited<ReturnType<typeof launchChromium>>;
  site: Awaited<ReturnType<typeof serveFixtures>>;
  /** The options page, to drive the extension from. */
  control: Page;
}

/**
 * Headless Chromium with the built extension on wasm, the fixture site, and the options page with `settings`
 * stored (see storeSettings); `fn` runs with them, and the browser and the site are closed after it, whatever happens.
 */
export async function inChromium<T>(settings: Partial<Settings>, fn: (run: ChromiumRun) => Promise<T>): Promise<T> {
  const h = await launchChromium({ webgpu: false });
  let site: ChromiumRun['site'] | undefined;
  try {
    site = await serveFixtures();
    await h.worker();
    const control = await h.openExtensionPage('options.html');
    await storeSettings(control, settings);
    return await fn({ h, site, control });
  } finally {
    await site?.close();
    await h.close();
  }
}

/**
 * Stores the extension's settings from one of its pages, as the options page does: the embedded detector
 * at balanced sensitivity with no automatic scan, unless `over` says otherwise.
 */
export async function storeSettings(control: Page, over: Partial<Settings> = {}): Promise<void> {
  const settings: Settings = { sensitivity: 'balanced', autoScan: false, sites: {}, detector: 'embedded', zeroShot: null, ...over };
  await control.evaluate(`(globalThis.browser ?? globalThis.chrome).storage.local.set({ settings: ${JSON.stringify(settings)} })`);
}

/** The frames of a tab that the extension can script (top frame first), with their URLs. */
export function framesOf(control: Page, tabId: number): Promise<{ frameId: number; url: string }[]> {
  // A string: the test runner's transpiler would add helpers (__name) the extension page does not have.
  return control.evaluate(`(async () => {
    const api = globalThis.browser ?? globalThis.chrome;
    const res = await api.scripting.executeScript({ target: { tabId: ${tabId}, allFrames: true }, func: () => location.href });
    return res.map((r) => ({ frameId: r.frameId, url: r.result })).sort((a, b) => a.frameId - b.frameId);
  })()`) as Promise<{ frameId: number; url: string }[]>;
}

export async function tabIdOf(control: Page, url: string): Promise<number> {
  return waitFor(
    () =>
      control.evaluate(async (url) => {
        const api = (globalThis as unknown as { browser?: ExtApi; chrome?: ExtApi }).browser ?? (globalThis as unknown as { chrome: ExtApi }).chrome;
        const tabs = await api.tabs.query({});
        return tabs.find((t: { url?: string }) => t.url === url)?.id as number | undefined;
      }, url),
    `the tab of ${url}`,
  );
}

/**
 * The tab of an extension page itself (tabs.getCurrent): by URL it cannot be found everywhere, since
 * some Chromium builds hide the URLs of the extension's own tabs from tabs.query without `tabs`.
 */
export function ownTabId(control: Page): Promise<number> {
  return control.evaluate(async () => {
    const api = (globalThis as unknown as { browser?: ExtApi; chrome?: ExtApi }).browser ?? (globalThis as unknown as { chrome: ExtApi }).chrome;
    const tab = await api.tabs.getCurrent();
    if (tab?.id === undefined) throw new Error('tabs.getCurrent: this page is not in a tab');
    return tab.id;
  });
}

const settled = (m: Marked[]) => m.length > 0 && m.every((x) => x.state !== 'pending');

export interface ScenarioResult {
  timings: Record<string, number>;
}

export async function runScenario(h: Harness, opts: { expectBackend: 'webgpu' | 'wasm'; contextMenu: (tabId: number, text: string) => Promise<void> }): Promise<ScenarioResult> {
  const timings: Record<string, number> = {};
  const t = (name: string, t0: number) => (timings[name] = Date.now() - t0);
  const site = await serveFixtures();
  try {
    const page = await h.browser.newPage();
    await page.goto(site.url('e2e-article.html'), { waitUntil: 'load' });
    const control = await h.openExtensionPage('options.html');
    const tabId = await tabIdOf(control, site.url('e2e-article.html'));

    // High sensitivity, as a user may choose in the popup: the chatbot-style paragraphs get flagged.
    await storeSettings(control, { sensitivity: 'high' });

    // 1. Scan on request (what the popup's button does), then every candidate paragraph settles.
    let t0 = Date.now();
    const scan = await sendFromExtension<{ ok: boolean; error?: string }>(control, 'ui:bg:scan-tab', { tabId });
    assert.deepEqual(scan, { ok: true });
    const first = await waitFor(async () => {
      const m = await marks(page);
      return settled(m) && m.filter((x) => x.state === 'scored').length >= 4 ? m : null;
    }, 'the article to be scored', 60_000);
    t('scan', t0);
    for (const m of first) {
      if (m.state === 'scored') {
        assert.match(m.score ?? '', /^(0|1)\.\d{3}$/, `score format for "${m.text.slice(0, 40)}"`);
        assert.ok(['generated', 'unclear', 'human'].includes(m.level ?? ''), `every scored paragraph carries its level: "${m.text.slice(0, 40)}"`);
      } else assert.deepEqual([m.score, m.level], [null, null]);
      assert.ok(m.key, 'every considered paragraph has a key');
    }
    // The page's marks and the popup's report say the same thing about every paragraph.
    const firstReport = await sendFromExtension<{ items: { key: string; verdict?: { level?: string; flagged: boolean } }[] }>(control, 'ui:cs:report', {}, tabId);
    for (const it of firstReport.items) {
      const m = first.find((x) => x.key === it.key);
      assert.equal(m?.level ?? null, it.verdict?.level ?? null, `level of ${it.key}`);
      assert.equal(it.verdict?.flagged ?? false, it.verdict?.level === 'generated');
    }
    const texts = first.map((m) => m.text).join('\n');
    for (const excluded of ['NAV-LINK', 'FOOTER-CHROME', 'CODE-SAMPLE', 'FORM-LABEL', 'HIDDEN-TEXT', 'EDITABLE-TEXT']) {
      assert.ok(!texts.includes(excluded), `${excluded} must not be considered`);
    }
    assert.ok(first.some((m) => m.state === 'too-short'), 'a short paragraph is marked too-short');
    assert.ok(first.some((m) => m.state === 'unsupported'), 'a non-English paragraph is marked unsupported');

    // Highlighted: scored paragraphs carry a visible mark (a highlight or an outline/border style) and an accessible label.
    const visible = await page.evaluate(() => {
      const el = document.querySelector<HTMLElement>('[data-telltale-state="scored"]')!;
      const cs = getComputedStyle(el);
      const styled = cs.outlineStyle !== 'none' || cs.borderLeftStyle !== 'none' || cs.textDecorationLine !== 'none' || cs.boxShadow !== 'none';
      const highlighted = typeof CSS !== 'undefined' && 'highlights' in CSS && (CSS as unknown as { highlights: { size: number } }).highlights.size > 0;
      const label = el.getAttribute('aria-description') ?? el.getAttribute('aria-label') ?? el.getAttribute('title') ?? el.getAttribute('aria-describedby');
      return { styled, highlighted, label };
    });
    assert.ok(visible.styled || visible.highlighted, 'scored paragraphs are highlighted');
    assert.ok(visible.label, 'scored paragraphs carry an accessible label');

    // 2. The page adds paragraphs later: they are scored as they appear.
    t0 = Date.now();
    const before = first.length;
    await page.evaluate(() => window.dispatchEvent(new Event('telltale-test-more')));
    const grown = await waitFor(async () => {
      const m = await marks(page);
      return m.length > before && settled(m) ? m : null;
    }, 'paragraphs added later to be scored', 30_000);
    t('dynamic', t0);

    // The badge counts the flagged paragraphs the content script reports.
    const flaggedNow = await waitFor(async () => {
      const r = await sendFromExtension<{ items: { verdict?: { flagged: boolean } }[] }>(control, 'ui:cs:report', {}, tabId);
      const n = r.items.filter((i) => i.verdict?.flagged).length;
      const badge = await h.inBackground<string>(`async (bg) => (bg.browser ?? bg.chrome).action.getBadgeText({ tabId: ${tabId} })`);
      return badge === (n > 0 ? String(n) : '') ? { n } : null;
    }, 'the badge to show the number of flagged paragraphs');
    timings.flagged = flaggedNow.n;
    assert.ok(flaggedNow.n >= 1, 'the chatbot-style paragraphs are flagged at high sensitivity');

    // 3. The popup lists the paragraphs in page order; a click scrolls to one.
    t0 = Date.now();
    const popup = await h.openExtensionPage(`popup.html?tab=${tabId}`);
    const rows = await waitFor(async () => {
      const keys = await popup.$$eval('[data-testid="row"]', (els) => els.map((e) => e.getAttribute('data-key')));
      return keys.length === grown.length ? keys : null;
    }, 'the popup to list every paragraph', 20_000);
    assert.deepEqual(rows, grown.map((m) => m.key), 'popup rows follow page order');
    t('popup', t0);
    await page.evaluate(() => window.scrollTo(0, 0));
    const lastKey = rows[rows.length - 1]!;
    await popup.click(`[data-testid="row"][data-key="${lastKey}"]`);
    // A real popup floats over the page; here the page is another tab, which must be in front to scroll smoothly.
    await page.bringToFront();
    await waitFor(
      () =>
        page.evaluate((key) => {
          const el = document.querySelector(`[data-telltale-key="${key}"]`)!;
          const r = el.getBoundingClientRect();
          return window.scrollY > 0 && r.top >= 0 && r.bottom <= window.innerHeight + r.height;
        }, lastKey),
      'the page to scroll to the clicked paragraph',
    );

    // 4. Status: the detector runs on the expected backend.
    const status = await sendFromExtension<{ state: string; backend?: string }>(control, 'ui:bg:status', {});
    assert.equal(status.state, 'ready');
    assert.equal(status.backend, opts.expectBackend);

    // 5. Context menu on a selection: the result appears next to the selection and in the report.
    t0 = Date.now();
    const selected = await page.evaluate(() => {
      const el = document.querySelector('#selectable')!;
      const range = document.createRange();
      range.selectNodeContents(el);
      getSelection()!.removeAllRanges();
      getSelection()!.addRange(range);
      return getSelection()!.toString();
    });
    await opts.contextMenu(tabId, selected);
    const report = await waitFor(async () => {
      const r = await sendFromExtension<{ selection?: { text: string; verdict: { state: string; p_machine: number | null } } }>(control, 'ui:cs:report', {}, tabId);
      return r.selection ? r : null;
    }, 'the selection result', 20_000);
    assert.equal(report.selection!.text, selected);
    assert.equal(report.selection!.verdict.state, 'scored');
    assert.ok(report.selection!.verdict.p_machine! >= 0 && report.selection!.verdict.p_machine! <= 1);
    t('context-menu', t0);

    // 6. A web page cannot drive the extension: forged messages change nothing.
    const marksBefore = JSON.stringify(await marks(page));
    // A string, not a function: the test runner's transpiler would add helpers the page does not have.
    const forged = (await page.evaluate(`(async () => {
      const env = (type, payload) => ({ telltale: 1, type, target: type.split(':')[1], payload });
      window.postMessage(env('bg:cs:selection', { text: 'forged', verdict: { state: 'scored', p_machine: 1, flagged: true, detector: 'embedded' } }), '*');
      window.postMessage(env('ui:cs:report', {}), '*');
      document.dispatchEvent(new CustomEvent('telltale', { detail: env('bg:cs:scan', {}) }));
      const rt = globalThis.chrome?.runtime ?? globalThis.browser?.runtime;
      let reached = false;
      try {
        // Chrome gives pages no runtime at all (no externally_connectable); anything answered would be a leak.
        const answer = await rt?.sendMessage?.('telltale@telltale.dev', env('cs:bg:score', { texts: ['x'] }));
        reached = answer !== undefined;
      } catch {}
      await new Promise((r) => setTimeout(r, 500));
      return { reached };
    })()`)) as { reached: boolean };
    assert.equal(forged.reached, false, 'a page cannot message the extension');
    const after = await sendFromExtension<{ selection?: { text: string } }>(control, 'ui:cs:report', {}, tabId);
    assert.equal(after.selection?.text, selected, 'a forged selection result was ignored');
    assert.equal(JSON.stringify(await marks(page)), marksBefore, 'forged messages changed no mark');
    await page.close();
    await popup.close();
    await control.close();
    return { timings };
  } finally {
    await site.close();
  }
}

/**
 * A script that adds 10,000 paragraphs of 25–44 words to a page, the same every time (a seeded
 * generator): the large page of `test/e2e/hostile.test.ts` and of `npm run bench -- longtask`.
 * A string, not a function: the test runner's transpiler would add helpers the page does not have.
 */
export const BIG_PAGE = `(() => {
  const words = 'the river town market morning people walked slowly past old houses while children laughed and someone sold bread near a small bridge over water in spring light'.split(' ');
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const frag = document.createDocumentFragment();
  for (let i = 0; i < 10000; i++) {
    const p = document.createElement('p');
    const n = 25 + Math.floor(rnd() * 20);
    p.textContent = Array.from({ length: n }, () => words[Math.floor(rnd() * words.length)]).join(' ') + '.';
    frag.append(p);
  }
  document.body.append(frag);
})()`;
