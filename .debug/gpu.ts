import { chromiumContextMenu, launchChromium, serveFixtures, sleep, waitFor } from '../test/support/browsers.ts';
import { repoFromDir, startMockHub } from '../test/support/mock-hub.ts';
import { LLAMA, LLAMA_INSTRUCT, REFERENCE } from '../test/support/zeroshot-fixtures.ts';
import { sendFromExtension, tabIdOf } from '../test/support/scenario.ts';
const hub = await startMockHub({ 'HuggingFaceTB/SmolLM2-135M': repoFromDir(LLAMA), 'HuggingFaceTB/SmolLM2-135M-Instruct': repoFromDir(LLAMA_INSTRUCT) });
const h = await launchChromium({ webgpu: true, hubUrl: hub.url, lmVariant: 'fp32' });
const site = await serveFixtures();
h.browser.on('targetcreated', async (t) => {
  if (t.url().includes('offscreen')) { const p = await t.page().catch(() => null) ?? await (t as any).asPage?.(); p?.on('console', (m: any) => console.log('OFFSCREEN', m.type(), m.text())); p?.on('pageerror', (e: any) => console.log('OFFSCREEN ERR', e)); }
});
try {
  const worker = await h.worker();
  const control = await h.openExtensionPage('options.html');
  await sendFromExtension(control, 'ui:bg:download', { model: 'fast-detectgpt' });
  await waitFor(async () => (await sendFromExtension<any>(control, 'ui:bg:models', {})).models.find((m: any) => m.id === 'fast-detectgpt').state === 'ready', 'dl', 60000);
  await control.evaluate(`chrome.storage.local.set({ settings: { sensitivity: 'balanced', autoScan: false, sites: {}, detector: 'embedded', zeroShot: 'fast-detectgpt' } })`);
  const page = await h.browser.newPage();
  await page.goto(site.url('e2e-article.html'));
  const tabId = await tabIdOf(control, site.url('e2e-article.html'));
  const t0 = Date.now();
  const r = await Promise.race([sendFromExtension<any>(control, 'ui:bg:zeroshot-status', {}), sleep(20000).then(() => 'timeout')]);
  console.log('status', JSON.stringify(r), Date.now() - t0);
  await chromiumContextMenu(worker)(tabId, REFERENCE.cases[1]!.text);
  for (let i = 0; i < 30; i++) {
    await sleep(2000);
    const rep = await sendFromExtension<any>(control, 'ui:cs:report', {}, tabId).catch((e) => String(e));
    console.log(i, JSON.stringify(rep?.selection ?? rep).slice(0, 300));
    const st = await sendFromExtension<any>(control, 'ui:bg:status', {}).catch((e) => String(e));
    console.log('st', JSON.stringify(st));
    if (rep?.selection) break;
  }
} finally { await h.close(); await hub.close(); await site.close(); }
