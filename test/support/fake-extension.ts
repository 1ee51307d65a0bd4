/**
 * A fake extension for rendering the popup and the options page in Node (test/unit/popup-render.test.ts,
 * test/unit/i18n.test.ts): linkedom's window and document, and a fake `browser` on globalThis (which
 * webextension-polyfill hands back when one exists) that answers as the background and the content
 * script would, from a `FakeWorld` each test sets. Import it before the pages' modules.
 */
import { parseHTML } from 'linkedom';
import { wholeChanges } from './report-changes.ts';
import type { DetectorStatus, ModelEntryStatus, PageReport, Settings } from '../../src/protocol/messages.ts';

export type Env = { telltale: 1; type: string; target: string; payload: Record<string, unknown> };
export type Listener = (msg: unknown, sender: unknown) => unknown;
type StorageChanges = Record<string, { newValue: unknown }>;
type StorageListener = (changes: StorageChanges, area: string) => void;
/** Settings as the fake stores them (a test may leave `zeroShot` out). */
export type StoredSettings = Omit<Settings, 'zeroShot'> & { zeroShot?: string | null };
/** The fake `browser.storage.local`: `settings`, and whatever else the pages store. */
export type Store = { settings: StoredSettings; [key: string]: unknown };

/** What the background and the content script answer; set by each test (`fake.world = ...`). */
export interface FakeWorld {
  tabUrl: string;
  report: PageReport;
  /** Content script present? */
  cs: boolean;
  bgUp: boolean;
  /** What the permission prompt answers. */
  grant: boolean;
  /** Whether Telltale has access to the tab's site already (default: `grant`). */
  hasAccess?: boolean;
  /** The page detector's status (default: the embedded detector, ready on wasm). */
  status?: DetectorStatus;
  /** The zero-shot detector's status (default: ready on wasm when the settings name one). */
  zeroShot?: unknown;
  store: Store;
  models: ModelEntryStatus[];
  /** The answer to a download (default: it succeeds). */
  download?: { ok: boolean; error?: string };
  /** The content script's answer to a click on a row (default: it scrolled there). */
  revealOk?: boolean;
  /** What `fetch` returns as JSON (the model card's meta.json; absent: 404). */
  meta?: unknown;
  /** Everything the pages sent, to the background and to tabs. */
  sent: Env[];
  sentTab: { tabId: number; env: Env; frameId?: number }[];
  permissionRequests: { origins: string[] }[];
  onScan?: () => void;
  /** The background's answer to a scan it could not do (absent: it scans). */
  scanError?: string;
  /** Frames that reported to the background, and their own reports (absent: the top frame only). */
  frames?: number[];
  frameReports?: Record<number, PageReport>;
}

/** What the tests put on globalThis for the pages. */
interface FakeGlobals {
  window: Window;
  document: Document;
  location: { search: string; hash: string };
  requestAnimationFrame: (cb: () => void) => ReturnType<typeof setTimeout>;
  cancelAnimationFrame: (id: ReturnType<typeof setTimeout>) => void;
  chrome: { runtime: { id: string } };
  browser: object;
  fetch: (url: string) => Promise<Response>;
}

// A special scheme: Node's URL gives chrome-extension:// URLs a null origin, browsers do not.
export const ORIGIN = 'https://telltale-test.invalid';

const NO_RECEIVER = 'Could not establish connection. Receiving end does not exist.';

export interface FakeExtension {
  world: FakeWorld;
  document: Document;
  /** runtime.onMessage listeners the pages registered (pushes from the host reach them through these). */
  listeners: Listener[];
  storageListeners: StorageListener[];
  /** The page's query string (`?tab=7`: the popup of tab 7). */
  setLocation(search: string, hash?: string): void;
}

export function installFakeExtension(): FakeExtension {
  const { window, document } = parseHTML('<!doctype html><html><body></body></html>');
  const g = globalThis as unknown as FakeGlobals;
  g.window = window;
  g.document = document;
  g.location = { search: '', hash: '' };
  g.requestAnimationFrame = (cb: () => void) => setTimeout(cb, 0);
  g.cancelAnimationFrame = (id) => clearTimeout(id);
  const fake: FakeExtension = {
    world: undefined as unknown as FakeWorld,
    document,
    listeners: [],
    storageListeners: [],
    setLocation: (search, hash = '') => {
      g.location = { search, hash };
    },
  };
  const w = () => fake.world;
  g.chrome = { runtime: { id: 'telltale-test' } };
  g.browser = {
    runtime: {
      id: 'telltale-test',
      getURL: (p: string) => `${ORIGIN}/${p.replace(/^\//, '')}`,
      openOptionsPage: () => Promise.resolve(),
      onMessage: { addListener: (fn: Listener) => fake.listeners.push(fn) },
      sendMessage: async (env: Env) => {
        w().sent.push(env);
        if (!w().bgUp) throw new Error(NO_RECEIVER);
        switch (env.type) {
          case 'ui:bg:status':
            return w().status ?? { detector: 'embedded', name: 'Telltale small', state: 'ready', backend: 'wasm' };
          case 'ui:bg:models':
            return { models: w().models };
          case 'ui:bg:scan-tab':
            if (w().scanError) return { ok: false, error: w().scanError };
            w().cs = true;
            w().onScan?.();
            return { ok: true };
          case 'ui:bg:download':
            return w().download ?? { ok: true };
          case 'ui:bg:delete-model':
            return { ok: true };
          case 'ui:bg:frames':
            return { frames: w().frames ?? [0] };
          case 'ui:bg:zeroshot-status': {
            if ('zeroShot' in w()) return w().zeroShot;
            const id = w().store.settings?.zeroShot;
            return id ? { detector: id, ready: true, backend: 'wasm', calibrated: false } : null;
          }
        }
        throw new Error(`unexpected ${env.type}`);
      },
    },
    tabs: {
      query: async () => [{ id: 7, url: w().tabUrl }],
      get: async (id: number) => ({ id, url: w().tabUrl }),
      sendMessage: async (tabId: number, env: Env, opts?: { frameId?: number }) => {
        w().sentTab.push({ tabId, env, frameId: opts?.frameId });
        if (!w().cs) throw new Error(NO_RECEIVER);
        const frameId = opts?.frameId ?? 0;
        if (frameId !== 0 && !w().frameReports?.[frameId]) throw new Error(NO_RECEIVER);
        if (env.type === 'ui:cs:changes') return wholeChanges((frameId === 0 ? w().report : w().frameReports![frameId])!);
        if (env.type === 'ui:cs:reveal') return { ok: w().revealOk ?? true };
        if (env.type === 'ui:cs:deep') {
          const r = frameId === 0 ? w().report : w().frameReports![frameId]!;
          if (env.payload.action === 'start') r.deep = { done: 0, total: 3, running: true };
          else r.deep = { ...r.deep!, running: false, cancelled: true };
          return { ok: true };
        }
        throw new Error(`unexpected ${env.type}`);
      },
    },
    permissions: {
      request: (p: { origins: string[] }) => {
        w().permissionRequests.push(p);
        return Promise.resolve(w().grant);
      },
      contains: async () => w().hasAccess ?? w().grant,
    },
    storage: {
      local: {
        get: async (k: string) => (k in w().store ? { [k]: structuredClone(w().store[k]) } : {}),
        set: async (items: Record<string, unknown>) => {
          const changes: StorageChanges = {};
          for (const [k, v] of Object.entries(items)) {
            w().store[k] = structuredClone(v);
            changes[k] = { newValue: v };
          }
          for (const fn of fake.storageListeners) fn(changes, 'local');
        },
        remove: async (k: string) => void delete w().store[k],
      },
      onChanged: { addListener: (fn: StorageListener) => fake.storageListeners.push(fn) },
    },
  };
  g.fetch = async () => (w().meta ? new Response(JSON.stringify(w().meta)) : new Response('', { status: 404 }));
  return fake;
}

/** Querying, clicking and waiting in the element the pages are rendered into (`root()`: the current one). */
export function inRoot(root: () => Element) {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const $ = <E extends Element = HTMLElement>(sel: string) => root().querySelector<E>(sel);
  return {
    sleep,
    $,
    $$: <E extends Element = HTMLElement>(sel: string) => Array.from(root().querySelectorAll<E>(sel)),
    text: (sel: string) => ($(sel)?.textContent ?? '').replace(/\s+/g, ' ').trim(),
    click: (el: Element | null) => el!.dispatchEvent(new (globalThis as unknown as { window: { Event: typeof Event } }).window.Event('click', { bubbles: true, cancelable: true })),
    /** Polls `fn` every 10 ms until it gives something truthy; fails with the rendered text after `timeout`. */
    async until<T>(fn: () => T, what: string, timeout = 3000): Promise<NonNullable<T>> {
      const t0 = Date.now();
      for (;;) {
        const v = fn();
        if (v) return v as NonNullable<T>;
        if (Date.now() - t0 > timeout) throw new Error(`timed out waiting for ${what}; DOM: ${root().textContent}`);
        await sleep(10);
      }
    },
  };
}
