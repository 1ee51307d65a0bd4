/**
 * Turning automatic scanning on asks the browser for host access from the click handler. Browsers may
 * close the popup while their permission prompt is open (Firefox does; Chrome can), and with it the
 * promise that would have saved the setting. So the UI writes its intent first (not awaited: the
 * request must stay inside the click's user gesture), and whoever runs next applies it once the
 * access is really granted: the popup or options page when they open, or the background on
 * `permissions.onAdded` (call `applyPendingGrant()` there).
 */
import browser from 'webextension-polyfill';
import type { Settings } from '../protocol/messages.ts';
import { loadSettings, saveSettings } from '../shared/settings.ts';
import { ALL_SITES_PATTERN, PENDING_GRANT_MAX_AGE_MS as MAX_AGE_MS, patchForGrant, sitePattern, type PendingGrant } from '../core/settings.ts';

export const PENDING_GRANT_KEY = 'uiPendingHostGrant';


export function rememberIntent(host: string | null): void {
  const value: PendingGrant = { host, at: Date.now() };
  browser.storage.local.set({ [PENDING_GRANT_KEY]: value }).catch(() => {});
}

export function forgetIntent(): void {
  browser.storage.local.remove(PENDING_GRANT_KEY).catch(() => {});
}

/** Applies a pending intent whose access the browser now grants; always clears a stale or applied one. Never throws. */
export async function applyPendingGrant(): Promise<Settings | null> {
  try {
    const { [PENDING_GRANT_KEY]: intent } = await browser.storage.local.get(PENDING_GRANT_KEY);
    if (!intent) return null;
    const host = (intent as Partial<PendingGrant>).host;
    const origins = [typeof host === 'string' ? sitePattern(host) : ALL_SITES_PATTERN];
    if (!(await browser.permissions.contains({ origins }))) {
      // Not (yet) granted: keep a fresh intent for the prompt that may still be open.
      if (typeof (intent as PendingGrant).at !== 'number' || Date.now() - (intent as PendingGrant).at > MAX_AGE_MS) forgetIntent();
      return null;
    }
    await browser.storage.local.remove(PENDING_GRANT_KEY);
    const patch = patchForGrant(intent, await loadSettings(), Date.now());
    return patch ? await saveSettings(patch) : null;
  } catch {
    return null;
  }
}
