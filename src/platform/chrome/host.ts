/**
 * Chrome: the detector runs in one offscreen document (service workers cannot `import()` and lose
 * their memory when stopped). Creation is guarded by one shared promise, checked against
 * `runtime.getContexts`, and finished by a ready handshake; a dead document is re-created.
 * Same exports as ../firefox/host.ts.
 */
import browser from 'webextension-polyfill';
import type { Handlers } from '../../protocol/client.ts';
import { envelope, type MessageType, type Req, type Res } from '../../protocol/messages.ts';

const OFFSCREEN_URL = 'offscreen.html';
const READY_TIMEOUT_MS = 20_000;

let creating: Promise<void> | null = null;
const readyWaiters: (() => void)[] = [];

async function hostExists(): Promise<boolean> {
  const contexts = await chrome.runtime.getContexts({
    contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT],
    documentUrls: [chrome.runtime.getURL(OFFSCREEN_URL)],
  });
  return contexts.length > 0;
}

async function ensureHost(): Promise<void> {
  if (creating) return creating;
  if (await hostExists()) return;
  creating = (async () => {
    const ready = new Promise<void>((resolve, reject) => {
      readyWaiters.push(resolve);
      setTimeout(() => reject(new Error('the detector did not start in time')), READY_TIMEOUT_MS);
    });
    try {
      await chrome.offscreen.createDocument({
        url: OFFSCREEN_URL,
        reasons: [chrome.offscreen.Reason.WORKERS],
        justification: 'Runs the on-device text classifier (WebAssembly or WebGPU).',
      });
    } catch (err) {
      // Another context created it between our check and now: fine.
      if (!/single offscreen document/i.test(String(err))) throw err;
    }
    await ready;
  })().finally(() => {
    creating = null;
  });
  return creating;
}

/** Errors that mean "nobody answered": the document is gone or not listening yet. */
const NO_RECEIVER = /Receiving end does not exist|Could not establish connection|message port closed/i;

export async function hostRequest<T extends MessageType>(type: T, payload: Req<T>): Promise<Res<T>> {
  for (let attempt = 0; ; attempt++) {
    await ensureHost();
    try {
      const res = (await browser.runtime.sendMessage(envelope(type, payload))) as Res<T> | undefined;
      if (res === undefined) throw new Error('message port closed: no answer from the detector host');
      return res;
    } catch (err) {
      if (attempt >= 2 || !NO_RECEIVER.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 150 * (attempt + 1)));
    }
  }
}

/** Background handlers this platform needs: the host's ready handshake. */
export const platformHandlers: Handlers = {
  'host:bg:ready': () => {
    for (const resolve of readyWaiters.splice(0)) resolve();
    return { ok: true };
  },
};

/** Exposed to the background's test hook. */
export const platformName = 'chrome' as const;
