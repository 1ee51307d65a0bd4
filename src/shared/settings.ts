/** User settings in `storage.local` (validation in src/core/settings.ts; `settingsVersion` allows migrations). */
import browser from 'webextension-polyfill';
import type { Settings } from '../protocol/messages.ts';
import { sanitiseSettings, SETTINGS_VERSION } from '../core/settings.ts';

export { AUTO_DETECTOR, autoScanFor, DEFAULT_DETECTOR, DEFAULT_SETTINGS, sanitiseSettings, SETTINGS_VERSION } from '../core/settings.ts';

export async function loadSettings(): Promise<Settings> {
  const { settings } = await browser.storage.local.get('settings');
  return sanitiseSettings(settings);
}

export async function saveSettings(patch: Partial<Settings>): Promise<Settings> {
  const next = sanitiseSettings({ ...(await loadSettings()), ...patch });
  await browser.storage.local.set({ settings: next, settingsVersion: SETTINGS_VERSION });
  return next;
}

export function onSettingsChanged(fn: (s: Settings) => void): void {
  browser.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && changes.settings) fn(sanitiseSettings(changes.settings.newValue));
  });
}
