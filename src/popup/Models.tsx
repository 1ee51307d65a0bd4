/**
 * Detector status line, detector choice and the downloadable models (compact in the popup, full on
 * the options page). Downloads run in the detector host: closing the popup does not stop them, and
 * the list comes back from `ui:bg:models` when it reopens.
 */
import { COMBINED } from '../core/roberta/registry.ts';
import { useState } from 'preact/hooks';
import type { ModelEntryStatus, Settings } from '../protocol/messages.ts';
import * as api from './api.ts';
import { useKeepFocus, type ModelsState, type StatusState } from './hooks.ts';
import {
  describeError,
  detectorAfterDelete,
  detectorChoices,
  formatBytes,
  modelProgress,
  modelStateText,
  statusView,
  storageUsed,
  zeroShotChoices,
} from './model.ts';
import { t } from '../shared/i18n.ts';
import { ZEROSHOT_WORDS } from '../shared/zeroshot-words.ts';
import { problemOrError } from '../shared/problem-words.ts';

export function StatusLine({ state }: { state: StatusState }) {
  const view = statusView(state.status);
  return (
    <div class={`status status-${state.error ? 'error' : view.tone}`} data-testid="status" role="status" aria-live="polite">
      <p class="status-text">
        <span class="status-dot" aria-hidden="true" />
        <span class="status-msg">
          {state.error ? state.error : view.text}
          {state.error && (
            <>
              {' '}
              <button type="button" class="link" onClick={state.retry} data-testid="status-retry">
                {t('tryAgain')}
              </button>
            </>
          )}
        </span>
      </p>
      {!state.error && view.tone === 'busy' && (
        <progress
          max={1}
          value={view.progress}
          aria-label={t('statusLoadingBar')}
          data-testid="status-progress"
        />
      )}
    </div>
  );
}

export function DetectorSelect(props: {
  settings: Settings;
  save: (p: Partial<Settings>) => void;
  models: ModelEntryStatus[] | null;
}) {
  const choices = detectorChoices(props.models ?? [], props.settings.detector, COMBINED?.of[1]);
  return (
    <div class="field">
      <label for="detector-select">{t('detectorLabel')}</label>
      <select
        id="detector-select"
        data-testid="detector-select"
        value={props.settings.detector}
        onChange={(e) => props.save({ detector: (e.currentTarget as HTMLSelectElement).value })}
      >
        {choices.map((c) => (
          <option key={c.id} value={c.id} disabled={c.disabled}>
            {c.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The zero-shot detector that runs beside the one above (downloaded ones only). */
export function ZeroShotSelect(props: { settings: Settings; save: (p: Partial<Settings>) => void; models: ModelEntryStatus[] | null }) {
  const choices = zeroShotChoices(props.models ?? [], props.settings.zeroShot);
  if (choices.length < 2) return null;
  return (
    <div class="field">
      <label for="zeroshot-select">{ZEROSHOT_WORDS.select}</label>
      <select
        id="zeroshot-select"
        data-testid="zeroshot-select"
        aria-describedby="zeroshot-hint"
        value={props.settings.zeroShot ?? ''}
        onChange={(e) => props.save({ zeroShot: (e.currentTarget as HTMLSelectElement).value || null })}
      >
        {choices.map((c) => (
          <option key={c.id} value={c.id} disabled={c.disabled}>
            {c.label}
          </option>
        ))}
      </select>
      <p class="hint" id="zeroshot-hint">
        {ZEROSHOT_WORDS.selectHint}
      </p>
    </div>
  );
}

function ModelRow(props: {
  m: ModelEntryStatus;
  compact: boolean;
  onDownload: (id: string) => void;
  onDelete: (id: string) => void;
  busy: boolean;
}) {
  const { m } = props;
  const p = modelProgress(m);
  // "Download" gives way to a progress bar, then to "Delete": the keyboard's place stays in this row.
  const ref = useKeepFocus<HTMLLIElement>('button');
  return (
    <li ref={ref} class={`model model-${m.state}`} data-testid="model-row" data-model={m.id} data-state={m.state}>
      <div class="model-head">
        <span class="model-name">{m.name}</span>
        <span class="model-size">{formatBytes(m.bytes)}</span>
      </div>
      <p class={`model-state${m.state === 'error' ? ' warn' : ''}`}>{modelStateText(m)}</p>
      {m.state === 'downloading' && (
        <progress max={1} value={p} aria-label={t('modelDownloadingBar', m.name)} data-testid="model-progress" />
      )}
      <div class="model-actions">
        {(m.state === 'absent' || m.state === 'error') && (
          <button type="button" disabled={props.busy} onClick={() => props.onDownload(m.id)} data-testid="model-download">
            {m.state === 'error' ? t('modelRetry') : t('modelDownload', formatBytes(m.bytes))}
          </button>
        )}
        {(m.state === 'ready' || (m.state === 'error' && m.storedBytes > 0)) && (
          <button type="button" class="danger" disabled={props.busy} onClick={() => props.onDelete(m.id)} data-testid="model-delete">
            {props.compact ? t('modelDelete') : t('modelDeleteFrees', formatBytes(m.storedBytes))}
          </button>
        )}
      </div>
    </li>
  );
}

export function ModelsSection(props: {
  models: ModelsState;
  settings: Settings;
  save: (p: Partial<Settings>) => Promise<void>;
  compact: boolean;
}) {
  const { models: state, settings, save, compact } = props;
  const [busy, setBusy] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const list = state.models;

  async function download(id: string) {
    setBusy(id);
    setNote(null);
    try {
      const res = await api.downloadModel(id);
      if (!res?.ok) setNote(t('modelDownloadNotStarted', problemOrError(res) ?? t('noReasonGiven')));
      else setNote(t('modelDownloadStarted'));
    } catch (err) {
      setNote(describeError(err, 'background'));
    } finally {
      setBusy(null);
      state.reload();
    }
  }

  async function remove(id: string) {
    setBusy(id);
    setNote(null);
    try {
      const res = await api.deleteModel(id);
      if (!res?.ok) setNote(t('modelDeleteFailed', problemOrError(res) ?? t('noReasonGiven')));
      else {
        const next = detectorAfterDelete(settings.detector, id, COMBINED?.of[1]);
        if (next) await save({ detector: next });
        // A zero-shot detector whose model went (a shared language model takes the other one too) is turned off.
        if (settings.zeroShot) {
          const after = await api.getModels().catch(() => null);
          if (after && !after.models.some((m) => m.id === settings.zeroShot && m.state === 'ready')) await save({ zeroShot: null });
        }
        setNote(t('modelDeleted'));
      }
    } catch (err) {
      setNote(describeError(err, 'background'));
    } finally {
      setBusy(null);
      state.reload();
    }
  }

  return (
    <div class={`models${compact ? ' compact' : ''}`} data-testid="models">
      <DetectorSelect settings={settings} save={save} models={list} />
      <ZeroShotSelect settings={settings} save={save} models={list} />
      {!compact && (
        <p class="hint">{t('modelsHint')}</p>
      )}
      {state.error && (
        <p class="note warn" role="alert">
          {state.error}{' '}
          <button type="button" class="link" onClick={state.reload}>
            {t('tryAgain')}
          </button>
        </p>
      )}
      {list === null && !state.error && <p class="hint">{t('modelsListing')}</p>}
      {list && list.length === 0 && <p class="hint">{t('modelsNone')}</p>}
      {list && list.length > 0 && (
        <>
          <ul class="model-list" aria-label={t('modelsList')}>
            {list.map((m) => (
              <ModelRow key={m.id} m={m} compact={compact} busy={busy === m.id} onDownload={download} onDelete={remove} />
            ))}
          </ul>
          <p class="hint" data-testid="models-storage">
            {t('modelsStorage', formatBytes(storageUsed(list)))}
          </p>
        </>
      )}
      <p class="note" aria-live="polite" data-testid="models-note">
        {note ?? ''}
      </p>
    </div>
  );
}
