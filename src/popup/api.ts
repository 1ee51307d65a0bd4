/**
 * The popup's and options page's one connection to the rest of the extension: typed requests, the
 * pushes from the detector host, tabs and permissions. Components call these and never touch
 * `browser.*` themselves, so every failure is caught in one style (a rejected promise with words).
 */
import browser from 'webextension-polyfill';
import { handle, isExtensionPage, request, requestTab } from '../protocol/client.ts';
import type { DetectorStatus, ModelEntryStatus, PageReport } from '../protocol/messages.ts';
import { mergeFrameReports, type FrameReport } from './frames.ts';
import { follow, ReportCopy } from './report-sync.ts';
import { ALL_SITES_PATTERN, parseTabParam, sitePattern } from './model.ts';

export { loadSettings, onSettingsChanged, saveSettings } from '../shared/settings.ts';

export interface ActiveTab {
  id: number;
  url?: string;
}

/** The tab the popup is about: `?tab=ID` when given (tests), else the active tab of this window. */
export async function activeTab(search = location.search): Promise<ActiveTab | null> {
  const forced = parseTabParam(search);
  if (forced !== null) {
    try {
      const t = await browser.tabs.get(forced);
      return { id: forced, ...(t.url ? { url: t.url } : {}) };
    } catch {
      return { id: forced };
    }
  }
  const [t] = await browser.tabs.query({ active: true, currentWindow: true });
  if (!t || typeof t.id !== 'number' || t.id < 0) return null;
  return { id: t.id, ...(t.url ? { url: t.url } : {}) };
}

/**
 * Asks every frame of the tab that reported to the background (the top frame always): the answers in
 * frame order; a frame other than the top one that does not answer gives null.
 */
async function askFrames<R>(tabId: number, ask: (frameId: number) => Promise<R>): Promise<{ frameId: number; res: R | null }[]> {
  const frames = await request('ui:bg:frames', { tabId }).then((r) => r.frames, () => [0]);
  return Promise.all(
    frames.map((frameId) =>
      ask(frameId).then(
        (res) => ({ frameId, res }),
        (err: unknown) => {
          if (frameId === 0) throw err;
          return { frameId, res: null };
        },
      ),
    ),
  );
}

/** The popup's copies of the frames' reports (report-sync.ts), by tab and frame. */
const copies = new Map<string, ReportCopy>();

/**
 * The page's report: every frame that reported to the background is followed (only what changed
 * since the last poll crosses), and the frames' reports are merged. The top frame must answer (else
 * the page is not scanned); a frame that does not (removed, navigating) is left out.
 */
export async function getReport(tabId: number): Promise<PageReport> {
  const asked = new Set<string>();
  const answers = await askFrames(tabId, async (frameId) => {
    const id = `${tabId}:${frameId}`;
    asked.add(id);
    const copy = copies.get(id) ?? new ReportCopy();
    copies.set(id, copy);
    try {
      return await follow(copy, (since) => requestTab(tabId, 'ui:cs:changes', { since }, frameId));
    } catch (err) {
      copies.delete(id);
      throw err;
    }
  });
  for (const id of copies.keys()) if (id.startsWith(`${tabId}:`) && !asked.has(id)) copies.delete(id);
  const parts = answers.flatMap(({ frameId, res }): FrameReport[] => (res ? [{ frameId, report: res }] : []));
  if (!parts.some((p) => p.frameId === 0)) throw new Error('the page did not answer');
  return mergeFrameReports(parts);
}
export const reveal = (tabId: number, key: string, frameId = 0) => requestTab(tabId, 'ui:cs:reveal', { key }, frameId);
export const scanTab = (tabId: number) => request('ui:bg:scan-tab', { tabId });
export const getStatus = () => request('ui:bg:status', {});
export const getZeroShotStatus = () => request('ui:bg:zeroshot-status', {});
/**
 * The deep check runs in every frame's content script, each on its own paragraphs (progress: the
 * reports, merged in frames.ts). Started (or cancelled) where any frame took it; else the top frame's answer.
 */
export async function deepCheck(tabId: number, action: 'start' | 'cancel'): Promise<{ ok: boolean; error?: string }> {
  const answers = await askFrames(tabId, (frameId) => requestTab(tabId, 'ui:cs:deep', { action }, frameId));
  return answers.find((a) => a.res?.ok)?.res ?? answers.find((a) => a.frameId === 0)?.res ?? { ok: false };
}
export const getModels = () => request('ui:bg:models', {});
export const downloadModel = (model: string) => request('ui:bg:download', { model });
export const deleteModel = (model: string) => request('ui:bg:delete-model', { model });

// ---------------------------------------------------------------------------------------------
// Pushes from the detector host. `handle` registers a runtime listener that cannot be removed, so it
// is registered once and fans out to whoever is mounted.

type Listener<T> = (v: T) => void;
const statusListeners = new Set<Listener<DetectorStatus>>();
const modelListeners = new Set<Listener<ModelEntryStatus[]>>();
let listening = false;

function listen(): void {
  if (listening) return;
  listening = true;
  handle(
    'ui',
    {
      'host:ui:status': (status) => {
        for (const fn of statusListeners) fn(status);
        return undefined;
      },
      'host:ui:models': ({ models }) => {
        for (const fn of modelListeners) fn(models);
        return undefined;
      },
    },
    // Only the detector host (offscreen document or Firefox background page) and the background push.
    (sender) => isExtensionPage(sender),
  );
}

export function onStatus(fn: Listener<DetectorStatus>): () => void {
  listen();
  statusListeners.add(fn);
  return () => statusListeners.delete(fn);
}

export function onModels(fn: Listener<ModelEntryStatus[]>): () => void {
  listen();
  modelListeners.add(fn);
  return () => modelListeners.delete(fn);
}

// ---------------------------------------------------------------------------------------------
// Permissions. `requestHostAccess` must be called synchronously inside a click handler (before any
// await), or the browser refuses it for lack of a user gesture.

export function requestHostAccess(hostname: string | null): Promise<boolean> {
  const origins = [hostname ? sitePattern(hostname) : ALL_SITES_PATTERN];
  try {
    return browser.permissions.request({ origins });
  } catch (err) {
    return Promise.reject(err);
  }
}

export async function hasHostAccess(hostname: string | null): Promise<boolean> {
  try {
    return await browser.permissions.contains({ origins: [hostname ? sitePattern(hostname) : ALL_SITES_PATTERN] });
  } catch {
    return false;
  }
}

export const extensionUrl = (path: string) => browser.runtime.getURL(path);

/** Opens the options page; with `section`, a new tab scrolled to it (openOptionsPage drops the hash). */
export function openOptions(section?: string): void {
  const fallback = () => void window.open(extensionUrl(`options.html${section ? `#${section}` : ''}`), '_blank');
  if (section) browser.tabs.create({ url: extensionUrl(`options.html#${section}`) }).catch(fallback);
  else browser.runtime.openOptionsPage().catch(fallback);
}

/** The embedded model's metadata (thresholds, measured rates), or null when it isn't shipped. */
export async function fetchEmbeddedMeta(): Promise<unknown> {
  try {
    const res = await fetch(extensionUrl('models/embedded/meta.json'));
    if (!res.ok) return null;
    return await res.json();
  } catch {
    return null;
  }
}

