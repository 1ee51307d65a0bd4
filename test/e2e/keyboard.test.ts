/**
 * Keyboard only, in real Chromium: from a scanned page a reader reaches every marked paragraph and
 * its card, and does everything in the popup (scan, rows, evidence, order, sensitivity, switches,
 * detector, model download and delete, export) with Tab, Shift+Tab, Enter, Space and the arrows, and
 * nothing else: no click() anywhere. The extension's "next mark" / "previous mark" commands are fired
 * as the browser fires them (headless Chromium cannot turn a synthetic Alt+Shift+J into a command).
 * The export is read back from the file the browser downloaded, in Chromium and in Firefox ESR (only
 * the export there: the rest relies on CDP, the accessibility tree and dispatching the commands).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { KeyInput, Page } from 'puppeteer-core';
import { chromiumContextMenu, chromiumDownloads, launchChromium, launchFirefox, serveFixtures, waitFor } from '../support/browsers.ts';
import { parseCsv } from '../support/csv.ts';
import { REPO } from '../support/hub-scenario.ts';
import { repoFromDir, startMockHub } from '../support/mock-hub.ts';
import { TINY } from '../support/roberta-fixtures.ts';
import { marks, sendFromExtension, storeSettings, tabIdOf } from '../support/scenario.ts';

/** What has focus, in words a failure message can show (into open shadow roots; a closed one shows its host). */
const focused = (p: Page) =>
  p.evaluate(() => {
    const a = document.activeElement as HTMLElement | null;
    if (!a || a === document.body) return 'body';
    const id = a.dataset.testid ?? a.id ?? '';
    const key = a.dataset.key ? `[${a.dataset.frame}:${a.dataset.key}]` : '';
    return `${a.localName}${id ? `#${id}` : ''}${key}${a.localName === 'summary' ? `:${a.textContent}` : ''}`;
  });

/** Presses `key` until the focused element matches `selector` (at most `max` presses); returns the stops passed. */
async function pressUntil(p: Page, selector: string, key: KeyInput = 'Tab', max = 80, shift = false): Promise<string[]> {
  const stops: string[] = [];
  for (let i = 0; i < max; i++) {
    if (shift) await p.keyboard.down('Shift');
    await p.keyboard.press(key);
    if (shift) await p.keyboard.up('Shift');
    if (await p.evaluate((s) => !!document.activeElement?.matches(s), selector)) return stops;
    stops.push(await focused(p));
  }
  throw new Error(`${selector} not reached with ${shift ? 'Shift+' : ''}${key} in ${max} presses: ${stops.join(' > ')}`);
}

/** One full round of Tab (or Shift+Tab) through the page, from where focus is (the first stop) back to it. */
async function tabRound(p: Page, shift = false, max = 200): Promise<string[]> {
  const start = await focused(p);
  const stops: string[] = [start];
  for (let i = 0; i < max; i++) {
    if (shift) await p.keyboard.down('Shift');
    await p.keyboard.press('Tab');
    if (shift) await p.keyboard.up('Shift');
    const f = await focused(p);
    if (f === start) return stops;
    stops.push(f);
  }
  throw new Error(`Tab did not come back to ${start} in ${max} presses (a trap?): ${stops.slice(-20).join(' > ')}`);
}

/** The controls a pointer could use, visible and enabled, as `focused` names them (only the checked radio of a group is a tab stop). */
const controls = (p: Page) =>
  p.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('button, a[href], input, select, summary, [tabindex="0"]')]
      .filter((el) => el.checkVisibility({ visibilityProperty: true }) && !(el as HTMLButtonElement).disabled)
      .filter((el) => !(el instanceof HTMLInputElement && el.type === 'radio' && !el.checked))
      .map((el) => {
        const id = el.dataset.testid ?? el.id ?? '';
        const key = el.dataset.key ? `[${el.dataset.frame}:${el.dataset.key}]` : '';
        return `${el.localName}${id ? `#${id}` : ''}${key}${el.localName === 'summary' ? `:${el.textContent}` : ''}`;
      }),
  );

interface AxNode { role?: string; name?: string; focused?: boolean; children?: AxNode[] }
const flat = (n: AxNode | null): AxNode[] => (n ? [n, ...(n.children ?? []).flatMap(flat)] : []);
/** The accessibility tree reaches into the cards' closed shadow roots, which the page's DOM cannot. */
const ax = async (p: Page) => flat((await p.accessibility.snapshot({ interestingOnly: false })) as AxNode | null);

const settingsOf = (control: Page) => control.evaluate(`chrome.storage.local.get('settings').then((r) => r.settings)`) as Promise<{ sensitivity: string; autoScan: boolean; sites: Record<string, boolean>; detector: string }>;

test('Chromium, keyboard only: marks and their cards, the selection card, and everything in the popup', async (t) => {
  const hub = await startMockHub({ [REPO]: repoFromDir(TINY) });
  const h = await launchChromium({ webgpu: false, hubUrl: hub.url, hostPermissions: ['<all_urls>'] });
  const site = await serveFixtures();
  const downloads = mkdtempSync(join(tmpdir(), 'telltale-downloads-'));
  try {
    const worker = await h.worker();
    const control = await h.openExtensionPage('options.html');
    await storeSettings(control, { sensitivity: 'high' });
    const url = site.url('showcase.html');
    const page = await h.browser.newPage();
    await page.goto(url, { waitUntil: 'load' });
    const tabId = await tabIdOf(control, url);

    // ---- The popup: scan the page from the keyboard.
    const popup = await h.openExtensionPage(`popup.html?tab=${tabId}`);
    await popup.bringToFront();
    await waitFor(() => popup.$('[data-testid="scan-button"]:not([disabled])'), 'the scan button');
    await pressUntil(popup, '[data-testid="scan-button"]');
    await popup.keyboard.press('Enter');
    await waitFor(async () => {
      const m = await marks(page);
      return m.length > 0 && m.every((x) => x.state !== 'pending') && m.some((x) => x.level === 'generated');
    }, 'the page to be scanned, with a flagged paragraph', 60_000);
    const pageMarks = await marks(page);
    await waitFor(() => popup.$$eval('[data-testid="row"]', (r) => r.length).then((n) => n === pageMarks.length), 'a row per paragraph');
    await waitFor(() => popup.$('[data-testid="scan-button"]:not([disabled])'), 'the scan to settle');
    // The button that was pressed gave way to "Scan again": the keyboard's place stayed there.
    await waitFor(async () => (await focused(popup)) === 'button#scan-button', 'focus to stay on the scan button', 5_000).catch(async () => {
      throw new Error(`focus after the scan: ${await focused(popup)}`);
    });

    // Every control is a tab stop, in one round that comes back (no trap), and Shift+Tab walks it backwards.
    const round = await tabRound(popup);
    const wanted = await controls(popup);
    const missing = wanted.filter((c) => !round.includes(c));
    assert.deepEqual(missing, [], `not reached with Tab: ${missing.join(', ')}\nround: ${round.join(' > ')}`);
    const back = await tabRound(popup, true);
    // (Past the last stop focus leaves the document for a moment, 'body', in one direction only.)
    const inPage = (r: string[]) => r.filter((s) => s !== 'body');
    assert.deepEqual(inPage(back), [round[0]!, ...inPage(round.slice(1)).reverse()], 'Shift+Tab walks the same stops backwards');
    t.diagnostic(`popup tab stops: ${round.length}`);

    // Rows: Enter and Space reveal their paragraph on the page (focus goes to it there).
    const rowKeys = await popup.$$eval('[data-testid="row"]', (rs) => rs.map((r) => (r as HTMLElement).dataset.key!));
    for (const [i, key] of [[0, 'Enter'], [rowKeys.length - 1, ' ']] as const) {
      await pressUntil(popup, `[data-testid="row"][data-key="${rowKeys[i]}"]`);
      await popup.keyboard.press(key as KeyInput);
      await waitFor(() => page.evaluate((k) => (document.activeElement as HTMLElement | null)?.dataset.telltaleKey === k, rowKeys[i]!), `row ${i} (${key}) to reveal its paragraph`);
    }

    // Evidence: the toggle opens the sentences.
    await pressUntil(popup, '[data-testid="evidence-toggle"]', 'Tab', 80, true);
    await popup.keyboard.press('Enter');
    await waitFor(() => popup.$('[data-testid="evidence"]'), 'the evidence sentences');
    assert.equal(await popup.$eval(':focus', (e) => e.getAttribute('aria-expanded')), 'true');

    // Flagged first, and back to page order.
    await pressUntil(popup, '[data-testid="sort-toggle"]', 'Tab', 80, true);
    await popup.keyboard.press('Enter');
    await waitFor(() => popup.$eval('[data-testid="sort-toggle"]', (e) => e.getAttribute('aria-pressed') === 'true'), 'flagged first');
    const firstLevel = await popup.$eval('[data-testid="row"]', (r) => (r as HTMLElement).dataset.level);
    assert.equal(firstLevel, 'generated');
    await popup.keyboard.press(' ');
    await waitFor(() => popup.$eval('[data-testid="sort-toggle"]', (e) => e.getAttribute('aria-pressed') === 'false'), 'page order again');

    // Export, read back from the downloaded files.
    const cdp = await popup.createCDPSession();
    const saved = await chromiumDownloads(cdp, downloads);
    await pressUntil(popup, '[data-testid="export-csv"]');
    await popup.keyboard.press('Enter');
    await pressUntil(popup, '[data-testid="export-json"]', 'Tab', 5, true);
    await popup.keyboard.press('Enter');
    const files = await saved.files(2);
    assert.match(files[0]!, /^telltale-127\.0\.0\.1-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.csv$/);
    assert.match(files[1]!, /\.json$/);
    const csvBytes = readFileSync(join(downloads, files[0]!));
    assert.deepEqual([...csvBytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a BOM');
    const [head, ...rows] = parseCsv(csvBytes.subarray(3).toString('utf8'));
    const col = (r: string[], c: string) => r[head!.indexOf(c)]!;
    assert.equal(rows.length, pageMarks.length, 'a row per paragraph');
    for (const [i, r] of rows.entries()) {
      const m = pageMarks[i]!;
      assert.equal(col(r, 'url'), url);
      assert.equal(col(r, 'detector'), 'embedded');
      assert.match(col(r, 'model_version'), /^embedded \d+\.\d+\.\d+$/);
      assert.equal(col(r, 'sensitivity'), 'high');
      assert.equal(col(r, 'index'), String(i + 1));
      assert.equal(col(r, 'state'), m.state, `row ${i}: the page's own mark`);
      assert.equal(col(r, 'level'), m.level ?? '');
      if (m.score !== null) assert.ok(Math.abs(Number(col(r, 'p_machine')) - Number(m.score)) < 1e-3, `row ${i}: p_machine ${col(r, 'p_machine')} vs the page's ${m.score}`);
      assert.ok(m.text.replace(/\s+/g, ' ').startsWith(col(r, 'excerpt').replace(/^'/, '').replace(/…$/, '')), `row ${i}: the excerpt is the paragraph's start`);
    }
    assert.ok(rows.some((r) => col(r, 'level') === 'generated' && col(r, 'evidence_1') !== ''), 'a flagged paragraph has its evidence');
    const json = JSON.parse(readFileSync(join(downloads, files[1]!), 'utf8'));
    assert.deepEqual([json.url, json.sensitivity, json.paragraphs.length], [url, 'high', pageMarks.length]);
    assert.deepEqual(json.paragraphs.map((p: { state: string }) => p.state), pageMarks.map((m) => m.state));
    await cdp.detach();

    // Sensitivity: the arrows move through the radio group, and the choice is saved.
    await pressUntil(popup, 'input[name="sensitivity"]:checked');
    await popup.keyboard.press('ArrowUp');
    await waitFor(async () => (await settingsOf(control)).sensitivity === 'balanced', 'balanced sensitivity saved');
    await popup.keyboard.press('ArrowDown');
    await waitFor(async () => (await settingsOf(control)).sensitivity === 'high', 'high sensitivity saved');

    // The switches: Space and Enter turn them on (access granted ahead) and off.
    await pressUntil(popup, '[data-testid="autoscan-global"]');
    await popup.keyboard.press(' ');
    await waitFor(async () => (await settingsOf(control)).autoScan === true, 'automatic scanning on');
    await waitFor(() => popup.$eval('[data-testid="autoscan-global"]', (e) => e.getAttribute('aria-checked') === 'true' && !e.hasAttribute('aria-disabled')), 'the switch to say on');
    await popup.keyboard.press(' ');
    await waitFor(async () => (await settingsOf(control)).autoScan === false, 'automatic scanning off');
    await pressUntil(popup, '[data-testid="autoscan-site"]');
    await popup.keyboard.press('Enter');
    await waitFor(async () => (await settingsOf(control)).sites['127.0.0.1'] === true, 'this site on');
    await waitFor(() => popup.$eval('[data-testid="autoscan-site"]', (e) => e.getAttribute('aria-checked') === 'true' && !e.hasAttribute('aria-disabled')), 'the site switch to settle');
    await popup.keyboard.press('Enter');
    await waitFor(async () => (await settingsOf(control)).sites['127.0.0.1'] === false, 'this site off');

    // Models: open the section, choose a detector with the arrows, download and delete a model.
    await pressUntil(popup, 'summary');
    await popup.keyboard.press('Enter');
    await waitFor(() => popup.$eval('details.models-details', (d) => (d as HTMLDetailsElement).open), 'the models section to open');
    await waitFor(() => popup.$('[data-testid="model-download"]'), 'the download button');
    await pressUntil(popup, '[data-testid="detector-select"]');
    await popup.keyboard.press('ArrowUp');
    await waitFor(async () => (await settingsOf(control)).detector === 'auto', 'the detector chosen with the arrows');
    await popup.keyboard.press('ArrowDown');
    await waitFor(async () => (await settingsOf(control)).detector === 'embedded', 'the built-in detector again');
    await pressUntil(popup, '[data-testid="model-row"][data-model="roberta-base"] [data-testid="model-download"]');
    await popup.keyboard.press('Enter');
    await waitFor(() => popup.$('[data-testid="model-row"][data-model="roberta-base"][data-state="ready"]'), 'the download to finish', 60_000);
    // "Download" became "Delete" in the same row: focus is on it, not back at the top.
    await waitFor(async () => (await focused(popup)) === 'button#model-delete', 'focus on the new Delete button', 5_000).catch(async () => {
      throw new Error(`focus after the download: ${await focused(popup)}`);
    });
    await popup.keyboard.press('Enter');
    await waitFor(() => popup.$('[data-testid="model-row"][data-model="roberta-base"][data-state="absent"]'), 'the model to be deleted');
    await waitFor(async () => (await focused(popup)) === 'button#model-download', 'focus on Download again', 5_000).catch(async () => {
      throw new Error(`focus after the delete: ${await focused(popup)}`);
    });
    assert.ok(hub.log.some((l) => l.path.includes('/onnx/')), 'the model came from the (mock) Hub');
    await popup.close();

    // ---- The page: every marked paragraph and its card through the mark commands.
    await page.bringToFront();
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    // With no mark focused, "next mark" starts at the first one in view: go to the top (the reveals scrolled).
    await page.keyboard.press('Home');
    await waitFor(() => page.evaluate(() => scrollY === 0), 'Home to scroll to the top');
    const command = (name: string) =>
      worker.evaluate(
        (tabId, name) => chrome.tabs.get(tabId).then((tab) => (chrome.commands.onCommand as unknown as { dispatch(...a: unknown[]): void }).dispatch(name, tab)),
        tabId,
        name,
      );
    // The settings went back to what the scan used; the page's marks settle back to the first scan's.
    const isMark = (m: { level: string | null }) => m.level === 'generated' || m.level === 'unclear';
    const marked = await waitFor(async () => {
      const m = await marks(page);
      return m.every((x) => x.state !== 'pending') && m.filter(isMark).length === pageMarks.filter(isMark).length ? m.filter(isMark) : null;
    }, 'the marks to settle', 30_000);
    assert.ok(marked.length >= 2, `at least two marks (${marked.length})`);
    const focusedKey = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.telltaleKey ?? null);
    const visited: string[] = [];
    for (let i = 0; i <= marked.length; i++) {
      const before = await focusedKey();
      await command('next-mark');
      const key = await waitFor(async () => {
        const k = await focusedKey();
        return k && k !== before ? k : null;
      }, `mark ${i} to take focus`);
      visited.push(key);
      // Its card, read through the accessibility tree (closed shadow root): the level's words.
      const m = marked.find((x) => x.key === key)!;
      const words = m.level === 'generated' ? 'Likely machine-generated' : 'Unclear: could be either';
      await waitFor(async () => (await ax(page)).some((n) => n.name === words), `the card of mark ${i} (${words})`);
    }
    assert.deepEqual(visited, [...marked.map((m) => m.key!), marked[0]!.key!], 'every mark in page order, then round to the first');
    await page.keyboard.press('Escape');
    await waitFor(() => page.evaluate(() => !document.querySelector('telltale-card[style*="display: block"]')), 'Escape to hide the card');
    await command('prev-mark');
    await waitFor(async () => (await focusedKey()) === marked[marked.length - 1]!.key, 'the previous mark (the last)');

    // ---- The selection card: it takes focus; Enter copies the result, Shift+Tab reaches Close, Enter closes.
    await h.browser.defaultBrowserContext().overridePermissions(site.url('').replace(/\/$/, ''), ['clipboard-read', 'clipboard-write', 'clipboard-sanitized-write']);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const selected = await page.evaluate(() => document.getElementById('ferry')!.textContent!.trim());
    await chromiumContextMenu(worker)(tabId, selected);
    await waitFor(async () => (await ax(page)).some((n) => n.focused && n.name === 'Copy result'), 'focus on "Copy result"');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await ax(page)).some((n) => n.name === 'Copied.'), 'the card to say Copied.');
    const clip = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(clip, /^Telltale: (Likely machine-generated|Unclear: could be either|Likely human-written|Too short to judge)/);
    assert.ok(clip.includes(selected.replace(/\s+/g, ' ').slice(0, 40)), 'the copied result quotes the selection');
    assert.doesNotMatch(clip, /\b0\.\d{3,}|\d+(\.\d+)?%/, 'no bare P(machine) in the copied words');
    await page.keyboard.down('Shift');
    await page.keyboard.press('Tab');
    await page.keyboard.up('Shift');
    await waitFor(async () => (await ax(page)).some((n) => n.focused && n.name === 'Close'), 'Shift+Tab to reach Close');
    await page.keyboard.press('Enter');
    await waitFor(async () => !(await ax(page)).some((n) => n.name === 'Copy result'), 'the selection card to close');
    assert.notEqual(await page.evaluate(() => document.activeElement?.localName), 'telltale-card', 'focus left the closed card');
    await page.close();
    await control.close();
  } finally {
    rmSync(downloads, { recursive: true, force: true });
    await site.close();
    await h.close();
    await hub.close();
  }
});

test('Firefox ESR: Enter on Export CSV and Export JSON in the popup saves both files', async () => {
  const downloads = mkdtempSync(join(tmpdir(), 'telltale-downloads-'));
  const h = await launchFirefox({
    prefs: {
      'browser.download.folderList': 2,
      'browser.download.dir': downloads,
      'browser.download.useDownloadDir': true,
      'browser.download.always_ask_before_handling_new_types': false,
      'browser.download.alwaysOpenPanel': false,
    },
  });
  const site = await serveFixtures();
  try {
    const control = await h.openExtensionPage('options.html');
    await storeSettings(control);
    const url = site.url('showcase.html');
    const page = await h.browser.newPage();
    await page.goto(url, { waitUntil: 'load' });
    const tabId = await tabIdOf(control, url);
    await sendFromExtension(control, 'ui:bg:scan-tab', { tabId });
    await waitFor(async () => {
      const m = await marks(page);
      return m.length === 7 && m.every((x) => x.state !== 'pending');
    }, 'the scan', 60_000);
    const pageMarks = await marks(page);
    const popup = await h.openExtensionPage(`popup.html?tab=${tabId}`);
    await popup.bringToFront();
    await waitFor(() => popup.$('[data-testid="export-csv"]'), 'the export buttons');
    await pressUntil(popup, '[data-testid="export-csv"]');
    await popup.keyboard.press('Enter');
    await pressUntil(popup, '[data-testid="export-json"]', 'Tab', 5, true);
    await popup.keyboard.press('Enter');
    const files = await waitFor(() => {
      const f = readdirSync(downloads).filter((n) => !n.endsWith('.part') && statSync(join(downloads, n)).size > 0);
      return f.length === 2 ? f.sort() : null;
    }, 'two downloaded files', 15_000);
    const [head, ...rows] = parseCsv(readFileSync(join(downloads, files[0]!)).subarray(3).toString('utf8'));
    assert.equal(rows.length, 7);
    assert.deepEqual(rows.map((r) => r[head!.indexOf('level')]), pageMarks.map((m) => m.level ?? ''));
    const json = JSON.parse(readFileSync(join(downloads, files[1]!), 'utf8'));
    assert.deepEqual([json.url, json.sensitivity, json.paragraphs.length], [url, 'balanced', 7]);
  } finally {
    await site.close();
    await h.close();
    rmSync(downloads, { recursive: true, force: true });
  }
});

test('Chromium: the real toolbar popup (action.openPopup), scanned and exported from the keyboard, saves the CSV', async () => {
  const h = await launchChromium({ webgpu: false });
  const site = await serveFixtures();
  const downloads = mkdtempSync(join(tmpdir(), 'telltale-downloads-'));
  try {
    const worker = await h.worker();
    const page = await h.browser.newPage();
    await page.goto(site.url('showcase.html'), { waitUntil: 'load' });
    await page.bringToFront();
    const saved = await chromiumDownloads(await h.browser.target().createCDPSession(), downloads);
    assert.equal(await worker.evaluate(() => chrome.action.openPopup().then(() => 'opened', (e: Error) => e.message)), 'opened');
    const target = await h.browser.waitForTarget((t) => t.url().endsWith('/popup.html'), { timeout: 10_000 });
    const popup = (await target.asPage())!;
    await waitFor(() => popup.$('[data-testid="scan-button"]'), 'the scan button');
    await pressUntil(popup, '[data-testid="scan-button"]');
    await popup.keyboard.press('Enter');
    await waitFor(() => popup.$('[data-testid="export-csv"]'), 'the report', 60_000);
    await waitFor(() => popup.$('[data-testid="scan-button"]:not([disabled])'), 'the scan to settle', 60_000);
    await pressUntil(popup, '[data-testid="export-csv"]');
    await popup.keyboard.press('Enter');
    const [file] = await saved.files(1);
    assert.match(file!, /\.csv$/);
    const [head, ...rows] = parseCsv(readFileSync(join(downloads, file!)).subarray(3).toString('utf8'));
    assert.equal(rows.length, 7);
    assert.deepEqual(rows.map((r) => r[head!.indexOf('level')]), (await marks(page)).map((m) => m.level ?? ''));
  } finally {
    rmSync(downloads, { recursive: true, force: true });
    await site.close();
    await h.close();
  }
});
