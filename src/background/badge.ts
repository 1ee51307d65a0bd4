/** The toolbar badge: the number of flagged paragraphs on a tab. */
import browser from 'webextension-polyfill';

export async function setBadge(tabId: number, flagged: number): Promise<void> {
  const text = flagged > 0 ? (flagged > 999 ? '999+' : String(flagged)) : '';
  await browser.action.setBadgeText({ tabId, text });
  if (flagged > 0) await browser.action.setBadgeBackgroundColor({ tabId, color: '#b3261e' });
}
