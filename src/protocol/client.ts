/**
 * Sending and receiving protocol messages. The only place that calls runtime/tabs messaging.
 * Handlers are maps from message type to an async function; unknown, malformed or foreign messages
 * are ignored (the listener returns undefined so other listeners may answer).
 */
import browser from 'webextension-polyfill';
import type { Runtime } from 'webextension-polyfill';
import { envelope, parseEnvelope, type Envelope, type MessageType, type Req, type Res } from './messages.ts';

/** Send to the background, the host or the UI (runtime messaging). */
export function request<T extends MessageType>(type: T, payload: Req<T>): Promise<Res<T>> {
  return browser.runtime.sendMessage(envelope(type, payload)) as Promise<Res<T>>;
}

/**
 * Send to the content script of one frame of a tab (the top frame unless told), or to every frame
 * (`'all'`: each frame's script hears it; the first answer comes back).
 */
export function requestTab<T extends MessageType>(tabId: number, type: T, payload: Req<T>, frameId: number | 'all' = 0): Promise<Res<T>> {
  const msg = envelope(type, payload);
  return (frameId === 'all' ? browser.tabs.sendMessage(tabId, msg) : browser.tabs.sendMessage(tabId, msg, { frameId })) as Promise<Res<T>>;
}

export type Handlers = {
  [T in MessageType]?: (payload: Req<T>, sender: Runtime.MessageSender) => Promise<Res<T>> | Res<T>;
};

/**
 * Which senders a context accepts. Every context accepts only messages from this extension
 * (`sender.id`); content scripts additionally come from a tab, extension pages from our own origin.
 */
export type SenderRule = (sender: Runtime.MessageSender, type: MessageType) => boolean;

export function isOwnExtension(sender: Runtime.MessageSender): boolean {
  return sender.id === browser.runtime.id;
}

export function isExtensionPage(sender: Runtime.MessageSender): boolean {
  const origin = new URL(browser.runtime.getURL('/')).origin;
  return isOwnExtension(sender) && typeof sender.url === 'string' && sender.url.startsWith(`${origin}/`);
}

/** Registers one runtime.onMessage listener for `target`. Call at module top level (service worker rule). */
export function handle(target: Envelope['target'], handlers: Handlers, accept: SenderRule): void {
  browser.runtime.onMessage.addListener((msg: unknown, sender: Runtime.MessageSender) => {
    const env = parseEnvelope(msg, target);
    if (!env) return undefined;
    const fn = handlers[env.type] as ((p: unknown, s: Runtime.MessageSender) => unknown) | undefined;
    if (!fn || !isOwnExtension(sender) || !accept(sender, env.type)) return undefined;
    // Always a Promise (webextension-polyfill contract); errors become a rejected promise for the sender.
    return Promise.resolve().then(() => fn(env.payload, sender));
  });
}
