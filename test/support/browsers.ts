/**
 * Real browsers for the end-to-end tests: Debian's Chromium and Firefox ESR, headless, driven by
 * puppeteer-core (CDP for Chromium, WebDriver BiDi for Firefox), with the built extension installed.
 * See ../shared/docs/browser-testing.md for why each flag is here.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import puppeteer, { type Browser, type CDPSession, type Page, type WebWorker } from 'puppeteer-core';
import { CHROMIUM, CHROMIUM_ARGS, FIREFOX } from '../../scripts/browser/flags.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const GECKO_ID = 'telltale@telltale.dev';
const FIREFOX_UUID = '6f1d6bb3-2a43-4d3c-9a57-7e1f0c5b1a11';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Closes the browser; one that has not exited after a few seconds (Chromium can hang on shutdown) is killed. */
async function shutDown(browser: Browser): Promise<void> {
  const proc = browser.process();
  await Promise.race([browser.close().catch(() => undefined), sleep(5_000)]);
  if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
}

/** Polls `fn` until it returns a truthy value (or throws the last error after `timeout`). */
export async function waitFor<T>(fn: () => Promise<T> | T, what: string, timeout = 30_000, every = 100): Promise<NonNullable<T>> {
  const t0 = Date.now();
  let last: unknown;
  while (Date.now() - t0 < timeout) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await sleep(every);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/**
 * A copy of the built extension whose only difference is host access to the test server, granted
 * ahead: a person grants it by accepting the browser's prompt, which headless browsers cannot show.
 */
function testCopy(
  browser: 'chrome' | 'firefox',
  hubUrl?: string,
  from = join(ROOT, 'dist', browser),
  opts: { lmVariant?: string; hostPermissions?: string[] } = {},
): string {
  const { lmVariant, hostPermissions = ['http://127.0.0.1/*'] } = opts;
  const dir = mkdtempSync(join(tmpdir(), `telltale-${browser}-`));
  cpSync(from, dir, { recursive: true });
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  manifest.host_permissions = hostPermissions;
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  // The same file `npm run build -- --hub-url=URL` writes: models come from the local mock Hub.
  // `lmVariant`: what `--lm-variant=` writes (the zero-shot tests compare the fp32 file with the torch reference).
  if (hubUrl) writeFileSync(join(dir, 'models/hub-source.json'), JSON.stringify({ hubUrl, ...(lmVariant ? { lmVariant } : {}) }));
  return dir;
}

export interface Harness {
  kind: 'chromium' | 'firefox';
  browser: Browser;
  /** Base URL of extension pages, e.g. `chrome-extension://ID/`. */
  base: string;
  /** Opens an extension page in a tab (Firefox's goto never resolves on moz-extension: poll instead). */
  openExtensionPage(path: string): Promise<Page>;
  /** Runs the source of `async (bg) => …` in the background context (worker or background page), `bg` its global. */
  inBackground<T>(fn: string): Promise<T>;
  close(): Promise<void>;
}


/**
 * Chromium's downloads into `dir`, counted by CDP's own word that each one completed. A listing of
 * `dir` alone is not enough: Chromium puts an empty file under the final name a moment before it
 * renames the .crdownload over it (fs.watch saw it for 2 of 20 small downloads here), and CI once
 * read the CSV in that moment.
 */
export async function chromiumDownloads(cdp: CDPSession, dir: string): Promise<{ files(n: number, timeout?: number): Promise<string[]> }> {
  const completed = new Set<string>();
  const failed: string[] = [];
  cdp.on('Browser.downloadProgress', (e) => {
    if (e.state === 'completed') completed.add(e.guid);
    else if (e.state === 'canceled') failed.push(e.guid);
  });
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: dir, eventsEnabled: true });
  return {
    async files(n, timeout = 15_000) {
      // waitFor retries a throwing check, so a canceled download ends the wait and fails after it.
      await waitFor(() => failed.length > 0 || completed.size >= n, `${n} completed download(s)`, timeout);
      if (failed.length) throw new Error(`${failed.length} download(s) canceled`);
      const names = readdirSync(dir).filter((name) => !name.endsWith('.crdownload')).sort();
      if (names.length !== n) throw new Error(`${n} download(s) completed, but ${dir} holds ${names.join(', ') || 'nothing'}`);
      return names;
    },
  };
}

/**
 * `extension`: the unpacked extension to load (a copy of it), default dist/chrome. `hostPermissions`:
 * granted ahead instead of the test server's (`<all_urls>`: the automatic-scanning switches are then
 * granted at once, as after a reader accepted the browser's prompt). `lang`: the browser's UI language
 * (its locale files come with Debian's chromium-l10n), which picks the extension's catalogue.
 */
export async function launchChromium(opts: { webgpu: boolean; hubUrl?: string; extension?: string; lmVariant?: string; hostPermissions?: string[]; lang?: string }): Promise<Harness & { worker(): Promise<WebWorker> }> {
  const ext = testCopy('chrome', opts.hubUrl, opts.extension, { lmVariant: opts.lmVariant, hostPermissions: opts.hostPermissions });
  const profile = mkdtempSync(join(tmpdir(), 'telltale-profile-'));
  const args = [...CHROMIUM_ARGS, `--user-data-dir=${profile}`];
  // A SwiftShader software adapter; without the flag the adapter is null, which exercises the wasm fallback.
  if (opts.webgpu) args.push('--enable-unsafe-webgpu');
  if (opts.lang) args.push(`--lang=${opts.lang}`);
  const env = opts.lang ? { ...process.env, LANGUAGE: opts.lang } : undefined;
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, pipe: true, enableExtensions: true, args, ...(env ? { env } : {}) });
  const id = await browser.installExtension(ext);
  const base = `chrome-extension://${id}/`;
  const worker = async () => {
    const target = await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith(base), { timeout: 20_000 });
    const w = (await target.worker())!;
    // The target exists before the module's top-level code has run.
    await waitFor(() => w.evaluate('typeof globalThis.telltaleBackground === "object"'), 'the service worker to start');
    return w;
  };
  return {
    kind: 'chromium',
    browser,
    base,
    worker,
    async openExtensionPage(path) {
      const page = await browser.newPage();
      await page.goto(base + path, { waitUntil: 'load' });
      return page;
    },
    async inBackground<T>(fn: string) {
      return (await (await worker()).evaluate(`(${fn})(globalThis)`)) as T;
    },
    async close() {
      await shutDown(browser);
      rmSync(ext, { recursive: true, force: true });
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The context-menu check in Chromium: fires the real `contextMenus.onClicked` listeners from the
 * service worker, as a click on the menu item does.
 */
export function chromiumContextMenu(worker: WebWorker) {
  return async (tabId: number, text: string): Promise<void> => {
    await worker.evaluate(
      (tabId, text) =>
        chrome.tabs.get(tabId).then((tab) =>
          (chrome.contextMenus.onClicked as unknown as { dispatch(...a: unknown[]): void }).dispatch(
            { menuItemId: 'telltale-check-selection', selectionText: text, editable: false, pageUrl: tab.url },
            tab,
          ),
        ),
      tabId,
      text,
    );
  };
}

/** The same in Firefox, whose menus.onClicked has no dispatch: the handler its listener calls. */
export function firefoxContextMenu(h: Harness) {
  return async (tabId: number, text: string): Promise<void> => {
    await h.inBackground(`async (bg) => { const tab = await browser.tabs.get(${tabId}); await bg.telltaleBackground.checkSelection(${JSON.stringify(text)}, tab); return true; }`);
  };
}

/** `prefs`: more Firefox preferences (a download folder, say). */
export async function launchFirefox(opts: { hubUrl?: string; lmVariant?: string; prefs?: Record<string, unknown> } = {}): Promise<Harness> {
  const ext = testCopy('firefox', opts.hubUrl, undefined, { lmVariant: opts.lmVariant });
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_UUID }),
      // Keep the background page alive for the duration of a test.
      'extensions.background.idle.timeout': 300_000,
      ...opts.prefs,
    },
  });
  await browser.installExtension(ext);
  const base = `moz-extension://${FIREFOX_UUID}/`;
  const openExtensionPage = async (path: string) => {
    const page = await browser.newPage();
    await page.goto(base + path, { timeout: 3000 }).catch(() => undefined);
    await waitFor(() => page.evaluate('document.readyState === "complete" && typeof browser === "object"'), `${path} to load`);
    return page;
  };
  let bgPage: Page | undefined;
  return {
    kind: 'firefox',
    browser,
    base,
    openExtensionPage,
    async inBackground<T>(fn: string) {
      // An extension page reaches the background page's globals through getBackgroundPage().
      bgPage ??= await openExtensionPage('options.html');
      return (await bgPage.evaluate(`(async () => { const bg = await browser.runtime.getBackgroundPage(); return (${fn}).call(bg, bg); })()`)) as T;
    },
    async close() {
      await shutDown(browser);
      rmSync(ext, { recursive: true, force: true });
    },
  };
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

/** Serves test/fixtures/pages on 127.0.0.1 (a random port). */
export async function serveFixtures(): Promise<{ url(path: string): string; close(): Promise<void> }> {
  const dir = join(ROOT, 'test/fixtures/pages');
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = readFileSync(join(dir, path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: (p) => `http://127.0.0.1:${port}/${p}`,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        // Browsers keep connections alive; without this, close() waits for them to time out.
        server.closeAllConnections();
      }),
  };
}
