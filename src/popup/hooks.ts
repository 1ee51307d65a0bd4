/**
 * State shared by the popup and the options page: settings, detector status, downloadable models.
 * Each hook catches its own failures and hands back words to show instead of throwing.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { DetectorStatus, ModelEntryStatus, Settings } from '../protocol/messages.ts';
import { describeError } from './model.ts';
import * as api from './api.ts';

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
      .catch((err) => live && setError(`Could not read your settings (${errText(err)}).`));
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
      setError(`Could not save the setting (${errText(err)}).`);
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

export function useDetectorStatus(): StatusState {
  const [status, setStatus] = useState<DetectorStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => api.onStatus((s) => (setStatus(s), setError(null))), []);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    api
      .getStatus()
      .then((s) => {
        if (!live) return;
        if (s && typeof s === 'object' && typeof s.state === 'string') (setStatus(s), setError(null));
        else setError('Telltale’s background gave no detector status. Try again in a moment.');
      })
      .catch((err) => {
        if (!live) return;
        setError(describeError(err, 'background'));
        // A restarting background answers again within a second or two.
        if (attempt < AUTO_RETRIES) timer = setTimeout(() => setAttempt((a) => a + 1), RETRY_MS);
      });
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [attempt]);
  return { status, error, retry: () => setAttempt((a) => a + 1) };
}

export interface ModelsState {
  models: ModelEntryStatus[] | null;
  error: string | null;
  reload: () => void;
}

export function useModels(): ModelsState {
  const [models, setModels] = useState<ModelEntryStatus[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => api.onModels((m) => (setModels(m), setError(null))), []);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    api
      .getModels()
      .then((r) => {
        if (!live) return;
        if (r && Array.isArray(r.models)) (setModels(r.models), setError(null));
        else setError('Could not list the downloadable models.');
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
  return { models, error, reload: () => setAttempt((a) => a + 1) };
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
  return err instanceof Error ? err.message : String(err);
}
