/**
 * State shared by the popup and the options page: settings, detector status, downloadable models.
 * Each hook catches its own failures and hands back words to show instead of throwing.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { DetectorStatus, ModelEntryStatus, Settings, ZeroShotStatus } from '../protocol/messages.ts';
import { describeError } from './model.ts';
import { isZeroShotId } from '../protocol/messages.ts';
import { isQuotaError } from '../core/hub/store.ts';
import * as api from './api.ts';
import { t } from '../shared/i18n.ts';

export interface SettingsState {
  settings: Settings | null;
  error: string | null;
  save: (patch: Partial<Settings>) => Promise<void>;
}

export function useSettings(): SettingsState {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api
      .loadSettings()
      .then((s) => live && setSettings(s))
      .catch((err) => live && setError(t('settingsReadFailed', errText(err))));
    // Changes from the other page (options vs popup) or the background show up here too.
    api.onSettingsChanged((s) => live && setSettings(s));
    return () => {
      live = false;
    };
  }, []);
  const save = useCallback(async (patch: Partial<Settings>) => {
    setSettings((s) => (s ? { ...s, ...patch } : s));
    try {
      setSettings(await api.saveSettings(patch));
      setError(null);
    } catch (err) {
      setError(t('settingsSaveFailed', errText(err)));
      api.loadSettings().then(setSettings, () => {});
    }
  }, []);
  return { settings, error, save };
}

const AUTO_RETRIES = 2;
const RETRY_MS = 1500;

export interface StatusState {
  status: DetectorStatus | null;
  error: string | null;
  retry: () => void;
}

/**
 * A value fetched from the background and kept fresh by its pushes. A failed fetch becomes words to
 * show, and is retried a couple of times: a restarting background answers again within a second or two.
 */
function useBackgroundValue<T, R>(
  fetch: () => Promise<R>,
  read: (r: R) => T | null,
  subscribe: (fn: (v: T) => void) => () => void,
  noAnswer: string,
): { value: T | null; error: string | null; retry: () => void } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(
    () =>
      subscribe((v) => {
        setValue(v);
        setError(null);
      }),
    [],
  );
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    fetch()
      .then((r) => {
        if (!live) return;
        const v = read(r);
        if (v !== null) {
          setValue(v);
          setError(null);
        } else setError(noAnswer);
      })
      .catch((err) => {
        if (!live) return;
        setError(describeError(err, 'background'));
        if (attempt < AUTO_RETRIES) timer = setTimeout(() => setAttempt((a) => a + 1), RETRY_MS);
      });
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [attempt]);
  return { value, error, retry: () => setAttempt((a) => a + 1) };
}

export function useDetectorStatus(): StatusState {
  const { value, error, retry } = useBackgroundValue<DetectorStatus, unknown>(
    api.getStatus,
    (s) => (s && typeof s === 'object' && typeof (s as DetectorStatus).state === 'string' ? (s as DetectorStatus) : null),
    // The status line is the page detector's: a zero-shot detector loading beside it is not.
    (fn) => api.onStatus((s) => void (!isZeroShotId(s.detector) && fn(s))),
    t('statusNoAnswer'),
  );
  return { status: value, error, retry };
}

export interface ModelsState {
  models: ModelEntryStatus[] | null;
  error: string | null;
  reload: () => void;
}

export function useModels(): ModelsState {
  const { value, error, retry } = useBackgroundValue<ModelEntryStatus[], { models?: unknown } | undefined>(
    api.getModels,
    (r) => (r && Array.isArray(r.models) ? (r.models as ModelEntryStatus[]) : null),
    api.onModels,
    t('modelsListFailed'),
  );
  return { models: value, error, reload: retry };
}

/** Calls `fn` every `ms` while `active`; the latest `fn` is used, without restarting the timer. */
export function useInterval(fn: () => void, ms: number, active: boolean): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => ref.current(), ms);
    return () => clearInterval(id);
  }, [ms, active]);
}

export function errText(err: unknown): string {
  if (isQuotaError(err)) return t('errorNoStorage');
  return err instanceof Error ? err.message : String(err);
}

/**
 * The zero-shot detector the settings name (downloaded? which backend?), asked again when the setting
 * or the models change; null when none is on or the background does not answer (no deep check then).
 */
export function useZeroShotStatus(zeroShot: string | null, models: ModelEntryStatus[] | null): ZeroShotStatus | null {
  const [status, setStatus] = useState<ZeroShotStatus | null>(null);
  const readyKey = (models ?? []).filter((m) => m.kind === 'zero-shot').map((m) => `${m.id}:${m.state}`).join(',');
  useEffect(() => {
    if (!zeroShot) return setStatus(null);
    let live = true;
    api.getZeroShotStatus().then(
      (s) => live && setStatus(s && typeof s === 'object' && typeof s.ready === 'boolean' ? s : null),
      () => live && setStatus(null),
    );
    return () => {
      live = false;
    };
  }, [zeroShot, readyKey]);
  return status;
}

/**
 * Keeps keyboard focus in a container when the control that had it goes away or is disabled (a
 * download button that becomes "Delete", "Scan this page" that becomes "Scan again"): focus moves to
 * the first enabled `prefer` inside, else to the container itself, instead of falling to the top of
 * the page, where a keyboard user would have to start over. Focus the reader moved elsewhere is left alone.
 */
export function useKeepFocus<T extends HTMLElement>(prefer: string) {
  const ref = useRef<T>(null);
  const last = useRef<HTMLElement | null>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const onIn = (e: FocusEvent) => {
      last.current = e.target as HTMLElement;
    };
    const onOut = (e: FocusEvent) => {
      const to = e.relatedTarget as Node | null;
      if (to && !el.contains(to)) last.current = null;
    };
    el.addEventListener('focusin', onIn);
    el.addEventListener('focusout', onOut);
    return () => {
      el.removeEventListener('focusin', onIn);
      el.removeEventListener('focusout', onOut);
    };
  }, []);
  useEffect(() => {
    const el = ref.current;
    const had = last.current;
    if (!el || !had) return;
    const gone = !had.isConnected || (had as HTMLButtonElement).disabled === true || had === el;
    if (!gone) return;
    const doc = el.ownerDocument;
    const active = doc.activeElement;
    if (active && active !== doc.body && active !== el && active !== had) return;
    const target = el.querySelector<HTMLElement>(`${prefer}:not(:disabled)`);
    if (target) target.focus();
    else if (active !== el) {
      el.tabIndex = -1;
      el.focus();
    }
  });
  return ref;
}
