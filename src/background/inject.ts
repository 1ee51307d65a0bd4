/**
 * Getting the content script into pages: on demand (toolbar click, popup "Scan", context menu; the
 * user's gesture grants activeTab), or automatically on the sites the user granted host access to,
 * through one dynamically registered content script kept in step with the granted permissions.
 */
import browser from 'webextension-polyfill';
import { requestTab } from '../protocol/client.ts';
import { t } from '../shared/i18n.ts';

const AUTO_ID = 'telltale-auto';

/**
 * Injects the content script into every frame of the tab it may script (`frameId`: that frame only).
 * activeTab grants the top frame's origin only: frames of other origins are scanned where the user
 * granted host access to them. Where the browser refuses the whole injection because of one frame,
 * the top frame is injected alone.
 */
export async function injectContentScript(tabId: number, frameId?: number): Promise<void> {
  if (frameId !== undefined) {
    await browser.scripting.executeScript({ target: { tabId, frameIds: [frameId] }, files: ['content.js'] });
    return;
  }
  try {
    await browser.scripting.executeScript({ target: { tabId, allFrames: true }, files: ['content.js'] });
  } catch (err) {
    await browser.scripting.executeScript({ target: { tabId }, files: ['content.js'] }).catch(() => Promise.reject(err));
  }
}

/** Injects (a second injection is a no-op in the page) and starts a scan in every frame. */
export async function scanTab(tabId: number): Promise<{ ok: boolean; error?: string }> {
  try {
    await injectContentScript(tabId);
    await requestTab(tabId, 'bg:cs:scan', {}, 'all');
    return { ok: true };
  } catch (err) {
    return { ok: false, error: describeInjectError(err) };
  }
}

export function describeInjectError(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/Cannot access|cannot be scripted|Missing host permission|extensions gallery|restricted/i.test(msg)) {
    return t('scanRestricted');
  }
  return t('scanFailed', msg);
}

/** Registers the content script for exactly the origins the user granted (none: unregistered). */
export async function syncAutoScan(): Promise<void> {
  const { origins = [] } = await browser.permissions.getAll();
  const matches = origins.filter((o) => /^(\*|https?):\/\//.test(o) || o === '<all_urls>');
  const existing = await browser.scripting.getRegisteredContentScripts({ ids: [AUTO_ID] });
  if (existing.length) await browser.scripting.unregisterContentScripts({ ids: [AUTO_ID] });
  if (matches.length === 0) return;
  // Every frame, the frames of other sites included where access to them was granted; about:blank,
  // srcdoc and blob: frames by the origin that made them (where the browser knows the option).
  const script = { id: AUTO_ID, matches, js: ['content.js'], runAt: 'document_idle' as const, allFrames: true };
  try {
    await browser.scripting.registerContentScripts([{ ...script, matchOriginAsFallback: true } as typeof script]);
  } catch {
    await browser.scripting.registerContentScripts([script]);
  }
}
