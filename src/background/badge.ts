/** The toolbar badge: the number of flagged paragraphs on a tab, and the button's tooltip saying it in words. */
import browser from 'webextension-polyfill';
import { t, tn } from '../shared/i18n.ts';

export async function setBadge(tabId: number, flagged: number): Promise<void> {
  const text = flagged > 0 ? (flagged > 999 ? '999+' : String(flagged)) : '';
  await browser.action.setBadgeText({ tabId, text });
  await browser.action.setTitle({ tabId, title: flagged > 0 ? tn('badgeTitle', flagged) : t('actionTitle') });
  if (flagged > 0) await browser.action.setBadgeBackgroundColor({ tabId, color: '#b3261e' });
}
