/**
 * Per-tab frame counts for the badge and the popup, in `storage.session` (a stopped service worker
 * forgets its variables; the session store survives it, and goes with the browser session). Updates of
 * one tab are serialised, so that two frames reporting at once do not overwrite each other. When the
 * store cannot be written (quota), the badge is still set from the counts in hand.
 */
import browser from 'webextension-polyfill';
import { applyFrameReport, frameIds, sumFrames, type FrameCounts, type TabFrames } from '../core/tab-frames.ts';
import { setBadge } from './badge.ts';

const key = (tabId: number) => `frames:${tabId}`;
const chains = new Map<number, Promise<unknown>>();
/** The last state written per tab: what the badge falls back on when the store refuses a write. */
const lastKnown = new Map<number, TabFrames>();

async function read(tabId: number): Promise<TabFrames | undefined> {
  try {
    const got = await browser.storage.session.get(key(tabId));
    return (got[key(tabId)] as TabFrames | undefined) ?? lastKnown.get(tabId);
  } catch {
    return lastKnown.get(tabId);
  }
}

function serially<T>(tabId: number, fn: () => Promise<T>): Promise<T> {
  const next = (chains.get(tabId) ?? Promise.resolve()).then(fn, fn);
  const tail = next.catch(() => undefined);
  chains.set(tabId, tail);
  void tail.then(() => chains.get(tabId) === tail && chains.delete(tabId));
  return next;
}

/** A frame's content script reported its counts: store them, set the badge to the tab's sum. */
export function frameReport(tabId: number, frameId: number, counts: FrameCounts): Promise<void> {
  return serially(tabId, async () => {
    const state = applyFrameReport(await read(tabId), frameId, counts);
    lastKnown.set(tabId, state);
    try {
      await browser.storage.session.set({ [key(tabId)]: state });
    } catch (err) {
      console.warn('Telltale: could not store the frame counts; the badge is kept in memory', err);
    }
    await setBadge(tabId, sumFrames(state).flagged);
  });
}

/** The frames of a tab that have reported (top frame always included). */
export async function knownFrames(tabId: number): Promise<number[]> {
  return frameIds(await read(tabId));
}

export function forgetTab(tabId: number): void {
  lastKnown.delete(tabId);
  browser.storage.session.remove(key(tabId)).catch(() => undefined);
}
