/**
 * Background entry (Chrome service worker / Firefox event page). Only wiring: every listener is
 * registered synchronously at the top level, so a restarted worker still hears the event that woke it.
 * State lives in storage, not in module variables.
 */
import browser from 'webextension-polyfill';
import type { Menus, Runtime, Tabs } from 'webextension-polyfill';
import { handle, isExtensionPage, requestTab } from '../protocol/client.ts';
import type { MessageType } from '../protocol/messages.ts';
import type { Verdict } from '../core/types.ts';
import { hostRequest, platformHandlers } from '@platform/host';
import { loadSettings, onSettingsChanged } from '../shared/settings.ts';
import { scanTab, syncAutoScan, injectContentScript, describeInjectError } from './inject.ts';
import { forgetTab, frameReport, knownFrames } from './frames.ts';
import { applyPendingGrant } from '../shared/pending-grant.ts';
import { FairQueue } from '../core/fair-queue.ts';
import { messageGroup, t } from '../shared/i18n.ts';

const MENU_ID = 'telltale-check-selection';

/**
 * Scoring jobs of all tabs, round-robin by tab with a bounded queue per tab (src/core/fair-queue.ts): a
 * content script that floods cannot starve the others. In memory: the requests waiting in it die with
 * the service worker anyway, and their content scripts send them again.
 */
const scoring = new FairQueue<ScoreResult>();

type ScoreResult = { verdicts: Verdict[]; zeroShot?: Verdict[] } | { verdicts?: undefined; error: string };

/** Words for why a deep check cannot run (shown in the popup). */
const DEEP_WORDS = messageGroup({ off: 'deepOff', absent: 'deepAbsent', unknown: 'deepUnknown' }, {});

/** The zero-shot verdicts for `texts`, or why there are none (settings `zeroShot`; see src/host/handlers.ts). */
async function zeroShotScores(texts: string[], webgpuOnly: boolean): Promise<Verdict[] | keyof typeof DEEP_WORDS | 'wasm'> {
  const s = await loadSettings();
  if (!s.zeroShot) return 'off';
  const r = await hostRequest('bg:host:zeroshot', { texts, detector: s.zeroShot, sensitivity: s.sensitivity, webgpuOnly });
  return r.verdicts ?? r.skipped;
}

/** Who may send what: content scripts come from web tabs, UI and host messages from our own pages. */
function accept(sender: Runtime.MessageSender, type: MessageType): boolean {
  if (type.startsWith('cs:')) return sender.tab?.id !== undefined && !isExtensionPage(sender);
  return isExtensionPage(sender);
}

handle(
  'bg',
  {
    ...platformHandlers,
    'cs:bg:score': ({ texts }, sender) =>
      scoring.submit(`tab:${sender.tab!.id}`, texts.length, async () => {
        const s = await loadSettings();
        const res = await hostRequest('bg:host:score', { texts, detector: s.detector, sensitivity: s.sensitivity });
        // The page scan includes a downloaded zero-shot detector only where it runs on WebGPU.
        if (!s.zeroShot) return res;
        const z = await zeroShotScores(texts, true).catch(() => null);
        return Array.isArray(z) ? { ...res, zeroShot: z } : res;
      }) as Promise<{ verdicts: Verdict[]; zeroShot?: Verdict[] }>,
    // The deep check: on any backend, in the tab's lane like every other scoring job.
    'cs:bg:deep': ({ texts }, sender) =>
      scoring.submit(`tab:${sender.tab!.id}`, texts.length, async () => {
        const z = await zeroShotScores(texts, false);
        return Array.isArray(z) ? { verdicts: z } : { error: DEEP_WORDS[z as keyof typeof DEEP_WORDS] ?? DEEP_WORDS.unknown };
      }),
    'ui:bg:zeroshot-status': async () => {
      const s = await loadSettings();
      return s.zeroShot ? hostRequest('bg:host:zeroshot-status', { detector: s.zeroShot }) : null;
    },
    'cs:bg:report': async ({ flagged, total, since }, sender) => {
      // Each frame reports its own counts; the badge shows the tab's sum.
      await frameReport(sender.tab!.id!, sender.frameId ?? 0, { flagged, total, since: since ?? 0 });
      return { ok: true };
    },
    'ui:bg:frames': async ({ tabId }) => ({ frames: await knownFrames(tabId) }),
    'ui:bg:status': async () => {
      const s = await loadSettings();
      return hostRequest('bg:host:status', { detector: s.detector });
    },
    'ui:bg:scan-tab': ({ tabId }) => scanTab(tabId),
    'ui:bg:models': () => hostRequest('bg:host:models', {}),
    'ui:bg:download': ({ model }) => hostRequest('bg:host:download', { model }),
    'ui:bg:delete-model': ({ model }) => hostRequest('bg:host:delete-model', { model }),
  },
  accept,
);

/** The context-menu check: score the selection and show it next to the selection in the page. */
export async function checkSelection(text: string, tab: Tabs.Tab | undefined, frameId = 0): Promise<void> {
  const res = await scoring.submit('menu', 1, async () => {
    const s = await loadSettings();
    const main = await hostRequest('bg:host:score', { texts: [text], detector: s.detector, sensitivity: s.sensitivity });
    // A check someone asked for: the zero-shot detector too, on any backend, when one is on and downloaded.
    const z = s.zeroShot ? await zeroShotScores([text], false).catch(() => null) : null;
    return Array.isArray(z) ? { ...main, zeroShot: z } : main;
  });
  const verdict = res.verdicts![0]!;
  const zeroShot = res.verdicts && 'zeroShot' in res ? res.zeroShot?.[0] : undefined;
  if (tab?.id === undefined) return;
  try {
    await injectContentScript(tab.id, frameId);
    // The result shows next to the selection, in the frame where it was made.
    await requestTab(tab.id, 'bg:cs:selection', { text, verdict, ...(zeroShot ? { zeroShot } : {}) }, frameId);
  } catch (err) {
    console.warn('Telltale:', describeInjectError(err));
  }
}

/** The keyboard commands (manifest `commands`): move focus to the next or previous mark in the focused frame. */
export async function onCommand(command: string, tab: Tabs.Tab | undefined): Promise<void> {
  const direction = command === 'next-mark' ? 'next' : command === 'prev-mark' ? 'prev' : null;
  if (!direction || tab?.id === undefined) return;
  // Every frame hears it; only the one that has focus acts. No content script (never scanned): nothing to move to.
  await requestTab(tab.id, 'bg:cs:mark', { direction }, 'all').catch(() => undefined);
}

browser.commands.onCommand.addListener((command: string, tab?: Tabs.Tab) => void onCommand(command, tab));

browser.contextMenus.onClicked.addListener((info: Menus.OnClickData, tab?: Tabs.Tab) => {
  if (info.menuItemId === MENU_ID && info.selectionText) void checkSelection(info.selectionText, tab, info.frameId ?? 0);
});

browser.runtime.onInstalled.addListener(async () => {
  await browser.contextMenus.removeAll();
  browser.contextMenus.create({ id: MENU_ID, title: t('menuCheckSelection'), contexts: ['selection'] });
  await syncAutoScan();
});
browser.runtime.onStartup.addListener(() => void syncAutoScan());
browser.permissions.onAdded.addListener(() => {
  // The popup may have closed under the permission prompt: apply the setting it asked for.
  void applyPendingGrant().finally(() => syncAutoScan());
});
browser.permissions.onRemoved.addListener(() => void syncAutoScan());
browser.tabs.onRemoved.addListener((tabId: number) => forgetTab(tabId));

onSettingsChanged(async (settings) => {
  const tabs = await browser.tabs.query({});
  for (const tab of tabs) {
    if (tab.id !== undefined) requestTab(tab.id, 'bg:cs:settings', { settings }, 'all').catch(() => undefined);
  }
});

// For the end-to-end tests in Firefox, whose menus.onClicked and commands.onCommand cannot be dispatched from outside.
(globalThis as { telltaleBackground?: unknown }).telltaleBackground = { checkSelection, command: onCommand, scoring };
