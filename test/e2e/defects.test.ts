import { test } from 'node:test';
import { launchChromium, launchFirefox } from '../support/browsers.ts';
import { runDefectsScenario } from '../support/defects-scenario.ts';

test('Chromium: frames (same- and cross-origin), deep nesting, invisible text, tab order and the mark commands', async (t) => {
  const h = await launchChromium({ webgpu: false });
  try {
    const worker = await h.worker();
    const timings = await runDefectsScenario(h, {
      blurWithoutFocus: true,
      command: (tabId, name) =>
        worker.evaluate(
          (tabId, name) => chrome.tabs.get(tabId).then((tab) => (chrome.commands.onCommand as unknown as { dispatch(...a: unknown[]): void }).dispatch(name, tab)),
          tabId,
          name,
        ),
    });
    t.diagnostic(`timings (ms): ${JSON.stringify(timings)}`);
  } finally {
    await h.close();
  }
});

test('Firefox ESR: frames (same- and cross-origin), deep nesting, invisible text, tab order and the mark commands', async (t) => {
  const h = await launchFirefox();
  try {
    const timings = await runDefectsScenario(h, {
      blurWithoutFocus: false,
      // Firefox's commands.onCommand has no dispatch: the handler its listener calls.
      command: (tabId, name) => h.inBackground(`async (bg) => { const tab = await browser.tabs.get(${tabId}); await bg.telltaleBackground.command(${JSON.stringify(name)}, tab); return true; }`),
    });
    t.diagnostic(`timings (ms): ${JSON.stringify(timings)}`);
  } finally {
    await h.close();
  }
});
