/**
 * The popup and options page rendered with Preact into a linkedom document, against a fake `browser`
 * (webextension-polyfill hands back `globalThis.browser` when one exists). Covers the flows that are
 * more than formatting: scan on request, reveal, permission first when turning automatic scanning on,
 * pushes from the detector host, and failures shown as words.
 */
import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import type { ComponentType } from 'preact';
import type { ModelEntryStatus, PageReport } from '../../src/protocol/messages.ts';
import { inRoot, installFakeExtension, ORIGIN, type FakeWorld } from '../support/fake-extension.ts';
import type { Verdict } from '../../src/core/types.ts';

// The popup and options page against a fake extension (test/support/fake-extension.ts).
const fake = installFakeExtension();
const { document } = fake;
const { listeners } = fake;
let w: FakeWorld;
const g = globalThis as unknown as { fetch: (url: string) => Promise<Response> };

const { h, render } = await import('preact');
const { Popup } = await import('../../src/popup/Popup.tsx');
const { Options } = await import('../../src/options/Options.tsx');

const { atSensitivity } = await import('../../src/core/levels.ts');
const { describeInjectError } = await import('../../src/background/inject.ts');
/** Verdicts as the host sends them: levels from a policy's cuts (flagged from 0.9, unclear from 0.75) and a human reference. */
const POLICY = {
  minWords: 3,
  thresholds: { low: 0.95, balanced: 0.9, high: 0.8 },
  unclear: { low: 0.9, balanced: 0.75, high: 0.6 },
  humanShare: [[0.05, 0.95], [0.5, 0.3], [0.9, 0.004], [0.95, 0.001]] as [number, number][],
};
const verdict = (p: number, sensitivity: 'low' | 'balanced' | 'high' = 'balanced') => atSensitivity({ state: 'scored', p_machine: p, flagged: false, detector: 'embedded' }, POLICY, sensitivity);
const REPORT: PageReport = {
  url: 'https://news.example.org/a',
  scanning: false,
  items: [
    { key: 'k1', state: 'scored', preview: 'First paragraph, machine-like.', chars: 300, verdict: { ...verdict(0.91), evidence: [{ text: 'machine-like', start: 0, end: 5, weight: 1 }] } },
    { key: 'k2', state: 'scored', preview: 'Second paragraph.', chars: 700, verdict: { ...verdict(0.1), detector: 'combined', parts: { embedded: { p_machine: 0.2, level: 'human' }, 'roberta-base': { p_machine: 0.05, level: 'human' } } } },
    { key: 'k3', state: 'too-short', preview: 'Short.', chars: 6, verdict: { state: 'too-short', p_machine: 0.8, flagged: false, detector: 'embedded', reason: 'Too short' } },
  ],
};

let root: HTMLElement;
beforeEach(() => {
  w = fake.world = {
    tabUrl: 'https://news.example.org/a',
    report: structuredClone(REPORT),
    cs: true,
    bgUp: true,
    grant: true,
    store: { settings: { sensitivity: 'balanced', autoScan: false, sites: {}, detector: 'embedded' } },
    models: [],
    sent: [],
    sentTab: [],
    permissionRequests: [],
  };
  fake.setLocation('?tab=7');
  root = document.createElement('div');
  document.body.appendChild(root);
});
afterEach(() => {
  render(null, root);
  root.remove();
});
after(() => {
  // Nothing keeps the process alive but pending timers of unmounted components.
});

const { sleep, until, $, $$, text, click } = inRoot(() => root);
const mount = (c: ComponentType) => render(h(c, {}), root);

describe('popup', () => {
  it('lists the report in page order with words for unscored states, and a summary', async () => {
    mount(Popup);
    await until(() => $$('[data-testid="row"]').length === 3, 'rows');
    assert.deepEqual($$('[data-testid="row"]').map((r) => r.getAttribute('data-key')), ['k1', 'k2', 'k3']);
    // Each row: its level in words, and how often human-written text scores as high; never P(machine).
    assert.deepEqual($$('[data-testid="badge"]').map((b) => b.textContent.trim()), ['likely generated', 'likely human', 'too short']);
    assert.deepEqual($$('[data-testid="share"]').map((b) => b.textContent.trim()), ['1 in 310', '7 in 10']);
    assert.doesNotMatch(text('[data-testid="rows"]'), /\d+%/);
    assert.equal($('[data-testid="row"][data-key="k1"]')!.getAttribute('data-flagged'), 'true');
    assert.equal($('[data-testid="row"][data-key="k1"]')!.getAttribute('data-level'), 'generated');
    assert.deepEqual($$('[data-testid="parts"]').map((p) => p.textContent.trim()), ['Built-in: likely human · RoBERTa-base: likely human'], "a combined verdict shows each detector's own");
    // The summary agrees with the rows.
    assert.match(text('[data-testid="summary"]'), /1 of 2 judged paragraphs likely machine-generated/);
    assert.match(text('[data-testid="levels"]'), /^0 unclear · 1 likely human-written$/);
    assert.match(text('[data-testid="chart-share"]'), /^30% of the judged text \(by characters\) is likely machine-generated$/);
    assert.match(text('[data-testid="summary"]'), /1 too short to judge/);
    assert.equal(w.sentTab[0]?.tabId, 7, '?tab= picks the tab');
    assert.match(text('[data-testid="status"]'), /Telltale small ready · runs on WebAssembly/);
  });

  it('reveals a paragraph on activation; each row is a native button (Enter and Space: test/e2e/keyboard.test.ts)', async () => {
    mount(Popup);
    const row = await until(() => $('[data-testid="row"][data-key="k2"]'), 'row k2');
    click(row);
    click($('[data-testid="row"][data-key="k1"]'));
    click($('[data-testid="row"][data-key="k3"]'));
    await until(() => w.sentTab.filter((s) => s.env.type === 'ui:cs:reveal').length === 3, 'three reveals');
    assert.deepEqual(
      w.sentTab.filter((s) => s.env.type === 'ui:cs:reveal').map((s) => s.env.payload.key),
      ['k2', 'k1', 'k3'],
    );
    assert.equal(row.tagName, 'BUTTON', 'rows are buttons: focusable, in the tab order, activated by Enter and Space');
    assert.equal(row.getAttribute('type'), 'button');
  });

  it('lists the paragraphs of every frame after the top frame\'s, and reveals a row inside its own frame', async () => {
    w.frames = [0, 3, 9];
    // Frame 3 has its own k1 (keys are per frame); frame 9 was removed and does not answer.
    w.frameReports = { 3: { url: 'https://ads.example.net/f', scanning: false, items: [{ key: 'k1', state: 'scored', preview: 'In the frame.', chars: 200, verdict: verdict(0.95) }] } };
    mount(Popup);
    await until(() => $$('[data-testid="row"]').length === 4, 'four rows');
    assert.deepEqual($$('[data-testid="row"]').map((r) => `${r.getAttribute('data-frame')}:${r.getAttribute('data-key')}`), ['0:k1', '0:k2', '0:k3', '3:k1']);
    assert.match(text('[data-testid="summary"]'), /2 of 3 judged paragraphs likely machine-generated/, 'the summary counts every frame');
    click($('[data-testid="row"][data-frame="3"][data-key="k1"]'));
    await until(() => w.sentTab.some((s) => s.env.type === 'ui:cs:reveal'), 'a reveal');
    assert.deepEqual(w.sentTab.filter((s) => s.env.type === 'ui:cs:reveal').map((s) => [s.frameId, s.env.payload.key]), [[3, 'k1']]);
  });

  it('shows evidence sentences on request', async () => {
    mount(Popup);
    const toggle = await until(() => $('[data-testid="evidence-toggle"]'), 'evidence toggle');
    assert.equal($('[data-testid="evidence"]'), null);
    click(toggle);
    await until(() => $('[data-testid="evidence"]'), 'evidence list');
    assert.match(text('[data-testid="evidence"]'), /machine-like/);
    assert.equal(toggle.getAttribute('aria-expanded'), 'true');
  });

  it('without a content script: "Not scanned", then scans on request and polls the report', async () => {
    w.cs = false;
    w.report.scanning = true;
    w.report.items = w.report.items.map((i) => ({ key: i.key, state: 'pending', preview: i.preview, chars: i.chars }));
    mount(Popup);
    await until(() => text('[data-testid="summary"]') === 'Not scanned', 'Not scanned');
    click($('[data-testid="scan-button"]'));
    await until(() => w.sent.some((e) => e.type === 'ui:bg:scan-tab'), 'scan request');
    assert.deepEqual(w.sent.find((e) => e.type === 'ui:bg:scan-tab')?.payload, { tabId: 7 });
    await until(() => $$('[data-testid="row"]').length === 3, 'pending rows');
    assert.match(text('[data-testid="summary"]'), /Checking 3 paragraphs/);
    // The content script finishes: the poll picks it up.
    w.report = structuredClone(REPORT);
    await until(() => /1 of 2 judged/.test(text('[data-testid="summary"]')), 'finished report', 4000);
  });

  it('a scan the background could not do: its words, once', async () => {
    w.cs = false;
    w.scanError = describeInjectError(new Error('Cannot access contents of the page. Extension manifest must request permission to access the respective host.'));
    mount(Popup);
    await until(() => $('[data-testid="scan-button"]'), 'scan button');
    click($('[data-testid="scan-button"]'));
    await until(() => /read this page/.test(text('[data-testid="page-message"]')), 'the reason');
    assert.equal(text('[data-testid="page-message"]').match(/read this page/g)?.length, 1);
    assert.doesNotMatch(text('[data-testid="page-message"]'), /Could not scan this page: Could not scan/);
    w.scanError = describeInjectError(new Error('socket hang up'));
    click($('[data-testid="scan-button"]'));
    await until(() => /socket hang up/.test(text('[data-testid="page-message"]')), 'the other reason');
    assert.equal(text('[data-testid="page-message"]').match(/Could not scan this page/g)?.length, 1);
  });

  it('an empty report before any scan reads "Not scanned"', async () => {
    w.report = { url: w.tabUrl, scanning: false, items: [] };
    mount(Popup);
    await until(() => text('[data-testid="summary"]') === 'Not scanned', 'Not scanned');
  });

  it('says when the scan cannot start', async () => {
    w.cs = false;
    mount(Popup);
    await until(() => $('[data-testid="scan-button"]'), 'scan button');
    w.bgUp = false;
    click($('[data-testid="scan-button"]'));
    await until(() => /not answering/.test(text('[data-testid="page-message"]')), 'an error in words');
  });

  it('browser pages: no scan button, a reason', async () => {
    w.tabUrl = 'chrome://extensions/';
    fake.setLocation('');
    mount(Popup);
    await until(() => text('[data-testid="summary"]') === 'Can’t scan this page', 'unavailable');
    assert.equal($('[data-testid="scan-button"]'), null);
    assert.match(text('[data-testid="page-message"]'), /browser page/);
  });

  it('a background that does not answer is said in words, the popup still renders', async () => {
    w.bgUp = false;
    mount(Popup);
    await until(() => /not answering/.test(text('[data-testid="status"]')), 'status error');
    await until(() => $$('[data-testid="row"]').length === 3, 'rows from the content script');
  });

  it('sensitivity is saved', async () => {
    mount(Popup);
    await until(() => $$('[data-testid="row"]').length === 3, 'rows');
    const high = await until(() => $<HTMLInputElement>('[data-testid="sensitivity-high"]'), 'radio');
    high.checked = true;
    high.dispatchEvent(new window.Event('change', { bubbles: true }));
    await until(() => w.store.settings.sensitivity === 'high', 'saved sensitivity');
    // The content script re-judges with the new sensitivity; the popup fetches the report again.
    w.report.items[1]!.verdict = verdict(0.85, 'high');
    await until(() => /2 of 2 judged paragraphs likely machine-generated/.test(text('[data-testid="summary"]')), 'report refreshed');
  });

  it('turning automatic scanning on asks for access first, inside the click', async () => {
    mount(Popup);
    const sw = await until(() => $('[data-testid="autoscan-global"]'), 'switch');
    assert.equal(sw.getAttribute('aria-checked'), 'false');
    click(sw);
    // Synchronously: no await between the click and the request (user gesture).
    assert.deepEqual(w.permissionRequests, [{ origins: ['<all_urls>'] }]);
    await until(() => w.store.settings.autoScan === true, 'autoScan saved');
    await until(() => $('[data-testid="autoscan-global"]')!.getAttribute('aria-checked') === 'true', 'switch on');
    // Off needs no permission.
    click($('[data-testid="autoscan-global"]'));
    await until(() => w.store.settings.autoScan === false, 'autoScan off');
    assert.equal(w.permissionRequests.length, 1);
  });

  it('a refused permission leaves it off and says why', async () => {
    w.grant = false;
    mount(Popup);
    const sw = await until(() => $('[data-testid="autoscan-site"]'), 'site switch');
    click(sw);
    assert.deepEqual(w.permissionRequests, [{ origins: ['*://news.example.org/*'] }]);
    await until(() => $('[data-testid="autoscan-note"]'), 'note');
    assert.match(text('[data-testid="autoscan-note"]'), /Left off.*news\.example\.org/);
    assert.deepEqual(w.store.settings.sites, {});
    assert.equal($('[data-testid="autoscan-site"]')!.getAttribute('aria-checked'), 'false');
  });

  it('models: download, pushes from the host, detector choice', async () => {
    w.models = [{ id: 'roberta-base', name: 'RoBERTa base', bytes: 126e6, storedBytes: 0, state: 'absent' }];
    mount(Popup);
    const btn = await until(() => $('[data-testid="model-download"]'), 'download button');
    click(btn);
    await until(() => w.sent.some((e) => e.type === 'ui:bg:download' && e.payload.model === 'roberta-base'), 'download request');
    // After starting, the popup lists the models again; let that answer arrive before the pushes.
    await until(() => w.sent.filter((e) => e.type === 'ui:bg:models').length >= 2, 'models listed again');
    await sleep(30);
    // The host pushes progress to every extension page.
    const push = (models: ModelEntryStatus[]) => {
      for (const fn of listeners) fn({ telltale: 1, type: 'host:ui:models', target: 'ui', payload: { models } }, { id: 'telltale-test', url: `${ORIGIN}/offscreen.html` });
    };
    push([{ ...w.models[0]!, state: 'downloading', progress: 0.5, storedBytes: 63e6 }]);
    await until(() => $('[data-testid="model-progress"]'), 'progress bar');
    assert.match(text('[data-testid="model-row"]'), /Downloading 50%/);
    // A push from a web page's content script is ignored.
    for (const fn of listeners) fn({ telltale: 1, type: 'host:ui:models', target: 'ui', payload: { models: [] } }, { id: 'telltale-test', url: 'https://evil.example/', tab: { id: 3 } });
    await sleep(30);
    assert.equal($$('[data-testid="model-row"]').length, 1);
    push([{ ...w.models[0]!, state: 'ready', storedBytes: 126e6 }]);
    await until(() => $('[data-testid="model-delete"]'), 'delete button');
    const options = $$('[data-testid="detector-select"] option').map((o) => o.getAttribute('value'));
    // The build ships a calibrated combination with roberta-base (models/registry.json `combined`): offered once it is ready.
    assert.deepEqual(options, ['auto', 'embedded', 'roberta-base', 'combined']);
    assert.match(text('[data-testid="models-storage"]'), /126 MB/);
  });

  it('zero-shot: its own line beside the level, chosen apart, deep check with progress and Cancel', async () => {
    const zs: Verdict = { state: 'scored', p_machine: null, flagged: false, calibrated: false, raw: 2.43, detector: 'fast-detectgpt', reason: 'Not calibrated' };
    w.report.items[0]!.zeroShot = zs;
    w.store.settings = { ...w.store.settings, zeroShot: 'fast-detectgpt' };
    w.models = [{ id: 'fast-detectgpt', name: 'Fast-DetectGPT on SmolLM2-135M', bytes: 1e8, storedBytes: 1e8, state: 'ready', kind: 'zero-shot', calibrated: false, repos: ['HuggingFaceTB/SmolLM2-135M'] }];
    render(h(Popup, {}), root);
    await until(() => $$('[data-testid="zero-shot"]').length === 1, 'the zero-shot line');
    assert.match(text('[data-testid="zero-shot"]'), /^Fast-DetectGPT: discrepancy 2\.4 — uncalibrated\./);
    assert.equal($$('[data-testid="row"]')[0]!.getAttribute('data-level'), 'generated', 'the row\'s level is the page detector\'s');
    assert.ok(!$$('#detector-select option').some((o) => o.getAttribute('value') === 'fast-detectgpt'), 'not offered as the page detector');
    assert.deepEqual($$('#zeroshot-select option').map((o) => o.getAttribute('value')), ['', 'fast-detectgpt']);
    const start = await until(() => $('[data-testid="deep-button"]'), 'the deep check button');
    assert.match(text('#deep-hint'), /seconds per paragraph/, 'on wasm it says what it costs');
    click(start);
    await until(() => w.sentTab.some((m) => m.env.type === 'ui:cs:deep' && m.env.payload.action === 'start'), 'the start');
    w.report.deep = { done: 2, total: 3, running: true };
    await until(() => text('[data-testid="deep-status"]') === '2 of 3', 'the progress');
    click(await until(() => $('[data-testid="deep-cancel"]'), 'Cancel'));
    await until(() => w.sentTab.some((m) => m.env.type === 'ui:cs:deep' && m.env.payload.action === 'cancel'), 'the cancel');
    await until(() => text('[data-testid="deep-status"]') === 'Cancelled after 2 of 3.', 'the cancelled state');
    // Turning it off saves null.
    const sel = $<HTMLSelectElement>('#zeroshot-select')!;
    Object.defineProperty(sel, 'value', { value: '', configurable: true }); // linkedom's select has a getter only
    sel.dispatchEvent(new window.Event('change', { bubbles: true }));
    await until(() => w.store.settings.zeroShot === null, 'zeroShot off');
    await until(() => !$('[data-testid="deep"]'), 'no deep check without a zero-shot detector');
  });

  it('deep check in every frame: started and cancelled in each, one progress for the page', async () => {
    w.store.settings = { ...w.store.settings, zeroShot: 'fast-detectgpt' };
    w.frames = [0, 3, 9];
    // Frame 9 was removed and does not answer.
    w.frameReports = { 3: { url: 'https://ads.example.net/f', scanning: false, items: [{ key: 'k1', state: 'scored', preview: 'In the frame.', chars: 200, verdict: verdict(0.95) }] } };
    render(h(Popup, {}), root);
    click(await until(() => $('[data-testid="deep-button"]'), 'the deep check button'));
    await until(() => w.sentTab.filter((m) => m.env.type === 'ui:cs:deep').length === 3, 'a start sent to each frame');
    assert.deepEqual(w.sentTab.filter((m) => m.env.type === 'ui:cs:deep').map((m) => [m.frameId, m.env.payload.action]), [[0, 'start'], [3, 'start'], [9, 'start']]);
    w.report.deep = { done: 2, total: 3, running: true };
    w.frameReports[3]!.deep = { done: 1, total: 1, running: false };
    await until(() => text('[data-testid="deep-status"]') === '3 of 4', 'the progress of both frames');
    click(await until(() => $('[data-testid="deep-cancel"]'), 'Cancel'));
    await until(() => w.sentTab.filter((m) => m.env.type === 'ui:cs:deep' && m.env.payload.action === 'cancel').length === 3, 'a cancel sent to each frame');
    await until(() => text('[data-testid="deep-status"]') === 'Cancelled after 3 of 4.', 'the cancelled state');
  });

  it('the page chart: one bar per judged paragraph in page order, coloured by level, and the share in words', async () => {
    w.report.items.push(
      { key: 'k4', state: 'scored', preview: 'Fourth.', chars: 1000, verdict: verdict(0.8) },
      { key: 'k5', state: 'pending', preview: 'Fifth.', chars: 100 },
    );
    mount(Popup);
    const svg = await until(() => $('[data-testid="chart-svg"]'), 'the chart');
    assert.equal(svg.getAttribute('role'), 'img');
    // Judged paragraphs only (not too-short, not pending), in page order.
    assert.deepEqual($$('[data-testid="chart-svg"] rect').map((r) => r.getAttribute('data-level')), ['generated', 'human', 'unclear']);
    const heights = $$('[data-testid="chart-svg"] rect').map((r) => Number(r.getAttribute('height')));
    assert.ok(heights[0]! > heights[2]! && heights[2]! > heights[1]!, `rarer among human texts is taller: ${heights}`);
    // 300 of 2,000 judged characters are in the flagged paragraph.
    assert.equal(text('[data-testid="chart-share"]'), '15% of the judged text (by characters) is likely machine-generated');
    assert.equal(
      svg.getAttribute('aria-label'),
      'Chart of 3 judged paragraphs in page order: 1 likely machine-generated, 1 unclear, 1 likely human-written. 15% of the judged text (by characters) is likely machine-generated.',
    );
    // The rows stay the accessible detail.
    assert.equal($$('[data-testid="row"]').length, 5);
  });

  it('no chart before anything is judged', async () => {
    w.report.items = [{ key: 'k9', state: 'pending', preview: 'Wait.', chars: 100 }];
    w.report.scanning = true;
    mount(Popup);
    await until(() => $$('[data-testid="row"]').length === 1, 'the row');
    assert.equal($('[data-testid="chart"]'), null);
  });

  it('exports the report as CSV and JSON files: page, time, detector, model version, sensitivity, every paragraph', async () => {
    const { parseCsv } = await import('../support/csv.ts');
    const realFetch = g.fetch;
    const realCreate = URL.createObjectURL;
    const blobs: Blob[] = [];
    g.fetch = async (url: string) =>
      String(url).endsWith('models/embedded/meta.json') ? new Response(JSON.stringify({ name: 'x', version: '9.9.9' })) : realFetch(url);
    URL.createObjectURL = (b: Blob) => {
      blobs.push(b);
      return 'blob:test/1';
    };
    const clicked: string[] = [];
    const onClick = (e: Event) => {
      const a = e.target as HTMLAnchorElement | null;
      if (a?.download) clicked.push(a.download);
    };
    document.addEventListener('click', onClick, true);
    try {
      mount(Popup);
      const csvButton = await until(() => $('[data-testid="export-csv"]'), 'export buttons');
      await sleep(50);
      click(csvButton);
      await until(() => blobs.length === 1, 'a CSV file');
      assert.equal(blobs[0]!.type, 'text/csv;charset=utf-8');
      const bytes = new Uint8Array(await blobs[0]!.arrayBuffer());
      assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 BOM for spreadsheets');
      const [head, ...rows] = parseCsv(new TextDecoder().decode(bytes));
      const col = (r: string[], c: string) => r[head!.indexOf(c)];
      assert.equal(rows.length, 3);
      assert.deepEqual(rows.map((r) => [col(r, 'index'), col(r, 'state'), col(r, 'level')]), [['1', 'scored', 'generated'], ['2', 'scored', 'human'], ['3', 'too-short', '']]);
      assert.equal(col(rows[0]!, 'url'), 'https://news.example.org/a');
      assert.equal(col(rows[0]!, 'detector'), 'embedded');
      assert.equal(col(rows[0]!, 'model_version'), 'embedded 9.9.9');
      assert.equal(col(rows[0]!, 'sensitivity'), 'balanced');
      assert.equal(col(rows[0]!, 'p_machine'), '0.91');
      assert.equal(col(rows[0]!, 'evidence_1'), 'machine-like');
      assert.ok(!Number.isNaN(Date.parse(col(rows[0]!, 'time')!)));
      assert.match(text('[data-testid="export-note"]'), /^Saved telltale-news\.example\.org-.*\.csv\.$/);
      click($('[data-testid="export-json"]'));
      await until(() => blobs.length === 2, 'a JSON file');
      const json = JSON.parse(await blobs[1]!.text());
      assert.deepEqual([json.url, json.detector, json.sensitivity, json.paragraphs.length], ['https://news.example.org/a', 'embedded', 'balanced', 3]);
      assert.deepEqual(json.models, [{ id: 'embedded', version: '9.9.9' }]);
      assert.deepEqual(clicked.map((n) => n.split('.').pop()), ['csv', 'json'], 'each through an <a download>');
    } finally {
      g.fetch = realFetch;
      URL.createObjectURL = realCreate;
      document.removeEventListener('click', onClick, true);
    }
  });

  it('detector status pushes update the status line', async () => {
    mount(Popup);
    await until(() => /ready/.test(text('[data-testid="status"]')), 'ready');
    for (const fn of listeners) {
      fn({ telltale: 1, type: 'host:ui:status', target: 'ui', payload: { detector: 'roberta-base', name: 'RoBERTa base', state: 'loading', progress: 0.25 } }, { id: 'telltale-test', url: `${ORIGIN}/offscreen.html` });
    }
    await until(() => /Loading RoBERTa base \(25%\)/.test(text('[data-testid="status"]')), 'loading status');
    assert.ok($('[data-testid="status-progress"]'));
  });
});

describe('options page', () => {
  it('renders settings, the per-site list with remove, and the scores section without meta.json', async () => {
    w.store.settings.sites = { 'b.example': false, 'a.example': true };
    mount(Options);
    await until(() => $$('[data-testid="site-row"]').length === 2, 'site rows');
    assert.deepEqual($$('[data-testid="site-row"]').map((r) => r.getAttribute('data-host')), ['a.example', 'b.example']);
    click($('[data-testid="site-row"][data-host="a.example"] [data-testid="site-remove"]'));
    await until(() => !('a.example' in w.store.settings.sites), 'site removed');
    await until(() => /carries no measured rates/.test(text('[data-testid="rates-missing"]')), 'rates missing message');
    assert.match(text('[data-testid="p-machine-about"]'), /equally common/, 'P(machine) is explained as a probability under equal prior odds');
    assert.match(text('[data-testid="about"]'), /Nothing you read is sent anywhere/);
    assert.match(text('[data-testid="combined-about"]'), /uses the built-in model until you download OpenAI's\s+RoBERTa-base detector/);
  });

  it('shows measured false-positive rates from meta.json', async () => {
    const realFetch = g.fetch;
    g.fetch = async (url: string) => {
      assert.equal(url, `${ORIGIN}/models/embedded/meta.json`);
      const rates = (flaggedWorst: number, pages: number) => ({ flagged: flaggedWorst / 4, flaggedWorst, unclear: 0.01, unclearWorst: 0.03, caught: 0.2, pagesFlagged: pages });
      const corpus = { on: 'the test split', low: rates(0.004, 0.001), balanced: rates(0.02, 0.004), high: rates(0.08, 0.01) };
      const pages = { on: '92 pages', low: { flagged: 0.001, unclear: 0.002 }, balanced: { flagged: 0.004, unclear: 0.003 }, high: { flagged: 0.01, unclear: 0.13 } };
      return new Response(JSON.stringify({ policy: { minWords: 20, thresholds: { low: 0.98, balanced: 0.96, high: 0.9 }, unclear: { low: 0.96, balanced: 0.95, high: 0.8 } }, measured: { corpus, pages } }));
    };
    try {
      mount(Options);
      await until(() => $('[data-testid="rates"]'), 'rates table');
      const balanced = text('[data-testid="rates-balanced"]');
      assert.match(balanced, /About 2 in 100 human-written texts got flagged \(2\.0%\)/);
      assert.match(balanced, /0\.4%/, 'real pages');
      assert.match(balanced, /3\.0% \/ 0\.3%/, 'unclear: worst kind of text / real pages');
      assert.match(text('[data-testid="rates"]'), /the test split; 92 pages/);
      assert.match(text('[data-testid="sensitivity"]'), /About 8 in 100/);
    } finally {
      g.fetch = realFetch;
    }
  });
});
